/*
 * `usage --per` bucket edges: local midnights (days, Monday weeks, months) in Europe/Zurich
 * across both DST changes (2026-03-29 has 23 hours, 2026-10-25 has 25), local hours with the
 * repeated hour of the fall-back as two buckets, a midnight that a DST jump skips, clipping to
 * the window, the bucket limit and --per's parsing. Expected instants are computed
 * independently (Python zoneinfo) and written out.
 */
#include "testutil.h"

#include <stdlib.h>

#include "report/usage_per.h"

/* The edges of [start, end) per `per` are exactly want[0 .. n]. */
static void
edges_are(enum np_usage_per per, const struct np_tz *tz, int64_t start, int64_t end,
          const int64_t *want, long n)
{
	int64_t *e = NULL;
	char *cause = NULL;
	long got = np_usage_per_edges(per, tz, start, end, &e, &cause);
	if (got < 0)
		fail_msg("edges: %s", cause);
	assert_int_equal(got, n);
	for (long i = 0; i <= n; i++) {
		if (e[i] != want[i])
			fail_msg("edge %ld: %lld, want %lld", i, (long long)e[i],
			         (long long)want[i]);
	}
	free(e);
}

static void
test_days_over_dst(void **state)
{
	(void)state;
	struct np_tz *tz = np_test_zone("Europe/Zurich");
	/* 2026-10-24 .. 2026-10-26 inclusive: 24 h, 25 h (the fall-back), 24 h. */
	const int64_t oct[] = {1792792800, 1792879200, 1792969200, 1793055600};
	edges_are(NP_PER_DAY, tz, oct[0], oct[3], oct, 3);
	assert_int_equal(oct[2] - oct[1], 25 * 3600);
	/* 2026-03-28 .. 2026-03-30: 24 h, 23 h (the spring-forward), 24 h. */
	const int64_t mar[] = {1774652400, 1774738800, 1774821600, 1774908000};
	edges_are(NP_PER_DAY, tz, mar[0], mar[3], mar, 3);
	assert_int_equal(mar[2] - mar[1], 23 * 3600);
	/* A window starting and ending mid-day: the first and last buckets are cut to it. */
	const int64_t cut[] = {1792879200 + 12 * 3600, 1792969200, 1792969200 + 3600};
	edges_are(NP_PER_DAY, tz, cut[0], cut[2], cut, 2);
	/* Nothing to cut: no bucket. */
	int64_t *e = (int64_t *)1;
	assert_int_equal(np_usage_per_edges(NP_PER_DAY, tz, 5, 5, &e, NULL), 0);
	assert_null(e);
	np_tz_free(tz);
}

static void
test_weeks_and_months(void **state)
{
	(void)state;
	struct np_tz *tz = np_test_zone("Europe/Zurich");
	/* October 2026 (from a Thursday): cut at Mondays 5, 12, 19 and 26 (now CET). */
	const int64_t weeks[] = {1790805600, 1791151200, 1791756000,
	                         1792360800, 1792969200, 1793487600};
	edges_are(NP_PER_WEEK, tz, weeks[0], weeks[5], weeks, 5);
	/* A Monday midnight starts a week of its own, not the one before. */
	assert_int_equal(np_usage_per_next(NP_PER_WEEK, tz, 1791151200), 1791756000);
	assert_int_equal(np_usage_per_next(NP_PER_WEEK, tz, 1791151199), 1791151200);
	/* 2026: twelve local months, March 31 days of which one 23 h long. */
	const int64_t months[] = {1767222000, 1769900400, 1772319600, 1774994400, 1777586400,
	                          1780264800, 1782856800, 1785535200, 1788213600, 1790805600,
	                          1793487600, 1796079600, 1798758000};
	edges_are(NP_PER_MONTH, tz, months[0], months[12], months, 12);
	assert_int_equal(months[3] - months[2], 31 * 86400 - 3600);
	np_tz_free(tz);
}

static void
test_hours_over_dst(void **state)
{
	(void)state;
	struct np_tz *tz = np_test_zone("Europe/Zurich");
	/* 2026-10-25 01:00 CEST .. 04:00 CET: 02:00 comes twice, each its own hour. */
	const int64_t fall[] = {1792882800, 1792886400, 1792890000, 1792893600, 1792897200};
	edges_are(NP_PER_HOUR, tz, fall[0], fall[4], fall, 4);
	/* 2026-03-29 01:00 CET .. 04:00 CEST: 02:00 never happens, two hours. */
	const int64_t spring[] = {1774742400, 1774746000, 1774749600};
	edges_are(NP_PER_HOUR, tz, spring[0], spring[2], spring, 2);
	/* Mid-hour start: the first bucket runs to the next full hour. */
	const int64_t mid[] = {1792882800 + 1800, 1792886400, 1792888200};
	edges_are(NP_PER_HOUR, tz, mid[0], mid[2], mid, 2);
	/* A zone half an hour off UTC: hours start at :30 UTC. */
	char *cause = NULL;
	struct np_tz *india = np_tz_from_posix("IST-5:30", &cause);
	if (india == NULL)
		fail_msg("%s", cause);
	const int64_t ist[] = {1790812800, 1790814600, 1790818200};
	edges_are(NP_PER_HOUR, india, ist[0], ist[2], ist, 2);
	np_tz_free(india);
	np_tz_free(tz);
}

/*
 * A zone whose DST starts at midnight (Brazil's old rule): the day of the jump starts at the
 * jump's instant, 01:00 local, and is 23 hours long.
 */
static void
test_skipped_midnight(void **state)
{
	(void)state;
	char *cause = NULL;
	struct np_tz *tz = np_tz_from_posix("<-03>3<-02>,M11.1.0/0,M2.3.0/0", &cause);
	if (tz == NULL)
		fail_msg("%s", cause);
	/* 2026-11-01 (a Sunday) 00:00 -03 = 03:00Z is the jump to 01:00 -02. */
	const int64_t e[] = {1793502000 - 86400, 1793502000, 1793502000 + 23 * 3600};
	edges_are(NP_PER_DAY, tz, e[0], e[2], e, 2);
	np_tz_free(tz);
}

static void
test_parse_and_limit(void **state)
{
	(void)state;
	enum np_usage_per p = NP_PER_NONE;
	char *cause = NULL;
	assert_int_equal(np_usage_per_parse("hour", &p, &cause), 0);
	assert_int_equal(p, NP_PER_HOUR);
	assert_int_equal(np_usage_per_parse("day", &p, &cause), 0);
	assert_int_equal(p, NP_PER_DAY);
	assert_int_equal(np_usage_per_parse("week", &p, &cause), 0);
	assert_int_equal(p, NP_PER_WEEK);
	assert_int_equal(np_usage_per_parse("month", &p, &cause), 0);
	assert_int_equal(p, NP_PER_MONTH);
	assert_int_equal(np_usage_per_parse("days", &p, &cause), -1);
	assert_string_equal(cause, "invalid --per \"days\": expected hour, day, week or month");
	free(cause);
	cause = NULL;
	struct np_tz *utc = np_tz_utc();
	int64_t *e = NULL;
	/* 12 years of hours is more than NP_USAGE_PER_MAX buckets. */
	assert_int_equal(np_usage_per_edges(NP_PER_HOUR, utc, 0, 12LL * 366 * 86400, &e, &cause),
	                 -1);
	assert_string_equal(cause,
	                    "more than 100000 buckets: use a coarser --per or a shorter --period");
	assert_null(e);
	free(cause);
	np_tz_free(utc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_days_over_dst),   cmocka_unit_test(test_weeks_and_months),
	    cmocka_unit_test(test_hours_over_dst),  cmocka_unit_test(test_skipped_midnight),
	    cmocka_unit_test(test_parse_and_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
