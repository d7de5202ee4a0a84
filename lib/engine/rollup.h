#ifndef NP_ENGINE_ROLLUP_H
#define NP_ENGINE_ROLLUP_H
/*
 * Rollup bucketing: which buckets an interval [from_ms, to_ms] touches and what share of a
 * delta each gets (proportional to the overlap). Pure arithmetic; the store applies it.
 */
#include <stddef.h>
#include <stdint.h>

#include "model/obs.h"

#define NP_BUCKET_5M 300
#define NP_BUCKET_1H 3600
#define NP_BUCKET_1D 86400

struct np_rollup_part {
	int64_t bucket_s; /* bucket start, UTC seconds, multiple of the bucket width */
	double secs;      /* seconds of the interval inside this bucket */
	uint64_t share;   /* integer part of the delta for this bucket; shares sum to delta */
};

/*
 * One rollup row: what a series did in one bucket. Counter deltas summed (a counter not
 * measured adds 0), secs = seconds of counter data, peak_* = highest per-poll rate in bytes/s,
 * gauge_* over the gauge readings (min/max meaningless while gauge_n is 0).
 */
struct np_rollup_row {
	int64_t bucket_s;
	double secs;
	uint64_t c[NP_C_MAX];
	double peak_rx, peak_tx;
	double gauge_min, gauge_max, gauge_sum;
	uint32_t gauge_n;
};

/* Adds b into a (same bucket): sums add, peaks and gauge extremes merge. */
void np_rollup_row_merge(struct np_rollup_row *a, const struct np_rollup_row *b);
/* Adds one gauge reading. */
void np_rollup_row_gauge(struct np_rollup_row *r, double g);

/*
 * Splits `delta` over the buckets of width `width_s` that [from_ms, to_ms] overlaps. Writes at
 * most `max` parts and returns how many it wrote; if the interval spans more than `max`
 * buckets, the earliest are merged into the first part (so nothing is lost): parts are always
 * consecutive buckets ending with the one holding to_ms - 1. Buckets are half-open, so an
 * interval ending exactly on a boundary does not touch the next bucket. An empty or backwards
 * interval (to <= from) puts everything into to_ms's bucket with secs 0. Rounding: shares are
 * floor()ed and the remainder goes to the last bucket, so they always sum to exactly `delta`.
 * Returns 0 (writes nothing) if max is 0 or width_s <= 0.
 */
size_t np_rollup_split(int64_t from_ms, int64_t to_ms, uint64_t delta, int64_t width_s,
                       struct np_rollup_part *out, size_t max);

/*
 * One sample's counters over the 5-minute buckets: the parts of [from_ms, to_ms] (as
 * np_rollup_split, at most `max`), each counter c of `mask` split into shares[c * max + i],
 * and the sample's rates of rx and tx bytes (bytes/s; 0 for an empty interval) in rate[0..1].
 * Returns the number of parts, 0 if mask is 0.
 */
size_t np_rollup_split_counters(int64_t from_ms, int64_t to_ms, const uint64_t delta[NP_C_MAX],
                                uint32_t mask, struct np_rollup_part *parts, uint64_t *shares,
                                size_t max, double rate[2]);

/* floor(t_s / width_s) * width_s, correct for negative times. */
int64_t np_rollup_bucket(int64_t t_s, int64_t width_s);

#endif
