/*
 * Link-state engine: the multi-collector wait (a down look waits for the other live members
 * of its group) and forgetting links that are gone. Injected clock, exact events.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/linkstate.h"
#include "util/xmalloc.h"

#define S(x) ((int64_t)(x)*1000)
#define POLL S(60)
#define DUE (POLL + POLL / 10 + S(20)) /* interval + 10 % + timeout */
#define STALE S(180)

struct rec {
	enum np_state from[64], to[64];
	enum np_alert_kind alert[64];
	int64_t time[64], outage[64];
	size_t n;
};

static void
rec_fn(const struct np_ls_event *e, void *arg)
{
	struct rec *r = arg;
	assert_true(r->n < 64);
	r->from[r->n] = e->from;
	r->to[r->n] = e->to;
	r->alert[r->n] = e->alert;
	r->time[r->n] = e->time_ms;
	r->outage[r->n] = e->outage_ms;
	r->n++;
}

static const struct np_ls_params params = {
    .flap_transitions = 5,
    .flap_window_ms = S(600),
};

struct fx {
	struct np_ls *ls;
	struct rec r;
};

static int
setup(void **state)
{
	struct fx *f = np_xcalloc(1, sizeof(*f));
	f->ls = np_ls_new(&params);
	np_ls_source_set(f->ls, "fc-a", "stealthwatch", DUE);
	np_ls_source_set(f->ls, "fc-b", "stealthwatch", DUE);
	np_ls_source_set(f->ls, "fc-c", "stealthwatch", DUE);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	np_ls_free(f->ls);
	free(f);
	return 0;
}

/* One complete batch of `src` at t: the exporter with v (NP_LINK_NONE: not listed). */
static void
batch(struct fx *f, const char *src, enum np_link_obs v, int64_t t)
{
	if (v != NP_LINK_NONE)
		np_ls_observe(f->ls, "192.0.2.10", "", src, v, NP_EVER_YES, t, STALE);
	np_ls_source_complete(f->ls, src, t);
	np_ls_evaluate(f->ls, t, rec_fn, &f->r);
}

/* fc-a sees the exporter up at 0; fc-b (and fc-c unless failing) poll 20 s later. */
static void
start(struct fx *f, bool c_failing)
{
	batch(f, "fc-a", NP_LINK_UP, 0);
	batch(f, "fc-b", NP_LINK_NONE, S(20));
	if (c_failing)
		np_ls_source_failing(f->ls, "fc-c", true);
	else
		batch(f, "fc-c", NP_LINK_NONE, S(40));
	assert_int_equal(f->r.n, 1); /* first sight, up */
	assert_int_equal(f->r.to[0], NP_ST_UP);
}

/* The exporter moves to fc-b; fc-a's zero comes first: silent. */
static void
test_move_old_collector_first(void **state)
{
	struct fx *f = *state;
	start(f, false);
	batch(f, "fc-a", NP_LINK_DOWN, S(60));
	assert_int_equal(f->r.n, 1);
	/* Waiting for fc-b and fc-c: their due times bound the wait. */
	assert_int_equal(np_ls_next_deadline(f->ls), S(20) + DUE);
	batch(f, "fc-b", NP_LINK_UP, S(80));
	batch(f, "fc-c", NP_LINK_NONE, S(100));
	np_ls_evaluate(f->ls, S(110), rec_fn, &f->r);
	assert_int_equal(f->r.n, 1);
}

/* The same move, fc-b's traffic first: silent too. */
static void
test_move_new_collector_first(void **state)
{
	struct fx *f = *state;
	start(f, false);
	batch(f, "fc-b", NP_LINK_UP, S(59));
	batch(f, "fc-a", NP_LINK_DOWN, S(60));
	batch(f, "fc-c", NP_LINK_NONE, S(100));
	np_ls_evaluate(f->ls, S(110), rec_fn, &f->r);
	assert_int_equal(f->r.n, 1);
}

/*
 * An outage one fc-a cycle long alerts as soon as the others have delivered after it, dated
 * from the first zero; a third, failing collector does not extend the wait.
 */
static void
test_one_cycle_outage_alerts(void **state)
{
	struct fx *f = *state;
	start(f, true);
	batch(f, "fc-a", NP_LINK_DOWN, S(60));
	assert_int_equal(f->r.n, 1);
	batch(f, "fc-b", NP_LINK_NONE, S(80)); /* fc-c is failing: not waited for */
	assert_int_equal(f->r.n, 2);
	assert_int_equal(f->r.to[1], NP_ST_DOWN);
	assert_int_equal(f->r.alert[1], NP_AL_IFDOWN);
	assert_int_equal(f->r.time[1], S(60));
	batch(f, "fc-a", NP_LINK_UP, S(120));
	assert_int_equal(f->r.n, 3);
	assert_int_equal(f->r.alert[2], NP_AL_IFUP);
	assert_int_equal(f->r.outage[2], S(60));
}

/* A collector failing while a link waits for it releases the link at once. */
static void
test_failing_member_releases(void **state)
{
	struct fx *f = *state;
	start(f, false);
	batch(f, "fc-a", NP_LINK_DOWN, S(60));
	batch(f, "fc-b", NP_LINK_NONE, S(80));
	assert_int_equal(f->r.n, 1); /* still waiting for fc-c */
	np_ls_source_failing(f->ls, "fc-c", true);
	assert_int_equal(np_ls_next_deadline(f->ls) <= S(80), true); /* due now */
	np_ls_evaluate(f->ls, S(81), rec_fn, &f->r);
	assert_int_equal(f->r.n, 2);
	assert_int_equal(f->r.alert[1], NP_AL_IFDOWN);
	assert_int_equal(f->r.time[1], S(60));
}

/* A member that misses its deadline (stale, hung) stops counting when it is due. */
static void
test_overdue_member_releases(void **state)
{
	struct fx *f = *state;
	start(f, false);
	batch(f, "fc-a", NP_LINK_DOWN, S(60));
	batch(f, "fc-b", NP_LINK_NONE, S(80));
	assert_int_equal(f->r.n, 1);
	assert_int_equal(np_ls_next_deadline(f->ls), S(40) + DUE);
	np_ls_evaluate(f->ls, S(40) + DUE - 1, rec_fn, &f->r);
	assert_int_equal(f->r.n, 1);
	np_ls_evaluate(f->ls, S(40) + DUE, rec_fn, &f->r);
	assert_int_equal(f->r.n, 2);
	assert_int_equal(f->r.alert[1], NP_AL_IFDOWN);
	assert_int_equal(f->r.time[1], S(60));
}

/* Sources without a group (local) never wait. */
static void
test_no_group_no_wait(void **state)
{
	(void)state;
	struct np_ls *ls = np_ls_new(&params);
	struct rec r = {0};
	np_ls_source_set(ls, "host-a", NULL, DUE);
	np_ls_source_set(ls, "host-b", NULL, DUE);
	np_ls_source_complete(ls, "host-b", S(0));
	np_ls_observe(ls, "h", "eth0", "host-a", NP_LINK_UP, NP_EVER_UNKNOWN, S(0), STALE);
	np_ls_evaluate(ls, S(0), rec_fn, &r);
	np_ls_observe(ls, "h", "eth0", "host-a", NP_LINK_DOWN, NP_EVER_UNKNOWN, S(10), STALE);
	np_ls_evaluate(ls, S(10), rec_fn, &r);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.alert[1], NP_AL_IFDOWN);
	np_ls_free(ls);
}

/* ---- forget ---- */

static void
no_save(const struct np_ls_saved *s, void *arg)
{
	(void)s;
	(void)arg;
}

static void
test_forget(void **state)
{
	(void)state;
	struct np_ls *ls = np_ls_new(&params);
	struct rec r = {0};
	/* veth1 came up and went (alerted STALE); veth2 was never up (never alerted). */
	np_ls_observe(ls, "h", "veth1", "host", NP_LINK_UP, NP_EVER_UNKNOWN, S(0), STALE);
	np_ls_observe(ls, "h", "veth2", "host", NP_LINK_DOWN, NP_EVER_NO, S(0), STALE);
	np_ls_observe(ls, "h", "eth0", "host", NP_LINK_UP, NP_EVER_UNKNOWN, S(0), 0);
	np_ls_source_complete(ls, "host", S(0));
	np_ls_evaluate(ls, S(0), rec_fn, &r);
	np_ls_observe(ls, "h", "eth0", "host", NP_LINK_UP, NP_EVER_UNKNOWN, S(10), 0);
	np_ls_source_complete(ls, "host", S(10));
	np_ls_evaluate(ls, S(10), rec_fn, &r);
	assert_int_equal(r.n, 5); /* 3 first sights, 2 stale */
	assert_int_equal(np_ls_forget(ls, S(11), S(3600), NULL, NULL), 0); /* not saved yet */
	np_ls_drain_dirty(ls, no_save, NULL);
	assert_int_equal(np_ls_count(ls), 3);

	assert_int_equal(np_ls_forget(ls, S(11), S(3600), NULL, NULL), 1); /* veth2 at once */
	assert_int_equal(np_ls_count(ls), 2);
	assert_int_equal(np_ls_forget(ls, S(10) + S(3600) - 1, S(3600), NULL, NULL), 0);
	assert_int_equal(np_ls_count(ls), 2);
	assert_int_equal(np_ls_forget(ls, S(10) + S(3600), S(3600), NULL, NULL), 1); /* veth1 */
	assert_int_equal(np_ls_count(ls), 1); /* eth0 stays */

	/* A forgotten link seen again starts from first sight. */
	np_ls_observe(ls, "h", "veth1", "host", NP_LINK_UP, NP_EVER_UNKNOWN, S(4000), STALE);
	np_ls_evaluate(ls, S(4000), rec_fn, &r);
	assert_int_equal(r.n, 6);
	assert_int_equal(r.from[r.n - 1], NP_ST_UNKNOWN);
	assert_int_equal(r.to[r.n - 1], NP_ST_UP);
	assert_int_equal(np_ls_count(ls), 2);
	np_ls_free(ls);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_move_old_collector_first, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_move_new_collector_first, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_one_cycle_outage_alerts, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failing_member_releases, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_overdue_member_releases, setup, teardown),
	    cmocka_unit_test(test_no_group_no_wait),
	    cmocka_unit_test(test_forget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
