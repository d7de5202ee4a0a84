#ifndef NP_ENGINE_COUNTER_H
#define NP_ENGINE_COUNTER_H
/*
 * Counter engine (DESIGN §5): turns successive raw cumulative readings of one counter into a
 * delta and a verdict. Pure: no I/O, no clock; time is passed in (UTC ms).
 */
#include <stdbool.h>
#include <stdint.h>

enum np_verdict {
	NP_V_FIRST,  /* no previous reading: baseline only, delta 0 */
	NP_V_OK,     /* delta = new - old */
	NP_V_WRAP32, /* 32-bit counter wrapped once: delta = (2^32 - 1 - old) + new + 1 */
	NP_V_WRAP64, /* 64-bit counter wrapped once: delta = (2^64 - 1 - old) + new + 1 */
	NP_V_RESET,  /* counter restarted: delta = new (counted from zero) when plausible, else 0 */
	NP_V_SPIKE,  /* rate > max rate * 1.05, or delta > INT64_MAX: discarded (0), baseline moved
	              */
	NP_V_GAP,    /* elapsed > max_gap: delta kept (caller spreads it over the buckets) */
	NP_V_CLOCK,  /* time went backwards (or did not advance): discarded, baseline moved */
	NP_V_MAX
};
/* "first", "ok", "wrap32", "wrap64", "reset", "spike", "gap", "clock" */
extern const char *const np_verdict_names[NP_V_MAX];

/* Last accepted reading of one counter (zero-initialise; `primed` false = no reading yet). */
struct np_counter_state {
	uint64_t last;
	int64_t last_ms;
	uint64_t epoch;
	bool primed;
};

struct np_counter_params {
	uint8_t bits; /* 32 or 64; 0 = unknown, treated as 64 */
	/*
	 * Plausibility limit in counter units per second (bytes/s for byte counters, derived from
	 * link speed or the configured max_rate); 0 = no limit known. Used for the spike clamp
	 * (rate > max_rate * 1.05) and to decide wrap versus reset.
	 */
	double max_rate;
	int64_t max_gap_ms; /* 0 = no gap detection */
};

struct np_counter_result {
	enum np_verdict verdict;
	uint64_t delta;  /* units counted for [from_ms, to_ms] */
	int64_t from_ms; /* previous reading time (== to_ms for FIRST) */
	int64_t to_ms;   /* this reading time */
};

/*
 * Feeds one reading. `epoch` is the series' restart signal (0 = unknown): a different
 * non-zero epoch than the stored one is a reset, whatever the values say.
 * Rules, in order:
 *  1. not primed                              -> FIRST
 *  2. epoch changed (both non-zero)           -> RESET (delta = value if plausible)
 *  3. time_ms <= last_ms                      -> CLOCK
 *  4. value >= last: delta = value - last     -> OK, or GAP if elapsed > max_gap,
 *                                                or SPIKE if the rate is implausible
 *  5. value < last: for bits 32 (and last <= UINT32_MAX) the wrap delta is tried, for 64
 *     the 64-bit wrap delta; it is a WRAP if its rate is plausible (or, with no max_rate,
 *     if it is smaller than 2^(bits-2), i.e. the old value was in the top quarter);
 *     otherwise RESET with delta = value when that rate is plausible, else delta 0.
 *     A plausible wrap stays WRAP even when elapsed > max_gap (the interval still says it).
 * "Plausible" means delta <= INT64_MAX and rate <= max_rate * 1.05 (the rate always passes when
 * max_rate is 0), so a counted delta always fits a signed 64-bit column. A RESET whose time
 * did not advance, and every CLOCK, has delta 0 and from_ms == to_ms == time_ms.
 * The state always moves to (value, time_ms, epoch), so one bad reading costs one delta; an
 * epoch of 0 (unknown) keeps the stored one.
 */
struct np_counter_result np_counter_update(struct np_counter_state *st,
                                           const struct np_counter_params *p, uint64_t value,
                                           int64_t time_ms, uint64_t epoch);

#endif
