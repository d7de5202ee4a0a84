/* Rollup bucketing: exact buckets, seconds and integer shares that sum to the delta. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "engine/rollup.h"

#define MAXP 8

struct want {
	int64_t bucket_s;
	double secs;
	uint64_t share;
};

struct row {
	const char *name;
	int64_t from_ms, to_ms;
	uint64_t delta;
	int64_t width_s;
	size_t max;
	size_t n;
	struct want parts[MAXP];
};

static const struct row rows[] = {
    {"inside one bucket", 310000, 370000, 1234, NP_BUCKET_5M, MAXP, 1, {{300, 60, 1234}}},
    {"two buckets", 290000, 320000, 30, NP_BUCKET_5M, MAXP, 2, {{0, 10, 10}, {300, 20, 20}}},
    {"two buckets remainder to last",
     290000,
     320000,
     100,
     NP_BUCKET_5M,
     MAXP,
     2,
     {{0, 10, 33}, {300, 20, 67}}},
    {"three whole buckets",
     0,
     900000,
     10,
     NP_BUCKET_5M,
     MAXP,
     3,
     {{0, 300, 3}, {300, 300, 3}, {600, 300, 4}}},
    {"ends on a boundary", 0, 300000, 77, NP_BUCKET_5M, MAXP, 1, {{0, 300, 77}}},
    {"starts on a boundary", 300000, 310000, 5, NP_BUCKET_5M, MAXP, 1, {{300, 10, 5}}},
    {"millisecond edges",
     299999,
     300001,
     2,
     NP_BUCKET_5M,
     MAXP,
     2,
     {{0, 0.001, 1}, {300, 0.001, 1}}},
    {"zero delta", 290000, 320000, 0, NP_BUCKET_5M, MAXP, 2, {{0, 10, 0}, {300, 20, 0}}},
    {"gap over many buckets",
     150000,
     7350000,
     7200,
     NP_BUCKET_5M,
     32,
     25,
     {{0, 150, 150}, {300, 300, 300}, {600, 300, 300}, {900, 300, 300}}},
    {"more buckets than max",
     150000,
     7350000,
     7200,
     NP_BUCKET_5M,
     4,
     4,
     {{6300, 6450, 6450}, {6600, 300, 300}, {6900, 300, 300}, {7200, 150, 150}}},
    {"max 1 takes all", 150000, 7350000, 7200, NP_BUCKET_5M, 1, 1, {{7200, 7200, 7200}}},
    {"empty interval", 310000, 310000, 42, NP_BUCKET_5M, MAXP, 1, {{300, 0, 42}}},
    {"negative interval", 400000, 310000, 42, NP_BUCKET_5M, MAXP, 1, {{300, 0, 42}}},
    {"before the epoch", -10000, 10000, 20, NP_BUCKET_5M, MAXP, 2, {{-300, 10, 10}, {0, 10, 10}}},
    {"empty before the epoch", -1, -1, 9, NP_BUCKET_5M, MAXP, 1, {{-300, 0, 9}}},
    {"hourly",
     1700000000000,
     1700007200000,
     7200,
     NP_BUCKET_1H,
     MAXP,
     3,
     {{1699999200, 2800, 2800}, {1700002800, 3600, 3600}, {1700006400, 800, 800}}},
    {"daily",
     1700000000000,
     1700007200000,
     72,
     NP_BUCKET_1D,
     MAXP,
     2,
     {{1699920000, 6400, 64}, {1700006400, 800, 8}}},
    {"huge delta",
     290000,
     310000,
     UINT64_MAX,
     NP_BUCKET_5M,
     MAXP,
     2,
     {{0, 10, UINT64_MAX / 2}, {300, 10, UINT64_MAX / 2 + 1}}},
    {"max 0 writes nothing", 0, 1000, 5, NP_BUCKET_5M, 0, 0, {{0}}},
    {"width 0 writes nothing", 0, 1000, 5, 0, MAXP, 0, {{0}}},
};

static void
test_split_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct np_rollup_part out[32];
		memset(out, 0xa5, sizeof(out));
		size_t n = np_rollup_split(r->from_ms, r->to_ms, r->delta, r->width_s, out, r->max);
		if (n != r->n)
			fail_msg("row '%s': %zu parts, want %zu", r->name, n, r->n);
		uint64_t sum = 0;
		for (size_t j = 0; j < n; j++) {
			sum += out[j].share;
			if (j > 0 && out[j].bucket_s != out[j - 1].bucket_s + r->width_s)
				fail_msg("row '%s': part %zu bucket %lld not consecutive", r->name,
				         j, (long long)out[j].bucket_s);
			if (j >= MAXP || (j > 0 && r->parts[j].bucket_s == 0 &&
			                  r->parts[j].share == 0 && r->parts[j].secs == 0))
				continue; /* only the first parts are spelled out */
			const struct want *w = &r->parts[j];
			if (out[j].bucket_s != w->bucket_s || out[j].secs != w->secs ||
			    out[j].share != w->share)
				fail_msg("row '%s' part %zu: (%lld, %.3f, %llu), want (%lld, %.3f, "
				         "%llu)",
				         r->name, j, (long long)out[j].bucket_s, out[j].secs,
				         (unsigned long long)out[j].share, (long long)w->bucket_s,
				         w->secs, (unsigned long long)w->share);
		}
		if (n > 0 && sum != r->delta)
			fail_msg("row '%s': shares sum to %llu, want %llu", r->name,
			         (unsigned long long)sum, (unsigned long long)r->delta);
	}
}

/* The 25-bucket gap spelled out: first and last half buckets, 23 whole ones between. */
static void
test_gap_all_parts(void **state)
{
	(void)state;
	struct np_rollup_part out[32];
	size_t n = np_rollup_split(150000, 7350000, 7200, NP_BUCKET_5M, out, 32);
	assert_int_equal(n, 25);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(out[i].bucket_s, (int64_t)i * 300);
		uint64_t want = (i == 0 || i == 24) ? 150 : 300;
		assert_int_equal(out[i].share, want);
		assert_true(out[i].secs == (double)want);
	}
}

/* Shares are floor()ed per bucket, the remainder lands in the last one. */
static void
test_uneven_shares(void **state)
{
	(void)state;
	struct np_rollup_part out[8];
	/* 7 buckets of 300 s over 2100 s, delta 1000: 142 each (floor 142.857), last 148. */
	size_t n = np_rollup_split(0, 2100000, 1000, NP_BUCKET_5M, out, 8);
	assert_int_equal(n, 7);
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(out[i].share, 142);
	assert_int_equal(out[6].share, 1000 - 6 * 142);
}

static void
test_bucket(void **state)
{
	(void)state;
	struct {
		int64_t t, w, want;
	} b[] = {
	    {0, 300, 0},       {299, 300, 0},
	    {300, 300, 300},   {1700000000, 3600, 1699999200},
	    {-1, 300, -300},   {-300, 300, -300},
	    {-301, 300, -600}, {1700000000, 86400, 1699920000},
	    {86399, 86400, 0}, {-86400, 86400, -86400},
	    {12345, 0, 12345},
	};
	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++)
		if (np_rollup_bucket(b[i].t, b[i].w) != b[i].want)
			fail_msg("bucket(%lld, %lld) = %lld, want %lld", (long long)b[i].t,
			         (long long)b[i].w, (long long)np_rollup_bucket(b[i].t, b[i].w),
			         (long long)b[i].want);
}

/* The counters' split gives each counter exactly what np_rollup_split gives it alone. */
static void
test_split_counters_matches(void **state)
{
	(void)state;
	const int64_t iv[][2] = {
	    {1000, 61000},              /* inside one bucket */
	    {290000, 301000},           /* across a boundary */
	    {299999, 300001},           /* 1 ms each side */
	    {300000, 300000},           /* empty */
	    {-5000, 7000},              /* before 1970 */
	    {100000, 100000 + 3600000}, /* a gap over 13 buckets */
	};
	const uint64_t delta[NP_C_MAX] = {1000003, 7, 0, 1, UINT64_MAX / 3, 999, 12345678901ull, 2};
	enum { MAX = 16 };
	for (size_t k = 0; k < sizeof(iv) / sizeof(iv[0]); k++) {
		struct np_rollup_part parts[MAX], alone[MAX];
		uint64_t shares[NP_C_MAX * MAX];
		double rate[2];
		size_t n = np_rollup_split_counters(iv[k][0], iv[k][1], delta, 0xff, parts, shares,
		                                    MAX, rate);
		for (int c = 0; c < NP_C_MAX; c++) {
			size_t m =
			    np_rollup_split(iv[k][0], iv[k][1], delta[c], NP_BUCKET_5M, alone, MAX);
			assert_int_equal(m, n);
			for (size_t i = 0; i < n; i++) {
				assert_int_equal(parts[i].bucket_s, alone[i].bucket_s);
				assert_int_equal(shares[(size_t)c * MAX + i], alone[i].share);
			}
		}
		double secs = (double)(iv[k][1] - iv[k][0]) / 1000.0;
		assert_true(rate[0] == (secs > 0 ? (double)delta[0] / secs : 0));
		assert_true(rate[1] == (secs > 0 ? (double)delta[1] / secs : 0));
	}
	/* A counter not in the mask is left alone; no mask, no parts. */
	struct np_rollup_part parts[MAX];
	uint64_t shares[NP_C_MAX * MAX];
	double rate[2];
	memset(shares, 0xab, sizeof(shares));
	assert_int_equal(np_rollup_split_counters(0, 1000, delta, 0x1, parts, shares, MAX, rate),
	                 1);
	assert_int_equal(shares[0], delta[0]);
	assert_int_equal(shares[MAX], 0xababababababababull);
	assert_int_equal(np_rollup_split_counters(0, 1000, delta, 0, parts, shares, MAX, rate), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_split_table),
	    cmocka_unit_test(test_gap_all_parts),
	    cmocka_unit_test(test_uneven_shares),
	    cmocka_unit_test(test_bucket),
	    cmocka_unit_test(test_split_counters_matches),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
