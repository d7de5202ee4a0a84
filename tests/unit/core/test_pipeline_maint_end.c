/*
 * The end of a maintenance window (core/maint_held.h): a link that went down inside the
 * window and is still down after it gets its IFDOWN sent then, once; a link that went down
 * and came back inside the window gets nothing; a link whose DOWN was sent before the window
 * and that came up inside it gets its IFUP when the window ends. No transition row is added
 * for a released alert (the state did not change then).
 */
#include <string.h>

#include "pipetest.h"

static const char *const sinks[] = {"tcp://127.0.0.1:5515"};

/* T0 is 2025-12-01T08:00:00Z: the window is its first minute. */
static struct np_maint_cfg window = {
    .name = "swap", .start = "2025-12-01T08:00", .end = "2025-12-01T08:01"};

static struct fx *
start(int64_t t)
{
	struct fx *f = fx_new(NULL, sinks, 1);
	f->cfg.maint = &window;
	f->cfg.nmaint = 1;
	fx_start(f, t, t);
	return f;
}

static void
set_link(struct fx *f, int64_t t, enum np_link_obs state)
{
	np_batch_reset(&f->b, t);
	struct np_obs *o = np_batch_add(&f->b);
	np_obs_set_names(&f->b, o, "sw1", "ge-0/0/1");
	o->counter_bits = 64;
	o->epoch = 1;
	o->link = state;
	np_obs_counter(o, NP_C_RX_BYTES, 1000);
	ingest(f, t);
}

static int64_t
outbox(struct fx *f, const char *msgid)
{
	char *sql = np_xasprintf("SELECT count(*) FROM outbox WHERE msgid = '%s'", msgid);
	int64_t n = q_int(f, sql);
	free(sql);
	return n;
}

static void
test_still_down_at_the_end(void **state)
{
	(void)state;
	struct fx *f = start(T0);
	set_link(f, T0, NP_LINK_UP);
	set_link(f, T0 + 10000, NP_LINK_DOWN); /* 08:00:10, inside: held */
	set_link(f, T0 + 40000, NP_LINK_DOWN);
	assert_int_equal(outbox(f, "IFDOWN"), 0);
	set_link(f, T0 + 70000, NP_LINK_DOWN); /* 08:01:10: the window has ended */
	assert_int_equal(outbox(f, "IFDOWN"), 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions WHERE alert = 'IFDOWN'"), 1);
	/* Since the state's start, sent now; the sentence says why it comes late. */
	assert_int_equal(q_int(f, "SELECT since FROM outbox WHERE msgid = 'IFDOWN'"),
	                 (T0 + 10000) / 1000);
	assert_int_equal(q_int(f,
	                       "SELECT count(*) FROM outbox WHERE msgid = 'IFDOWN' AND message"
	                       " LIKE '% (held back by maintenance window swap, which has ended)'"),
	                 1);
	/* Once. */
	set_link(f, T0 + 80000, NP_LINK_DOWN);
	char *cause = NULL;
	assert_int_equal(np_pipeline_tick(f->pl, T0 + 90000, T0 + 90000, &cause), 0);
	assert_int_equal(outbox(f, "IFDOWN"), 1);
	/* Its recovery is an ordinary IFUP. */
	set_link(f, T0 + 100000, NP_LINK_UP);
	assert_int_equal(outbox(f, "IFUP"), 1);
	fx_teardown((void **)&f);
}

static void
test_down_and_up_inside(void **state)
{
	(void)state;
	struct fx *f = start(T0);
	set_link(f, T0, NP_LINK_UP);
	set_link(f, T0 + 10000, NP_LINK_DOWN);
	set_link(f, T0 + 30000, NP_LINK_UP);
	set_link(f, T0 + 70000, NP_LINK_UP);
	set_link(f, T0 + 80000, NP_LINK_UP);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions WHERE alert != ''"), 2);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox"), 0);
	fx_teardown((void **)&f);
}

static void
test_up_inside_after_a_sent_down(void **state)
{
	(void)state;
	struct fx *f = start(T0 - 60000);
	set_link(f, T0 - 60000, NP_LINK_UP);
	set_link(f, T0 - 30000, NP_LINK_DOWN); /* before the window: sent */
	assert_int_equal(outbox(f, "IFDOWN"), 1);
	set_link(f, T0 + 10000, NP_LINK_UP); /* inside: held */
	assert_int_equal(outbox(f, "IFUP"), 0);
	set_link(f, T0 + 70000, NP_LINK_UP);
	assert_int_equal(outbox(f, "IFUP"), 1);
	assert_int_equal(q_int(f, "SELECT outage_seconds FROM outbox WHERE msgid = 'IFUP'"), 40);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions WHERE alert = 'IFUP'"), 1);
	fx_teardown((void **)&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_still_down_at_the_end),
	    cmocka_unit_test(test_down_and_up_inside),
	    cmocka_unit_test(test_up_inside_after_a_sent_down),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
