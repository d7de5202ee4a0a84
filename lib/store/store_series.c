/*
 * Series ids: found or created with SQL. The store keeps no cache of its own: the pipeline
 * holds the one series-id cache (with the per-series engine state) and calls here only on a
 * miss, a label change, or to move last_seen forward now and then, so memory follows the
 * series the pipeline still has, not every series this process ever met.
 */
#include <string.h>

#include "store/store_int.h"
#include "util/cause.h"

static int
set_labels(struct np_store *st, int64_t id, const char *labels, char **cause)
{
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_SERIES_LABELS, cause);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	np_store_bind_text(stmt, 2, labels);
	st->stats.series_writes++;
	return np_store_exec_stmt(st, stmt, cause, "updating series labels");
}

/* last_seen only moves forward. */
static int
set_seen(struct np_store *st, int64_t id, int64_t now_s, char **cause)
{
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_SERIES_SEEN, cause);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, now_s);
	st->stats.series_writes++;
	return np_store_exec_stmt(st, stmt, cause, "updating series last_seen");
}

/* Finds the row (updating labels and last_seen) or creates it. Returns the id or -1. */
static int64_t
lookup(struct np_store *st, const char *const parts[4], const char *labels, int64_t now_s,
       char **cause)
{
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_SERIES_GET, cause);
	if (stmt == NULL)
		return -1;
	for (int i = 0; i < 4; i++)
		np_store_bind_text(stmt, i + 1, parts[i]);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(stmt, 0);
		const char *old = (const char *)sqlite3_column_text(stmt, 1);
		bool changed = old == NULL || strcmp(old, labels) != 0;
		int64_t last_seen = sqlite3_column_int64(stmt, 2);
		sqlite3_reset(stmt);
		if (changed && set_labels(st, id, labels, cause) != 0)
			return -1;
		if (now_s > last_seen && set_seen(st, id, now_s, cause) != 0)
			return -1;
		return id;
	}
	if (rc != SQLITE_DONE)
		return np_store_fail(st, rc, stmt, cause, "looking up a series");
	sqlite3_reset(stmt);

	stmt = np_store_stmt(st, NP_S_SERIES_ADD, cause);
	if (stmt == NULL)
		return -1;
	for (int i = 0; i < 4; i++)
		np_store_bind_text(stmt, i + 1, parts[i]);
	np_store_bind_text(stmt, 5, labels);
	sqlite3_bind_int64(stmt, 6, now_s);
	if (np_store_exec_stmt(st, stmt, cause, "adding a series") != 0)
		return -1;
	st->stats.series_writes++;
	return sqlite3_last_insert_rowid(st->db);
}

int64_t
np_store_series(struct np_store *st, const char *source, const char *device, const char *interface,
                const char *kind, const char *labels_json, int64_t now_s, char **cause)
{
	if (source == NULL || device == NULL)
		return np_store_failx(st, SQLITE_MISUSE, cause, "series without source or device");
	const char *parts[4] = {source, device, interface != NULL ? interface : "",
	                        kind != NULL ? kind : "if"};
	const char *labels = labels_json != NULL ? labels_json : "{}";
	uint64_t t0 = st->profile ? np_store_now_ns() : 0;
	int64_t id = lookup(st, parts, labels, now_s, cause);
	if (st->profile)
		st->stats.series_ns += np_store_now_ns() - t0;
	return id;
}

int
np_store_series_seen(struct np_store *st, int64_t series, int64_t now_s, char **cause)
{
	return set_seen(st, series, now_s, cause);
}
