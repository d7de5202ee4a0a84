#ifndef NP_CORE_FLUSH_H
#define NP_CORE_FLUSH_H
/*
 * Writing what a series holds in memory (core module only): its closed 5-minute row (and with
 * `all` its open one too), then the counter baseline that matches what the store now holds,
 * in the caller's transaction. The baseline is the readings minus what is still held, dated
 * where the held data starts, so after a crash the first reading's delta covers exactly what
 * was lost with the process: nothing missing, nothing counted twice.
 */
#include <stdbool.h>
#include <stdint.h>

#include "core/series.h"
#include "store/store.h"

/* Writes one row of series s now (np_accum_emit_fn; arg is the struct np_flush_ctx). */
struct np_flush_ctx {
	struct np_store *st;
	int64_t series;
};
int np_flush_row(const struct np_rollup_row *r, void *arg, char **cause);

/* Whether s holds anything to write (rows, or a baseline it has not written). */
bool np_flush_pending(const struct np_series *s);

/* Writes the closed row (with `all`, the open one too) and the baseline; clears what it wrote. */
int np_flush_series(struct np_store *st, struct np_series *s, bool all, char **cause);

/*
 * When a series' closed row is due, in ms after the end of its bucket: 10 to 150 s after it, in
 * 15 slots of 10 s, each a contiguous range of series ids (1..max_id in fifteenths), so that a
 * slot's rows are appended in key order after the previous slot's and its baseline rows are
 * neighbours: a commit dirties a few pages, not one per row.
 */
int64_t np_flush_delay_ms(int64_t series, int64_t max_id);

#endif
