/* Counter engine: every verdict and its boundaries, table-driven (vnstat countercalc style). */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "engine/counter.h"

#define U32 ((uint64_t)UINT32_MAX)
#define U64 UINT64_MAX

struct row {
	const char *name;
	/* params */
	uint8_t bits;
	double max_rate;
	int64_t max_gap_ms;
	/* state before (primed unless first) */
	bool primed;
	uint64_t last;
	int64_t last_ms;
	uint64_t last_epoch;
	/* reading */
	uint64_t value;
	int64_t time_ms;
	uint64_t epoch;
	/* expected */
	enum np_verdict verdict;
	uint64_t delta;
	int64_t from_ms, to_ms;
	uint64_t epoch_after;
};

static const struct row rows[] = {
    /* name               bits rate   gap  primed last     last_ms ep  value     time   ep */
    {"first", 64, 0, 0, false, 0, 0, 0, 12345, 5000, 0, NP_V_FIRST, 0, 5000, 5000, 0},
    {"first keeps epoch", 64, 0, 0, false, 0, 0, 0, 1, 5000, 9, NP_V_FIRST, 0, 5000, 5000, 9},
    {"ok", 64, 0, 0, true, 100, 1000, 0, 300, 2000, 0, NP_V_OK, 200, 1000, 2000, 0},
    {"ok unchanged", 64, 0, 0, true, 100, 1000, 0, 100, 2000, 0, NP_V_OK, 0, 1000, 2000, 0},
    /* wrap32: (2^32-1 - old) + new + 1 */
    {"wrap32 exact", 32, 0, 0, true, U32, 1000, 0, 0, 2000, 0, NP_V_WRAP32, 1, 1000, 2000, 0},
    {"wrap32 typical", 32, 0, 0, true, U32 - 99, 1000, 0, 50, 2000, 0, NP_V_WRAP32, 150, 1000, 2000,
     0},
    {"wrap32 plausible rate", 32, 1000, 0, true, U32 - 99, 1000, 0, 400, 2000, 0, NP_V_WRAP32, 500,
     1000, 2000, 0},
    /* no max_rate: a wrap only if the old value was in the top quarter (wrap < 2^30) */
    {"wrap32 top quarter", 32, 0, 0, true, U32 - (1u << 30) + 2, 1000, 0, 0, 2000, 0, NP_V_WRAP32,
     (1u << 30) - 1, 1000, 2000, 0},
    {"wrap32 quarter edge is reset", 32, 0, 0, true, U32 - (1u << 30) + 1, 1000, 0, 0, 2000, 0,
     NP_V_RESET, 0, 1000, 2000, 0},
    {"drop32 low old value is reset", 32, 0, 0, true, 1000, 1000, 0, 10, 2000, 0, NP_V_RESET, 10,
     1000, 2000, 0},
    {"drop32 implausible wrap is reset", 32, 1e6, 0, true, 1000, 1000, 0, 10, 2000, 0, NP_V_RESET,
     10, 1000, 2000, 0},
    {"drop32 reset value implausible", 32, 1000, 0, true, 5000000, 1000, 0, 2000000, 2000, 0,
     NP_V_RESET, 0, 1000, 2000, 0},
    {"drop32 from above 2^32 is reset", 32, 0, 0, true, U32 + 10, 1000, 0, 5, 2000, 0, NP_V_RESET,
     5, 1000, 2000, 0},
    /* wrap64 */
    {"wrap64 exact", 64, 0, 0, true, U64, 1000, 0, 0, 2000, 0, NP_V_WRAP64, 1, 1000, 2000, 0},
    {"wrap64 typical", 64, 0, 0, true, U64 - 5, 1000, 0, 10, 2000, 0, NP_V_WRAP64, 16, 1000, 2000,
     0},
    {"wrap64 plausible rate", 64, 1.25e9, 0, true, U64 - 999, 1000, 0, 1000, 2000, 0, NP_V_WRAP64,
     2000, 1000, 2000, 0},
    {"drop64 with max_rate is reset", 64, 1.25e9, 0, true, 5000000000ull, 1000, 0, 1000, 2000, 0,
     NP_V_RESET, 1000, 1000, 2000, 0},
    {"drop64 reset value implausible", 64, 1.25e9, 0, true, 5000000000000ull, 1000, 0,
     4000000000000ull, 2000, 0, NP_V_RESET, 0, 1000, 2000, 0},
    {"drop64 no max_rate is reset", 64, 0, 0, true, 1000, 1000, 0, 10, 2000, 0, NP_V_RESET, 10,
     1000, 2000, 0},
    /* bits 0 (unknown) is 64, never guessed from the value's size */
    {"unknown width wraps as 64", 0, 0, 0, true, U64, 1000, 0, 0, 2000, 0, NP_V_WRAP64, 1, 1000,
     2000, 0},
    {"unknown width small value no wrap32", 0, 0, 0, true, U32, 1000, 0, 0, 2000, 0, NP_V_RESET, 0,
     1000, 2000, 0},
    {"unknown width drop is reset", 0, 0, 0, true, 700, 1000, 0, 300, 2000, 0, NP_V_RESET, 300,
     1000, 2000, 0},
    /* spike: rate > max_rate * 1.05 */
    {"rate exactly 1.05x is ok", 64, 1000, 0, true, 0, 1000, 0, 1050, 2000, 0, NP_V_OK, 1050, 1000,
     2000, 0},
    {"rate above 1.05x is spike", 64, 1000, 0, true, 0, 1000, 0, 1051, 2000, 0, NP_V_SPIKE, 0, 1000,
     2000, 0},
    {"rate exactly 1.05x over 10 s", 64, 1000, 0, true, 7, 1000, 0, 10507, 11000, 0, NP_V_OK, 10500,
     1000, 11000, 0},
    {"rate just above over 10 s", 64, 1000, 0, true, 7, 1000, 0, 10508, 11000, 0, NP_V_SPIKE, 0,
     1000, 11000, 0},
    {"odd max_rate at 1.05x", 64, 333, 0, true, 0, 0, 0, 34965, 100000, 0, NP_V_OK, 34965, 0,
     100000, 0},
    {"odd max_rate above", 64, 333, 0, true, 0, 0, 0, 34966, 100000, 0, NP_V_SPIKE, 0, 0, 100000,
     0},
    /* a delta that does not fit INT64 (a driver's all-ones) is a spike whatever max_rate says */
    {"all-ones after a reading, no max_rate", 64, 0, 0, true, 1000, 1000, 0, U64, 2000, 0,
     NP_V_SPIKE, 0, 1000, 2000, 0},
    {"all-ones after a reading, huge max_rate", 64, 1e300, 0, true, 1000, 1000, 0, U64, 2000, 0,
     NP_V_SPIKE, 0, 1000, 2000, 0},
    {"delta INT64_MAX + 1 is spike", 64, 0, 0, true, 0, 1000, 0, (uint64_t)INT64_MAX + 1, 2000, 0,
     NP_V_SPIKE, 0, 1000, 2000, 0},
    {"delta INT64_MAX is ok", 64, 0, 0, true, 0, 1000, 0, (uint64_t)INT64_MAX, 2000, 0, NP_V_OK,
     (uint64_t)INT64_MAX, 1000, 2000, 0},
    {"all-ones past max_gap is spike", 64, 0, 60000, true, 1000, 0, 0, U64, 120000, 0, NP_V_SPIKE,
     0, 0, 120000, 0},
    {"all-ones stays all-ones is ok", 64, 0, 0, true, U64, 1000, 0, U64, 2000, 0, NP_V_OK, 0, 1000,
     2000, 0},
    {"epoch change to all-ones counts nothing", 64, 0, 0, true, 100, 1000, 7, U64, 2000, 8,
     NP_V_RESET, 0, 1000, 2000, 8},
    {"drop to a value above INT64_MAX counts nothing", 64, 0, 0, true, U64 - 1, 1000, 0,
     (uint64_t)INT64_MAX + 5, 2000, 0, NP_V_RESET, 0, 1000, 2000, 0},
    {"wrap64 above INT64_MAX is a reset", 64, 1e300, 0, true, (uint64_t)INT64_MAX, 1000, 0,
     (uint64_t)INT64_MAX - 1, 2000, 0, NP_V_RESET, (uint64_t)INT64_MAX - 1, 1000, 2000, 0},
    /* gap: elapsed > max_gap, delta kept */
    {"elapsed == max_gap is ok", 64, 0, 60000, true, 10, 1000, 0, 20, 61000, 0, NP_V_OK, 10, 1000,
     61000, 0},
    {"elapsed > max_gap is gap", 64, 0, 60000, true, 10, 1000, 0, 20, 61001, 0, NP_V_GAP, 10, 1000,
     61001, 0},
    {"spike beats gap", 64, 10, 60000, true, 0, 0, 0, 1000000, 120000, 0, NP_V_SPIKE, 0, 0, 120000,
     0},
    {"plausible gap with max_rate", 64, 10, 60000, true, 0, 0, 0, 1200, 120000, 0, NP_V_GAP, 1200,
     0, 120000, 0},
    {"wrap past max_gap stays wrap", 32, 0, 60000, true, U32, 0, 0, 4, 120000, 0, NP_V_WRAP32, 5, 0,
     120000, 0},
    /* clock: time did not advance */
    {"same timestamp", 64, 0, 0, true, 10, 5000, 0, 20, 5000, 0, NP_V_CLOCK, 0, 5000, 5000, 0},
    {"time backwards", 64, 0, 0, true, 10, 5000, 0, 20, 4000, 0, NP_V_CLOCK, 0, 4000, 4000, 0},
    {"time backwards value drop", 32, 0, 0, true, U32, 5000, 0, 0, 4000, 0, NP_V_CLOCK, 0, 4000,
     4000, 0},
    /* epoch */
    {"epoch change value up is reset", 64, 0, 0, true, 100, 1000, 7, 500, 2000, 8, NP_V_RESET, 500,
     1000, 2000, 8},
    {"epoch change implausible value", 64, 100, 0, true, 100, 1000, 7, 1000000, 2000, 8, NP_V_RESET,
     0, 1000, 2000, 8},
    {"epoch change clock backwards", 64, 0, 0, true, 100, 5000, 7, 500, 4000, 8, NP_V_RESET, 0,
     4000, 4000, 8},
    {"epoch same is ok", 64, 0, 0, true, 100, 1000, 7, 500, 2000, 7, NP_V_OK, 400, 1000, 2000, 7},
    {"epoch learnt is not reset", 64, 0, 0, true, 100, 1000, 0, 500, 2000, 7, NP_V_OK, 400, 1000,
     2000, 7},
    {"epoch unknown keeps stored", 64, 0, 0, true, 100, 1000, 7, 500, 2000, 0, NP_V_OK, 400, 1000,
     2000, 7},
};

static void
test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct np_counter_state st = {.last = r->last,
		                              .last_ms = r->last_ms,
		                              .epoch = r->last_epoch,
		                              .primed = r->primed};
		struct np_counter_params p = {
		    .bits = r->bits, .max_rate = r->max_rate, .max_gap_ms = r->max_gap_ms};
		struct np_counter_result res =
		    np_counter_update(&st, &p, r->value, r->time_ms, r->epoch);
		if (res.verdict != r->verdict || res.delta != r->delta ||
		    res.from_ms != r->from_ms || res.to_ms != r->to_ms)
			fail_msg("row '%s': got %s delta %llu [%lld,%lld], want %s delta %llu "
			         "[%lld,%lld]",
			         r->name, np_verdict_names[res.verdict],
			         (unsigned long long)res.delta, (long long)res.from_ms,
			         (long long)res.to_ms, np_verdict_names[r->verdict],
			         (unsigned long long)r->delta, (long long)r->from_ms,
			         (long long)r->to_ms);
		/* The baseline always moves to the reading. */
		if (!st.primed || st.last != r->value || st.last_ms != r->time_ms ||
		    st.epoch != r->epoch_after)
			fail_msg("row '%s': state after is (%llu, %lld, %llu, %d)", r->name,
			         (unsigned long long)st.last, (long long)st.last_ms,
			         (unsigned long long)st.epoch, st.primed);
	}
}

/* One bad reading costs exactly one delta: the next one is measured from it. */
static void
test_sequence(void **state)
{
	(void)state;
	struct np_counter_state st = {0};
	struct np_counter_params p = {.bits = 32, .max_rate = 1000, .max_gap_ms = 0};
	struct {
		uint64_t v;
		int64_t t;
		enum np_verdict verdict;
		uint64_t delta;
	} seq[] = {
	    {U32 - 500, 0, NP_V_FIRST, 0}, {U32 - 100, 1000, NP_V_OK, 400},
	    {399, 2000, NP_V_WRAP32, 500}, {900000, 3000, NP_V_SPIKE, 0}, /* glitch: discarded */
	    {900800, 4000, NP_V_OK, 800}, /* measured from the glitch, not lost twice */
	    {100, 5000, NP_V_RESET, 100}, /* drop that is no plausible wrap */
	    {50, 5000, NP_V_CLOCK, 0},    /* same time: discarded, baseline moved */
	    {1050, 6000, NP_V_OK, 1000},  /* from 50 */
	};
	uint64_t total = 0;
	for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		struct np_counter_result r = np_counter_update(&st, &p, seq[i].v, seq[i].t, 0);
		assert_int_equal(r.verdict, seq[i].verdict);
		assert_int_equal(r.delta, seq[i].delta);
		total += r.delta;
	}
	assert_int_equal(total, 400 + 500 + 800 + 100 + 1000);
}

static void
test_names(void **state)
{
	(void)state;
	const char *want[] = {"first", "ok", "wrap32", "wrap64", "reset", "spike", "gap", "clock"};
	for (int i = 0; i < NP_V_MAX; i++)
		assert_string_equal(np_verdict_names[i], want[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_sequence),
	    cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
