/* Due instants of scheduled reports (lib/report/schedule.c), in UTC and across DST. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/schedule.h"
#include "report/usage_mail.h"

#define W NP_SCHEDULE_WEEKLY
#define M NP_SCHEDULE_MONTHLY
#define AT6 360

static void
test_weekly_utc(void **state)
{
	struct np_tz *tz = np_tz_utc();
	/* Monday 2026-10-05 06:00:00 UTC = 1791180000. */
	assert_int_equal(np_schedule_prev(W, AT6, tz, 1791179999), 1790575200); /* Mon 09-28 */
	assert_int_equal(np_schedule_next(W, AT6, tz, 1791179999), 1791180000);
	assert_int_equal(np_schedule_prev(W, AT6, tz, 1791180000), 1791180000);
	assert_int_equal(np_schedule_next(W, AT6, tz, 1791180000), 1791784800); /* Mon 10-12 */
	/* Sunday noon belongs to the week that started on Monday 09-28. */
	assert_int_equal(np_schedule_prev(W, AT6, tz, 1791115200), 1790575200);
	assert_int_equal(np_schedule_next(W, AT6, tz, 1791115200), 1791180000);
	np_tz_free(tz);
}

static void
test_monthly_utc(void **state)
{
	struct np_tz *tz = np_tz_utc();
	/* 2026-01-01 05:00: December's run is the latest, January's is at 06:00 (year edge). */
	assert_int_equal(np_schedule_prev(M, AT6, tz, 1767243600), 1764568800);
	assert_int_equal(np_schedule_next(M, AT6, tz, 1767243600), 1767247200);
	/* 2026-12-31 23:00 -> 2027-01-01 06:00. */
	assert_int_equal(np_schedule_next(M, AT6, tz, 1798758000), 1798783200);
	assert_int_equal(np_schedule_prev(M, 0, tz, 1767247200), 1767225600); /* 01-01 00:00 */
	np_tz_free(tz);
}

static void
test_weekly_zurich_dst(void **state)
{
	struct np_tz *tz = np_test_zone("Europe/Zurich");
	/* Clocks go back on Sunday 2026-10-25: Monday 10-19 06:00 CEST = 04:00 UTC, Monday
	 * 10-26 06:00 CET = 05:00 UTC; the two runs are 7 days and one hour apart. */
	assert_int_equal(np_schedule_next(W, AT6, tz, 1792454400), 1792990800);
	assert_int_equal(np_schedule_prev(W, AT6, tz, 1792989000), 1792382400);
	assert_int_equal(np_schedule_next(W, AT6, tz, 1792382400), 1792990800);
	np_tz_free(tz);
}

static void
test_dst_on_the_due_day(void **state)
{
	char *cause = NULL;
	/* A zone whose clocks change on Mondays at 02:00: forward on the first Monday of March,
	 * back on the first Monday of October. */
	struct np_tz *tz = np_tz_from_posix("XST0XDT,M3.1.1/2,M10.1.1/2", &cause);
	assert_non_null(tz);
	/* 02:30 does not exist on Monday 2026-03-02: due at the jump, 02:00 UTC. */
	assert_int_equal(np_schedule_next(W, 150, tz, 1772323200), 1772416800);
	/* 01:30 occurs twice on Monday 2026-10-05: the earlier one, 01:30 XDT = 00:30 UTC. */
	assert_int_equal(np_schedule_next(W, 90, tz, 1791072000), 1791160200);
	assert_int_equal(np_schedule_prev(W, 90, tz, 1791160200), 1791160200);
	/* Just after it (the second 01:30 has not come yet): still that run, not a second one. */
	assert_int_equal(np_schedule_next(W, 90, tz, 1791160200), 1791160200 + 7 * 86400 + 3600);
	np_tz_free(tz);
}

static void
test_usage_mail_names(void **state)
{
	struct np_tz *tz = np_test_zone("Europe/Zurich");
	/* [2026-09-28 00:00, 2026-10-05 00:00) Zurich (CEST, +02:00). */
	struct np_usage u = {.start = 1790575200 - 6 * 3600 - 7200,
	                     .end = 1791180000 - 6 * 3600 - 7200};
	struct np_usage_mail m;
	np_usage_mail_make(&u, tz, &m);
	assert_string_equal(m.subject, "Network usage report [2026-09-28 to 2026-10-04]");
	assert_string_equal(m.att_name, "usage-2026-09-28-2026-10-04.csv");
	char *text = np_usage_render(&u, NP_FMT_TEXT, tz, NULL);
	char *want = NULL;
	assert_true(asprintf(&want, "Usage report: 2026-09-28 to 2026-10-04\n\n%s", text) > 0);
	assert_string_equal(m.body, want);
	char *csv = np_usage_render(&u, NP_FMT_CSV, tz, NULL);
	assert_string_equal(m.csv, csv);
	assert_int_equal(m.csv_len, strlen(csv));
	free(csv);
	free(want);
	free(text);
	np_usage_mail_free(&m);
	np_tz_free(tz);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_weekly_utc),        cmocka_unit_test(test_monthly_utc),
	    cmocka_unit_test(test_weekly_zurich_dst), cmocka_unit_test(test_dst_on_the_due_day),
	    cmocka_unit_test(test_usage_mail_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
