/*
 * Usage: which rollup rows a window reads, the sums, rates and group-by. The database is
 * filled with raw SQL; rows that must NOT be counted carry conspicuous values (999999...)
 * so that reading a wrong bucket shows in the sums.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "report/usage.h"
#include "reporttest.h"
#include "store/store.h"

#define D0 1790812800LL /* 2026-10-01T00:00:00Z */
#define H 3600LL
#define D 86400LL

static void
seg_is(const struct np_usage_seg *s, int64_t w, int64_t from, int64_t to)
{
	assert_int_equal(s->width, w);
	assert_int_equal(s->from, from);
	assert_int_equal(s->to, to);
}

static void
test_segments(void **state)
{
	(void)state;
	struct np_usage_seg s[NP_USAGE_MAX_SEGS];
	/* 23:00 day 0 .. 01:10 day 2: an hour, a whole day, an hour, two 5-minute buckets */
	assert_int_equal(np_usage_segments(D0 + 23 * H, D0 + 2 * D + H + 600, INT64_MAX, s), 4);
	seg_is(&s[0], 3600, D0 + 23 * H, D0 + D);
	seg_is(&s[1], 86400, D0 + D, D0 + 2 * D);
	seg_is(&s[2], 3600, D0 + 2 * D, D0 + 2 * D + H);
	seg_is(&s[3], 300, D0 + 2 * D + H, D0 + 2 * D + H + 600);
	/* a Berlin day (UTC+2) holds no whole UTC day: 24 hourly buckets */
	assert_int_equal(np_usage_segments(D0 - 2 * H, D0 + 22 * H, INT64_MAX, s), 1);
	seg_is(&s[0], 3600, D0 - 2 * H, D0 + 22 * H);
	/* a Berlin week: hours, six whole UTC days, hours */
	assert_int_equal(np_usage_segments(D0 - 2 * H, D0 + 7 * D - 2 * H, INT64_MAX, s), 3);
	seg_is(&s[0], 3600, D0 - 2 * H, D0);
	seg_is(&s[1], 86400, D0, D0 + 6 * D);
	seg_is(&s[2], 3600, D0 + 6 * D, D0 + 7 * D - 2 * H);
	/* unaligned ends round up to the 5-minute grid: buckets starting in [start, end) */
	assert_int_equal(np_usage_segments(D0 + 7, D0 + 601, INT64_MAX, s), 1);
	seg_is(&s[0], 300, D0 + 300, D0 + 900);
	/* the most segments: 5m, 1h, 1d, 1h, 5m... */
	assert_int_equal(np_usage_segments(D0 - 23 * H - 600, D0 + D + H + 300, INT64_MAX, s), 5);
	seg_is(&s[0], 300, D0 - 23 * H - 600, D0 - 23 * H);
	seg_is(&s[1], 3600, D0 - 23 * H, D0);
	seg_is(&s[2], 86400, D0, D0 + D);
	seg_is(&s[3], 3600, D0 + D, D0 + D + H);
	seg_is(&s[4], 300, D0 + D + H, D0 + D + H + 300);
	/* the store has folded up to 00:30 of day 2: the hour after it is read at 5 minutes */
	assert_int_equal(np_usage_segments(D0 + 23 * H, D0 + 2 * D + H + 600, D0 + 2 * D + 1800, s),
	                 4);
	seg_is(&s[0], 3600, D0 + 23 * H, D0 + D);
	seg_is(&s[1], 86400, D0 + D, D0 + 2 * D);
	seg_is(&s[2], 300, D0 + 2 * D, D0 + 2 * D + 1800);
	seg_is(&s[3], 300, D0 + 2 * D + 1800, D0 + 2 * D + H + 600);
	/* nothing folded at all yet: all 5-minute */
	assert_int_equal(np_usage_segments(D0 + 23 * H, D0 + 2 * D, INT64_MIN, s), 1);
	seg_is(&s[0], 300, D0 + 23 * H, D0 + 2 * D);
	assert_int_equal(np_usage_segments(D0 + 1, D0 + 299, INT64_MAX, s), 0);
	assert_int_equal(np_usage_segments(D0, D0, INT64_MAX, s), 0);
}

/*
 * Window [D0 + 23h, D0 + 2d + 1h10m).
 *  s1 fc-east 10.0.0.1/eth0 {region: eu, account: a1}:
 *     1h @D0+23h rx 100 tx 10 (3600 s, peak_rx 5) + 1d @D0+1d rx 10000 tx 2000 (86400 s,
 *     peak_rx 50, rx_packets 40, tx_packets 30) + 1h @D0+2d rx 300 (3600 s, peak_rx 80)
 *     + 5m @D0+2d+1h rx 20 and @+1h5m rx 30 (300 s each) = rx 10450, tx 2010, secs 94200,
 *     avg_rx 10450/94200 = 0.110934, avg_tx 2010/94200 = 0.021338, peak_rx 80, peak_tx 0.
 *     Not read: 1h @D0+22h, 1d @D0, 1h @D0+1d+5h (inside the day read from rollup_1d),
 *     1d @D0+2d (not whole), 5m @D0+2d+1h10m (the end), 5m @D0+1d (inside the day).
 *  s2 fc-east 10.0.0.2/eth0 {region: us, account: a1}: 1d rx 5000 tx 6000 (86400 s, peaks
 *     10/20): avg 0.057870 / 0.069444.
 *  s3 local host/eth0 {region: eu}: 1d rx 1000 tx 500 (43200 s), rx_errors 3, tx_drops 2:
 *     avg 0.023148 / 0.011574.
 *  s4 fc-east 10.0.0.9/ (gauge) {}: 1h @D0+23h gauge 10..30 sum 60 n 3, 1d gauge 0..50
 *     sum 600 n 24: min 0, max 50, avg 660/27 = 24.444; no bytes, secs 90000.
 *  s5 fc-west 10.0.0.1/eth0: only rows outside the window: not listed.
 */
static const char fixture[] =
    /* Rows are written straight into the wider tables: say they are all folded. */
    "UPDATE fold SET next_5m = 4000000000;"
    "INSERT INTO series (id, source, device, interface, kind, labels, first_seen, last_seen)"
    " VALUES (1, 'fc-east', '10.0.0.1', 'eth0', 'if', '{\"region\":\"eu\",\"account\":\"a1\"}',"
    " 0, 0), (2, 'fc-east', '10.0.0.2', 'eth0', 'if',"
    " '{\"region\":\"us\",\"account\":\"a1\"}', 0, 0),"
    " (3, 'local', 'host', 'eth0', 'if', '{\"region\":\"eu\"}', 0, 0),"
    " (4, 'fc-east', '10.0.0.9', '', 'gauge', '{}', 0, 0),"
    " (5, 'fc-west', '10.0.0.1', 'eth0', 'if', '{\"region\":\"eu\"}', 0, 0);"
    "INSERT INTO rollup_1h (bucket, series, secs, rx_bytes, tx_bytes, peak_rx) VALUES"
    " (1790895600, 1, 3600, 100, 10, 5),"     /* D0+23h */
    " (1790892000, 1, 3600, 999999, 0, 0),"   /* D0+22h: before */
    " (1790917200, 1, 3600, 777777, 0, 999)," /* D0+1d+5h: inside the 1d row */
    " (1790985600, 1, 3600, 300, 0, 80),"     /* D0+2d */
    " (1790892000, 5, 3600, 555555, 0, 0);"
    "INSERT INTO rollup_1d (bucket, series, secs, rx_bytes, tx_bytes, rx_packets, tx_packets,"
    " rx_errors, tx_drops, peak_rx, peak_tx) VALUES"
    " (1790812800, 1, 86400, 999999, 0, 0, 0, 0, 0, 0, 0),"      /* D0: before */
    " (1790899200, 1, 86400, 10000, 2000, 40, 30, 0, 0, 50, 0)," /* D0+1d */
    " (1790985600, 1, 86400, 888888, 0, 0, 0, 0, 0, 0, 0),"      /* D0+2d: not whole */
    " (1790899200, 2, 86400, 5000, 6000, 0, 0, 0, 0, 10, 20),"
    " (1790899200, 3, 43200, 1000, 500, 0, 0, 3, 2, 0, 0);"
    "INSERT INTO rollup_5m (bucket, series, secs, rx_bytes) VALUES"
    " (1790989200, 1, 300, 20), (1790989500, 1, 300, 30)," /* D0+2d+1h, +1h5m */
    " (1790989800, 1, 300, 666666),"                       /* D0+2d+1h10m: the end */
    " (1790899200, 1, 300, 444444);"                       /* inside the day */
    "INSERT INTO rollup_1h (bucket, series, secs, gauge_min, gauge_max, gauge_sum, gauge_n)"
    " VALUES (1790895600, 4, 3600, 10, 30, 60, 3);"
    "INSERT INTO rollup_1d (bucket, series, secs, gauge_min, gauge_max, gauge_sum, gauge_n)"
    " VALUES (1790899200, 4, 86400, 0, 50, 600, 24);";

static const struct np_period window = {D0 + 23 * H, D0 + 2 * D + H + 600};

/* groups: a writable buffer the result's keys point into (kept by the caller). */
static void
compute(struct np_store *st, char *groups, const char *source, struct np_usage *u)
{
	struct np_usage_opts o = {0};
	char *cause = NULL;
	if (groups != NULL)
		assert_int_equal(np_usage_group_parse(groups, &o, &cause), 0);
	o.source = source;
	if (np_usage_compute(np_store_db(st), &window, D0 + 10 * D, &o, u, &cause) != 0)
		fail_msg("%s", cause);
}

static void
done(struct np_usage *u)
{
	np_usage_free(u);
}

static int64_t
milli(double v)
{
	return (int64_t)(v * 1000 + 0.5);
}

static void
test_sums(void **state)
{
	(void)state;
	struct np_store *st = open_db();
	exec(st, fixture);
	struct np_usage u;
	compute(st, NULL, NULL, &u);
	assert_int_equal(u.nkeys, 3);
	assert_int_equal(u.nrows, 4);
	/* ordered by source, device, interface */
	const struct np_usage_row *r = &u.rows[0];
	assert_string_equal(r->key[0], "fc-east");
	assert_string_equal(r->key[1], "10.0.0.1");
	assert_string_equal(r->key[2], "eth0");
	assert_int_equal(r->counters[0], 10450);
	assert_int_equal(r->counters[1], 2010);
	assert_int_equal(r->counters[2], 40);
	assert_int_equal(r->counters[3], 30);
	assert_int_equal((int64_t)r->secs, 94200);
	assert_int_equal(milli(r->avg_rx), 111);
	assert_int_equal(milli(r->avg_tx), 21);
	assert_int_equal((int64_t)r->peak_rx, 80);
	assert_false(r->has_gauge);
	r = &u.rows[1];
	assert_string_equal(r->key[1], "10.0.0.2");
	assert_int_equal(r->counters[1], 6000);
	assert_int_equal((int64_t)r->peak_tx, 20);
	r = &u.rows[2];
	assert_string_equal(r->key[1], "10.0.0.9");
	assert_string_equal(r->key[2], "");
	assert_true(r->has_gauge);
	assert_int_equal((int64_t)r->gauge_min, 0);
	assert_int_equal((int64_t)r->gauge_max, 50);
	assert_int_equal(r->gauge_n, 27);
	assert_int_equal((int64_t)r->gauge_sum, 660);
	r = &u.rows[3];
	assert_string_equal(r->key[0], "local");
	assert_int_equal(r->counters[4], 3);
	assert_int_equal(r->counters[7], 2);
	/* total: every series; rates add up; peaks are the highest */
	assert_int_equal(u.total.nseries, 4);
	assert_int_equal(u.total.counters[0], 10450 + 5000 + 1000);
	assert_int_equal(u.total.counters[1], 2010 + 6000 + 500);
	assert_int_equal(milli(u.total.avg_rx),
	                 milli(10450.0 / 94200 + 5000.0 / 86400 + 1000.0 / 43200));
	assert_int_equal((int64_t)u.total.peak_rx, 80);
	assert_int_equal((int64_t)u.total.gauge_max, 50);
	done(&u);

	/* --source local */
	compute(st, NULL, "local", &u);
	assert_int_equal(u.nrows, 1);
	assert_int_equal(u.total.counters[0], 1000);
	done(&u);
	np_store_close(st);
}

static void
test_group_by(void **state)
{
	(void)state;
	struct np_store *st = open_db();
	exec(st, fixture);
	struct np_usage u;
	char g_region[] = "region";
	compute(st, g_region, NULL, &u);
	/* null (s4) first, then eu (s1 + s3), us (s2) */
	assert_int_equal(u.nrows, 3);
	assert_null(u.rows[0].key[0]);
	assert_int_equal(u.rows[0].nseries, 1);
	assert_string_equal(u.rows[1].key[0], "eu");
	assert_int_equal(u.rows[1].nseries, 2);
	assert_int_equal(u.rows[1].counters[0], 11450);
	assert_int_equal(u.rows[1].counters[1], 2510);
	assert_int_equal(milli(u.rows[1].avg_rx), 134); /* 0.110934 + 0.023148 */
	assert_int_equal((int64_t)u.rows[1].secs, 94200);
	assert_string_equal(u.rows[2].key[0], "us");
	assert_int_equal(u.rows[2].counters[0], 5000);
	done(&u);

	char g_account_region[] = "account,region";
	compute(st, g_account_region, NULL, &u);
	assert_int_equal(u.nrows, 4);
	assert_null(u.rows[0].key[0]); /* (null, null) s4 */
	assert_null(u.rows[0].key[1]);
	assert_null(u.rows[1].key[0]); /* (null, eu) s3 */
	assert_string_equal(u.rows[1].key[1], "eu");
	assert_int_equal(u.rows[1].counters[0], 1000);
	assert_string_equal(u.rows[2].key[0], "a1"); /* (a1, eu) s1 */
	assert_int_equal(u.rows[2].counters[0], 10450);
	assert_string_equal(u.rows[3].key[1], "us");
	done(&u);

	char g_source[] = "source";
	compute(st, g_source, NULL, &u);
	assert_int_equal(u.nrows, 2);
	assert_string_equal(u.rows[0].key[0], "fc-east");
	assert_int_equal(u.rows[0].nseries, 3);
	assert_int_equal(u.rows[0].counters[0], 15450);
	assert_true(u.rows[0].has_gauge);
	assert_false(u.rows[1].has_gauge);
	done(&u);

	struct np_usage_opts o = {0};
	char *cause = NULL, bad1[] = "a,,b", bad2[] = "a,b,c,d,e,f,g,h,i";
	assert_int_equal(np_usage_group_parse(bad1, &o, &cause), -1);
	assert_string_equal(cause, "invalid --group-by: empty label name");
	assert_int_equal(np_usage_group_parse(bad2, &o, &cause), -1);
	assert_string_equal(cause, "invalid --group-by: more than 8 labels");
	free(cause);
	np_store_close(st);
}

static void
test_render(void **state)
{
	(void)state;
	struct np_store *st = open_db();
	exec(st, fixture);
	struct np_tz *tz = np_tz_utc();
	struct np_usage u;
	char g_region[] = "region";
	compute(st, g_region, NULL, &u);
	/* Rates in bits per second by default; CSV keeps every column, the name says the unit. */
	char *s = np_usage_render(&u, NP_FMT_CSV, tz, NULL);
	assert_string_equal(
	    s, "region,series,rx_bytes,tx_bytes,rx_packets,tx_packets,rx_errors,tx_errors,rx_drops,"
	       "tx_drops,avg_rx_bits_per_second,avg_tx_bits_per_second,peak_rx_bits_per_second,"
	       "peak_tx_bits_per_second,gauge_min,gauge_avg,gauge_max\n"
	       ",1,0,0,0,0,0,0,0,0,0.000,0.000,0.000,0.000,0,24.444,50\n"
	       "eu,2,11450,2510,40,30,3,0,0,2,1.073,0.263,640.000,0.000,,,\n"
	       "us,1,5000,6000,0,0,0,0,0,0,0.463,0.556,80.000,160.000,,,\n"
	       "total,4,16450,8510,40,30,3,0,0,2,1.536,0.819,640.000,160.000,0,24.444,50\n");
	free(s);
	struct np_usage_view bytes = {.bytes = true};
	s = np_usage_render(&u, NP_FMT_CSV, tz, &bytes);
	assert_string_equal(
	    s, "region,series,rx_bytes,tx_bytes,rx_packets,tx_packets,rx_errors,tx_errors,rx_drops,"
	       "tx_drops,avg_rx_bytes_per_second,avg_tx_bytes_per_second,peak_rx_bytes_per_second,"
	       "peak_tx_bytes_per_second,gauge_min,gauge_avg,gauge_max\n"
	       ",1,0,0,0,0,0,0,0,0,0.000,0.000,0.000,0.000,0,24.444,50\n"
	       "eu,2,11450,2510,40,30,3,0,0,2,0.134,0.033,80.000,0.000,,,\n"
	       "us,1,5000,6000,0,0,0,0,0,0,0.058,0.069,10.000,20.000,,,\n"
	       "total,4,16450,8510,40,30,3,0,0,2,0.192,0.102,80.000,20.000,0,24.444,50\n");
	free(s);
	/* Text: bytes, rates and gauge_avg; packets, errors, drops and gauge min/max hidden. */
	s = np_usage_render(&u, NP_FMT_TEXT, tz, NULL);
	assert_string_equal(s,
	                    "period: 2026-10-01T23:00:00+00:00 .. 2026-10-03T01:10:00+00:00 (UTC)\n"
	                    "region  series  rx_bytes  tx_bytes  avg_rx_rate  avg_tx_rate  "
	                    "peak_rx_rate  peak_tx_rate  gauge_avg\n"
	                    "-            1       0 B       0 B      0 bit/s      0 bit/s       "
	                    "0 bit/s       0 bit/s     24.444\n"
	                    "eu           2  11.2 KiB   2.5 KiB      1 bit/s      0 bit/s     "
	                    "640 bit/s       0 bit/s          -\n"
	                    "us           1   4.9 KiB   5.9 KiB      0 bit/s      1 bit/s      "
	                    "80 bit/s     160 bit/s          -\n"
	                    "total        4  16.1 KiB   8.3 KiB      2 bit/s      1 bit/s     "
	                    "640 bit/s     160 bit/s     24.444\n");
	free(s);
	/* --columns picks and orders nothing but what it names; --units bytes: IEC rates. */
	struct np_usage_view some = {.bytes = true};
	char *cause = NULL;
	assert_int_equal(
	    np_usage_columns_parse("rx_drops,peak_rx_rate,gauge_max", &some.columns, &cause), 0);
	s = np_usage_render(&u, NP_FMT_TEXT, tz, &some);
	assert_string_equal(s,
	                    "period: 2026-10-01T23:00:00+00:00 .. 2026-10-03T01:10:00+00:00 (UTC)\n"
	                    "region  series  rx_drops  peak_rx_rate  gauge_max\n"
	                    "-            1         0         0 B/s         50\n"
	                    "eu           2         0        80 B/s          -\n"
	                    "us           1         0        10 B/s          -\n"
	                    "total        4         0        80 B/s         50\n");
	free(s);
	assert_int_equal(np_usage_columns_parse("rx_bytes,rx_bits", &some.columns, &cause), -1);
	assert_non_null(strstr(cause, "unknown column \"rx_bits\": expected rx_bytes, "));
	free(cause);
	/* --all: every column, as before the 120-column default. */
	struct np_usage_view all = {.columns = NP_USAGE_ALL_COLUMNS};
	s = np_usage_render(&u, NP_FMT_TEXT, tz, &all);
	assert_non_null(strstr(s, "region  series  rx_bytes  tx_bytes  rx_packets  tx_packets  "
	                          "rx_errors  tx_errors  rx_drops  tx_drops  avg_rx_rate  "
	                          "avg_tx_rate  peak_rx_rate  peak_tx_rate  gauge_min  gauge_avg  "
	                          "gauge_max\n"));
	free(s);
	done(&u);
	np_tz_free(tz);
	np_store_close(st);
}

/*
 * Rows of one segment come in key order (bucket, series) and are summed per series: series
 * 2, 7 and 9 (ids with gaps) over three 5-minute buckets, 7 missing from the second, plus a
 * row of series 4 that the --source filter leaves out and one of an id with no series row.
 * Gauges: the minimum skips a NULL gauge_min, the first bucket of 9 has no gauge at all.
 */
static void
test_row_order(void **state)
{
	(void)state;
	struct np_store *st = open_db();
	exec(st, "UPDATE fold SET next_5m = 4000000000;"
	         "INSERT INTO series (id, source, device, interface, kind, labels, first_seen,"
	         " last_seen) VALUES (2, 'a', 'd1', 'e0', 'if', '{}', 0, 0),"
	         " (4, 'b', 'd1', 'e1', 'if', '{}', 0, 0), (7, 'a', 'd1', 'e2', 'if', '{}', 0, 0),"
	         " (9, 'a', 'd2', 'e0', 'gauge', '{}', 0, 0);"
	         "INSERT INTO rollup_5m (bucket, series, secs, rx_bytes, tx_bytes, peak_rx,"
	         " gauge_min, gauge_max, gauge_sum, gauge_n) VALUES"
	         " (1790989200, 2, 300, 1, 10, 1, NULL, NULL, 0, 0),"
	         " (1790989200, 4, 300, 1000, 0, 0, NULL, NULL, 0, 0),"
	         " (1790989200, 7, 300, 2, 20, 2, NULL, NULL, 0, 0),"
	         " (1790989200, 8, 300, 5000, 0, 0, NULL, NULL, 0, 0),"
	         " (1790989200, 9, 300, 3, 30, 3, NULL, NULL, 0, 0),"
	         " (1790989500, 2, 300, 4, 40, 9, NULL, NULL, 0, 0),"
	         " (1790989500, 9, 300, 5, 50, 1, 7, 8, 15, 2),"
	         " (1790989800, 2, 300, 6, 60, 2, NULL, NULL, 0, 0),"
	         " (1790989800, 7, 150, 7, 70, 8, NULL, NULL, 0, 0),"
	         " (1790989800, 9, 300, 8, 80, 4, NULL, 12, 12, 1);");
	struct np_period p = {1790989200, 1790989200 + 900};
	struct np_usage_opts o = {.source = "a"};
	struct np_usage u;
	char *cause = NULL;
	if (np_usage_compute(np_store_db(st), &p, D0 + 10 * D, &o, &u, &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(u.nrows, 3);
	assert_string_equal(u.rows[0].key[2], "e0");
	assert_int_equal(u.rows[0].counters[0], 11);
	assert_int_equal(u.rows[0].counters[1], 110);
	assert_int_equal(milli(u.rows[0].secs), 900000);
	assert_int_equal(milli(u.rows[0].peak_rx), 9000);
	assert_false(u.rows[0].has_gauge);
	assert_string_equal(u.rows[1].key[2], "e2");
	assert_int_equal(u.rows[1].counters[0], 9);
	assert_int_equal(u.rows[1].counters[1], 90);
	assert_int_equal(milli(u.rows[1].secs), 450000);
	assert_int_equal(milli(u.rows[1].avg_rx), 20); /* 9 B / 450 s */
	assert_int_equal(milli(u.rows[1].peak_rx), 8000);
	assert_string_equal(u.rows[2].key[1], "d2");
	assert_int_equal(u.rows[2].counters[0], 16);
	assert_int_equal(milli(u.rows[2].peak_rx), 4000);
	assert_true(u.rows[2].has_gauge);
	assert_int_equal(milli(u.rows[2].gauge_min), 7000);
	assert_int_equal(milli(u.rows[2].gauge_max), 12000);
	assert_int_equal(milli(u.rows[2].gauge_sum), 27000);
	assert_int_equal(u.rows[2].gauge_n, 3);
	assert_int_equal(u.total.nseries, 3);
	assert_int_equal(u.total.counters[0], 36);
	np_usage_free(&u);
	np_store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_segments),  cmocka_unit_test(test_sums),
	    cmocka_unit_test(test_group_by),  cmocka_unit_test(test_render),
	    cmocka_unit_test(test_row_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
