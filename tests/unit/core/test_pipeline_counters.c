/*
 * Pipeline counters: baselines that survive a restart and a `--once` run, one bad value that
 * costs one delta (not the batch), a failed batch that leaves every counter as it was, the
 * configured max_rate over a wrong link speed, and series memory freed when series go.
 */
#include "pipetest.h"

#include <stdio.h>
#include <string.h>

#define ALL_ONES 0xFFFFFFFFFFFFFFFFull

static const char *const sinks[] = {"udp://127.0.0.1:5514"};

static int
start(void **state, const char *file)
{
	struct fx *f = fx_new(file, sinks, 1);
	fx_start(f, T0, T0);
	*state = f;
	return 0;
}

static int
setup_mem(void **state)
{
	return start(state, NULL);
}

static int
setup_file(void **state)
{
	return start(state, "np.db");
}

/* One interface with rx/tx bytes (64-bit, speed unknown unless set by the caller). */
static struct np_obs *
add(struct fx *f, const char *ifn, enum np_link_obs link, uint64_t rx, uint64_t tx)
{
	struct np_obs *o = np_batch_add(&f->b);
	np_obs_set_names(&f->b, o, "host1", ifn);
	o->counter_bits = 64;
	o->epoch = 2;
	o->link = link;
	np_obs_counter(o, NP_C_RX_BYTES, rx);
	np_obs_counter(o, NP_C_TX_BYTES, tx);
	return o;
}

static void
batch(struct fx *f, int64_t t, bool complete)
{
	np_batch_reset(&f->b, t);
	f->b.complete = complete;
}

static void
q_exec(struct fx *f, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(np_store_db(f->st), sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("exec %s: %s", sql, err);
}

/* The sum of one column over an interface's rollup rows, after a flush (-1 if no row). */
static int64_t
sum_of(struct fx *f, const char *col, const char *ifn)
{
	return rollup_sum(f, col, ifn);
}

/*
 * The exact case of the issue: eth0 reports all-ones after a normal reading (a driver's
 * placeholder on an interface of unknown speed) in the batch where eth1 goes down. The bad
 * value is a spike; eth1's deltas and its IFDOWN, dated from that batch, are stored with it.
 */
static void
test_all_ones_costs_one_delta_not_the_batch(void **state)
{
	struct fx *f = *state;
	batch(f, T0, true);
	add(f, "eth0", NP_LINK_UP, 1000, 500);
	add(f, "eth1", NP_LINK_UP, 5000, 2500);
	ingest(f, T0);

	batch(f, T0 + 10000, true);
	add(f, "eth0", NP_LINK_UP, ALL_ONES, 600);
	add(f, "eth1", NP_LINK_DOWN, 6000, 3000);
	ingest(f, T0 + 10000);
	assert_int_equal(np_pipeline_stats(f->pl)->failed_batches, 0);
	assert_int_equal(sum_of(f, "rx_bytes", "eth1"), 1000);
	assert_int_equal(sum_of(f, "tx_bytes", "eth1"), 500);
	assert_int_equal(sum_of(f, "rx_bytes", "eth0"), 0); /* discarded, not stored */
	assert_int_equal(sum_of(f, "tx_bytes", "eth0"), 100);
	assert_int_equal(q_int(f, "SELECT count FROM verdicts v JOIN series x ON x.id = v.series"
	                          " WHERE x.interface = 'eth0' AND v.verdict = 'spike'"),
	                 1);
	assert_int_equal(np_pipeline_stats(f->pl)->verdicts[NP_V_SPIKE], 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid = 'IFDOWN'"
	                          " AND interface = 'eth1'"),
	                 1);
	assert_int_equal(q_int(f, "SELECT start FROM outages WHERE interface = 'eth1'"),
	                 (T0 + 10000) / 1000);
	/* The baseline moved to the bad value (stored as its bit pattern). */
	assert_int_equal(q_int(f, "SELECT b.rx_bytes FROM baselines b JOIN series x"
	                          " ON x.id = b.series WHERE x.interface = 'eth0'"),
	                 -1);

	/* A counter stuck at all-ones moves by nothing. */
	batch(f, T0 + 20000, true);
	add(f, "eth0", NP_LINK_UP, ALL_ONES, 700);
	add(f, "eth1", NP_LINK_DOWN, 6000, 3000);
	ingest(f, T0 + 20000);
	assert_int_equal(sum_of(f, "rx_bytes", "eth0"), 0);
	assert_int_equal(sum_of(f, "tx_bytes", "eth0"), 200);
	assert_int_equal(np_pipeline_stats(f->pl)->failed_batches, 0);
}

/* Makes the next COMMIT fail (a deferred foreign key) while ctl.fail is 1 and a series is
 * created. */
static void
arm_commit_trap(struct fx *f)
{
	q_exec(f,
	       "CREATE TABLE trap (x INTEGER REFERENCES series(id) DEFERRABLE INITIALLY DEFERRED);"
	       "CREATE TABLE ctl (fail INTEGER);"
	       "INSERT INTO ctl VALUES (0);"
	       "CREATE TRIGGER trap_series AFTER INSERT ON series"
	       " WHEN (SELECT fail FROM ctl) BEGIN INSERT INTO trap VALUES (-1); END;");
}

static void
test_failed_commit_leaves_counters_as_they_were(void **state)
{
	struct fx *f = *state;
	arm_commit_trap(f);
	batch(f, T0, true);
	add(f, "eth0", NP_LINK_UP, 1000, 100);
	add(f, "eth1", NP_LINK_UP, 50, 5);
	ingest(f, T0);

	q_exec(f, "UPDATE ctl SET fail = 1");
	batch(f, T0 + 10000, true);
	add(f, "eth0", NP_LINK_UP, 2000, 200);
	add(f, "eth0", NP_LINK_UP, 3000, 300); /* twice in one batch: restored to the first */
	add(f, "eth1", NP_LINK_UP, 60, 6);
	add(f, "eth2", NP_LINK_UP, 70, 7); /* new in the failed batch: its row is rolled back */
	char *cause = NULL;
	f->b.mono_ms = T0 + 10000;
	assert_int_equal(np_pipeline_ingest(f->pl, &f->src, &f->b, T0 + 10000, T0 + 10000, &cause),
	                 -1);
	assert_non_null(strstr(cause, "FOREIGN KEY constraint failed"));
	free(cause);
	assert_int_equal(np_pipeline_stats(f->pl)->failed_batches, 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM rollup_5m"), 0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM series"), 2);
	assert_int_equal(q_int(f, "SELECT count(*) FROM baselines"), 2);
	assert_int_equal(q_int(f, "SELECT b.rx_bytes FROM baselines b JOIN series x"
	                          " ON x.id = b.series WHERE x.interface = 'eth0'"),
	                 1000);

	q_exec(f, "UPDATE ctl SET fail = 0");
	batch(f, T0 + 20000, true);
	add(f, "eth0", NP_LINK_UP, 6000, 600);
	add(f, "eth1", NP_LINK_UP, 80, 8);
	add(f, "eth2", NP_LINK_UP, 90, 9);
	ingest(f, T0 + 20000);
	/* The next delta covers both intervals: nothing lost, nothing counted twice. */
	assert_int_equal(sum_of(f, "rx_bytes", "eth0"), 5000);
	assert_int_equal(sum_of(f, "tx_bytes", "eth0"), 500);
	assert_int_equal(sum_of(f, "secs", "eth0"), 20);
	assert_int_equal(sum_of(f, "rx_bytes", "eth1"), 30);
	/* eth2's first reading is the one stored: no delta yet, a baseline and a series row. */
	assert_int_equal(sum_of(f, "rx_bytes", "eth2"), -1);
	assert_int_equal(q_int(f, "SELECT b.rx_bytes FROM baselines b JOIN series x"
	                          " ON x.id = b.series WHERE x.interface = 'eth2'"),
	                 90);
	assert_int_equal(q_int(f, "SELECT count(*) FROM series"), 3);
	assert_int_equal(np_pipeline_stats(f->pl)->verdicts[NP_V_FIRST], 2 + 2 + 2 + 2);
}

/* Three `--once`-style runs, each a new process on the same file, with traffic between. */
static void
test_once_runs_store_the_traffic(void **state)
{
	struct fx *f = *state;
	f->src.interval_ms = 60000;
	f->src.max_gap_ms = 180000;
	uint64_t rx[] = {1000, 501000, 1701000};
	for (int i = 0; i < 3; i++) {
		if (i > 0)
			fx_restart(f, T0 + i * 60000);
		batch(f, T0 + i * 60000, true);
		add(f, "eth0", NP_LINK_UP, rx[i], rx[i] / 10);
		ingest(f, T0 + i * 60000);
		fx_flush(f); /* a --once run stores what it holds when it ends */
		if (i > 0)
			assert_int_equal(np_pipeline_stats(f->pl)->verdicts[NP_V_OK], 2);
	}
	assert_int_equal(sum_of(f, "rx_bytes", "eth0"), 1700000);
	assert_int_equal(sum_of(f, "tx_bytes", "eth0"), 170000);
	assert_int_equal(q_int(f, "SELECT count(*) FROM verdicts"), 0);
	assert_int_equal(q_int(f, "SELECT sum(rx_bytes) FROM rollup_5m"), 1700000);
}

/* The delta across a restart is judged like any other: gap, clock, reset. */
static void
test_restart_delta_is_judged(void **state)
{
	struct fx *f = *state;
	batch(f, T0, true);
	add(f, "eth0", NP_LINK_UP, 1000, 100);
	ingest(f, T0);

	fx_restart(f, T0 + 10000); /* ok */
	batch(f, T0 + 10000, true);
	add(f, "eth0", NP_LINK_UP, 4000, 400);
	ingest(f, T0 + 10000);
	assert_int_equal(sum_of(f, "rx_bytes", "eth0"), 3000);

	fx_restart(f, T0 + 100000); /* down for 90 s > max_gap 30 s: kept and spread */
	batch(f, T0 + 100000, true);
	add(f, "eth0", NP_LINK_UP, 10000, 1000);
	ingest(f, T0 + 100000);
	assert_int_equal(sum_of(f, "rx_bytes", "eth0"), 9000);
	assert_int_equal(sum_of(f, "secs", "eth0"), 10 + 90);
	assert_int_equal(q_int(f, "SELECT count FROM verdicts WHERE verdict = 'gap'"), 1);

	fx_restart(f, T0 + 90000); /* the wall clock went back: discarded */
	batch(f, T0 + 90000, true);
	add(f, "eth0", NP_LINK_UP, 11000, 1100);
	ingest(f, T0 + 90000);
	assert_int_equal(sum_of(f, "rx_bytes", "eth0"), 9000);
	assert_int_equal(q_int(f, "SELECT count FROM verdicts WHERE verdict = 'clock'"), 1);

	fx_restart(f, T0 + 110000); /* re-created interface (new ifindex): counted from zero */
	batch(f, T0 + 110000, true);
	add(f, "eth0", NP_LINK_UP, 300, 30)->epoch = 3;
	ingest(f, T0 + 110000);
	assert_int_equal(sum_of(f, "rx_bytes", "eth0"), 9300);
	assert_int_equal(q_int(f, "SELECT count FROM verdicts WHERE verdict = 'reset'"), 1);
	assert_int_equal(q_int(f, "SELECT epoch FROM baselines"), 3);
}

/*
 * A per-sample history re-read over overlapping windows (obs.h: replay): readings the series
 * judged already are skipped, not judged again (a CLOCK would move the baseline back and the
 * next reading would count the same bytes twice); a restart continues from the stored
 * baseline; a reset in the middle of a window is counted from zero.
 */
static struct np_obs *
sample(struct fx *f, int64_t t, uint64_t rx)
{
	struct np_obs *o = add(f, "tun-1", NP_LINK_NONE, rx, rx / 10);
	o->time_ms = t;
	o->epoch = 0;
	o->replay = true;
	return o;
}

static void
test_replayed_samples_count_once(void **state)
{
	struct fx *f = *state;
	batch(f, T0 + 30000, false);
	for (int i = 0; i < 4; i++) /* 0, 10 s, 20 s, 30 s: 1000 .. 4000 */
		sample(f, T0 + i * 10000, 1000 * (uint64_t)(i + 1));
	ingest(f, T0 + 30000);
	assert_int_equal(sum_of(f, "rx_bytes", "tun-1"), 3000);

	batch(f, T0 + 50000, false); /* the window again, and two more */
	for (int i = 0; i < 6; i++)
		sample(f, T0 + i * 10000, 1000 * (uint64_t)(i + 1));
	ingest(f, T0 + 50000);
	assert_int_equal(sum_of(f, "rx_bytes", "tun-1"), 5000);
	assert_int_equal(np_pipeline_stats(f->pl)->replayed, 4);
	assert_int_equal(q_int(f, "SELECT count(*) FROM verdicts WHERE verdict = 'clock'"), 0);

	fx_restart(f, T0 + 80000); /* the history again after a restart, a reboot at 60 s */
	batch(f, T0 + 80000, false);
	for (int i = 0; i < 6; i++)
		sample(f, T0 + i * 10000, 1000 * (uint64_t)(i + 1));
	sample(f, T0 + 60000, 500);
	sample(f, T0 + 70000, 900);
	ingest(f, T0 + 80000);
	assert_int_equal(sum_of(f, "rx_bytes", "tun-1"), 5000 + 500 + 400);
	assert_int_equal(q_int(f, "SELECT count FROM verdicts WHERE verdict = 'reset'"), 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM verdicts WHERE verdict = 'clock'"), 0);
}

/* A link that reports a wrong speed must not discard real traffic when max_rate is set. */
static void
test_max_rate_wins_over_link_speed(void **state)
{
	struct fx *f = *state;
	f->src.max_rate = 1e6; /* bytes/s */
	batch(f, T0, true);
	add(f, "eth0", NP_LINK_UP, 0, 0)->speed_bps = 8000; /* says 1000 B/s */
	ingest(f, T0);
	batch(f, T0 + 10000, true);
	add(f, "eth0", NP_LINK_UP, 100000, 0)->speed_bps = 8000; /* 10,000 B/s */
	ingest(f, T0 + 10000);
	assert_int_equal(sum_of(f, "rx_bytes", "eth0"), 100000);
	assert_int_equal(np_pipeline_stats(f->pl)->verdicts[NP_V_SPIKE], 0);

	/* Above max_rate * 1.05 it is a spike even on a 10 Gbit/s link. */
	batch(f, T0 + 20000, true);
	add(f, "eth0", NP_LINK_UP, 100000 + 10600000, 0)->speed_bps = 10000000000ull;
	ingest(f, T0 + 20000);
	assert_int_equal(sum_of(f, "rx_bytes", "eth0"), 100000);
	assert_int_equal(np_pipeline_stats(f->pl)->verdicts[NP_V_SPIKE], 1);

	/* Without max_rate, the link speed decides. */
	f->src.max_rate = 0;
	batch(f, T0 + 30000, true);
	add(f, "eth0", NP_LINK_UP, 10700000 + 100000, 0)->speed_bps = 8000;
	ingest(f, T0 + 30000);
	assert_int_equal(sum_of(f, "rx_bytes", "eth0"), 100000);
	assert_int_equal(np_pipeline_stats(f->pl)->verdicts[NP_V_SPIKE], 2);
}

static void
fc_batch(struct fx *f, const struct np_source_cfg *src, int64_t t, const char *dev, uint64_t rx)
{
	struct np_batch b;
	np_batch_init(&b, src->name, t);
	b.complete = false; /* this source never lists everything */
	struct np_obs *o = np_batch_add(&b);
	np_obs_set_names(&b, o, dev, "");
	np_obs_counter(o, NP_C_RX_BYTES, rx);
	b.mono_ms = t;
	fx_ingest(f, src, &b, t, t);
	np_batch_free(&b);
}

static void
test_series_memory_is_freed(void **state)
{
	struct fx *f = *state;
	const struct np_pipeline_stats *ps = np_pipeline_stats(f->pl);
	batch(f, T0, true);
	add(f, "eth0", NP_LINK_UP, 10, 1);
	add(f, "veth1", NP_LINK_UP, 10, 1);
	ingest(f, T0);
	assert_int_equal(ps->series, 2);
	batch(f, T0 + 10000, true); /* veth1 is gone */
	add(f, "eth0", NP_LINK_UP, 20, 2);
	ingest(f, T0 + 10000);
	assert_int_equal(ps->series, 1);

	struct np_source_cfg fc = f->src;
	fc.name = "api";
	fc.type = "aviatrix";
	fc.interval_ms = 60000;
	fc_batch(f, &fc, T0 + 20000, "gw-a", 100);
	fc_batch(f, &fc, T0 + 20000, "gw-b", 100);
	assert_int_equal(ps->series, 3);
	/*
	 * Only gw-a is sent from now on. After an hour eth0 (its source stopped 3610 s ago) leaves
	 * memory, gw-b (unseen for exactly an hour) not yet; at the next sweep, a minute later, it
	 * does.
	 */
	fc_batch(f, &fc, T0 + 20000 + 3600000, "gw-a", 200);
	assert_int_equal(ps->series, 2);
	fc_batch(f, &fc, T0 + 20000 + 3630000, "gw-a", 250); /* no sweep within the minute */
	assert_int_equal(ps->series, 2);
	fc_batch(f, &fc, T0 + 20000 + 3660000, "gw-a", 300);
	assert_int_equal(ps->series, 1);
	/* gw-b returns: its baseline is read back, the long gap is kept and spread. */
	fc_batch(f, &fc, T0 + 20000 + 3700000, "gw-b", 700);
	assert_int_equal(ps->series, 2);
	fx_flush(f);
	assert_int_equal(q_int(f, "SELECT sum(r.rx_bytes) FROM rollup_5m r JOIN series x"
	                          " ON x.id = r.series WHERE x.device = 'gw-b'"),
	                 600);
	assert_int_equal(q_int(f, "SELECT sum(r.secs) FROM rollup_5m r JOIN series x"
	                          " ON x.id = r.series WHERE x.device = 'gw-b'"),
	                 3700);
	np_pipeline_forget_source(f->pl, "api");
	assert_int_equal(ps->series, 0);
}

static void
gauge_batch(struct fx *f, const struct np_source_cfg *src, int64_t t, int n)
{
	struct np_batch b;
	np_batch_init(&b, src->name, t);
	for (int i = 0; i < n; i++) {
		char dev[32];
		snprintf(dev, sizeof dev, "gw-%d", i);
		struct np_obs *o = np_batch_add(&b);
		np_obs_set_names(&b, o, dev, "");
		o->gauge = 1.0;
		o->has_gauge = true;
	}
	b.mono_ms = t;
	fx_ingest(f, src, &b, t, t);
	np_batch_free(&b);
}

/* After a wave of 2000 series goes, the table is rebuilt small; the 10 left keep their state. */
static void
test_series_table_compacts_and_keeps_the_rest(void **state)
{
	struct fx *f = *state;
	struct np_source_cfg api = f->src;
	api.name = "api";
	api.type = "aviatrix";
	gauge_batch(f, &api, T0, 2000);
	assert_int_equal(np_pipeline_stats(f->pl)->series, 2000);
	gauge_batch(f, &api, T0 + 3660000, 10);
	assert_int_equal(np_pipeline_stats(f->pl)->series, 10);
	gauge_batch(f, &api, T0 + 3700000, 1);
	/* gw-0 kept its held rows through the rebuild: all three readings are stored. */
	fx_flush(f);
	assert_int_equal(q_int(f, "SELECT sum(r.gauge_n) FROM rollup_5m r JOIN series x"
	                          " ON x.id = r.series WHERE x.device = 'gw-0'"),
	                 3);
	assert_int_equal(q_int(f, "SELECT sum(r.gauge_n) FROM rollup_5m r"), 2000 + 10 + 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_all_ones_costs_one_delta_not_the_batch, setup_mem,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_failed_commit_leaves_counters_as_they_were,
	                                    setup_mem, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_once_runs_store_the_traffic, setup_file,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_restart_delta_is_judged, setup_file, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_replayed_samples_count_once, setup_file,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_max_rate_wins_over_link_speed, setup_mem,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_series_memory_is_freed, setup_mem, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_series_table_compacts_and_keeps_the_rest,
	                                    setup_mem, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
