#ifndef NP_ENGINE_ROLLUP_H
#define NP_ENGINE_ROLLUP_H
/*
 * Rollup bucketing: which buckets an interval [from_ms, to_ms] touches and what share of a
 * delta each gets (proportional to the overlap). Pure arithmetic; the store applies it.
 */
#include <stddef.h>
#include <stdint.h>

#define NP_BUCKET_5M 300
#define NP_BUCKET_1H 3600
#define NP_BUCKET_1D 86400

struct np_rollup_part {
	int64_t bucket_s; /* bucket start, UTC seconds, multiple of the bucket width */
	double secs;      /* seconds of the interval inside this bucket */
	uint64_t share;   /* integer part of the delta for this bucket; shares sum to delta */
};

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

/* floor(t_s / width_s) * width_s, correct for negative times. */
int64_t np_rollup_bucket(int64_t t_s, int64_t width_s);

#endif
