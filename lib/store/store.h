#ifndef NP_STORE_STORE_H
#define NP_STORE_STORE_H
/*
 * SQLite store (schema: schema.c). WAL, foreign keys, busy timeout; every statement prepared
 * once at open, bound, reset after use, finalized at close. The daemon writes one transaction
 * per poll batch; the CLI opens the same file read-only while the daemon runs.
 *
 * Errors: -1 with *cause. np_store_error_fatal() tells a fatal error (corrupt, schema newer,
 * not a database) from a retryable one (BUSY, LOCKED, FULL, IOERR) after a failed call.
 */
#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "engine/counter.h"
#include "engine/linkstate.h"
#include "engine/rollup.h"
#include "model/obs.h"

struct np_store;

#define NP_STORE_RDONLY 0x1

/*
 * Opens (and for read-write, creates and migrates) the database. ":memory:" works. A
 * read-write open of an existing database first runs PRAGMA quick_check and refuses a corrupt
 * one, with a cause that says what to do; a 0-byte file is taken as a new database (see
 * np_store_was_empty).
 */
struct np_store *np_store_open(const char *path, int flags, char **cause);
void np_store_close(struct np_store *st);
/* The underlying handle, for report queries in store_query.c (same module). */
struct sqlite3 *np_store_db(struct np_store *st);
bool np_store_error_fatal(const struct np_store *st);
/* SQLite's text for the last failure's code ("database or disk is full"), "" if none. */
const char *np_store_errstr(const struct np_store *st);
/*
 * The last failure was about the row written (a constraint, a value too big, a misuse), so
 * writing the same row again fails again; not about the database (full, I/O, busy, locked,
 * read-only, corrupt), which can pass.
 */
bool np_store_error_row(const struct np_store *st);
/* The read-write open found an existing 0-byte file (pre-created or truncated). */
bool np_store_was_empty(const struct np_store *st);

/*
 * Checkpoints left to the caller: SQLite no longer copies the WAL into the database inside
 * the commit that crosses 1,000 pages (a poll would pay for it); the daemon calls
 * np_store_checkpoint between polls when np_store_wal_pages() says so.
 */
int np_store_manual_checkpoint(struct np_store *st, char **cause);
/* Frames in the WAL as of the last commit (0 after a checkpoint that reset it). */
int np_store_wal_pages(const struct np_store *st);
/* A PASSIVE checkpoint (never waits for readers); not inside a transaction. */
int np_store_checkpoint(struct np_store *st, char **cause);

int np_store_begin(struct np_store *st, char **cause);
int np_store_commit(struct np_store *st, char **cause);
void np_store_rollback(struct np_store *st);

/*
 * Returns the id of series (source, device, interface, kind), creating it (with labels, a
 * JSON object text, may be NULL) if new; moves last_seen forward to now_s and updates the
 * labels if they changed. Not cached: every call runs a SELECT (and the writes it needs), so
 * callers keep ids themselves (the pipeline's series table) and call here on a miss.
 */
int64_t np_store_series(struct np_store *st, const char *source, const char *device,
                        const char *interface, const char *kind, const char *labels_json,
                        int64_t now_s, char **cause);

/* The last reading of a series' counters (table baselines), so a restart continues them. */
struct np_baseline {
	int64_t time_ms; /* UTC ms of the reading */
	uint64_t epoch;  /* the series' restart signal at that reading (0 = unknown) */
	uint32_t mask;   /* counters held: bit i = value[i] valid */
	uint64_t value[NP_C_MAX];
};
/* Upserts the series' baseline (one row per series); call inside the batch transaction. */
int np_store_baseline_save(struct np_store *st, int64_t series, const struct np_baseline *b,
                           char **cause);
/* Fills *b and returns 1 if the series has a baseline, 0 (b zeroed) if not, -1 on error. */
int np_store_baseline_load(struct np_store *st, int64_t series, struct np_baseline *b,
                           char **cause);

/*
 * Interval amounts (table amounts): what a source reports already summed over [start_s,
 * end_s) (UTC seconds), e.g. a network's bytes of one day. Idempotent: storing the same
 * series and interval again replaces the row (every counter, those not in `mask` become
 * NULL), never adds, so a re-polled window is not counted twice. Intervals that overlap
 * without being equal are different rows and both count: a source keeps to one grid (days).
 * Values above INT64_MAX are stored as INT64_MAX. Call inside the batch transaction.
 */
int np_store_amount(struct np_store *st, int64_t series, int64_t start_s, int64_t end_s,
                    const uint64_t counters[NP_C_MAX], uint32_t mask, char **cause);
/*
 * The latest end (UTC ms) of the amounts stored for the series of (source, device; NULL: any) and
 * of `interface` (NULL: any interface); 0 if none. What a collector handing out amounts still has
 * to fill after a restart. An index lookup per series of the device.
 */
int np_store_amount_mark(struct np_store *st, const char *source, const char *device,
                         const char *interface, int64_t *end_ms, char **cause);

/* What the pipeline hands over for one series and one poll. */
struct np_sample {
	int64_t from_ms, to_ms; /* the interval the deltas cover */
	uint64_t delta[NP_C_MAX];
	uint32_t mask; /* counters with a usable delta */
	double gauge;  /* sampled at to_ms */
	bool has_gauge;
};
/*
 * Adds one rollup row into rollup_5m (bucket r->bucket_s) and, when that bucket is already
 * folded for this series, into the hourly and daily rows holding it too. The daemon writes a
 * series' 5-minute row once, when its bucket closes (core/accum.h); adding again (a restart,
 * a --once run) sums.
 */
int np_store_rollup(struct np_store *st, int64_t series, const struct np_rollup_row *r,
                    char **cause);
/*
 * Adds one sample straight into the rollups: its deltas spread over the 5-minute buckets the
 * interval covers in proportion to the time each covers (engine/rollup.h), the peak rate in
 * bytes/s, the gauge in to_ms's bucket. For data that arrives already closed (tests, tools,
 * sources reporting amounts); the pipeline accumulates instead.
 */
int np_store_sample(struct np_store *st, int64_t series, const struct np_sample *s, char **cause);
/*
 * Adds `count` to a named per-series counter in the verdicts table (e.g. "missed_flaps",
 * carrier changes the polls could not see); shown with `netpulse status --explain`.
 */
int np_store_note(struct np_store *st, int64_t series, const char *name, int64_t count,
                  int64_t now_s, char **cause);
/*
 * Hourly and daily rollups are folded from the 5-minute rows one closed hour at a time
 * (store_fold.c). np_store_fold_step, inside the batch's transaction, folds a share of the
 * series proportional to elapsed_ms (a pass over all of them takes about two minutes);
 * np_store_fold_all folds everything written so far, in its own transaction unless inside one
 * (the daemon when it stops, `--once`, tests before reading rollup_1h/1d).
 */
int np_store_fold_step(struct np_store *st, int64_t now_s, int64_t elapsed_ms, char **cause);
int np_store_fold_all(struct np_store *st, char **cause);
/* Moves a series' last_seen forward (when it leaves the daemon's memory or the daemon stops). */
int np_store_series_seen(struct np_store *st, int64_t series, int64_t now_s, char **cause);
/* Counts one non-ok verdict of a series (verdicts table). */
int np_store_verdict(struct np_store *st, int64_t series, enum np_verdict v, int64_t now_s,
                     char **cause);

/*
 * Records a link-state event: the transitions row; opens an outage (to == down) or closes
 * the open one (from == down); opens/closes the unobserved interval for stale; and when
 * ev->alert != NONE an outbox row with one outbox_sink row per sink key in `sinks`.
 * `message` is the alert's human sentence. Call inside the batch transaction.
 */
int np_store_event(struct np_store *st, const struct np_ls_event *ev, const char *message,
                   int severity, const char *const *sinks, size_t nsinks, char **cause);
/* An alert not tied to a link event (COLLECTOR): outbox + outbox_sink rows only. */
struct np_store_alert {
	const char *msgid;
	int severity;
	const char *device, *interface, *state, *previous, *source;
	int64_t since_s;
	int64_t outage_seconds; /* -1 = none */
	const char *message;
	int64_t time_ms;     /* the alert's real time (UTC ms); 0 = now_s */
	const char *details; /* a group summary's per-link JSON array, or NULL */
};
int np_store_alert(struct np_store *st, const struct np_store_alert *a, int64_t now_s,
                   const char *const *sinks, size_t nsinks, char **cause);

/* Upserts the persisted state of one link (links table). */
int np_store_link_save(struct np_store *st, const struct np_ls_saved *s, char **cause);
/*
 * Deletes the row of a link that left `status` (removed for state.forget_after), if it is
 * still in state s->state; its transitions, outages and series stay.
 */
int np_store_link_delete(struct np_store *st, const struct np_ls_saved *s, char **cause);
/* Calls fn for every saved link (strings valid during the call). */
int np_store_links_load(struct np_store *st, np_ls_saved_fn fn, void *arg, char **cause);
/*
 * Down time per link from the outages table: the seconds of its closed outages, and the start
 * of its open one (0: none). For netpulse_link_down_seconds_total (core/linkstats.h).
 */
struct np_outage_sum {
	const char *device, *interface;
	int64_t closed_s;
	int64_t open_start_s;
};
typedef void (*np_outage_sum_fn)(const struct np_outage_sum *s, void *arg);
int np_store_outage_sums(struct np_store *st, np_outage_sum_fn fn, void *arg, char **cause);

/* The transitions id of the last np_store_event; 0 if it wrote none. */
int64_t np_store_last_transition_id(const struct np_store *st);
/*
 * Names alert_id as the alert of transitions ids[0..n): an outbox id, or -1 = held for a group
 * summary (alerts.group_window; np_store_held_load finds them after a restart).
 */
int np_store_transitions_alert(struct np_store *st, const int64_t *ids, size_t n, int64_t alert_id,
                               char **cause);
/* A transition whose alert is held for a group summary. */
struct np_held_row {
	int64_t id, time;
	int64_t time_ms; /* the event's real time (UTC ms) */
	const char *device, *interface, *state, *previous, *source, *alert;
	int64_t outage_seconds; /* -1 = NULL */
};
typedef void (*np_held_fn)(const struct np_held_row *r, void *arg);
int np_store_held_load(struct np_store *st, np_held_fn fn, void *arg, char **cause);

/* The outbox id (the alert's id) of the last np_store_event/np_store_alert; 0 if it queued none. */
int64_t np_store_last_alert_id(const struct np_store *st);

/* Pending alerts of one sink with an id above after_id, oldest first, at most `limit`. */
struct np_outbox_row {
	int64_t id;
	int64_t created;
	int64_t created_ms; /* the alert's real time */
	const char *msgid;
	int severity;
	const char *device, *interface, *state, *previous, *source;
	int64_t since;
	int64_t outage_seconds; /* -1 = NULL */
	const char *message;
	const char *details; /* NULL = none */
	int attempts;
};
typedef int (*np_outbox_fn)(const struct np_outbox_row *row, void *arg);
/* Returns how many rows fn was called for, or -1. Dead letters are not pending. */
int np_store_outbox_pending(struct np_store *st, const char *sink, int64_t after_id, int limit,
                            np_outbox_fn fn, void *arg, char **cause);
int np_store_outbox_done(struct np_store *st, int64_t id, const char *sink, int64_t now_s,
                         char **cause);
/* Marks n rows delivered in one transaction (or in the caller's, inside one). */
int np_store_outbox_done_many(struct np_store *st, const int64_t *ids, size_t n, const char *sink,
                              int64_t now_s, char **cause);
int np_store_outbox_attempt(struct np_store *st, int64_t id, const char *sink, char **cause);
/* Pending (undelivered, not dead) rows in total, for shutdown and status. */
int64_t np_store_outbox_count(struct np_store *st, const char *sink);
/* Rows of sink undelivered since before before_s become dead letters. Returns how many. */
int64_t np_store_outbox_expire(struct np_store *st, const char *sink, int64_t before_s,
                               int64_t now_s, char **cause);
/* One undelivered (alert, sink) row for `netpulse alerts`. */
struct np_outbox_item {
	int64_t id, time_ms;
	const char *msgid, *device, *interface, *state, *message, *sink;
	int attempts;
	int64_t queued_s, dead_s; /* dead_s 0 = pending */
};
typedef int (*np_outbox_item_fn)(const struct np_outbox_item *it, void *arg);
/* Every pending (dead = false) or dead row, by id then sink. */
int np_store_outbox_list(struct np_store *st, bool dead, np_outbox_item_fn fn, void *arg,
                         char **cause);
/* Dead letters of sink (NULL = every sink) are queued again as of now_s. Returns how many. */
int64_t np_store_outbox_retry(struct np_store *st, const char *sink, int64_t now_s, char **cause);
/* Calls fn for every sink key with pending rows, in key order (sink valid during the call). */
typedef int (*np_outbox_sink_fn)(const char *sink, int64_t pending, void *arg);
int np_store_outbox_sinks(struct np_store *st, np_outbox_sink_fn fn, void *arg, char **cause);
/*
 * Moves the pending rows of sink key `from` to `to` (a sink whose key changed spelling), in a
 * transaction of its own: not inside a batch. Returns the rows moved, or -1.
 */
int64_t np_store_outbox_rekey(struct np_store *st, const char *from, const char *to, char **cause);

/* Collector health persisted across restarts (COLLECTOR alerts are not repeated). */
int np_store_collector_save(struct np_store *st, const char *source, bool ok, int64_t since_s,
                            const char *last_error, int failures, size_t skipped,
                            const char *skip_reason, char **cause);
/*
 * Returns 1 and fills ok, since, failures (consecutive failed polls) and last_error (malloc'd)
 * if known, 0 if not, -1 on error. Each may be NULL.
 */
int np_store_collector_load(struct np_store *st, const char *source, bool *ok, int64_t *since_s,
                            int *failures, char **last_error, char **cause);

/* Runs: call at start (returns the run id) and after every batch (last_alive). */
int64_t np_store_run_start(struct np_store *st, int64_t now_s, char **cause);
int np_store_run_alive(struct np_store *st, int64_t run, int64_t now_s, char **cause);

/*
 * Deletes rows older than the retention of each table in small steps: one step is one
 * transaction deleting at most about `max_rows` rows (one 5-minute bucket of rollups, or that
 * many rows of a table with ids), so the loop is never held long. Returns 1 if more is left
 * to delete, 0 when done, -1 on error. np_store_retention runs steps until done.
 */
int np_store_retention_step(struct np_store *st, const struct np_retention_cfg *r, int64_t now_s,
                            int max_rows, char **cause);
int np_store_retention(struct np_store *st, const struct np_retention_cfg *r, int64_t now_s,
                       char **cause);
/*
 * PRAGMA quick_check, integrity_check and foreign_key_check; 0 if ok, -1 with the problems in
 * *cause. Corruption is reported as np_store_open reports it: "database F is corrupt (...)"
 * and what to do.
 */
int np_store_check(struct np_store *st, char **cause);
int np_store_vacuum(struct np_store *st, char **cause);

/*
 * Rows written since open (for the daemon's logs and bench/). The *_ns fields are filled
 * only while profiling is on (np_store_set_profile), because timing every row costs a clock
 * read: they are the time spent binding and stepping those rows.
 */
struct np_store_stats {
	uint64_t samples;       /* successful np_store_sample calls */
	uint64_t rollup_rows;   /* rollup_5m rows written (np_store_rollup) */
	uint64_t wide_rows;     /* rollup_1h/1d rows written for buckets already folded */
	uint64_t fold_rows;     /* rollup_1h/1d rows written by folding */
	uint64_t series_writes; /* series inserts and label/last_seen updates */
	uint64_t rollup_ns, series_ns;
};
void np_store_get_stats(const struct np_store *st, struct np_store_stats *out);
void np_store_set_profile(struct np_store *st, bool on);

#endif
