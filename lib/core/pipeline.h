#ifndef NP_CORE_PIPELINE_H
#define NP_CORE_PIPELINE_H
/*
 * The pipeline is the one place where collectors, engines, store and alerts meet (DESIGN §2).
 * A batch goes in; counter deltas, link-state events, their outbox rows and the persisted link
 * state come out, all in ONE SQLite transaction. If that transaction fails (a full disk), the
 * batch's deltas are lost (and counted), but the link-state engine keeps what it saw: the
 * events and link rows the transaction would have written are held in memory (bounded) and
 * written, oldest first, by every later transaction until one commits. An outage that begins
 * and ends while the disk is full is stored once, with its real times, when space returns.
 *
 * Two clocks (DESIGN §6): every call takes the wall time (now_ms, UTC, dates and buckets what
 * is stored) and the monotonic time (mono_ms, np_mono_ms()) on which the link-state engine
 * runs every duration and deadline; a batch carries both (np_batch.mono_ms). A link-state
 * event or saved link row is dated with the wall clock current when it is stored (mono time +
 * wall-mono offset of that ingest/tick); restored link times are converted back the same way.
 * So a wall-clock step hides no outage and raises no STALE; only the dates move with it.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "engine/linkstate.h"
#include "model/obs.h"
#include "store/store.h"
#include "util/logcb.h"

struct np_pipeline;

struct np_pipeline_stats {
	uint64_t batches, observations, samples, events, alerts, failed_batches;
	uint64_t flushes; /* series that wrote rows (a closed bucket, or out of the ordinary) */
	uint64_t series;  /* series held in memory (ids and counter baselines) */
	uint64_t verdicts[NP_V_MAX];
	uint64_t replayed; /* replay readings skipped: the series had judged them already */
};

/*
 * Creates the pipeline on an open read-write store, restoring link state from it and
 * recording a new daemon run. `cfg` must outlive the pipeline or be replaced with
 * np_pipeline_set_config() before it is freed.
 */
struct np_pipeline *np_pipeline_new(struct np_store *st, const struct np_config *cfg,
                                    const struct np_logger *lg, int64_t now_ms, int64_t mono_ms,
                                    char **cause);
void np_pipeline_free(struct np_pipeline *p);
void np_pipeline_set_config(struct np_pipeline *p, const struct np_config *cfg);
/* Sink keys every new alert is queued for (outbox_sink rows). Copied. */
void np_pipeline_set_sinks(struct np_pipeline *p, const char *const *keys, size_t n);

/* Ingests one batch of source `src` (one transaction). */
int np_pipeline_ingest(struct np_pipeline *p, const struct np_source_cfg *src,
                       const struct np_batch *b, int64_t now_ms, int64_t mono_ms, char **cause);
/*
 * The end (UTC ms) of the latest interval amount stored for source's series of `device` (NULL:
 * any), 0 if none (or if the store cannot say: logged; re-filling is harmless, amounts
 * replace). Backs the collector context's amount_mark. Amount observations (o->is_amount) are
 * stored by np_pipeline_ingest in the batch's transaction, series kind "usage" (top talkers:
 * "talker-dst"/"talker-src", o->amount_kind), never through the counter engine; an amount
 * observation carries nothing else (no gauge, no link state).
 */
int64_t np_pipeline_amount_mark(struct np_pipeline *p, const char *source, const char *device,
                                const char *interface);
/*
 * Reports a poll's outcome for the source's health. A change (ok -> failing, failing -> ok,
 * or failing at first sight) queues one COLLECTOR alert and logs once; repeated failures do
 * not. A failing source extends no down look's multi-collector wait (links that waited for it
 * are due at np_pipeline_next_deadline). Returns 1 if the health changed, 0 if not, -1 on a
 * store error.
 */
int np_pipeline_source_status(struct np_pipeline *p, const struct np_source_cfg *src, bool ok,
                              const char *why, int64_t now_ms, char **cause);
/* Applies time-based link rules (debounce, stale, flap end, group waits) at mono_ms. */
int np_pipeline_tick(struct np_pipeline *p, int64_t now_ms, int64_t mono_ms, char **cause);
/* When np_pipeline_tick next has something to do (MONOTONIC ms), or INT64_MAX. */
int64_t np_pipeline_next_deadline(const struct np_pipeline *p);
/*
 * Drops from memory the links gone (stale) for state.forget_after, and at once those that
 * never alerted; their rows stay in the database. Links removed for state.forget_after leave
 * memory and their `links` row (so `status`); their events, outages and series stay. Returns
 * how many. O(links): housekeeping.
 */
size_t np_pipeline_forget_links(struct np_pipeline *p, int64_t mono_ms);
/* Alerts queued since creation: the dispatcher is kicked when this moves. */
uint64_t np_pipeline_alerts_queued(const struct np_pipeline *p);
const struct np_pipeline_stats *np_pipeline_stats(const struct np_pipeline *p);

/*
 * Storage health as the pipeline's transactions see it, for the daemon's STORAGE alert. A
 * streak starts with the first transaction that fails and ends with the first ingest or tick
 * that commits (and so has written everything held).
 */
struct np_pipeline_storage {
	bool failing;
	uint64_t failed;  /* failed transactions in the current (or last) streak */
	int64_t since_ms; /* the streak's first failure (the now_ms passed in) */
	int64_t until_ms; /* the commit that ended the last streak */
	const char
	    *error;      /* SQLite's text for the streak's first error; valid until the next call */
	size_t held;     /* link-state transitions waiting in memory */
	uint64_t stored; /* held transitions written by the commit that ended the last streak */
	uint64_t dropped; /* transitions lost: memory bound reached, or a row the db refuses */
};
void np_pipeline_storage(const struct np_pipeline *p, struct np_pipeline_storage *out);
/*
 * Writes everything held in memory: each series' open and closed 5-minute rows with their
 * baselines, the hourly/daily folds of all of it, pending link-state rows, runs.last_alive.
 * The daemon calls it when it stops (and after a --once run), tests before reading rollups.
 * Polling may go on afterwards (the next bucket rows add to the ones written).
 */
int np_pipeline_flush(struct np_pipeline *p, int64_t now_ms, int64_t mono_ms, char **cause);
/*
 * What the metrics read (a scrape on the daemon's loop, between batches): every link the
 * link-state engine holds, with its counters (core/linkstats.h) at now_ms/mono_ms, and every
 * series in memory with the sums of its deltas since it entered memory. Neither touches the
 * store. Strings are valid during the call only.
 */
struct np_link_view {
	const char *device, *interface;
	const char *sources; /* the deciding sources, comma-separated, or "" */
	enum np_state state;
	bool flapping;
	uint64_t changes; /* transitions since the daemon started */
	int64_t down_s;   /* down seconds in the store's history and now (never decreases) */
};
typedef void (*np_link_view_fn)(const struct np_link_view *v, void *arg);
void np_pipeline_each_link(struct np_pipeline *p, int64_t now_ms, int64_t mono_ms,
                           np_link_view_fn fn, void *arg);
struct np_series_view {
	const char *source, *device, *interface;
	const char *labels;    /* `,k="v"...` (escaped), or "" */
	uint32_t mask;         /* counters that had a delta (bit NP_C_*) */
	const uint64_t *total; /* [NP_C_MAX] */
};
typedef void (*np_series_view_fn)(const struct np_series_view *v, void *arg);
void np_pipeline_each_series(const struct np_pipeline *p, np_series_view_fn fn, void *arg);

/* Forgets the state of sources no longer configured (after a reload). */
void np_pipeline_forget_source(struct np_pipeline *p, const char *source);

#endif
