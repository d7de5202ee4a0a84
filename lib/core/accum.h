#ifndef NP_CORE_ACCUM_H
#define NP_CORE_ACCUM_H
/*
 * A series' rollup rows while their 5-minute bucket is open (core module only). A poll adds
 * its judged deltas here, in memory; the store sees a bucket once, when it closes (DESIGN §10:
 * upserting every link's row on every poll was 90 % of a poll's cost). Two buckets are held:
 * the open one and the one closed last, which the pipeline writes a little later (spread, so
 * that the poll crossing a boundary costs what any other poll costs).
 *
 * Crash safety comes from the counters themselves: the pipeline writes a series' counter
 * baseline with its closed rows, equal to the readings minus what is still held here
 * (np_accum_unheld), so a restart judges its first reading against exactly what is stored.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/rollup.h"
#include "store/store.h"

struct np_accum {
	struct np_rollup_row open, closed;
	int64_t open_from_ms; /* where the open row's data starts (ms, UTC) */
	bool has_open, has_closed;
};

/* Most buckets one sample is spread over (a week of 5-minute buckets); more are merged. */
#define NP_ACCUM_MAX_PARTS 2048

/* Scratch for one split (parts and per-counter shares); one per pipeline. */
struct np_accum_scratch {
	struct np_rollup_part *parts;
	uint64_t *shares; /* [NP_C_MAX][max] */
	size_t max;       /* allocated */
	size_t limit;     /* most parts ever (more are merged into the first) */
};
/* Grows on demand up to `limit` parts. */
void np_accum_scratch_init(struct np_accum_scratch *sc, size_t limit);
void np_accum_scratch_free(struct np_accum_scratch *sc);

/* Writes one row now (a bucket pushed out while the closed one was still held, late data). */
typedef int (*np_accum_emit_fn)(const struct np_rollup_row *r, void *arg, char **cause);

/*
 * Adds a sample (deltas over [from_ms, to_ms] spread over the 5-minute buckets they cover,
 * the gauge in to_ms's bucket). Rows that can no longer be held are handed to emit. Returns
 * how many rows were emitted, or -1 if emit failed.
 */
int np_accum_add(struct np_accum *a, const struct np_sample *s, struct np_accum_scratch *sc,
                 np_accum_emit_fn emit, void *arg, char **cause);

#endif
