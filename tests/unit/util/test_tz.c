/*
 * Time zones from TZif files. Expected offsets and instants come from GNU date / Python
 * zoneinfo (independent implementations), not from the code under test.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/civil.h"
#include "util/tz.h"

static void
iso_is(const struct np_tz *tz, int64_t t, const char *want)
{
	char b[NP_TZ_ISO_MAX];
	np_tz_iso(tz, t, b);
	assert_string_equal(b, want);
}

static void
test_offsets(void **state)
{
	(void)state;
	struct np_tz *ber = np_test_zone("Europe/Berlin"), *ny = np_test_zone("America/New_York");
	struct np_tz *utc = np_test_zone("UTC"), *syd = np_test_zone("Australia/Sydney");
	/* Berlin 2026: CEST from 2026-03-29T01:00Z to 2026-10-25T01:00Z */
	assert_int_equal(np_tz_offset(ber, 1774745999), 3600);
	assert_int_equal(np_tz_offset(ber, 1774746000), 7200);
	assert_int_equal(np_tz_offset(ber, 1792890000 - 1), 7200);
	assert_int_equal(np_tz_offset(ber, 1792890000), 3600);
	/* New York 2026: EDT from 2026-03-08T07:00Z to 2026-11-01T06:00Z */
	assert_int_equal(np_tz_offset(ny, 1772953199), -18000);
	assert_int_equal(np_tz_offset(ny, 1772953200), -14400);
	assert_int_equal(np_tz_offset(ny, 1793512800 - 1), -14400);
	assert_int_equal(np_tz_offset(ny, 1793512800), -18000);
	/* beyond the file's explicit transitions (2037): from the footer rule */
	assert_int_equal(np_tz_offset(ber, 4102444800), 3600);      /* 2100-01-01 */
	assert_int_equal(np_tz_offset(ber, 4118083200), 7200);      /* 2100-07-01 */
	assert_int_equal(np_tz_offset(syd, 4102444800), 11 * 3600); /* southern summer */
	assert_int_equal(np_tz_offset(utc, 1774746000), 0);
	iso_is(ber, 1774746000, "2026-03-29T03:00:00+02:00");
	iso_is(ber, 1774745999, "2026-03-29T01:59:59+01:00");
	iso_is(ny, 1793763000, "2026-11-03T22:30:00-05:00");
	iso_is(utc, 0, "1970-01-01T00:00:00+00:00");
	iso_is(utc, -1, "1969-12-31T23:59:59+00:00");
	np_tz_free(ber);
	np_tz_free(ny);
	np_tz_free(utc);
	np_tz_free(syd);
}

static int64_t
local(int64_t y, int mo, int d, int h, int mi)
{
	struct np_civil c = {y, mo, d, h, mi, 0};
	return np_civil_to_secs(&c);
}

static void
test_to_utc(void **state)
{
	(void)state;
	struct np_tz *ber = np_test_zone("Europe/Berlin"), *ny = np_test_zone("America/New_York");
	assert_int_equal(np_tz_to_utc(ber, local(2026, 3, 29, 0, 0)), 1774738800);
	/* gap: 02:00-03:00 does not exist; the jump instant */
	assert_int_equal(np_tz_to_utc(ber, local(2026, 3, 29, 2, 0)), 1774746000);
	assert_int_equal(np_tz_to_utc(ber, local(2026, 3, 29, 2, 59)), 1774746000);
	assert_int_equal(np_tz_to_utc(ber, local(2026, 3, 29, 3, 0)), 1774746000);
	assert_int_equal(np_tz_to_utc(ber, local(2026, 3, 29, 1, 59)), 1774745940);
	/* fold: 02:30 twice; the first (CEST) */
	assert_int_equal(np_tz_to_utc(ber, local(2026, 10, 25, 2, 30)), 1792888200);
	assert_int_equal(np_tz_to_utc(ber, local(2026, 10, 25, 3, 0)), 1792893600);
	assert_int_equal(np_tz_to_utc(ny, local(2026, 11, 1, 1, 30)), 1793511000);
	assert_int_equal(np_tz_to_utc(ny, local(2026, 3, 8, 2, 30)), 1772953200);
	assert_int_equal(np_tz_to_local(ny, 1793511000), local(2026, 11, 1, 1, 30));
	np_tz_free(ber);
	np_tz_free(ny);
}

/* The footer rule alone gives the same offsets as the file's explicit 2026-2037 table. */
static void
test_posix_matches_file(void **state)
{
	(void)state;
	static const char *const pairs[][2] = {
	    {"Europe/Berlin", "CET-1CEST,M3.5.0,M10.5.0/3"},
	    {"America/New_York", "EST5EDT,M3.2.0,M11.1.0"},
	    {"Australia/Sydney", "AEST-10AEDT,M10.1.0,M4.1.0/3"},
	    {"America/St_Johns", "NST3:30NDT,M3.2.0,M11.1.0"},
	};
	char *cause = NULL;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		struct np_tz *f = np_test_zone(pairs[i][0]),
		             *p = np_tz_from_posix(pairs[i][1], &cause);
		assert_non_null(p);
		for (int64_t t = 1767225600; t < 2145916800; t += 3599)
			if (np_tz_offset(f, t) != np_tz_offset(p, t))
				fail_msg("%s at %lld: %d vs %d", pairs[i][0], (long long)t,
				         np_tz_offset(f, t), np_tz_offset(p, t));
		np_tz_free(f);
		np_tz_free(p);
	}
	struct np_tz *j = np_tz_from_posix("<+0330>-3:30", &cause);
	assert_non_null(j);
	assert_int_equal(np_tz_offset(j, 1774746000), 12600);
	np_tz_free(j);
	static const char *const bad[] = {"",
	                                  "C-1",
	                                  "CET",
	                                  "CET-1CEST,M13.5.0,M10.5.0",
	                                  "CET-1CEST,M3.5.0",
	                                  "CET-1CEST,M3.5.0,M10.5.0/200",
	                                  "<+03-3",
	                                  "CET-25"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct np_tz *z = np_tz_from_posix(bad[i], &cause);
		if (z != NULL)
			fail_msg("rule \"%s\" accepted", bad[i]);
	}
	free(cause);
}

static void
test_load_errors(void **state)
{
	(void)state;
	char *cause = NULL;
	assert_null(np_tz_load(NULL, "Mars/Olympus_Mons", &cause));
	assert_string_equal(cause,
	                    "unknown time zone \"Mars/Olympus_Mons\" "
	                    "(/usr/share/zoneinfo/Mars/Olympus_Mons: No such file or directory)");
	assert_null(np_tz_load(NULL, "../../etc/passwd", &cause));
	assert_string_equal(cause, "invalid time zone name \"../../etc/passwd\"");
	assert_null(np_tz_load(NULL, "/etc/localtime", &cause));
	assert_null(np_tz_load(NULL, "Europe/../Europe/Berlin", &cause));
	assert_null(np_tz_load(NULL, "Europe", &cause)); /* a directory */
	assert_string_equal(cause, "unknown time zone \"Europe\" "
	                           "(/usr/share/zoneinfo/Europe is not a zone file)");
	assert_null(np_tz_load(NULL, "", &cause));

	/* A file that is not TZif, and truncated TZif. */
	char *dir = np_test_tmpdir(), *path = NULL;
	if (asprintf(&path, "%s/Bad", dir) < 0)
		fail();
	FILE *f = fopen(path, "w");
	fputs("not a zone\n", f);
	fclose(f);
	assert_null(np_tz_load(dir, "Bad", &cause));
	assert_string_equal(cause, "time zone \"Bad\": not a valid TZif file");
	size_t len;
	char *ber = np_test_read_file("/usr/share/zoneinfo/Europe/Berlin", &len);
	for (size_t cut = 0; cut < len; cut += 97) {
		struct np_tz *z = np_tz_from_tzif("cut", ber, cut, NULL);
		/* The 64-bit block ends before the footer: cuts before it must fail. */
		if (z != NULL && cut < len - 30)
			fail_msg("truncated TZif accepted at %zu of %zu", cut, len);
		np_tz_free(z);
	}
	struct np_tz *whole = np_tz_from_tzif("Berlin", ber, len, &cause);
	assert_non_null(whole);
	assert_string_equal(np_tz_name(whole), "Berlin");
	np_tz_free(whole);
	free(ber);
	remove(path);
	remove(dir);
	free(path);
	free(dir);
	free(cause);
}

static void
test_utc_without_tzdata(void **state)
{
	(void)state;
	char *cause = NULL;
	char *dir = np_test_tmpdir();
	struct np_tz *tz = np_tz_load(dir, "UTC", &cause);
	assert_non_null(tz);
	assert_string_equal(np_tz_name(tz), "UTC");
	assert_int_equal(np_tz_offset(tz, 1774746000), 0);
	np_tz_free(tz);
	remove(dir);
	free(dir);
}

static void
test_civil(void **state)
{
	(void)state;
	int64_t y;
	int m, d;
	assert_int_equal(np_civil_days(1970, 1, 1), 0);
	assert_int_equal(np_civil_days(2000, 3, 1), 11017);
	assert_int_equal(np_civil_days(1969, 12, 31), -1);
	np_civil_from_days(-719468, &y, &m, &d); /* 0000-03-01 */
	assert_int_equal(y, 0);
	assert_int_equal(m, 3);
	assert_int_equal(d, 1);
	assert_int_equal(np_civil_wday(np_civil_days(2026, 3, 29)), 0); /* Sunday */
	assert_int_equal(np_civil_mdays(2024, 2), 29);
	assert_int_equal(np_civil_mdays(2100, 2), 28);
	assert_int_equal(np_civil_mdays(2000, 2), 29);
	for (int64_t z = -800000; z < 800000; z += 37) {
		np_civil_from_days(z, &y, &m, &d);
		if (np_civil_days(y, m, d) != z)
			fail_msg("day %lld round trip", (long long)z);
	}
}

/* Weeks from Monday, months across year ends, local days and midnights across DST. */
static void
test_weeks_months_midnights(void **state)
{
	int64_t d = np_civil_days(2026, 10, 25); /* a Sunday */
	assert_int_equal(np_civil_week_start(d), np_civil_days(2026, 10, 19));
	assert_int_equal(np_civil_week_start(np_civil_days(2026, 10, 19)),
	                 np_civil_days(2026, 10, 19));
	assert_int_equal(np_civil_month_start(d, 0), np_civil_days(2026, 10, 1));
	assert_int_equal(np_civil_month_start(d, 3), np_civil_days(2027, 1, 1));
	assert_int_equal(np_civil_month_start(np_civil_days(2026, 1, 31), -1),
	                 np_civil_days(2025, 12, 1));
	assert_int_equal(np_civil_month_start(d, -22), np_civil_days(2024, 12, 1));
	struct np_tz *z = np_test_zone("Europe/Zurich");
	/* 2026-10-25 00:00 +02:00 .. 2026-10-26 00:00 +01:00: 25 hours. */
	assert_int_equal(np_tz_midnight(z, d), 1792879200);
	assert_int_equal(np_tz_midnight(z, d + 1) - np_tz_midnight(z, d), 90000);
	assert_int_equal(np_tz_day(z, 1792879200), d);
	assert_int_equal(np_tz_day(z, 1792879199), d - 1);
	np_tz_free(z);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_offsets),
	    cmocka_unit_test(test_to_utc),
	    cmocka_unit_test(test_posix_matches_file),
	    cmocka_unit_test(test_load_errors),
	    cmocka_unit_test(test_utc_without_tzdata),
	    cmocka_unit_test(test_civil),
	    cmocka_unit_test(test_weeks_months_midnights),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
