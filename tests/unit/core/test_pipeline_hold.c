/*
 * Pipeline: the multi-collector wait (DESIGN §6) with three Flow Collectors polled every
 * second (timeout 5 s). An exporter moving between collectors raises nothing whichever batch
 * comes first; an outage one FC cycle long alerts within one poll of the other collectors; a
 * failing collector extends no wait. Batches are built by hand, clocks injected.
 */
#include "testutil.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/pipeline.h"
#include "store/store.h"

#define T0 1764576000000LL /* 2025-12-01T08:00:00Z */
#define M0 5000000LL       /* monotonic clock at T0 */
#define NFC 3

struct fx {
	struct np_store *st;
	struct np_config cfg;
	struct np_source_cfg fc[NFC];
	struct np_pipeline *pl;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char *cause = NULL;
	f->st = np_store_open(":memory:", 0, &cause);
	assert_non_null(f->st);
	f->cfg.database = ":memory:";
	f->cfg.interval_ms = 1000;
	f->cfg.state.stale_after_x = 10; /* longer than a hung poll: 1 s + 10 % + 5 s */
	f->cfg.state.flap_transitions = 5;
	f->cfg.state.flap_window_ms = 600000;
	static char names[NFC][8] = {"fc-a", "fc-b", "fc-c"};
	for (int i = 0; i < NFC; i++) {
		f->fc[i].name = names[i];
		f->fc[i].type = "stealthwatch";
		f->fc[i].interval_ms = 1000;
		f->fc[i].timeout_ms = 5000;
		f->fc[i].max_gap_ms = 3000;
		f->fc[i].state = f->cfg.state;
	}
	f->cfg.sources = f->fc;
	f->cfg.nsources = NFC;
	f->pl = np_pipeline_new(f->st, &f->cfg, NULL, T0, M0, &cause);
	assert_non_null(f->pl);
	static const char *const sinks[] = {"udp://127.0.0.1:5514"};
	np_pipeline_set_sinks(f->pl, sinks, 1);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	np_pipeline_free(f->pl);
	np_store_close(f->st);
	free(f);
	return 0;
}

/* A complete batch of FC i at T0 + ms: the exporter at bps (0: listed with no traffic,
 * -1: not listed). */
static void
fc(struct fx *f, int i, int64_t ms, long bps)
{
	struct np_batch b;
	np_batch_init(&b, f->fc[i].name, T0 + ms);
	b.mono_ms = M0 + ms;
	b.complete = true;
	if (bps >= 0) {
		struct np_obs *o = np_batch_add(&b);
		np_obs_set_names(o, "192.0.2.10", "");
		o->gauge = (double)bps;
		o->has_gauge = true;
		o->link = bps > 0 ? NP_LINK_UP : NP_LINK_DOWN;
		o->ever_up = NP_EVER_YES;
	}
	char *cause = NULL;
	if (np_pipeline_ingest(f->pl, &f->fc[i], &b, T0 + ms + 50, M0 + ms + 50, &cause) == -1)
		fail_msg("ingest: %s", cause);
	np_batch_free(&b);
}

static void
tick(struct fx *f, int64_t ms)
{
	char *cause = NULL;
	if (np_pipeline_tick(f->pl, T0 + ms, M0 + ms, &cause) == -1)
		fail_msg("tick: %s", cause);
}

static int64_t
q_int(struct fx *f, const char *sql)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(np_store_db(f->st), sql, -1, &s, NULL), SQLITE_OK);
	int64_t v = -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_type(s, 0) == SQLITE_NULL ? -2 : sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
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
	assert_int_equal(np_pipeline_source_status(f->pl, &f->fc[2], false, "refused", T0, &cause),
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
	    np_pipeline_source_status(f->pl, &f->fc[2], false, "timeout", T0 + 1400, &cause), 1);
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
	    cmocka_unit_test_setup_teardown(test_move_old_first, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_move_new_first, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_one_cycle_outage_with_failing_collector, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_collector_failing_during_wait, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_silent_collector_overdue, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
