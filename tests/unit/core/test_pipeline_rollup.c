/*
 * The write path at scale: a series' 5-minute row is written once, when its bucket closes,
 * spread over the polls after the boundary; idle series write one row per bucket, none per
 * poll; a kill -9 at any moment loses nothing and counts nothing twice (the baseline stored
 * with the closed rows makes the next delta cover what the process held); hourly and daily
 * rows are folded from the 5-minute ones.
 */
#include "pipetest.h"

#include <stdio.h>
#include <string.h>

static int
setup_file(void **state)
{
	struct fx *f = fx_new("np.db", NULL, 0);
	fx_start(f, T0, T0);
	*state = f;
	return 0;
}

static void
add(struct fx *f, int i, uint64_t rx)
{
	char ifn[16];
	snprintf(ifn, sizeof ifn, "eth%d", i);
	struct np_obs *o = np_batch_add(&f->b);
	np_obs_set_names(&f->b, o, "host1", ifn);
	o->counter_bits = 64;
	o->epoch = 2;
	o->link = NP_LINK_UP;
	np_obs_counter(o, NP_C_RX_BYTES, rx);
	np_obs_counter(o, NP_C_TX_BYTES, rx / 4);
}

static void
poll(struct fx *f, int64_t t, int n, const uint64_t *rx)
{
	np_batch_reset(&f->b, t);
	f->b.complete = true;
	for (int i = 0; i < n; i++)
		add(f, i, rx[i]);
	ingest(f, t);
}

/* T0 is 08:00:00Z, a bucket boundary. Polls every 10 s from T0 + 5 s. */
static void
test_row_written_once_when_the_bucket_closes(void **state)
{
	struct fx *f = *state;
	uint64_t rx[2] = {0, 0};
	int64_t t = T0 + 5000;
	for (; t < T0 + 300000; t += 10000) {
		rx[0] += 1000;     /* eth0: 100 B/s */
		poll(f, t, 2, rx); /* eth1: idle */
	}
	/* The bucket is open: held in memory, nothing written for it. */
	assert_int_equal(q_int(f, "SELECT count(*) FROM rollup_5m"), 0);
	uint64_t flushes = np_pipeline_stats(f->pl)->flushes;
	rx[0] += 1000;
	poll(f, t, 2, rx); /* 08:05:05: the first poll after the boundary */
	/* Their turns: ids 1 and 2 of 2 are in slots 5 and 10 (60 s and 110 s after it). */
	assert_int_equal(q_int(f, "SELECT count(*) FROM rollup_5m"), 0);
	for (int k = 0; k < 11; k++) {
		rx[0] += 1000;
		t += 10000;
		poll(f, t, 2, rx);
		assert_int_equal(q_int(f, "SELECT count(*) FROM rollup_5m"), t >= T0 + 410000 ? 2
		                                                             : t >= T0 + 360000
		                                                                 ? 1
		                                                                 : 0);
	}
	assert_int_equal(np_pipeline_stats(f->pl)->flushes - flushes, 2);
	/* 29 deltas of 1000 inside the bucket, plus half of the one across the boundary. */
	assert_int_equal(q_int(f, "SELECT rx_bytes FROM rollup_5m r JOIN series x ON x.id ="
	                          " r.series WHERE x.interface = 'eth0' AND bucket = 1764576000"),
	                 29 * 1000 + 500);
	assert_int_equal(q_int(f, "SELECT CAST(secs AS INTEGER) FROM rollup_5m r JOIN series x ON"
	                          " x.id = r.series WHERE x.interface = 'eth0'"),
	                 295);
	/* The idle link: one row for the bucket, all zeros, its seconds exact. */
	assert_int_equal(q_int(f, "SELECT rx_bytes + tx_bytes FROM rollup_5m r JOIN series x ON"
	                          " x.id = r.series WHERE x.interface = 'eth1'"),
	                 0);
	assert_int_equal(q_int(f, "SELECT CAST(secs AS INTEGER) FROM rollup_5m r JOIN series x ON"
	                          " x.id = r.series WHERE x.interface = 'eth1'"),
	                 295);
	/* The baseline stops where the held data starts: the boundary, minus what is held. */
	assert_int_equal(q_int(f, "SELECT t_ms FROM baselines b JOIN series x ON x.id = b.series"
	                          " WHERE x.interface = 'eth0'"),
	                 T0 + 300000);
	assert_int_equal(q_int(f, "SELECT rx_bytes FROM baselines b JOIN series x ON x.id ="
	                          " b.series WHERE x.interface = 'eth0'"),
	                 29 * 1000 + 500 + 1000); /* the first reading was 1000 */
	/* More polls in the new bucket write nothing until it closes. */
	for (int k = 0; k < 5; k++) {
		rx[0] += 1000;
		t += 10000;
		poll(f, t, 2, rx);
	}
	assert_int_equal(q_int(f, "SELECT count(*) FROM rollup_5m"), 2);
	assert_int_equal(rollup_sum(f, "rx_bytes", "eth0"), 46 * 1000);
}

/* 1,000 links polled every second: the closed rows are written in 15 slices, within 150 s. */
static void
test_closing_is_spread_over_the_next_polls(void **state)
{
	struct fx *f = *state;
	enum { N = 1000 };
	static uint64_t rx[N];
	f->src.interval_ms = 1000;
	int64_t t = T0 + 290000;
	for (; t < T0 + 300000; t += 1000) {
		for (int i = 0; i < N; i++)
			rx[i] += 100 + (uint64_t)i;
		poll(f, t, N, rx);
	}
	uint64_t before = np_pipeline_stats(f->pl)->flushes;
	uint64_t most = 0, total = 0, busy = 0;
	for (; t < T0 + 300000 + 170000; t += 1000) {
		for (int i = 0; i < N; i++)
			rx[i] += 100 + (uint64_t)i;
		poll(f, t, N, rx);
		uint64_t now = np_pipeline_stats(f->pl)->flushes;
		if (now - before > most)
			most = now - before;
		busy += now > before;
		total += now - before;
		before = now;
	}
	assert_int_equal(total, N);
	/* 15 slots 10 s apart, each a fifteenth of the ids 1..1000 (66 or 67). */
	assert_int_equal(busy, 15);
	assert_int_equal(most, 67);
	assert_int_equal(q_int(f, "SELECT count(*) FROM rollup_5m WHERE bucket = 1764576000"), N);
	assert_int_equal(q_int(f, "SELECT count(*) FROM rollup_5m WHERE bucket > 1764576000"), 0);
}

/* A tiny deterministic generator (xorshift), so every run is the same. */
static uint64_t
next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * 20 links, polls every 10 s for 3 hours with irregular traffic; the process is killed at
 * irregular moments (before, at and after boundaries, between a bucket's close and its turn)
 * and restarted on the same file. Whatever it held is recovered by the next delta: every table
 * sums to exactly what the counters moved.
 */
static void
test_kill_loses_nothing_and_counts_nothing_twice(void **state)
{
	struct fx *f = *state;
	enum { N = 20 };
	uint64_t rx[N], first[N], seed = 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < N; i++)
		first[i] = rx[i] = next(&seed) % 1000000;
	int64_t t = T0 + 3000;
	poll(f, t, N, rx);
	int kills = 0;
	for (int k = 1; k < 3 * 360; k++) {
		t += 10000;
		for (int i = 0; i < N; i++)
			rx[i] += next(&seed) % 50000;
		if (next(&seed) % 37 == 0) {
			fx_restart(f, t); /* kill -9 */
			kills++;
		}
		poll(f, t, N, rx);
	}
	assert_true(kills >= 20);
	fx_flush(f);
	for (int i = 0; i < N; i++) {
		char ifn[16];
		snprintf(ifn, sizeof ifn, "eth%d", i);
		assert_int_equal(rollup_sum(f, "rx_bytes", ifn), (int64_t)(rx[i] - first[i]));
		assert_int_equal(rollup_sum(f, "tx_bytes", ifn),
		                 (int64_t)(rx[i] / 4 - first[i] / 4));
	}
	uint64_t total = 0;
	for (int i = 0; i < N; i++)
		total += rx[i] - first[i];
	assert_int_equal(q_int(f, "SELECT sum(rx_bytes) FROM rollup_5m"), (int64_t)total);
	assert_int_equal(q_int(f, "SELECT sum(rx_bytes) FROM rollup_1h"), (int64_t)total);
	assert_int_equal(q_int(f, "SELECT sum(rx_bytes) FROM rollup_1d"), (int64_t)total);
	/* Every 5-minute bucket of the three hours has its row for every link (none lost). */
	assert_int_equal(q_int(f, "SELECT count(*) FROM rollup_5m"), N * 36);
}

/* The hourly rows are folded a while after the hour ends, by the polls, and match. */
static void
test_hour_folded_by_the_polls(void **state)
{
	struct fx *f = *state;
	uint64_t rx[3] = {0, 0, 0};
	int64_t t = T0 + 1000;
	/* 08:00 to 09:07: the 08:00 hour is folded from 09:05 on (its end + 300 s). */
	for (; t < T0 + 3600000 + 300000; t += 10000) {
		rx[0] += 10, rx[1] += 20, rx[2] += 0;
		poll(f, t, 3, rx);
	}
	assert_int_equal(q_int(f, "SELECT count(*) FROM rollup_1h"), 0);
	for (; t < T0 + 3600000 + 420000; t += 10000) {
		rx[0] += 10, rx[1] += 20;
		poll(f, t, 3, rx);
	}
	assert_int_equal(q_int(f, "SELECT count(*) FROM rollup_1h"), 3);
	assert_int_equal(q_int(f, "SELECT next_5m FROM fold"), 1764579600); /* 09:00 */
	assert_int_equal(q_int(f, "SELECT h.rx_bytes FROM rollup_1h h JOIN series x ON x.id ="
	                          " h.series WHERE x.interface = 'eth1'"),
	                 q_int(f, "SELECT sum(r.rx_bytes) FROM rollup_5m r JOIN series x ON x.id ="
	                          " r.series WHERE x.interface = 'eth1' AND bucket < 1764579600"));
	assert_int_equal(q_int(f, "SELECT count(*) FROM rollup_1d"), 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_row_written_once_when_the_bucket_closes,
	                                    setup_file, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_closing_is_spread_over_the_next_polls, setup_file,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_kill_loses_nothing_and_counts_nothing_twice,
	                                    setup_file, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_hour_folded_by_the_polls, setup_file, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
