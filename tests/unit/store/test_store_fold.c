/*
 * Folding 5-minute rows into hourly and daily ones (store_fold.c): the paced pass over series
 * ids in slices, its marks (fold.next_5m, pass_end, cursor), the delay after an hour's end,
 * late data for folded buckets, np_store_fold_all after partial passes, rollback.
 */
#include <math.h>

#include "storetest.h"

#define DAY 1780272000LL      /* 2026-06-01T00:00:00Z */
#define H (DAY + 10 * 3600LL) /* the hour folded first: 10:00 */
#define STEP_MS 1             /* a step this short folds one series id (budget 1) */
#define SPREAD_MS 120000      /* a step this long folds every series of a small database */

static void
rollup_at(struct np_store *st, int64_t id, int64_t bucket, uint64_t rx, double peak, double gauge)
{
	char *cause = NULL;
	struct np_rollup_row r = {.bucket_s = bucket, .secs = 60, .c = {rx}, .peak_rx = peak};
	if (!isnan(gauge))
		np_rollup_row_gauge(&r, gauge);
	if (np_store_rollup(st, id, &r, &cause) != 0)
		fail_msg("rollup: %s", cause);
}

static int
fold_step(struct np_store *st, int64_t now_s, int64_t elapsed_ms)
{
	char *cause = NULL;
	int rc = np_store_fold_step(st, now_s, elapsed_ms, &cause);
	if (rc != 0)
		fail_msg("fold step: %s", cause);
	return rc;
}

/* The fold marks, times relative to H: "next_5m|pass_end|cursor". */
static void
assert_marks(struct np_store *st, const char *want)
{
	char *sql = np_xasprintf("SELECT next_5m - %lld, pass_end - %lld, cursor FROM fold", H, H);
	assert_rows(st, sql, want);
	free(sql);
}

/* A rollup table, bucket relative to H: "bucket|series|secs|rx|peak_rx|gmin|gmax|gsum|gn". */
static void
assert_table(struct np_store *st, const char *table, const char *want)
{
	char *sql = np_xasprintf("SELECT bucket - %lld, series, secs, rx_bytes, peak_rx, gauge_min,"
	                         " gauge_max, gauge_sum, gauge_n FROM %s ORDER BY bucket, series",
	                         H, table);
	assert_rows(st, sql, want);
	free(sql);
}

/* Every hourly row is exactly the sum of the 5-minute rows of its hour and series. */
static void
assert_hours_match(struct np_store *st)
{
	assert_int_equal(
	    q_int(st, "SELECT count(*) FROM rollup_1h h WHERE rx_bytes != (SELECT sum(rx_bytes)"
	              " FROM rollup_5m f WHERE f.series = h.series AND f.bucket >= h.bucket"
	              " AND f.bucket < h.bucket + 3600) OR secs != (SELECT sum(secs) FROM"
	              " rollup_5m f WHERE f.series = h.series AND f.bucket >= h.bucket"
	              " AND f.bucket < h.bucket + 3600)"),
	    0);
}

/*
 * Three series with rows in hour H (and s1, s3 in H+1, still open):
 *   s1: H+0 rx 1 peak 10 gauge 5, H+300 rx 2 peak 20;  H+3600 rx 32
 *   s2: H+600 rx 4, H+3300 rx 8 gauge 1
 *   s3: H+1200 rx 16 peak 5;                          H+3900 rx 64
 */
static struct np_store *
setup(void)
{
	struct np_store *st = open_mem();
	char *cause = NULL;
	for (int i = 1; i <= 3; i++) {
		char name[8];
		snprintf(name, sizeof name, "if%d", i);
		assert_int_equal(np_store_series(st, "s", "d", name, NULL, NULL, DAY, &cause), i);
	}
	rollup_at(st, 1, H, 1, 10, 5);
	rollup_at(st, 1, H + 300, 2, 20, NAN);
	rollup_at(st, 2, H + 600, 4, 0, NAN);
	rollup_at(st, 2, H + 3300, 8, 0, 1);
	rollup_at(st, 3, H + 1200, 16, 5, NAN);
	rollup_at(st, 1, H + 3600, 32, 0, NAN);
	rollup_at(st, 3, H + 3900, 64, 0, NAN);
	return st;
}

#define S1_H "0|1|120.0|3|20.0|5.0|5.0|5.0|1"
#define S2_H "0|2|120.0|12|0.0|1.0|1.0|1.0|1"
#define S3_H "0|3|60.0|16|5.0|NULL|NULL|0.0|0"

/* One pass over ids 0..3 in four short steps folds exactly hour H, one series per step. */
static void
test_pass_in_slices(void **state)
{
	struct np_store *st = setup();
	assert_rows(st, "SELECT next_5m, pass_end, cursor FROM fold",
	            "-9223372036854775807|-9223372036854775807|0");
	int64_t now = H + 3600 + 300; /* the hour's end + 300 s: H is due */
	struct np_store_stats stats;

	fold_step(st, now, STEP_MS); /* the pass starts at H; ids [0, 1): nothing */
	assert_marks(st, "0|3600|1");
	assert_int_equal(q_int(st, "SELECT count(*) FROM rollup_1h"), 0);
	np_store_get_stats(st, &stats);
	assert_int_equal(stats.fold_rows, 0);

	fold_step(st, now, STEP_MS); /* [1, 2) */
	assert_marks(st, "0|3600|2");
	assert_table(st, "rollup_1h", S1_H);
	assert_table(st, "rollup_1d", "-36000|1|120.0|3|20.0|5.0|5.0|5.0|1");
	np_store_get_stats(st, &stats);
	assert_int_equal(stats.fold_rows, 2);

	fold_step(st, now, STEP_MS); /* [2, 3) */
	assert_marks(st, "0|3600|3");
	assert_table(st, "rollup_1h", S1_H "\n" S2_H);

	fold_step(st, now, STEP_MS); /* [3, 4): past the last id, the pass ends */
	assert_marks(st, "3600|3600|0");
	assert_table(st, "rollup_1h", S1_H "\n" S2_H "\n" S3_H);
	assert_table(st, "rollup_1d",
	             "-36000|1|120.0|3|20.0|5.0|5.0|5.0|1\n"
	             "-36000|2|120.0|12|0.0|1.0|1.0|1.0|1\n"
	             "-36000|3|60.0|16|5.0|NULL|NULL|0.0|0");
	np_store_get_stats(st, &stats);
	assert_int_equal(stats.fold_rows, 6);

	/* H+1 is not due before its end + 300 s: nothing moves. */
	fold_step(st, now, SPREAD_MS);
	fold_step(st, H + 2 * 3600 + 299, SPREAD_MS);
	assert_marks(st, "3600|3600|0");
	assert_int_equal(q_int(st, "SELECT count(*) FROM rollup_1h"), 3);

	/* Then a long step folds all of it at once. */
	fold_step(st, H + 2 * 3600 + 300, SPREAD_MS);
	assert_marks(st, "7200|7200|0");
	assert_table(st, "rollup_1h",
	             S1_H "\n" S2_H "\n" S3_H "\n"
	                  "3600|1|60.0|32|0.0|NULL|NULL|0.0|0\n"
	                  "3600|3|60.0|64|0.0|NULL|NULL|0.0|0");
	assert_int_equal(q_int(st, "SELECT sum(rx_bytes) FROM rollup_1d"), 127);
	assert_hours_match(st);
	np_store_get_stats(st, &stats);
	assert_int_equal(stats.wide_rows, 0);
	np_store_close(st);
}

/* An hour is folded FOLD_DELAY (300 s) after its end, not a second earlier. */
static void
test_not_before_end_plus_delay(void **state)
{
	struct np_store *st = setup();
	fold_step(st, H + 3600 + 299, SPREAD_MS);
	/* Nothing before H was due and nothing holds a row there: the mark moves to H. */
	assert_marks(st, "0|0|0");
	assert_int_equal(q_int(st, "SELECT count(*) FROM rollup_1h"), 0);
	assert_int_equal(q_int(st, "SELECT count(*) FROM rollup_1d"), 0);
	fold_step(st, H + 3600 + 300, SPREAD_MS);
	assert_marks(st, "3600|3600|0");
	assert_table(st, "rollup_1h", S1_H "\n" S2_H "\n" S3_H);
	/* A clock far behind the mark folds nothing and moves nothing back. */
	fold_step(st, H - 86400, SPREAD_MS);
	assert_marks(st, "3600|3600|0");
	np_store_close(st);
}

/*
 * Late data: a row for a (bucket, series) already folded goes to 1h/1d at once, including a
 * series already passed in the hour being folded; a row for a series the pass has not reached
 * yet goes to the 5-minute table only and is folded once, when the pass gets there.
 */
static void
test_late_data(void **state)
{
	struct np_store *st = setup();
	int64_t now = H + 3600 + 300;
	fold_step(st, now, STEP_MS);
	fold_step(st, now, STEP_MS);
	assert_marks(st, "0|3600|2"); /* s1 folded, s2 and s3 not yet */
	struct np_store_stats before, after;
	np_store_get_stats(st, &before);

	rollup_at(st, 1, H + 600, 128, 0, NAN); /* s1: folded in this pass */
	np_store_get_stats(st, &after);
	assert_int_equal(after.wide_rows - before.wide_rows, 2);
	assert_table(st, "rollup_1h", "0|1|180.0|131|20.0|5.0|5.0|5.0|1");

	rollup_at(st, 3, H + 1500, 256, 0, NAN);  /* s3: not reached yet */
	rollup_at(st, 2, H + 2400, 2048, 0, NAN); /* s2: the cursor's own id, not folded yet */
	rollup_at(st, 2, H - 300, 512, 0, NAN);   /* before the mark: folded for everyone */
	np_store_get_stats(st, &after);
	assert_int_equal(after.wide_rows - before.wide_rows, 4);
	assert_int_equal(after.rollup_rows - before.rollup_rows, 4);
	assert_table(st, "rollup_1h",
	             "-3600|2|60.0|512|0.0|NULL|NULL|0.0|0\n"
	             "0|1|180.0|131|20.0|5.0|5.0|5.0|1");

	fold_step(st, now, STEP_MS);
	fold_step(st, now, STEP_MS);
	assert_marks(st, "3600|3600|0");
	/* The late rows of s2 and s3 counted once: 12 + 2048, 16 + 256. */
	assert_table(st, "rollup_1h",
	             "-3600|2|60.0|512|0.0|NULL|NULL|0.0|0\n"
	             "0|1|180.0|131|20.0|5.0|5.0|5.0|1\n"
	             "0|2|180.0|2060|0.0|1.0|1.0|1.0|1\n"
	             "0|3|120.0|272|5.0|NULL|NULL|0.0|0");

	/* After the pass: late data for any series of H goes to every table. */
	rollup_at(st, 3, H + 300, 1024, 7, 2);
	assert_table(st, "rollup_1h",
	             "-3600|2|60.0|512|0.0|NULL|NULL|0.0|0\n"
	             "0|1|180.0|131|20.0|5.0|5.0|5.0|1\n"
	             "0|2|180.0|2060|0.0|1.0|1.0|1.0|1\n"
	             "0|3|180.0|1296|7.0|2.0|2.0|2.0|1");
	assert_table(st, "rollup_1d",
	             "-36000|1|180.0|131|20.0|5.0|5.0|5.0|1\n"
	             "-36000|2|240.0|2572|0.0|1.0|1.0|1.0|1\n"
	             "-36000|3|180.0|1296|7.0|2.0|2.0|2.0|1");
	/* H+1 is still open: only in rollup_5m. */
	char *sql = np_xasprintf("SELECT count(*) FROM rollup_1h WHERE bucket = %lld", H + 3600);
	assert_int_equal(q_int(st, sql), 0);
	free(sql);
	assert_hours_match(st);
	np_store_close(st);
}

/* np_store_fold_all finishes a partial pass and folds what remains, each row once. */
static void
test_fold_all_after_partial(void **state)
{
	struct np_store *st = setup();
	char *cause = NULL;
	rollup_at(st, 2, H + 2 * 3600 + 600, 2048, 0, NAN); /* H+2, partly written */
	int64_t now = H + 3600 + 300;
	fold_step(st, now, STEP_MS);
	fold_step(st, now, STEP_MS);
	fold_step(st, now, STEP_MS);
	assert_marks(st, "0|3600|3");

	assert_int_equal(np_store_fold_all(st, &cause), 0);
	/* Folded up to the end of the last 5-minute bucket written (H+2:10). */
	assert_marks(st, "8100|8100|0");
	assert_table(st, "rollup_1h",
	             S1_H "\n" S2_H "\n" S3_H "\n"
	                  "3600|1|60.0|32|0.0|NULL|NULL|0.0|0\n"
	                  "3600|3|60.0|64|0.0|NULL|NULL|0.0|0\n"
	                  "7200|2|60.0|2048|0.0|NULL|NULL|0.0|0");
	assert_hours_match(st);
	struct np_store_stats stats;
	np_store_get_stats(st, &stats);
	assert_int_equal(stats.fold_rows, 12);              /* 6 hourly rows + 6 daily (re)writes */
	assert_int_equal(np_store_fold_all(st, &cause), 0); /* nothing new: nothing moves */
	assert_marks(st, "8100|8100|0");

	/* The rest of H+2 arrives: before the mark it is late data, after it folded later. */
	rollup_at(st, 2, H + 2 * 3600 + 300, 4096, 0, NAN);
	rollup_at(st, 2, H + 2 * 3600 + 1200, 8192, 0, NAN);
	char *sql =
	    np_xasprintf("SELECT rx_bytes FROM rollup_1h WHERE bucket = %lld", H + 2 * 3600);
	assert_int_equal(q_int(st, sql), 2048 + 4096);
	fold_step(st, H + 3 * 3600 + 300, SPREAD_MS);
	assert_marks(st, "10800|10800|0");
	assert_int_equal(q_int(st, sql), 2048 + 4096 + 8192);
	free(sql);
	assert_int_equal(q_int(st, "SELECT sum(rx_bytes) FROM rollup_1d"),
	                 q_int(st, "SELECT sum(rx_bytes) FROM rollup_5m"));
	assert_hours_match(st);
	np_store_close(st);
}

/* Hours waiting after downtime: each step folds more series, so the backlog drains. */
static void
test_backlog(void **state)
{
	struct np_store *st = setup();
	/* Three hours due (H, H+1, H+2): a 1-id budget becomes 3. */
	fold_step(st, H + 3 * 3600 + 300, STEP_MS);
	assert_marks(st, "0|3600|3");
	fold_step(st, H + 3 * 3600 + 300, STEP_MS);
	assert_marks(st, "3600|3600|0");
	fold_step(st, H + 3 * 3600 + 300, STEP_MS);
	assert_marks(st, "3600|7200|2");
	fold_step(st, H + 3 * 3600 + 300, STEP_MS); /* two hours left: budget 2 */
	assert_marks(st, "7200|7200|0");
	/* Nothing holds a row in H+2: the mark jumps to the end of what is due. */
	fold_step(st, H + 3 * 3600 + 300, STEP_MS);
	assert_marks(st, "10800|10800|0");
	assert_int_equal(q_int(st, "SELECT count(*) FROM rollup_1h"), 5);
	assert_hours_match(st);
	np_store_close(st);
}

/* A step rolled back with its batch leaves the marks, and the late-data rule, as they were. */
static void
test_rollback(void **state)
{
	struct np_store *st = setup();
	char *cause = NULL;
	assert_int_equal(np_store_begin(st, &cause), 0);
	fold_step(st, H + 3600 + 300, SPREAD_MS);
	assert_marks(st, "3600|3600|0");
	np_store_rollback(st);
	assert_rows(st, "SELECT next_5m, pass_end, cursor FROM fold",
	            "-9223372036854775807|-9223372036854775807|0");
	struct np_store_stats before, after;
	np_store_get_stats(st, &before);
	rollup_at(st, 1, H, 1, 0, NAN); /* not folded any more: 5-minute row only */
	np_store_get_stats(st, &after);
	assert_int_equal(after.wide_rows, before.wide_rows);
	assert_int_equal(q_int(st, "SELECT count(*) FROM rollup_1h"), 0);
	assert_int_equal(np_store_fold_all(st, &cause), 0);
	assert_table(st, "rollup_1h",
	             "0|1|180.0|4|20.0|5.0|5.0|5.0|1\n" S2_H "\n" S3_H
	             "\n3600|1|60.0|32|0.0|NULL|NULL|0.0|0\n"
	             "3600|3|60.0|64|0.0|NULL|NULL|0.0|0");
	np_store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pass_in_slices), cmocka_unit_test(test_not_before_end_plus_delay),
	    cmocka_unit_test(test_late_data),      cmocka_unit_test(test_fold_all_after_partial),
	    cmocka_unit_test(test_backlog),        cmocka_unit_test(test_rollback),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
