/* The pipeline's queue of uncommitted link-state writes: order, bound, latest row per link. */
#include "testutil.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pending.h"
#include "util/xmalloc.h"

struct seen {
	char text[512];
	int fail_at; /* event index whose write fails, -1 none */
	int n;
};

static int
ev_fn(const struct np_ls_event *ev, const char *msg, int severity, void *arg)
{
	struct seen *s = arg;
	if (s->n++ == s->fail_at)
		return -1;
	size_t len = strlen(s->text);
	snprintf(s->text + len, sizeof(s->text) - len, "%s/%s@%lld:%s:%d;", ev->device,
	         ev->interface, (long long)ev->time_ms, msg, severity);
	return 0;
}

static int
saved_fn(const struct np_ls_saved *l, void *arg)
{
	struct seen *s = arg;
	size_t len = strlen(s->text);
	snprintf(s->text + len, sizeof(s->text) - len, "[%s/%s %lld %s]", l->device, l->interface,
	         (long long)l->since_ms, l->sources != NULL ? l->sources : "NULL");
	return 0;
}

static void
add(struct np_pending *q, const char *ifn, int64_t t, int expect_dropped)
{
	/* Strings on the stack: the queue must copy them. */
	char dev[16], name[16], src[16];
	strcpy(dev, "h");
	strcpy(name, ifn);
	strcpy(src, "s1");
	struct np_ls_event ev = {.device = dev, .interface = name, .time_ms = t, .sources = src};
	assert_int_equal(np_pending_add_event(q, &ev, t % 2 ? "odd" : NULL, 3), expect_dropped);
	memset(name, 'x', sizeof(name) - 1);
}

static char *
written(struct np_pending *q, int fail_at, size_t *index, int *rc)
{
	struct seen s = {.fail_at = fail_at};
	*rc = np_pending_write(q, ev_fn, saved_fn, &s, index);
	return np_xstrdup(s.text);
}

static void
test_order_bound_and_drop(void **state)
{
	struct np_pending *q = np_pending_new(3);
	add(q, "a", 1, 0);
	add(q, "b", 2, 0);
	add(q, "c", 3, 0);
	add(q, "d", 4, 1); /* full: "a" goes */
	add(q, "e", 5, 1); /* and "b" */
	assert_int_equal(np_pending_events(q), 3);
	assert_int_equal(np_pending_dropped(q), 2);
	size_t idx;
	int rc;
	char *t = written(q, -1, &idx, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(idx, SIZE_MAX);
	assert_string_equal(t, "h/c@3:odd:3;h/d@4::3;h/e@5:odd:3;");
	free(t);
	/* A failing write stops there, says where, and removes nothing. */
	t = written(q, 1, &idx, &rc);
	assert_int_equal(rc, -1);
	assert_int_equal(idx, 1);
	assert_string_equal(t, "h/c@3:odd:3;");
	free(t);
	np_pending_drop(q, 1);
	t = written(q, -1, &idx, &rc);
	assert_string_equal(t, "h/c@3:odd:3;h/e@5:odd:3;");
	free(t);
	np_pending_clear(q);
	assert_int_equal(np_pending_events(q), 0);
	add(q, "f", 6, 0);
	t = written(q, -1, &idx, &rc);
	assert_string_equal(t, "h/f@6::3;");
	free(t);
	np_pending_free(q);
}

static void
test_saved_latest_per_link(void **state)
{
	struct np_pending *q = np_pending_new(NP_PENDING_MAX);
	struct np_ls_saved s = {.device = "h", .interface = "eth0", .since_ms = 1, .sources = "a"};
	np_pending_add_saved(q, &s);
	s.interface = "eth1";
	s.since_ms = 2;
	s.sources = NULL;
	np_pending_add_saved(q, &s);
	s.interface = "eth0";
	s.since_ms = 3;
	s.sources = "b";
	np_pending_add_saved(q, &s);
	assert_int_equal(np_pending_saved(q), 2);
	size_t idx;
	int rc;
	char *t = written(q, -1, &idx, &rc);
	assert_string_equal(t, "[h/eth0 3 b][h/eth1 2 NULL]");
	free(t);
	np_pending_clear(q);
	assert_int_equal(np_pending_saved(q), 0);
	s.since_ms = 4;
	np_pending_add_saved(q, &s);
	t = written(q, -1, &idx, &rc);
	assert_string_equal(t, "[h/eth0 4 b]");
	free(t);
	np_pending_free(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_order_bound_and_drop),
	    cmocka_unit_test(test_saved_latest_per_link),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
