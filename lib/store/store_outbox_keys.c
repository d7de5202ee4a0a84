/*
 * Outbox rows by sink key: which keys have rows pending (a reload may have removed their
 * sink), and moving a key's pending rows to the key its sink has now.
 */
#include <stdlib.h>

#include "store/store_int.h"
#include "util/cause.h"
#include "util/xmalloc.h"

int
np_store_outbox_sinks(struct np_store *st, np_outbox_sink_fn fn, void *arg, char **cause)
{
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_OUTBOX_SINKS, cause);
	if (stmt == NULL)
		return -1;
	/* Copied out first, so fn may write to the outbox (e.g. rekey) as it goes. */
	struct row {
		char *sink;
		int64_t n;
	} *rows = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap != 0 ? cap * 2 : 8;
			rows = np_xreallocarray(rows, cap, sizeof(*rows));
		}
		const char *s = (const char *)sqlite3_column_text(stmt, 0);
		rows[n].sink = np_xstrdup(s != NULL ? s : "");
		rows[n].n = sqlite3_column_int64(stmt, 1);
		n++;
	}
	int ret = 0;
	if (rc != SQLITE_DONE)
		ret = np_store_fail(st, rc, stmt, cause, "reading the outbox's sinks");
	else
		sqlite3_reset(stmt);
	for (size_t i = 0; i < n && ret == 0; i++)
		if (fn(rows[i].sink, rows[i].n, arg) != 0)
			break;
	for (size_t i = 0; i < n; i++)
		free(rows[i].sink);
	free(rows);
	return ret;
}

static int
exec2(struct np_store *st, enum np_stmt id, const char *from, const char *to, char **cause)
{
	sqlite3_stmt *stmt = np_store_stmt(st, id, cause);
	if (stmt == NULL)
		return -1;
	np_store_bind_text(stmt, 1, from);
	np_store_bind_text(stmt, 2, to);
	return np_store_exec_stmt(st, stmt, cause, "moving outbox rows to a sink's new key");
}

int64_t
np_store_outbox_rekey(struct np_store *st, const char *from, const char *to, char **cause)
{
	if (np_store_begin(st, cause) == -1)
		return -1;
	if (exec2(st, NP_S_OUTBOX_REKEY, from, to, cause) == -1)
		goto fail;
	int64_t moved = sqlite3_changes(st->db);
	if (exec2(st, NP_S_OUTBOX_REKEY_DUPS, from, to, cause) == -1)
		goto fail;
	if (np_store_commit(st, cause) == -1)
		goto fail;
	return moved;
fail:
	np_store_rollback(st);
	return -1;
}
