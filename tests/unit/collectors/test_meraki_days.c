/*
 * Meraki days: boundaries are local midnights as UTC instants (expected values computed
 * independently with Python's zoneinfo), DST days of 25 and 23 hours, the backfill cap, the
 * stored mark, and the day differencing with its clamp.
 */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>

#include "collectors/meraki_days.h"
#include "util/tz.h"

#define H 3600
#define D 86400
/* UTC midnights */
#define U0925 1790294400LL
#define U1022 1792627200LL
#define U1023 1792713600LL
#define U1024 1792800000LL
#define U1025 1792886400LL
/* Europe/Zurich midnights */
#define Z1023 1792706400LL
#define Z1024 1792792800LL
#define Z1025 1792879200LL
#define Z1026 1792969200LL
#define Z0328 1774652400LL
#define Z0329 1774738800LL
#define Z0330 1774821600LL

static void
test_utc(void **state)
{
	struct np_tz *tz = np_test_zone("UTC");
	int64_t b[NP_MERAKI_BOUNDS_MAX], now = U1025 + 10 * H;
	assert_int_equal(np_meraki_day_start(tz, now), U1025);
	assert_int_equal(np_meraki_day_start(tz, U1025), U1025);
	assert_int_equal(np_meraki_day_next(tz, U1025), U1025 + D);
	assert_int_equal(np_meraki_day_next(tz, now), U1025 + D);

	assert_int_equal(np_meraki_bounds(now, tz, 3 * D, 0, b), 4);
	assert_int_equal(b[0], U1022);
	assert_int_equal(b[1], U1023);
	assert_int_equal(b[2], U1024);
	assert_int_equal(b[3], U1025);

	/* Stored up to the end of 10-23: only 10-24 is missing. */
	assert_int_equal(np_meraki_bounds(now, tz, 3 * D, U1024, b), 2);
	assert_int_equal(b[0], U1024);
	assert_int_equal(b[1], U1025);
	/* A mark older than the backfill: the backfill wins. */
	assert_int_equal(np_meraki_bounds(now, tz, 2 * D, U1022, b), 3);
	assert_int_equal(b[0], U1023);
	/* A mark that is no midnight here is rounded up (never overlap a stored day). */
	assert_int_equal(np_meraki_bounds(now, tz, 3 * D, U1023 + 5 * H, b), 2);
	assert_int_equal(b[0], U1024);
	/* Yesterday stored: nothing; a mark inside today (clock, zone change): nothing. */
	assert_int_equal(np_meraki_bounds(now, tz, 3 * D, U1025, b), 0);
	assert_int_equal(np_meraki_bounds(now, tz, 3 * D, U1025 + 5 * H, b), 0);
	assert_int_equal(np_meraki_bounds(now, tz, 3 * D, U1025 + 3 * D, b), 0);
	/* Less than a whole day of backfill fills nothing; fractions of a day are dropped. */
	assert_int_equal(np_meraki_bounds(now, tz, 12 * H, 0, b), 0);
	assert_int_equal(np_meraki_bounds(now, tz, D + 23 * H, 0, b), 2);
	assert_int_equal(b[0], U1024);
	/* At midnight exactly, the day just ended is complete. */
	assert_int_equal(np_meraki_bounds(U1025, tz, D, 0, b), 2);
	assert_int_equal(b[0], U1024);
	assert_int_equal(b[1], U1025);
	np_tz_free(tz);
}

static void
test_backfill_cap(void **state)
{
	struct np_tz *tz = np_test_zone("UTC");
	int64_t b[NP_MERAKI_BOUNDS_MAX], now = U1025 + 10 * H;
	assert_int_equal(np_meraki_bounds(now, tz, 30 * D, 0, b), 31);
	assert_int_equal(b[0], U0925);
	assert_int_equal(b[30], U1025);
	for (size_t i = 0; i < 30; i++)
		assert_int_equal(b[i + 1] - b[i], D);
	/* More than 30 days asked: 30 (the API's t0 reaches 31 days back). */
	assert_int_equal(np_meraki_bounds(now, tz, 60 * D, 0, b), 31);
	assert_int_equal(b[0], U0925);
	np_tz_free(tz);
}

static void
test_zurich_25h(void **state)
{
	struct np_tz *tz = np_test_zone("Europe/Zurich");
	int64_t b[NP_MERAKI_BOUNDS_MAX], now = Z1026 + 10 * H;
	assert_int_equal(np_meraki_bounds(now, tz, 3 * D, 0, b), 4);
	assert_int_equal(b[0], Z1023);
	assert_int_equal(b[1], Z1024);
	assert_int_equal(b[2], Z1025);
	assert_int_equal(b[3], Z1026);
	assert_int_equal(b[3] - b[2], 25 * H); /* clocks went back on 2026-10-25 */
	assert_int_equal(b[2] - b[1], 24 * H);
	/* 00:30 UTC on 10-26 is 01:30 local: day 10-26, the 25-h day is complete. */
	assert_int_equal(np_meraki_day_start(tz, Z1026 + H / 2), Z1026);
	/* 23:30 UTC on 10-25 is still 10-25 locally (00:30 CET on 10-26 is 23:30 UTC). */
	assert_int_equal(np_meraki_day_start(tz, Z1026 - H / 2), Z1025);
	/* Inside the repeated hour (02:30 CEST and 02:30 CET) the day is 10-25. */
	assert_int_equal(np_meraki_day_start(tz, Z1025 + 2 * H + H / 2), Z1025);
	assert_int_equal(np_meraki_day_start(tz, Z1025 + 3 * H + H / 2), Z1025);
	assert_int_equal(np_meraki_day_next(tz, Z1025), Z1026);
	/* A UTC midnight as the mark (day_tz was UTC): 10-24 00:00 UTC is 02:00 CEST, rounded
	 * up to the next local midnight, so only the 25-h day 10-25 is missing. */
	assert_int_equal(np_meraki_bounds(now, tz, 3 * D, U1024, b), 2);
	assert_int_equal(b[0], Z1025);
	assert_int_equal(b[1], Z1026);
	np_tz_free(tz);
}

static void
test_zurich_23h(void **state)
{
	struct np_tz *tz = np_test_zone("Europe/Zurich");
	int64_t b[NP_MERAKI_BOUNDS_MAX], now = Z0330 + 12 * H;
	assert_int_equal(np_meraki_bounds(now, tz, 2 * D, 0, b), 3);
	assert_int_equal(b[0], Z0328);
	assert_int_equal(b[1], Z0329);
	assert_int_equal(b[2], Z0330);
	assert_int_equal(b[1] - b[0], 24 * H);
	assert_int_equal(b[2] - b[1], 23 * H); /* clocks went forward on 2026-03-29 */
	/* 01:30 UTC on 03-29 is 03:30 CEST: still 03-29. */
	assert_int_equal(np_meraki_day_start(tz, Z0329 + 2 * H + H / 2), Z0329);
	/* Yesterday stored (mark = today's midnight): nothing. */
	assert_int_equal(np_meraki_bounds(now, tz, 2 * D, Z0330, b), 0);
	np_tz_free(tz);
}

static void
test_kb_bytes(void **state)
{
	assert_int_equal(np_meraki_kb_bytes(1536.5), 1536500);
	assert_int_equal(np_meraki_kb_bytes(2.25), 2250);
	assert_int_equal(np_meraki_kb_bytes(0.0004), 0);
	assert_int_equal(np_meraki_kb_bytes(0.0006), 1);
	assert_int_equal(np_meraki_kb_bytes(0), 0);
	assert_int_equal(np_meraki_kb_bytes(-3), 0);
	assert_int_equal(np_meraki_kb_bytes(NAN), 0);
	assert_true(np_meraki_kb_bytes(1e300) == UINT64_MAX);
	assert_true(np_meraki_kb_bytes(1e15) == 1000000000000000000ULL);
}

static void
test_diff(void **state)
{
	/* 3 boundaries x 2 groups: since(B0), since(B1), since(B2). */
	const struct np_meraki_usage since[] = {
	    {.sent_kb = 300.5, .recv_kb = 1000.25}, {.sent_kb = 10, .recv_kb = 10},
	    {.sent_kb = 100.25, .recv_kb = 400},    {.sent_kb = 12, .recv_kb = 5},
	    {.sent_kb = 50, .recv_kb = 0},          {.sent_kb = 0, .recv_kb = 0},
	};
	struct np_meraki_day_bytes out[4];
	assert_int_equal(np_meraki_days_diff(since, 3, 2, out), 1);
	assert_int_equal(out[0].rx_bytes, 600250);
	assert_int_equal(out[0].tx_bytes, 200250);
	assert_int_equal(out[1].rx_bytes, 5000);
	assert_int_equal(out[1].tx_bytes, 0); /* 10 - 12 kB: clamped, counted */
	assert_int_equal(out[2].rx_bytes, 400000);
	assert_int_equal(out[2].tx_bytes, 50250);
	assert_int_equal(out[3].rx_bytes, 5000);
	assert_int_equal(out[3].tx_bytes, 12000);

	/* Sums of the same clients in another order differ in the last bits: 0, not clamped.
	 * Sums are rounded at the end: three clients of 0.0004 kB make one byte. */
	volatile double a = 0.1, b = 0.2;
	const struct np_meraki_usage tiny[] = {
	    {.sent_kb = 0.3, .recv_kb = 0.0004 + 0.0004 + 0.0004},
	    {.sent_kb = a + b, .recv_kb = 0},
	};
	assert_int_equal(np_meraki_days_diff(tiny, 2, 1, out), 0);
	assert_int_equal(out[0].tx_bytes, 0);
	assert_int_equal(out[0].rx_bytes, 1);

	/* Fewer than two boundaries: no day. */
	assert_int_equal(np_meraki_days_diff(since, 1, 2, out), 0);
	assert_int_equal(np_meraki_days_diff(since, 0, 2, out), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_utc),        cmocka_unit_test(test_backfill_cap),
	    cmocka_unit_test(test_zurich_25h), cmocka_unit_test(test_zurich_23h),
	    cmocka_unit_test(test_kb_bytes),   cmocka_unit_test(test_diff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
