/*
 * Period grammar, table-style. Expected instants were computed with GNU date
 * (date -d 'TZ="Europe/Berlin" 2026-03-01 00:00' +%s), not with the code under test.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "report/period.h"
#include "util/tz.h"

#define N1 1774785600LL /* 2026-03-29T12:00:00Z: Sunday, Berlin's spring-forward day */
#define N2 1793763000LL /* 2026-11-04T03:30:00Z: New York still on Tuesday Nov 3 (EST) */
#define N3 1792107000LL /* 2026-10-15T23:30:00Z: Berlin already on Oct 16 */
#define N4 1767232800LL /* 2026-01-01T02:00:00Z: Thursday; New York still in 2025 */

struct pcase {
	const char *zone;
	int64_t now;
	const char *spec;
	int64_t start, end;
};

static const struct pcase cases[] = {
    /* durations: relative to now, zone-independent */
    {"Europe/Berlin", N1, "30d", N1 - 30 * 86400, N1},
    {"Europe/Berlin", N1, "12h", N1 - 12 * 3600, N1},
    {"Europe/Berlin", N1, "90m", N1 - 90 * 60, N1},
    {"UTC", N1, "1h30m", N1 - 5400, N1},
    {"UTC", N1, "2w", N1 - 14 * 86400, N1},
    {"UTC", N1, "45s", N1 - 45, N1},
    /* Berlin, spring-forward day (23 h long) and March (31 d - 1 h) */
    {"Europe/Berlin", N1, "today", 1774738800, 1774821600},
    {"Europe/Berlin", N1, "yesterday", 1774652400, 1774738800},
    {"Europe/Berlin", N1, "this-month", 1772319600, 1774994400},
    {"Europe/Berlin", N1, "last-month", 1769900400, 1772319600},
    {"Europe/Berlin", N1, "this-week", 1774220400, 1774821600},
    {"Europe/Berlin", N1, "last-week", 1773615600, 1774220400},
    {"Europe/Berlin", N1, "this-year", 1767222000, 1798758000},
    {"Europe/Berlin", N1, "last-year", 1735686000, 1767222000},
    /* Berlin, October holds the fall-back: 31 d + 1 h */
    {"Europe/Berlin", N1, "2026-10-01..2026-10-31", 1790805600, 1793487600},
    {"Europe/Berlin", N1, "2026-10", 1790805600, 1793487600},
    {"Europe/Berlin", N1, "2026-10..2026-10", 1790805600, 1793487600},
    {"Europe/Berlin", N1, "2026-10-01T00:00..2026-10-02T12:00", 1790805600, 1790935200},
    {"Europe/Berlin", N1, "2026-10-01T00:00:00..2026-10-02T12:00:00", 1790805600, 1790935200},
    {"Europe/Berlin", N3, "today", 1792101600, 1792188000},
    {"Europe/Berlin", N3, "this-month", 1790805600, 1793487600},
    /* 02:30 happens twice on Oct 25 (the earlier one is meant); on Mar 29 it never happens
       (the jump at 01:00Z is meant) */
    {"Europe/Berlin", N1, "2026-10-25T02:30..2026-10-25T04:00", 1792888200, 1792893600 + 3600},
    {"Europe/Berlin", N1, "2026-03-29T02:30..2026-03-29T04:00", 1774746000, 1774746000 + 3600},
    /* explicit offsets win over the zone */
    {"Europe/Berlin", N1, "2026-10-01T00:00Z..2026-10-01T03:00+02:00", 1790812800, 1790816400},
    {"America/New_York", N1, "2026-10-01T00:00:00Z..2026-10-01T00:00:00-04:00", 1790812800,
     1790827200},
    /* New York: local date differs from the UTC date; Nov 1 is 25 h long */
    {"America/New_York", N2, "today", 1793682000, 1793768400},
    {"America/New_York", N2, "yesterday", 1793595600, 1793682000},
    {"America/New_York", N2, "this-week", 1793595600, 1794200400},
    {"America/New_York", N2, "last-week", 1792987200, 1793595600},
    {"America/New_York", N2, "this-month", 1793505600, 1796101200},
    {"America/New_York", N2, "last-month", 1790827200, 1793505600},
    {"America/New_York", N2, "2026-11-01", 1793505600, 1793595600},
    {"America/New_York", N2, "2026-03-08", 1772946000, 1773028800},
    {"America/New_York", N4, "today", 1767157200, 1767243600},
    {"America/New_York", N4, "this-month", 1764565200, 1767243600},
    {"America/New_York", N4, "last-month", 1761969600, 1764565200},
    {"America/New_York", N4, "this-year", 1735707600, 1767243600},
    /* UTC, across a year boundary */
    {"UTC", N4, "today", 1767225600, 1767312000},
    {"UTC", N4, "yesterday", 1767139200, 1767225600},
    {"UTC", N4, "this-week", 1766966400, 1767571200},
    {"UTC", N4, "last-week", 1766361600, 1766966400},
    {"UTC", N4, "last-month", 1764547200, 1767225600},
    {"UTC", N4, "this-month", 1767225600, 1769904000},
    {"UTC", N4, "2024-02-29", 1709164800, 1709251200},
    {"UTC", N4, "2025-12-31..", 1767139200, N4},
};

static const char *const bad[] = {
    "",
    "0d",
    "30x",
    "d",
    "-5m",
    "bogus",
    "Today",
    "2026-02-29",
    "2026-13-01",
    "2026-00",
    "2026-1-01",
    "2026-10-32",
    "2026-10-01T24:00..2026-10-02",
    "2026-10-01T12:60..2026-10-02",
    "2026-10-01T12:00", /* a single instant is not a period */
    "2026-10-02..2026-10-01",
    "..2026-10-01",
    "2026-10-01...2026-10-02",
    "2026-10-01..x",
    "2026-10-01T00:00+1:00..2026-10-02",
    "2026-10-01 ..2026-10-02",
    "2026-03-29T02:00..2026-03-29T02:30", /* both in the spring gap: empty */
    "99999999999999d",
    "1000000d",
};

static void
test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct pcase *c = &cases[i];
		struct np_tz *tz = np_test_zone(c->zone);
		struct np_period p = {0, 0};
		char *cause = NULL;
		int rc = np_period_parse(c->spec, c->now, tz, &p, &cause);
		if (rc != 0 || p.start != c->start || p.end != c->end)
			fail_msg("%s %s: rc %d [%lld, %lld) want [%lld, %lld) %s", c->zone, c->spec,
			         rc, (long long)p.start, (long long)p.end, (long long)c->start,
			         (long long)c->end, cause ? cause : "");
		np_tz_free(tz);
	}
}

static void
test_bad(void **state)
{
	(void)state;
	struct np_tz *tz = np_test_zone("Europe/Berlin");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct np_period p;
		char *cause = NULL;
		if (np_period_parse(bad[i], N1, tz, &p, &cause) != -1)
			fail_msg("\"%s\" accepted: [%lld, %lld)", bad[i], (long long)p.start,
			         (long long)p.end);
		assert_non_null(cause);
		/* The message names the input. */
		if (bad[i][0] != '\0')
			assert_non_null(strstr(cause, bad[i]));
		free(cause);
	}
	np_tz_free(tz);
}

static void
test_messages(void **state)
{
	(void)state;
	struct np_tz *tz = np_tz_utc();
	struct np_period p;
	char *cause = NULL;
	assert_int_equal(np_period_parse("2026-10-02..2026-10-01", N1, tz, &p, &cause), -1);
	assert_string_equal(cause,
	                    "invalid period \"2026-10-02..2026-10-01\": it ends before it starts");
	assert_int_equal(
	    np_period_parse("2026-10-01T00:00Z..2026-10-01T01:00+01:00", N1, tz, &p, &cause), -1);
	assert_string_equal(
	    cause, "invalid period \"2026-10-01T00:00Z..2026-10-01T01:00+01:00\": it is empty");
	assert_int_equal(np_period_parse("0h", N1, tz, &p, &cause), -1);
	assert_string_equal(cause, "invalid period \"0h\": empty");
	assert_int_equal(np_period_parse("2026-02-30", N1, tz, &p, &cause), -1);
	assert_non_null(strstr(cause, "expected a duration (30d, 12h, 90m, 1h30m), today,"));
	free(cause);
	np_tz_free(tz);
}

static void
test_duration(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		int64_t v;
	} ok[] = {{"0s", 0},
	          {"10m", 600},
	          {"1h30m", 5400},
	          {"2w1d", 15 * 86400},
	          {"30d", 2592000},
	          {"1h1h", 7200},
	          {"90m", 5400},
	          {"86400s", 86400},
	          {"73200d", 73200LL * 86400},
	          {"2000ms", 2},
	          {"1m500ms500ms", 61},
	          {"0", 0}};
	static const char *const no[] = {
	    "",       "10", "m",      "1x", "1h ", " 1h", "-1h", "1.5h", "1000000000000s",
	    "73201d", "1M", "1500ms", "5ms"};
	char *cause = NULL;
	int64_t v;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (np_duration_parse_s(ok[i].s, &v, &cause) != 0 || v != ok[i].v)
			fail_msg("%s -> %lld", ok[i].s, (long long)v);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		if (np_duration_parse_s(no[i], &v, &cause) != -1)
			fail_msg("\"%s\" accepted as %lld", no[i], (long long)v);
	}
	assert_int_equal(np_duration_parse_s("1x", &v, &cause), -1);
	assert_string_equal(
	    cause, "invalid duration \"1x\": expected e.g. 30s, 10m, 12h, 30d, 2w or 1h30m");
	free(cause);
	cause = NULL;
	assert_int_equal(np_duration_parse_s("1500ms", &v, &cause), -1);
	assert_string_equal(cause, "invalid duration \"1500ms\": not a whole number of seconds");
	free(cause);
}

static void
test_time(void **state)
{
	(void)state;
	struct np_tz *tz = np_test_zone("Europe/Berlin");
	int64_t t;
	char *cause = NULL;
	assert_int_equal(np_time_parse("2026-10-01", tz, &t, &cause), 0);
	assert_int_equal(t, 1790805600);
	assert_int_equal(np_time_parse("2026-10-02T12:00", tz, &t, &cause), 0);
	assert_int_equal(t, 1790935200);
	assert_int_equal(np_time_parse("2026-10-02T12:00:00Z", tz, &t, &cause), 0);
	assert_int_equal(t, 1790935200 + 7200);
	assert_int_equal(np_time_parse("2026-10", tz, &t, &cause), -1);
	assert_int_equal(np_time_parse("yesterday", tz, &t, &cause), -1);
	assert_string_equal(
	    cause, "invalid time \"yesterday\": expected YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]");
	free(cause);
	np_tz_free(tz);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),    cmocka_unit_test(test_bad),
	    cmocka_unit_test(test_messages), cmocka_unit_test(test_duration),
	    cmocka_unit_test(test_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
