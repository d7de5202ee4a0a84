/*
 * State that survives a restart: per-link engine state, per-source collector health and
 * daemon runs (the gaps between runs are unobserved time).
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/xmalloc.h"
#include "util/cause.h"

static const char *
state_name(enum np_state s)
{
	return (unsigned)s < NP_ST_MAX ? np_state_names[s] : "unknown";
}

int
np_store_link_save(struct np_store *st, const struct np_ls_saved *s, char **cause)
{
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_LINK_SAVE, cause);
	if (stmt == NULL)
		return -1;
	/* Stored in UTC seconds like every time column; restored as whole seconds. */
	np_store_bind_text(stmt, 1, s->device);
	np_store_bind_text(stmt, 2, s->interface);
	np_store_bind_text(stmt, 3, state_name(s->state));
	sqlite3_bind_int64(stmt, 4, np_store_ms_to_s(s->since_ms));
	np_store_bind_text(stmt, 5, state_name(s->last_known));
	sqlite3_bind_int(stmt, 6, s->ever_up ? 1 : 0);
	sqlite3_bind_int(stmt, 7, s->flapping ? 1 : 0);
	sqlite3_bind_int64(stmt, 8, np_store_ms_to_s(s->outage_start_ms));
	np_store_bind_text(stmt, 9, state_name(s->pending));
	sqlite3_bind_int64(stmt, 10, np_store_ms_to_s(s->pending_since_ms));
	sqlite3_bind_int64(stmt, 11, np_store_ms_to_s(s->last_change_ms));
	if (s->sources != NULL)
		sqlite3_bind_text(stmt, 12, s->sources, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, 12);
	return np_store_exec_stmt(st, stmt, cause, "saving a link");
}

int
np_store_link_delete(struct np_store *st, const struct np_ls_saved *s, char **cause)
{
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_LINK_DELETE, cause);
	if (stmt == NULL)
		return -1;
	np_store_bind_text(stmt, 1, s->device);
	np_store_bind_text(stmt, 2, s->interface);
	np_store_bind_text(stmt, 3, state_name(s->state));
	return np_store_exec_stmt(st, stmt, cause, "deleting a link");
}

static int
col_state(struct np_store *st, sqlite3_stmt *stmt, int i, enum np_state *out, char **cause)
{
	const char *name = (const char *)sqlite3_column_text(stmt, i);
	int v = name != NULL ? np_state_parse(name) : -1;
	if (v < 0)
		return np_store_failx(st, SQLITE_CORRUPT, cause, "links: %s '%s' is not a state",
		                      sqlite3_column_name(stmt, i), name != NULL ? name : "NULL");
	*out = (enum np_state)v;
	return 0;
}

int
np_store_links_load(struct np_store *st, np_ls_saved_fn fn, void *arg, char **cause)
{
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_LINKS_LOAD, cause);
	if (stmt == NULL)
		return -1;
	int rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct np_ls_saved s;
		memset(&s, 0, sizeof s);
		s.device = (const char *)sqlite3_column_text(stmt, 0);
		s.interface = (const char *)sqlite3_column_text(stmt, 1);
		if (col_state(st, stmt, 2, &s.state, cause) != 0 ||
		    col_state(st, stmt, 4, &s.last_known, cause) != 0 ||
		    col_state(st, stmt, 8, &s.pending, cause) != 0) {
			sqlite3_reset(stmt);
			return -1;
		}
		s.since_ms = sqlite3_column_int64(stmt, 3) * 1000;
		s.ever_up = sqlite3_column_int(stmt, 5) != 0;
		s.flapping = sqlite3_column_int(stmt, 6) != 0;
		s.outage_start_ms = sqlite3_column_int64(stmt, 7) * 1000;
		s.pending_since_ms = sqlite3_column_int64(stmt, 9) * 1000;
		s.last_change_ms = sqlite3_column_int64(stmt, 10) * 1000;
		/* The deciding sources become observers again (engine: np_ls_restore). */
		const char *srcs = (const char *)sqlite3_column_text(stmt, 11);
		s.sources = srcs != NULL && *srcs != '\0' ? srcs : NULL;
		fn(&s, arg);
	}
	if (rc != SQLITE_DONE)
		return np_store_fail(st, rc, stmt, cause, "loading links");
	sqlite3_reset(stmt);
	return 0;
}

int
np_store_collector_save(struct np_store *st, const char *source, bool ok, int64_t since_s,
                        const char *last_error, int failures, size_t skipped,
                        const char *skip_reason, char **cause)
{
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_COLLECTOR_SAVE, cause);
	if (stmt == NULL)
		return -1;
	np_store_bind_text(stmt, 1, source);
	sqlite3_bind_int(stmt, 2, ok ? 1 : 0);
	sqlite3_bind_int64(stmt, 3, since_s);
	np_store_bind_text(stmt, 4, last_error);
	sqlite3_bind_int(stmt, 5, failures);
	sqlite3_bind_int64(stmt, 6, (sqlite3_int64)skipped);
	np_store_bind_text(stmt, 7, skip_reason);
	return np_store_exec_stmt(st, stmt, cause, "saving collector health");
}

int
np_store_collector_load(struct np_store *st, const char *source, bool *ok, int64_t *since_s,
                        int *failures, char **last_error, char **cause)
{
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_COLLECTOR_LOAD, cause);
	if (stmt == NULL)
		return -1;
	np_store_bind_text(stmt, 1, source);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		if (ok != NULL)
			*ok = sqlite3_column_int(stmt, 0) != 0;
		if (since_s != NULL)
			*since_s = sqlite3_column_int64(stmt, 1);
		if (failures != NULL)
			*failures = sqlite3_column_int(stmt, 2);
		if (last_error != NULL) {
			const unsigned char *e = sqlite3_column_text(stmt, 3);
			*last_error = np_xstrdup(e != NULL ? (const char *)e : "");
		}
		sqlite3_reset(stmt);
		return 1;
	}
	if (rc != SQLITE_DONE)
		return np_store_fail(st, rc, stmt, cause, "loading collector health");
	sqlite3_reset(stmt);
	return 0;
}

int64_t
np_store_run_start(struct np_store *st, int64_t now_s, char **cause)
{
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_RUN_START, cause);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, now_s);
	np_store_bind_text(stmt, 2, NP_VERSION);
	if (np_store_exec_stmt(st, stmt, cause, "recording the run") != 0)
		return -1;
	return sqlite3_last_insert_rowid(st->db);
}

int
np_store_run_alive(struct np_store *st, int64_t run, int64_t now_s, char **cause)
{
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_RUN_ALIVE, cause);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, run);
	sqlite3_bind_int64(stmt, 2, now_s);
	if (np_store_exec_stmt(st, stmt, cause, "updating the run") != 0)
		return -1;
	if (sqlite3_changes(st->db) == 0)
		return np_store_failx(st, SQLITE_NOTFOUND, cause, "no run %lld", (long long)run);
	return 0;
}
