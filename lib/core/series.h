#ifndef NP_CORE_SERIES_H
#define NP_CORE_SERIES_H
/*
 * The pipeline's per-series memory (core module only): the one series-id cache and each
 * series' counter baselines, keyed (source, device, interface). Memory follows the series a
 * source still lists: a complete batch drops the ones it no longer lists, and series not
 * observed for a while are dropped too (sources that send only incomplete batches). Dropping
 * loses nothing that matters: the baselines are in the store (table baselines) and are read
 * back when the series returns.
 *
 * A batch that fails must leave every series that wrote rows in it as it found it (the rows
 * are gone with the transaction; a series that only added to its accumulators in memory lost
 * nothing): np_series_tab_save() keeps the copy of its state from before the batch changed it,
 * np_series_tab_undo() puts the copies back, np_series_tab_commit() forgets them.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/accum.h"
#include "engine/counter.h"
#include "model/obs.h"
#include "store/store.h"

/* What a batch changes in a series (and a failed batch gives back). */
struct np_series_state {
	struct np_counter_state c[NP_C_MAX];
	uint64_t carrier_changes;
	bool has_carrier_changes;
	struct np_accum acc; /* rollup rows not written yet */
	uint8_t bits;        /* counter width of the last reading (32/64; 0 unknown = 64) */
	/* Sums of the deltas taken since the series entered memory (netpulse_*_total). */
	uint64_t total[NP_C_MAX];
	uint32_t total_mask; /* counters that ever had a delta */
};

struct np_series {
	int64_t id; /* series row id; 0 = look it up (again) */
	struct np_series_state v;
	uint64_t labels_hash;
	int64_t seen_ms;   /* monotonic time of the last observation */
	int64_t idle_ms;   /* dropped from memory when not observed for this long */
	uint32_t gen;      /* source generation that last listed it */
	uint32_t saved;    /* batch number of the copy in the undo log */
	bool restored;     /* baseline read from the store (once per life in memory) */
	char *prom_labels; /* its labels as `,k="v"...` for the metrics (owned; NULL: none) */
};

struct np_series_tab;

struct np_series_tab *np_series_tab_new(void);
void np_series_tab_free(struct np_series_tab *t);
/* The series of (source, device, interface), created zeroed if new. */
struct np_series *np_series_tab_get(struct np_series_tab *t, const char *source, const char *device,
                                    const char *interface);
size_t np_series_tab_count(const struct np_series_tab *t);
/* How many series of `source` are held. */
size_t np_series_tab_source_count(const struct np_series_tab *t, const char *source);

/*
 * Keeps `before` (s->v as it was before this batch touched it) for np_series_tab_undo(); once
 * per batch, later calls are no-ops.
 */
void np_series_tab_save(struct np_series_tab *t, struct np_series *s,
                        const struct np_series_state *before);
/* Calls fn for every series (flushing at shutdown, before a sweep or prune). */
typedef int (*np_series_fn)(struct np_series *s, void *arg);
int np_series_tab_foreach(struct np_series_tab *t, np_series_fn fn, void *arg);
/* Calls fn for every series with its key (for the metrics); fn must not change the table. */
typedef void (*np_series_key_fn)(const char *source, const char *device, const char *interface,
                                 const struct np_series *s, void *arg);
void np_series_tab_each_keyed(const struct np_series_tab *t, np_series_key_fn fn, void *arg);
/* The batch is stored: the copies are dropped. */
void np_series_tab_commit(struct np_series_tab *t);
/*
 * The batch failed: every series saved in it gets its state back, and every id is looked up
 * again (a series created in the rolled-back transaction is gone).
 */
void np_series_tab_undo(struct np_series_tab *t);

/*
 * Whether a series is about to leave memory: it belongs to `source` and its gen differs from
 * `gen` (UINT32_MAX: every series of the source), or (source NULL) it was not observed for its
 * idle time at now_ms (monotonic). Its held rows must be written first (np_series_tab_each_leaving
 * inside the transaction), then np_series_tab_drop removes them once that committed.
 */
struct np_series_leaving {
	const char *source; /* NULL: idle sweep */
	uint32_t gen;
	int64_t now_ms;
};
int np_series_tab_each_leaving(struct np_series_tab *t, const struct np_series_leaving *w,
                               np_series_fn fn, void *arg);
size_t np_series_tab_drop(struct np_series_tab *t, const struct np_series_leaving *w);

/* Primes the counters the baseline holds. */
void np_series_restore(struct np_series *s, const struct np_baseline *b);
/*
 * The baseline to store after a reading at time_ms updated the counters in `mask`: those
 * whose state is that reading's, under one epoch (a counter whose remembered epoch differs,
 * possible only when the reading's epoch is unknown, is left out: it will start as "first"
 * after a restart rather than be judged against the wrong epoch).
 */
void np_series_baseline(const struct np_series *s, uint32_t mask, int64_t time_ms,
                        struct np_baseline *b);

#endif
