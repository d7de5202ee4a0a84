#ifndef NP_CORE_PIPELINE_H
#define NP_CORE_PIPELINE_H
/*
 * The pipeline is the one place where collectors, engines, store and alerts meet (DESIGN §2).
 * A batch goes in; counter deltas, link-state events, their outbox rows and the persisted link
 * state come out, all in ONE SQLite transaction. If that transaction fails, the batch's deltas
 * are lost (and counted), and the link-state engine is rebuilt from the database so the next
 * observation re-derives every event that was not stored: an alert is never lost.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "model/obs.h"
#include "store/store.h"
#include "util/logcb.h"

struct np_pipeline;

struct np_pipeline_stats {
	uint64_t batches, observations, samples, events, alerts, failed_batches;
	uint64_t series; /* series held in memory (ids and counter baselines) */
	uint64_t verdicts[NP_V_MAX];
};

/*
 * Creates the pipeline on an open read-write store, restoring link state from it and
 * recording a new daemon run. `cfg` must outlive the pipeline or be replaced with
 * np_pipeline_set_config() before it is freed.
 */
struct np_pipeline *np_pipeline_new(struct np_store *st, const struct np_config *cfg,
                                    const struct np_logger *lg, int64_t now_ms, char **cause);
void np_pipeline_free(struct np_pipeline *p);
void np_pipeline_set_config(struct np_pipeline *p, const struct np_config *cfg);
/* Sink keys every new alert is queued for (outbox_sink rows). Copied. */
void np_pipeline_set_sinks(struct np_pipeline *p, const char *const *keys, size_t n);

/* Ingests one batch of source `src` (one transaction). */
int np_pipeline_ingest(struct np_pipeline *p, const struct np_source_cfg *src,
                       const struct np_batch *b, int64_t now_ms, char **cause);
/*
 * Reports a poll's outcome for the source's health. A change (ok -> failing, failing -> ok,
 * or failing at first sight) queues one COLLECTOR alert and logs once; repeated failures do
 * not. Returns 1 if the health changed, 0 if not, -1 on a store error.
 */
int np_pipeline_source_status(struct np_pipeline *p, const struct np_source_cfg *src, bool ok,
                              const char *why, int64_t now_ms, char **cause);
/* Applies time-based link rules (debounce, stale, flap end) at now_ms. */
int np_pipeline_tick(struct np_pipeline *p, int64_t now_ms, char **cause);
/* When np_pipeline_tick next has something to do (wall ms), or INT64_MAX. */
int64_t np_pipeline_next_deadline(const struct np_pipeline *p);
/* Alerts queued since creation: the dispatcher is kicked when this moves. */
uint64_t np_pipeline_alerts_queued(const struct np_pipeline *p);
const struct np_pipeline_stats *np_pipeline_stats(const struct np_pipeline *p);
/* Forgets the state of sources no longer configured (after a reload). */
void np_pipeline_forget_source(struct np_pipeline *p, const char *source);

#endif
