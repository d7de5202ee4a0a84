/*
 * Link-state engine: interfaces the kernel deleted (NP_LINK_GONE) are `removed`, not down then
 * stale; alert_on_delete (NP_LINK_GONE_ALERT) sends IFDOWN; a removed link coming back is a
 * new life; removed links leave memory after forget_after. Injected clock, exact events.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/linkstate.h"
#include "util/xmalloc.h"

#define S(x) ((int64_t)(x)*1000)
#define STALE S(900)

struct rec {
	struct np_ls_event ev[32];
	size_t n;
};

static void
rec_fn(const struct np_ls_event *e, void *arg)
{
	struct rec *r = arg;
	if (r->n >= sizeof(r->ev) / sizeof(r->ev[0]))
		fail_msg("too many events");
	r->ev[r->n] = *e;
	r->ev[r->n].device = r->ev[r->n].interface = r->ev[r->n].sources = NULL;
	r->n++;
}

static const struct np_ls_params params = {
    .down_after_ms = S(30), /* a deletion is not debounced: it still acts at once */
    .up_after_ms = S(30),
    .flap_transitions = 5,
    .flap_window_ms = S(600),
};

static void
obs(struct np_ls *ls, enum np_link_obs v, int t)
{
	np_ls_observe(ls, "host", "veth1", "local", v, NP_EVER_UNKNOWN, S(t), STALE);
}

static void
want(const struct rec *r, size_t i, enum np_state from, enum np_state to, int t,
     enum np_alert_kind alert, int64_t outage_ms)
{
	if (i >= r->n)
		fail_msg("event %zu missing (%zu emitted)", i, r->n);
	const struct np_ls_event *e = &r->ev[i];
	if (e->from != from || e->to != to || e->time_ms != S(t) || e->alert != alert ||
	    e->outage_ms != outage_ms || !e->transition)
		fail_msg("event %zu: %s->%s t=%lld alert=%s outage_ms=%lld; want %s->%s t=%d "
		         "alert=%s outage_ms=%lld",
		         i, np_state_names[e->from], np_state_names[e->to], (long long)e->time_ms,
		         np_alert_names[e->alert], (long long)e->outage_ms, np_state_names[from],
		         np_state_names[to], t, np_alert_names[alert], (long long)outage_ms);
}

struct saved_rec {
	enum np_state state;
	int64_t since_ms;
	bool ever_up;
	char name[32];
	size_t n;
};

static void
saved_fn(const struct np_ls_saved *s, void *arg)
{
	struct saved_rec *sr = arg;
	sr->state = s->state;
	sr->since_ms = s->since_ms;
	sr->ever_up = s->ever_up;
	snprintf(sr->name, sizeof(sr->name), "%s/%s", s->device, s->interface);
	sr->n++;
}

/* up -> removed at once (no debounce), no alert; it never goes stale, not even when the
 * source's complete batches leave it out. */
static void
test_removed_quiet(void **state)
{
	(void)state;
	struct np_ls *ls = np_ls_new(&params);
	struct rec r = {0};
	obs(ls, NP_LINK_UP, 0);
	np_ls_source_complete(ls, "local", S(0));
	np_ls_evaluate(ls, S(0), rec_fn, &r);
	obs(ls, NP_LINK_GONE, 100);
	np_ls_evaluate(ls, S(100), rec_fn, &r);
	for (int t = 160; t <= 5000; t += 60) {
		np_ls_source_complete(ls, "local", S(t)); /* it is no longer listed */
		np_ls_evaluate(ls, S(t), rec_fn, &r);
	}
	np_ls_evaluate(ls, S(100000), rec_fn, &r);
	assert_int_equal(r.n, 2);
	want(&r, 0, NP_ST_UNKNOWN, NP_ST_UP, 0, NP_AL_NONE, -1);
	want(&r, 1, NP_ST_UP, NP_ST_REMOVED, 100, NP_AL_NONE, -1);
	assert_false(r.ev[1].ever_up); /* its life ended */
	assert_int_equal(np_ls_next_deadline(ls), INT64_MAX);
	struct saved_rec sr = {0};
	np_ls_foreach(ls, saved_fn, &sr);
	assert_int_equal(sr.state, NP_ST_REMOVED);
	assert_int_equal(sr.since_ms, S(100));
	np_ls_free(ls);
}

/* A link deleted while down: its outage ends there (removed is not down), no second alert. */
static void
test_removed_while_down(void **state)
{
	(void)state;
	struct np_ls *ls = np_ls_new(&params);
	struct rec r = {0};
	obs(ls, NP_LINK_UP, 0);
	np_ls_evaluate(ls, S(0), rec_fn, &r);
	obs(ls, NP_LINK_DOWN, 60);
	np_ls_evaluate(ls, S(60), rec_fn, &r);
	np_ls_evaluate(ls, S(90), rec_fn, &r);
	obs(ls, NP_LINK_GONE_ALERT, 200);
	np_ls_evaluate(ls, S(200), rec_fn, &r);
	assert_int_equal(r.n, 3);
	want(&r, 1, NP_ST_UP, NP_ST_DOWN, 60, NP_AL_IFDOWN, -1);
	want(&r, 2, NP_ST_DOWN, NP_ST_REMOVED, 200, NP_AL_NONE, S(140));
	np_ls_free(ls);
}

/* alert_on_delete matched: IFDOWN when the link was up; coming back up says IFUP (announced
 * down) with no outage length (the removed time was no downtime). */
static void
test_removed_alert_and_back(void **state)
{
	(void)state;
	struct np_ls *ls = np_ls_new(&params);
	struct rec r = {0};
	obs(ls, NP_LINK_UP, 0);
	np_ls_evaluate(ls, S(0), rec_fn, &r);
	obs(ls, NP_LINK_GONE_ALERT, 100);
	np_ls_evaluate(ls, S(100), rec_fn, &r);
	obs(ls, NP_LINK_UP, 400);
	np_ls_evaluate(ls, S(400), rec_fn, &r); /* no up_after debounce: first sight */
	assert_int_equal(r.n, 3);
	want(&r, 1, NP_ST_UP, NP_ST_REMOVED, 100, NP_AL_IFDOWN, -1);
	want(&r, 2, NP_ST_REMOVED, NP_ST_UP, 400, NP_AL_IFUP, -1);
	np_ls_free(ls);
}

/* Not announced: the same name coming back is a new life: up quietly; down first (a new
 * life never up) is quiet too, and so is its later up; then it alerts as any link. */
static void
test_removed_new_life(void **state)
{
	(void)state;
	struct np_ls *ls = np_ls_new(&params);
	struct rec r = {0};
	obs(ls, NP_LINK_UP, 0);
	np_ls_evaluate(ls, S(0), rec_fn, &r);
	obs(ls, NP_LINK_GONE, 100);
	np_ls_evaluate(ls, S(100), rec_fn, &r);
	obs(ls, NP_LINK_UP, 200);
	np_ls_evaluate(ls, S(200), rec_fn, &r);
	obs(ls, NP_LINK_GONE, 300);
	np_ls_evaluate(ls, S(300), rec_fn, &r);
	obs(ls, NP_LINK_DOWN, 400);
	np_ls_evaluate(ls, S(400), rec_fn, &r);
	obs(ls, NP_LINK_UP, 500);
	np_ls_evaluate(ls, S(500), rec_fn, &r);
	np_ls_evaluate(ls, S(530), rec_fn, &r);
	obs(ls, NP_LINK_DOWN, 600);
	np_ls_evaluate(ls, S(600), rec_fn, &r);
	np_ls_evaluate(ls, S(630), rec_fn, &r);
	assert_int_equal(r.n, 7);
	want(&r, 2, NP_ST_REMOVED, NP_ST_UP, 200, NP_AL_NONE, -1);
	want(&r, 3, NP_ST_UP, NP_ST_REMOVED, 300, NP_AL_NONE, -1);
	want(&r, 4, NP_ST_REMOVED, NP_ST_DOWN, 400, NP_AL_NONE, -1);
	want(&r, 5, NP_ST_DOWN, NP_ST_UP, 500, NP_AL_NONE, -1);
	want(&r, 6, NP_ST_UP, NP_ST_DOWN, 600, NP_AL_IFDOWN, -1);
	np_ls_free(ls);
}

/* A deleted link another fresh source still sees up stays up. */
static void
test_removed_other_source(void **state)
{
	(void)state;
	struct np_ls *ls = np_ls_new(&params);
	struct rec r = {0};
	obs(ls, NP_LINK_UP, 0);
	np_ls_observe(ls, "host", "veth1", "other", NP_LINK_UP, NP_EVER_UNKNOWN, S(0), STALE);
	np_ls_evaluate(ls, S(0), rec_fn, &r);
	obs(ls, NP_LINK_GONE_ALERT, 100);
	np_ls_evaluate(ls, S(100), rec_fn, &r);
	assert_int_equal(r.n, 1);
	/* Once the other source's view expires, the deletion decides (no stale in between). */
	np_ls_evaluate(ls, S(900), rec_fn, &r);
	assert_int_equal(r.n, 2);
	want(&r, 1, NP_ST_UP, NP_ST_REMOVED, 900, NP_AL_IFDOWN, -1);
	np_ls_free(ls);
}

/* Removed links leave memory after forget_after (not at once, although they never alerted),
 * and the caller hears of each; a stale one that never alerted still goes at once. */
static void
test_removed_forget(void **state)
{
	(void)state;
	struct np_ls *ls = np_ls_new(&params);
	struct rec r = {0};
	obs(ls, NP_LINK_UP, 0);
	np_ls_evaluate(ls, S(0), rec_fn, &r);
	obs(ls, NP_LINK_GONE, 10);
	np_ls_evaluate(ls, S(10), rec_fn, &r);
	np_ls_drain_dirty(ls, saved_fn, &(struct saved_rec){0});
	struct saved_rec sr = {0};
	assert_int_equal(np_ls_forget(ls, S(11), S(3600), saved_fn, &sr), 0);
	assert_int_equal(np_ls_forget(ls, S(10) + S(3600) - 1, S(3600), saved_fn, &sr), 0);
	assert_int_equal(sr.n, 0);
	assert_int_equal(np_ls_forget(ls, S(10) + S(3600), S(3600), saved_fn, &sr), 1);
	assert_int_equal(sr.n, 1);
	assert_string_equal(sr.name, "host/veth1");
	assert_int_equal(sr.state, NP_ST_REMOVED);
	assert_int_equal(np_ls_count(ls), 0);
	/* forget_after < 0: never. */
	obs(ls, NP_LINK_UP, 5000);
	np_ls_evaluate(ls, S(5000), rec_fn, &r);
	obs(ls, NP_LINK_GONE, 5001);
	np_ls_evaluate(ls, S(5001), rec_fn, &r);
	np_ls_drain_dirty(ls, saved_fn, &(struct saved_rec){0});
	assert_int_equal(np_ls_forget(ls, S(900000), -1, saved_fn, &sr), 0);
	np_ls_free(ls);
}

/* A restored removed link stays removed (no observers: it is not there), is forgotten after
 * forget_after, and coming back is first sight without IFUP. */
static void
test_removed_restore(void **state)
{
	(void)state;
	struct np_ls *ls = np_ls_new(&params);
	struct rec r = {0};
	struct np_ls_saved s = {
	    .device = "host",
	    .interface = "veth1",
	    .state = NP_ST_REMOVED,
	    .since_ms = S(100),
	    .last_known = NP_ST_UNKNOWN,
	    .sources = "local",
	};
	np_ls_restore(ls, &s, S(1000), STALE);
	np_ls_evaluate(ls, S(5000), rec_fn, &r);
	np_ls_source_complete(ls, "local", S(5000));
	np_ls_evaluate(ls, S(5001), rec_fn, &r);
	assert_int_equal(r.n, 0);
	obs(ls, NP_LINK_UP, 6000);
	np_ls_evaluate(ls, S(6000), rec_fn, &r);
	assert_int_equal(r.n, 1);
	want(&r, 0, NP_ST_REMOVED, NP_ST_UP, 6000, NP_AL_NONE, -1);
	np_ls_free(ls);

	ls = np_ls_new(&params);
	np_ls_restore(ls, &s, S(1000), STALE);
	assert_int_equal(np_ls_forget(ls, S(100) + S(3600), S(3600), NULL, NULL), 1);
	np_ls_free(ls);

	/* Not even with alert_never_up (the removal's alert is not known after a restart). */
	struct np_ls_params p = params;
	p.alert_never_up = true;
	ls = np_ls_new(&p);
	r.n = 0;
	np_ls_restore(ls, &s, S(1000), STALE);
	obs(ls, NP_LINK_UP, 6000);
	np_ls_evaluate(ls, S(6000), rec_fn, &r);
	assert_int_equal(r.n, 1);
	want(&r, 0, NP_ST_REMOVED, NP_ST_UP, 6000, NP_AL_NONE, -1);
	np_ls_free(ls);
}

/* A failing source leaves unobserved the links it alone sees, not the ones deleted. */
static void
test_removed_not_sole(void **state)
{
	(void)state;
	struct np_ls *ls = np_ls_new(&params);
	obs(ls, NP_LINK_UP, 0);
	np_ls_observe(ls, "host", "eth0", "local", NP_LINK_UP, NP_EVER_UNKNOWN, S(0), STALE);
	np_ls_evaluate(ls, S(0), NULL, NULL);
	obs(ls, NP_LINK_GONE, 10);
	np_ls_evaluate(ls, S(10), NULL, NULL);
	assert_int_equal(np_ls_source_sole(ls, "local", S(20)), 1); /* eth0 */
	np_ls_free(ls);
}

static void
test_removed_name(void **state)
{
	(void)state;
	assert_string_equal(np_state_names[NP_ST_REMOVED], "removed");
	assert_int_equal(np_state_parse("removed"), NP_ST_REMOVED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_removed_quiet),
	    cmocka_unit_test(test_removed_while_down),
	    cmocka_unit_test(test_removed_alert_and_back),
	    cmocka_unit_test(test_removed_new_life),
	    cmocka_unit_test(test_removed_other_source),
	    cmocka_unit_test(test_removed_forget),
	    cmocka_unit_test(test_removed_restore),
	    cmocka_unit_test(test_removed_not_sole),
	    cmocka_unit_test(test_removed_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
