/*
 * Counter and rollup engines on arbitrary readings: every verdict's delta follows its rule,
 * the state always moves, a known max_rate bounds every counted delta, no counted delta exceeds
 * INT64_MAX (a rise above it is a spike), and the rollup split of each result covers its
 * interval with shares summing to the delta.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/counter.h"
#include "engine/rollup.h"

#define CHECK(c, what)                                                                             \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "fuzz_counter: %s\n", what);                               \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t
take(const uint8_t **p, const uint8_t *end, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = (v << 8) | (*p < end ? *(*p)++ : 0);
	return v;
}

static int64_t
floor_s(int64_t ms)
{
	return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

static void
check_split(const struct np_counter_result *r, int64_t width, size_t max)
{
	struct np_rollup_part parts[8];
	size_t n = np_rollup_split(r->from_ms, r->to_ms, r->delta, width, parts, max);
	CHECK(n >= 1 && n <= max, "part count");
	uint64_t sum = 0;
	double secs = 0;
	for (size_t i = 0; i < n; i++) {
		sum += parts[i].share;
		secs += parts[i].secs;
		CHECK(parts[i].bucket_s == np_rollup_bucket(parts[i].bucket_s, width), "aligned");
		CHECK(i == 0 || parts[i].bucket_s == parts[i - 1].bucket_s + width, "consecutive");
		CHECK(parts[i].secs >= 0 && parts[i].share <= r->delta, "part bounds");
	}
	CHECK(sum == r->delta, "shares sum to the delta");
	double want = (double)(r->to_ms - r->from_ms) / 1000.0;
	CHECK(secs > want - 1e-6 * (1 + want) && secs < want + 1e-6 * (1 + want), "seconds");
	int64_t last_ms = r->to_ms > r->from_ms ? r->to_ms - 1 : r->to_ms;
	CHECK(parts[n - 1].bucket_s == np_rollup_bucket(floor_s(last_ms), width), "last bucket");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	uint8_t c = (uint8_t)take(&p, end, 1);
	struct np_counter_params cp = {
	    .bits = (c & 3) == 0   ? 0
	            : (c & 3) == 1 ? 32
	                           : 64,
	    .max_rate = (c & 4) ? (double)take(&p, end, 4) : 0,
	    .max_gap_ms = (c & 8) ? (int64_t)take(&p, end, 3) : 0,
	};
	struct np_counter_state st = {0};
	int64_t t = (int64_t)take(&p, end, 4);
	while (p < end) {
		uint8_t op = (uint8_t)take(&p, end, 1);
		uint64_t v = take(&p, end, (op & 7) + 1);
		if (op & 0x80)
			v = UINT64_MAX - v; /* near the top, where wraps live */
		t += (int64_t)take(&p, end, 2) - ((op & 0x40) ? 1000 : 0);
		uint64_t epoch = (op & 0x20) ? (op >> 3) & 3 : 0;

		struct np_counter_state before = st;
		struct np_counter_result r = np_counter_update(&st, &cp, v, t, epoch);
		CHECK(st.primed && st.last == v && st.last_ms == t, "state moves to the reading");
		CHECK(r.to_ms == t && r.from_ms <= r.to_ms, "interval");
		int64_t el = r.to_ms - r.from_ms;
		switch (r.verdict) {
		case NP_V_FIRST:
			CHECK(!before.primed && r.delta == 0, "first");
			break;
		case NP_V_OK:
		case NP_V_GAP:
			CHECK(v >= before.last && r.delta == v - before.last, "ok/gap delta");
			CHECK((r.verdict == NP_V_GAP) == (cp.max_gap_ms > 0 && el > cp.max_gap_ms),
			      "gap iff elapsed > max_gap");
			break;
		case NP_V_WRAP32:
			CHECK(cp.bits == 32 && v < before.last &&
			          r.delta == (uint64_t)UINT32_MAX - before.last + v + 1,
			      "wrap32");
			break;
		case NP_V_WRAP64:
			CHECK(cp.bits != 32 && v < before.last && r.delta == v - before.last,
			      "wrap64");
			break;
		case NP_V_RESET:
			CHECK(r.delta == 0 || r.delta == v, "reset counts from zero");
			break;
		case NP_V_SPIKE:
		case NP_V_CLOCK:
			CHECK(r.delta == 0, "discarded");
			break;
		default:
			CHECK(0, "verdict out of range");
		}
		if (before.primed && epoch != 0 && before.epoch != 0 && epoch != before.epoch)
			CHECK(r.verdict == NP_V_RESET, "an epoch change is a reset");
		/* Every counted delta fits the store's signed 64-bit columns. */
		CHECK(r.delta <= (uint64_t)INT64_MAX, "delta fits INT64");
		if (v >= before.last && v - before.last > (uint64_t)INT64_MAX && before.primed &&
		    (epoch == 0 || before.epoch == 0 || epoch == before.epoch) &&
		    t > before.last_ms)
			CHECK(r.verdict == NP_V_SPIKE, "a rise above INT64_MAX is a spike");
		if (cp.max_rate > 0 && r.delta > 0)
			CHECK(el > 0 &&
			          (double)r.delta * 1000.0 <= cp.max_rate * 1.0500001 * (double)el,
			      "counted rate within max_rate * 1.05");
		check_split(&r, (op & 1) ? NP_BUCKET_5M : NP_BUCKET_1H,
		            1 + (size_t)((op >> 1) & 7));
	}
	return 0;
}
