/*
 * Pipeline: the multi-collector wait (DESIGN §6) with three Flow Collectors polled every
 * second (timeout 5 s). An exporter moving between collectors raises nothing whichever batch
 * comes first; an outage one FC cycle long alerts within one poll of the other collectors; a
 * failing collector extends no wait. Batches are built by hand, clocks injected.
 */
#include "pipetest.h"

#define M0 5000000LL /* monotonic clock at T0 */
#define NFC 3

static const char *const sinks[] = {"udp://127.0.0.1:5514"};
static struct np_source_cfg fcs[NFC]; /* the collectors; setup fills them */

static int
setup(void **state)
{
	struct fx *f = fx_new(NULL, sinks, 1);
	f->cfg.interval_ms = 1000;
	f->cfg.state.stale_after_x = 10; /* longer than a hung poll: 1 s + 10 % + 5 s */
	static char names[NFC][8] = {"fc-a", "fc-b", "fc-c"};
	for (int i = 0; i < NFC; i++) {
		fcs[i] = (struct np_source_cfg){0};
		fcs[i].name = names[i];
		fcs[i].type = "stealthwatch";
		fcs[i].link_group = "fc";
		fcs[i].interval_ms = 1000;
		fcs[i].timeout_ms = 5000;
		fcs[i].max_gap_ms = 3000;
		fcs[i].state = f->cfg.state;
	}
	f->cfg.sources = fcs;
	f->cfg.nsources = NFC;
	fx_start(f, T0, M0);
	*state = f;
	return 0;
}

/* A complete batch of FC i at T0 + ms: the exporter at bps (0: listed with no traffic,
 * -1: not listed). */
static void
fc(struct fx *f, int i, int64_t ms, long bps)
{
	struct np_batch b;
	np_batch_init(&b, fcs[i].name, T0 + ms);
	b.mono_ms = M0 + ms;
	b.complete = true;
	add_exporter(&b, bps);
	fx_ingest(f, &fcs[i], &b, T0 + ms + 50, M0 + ms + 50);
	np_batch_free(&b);
}

static void
tick(struct fx *f, int64_t ms)
{
	fx_tick(f, T0 + ms, M0 + ms);
}

/* Cycle 0: fc-a sees the exporter; fc-b and fc-c (polled 300/600 ms later) do not. */
static void
cycle0(struct fx *f)
{
	fc(f, 0, 0, 62016);
	fc(f, 1, 300, -1);
	fc(f, 2, 600, -1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions"), 1); /* first sight */
}

/* It moves to fc-b; fc-a's zero comes first. */
static void
test_move_old_first(void **state)
{
	struct fx *f = *state;
	cycle0(f);
	fc(f, 0, 1000, 0);
	assert_true(np_pipeline_next_deadline(f->pl) > M0 + 1050); /* waiting, not due */
	fc(f, 1, 1300, 48000);
	fc(f, 2, 1600, -1);
	fc(f, 0, 2000, 0);
	fc(f, 1, 2300, 48000);
	tick(f, 2400);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions"), 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox"), 0);
}

/* The same move, fc-b's traffic first. */
static void
test_move_new_first(void **state)
{
	struct fx *f = *state;
	cycle0(f);
	fc(f, 1, 900, 48000);
	fc(f, 0, 1000, 0);
	fc(f, 2, 1600, -1);
	fc(f, 1, 1900, 48000);
	fc(f, 0, 2000, 0);
	tick(f, 2400);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions"), 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox"), 0);
}

/*
 * The exporter is silent for one fc-a cycle (3.5 s polls would do the same) while fc-c is
 * failing: IFDOWN as soon as fc-b delivered after the zero, dated from the zero; IFUP next.
 */
static void
test_one_cycle_outage_with_failing_collector(void **state)
{
	struct fx *f = *state;
	char *cause = NULL;
	assert_int_equal(np_pipeline_source_status(f->pl, &fcs[2], false, "refused", T0, &cause),
	                 1);
	fc(f, 0, 0, 62016);
	fc(f, 1, 300, -1);
	fc(f, 0, 1000, 0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFDOWN'"), 0);
	fc(f, 1, 1300, -1); /* within one poll of the other (live) collector */
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFDOWN'"), 1);
	assert_int_equal(q_int(f, "SELECT since FROM outbox WHERE msgid='IFDOWN'"),
	                 (T0 + 1000) / 1000);
	fc(f, 0, 2000, 62016);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFUP'"), 1);
	assert_int_equal(q_int(f, "SELECT outage_seconds FROM outbox WHERE msgid='IFUP'"), 1);
	assert_int_equal(q_int(f, "SELECT end - start FROM outages"), 1);
}

/* fc-c starts failing while the down look waits for it: the tick right after releases it. */
static void
test_collector_failing_during_wait(void **state)
{
	struct fx *f = *state;
	char *cause = NULL;
	cycle0(f);
	fc(f, 0, 1000, 0);
	fc(f, 1, 1300, -1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFDOWN'"), 0);
	assert_int_equal(
	    np_pipeline_source_status(f->pl, &fcs[2], false, "timeout", T0 + 1400, &cause), 1);
	assert_true(np_pipeline_next_deadline(f->pl) <= M0 + 1400); /* due now */
	tick(f, 1400);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFDOWN'"), 1);
	assert_int_equal(q_int(f, "SELECT start FROM outages"), (T0 + 1000) / 1000);
}

/* A collector that just stops (no failure reported) stops counting at its due time. */
static void
test_silent_collector_overdue(void **state)
{
	struct fx *f = *state;
	cycle0(f);
	fc(f, 0, 1000, 0);
	fc(f, 1, 1300, -1);
	/* fc-c delivered at 600: due 1 s + 100 ms + 5 s later. */
	assert_int_equal(np_pipeline_next_deadline(f->pl), M0 + 600 + 6100);
	tick(f, 600 + 6100 - 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFDOWN'"), 0);
	tick(f, 600 + 6100);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFDOWN'"), 1);
	assert_int_equal(q_int(f, "SELECT start FROM outages"), (T0 + 1000) / 1000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_move_old_first, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_move_new_first, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_one_cycle_outage_with_failing_collector, setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_collector_failing_during_wait, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_silent_collector_overdue, setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
