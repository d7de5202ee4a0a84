/*
 * The alert outbox as the dispatcher and `netpulse alerts` use it: pending rows of a sink (after
 * the ones already in flight), delivery marks, dead letters (alerts.max_age) and their retry.
 * Rows are added by store_event.c in the batch's transaction.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/cause.h"
#include "util/xmalloc.h"

#define ROW_STRINGS 9

/* Rows are copied out first so fn may mark them done (or anything else) as it goes. */
struct pending {
	struct np_outbox_row row;
	char *strings[ROW_STRINGS];
};

static char *
col_dup(sqlite3_stmt *stmt, int i)
{
	const char *s = (const char *)sqlite3_column_text(stmt, i);
	return np_xstrdup(s != NULL ? s : "");
}

int64_t
np_store_last_alert_id(const struct np_store *st)
{
	return st->last_alert_id;
}

static void
read_row(sqlite3_stmt *stmt, struct pending *p)
{
	struct np_outbox_row *r = &p->row;
	int k = 0;
	r->id = sqlite3_column_int64(stmt, 0);
	r->created = sqlite3_column_int64(stmt, 1);
	r->msgid = p->strings[k++] = col_dup(stmt, 2);
	r->severity = sqlite3_column_int(stmt, 3);
	r->device = p->strings[k++] = col_dup(stmt, 4);
	r->interface = p->strings[k++] = col_dup(stmt, 5);
	r->state = p->strings[k++] = col_dup(stmt, 6);
	r->previous = p->strings[k++] = col_dup(stmt, 7);
	r->source = p->strings[k++] = col_dup(stmt, 8);
	r->since = sqlite3_column_int64(stmt, 9);
	r->outage_seconds =
	    sqlite3_column_type(stmt, 10) == SQLITE_NULL ? -1 : sqlite3_column_int64(stmt, 10);
	r->message = p->strings[k++] = col_dup(stmt, 11);
	r->attempts = sqlite3_column_int(stmt, 12);
	r->created_ms = sqlite3_column_int64(stmt, 13);
	r->details = NULL;
	if (sqlite3_column_type(stmt, 14) != SQLITE_NULL)
		r->details = p->strings[k++] = col_dup(stmt, 14);
	p->strings[k] = NULL;
}

int
np_store_outbox_pending(struct np_store *st, const char *sink, int64_t after_id, int limit,
                        np_outbox_fn fn, void *arg, char **cause)
{
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_OUTBOX_PENDING, cause);
	if (stmt == NULL)
		return -1;
	if (limit <= 0)
		return 0;
	np_store_bind_text(stmt, 1, sink);
	sqlite3_bind_int(stmt, 2, limit);
	sqlite3_bind_int64(stmt, 3, after_id);

	struct pending *rows = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap != 0 ? cap * 2 : 16;
			rows = np_xreallocarray(rows, cap, sizeof *rows);
		}
		read_row(stmt, &rows[n++]);
	}
	int ret = 0;
	if (rc != SQLITE_DONE)
		ret = np_store_fail(st, rc, stmt, cause, "reading the outbox");
	else
		sqlite3_reset(stmt);

	size_t called = 0;
	for (size_t i = 0; i < n && ret == 0; i++) {
		called++;
		if (fn(&rows[i].row, arg) != 0)
			break;
	}
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < ROW_STRINGS && rows[i].strings[k] != NULL; k++)
			free(rows[i].strings[k]);
	free(rows);
	return ret == 0 ? (int)called : -1;
}

static int
outbox_update(struct np_store *st, enum np_stmt id, int64_t outbox_id, const char *sink,
              const int64_t *now_s, char **cause)
{
	sqlite3_stmt *stmt = np_store_stmt(st, id, cause);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, outbox_id);
	np_store_bind_text(stmt, 2, sink);
	if (now_s != NULL)
		sqlite3_bind_int64(stmt, 3, *now_s);
	if (np_store_exec_stmt(st, stmt, cause, "updating the outbox") != 0)
		return -1;
	if (sqlite3_changes(st->db) == 0)
		return np_store_failx(st, SQLITE_NOTFOUND, cause, "no outbox row %lld for sink %s",
		                      (long long)outbox_id, sink != NULL ? sink : "");
	return 0;
}

int
np_store_outbox_done(struct np_store *st, int64_t id, const char *sink, int64_t now_s, char **cause)
{
	return outbox_update(st, NP_S_OUTBOX_DONE, id, sink, &now_s, cause);
}

int
np_store_outbox_done_many(struct np_store *st, const int64_t *ids, size_t n, const char *sink,
                          int64_t now_s, char **cause)
{
	if (n == 0)
		return 0;
	bool own = sqlite3_get_autocommit(st->db) != 0;
	if (own && np_store_begin(st, cause) == -1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		/* A row another process (netpulse alerts --retry) rewrote is no reason to stop. */
		char *why = NULL;
		if (outbox_update(st, NP_S_OUTBOX_DONE, ids[i], sink, &now_s, &why) == -1) {
			if (st->last_rc == SQLITE_NOTFOUND) {
				free(why);
				continue;
			}
			if (cause != NULL)
				*cause = why;
			else
				free(why);
			if (own)
				np_store_rollback(st);
			return -1;
		}
	}
	if (own && np_store_commit(st, cause) == -1) {
		np_store_rollback(st);
		return -1;
	}
	return 0;
}

int
np_store_outbox_attempt(struct np_store *st, int64_t id, const char *sink, char **cause)
{
	return outbox_update(st, NP_S_OUTBOX_ATTEMPT, id, sink, NULL, cause);
}

int64_t
np_store_outbox_count(struct np_store *st, const char *sink)
{
	sqlite3_stmt *stmt =
	    np_store_stmt(st, sink != NULL ? NP_S_OUTBOX_COUNT : NP_S_OUTBOX_COUNT_ALL, NULL);
	if (stmt == NULL)
		return -1;
	if (sink != NULL)
		np_store_bind_text(stmt, 1, sink);
	int64_t n = -1;
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		n = sqlite3_column_int64(stmt, 0);
	else
		st->last_rc = rc & 0xff;
	sqlite3_reset(stmt);
	return n;
}

int64_t
np_store_outbox_expire(struct np_store *st, const char *sink, int64_t before_s, int64_t now_s,
                       char **cause)
{
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_OUTBOX_EXPIRE, cause);
	if (stmt == NULL)
		return -1;
	np_store_bind_text(stmt, 1, sink);
	sqlite3_bind_int64(stmt, 2, before_s);
	sqlite3_bind_int64(stmt, 3, now_s);
	if (np_store_exec_stmt(st, stmt, cause, "moving old alerts to the dead letters") != 0)
		return -1;
	return sqlite3_changes(st->db);
}

int
np_store_outbox_list(struct np_store *st, bool dead, np_outbox_item_fn fn, void *arg, char **cause)
{
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_OUTBOX_LIST, cause);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int(stmt, 1, dead ? 1 : 0);
	int rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct np_outbox_item it = {
		    .id = sqlite3_column_int64(stmt, 0),
		    .time_ms = sqlite3_column_int64(stmt, 1),
		    .msgid = (const char *)sqlite3_column_text(stmt, 2),
		    .device = (const char *)sqlite3_column_text(stmt, 3),
		    .interface = (const char *)sqlite3_column_text(stmt, 4),
		    .state = (const char *)sqlite3_column_text(stmt, 5),
		    .message = (const char *)sqlite3_column_text(stmt, 6),
		    .sink = (const char *)sqlite3_column_text(stmt, 7),
		    .attempts = sqlite3_column_int(stmt, 8),
		    .queued_s = sqlite3_column_int64(stmt, 9),
		    .dead_s = sqlite3_column_int64(stmt, 10),
		};
		if (fn(&it, arg) != 0)
			break;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return np_store_fail(st, rc, stmt, cause, "reading the outbox");
	sqlite3_reset(stmt);
	return 0;
}

int64_t
np_store_outbox_retry(struct np_store *st, const char *sink, int64_t now_s, char **cause)
{
	sqlite3_stmt *stmt =
	    np_store_stmt(st, sink != NULL ? NP_S_OUTBOX_RETRY : NP_S_OUTBOX_RETRY_ALL, cause);
	if (stmt == NULL)
		return -1;
	if (sink != NULL) {
		np_store_bind_text(stmt, 1, sink);
		sqlite3_bind_int64(stmt, 2, now_s);
	} else {
		sqlite3_bind_int64(stmt, 2, now_s);
	}
	if (np_store_exec_stmt(st, stmt, cause, "queueing dead letters again") != 0)
		return -1;
	return sqlite3_changes(st->db);
}

int64_t
np_store_last_transition_id(const struct np_store *st)
{
	return st->last_transition_id;
}

int
np_store_transitions_alert(struct np_store *st, const int64_t *ids, size_t n, int64_t alert_id,
                           char **cause)
{
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_TRANSITION_ALERT, cause);
	if (stmt == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_int64(stmt, 1, alert_id);
		sqlite3_bind_int64(stmt, 2, ids[i]);
		if (np_store_exec_stmt(st, stmt, cause, "naming a transition's alert") != 0)
			return -1;
	}
	return 0;
}

int
np_store_held_load(struct np_store *st, np_held_fn fn, void *arg, char **cause)
{
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_HELD_LOAD, cause);
	if (stmt == NULL)
		return -1;
	int rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct np_held_row r = {
		    .id = sqlite3_column_int64(stmt, 0),
		    .time = sqlite3_column_int64(stmt, 1),
		    .device = (const char *)sqlite3_column_text(stmt, 2),
		    .interface = (const char *)sqlite3_column_text(stmt, 3),
		    .state = (const char *)sqlite3_column_text(stmt, 4),
		    .previous = (const char *)sqlite3_column_text(stmt, 5),
		    .source = (const char *)sqlite3_column_text(stmt, 6),
		    .outage_seconds = sqlite3_column_type(stmt, 7) == SQLITE_NULL
		                          ? -1
		                          : sqlite3_column_int64(stmt, 7),
		    .alert = (const char *)sqlite3_column_text(stmt, 8),
		    .time_ms = sqlite3_column_int64(stmt, 9),
		};
		fn(&r, arg);
	}
	if (rc != SQLITE_DONE)
		return np_store_fail(st, rc, stmt, cause, "reading held alerts");
	sqlite3_reset(stmt);
	return 0;
}
