/*
 * Samples written straight into the rollups and rollup rows, with exact values; verdicts/notes,
 * the series cache. There are no raw per-poll rows (schema migration 4): what a sample leaves
 * is its share of each 5-minute row, folded into hourly/daily by np_store_fold_all.
 */
#include <math.h>

#include "storetest.h"

#define DAY 1780272000LL /* 2026-06-01T00:00:00Z */
#define AT(h, m, s) ((DAY + (h)*3600LL + (m)*60LL + (s)) * 1000LL)
#define RX (1u << NP_C_RX_BYTES)
#define TX (1u << NP_C_TX_BYTES)

static int64_t
series(struct np_store *st, const char *ifname)
{
	char *cause = NULL;
	int64_t id = np_store_series(st, "src", "dev", ifname, NULL, NULL, DAY, &cause);
	if (id < 0)
		fail_msg("series: %s", cause);
	return id;
}

static void
sample(struct np_store *st, int64_t id, const struct np_sample *s)
{
	char *cause = NULL;
	if (np_store_sample(st, id, s, &cause) != 0)
		fail_msg("sample: %s", cause);
}

static void
test_one_bucket(void **state)
{
	struct np_store *st = open_mem();
	int64_t id = series(st, "eth0");
	struct np_sample s = {
	    .from_ms = AT(10, 1, 0),
	    .to_ms = AT(10, 2, 0) + 500,
	    .mask = RX | TX | (1u << NP_C_RX_PACKETS),
	    .delta = {6050, 121, 10},
	};
	sample(st, id, &s);
	/* Every width gets the whole delta in one bucket; peak = 6050 B / 60.5 s = 100 B/s. */
	char *want = np_xasprintf("%lld|1|60.5|6050|121|10|0|0|0|0|0|100.0|2.0|NULL|NULL|0.0|0",
	                          DAY + 36000);
	assert_rows(st, "SELECT * FROM rollup_5m", want);
	assert_int_equal(q_int(st, "SELECT count(*) FROM rollup_1h"), 0); /* not folded yet */
	assert_int_equal(np_store_fold_all(st, NULL), 0); /* hourly/daily are folded */
	assert_rows(st, "SELECT * FROM rollup_1h", want);
	free(want);
	want = np_xasprintf("%lld|1|60.5|6050|121|10|0|0|0|0|0|100.0|2.0|NULL|NULL|0.0|0", DAY);
	assert_int_equal(np_store_fold_all(st, NULL), 0); /* hourly/daily are folded */
	assert_rows(st, "SELECT * FROM rollup_1d", want);
	free(want);

	struct np_store_stats stats;
	np_store_get_stats(st, &stats);
	assert_int_equal(stats.samples, 1);
	assert_int_equal(stats.rollup_rows, 1); /* the 5-minute row; wider ones are folded */
	assert_int_equal(stats.wide_rows, 0);
	assert_int_equal(stats.fold_rows, 2); /* one hourly, one daily */
	/* Nothing verdict-related is stored by a sample. */
	assert_int_equal(q_int(st, "SELECT count(*) FROM verdicts"), 0);
	np_store_close(st);
}

static void
test_gap_spread_over_three_buckets(void **state)
{
	struct np_store *st = open_mem();
	int64_t id = series(st, "eth0");
	/* 10:01 -> 10:14 (780 s): 240 s in 10:00, 300 s in 10:05, 240 s in 10:10. */
	struct np_sample s = {
	    .from_ms = AT(10, 1, 0),
	    .to_ms = AT(10, 14, 0),
	    .mask = RX | TX,
	    .delta = {1000, 7800},
	};
	sample(st, id, &s);
	/* rx: floor(1000*240/780) = 307, floor(1000*300/780) = 384, remainder 309. */
	char *want = np_xasprintf("%lld|240.0|307|2400|10.0\n"
	                          "%lld|300.0|384|3000|10.0\n"
	                          "%lld|240.0|309|2400|10.0",
	                          DAY + 36000, DAY + 36300, DAY + 36600);
	assert_rows(
	    st, "SELECT bucket, secs, rx_bytes, tx_bytes, peak_tx FROM rollup_5m ORDER BY bucket",
	    want);
	free(want);
	assert_int_equal(q_int(st, "SELECT sum(rx_bytes) FROM rollup_5m"), 1000);
	assert_true(fabs(q_double(st, "SELECT min(peak_rx) FROM rollup_5m") - 1000.0 / 780.0) <
	            1e-9);
	want = np_xasprintf("%lld|780.0|1000|7800", DAY + 36000);
	assert_int_equal(np_store_fold_all(st, NULL), 0); /* hourly/daily are folded */
	assert_rows(st, "SELECT bucket, secs, rx_bytes, tx_bytes FROM rollup_1h", want);
	free(want);
	want = np_xasprintf("%lld|780.0|1000|7800", DAY);
	assert_rows(st, "SELECT bucket, secs, rx_bytes, tx_bytes FROM rollup_1d", want);
	free(want);
	np_store_close(st);
}

static void
test_gap_over_midnight(void **state)
{
	struct np_store *st = open_mem();
	int64_t id = series(st, "eth0");
	/* 23:50 -> 00:20 next day, 1800 bytes at 1 B/s. */
	struct np_sample s = {
	    .from_ms = AT(23, 50, 0),
	    .to_ms = AT(24, 20, 0),
	    .mask = RX,
	    .delta = {1800},
	};
	sample(st, id, &s);
	assert_rows(st, "SELECT count(*), min(rx_bytes), max(rx_bytes), sum(secs) FROM rollup_5m",
	            "6|300|300|1800.0");
	char *want = np_xasprintf("%lld|600.0|600\n%lld|1200.0|1200", DAY + 23 * 3600, DAY + 86400);
	assert_int_equal(np_store_fold_all(st, NULL), 0); /* hourly/daily are folded */
	assert_rows(st, "SELECT bucket, secs, rx_bytes FROM rollup_1h ORDER BY bucket", want);
	free(want);
	want = np_xasprintf("%lld|600.0|600\n%lld|1200.0|1200", DAY, DAY + 86400);
	assert_int_equal(np_store_fold_all(st, NULL), 0); /* hourly/daily are folded */
	assert_rows(st, "SELECT bucket, secs, rx_bytes FROM rollup_1d ORDER BY bucket", want);
	free(want);
	np_store_close(st);
}

static uint64_t
lcg(uint64_t *x)
{
	*x = *x * 6364136223846793005ull + 1442695040888963407ull;
	return *x >> 33;
}

/* The rollups hold exactly what was written: totals kept here, per series and counter. */
static void
test_rollup_totals_equal_written(void **state)
{
	struct np_store *st = open_mem();
	char *cause = NULL;
	int64_t ids[2] = {series(st, "eth0"), series(st, "eth1")};
	uint64_t sum[2][NP_C_MAX] = {{0}};
	double secs[2] = {0}, top = 0;
	uint64_t x = 42;
	int64_t t = AT(0, 0, 7) + 123;
	assert_int_equal(np_store_begin(st, &cause), 0);
	for (int i = 0; i < 3000; i++) {
		/* Mostly 30..200 s polls, sometimes a gap of up to 5 hours. */
		int64_t step = (int64_t)(30000 + lcg(&x) % 170000);
		if (lcg(&x) % 50 == 0)
			step = (int64_t)(lcg(&x) % (5 * 3600000));
		struct np_sample s = {.from_ms = t, .to_ms = t + step};
		for (int c = 0; c < NP_C_MAX; c++)
			s.delta[c] = lcg(&x) % 10000000;
		s.mask = (uint32_t)(lcg(&x) % 256) | RX;
		sample(st, ids[i % 2], &s);
		for (int c = 0; c < NP_C_MAX; c++)
			if (s.mask & (1u << c))
				sum[i % 2][c] += s.delta[c];
		double sec = (double)step / 1000.0;
		secs[i % 2] += sec;
		/* The peak is the highest per-sample rate, computed as the store does. */
		if (sec > 0 && (double)s.delta[NP_C_RX_BYTES] / sec > top)
			top = (double)s.delta[NP_C_RX_BYTES] / sec;
		if (i % 2 == 1)
			t += step;
	}
	assert_int_equal(np_store_commit(st, &cause), 0);

	static const char *const cols[] = {"rx_bytes",  "tx_bytes",  "rx_packets", "tx_packets",
	                                   "rx_errors", "tx_errors", "rx_drops",   "tx_drops"};
	assert_int_equal(np_store_fold_all(st, NULL), 0); /* hourly/daily are folded */
	static const char *const tables[] = {"rollup_5m", "rollup_1h", "rollup_1d"};
	for (size_t c = 0; c < 8; c++) {
		for (int k = 0; k < 2; k++)
			assert_true(sum[k][c] > 0);
		for (size_t k = 0; k < 3; k++) {
			char *sql = np_xasprintf("SELECT sum(%s) FROM %s", cols[c], tables[k]);
			assert_int_equal(q_int(st, sql), sum[0][c] + sum[1][c]);
			free(sql);
			for (int i = 0; i < 2; i++) {
				sql = np_xasprintf("SELECT sum(%s) FROM %s WHERE series = %lld",
				                   cols[c], tables[k], (long long)ids[i]);
				assert_int_equal(q_int(st, sql), sum[i][c]);
				free(sql);
			}
		}
	}
	for (size_t k = 0; k < 3; k++) {
		for (int i = 0; i < 2; i++) {
			char *sql = np_xasprintf("SELECT sum(secs) FROM %s WHERE series = %lld",
			                         tables[k], (long long)ids[i]);
			assert_true(fabs(q_double(st, sql) - secs[i]) < 1e-6 * secs[i]);
			free(sql);
		}
		/* Peaks are the highest per-sample rate, in every table. */
		char *sql = np_xasprintf("SELECT max(peak_rx) FROM %s", tables[k]);
		assert_true(q_double(st, sql) == top);
		free(sql);
	}
	np_store_close(st);
}

static void
test_peaks(void **state)
{
	struct np_store *st = open_mem();
	int64_t id = series(st, "eth0");
	const uint64_t rx[] = {6000, 30000, 600};
	for (int i = 0; i < 3; i++) {
		struct np_sample s = {.from_ms = AT(10, i, 0),
		                      .to_ms = AT(10, i + 1, 0),
		                      .mask = RX | TX,
		                      .delta = {rx[i], 60}};
		sample(st, id, &s);
	}
	assert_rows(st, "SELECT peak_rx, peak_tx, rx_bytes, secs FROM rollup_5m",
	            "500.0|1.0|36600|180.0");
	assert_int_equal(np_store_fold_all(st, NULL), 0); /* hourly/daily are folded */
	assert_rows(st, "SELECT peak_rx, peak_tx FROM rollup_1h", "500.0|1.0");
	assert_int_equal(np_store_fold_all(st, NULL), 0); /* hourly/daily are folded */
	assert_rows(st, "SELECT peak_rx, peak_tx FROM rollup_1d", "500.0|1.0");
	np_store_close(st);
}

static void
test_gauge(void **state)
{
	struct np_store *st = open_mem();
	int64_t id = series(st, "exporter");
	const double g[] = {5, 2, 9};
	for (int i = 0; i < 3; i++) {
		struct np_sample s = {.from_ms = AT(10, i, 0),
		                      .to_ms = AT(10, i + 1, 0),
		                      .gauge = g[i],
		                      .has_gauge = true};
		sample(st, id, &s);
	}
	/* Gauge only: no counter seconds, no counters. */
	char *want = np_xasprintf("%lld|0.0|0|2.0|9.0|16.0|3", DAY + 36000);
	assert_rows(st,
	            "SELECT bucket, secs, rx_bytes, gauge_min, gauge_max, gauge_sum, gauge_n"
	            " FROM rollup_5m",
	            want);
	free(want);

	/* Counters for 10:04 -> 10:05 end in bucket 10:00; the gauge read at 10:05 opens 10:05. */
	struct np_store_stats before, after;
	np_store_get_stats(st, &before);
	struct np_sample s = {.from_ms = AT(10, 4, 0),
	                      .to_ms = AT(10, 5, 0),
	                      .mask = RX,
	                      .delta = {600},
	                      .gauge = 1.5,
	                      .has_gauge = true};
	sample(st, id, &s);
	np_store_get_stats(st, &after);
	/* Two 5-minute rows; nothing is folded yet, so nothing goes to 1h or 1d directly. */
	assert_int_equal(after.rollup_rows - before.rollup_rows, 2);
	assert_int_equal(after.wide_rows - before.wide_rows, 0);
	want = np_xasprintf("%lld|60.0|600|2.0|9.0|16.0|3\n%lld|0.0|0|1.5|1.5|1.5|1", DAY + 36000,
	                    DAY + 36300);
	assert_rows(st,
	            "SELECT bucket, secs, rx_bytes, gauge_min, gauge_max, gauge_sum, gauge_n"
	            " FROM rollup_5m ORDER BY bucket",
	            want);
	free(want);
	assert_int_equal(np_store_fold_all(st, NULL), 0); /* hourly/daily are folded */
	assert_rows(
	    st, "SELECT secs, rx_bytes, gauge_min, gauge_max, gauge_sum, gauge_n FROM rollup_1h",
	    "60.0|600|1.5|9.0|17.5|4");

	/* A NaN reading carries no gauge: no row is written, no rollup changes. */
	char *before_rows = q_rows(st, "SELECT * FROM rollup_5m ORDER BY bucket");
	np_store_get_stats(st, &before);
	struct np_sample nan_s = {
	    .from_ms = AT(10, 6, 0), .to_ms = AT(10, 7, 0), .gauge = NAN, .has_gauge = true};
	sample(st, id, &nan_s);
	np_store_get_stats(st, &after);
	assert_int_equal(after.rollup_rows, before.rollup_rows);
	assert_int_equal(after.samples - before.samples, 1);
	assert_rows(st, "SELECT * FROM rollup_5m ORDER BY bucket", before_rows);
	free(before_rows);

	/* A late gauge for the folded 10:00 bucket lands in its 5-minute, hourly and daily rows. */
	struct np_sample late = {.from_ms = AT(10, 3, 0),
	                         .to_ms = AT(10, 3, 30),
	                         .mask = RX,
	                         .delta = {30},
	                         .gauge = 0.5,
	                         .has_gauge = true};
	np_store_get_stats(st, &before);
	sample(st, id, &late);
	np_store_get_stats(st, &after);
	assert_int_equal(after.rollup_rows - before.rollup_rows, 1);
	assert_int_equal(after.wide_rows - before.wide_rows, 2);
	want = np_xasprintf("%lld|90.0|630|0.5|9.0|16.5|4", DAY + 36000);
	assert_rows(st,
	            "SELECT bucket, secs, rx_bytes, gauge_min, gauge_max, gauge_sum, gauge_n"
	            " FROM rollup_5m WHERE bucket = 1780308000",
	            want);
	free(want);
	assert_rows(
	    st, "SELECT secs, rx_bytes, gauge_min, gauge_max, gauge_sum, gauge_n FROM rollup_1h",
	    "90.0|630|0.5|9.0|18.0|5");
	assert_rows(
	    st, "SELECT secs, rx_bytes, gauge_min, gauge_max, gauge_sum, gauge_n FROM rollup_1d",
	    "90.0|630|0.5|9.0|18.0|5");
	np_store_close(st);
}

/* A first reading (no deltas, no gauge) has nothing to add: no row anywhere. */
static void
test_first_writes_nothing(void **state)
{
	struct np_store *st = open_mem();
	int64_t id = series(st, "eth0");
	struct np_sample s = {.from_ms = AT(1, 0, 0), .to_ms = AT(1, 0, 0)};
	sample(st, id, &s);
	struct np_store_stats stats;
	np_store_get_stats(st, &stats);
	assert_int_equal(stats.samples, 1);
	assert_int_equal(stats.rollup_rows, 0);
	assert_int_equal(q_int(st, "SELECT count(*) FROM rollup_5m"), 0);
	assert_int_equal(q_int(st, "SELECT count(*) FROM verdicts"), 0);
	assert_int_equal(np_store_fold_all(st, NULL), 0); /* hourly/daily are folded */
	assert_int_equal(q_int(st, "SELECT count(*) FROM rollup_1d"), 0);
	np_store_close(st);
}

static void
test_same_second_merges(void **state)
{
	struct np_store *st = open_mem();
	int64_t id = series(st, "eth0");
	struct np_sample a = {
	    .from_ms = AT(2, 0, 0), .to_ms = AT(2, 0, 1) + 100, .mask = RX, .delta = {100}};
	struct np_sample b = {.from_ms = AT(2, 0, 1) + 100,
	                      .to_ms = AT(2, 0, 1) + 600,
	                      .mask = RX | TX,
	                      .delta = {50, 7}};
	sample(st, id, &a);
	sample(st, id, &b);
	/* One row: sums add, peaks are the higher rate (100/1.1 vs 50/0.5 B/s). */
	assert_rows(st,
	            "SELECT secs, rx_bytes, tx_bytes, rx_packets, peak_rx, peak_tx FROM rollup_5m",
	            "1.6|150|7|0|100.0|14.0");
	np_store_close(st);
}

static void
test_bad_samples(void **state)
{
	struct np_store *st = open_mem();
	int64_t id = series(st, "eth0");
	char *cause = NULL;
	struct np_sample back = {.from_ms = AT(3, 0, 0), .to_ms = AT(2, 0, 0), .mask = RX};
	assert_int_equal(np_store_sample(st, id, &back, &cause), -1);
	assert_non_null(strstr(cause, "ends before it starts"));
	assert_true(np_store_error_fatal(st));
	struct np_sample huge = {.from_ms = AT(2, 0, 0),
	                         .to_ms = AT(2, 1, 0),
	                         .mask = RX | TX,
	                         .delta = {1, (uint64_t)INT64_MAX + 1}};
	assert_int_equal(np_store_sample(st, id, &huge, &cause), -1);
	assert_string_equal(
	    cause, "series 1: tx_bytes delta 9223372036854775808 does not fit the database");
	free(cause);
	assert_int_equal(q_int(st, "SELECT count(*) FROM rollup_5m"), 0);
	struct np_store_stats stats;
	np_store_get_stats(st, &stats);
	assert_int_equal(stats.samples, 0);
	assert_int_equal(stats.rollup_rows, 0);
	np_store_close(st);
}

/* np_store_rollup: a whole row added as it is; adding again sums and merges. */
static void
test_rollup_row(void **state)
{
	struct np_store *st = open_mem();
	int64_t id = series(st, "eth0");
	char *cause = NULL;
	struct np_rollup_row r = {.bucket_s = DAY + 600,
	                          .secs = 299.5,
	                          .c = {1, 2, 3, 4, 5, 6, 7, 8},
	                          .peak_rx = 10.5,
	                          .peak_tx = 2,
	                          .gauge_min = -1,
	                          .gauge_max = 4,
	                          .gauge_sum = 3,
	                          .gauge_n = 2};
	assert_int_equal(np_store_rollup(st, id, &r, &cause), 0);
	char *want =
	    np_xasprintf("%lld|1|299.5|1|2|3|4|5|6|7|8|10.5|2.0|-1.0|4.0|3.0|2", DAY + 600);
	assert_rows(st, "SELECT * FROM rollup_5m", want);
	free(want);
	/* No gauge in the second row: its min/max (meaningless while gauge_n is 0) are ignored. */
	struct np_rollup_row r2 = {.bucket_s = DAY + 600,
	                           .secs = 0.5,
	                           .c = {10, 0, 0, 0, 0, 0, 0, 1},
	                           .peak_rx = 3,
	                           .peak_tx = 7,
	                           .gauge_min = -100,
	                           .gauge_max = 100};
	assert_int_equal(np_store_rollup(st, id, &r2, &cause), 0);
	want = np_xasprintf("%lld|1|300.0|11|2|3|4|5|6|7|9|10.5|7.0|-1.0|4.0|3.0|2", DAY + 600);
	assert_rows(st, "SELECT * FROM rollup_5m", want);
	free(want);
	/* A gauge-free row alone leaves min/max NULL. */
	r2.bucket_s = DAY + 900;
	assert_int_equal(np_store_rollup(st, id, &r2, &cause), 0);
	char *sql = np_xasprintf("SELECT gauge_min, gauge_max, gauge_n FROM rollup_5m WHERE"
	                         " bucket = %lld",
	                         DAY + 900);
	assert_rows(st, sql, "NULL|NULL|0");
	free(sql);
	assert_int_equal(q_int(st, "SELECT count(*) FROM rollup_1h"), 0);

	/* Refused: a counter past INT64_MAX, a value that is not finite. Nothing written. */
	struct np_rollup_row bad = {.bucket_s = DAY, .c = {0, (uint64_t)INT64_MAX + 1}};
	assert_int_equal(np_store_rollup(st, id, &bad, &cause), -1);
	assert_string_equal(
	    cause, "series 1: tx_bytes delta 9223372036854775808 does not fit the database");
	free(cause);
	cause = NULL;
	struct np_rollup_row nan_row = {.bucket_s = DAY, .secs = NAN};
	assert_int_equal(np_store_rollup(st, id, &nan_row, &cause), -1);
	assert_string_equal(cause, "series 1: a rollup value is not a finite number");
	free(cause);
	cause = NULL;
	nan_row.secs = 1;
	nan_row.peak_tx = INFINITY;
	assert_int_equal(np_store_rollup(st, id, &nan_row, &cause), -1);
	free(cause);
	assert_int_equal(q_int(st, "SELECT count(*) FROM rollup_5m"), 2);
	struct np_store_stats stats;
	np_store_get_stats(st, &stats);
	assert_int_equal(stats.rollup_rows, 3);
	assert_int_equal(stats.samples, 0);
	np_store_close(st);
}

static void
test_verdicts_and_notes(void **state)
{
	struct np_store *st = open_mem();
	int64_t id = series(st, "eth0");
	char *cause = NULL;
	assert_int_equal(np_store_verdict(st, id, NP_V_GAP, 100, &cause), 0);
	assert_int_equal(np_store_verdict(st, id, NP_V_GAP, 300, &cause), 0);
	assert_int_equal(np_store_verdict(st, id, NP_V_GAP, 200, &cause), 0);
	assert_int_equal(np_store_verdict(st, id, NP_V_SPIKE, 250, &cause), 0);
	assert_int_equal(np_store_note(st, id, "missed_flaps", 2, 400, &cause), 0);
	assert_int_equal(np_store_note(st, id, "missed_flaps", 3, 500, &cause), 0);
	assert_rows(st, "SELECT * FROM verdicts ORDER BY verdict",
	            "1|gap|3|300\n1|missed_flaps|5|500\n1|spike|1|250");
	assert_int_equal(np_store_verdict(st, id, NP_V_MAX, 1, &cause), -1);
	assert_int_equal(np_store_note(st, id, "gap", 1, 1, &cause), -1);
	assert_string_equal(cause, "note name 'gap' is a verdict name");
	free(cause);
	np_store_close(st);
}

static void
test_series_lookup(void **state)
{
	char *dir = np_test_tmpdir();
	char *path = np_xasprintf("%s/series.db", dir);
	char *cause = NULL;
	struct np_store *st = np_store_open(path, 0, &cause);
	assert_non_null(st);

	int64_t a =
	    np_store_series(st, "fc-east", "10.0.0.1", "", "if", "{\"site\":\"a\"}", 100, &cause);
	int64_t b = np_store_series(st, "fc-east", "10.0.0.1", NULL, "gauge", NULL, 100, &cause);
	int64_t c =
	    np_store_series(st, "fc-east", "10.0.0.1", NULL, NULL, "{\"site\":\"a\"}", 100, &cause);
	/* "a"+"bc" and "ab"+"c" are different keys. */
	int64_t d1 = np_store_series(st, "s", "a", "bc", NULL, NULL, 100, &cause);
	int64_t d2 = np_store_series(st, "s", "ab", "c", NULL, NULL, 100, &cause);
	assert_int_equal(a, 1);
	assert_int_equal(b, 2);
	assert_int_equal(c, a); /* NULL interface = "", NULL kind = "if" */
	assert_int_equal(d1, 3);
	assert_int_equal(d2, 4);
	assert_rows(st, "SELECT * FROM series WHERE id <= 2",
	            "1|fc-east|10.0.0.1||if|{\"site\":\"a\"}|100|100\n"
	            "2|fc-east|10.0.0.1||gauge|{}|100|100");

	/* last_seen is written at once, inside the caller's transaction if there is one. */
	assert_int_equal(
	    np_store_series(st, "fc-east", "10.0.0.1", "", "if", "{\"site\":\"a\"}", 160, &cause),
	    a);
	assert_int_equal(q_int(st, "SELECT last_seen FROM series WHERE id = 1"), 160);
	assert_int_equal(np_store_begin(st, &cause), 0);
	assert_int_equal(
	    np_store_series(st, "fc-east", "10.0.0.1", "", "if", "{\"site\":\"b\"}", 220, &cause),
	    a);
	assert_int_equal(q_int(st, "SELECT last_seen FROM series WHERE id = 1"), 220);
	assert_rows(st, "SELECT labels FROM series WHERE id = 1", "{\"site\":\"b\"}");
	assert_int_equal(np_store_commit(st, &cause), 0);
	assert_int_equal(q_int(st, "SELECT last_seen FROM series WHERE id = 1"), 220);
	/* last_seen never goes back. */
	assert_int_equal(
	    np_store_series(st, "fc-east", "10.0.0.1", "", "if", "{\"site\":\"b\"}", 200, &cause),
	    a);
	assert_int_equal(q_int(st, "SELECT last_seen FROM series WHERE id = 1"), 220);

	/* A series created in a rolled-back batch is gone: its id is given again. */
	assert_int_equal(np_store_begin(st, &cause), 0);
	assert_int_equal(np_store_series(st, "s", "gone", "x", NULL, NULL, 300, &cause), 5);
	assert_int_equal(
	    np_store_series(st, "fc-east", "10.0.0.1", "", "if", "{\"site\":\"b\"}", 300, &cause),
	    a);
	np_store_rollback(st);
	assert_int_equal(q_int(st, "SELECT count(*) FROM series"), 4);
	assert_int_equal(q_int(st, "SELECT last_seen FROM series WHERE id = 1"), 220);
	assert_int_equal(np_store_series(st, "s", "other", "y", NULL, NULL, 300, &cause), 5);
	assert_int_equal(np_store_series(st, "s", "gone", "x", NULL, NULL, 300, &cause), 6);

	/* Many series: the table grows; a reopened store finds the same ids. */
	assert_int_equal(np_store_begin(st, &cause), 0);
	for (int i = 0; i < 5000; i++) {
		char ifname[32];
		snprintf(ifname, sizeof ifname, "if%d", i);
		assert_int_equal(
		    np_store_series(st, "bulk", "dev", ifname, NULL, NULL, 400, &cause), 7 + i);
	}
	assert_int_equal(np_store_commit(st, &cause), 0);
	np_store_close(st);
	st = np_store_open(path, 0, &cause);
	assert_non_null(st);
	for (int i = 4999; i >= 0; i--) {
		char ifname[32];
		snprintf(ifname, sizeof ifname, "if%d", i);
		assert_int_equal(
		    np_store_series(st, "bulk", "dev", ifname, NULL, NULL, 400, &cause), 7 + i);
	}
	assert_int_equal(q_int(st, "SELECT count(*) FROM series"), 5006);
	assert_int_equal(np_store_series(st, NULL, "dev", "x", NULL, NULL, 1, &cause), -1);
	free(cause);
	np_store_close(st);
	free(path);
	free(dir);
}

static void
test_stats_profile(void **state)
{
	struct np_store *st = open_mem();
	np_store_set_profile(st, true);
	int64_t id = series(st, "eth0");
	for (int i = 0; i < 10; i++) {
		struct np_sample s = {
		    .from_ms = AT(4, i, 0), .to_ms = AT(4, i + 1, 0), .mask = RX, .delta = {1}};
		sample(st, id, &s);
	}
	struct np_store_stats stats;
	np_store_get_stats(st, &stats);
	assert_int_equal(stats.samples, 10);
	assert_int_equal(stats.rollup_rows, 10); /* 5-minute rows; wider ones are folded */
	assert_int_equal(stats.wide_rows, 0);
	assert_int_equal(stats.fold_rows, 0);
	assert_int_equal(stats.series_writes, 1);
	assert_true(stats.rollup_ns > 0);
	/* 04:00 and 04:05 fold into one hourly and one daily row. */
	assert_int_equal(np_store_fold_all(st, NULL), 0);
	np_store_get_stats(st, &stats);
	assert_int_equal(stats.fold_rows, 2);
	/* A row for a folded bucket is written to 5m, 1h and 1d at once. */
	struct np_rollup_row r = {.bucket_s = DAY + 4 * 3600, .secs = 1, .c = {1}};
	char *cause = NULL;
	assert_int_equal(np_store_rollup(st, id, &r, &cause), 0);
	np_store_get_stats(st, &stats);
	assert_int_equal(stats.rollup_rows, 11);
	assert_int_equal(stats.wide_rows, 2);
	assert_int_equal(stats.fold_rows, 2);
	assert_int_equal(q_int(st, "SELECT rx_bytes FROM rollup_1d"), 11);
	np_store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_one_bucket),
	    cmocka_unit_test(test_gap_spread_over_three_buckets),
	    cmocka_unit_test(test_gap_over_midnight),
	    cmocka_unit_test(test_rollup_totals_equal_written),
	    cmocka_unit_test(test_peaks),
	    cmocka_unit_test(test_gauge),
	    cmocka_unit_test(test_first_writes_nothing),
	    cmocka_unit_test(test_same_second_merges),
	    cmocka_unit_test(test_bad_samples),
	    cmocka_unit_test(test_rollup_row),
	    cmocka_unit_test(test_verdicts_and_notes),
	    cmocka_unit_test(test_series_lookup),
	    cmocka_unit_test(test_stats_profile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
