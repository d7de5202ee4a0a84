/*
 * Maintenance windows with fixed times: one-off and recurring windows in their zones, across
 * the 2026 DST changes of Europe/Berlin (a start the clocks skip, a start that happens twice),
 * a window crossing midnight, scopes, intervals, and the errors a config gets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/maint.h"
#include "testutil.h"

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
	return np_maint_covers(m, "fc-east", "sw1", "ge-0/0/1", t) >= 0;
}

/* Daily at 02:30 for one hour, Berlin time. */
static void
test_dst_days(void **state)
{
	struct np_maint_cfg c = {
	    .at = "02:30", .duration_ms = 3600000, .timezone = "Europe/Berlin"};
	struct np_maint *m = make(&c, 1);
	/* An ordinary day (CET, +1): 01:30Z to 02:30Z. */
	assert_false(in(m, 1774661400 - 1));
	assert_true(in(m, 1774661400));
	assert_true(in(m, 1774661400 + 3599));
	assert_false(in(m, 1774661400 + 3600));
	/* 2026-03-29: 02:30 does not exist; the window starts at the jump (03:00 CEST, 01:00Z). */
	assert_false(in(m, 1774746000 - 1));
	assert_true(in(m, 1774746000));
	assert_true(in(m, 1774749600 - 1));
	assert_false(in(m, 1774749600));
	/* 2026-10-25: 02:30 happens twice; the first (CEST, 00:30Z), for one real hour. */
	assert_false(in(m, 1792888200 - 1));
	assert_true(in(m, 1792888200));
	assert_true(in(m, 1792891800 - 1));
	assert_false(in(m, 1792891800)); /* the second 02:30 (CET) is not a second window */
	np_maint_free(m);
}

static void
test_oneoff_and_weekdays(void **state)
{
	char *sat[] = {"sat"};
	struct np_maint_cfg c[] = {
	    /* 22:00 to 02:00 New York time (EST, -5): 03:00Z to 07:00Z. */
	    {.name = "upgrade",
	     .start = "2026-12-05T22:00",
	     .end = "2026-12-06T02:00",
	     .timezone = "America/New_York"},
	    /* Saturdays 23:00 UTC for 3 h: across midnight into Sunday. */
	    {.days = sat, .ndays = 1, .at = "23:00", .duration_ms = 3 * 3600000},
	};
	struct np_maint *m = make(c, 2);
	assert_int_equal(np_maint_count(m), 2);
	assert_int_equal(np_maint_covers(m, NULL, "x", "y", 1796526000), 0);
	assert_string_equal(np_maint_name(m, 0), "upgrade");
	assert_string_equal(np_maint_name(m, 1), "window 2");
	assert_int_equal(np_maint_covers(m, NULL, "x", "y", 1796540400), -1);
	assert_int_equal(np_maint_covers(m, NULL, "x", "y", 1796511600), 1);  /* Sat 23:00Z */
	assert_int_equal(np_maint_covers(m, NULL, "x", "y", 1796518800), 1);  /* Sun 01:00Z */
	assert_int_equal(np_maint_covers(m, NULL, "x", "y", 1796599800), -1); /* Sun 23:30Z */
	assert_int_equal(np_maint_covers(m, NULL, "x", "y", 1796511600 - 86400), -1); /* Fri */
	np_maint_free(m);
}

static void
sum_cb(int64_t a, int64_t b, void *arg)
{
	*(int64_t *)arg += b - a;
}

static void
test_scopes_and_intervals(void **state)
{
	struct np_maint_cfg c[] = {
	    {.at = "00:00",
	     .duration_ms = 3600000,
	     .source = "fc-east",
	     .device = "^sw",
	     .interface = "^ge-"},
	    {.at = "12:00", .duration_ms = 1800000, .source = "fc-west"},
	};
	struct np_maint *m = make(c, 2);
	int64_t t = 1796083200 + 60; /* 2026-12-01T00:01Z */
	assert_int_equal(np_maint_covers(m, "fc-west,fc-east", "sw1", "ge-0/0/1", t), 0);
	assert_int_equal(np_maint_covers(m, "fc-west", "sw1", "ge-0/0/1", t), -1);
	assert_int_equal(np_maint_covers(m, "fc-east", "rt1", "ge-0/0/1", t), -1);
	assert_int_equal(np_maint_covers(m, "fc-east", "sw1", "xe-0/0/1", t), -1);
	/* A source's COLLECTOR alert: only windows without a device or interface scope. */
	assert_int_equal(np_maint_covers(m, "fc-east", NULL, NULL, t), -1);
	assert_int_equal(np_maint_covers(m, "fc-west", NULL, NULL, t + 12 * 3600), 1);
	/* Two days: 2 x 1 h for a link of fc-east, 2 x 30 min for one of fc-west. */
	int64_t sum = 0;
	np_maint_intervals(m, "fc-east", "sw1", "ge-0/0/1", 1796083200, 1796256000, sum_cb, &sum);
	assert_int_equal(sum, 2 * 3600);
	sum = 0;
	np_maint_intervals(m, "fc-west", "rt9", "", 1796083200, 1796256000, sum_cb, &sum);
	assert_int_equal(sum, 2 * 1800);
	/* Clipped to the period. */
	sum = 0;
	np_maint_intervals(m, "fc-east", "sw1", "ge-1", 1796083200 + 1800, 1796083200 + 7200,
	                   sum_cb, &sum);
	assert_int_equal(sum, 1800);
	np_maint_free(m);
}

/*
 * Boundaries: where callers split intervals. Daily 02:30 for 1 h in Europe/Berlin across both
 * 2026 changes: on 29 March the window runs 01:00Z-02:00Z (03:00-04:00 CEST: 02:30 does not
 * exist, it starts at the jump); on 25 October 00:30Z-01:30Z (the first 02:30, CEST); the
 * second 02:30 (CET, 01:30Z) is that window's end, not another start; the next start is
 * 26 October 02:30 CET = 01:30Z.
 */
static void
test_boundaries(void **state)
{
	struct np_maint_cfg c = {
	    .at = "02:30", .duration_ms = 3600000, .timezone = "Europe/Berlin", .device = "^sw"};
	struct np_maint *m = make(&c, 1);
	struct np_maint_link l = {.sources = "fc", .device = "sw1", .interface = "ge-0/0/1"};
	struct np_maint_link other = {.sources = "fc", .device = "rt1", .interface = "x"};
	assert_int_equal(np_maint_next_boundary(m, &l, 1774746000 - 100), 1774746000);
	assert_int_equal(np_maint_next_boundary(m, &l, 1774746000), 1774749600);
	assert_int_equal(np_maint_next_boundary(m, &l, 1774749600), 1774830600);
	assert_int_equal(np_maint_next_boundary(m, &l, 1792888200 - 1), 1792888200);
	assert_int_equal(np_maint_next_boundary(m, &l, 1792891800 - 1), 1792891800);
	assert_int_equal(np_maint_next_boundary(m, &l, 1792891800), 1792978200);
	/* Not in the window's scope: no boundary; any link (NULL): the window's. */
	assert_int_equal(np_maint_next_boundary(m, &other, 1792891800), INT64_MAX);
	assert_int_equal(np_maint_next_boundary(m, NULL, 1792891800), 1792978200);
	/* Between boundaries the answer does not change. */
	assert_true(in(m, 1792888200) && in(m, 1792891800 - 1));
	assert_true(np_maint_active(m, 1792888200 - 10, 1792888200 + 1));
	assert_false(np_maint_active(m, 1792891800, 1792978200));
	/* The pieces of two days around the fall-back: two real hours, window 0. */
	int64_t sum = 0;
	np_maint_intervals(m, "fc", "sw1", "x", 1792850000, 1793000000, sum_cb, &sum);
	assert_int_equal(sum, 2 * 3600);
	np_maint_free(m);
}

/* One-off times with a UTC offset are taken as given, whatever the window's zone. */
static void
test_offsets(void **state)
{
	struct np_maint_cfg c[] = {
	    {.start = "2026-12-05T22:00-05:00",
	     .end = "2026-12-06T03:00:30Z",
	     .timezone = "Europe/Berlin"},
	    {.start = "2026-12-07T04:00:00+0100", .end = "2026-12-07 05:00", .timezone = "UTC"},
	};
	struct np_maint *m = make(c, 2);
	assert_int_equal(np_maint_covers(m, NULL, "x", "y", 1796526000 - 1), -1);
	assert_int_equal(np_maint_covers(m, NULL, "x", "y", 1796526000), 0);
	assert_int_equal(np_maint_covers(m, NULL, "x", "y", 1796526029), 0);
	assert_int_equal(np_maint_covers(m, NULL, "x", "y", 1796526030), -1);
	struct np_maint_link l = {.device = "x", .interface = "y"};
	assert_int_equal(np_maint_next_boundary(m, &l, 1796526000), 1796526030);
	/* 04:00+01:00 = 03:00Z to 05:00 UTC. */
	assert_int_equal(np_maint_next_boundary(m, &l, 1796526030), 1796526000 + 86400);
	assert_int_equal(np_maint_covers(m, NULL, "x", "y", 1796526000 + 86400 + 7199), 1);
	assert_int_equal(np_maint_covers(m, NULL, "x", "y", 1796526000 + 86400 + 7200), -1);
	np_maint_free(m);
}

/* Labels: "site=ber,role=core" style pairs the callback answers from. */
static bool
has_label(void *arg, const char *name, const char *value)
{
	char want[128];
	snprintf(want, sizeof(want), "%s=%s", name, value);
	const char *have = arg;
	size_t n = strlen(want);
	for (const char *p = have; (p = strstr(p, want)) != NULL; p += n)
		if ((p == have || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

static void
test_labels(void **state)
{
	char *labels[] = {"site", "ber", "role", "core"};
	struct np_maint_cfg c = {
	    .at = "00:00", .duration_ms = 3600000, .labels = labels, .nlabels = 4};
	struct np_maint *m = make(&c, 1);
	int64_t t = 1796083200 + 60;
	struct np_maint_link l = {.device = "sw1", .interface = "x", .has_label = has_label};
	l.arg = "site=ber,role=core,rack=4";
	assert_int_equal(np_maint_covers_link(m, &l, t), 0);
	l.arg = "site=ber,role=edge";
	assert_int_equal(np_maint_covers_link(m, &l, t), -1); /* every label must match */
	l.arg = "site=berlin,role=core";
	assert_int_equal(np_maint_covers_link(m, &l, t), -1);
	/* No labels known, or a source-level (COLLECTOR) alert: not covered. */
	assert_int_equal(np_maint_covers(m, "fc", "sw1", "x", t), -1);
	struct np_maint_link src = {.sources = "fc", .has_label = has_label, .arg = "site=ber"};
	assert_int_equal(np_maint_covers_link(m, &src, t), -1);
	/* Outside the time the labels are not asked for (NULL arg would crash strstr). */
	l.arg = NULL;
	assert_int_equal(np_maint_covers_link(m, &l, t + 3600), -1);
	np_maint_free(m);
	char *odd[] = {"site"};
	struct np_maint_cfg b = {.at = "00:00", .duration_ms = 60000, .labels = odd, .nlabels = 1};
	char *cause = NULL;
	const char *key = NULL;
	assert_null(np_maint_new(&b, 1, NULL, "UTC", NULL, &key, &cause));
	assert_string_equal(key, "labels");
	free(cause);
}

static void
bad(struct np_maint_cfg *c, size_t n, size_t want_index, const char *want_key,
    const char *want_cause)
{
	char *cause = NULL;
	size_t bi = 99;
	const char *key = NULL;
	assert_null(np_maint_new(c, n, NULL, "UTC", &bi, &key, &cause));
	assert_int_equal(bi, want_index);
	assert_string_equal(key, want_key);
	assert_string_equal(cause, want_cause);
	free(cause);
}

static void
test_errors(void **state)
{
	char *days[] = {"mon", "funday"};
	struct np_maint_cfg ok = {.at = "01:00", .duration_ms = 60000};
	struct np_maint_cfg c[2];
	c[0] = ok;
	c[1] = (struct np_maint_cfg){.at = "01:00", .duration_ms = 60000, .days = days, .ndays = 2};
	bad(c, 2, 1, "days", "unknown day \"funday\" (mon, tue, wed, thu, fri, sat, sun)");
	c[1] = (struct np_maint_cfg){.start = "2026-12-01T10:00", .end = "2026-12-01T09:00"};
	bad(c, 2, 1, "end", "end 2026-12-01T09:00 is not after start 2026-12-01T10:00");
	c[1] = (struct np_maint_cfg){.start = "2026-12-01T10", .end = "2026-12-01T11:00"};
	bad(c, 2, 1, "start",
	    "start: expected YYYY-MM-DDTHH:MM[:SS] with an optional UTC offset (Z, +01:00), got "
	    "\"2026-12-01T10\"");
	c[1] = (struct np_maint_cfg){.start = "2026-12-01T10:00", .end = "2026-12-01T11:00+1:00"};
	bad(c, 2, 1, "end",
	    "end: expected YYYY-MM-DDTHH:MM[:SS] with an optional UTC offset (Z, +01:00), got "
	    "\"2026-12-01T11:00+1:00\"");
	c[1] = (struct np_maint_cfg){.at = "25:00", .duration_ms = 60000};
	bad(c, 2, 1, "at", "at: expected HH:MM, got \"25:00\"");
	c[1] = (struct np_maint_cfg){.start = "2026-12-01T10:00", .at = "01:00"};
	bad(c, 2, 1, "start",
	    "give either start and end (one-off) or at and duration (recurring, with days)");
	c[1] = ok;
	c[1].device = "sw(";
	char *cause = NULL;
	size_t bi;
	const char *key;
	assert_null(np_maint_new(c, 2, NULL, "UTC", &bi, &key, &cause));
	assert_string_equal(key, "device");
	assert_non_null(strstr(cause, "bad regular expression \"sw(\""));
	free(cause);
	cause = NULL;
	c[1] = ok;
	c[1].timezone = "Mars/Olympus";
	assert_null(np_maint_new(c, 2, NULL, "UTC", &bi, &key, &cause));
	assert_string_equal(key, "timezone");
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dst_days),
	    cmocka_unit_test(test_oneoff_and_weekdays),
	    cmocka_unit_test(test_scopes_and_intervals),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_boundaries),
	    cmocka_unit_test(test_offsets),
	    cmocka_unit_test(test_labels),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
