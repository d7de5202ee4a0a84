/*
 * Maintenance windows around DST changes and day boundaries, checked from outside: every
 * expected instant below was computed with date(1) and the system's tzdata
 * (e.g. `TZ=Europe/Berlin date -d "2026-10-25 02:30 CEST" +%s`), not with lib/util/tz.c.
 * Uses only np_maint_new, np_maint_covers and np_maint_intervals.
 *
 * Rules under test (engine/maint.h): a local start the clocks skip begins at the jump (the
 * first local time that exists after it); a local start that happens twice is its first
 * occurrence; a recurring window lasts `duration` of real (elapsed) time; weekdays are the
 * zone's local weekdays.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/maint.h"
#include "testutil.h"

#define H 3600

static struct np_maint *
make(struct np_maint_cfg *c, size_t n)
{
	char *cause = NULL;
	struct np_maint *m = np_maint_new(c, n, NULL, "UTC", NULL, NULL, &cause);
	if (m == NULL)
		fail_msg("%s", cause);
	return m;
}

static bool
in(const struct np_maint *m, int64_t t)
{
	return np_maint_covers(m, "fc", "sw1", "ge-0/0/1", t) >= 0;
}

/* [s, e) is covered and its neighbours are not. */
static void
exactly(const struct np_maint *m, int64_t s, int64_t e)
{
	assert_false(in(m, s - 1));
	assert_true(in(m, s));
	assert_true(in(m, e - 1));
	assert_false(in(m, e));
}

static void
sum_cb(int64_t a, int64_t b, void *arg)
{
	*(int64_t *)arg += b - a;
}

static int64_t
sum(const struct np_maint *m, int64_t a, int64_t b)
{
	int64_t s = 0;
	np_maint_intervals(m, "fc", "sw1", "ge-0/0/1", a, b, sum_cb, &s);
	return s;
}

/* America/New_York 2026: spring-forward Sun 03-08 02:00 EST -> 03:00 EDT, fall-back Sun
 * 11-01 02:00 EDT -> 01:00 EST (the brief's "01:30 on the fall-back day"). */
static void
test_new_york(void **state)
{
	struct np_maint_cfg c = {
	    .at = "01:30", .duration_ms = 1 * H * 1000, .timezone = "America/New_York"};
	struct np_maint *m = make(&c, 1);
	/* 01:30 EDT = 05:30Z; one real hour, so the second 01:30 (EST, 06:30Z) is outside. */
	exactly(m, 1793511000, 1793511000 + H);
	assert_int_equal(1793514600, 1793511000 + H); /* the second 01:30 EST */
	np_maint_free(m);

	struct np_maint_cfg g = {
	    .at = "02:30", .duration_ms = 1 * H * 1000, .timezone = "America/New_York"};
	m = make(&g, 1);
	/* 02:30 does not exist on 03-08: from 03:00 EDT (07:00Z) for one hour. */
	exactly(m, 1772953200, 1772953200 + H);
	np_maint_free(m);
}

/* Europe/Berlin 2026-03-29 (CET -> CEST at 01:00Z) and 2026-10-25 (CEST -> CET at 01:00Z). */
static void
test_berlin_across_the_change(void **state)
{
	/* Daily 01:30 for 2 h: on 03-29 it starts 01:30 CET (00:30Z) and lasts two real hours,
	 * to 02:30Z = 04:30 CEST (the local clock shows 3 h). */
	struct np_maint_cfg c = {
	    .at = "01:30", .duration_ms = 2 * H * 1000, .timezone = "Europe/Berlin"};
	struct np_maint *m = make(&c, 1);
	exactly(m, 1774744200, 1774744200 + 2 * H);
	np_maint_free(m);

	/* One-off whose start is skipped by the clocks: 02:30 -> the jump, 01:00Z; end 04:00
	 * CEST = 02:00Z. */
	struct np_maint_cfg o = {
	    .start = "2026-03-29T02:30", .end = "2026-03-29T04:00", .timezone = "Europe/Berlin"};
	m = make(&o, 1);
	exactly(m, 1774746000, 1774749600);
	assert_int_equal(sum(m, 1774656000, 1774915200), H);
	np_maint_free(m);

	/* One-off from the ambiguous 02:30 (first: CEST, 00:30Z) to 03:30 CET (02:30Z): two real
	 * hours for one hour on the clock. */
	struct np_maint_cfg f = {
	    .start = "2026-10-25T02:30", .end = "2026-10-25T03:30", .timezone = "Europe/Berlin"};
	m = make(&f, 1);
	exactly(m, 1792888200, 1792895400);
	assert_int_equal(sum(m, 1792800000, 1793000000), 2 * H);
	np_maint_free(m);
}

/* A Saturday window crossing midnight into the spring-forward Sunday. */
static void
test_midnight_into_dst(void **state)
{
	char *sat[] = {"sat"};
	struct np_maint_cfg c = {.days = sat,
	                         .ndays = 1,
	                         .at = "23:00",
	                         .duration_ms = 5 * H * 1000,
	                         .timezone = "Europe/Berlin"};
	struct np_maint *m = make(&c, 1);
	/* Sat 23:00 CET = 22:00Z; five real hours to 03:00Z = 05:00 CEST Sunday. */
	exactly(m, 1774735200, 1774735200 + 5 * H);
	/* Only Saturdays: not the Sunday evening after, nor the Friday before. */
	assert_false(in(m, 1774735200 + 24 * H));
	assert_false(in(m, 1774735200 - 24 * H));
	assert_true(in(m, 1774735200 + 7 * 24 * H)); /* next Saturday, CEST: 21:00Z */
	assert_false(in(m, 1774735200 + 7 * 24 * H - H - 1));
	np_maint_free(m);
}

/* Weekdays are local: a Monday 00:30 in Auckland is Sunday in UTC, a Sunday 23:00 in Los
 * Angeles runs into Monday UTC (and local). */
static void
test_local_weekdays(void **state)
{
	char *mon[] = {"mon"}, *sun[] = {"sun"};
	struct np_maint_cfg c[] = {
	    {.days = mon,
	     .ndays = 1,
	     .at = "00:30",
	     .duration_ms = H * 1000,
	     .timezone = "Pacific/Auckland",
	     .device = "^nz"},
	    {.days = sun,
	     .ndays = 1,
	     .at = "23:00",
	     .duration_ms = 2 * H * 1000,
	     .timezone = "America/Los_Angeles",
	     .device = "^la"},
	};
	struct np_maint *m = make(c, 2);
	/* Mon 2026-12-07 00:30 NZDT = Sun 2026-12-06 11:30Z. */
	assert_int_equal(np_maint_covers(m, NULL, "nz1", "x", 1796556600), 0);
	assert_int_equal(np_maint_covers(m, NULL, "nz1", "x", 1796556600 - 1), -1);
	assert_int_equal(np_maint_covers(m, NULL, "nz1", "x", 1796556600 + H), -1);
	assert_int_equal(np_maint_covers(m, NULL, "nz1", "x", 1796556600 + 24 * H), -1); /* Tue */
	assert_int_equal(np_maint_covers(m, NULL, "la1", "x", 1796556600), -1);
	/* Sun 2026-12-06 23:00 PST = Mon 07:00Z, to 09:00Z. */
	assert_int_equal(np_maint_covers(m, NULL, "la1", "x", 1796626800), 1);
	assert_int_equal(np_maint_covers(m, NULL, "la1", "x", 1796626800 + 2 * H - 1), 1);
	assert_int_equal(np_maint_covers(m, NULL, "la1", "x", 1796626800 + 2 * H), -1);
	assert_int_equal(np_maint_covers(m, NULL, "la1", "x", 1796626800 - 24 * H), -1); /* Sat */
	np_maint_free(m);
}

/* A week holding a DST change: every day's 02:30 window gives one real hour, 7 h in all. */
static void
test_weeks_sum(void **state)
{
	struct np_maint_cfg c = {
	    .at = "02:30", .duration_ms = H * 1000, .timezone = "Europe/Berlin"};
	struct np_maint *m = make(&c, 1);
	/* Mon 2026-03-23 00:00 CET .. Mon 2026-03-30 00:00 CEST (a 167 h week). */
	assert_int_equal(sum(m, 1774220400, 1774821600), 7 * H);
	/* Mon 2026-10-19 00:00 CEST .. Mon 2026-10-26 00:00 CET (169 h). */
	assert_int_equal(sum(m, 1792360800, 1792969200), 7 * H);
	/* The spring-forward Sunday alone (23 h): its one window, 01:00Z..02:00Z. */
	assert_int_equal(sum(m, 1774738800, 1774821600), H);
	np_maint_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_new_york),
	    cmocka_unit_test(test_berlin_across_the_change),
	    cmocka_unit_test(test_midnight_into_dst),
	    cmocka_unit_test(test_local_weekdays),
	    cmocka_unit_test(test_weeks_sum),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
