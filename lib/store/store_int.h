#ifndef NP_STORE_STORE_INT_H
#define NP_STORE_STORE_INT_H
/*
 * Internals shared by the store_*.c files of this module only (struct np_store, the prepared
 * statement table). Not for other modules: they use store.h.
 */
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/rollup.h"
#include "store/store.h"

/* Every statement the store runs; texts in store_sql.c, prepared on first use. */
enum np_stmt {
	NP_S_BEGIN,
	NP_S_BEGIN_RO,
	NP_S_COMMIT,
	NP_S_ROLLBACK,
	NP_S_SERIES_GET,
	NP_S_SERIES_ADD,
	NP_S_SERIES_LABELS,
	NP_S_SERIES_SEEN,
	NP_S_BASELINE_SAVE,
	NP_S_BASELINE_LOAD,
	NP_S_AMOUNT_PUT,
	NP_S_AMOUNT_MARK,
	NP_S_ROLLUP_5M,
	NP_S_ROLLUP_1H,
	NP_S_ROLLUP_1D,
	NP_S_VERDICT,
	NP_S_NOTE,
	NP_S_TRANSITION,
	NP_S_LINK_SOURCES,
	NP_S_OUTAGE_OPEN,
	NP_S_OUTAGE_CLOSE,
	NP_S_UNOBS_OPEN,
	NP_S_UNOBS_CLOSE,
	NP_S_MAINT_MARK,
	NP_S_MAINT_EXTEND,
	NP_S_MAINT_ADD,
	NP_S_PRUNE_MAINT,
	NP_S_MAINT_LABELS,
	NP_S_OUTBOX_ADD,
	NP_S_OUTBOX_SINK_ADD,
	NP_S_OUTBOX_PENDING,
	NP_S_OUTBOX_DONE,
	NP_S_OUTBOX_ATTEMPT,
	NP_S_OUTBOX_COUNT,
	NP_S_OUTBOX_COUNT_ALL,
	NP_S_OUTBOX_SINKS,
	NP_S_OUTBOX_REKEY,
	NP_S_OUTBOX_REKEY_DUPS,
	NP_S_OUTBOX_EXPIRE,
	NP_S_OUTBOX_LIST,
	NP_S_OUTBOX_RETRY,
	NP_S_OUTBOX_RETRY_ALL,
	NP_S_TRANSITION_ALERT,
	NP_S_HELD_LOAD,
	NP_S_LINK_SAVE,
	NP_S_LINK_DELETE,
	NP_S_LINKS_LOAD,
	NP_S_COLLECTOR_SAVE,
	NP_S_COLLECTOR_LOAD,
	NP_S_RUN_START,
	NP_S_RUN_ALIVE,
	NP_S_PRUNE_5M,
	NP_S_PRUNE_1H,
	NP_S_PRUNE_1D,
	NP_S_PRUNE_AMOUNTS,
	NP_S_PRUNE_TRANSITIONS,
	NP_S_PRUNE_OUTAGES,
	NP_S_PRUNE_UNOBSERVED,
	NP_S_PRUNE_OUTBOX,
	NP_S_FOLD_GET,
	NP_S_FOLD_SET,
	NP_S_FOLD_READ,
	NP_S_FOLD_LAST,
	NP_S_FOLD_FIRST,
	NP_S_FOLD_MAXID,
	NP_S_MAX
};
const char *np_store_sql(enum np_stmt id);

/* Most buckets one sample is spread over (a week of 5-minute buckets); more are merged. */
#define NP_STORE_MAX_PARTS 2048

struct np_store {
	sqlite3 *db;
	int flags;
	int last_rc; /* primary result code of the last failure, SQLITE_OK if none */
	sqlite3_stmt *stmt[NP_S_MAX];
	struct np_store_stats stats;
	bool profile;
	/* Scratch for np_store_sample: parts and per-counter shares of one rollup width. */
	struct np_rollup_part *parts;
	uint64_t *shares; /* [NP_C_MAX][NP_STORE_MAX_PARTS] */
	/* The fold marks (store_fold.c): valid if loaded; reloaded after a rollback. */
	int64_t fold_next, fold_end, fold_cursor;
	bool fold_loaded;
	struct np_rollup_row *fold_sum; /* scratch: one row per series id of a fold slice */
	size_t fold_cap;
	bool was_empty;        /* the read-write open found a 0-byte file */
	int wal_pages;         /* frames in the WAL after the last commit (sqlite3_wal_hook) */
	int64_t last_alert_id; /* outbox id of the last np_store_event/np_store_alert; 0 = none */
	int64_t last_transition_id; /* transitions id of the last np_store_event; 0 = none */
};

/* The prepared statement (prepared once, kept until close), or NULL with *cause. */
sqlite3_stmt *np_store_stmt(struct np_store *st, enum np_stmt id, char **cause);
/* Records a failure (rc) with "what: sqlite message" in *cause; resets stmt if given. */
int np_store_fail(struct np_store *st, int rc, sqlite3_stmt *stmt, char **cause, const char *what);
/* Records a failure that is not SQLite's (rc says how fatal it is). */
int np_store_failx(struct np_store *st, int rc, char **cause, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Steps a statement that returns no rows, then resets it. 0 or -1. */
int np_store_exec_stmt(struct np_store *st, sqlite3_stmt *stmt, char **cause, const char *what);

/* Binds helpers: text NULL binds "", times in ms become UTC seconds (floor). */
void np_store_bind_text(sqlite3_stmt *stmt, int i, const char *s);
int64_t np_store_ms_to_s(int64_t ms);
uint64_t np_store_now_ns(void);

/* Adds r into the hourly and daily rows holding the 5-minute bucket bucket_s. */
int np_store_rollup_wide(struct np_store *st, int64_t series, const struct np_rollup_row *r,
                         int64_t bucket_s, char **cause);
/* Whether (5-minute bucket, series) is already folded into rollup_1h/1d: 1, 0, or -1. */
int np_store_folded(struct np_store *st, int64_t bucket, int64_t series, char **cause);

/* PRAGMA quick_check; on damage -1 with np_store_corrupt's cause (store_maint.c). */
int np_store_quick_check(struct np_store *st, const char *path, char **cause);
/* Records SQLITE_CORRUPT with "database PATH is corrupt (DETAIL): what to do". */
int np_store_corrupt(struct np_store *st, const char *path, const char *detail, char **cause);

#endif
