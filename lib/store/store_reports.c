/*
 * report_runs (store_reports.h). Statements are prepared per call: a report is sent at most a
 * few times a month, so they are not worth a slot in the store's statement table.
 */
#include "store/store_reports.h"

#include <sqlite3.h>

#include "store/store.h"
#include "util/cause.h"

static sqlite3_stmt *
prepare(sqlite3 *db, const char *sql, const char *what, char **cause)
{
	sqlite3_stmt *stmt = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		np_cause(cause, "%s: %s", what, sqlite3_errmsg(db));
		sqlite3_finalize(stmt);
		return NULL;
	}
	return stmt;
}

/* 1 when the statement gives a row, 0 when none, -1 on error. */
static int
exists(sqlite3 *db, sqlite3_stmt *stmt, char **cause)
{
	int rc = sqlite3_step(stmt);
	int out = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
	if (out == -1)
		np_cause(cause, "reading report_runs: %s", sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return out;
}

int
np_store_report_sent(struct np_store *st, const char *name, int64_t period_start, char **cause)
{
	sqlite3 *db = np_store_db(st);
	sqlite3_stmt *stmt =
	    prepare(db, "SELECT 1 FROM report_runs WHERE name = ?1 AND period_start = ?2",
	            "reading report_runs", cause);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, period_start);
	return exists(db, stmt, cause);
}

int
np_store_report_known(struct np_store *st, const char *name, char **cause)
{
	sqlite3 *db = np_store_db(st);
	sqlite3_stmt *stmt = prepare(db, "SELECT 1 FROM report_runs WHERE name = ?1 LIMIT 1",
	                             "reading report_runs", cause);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	return exists(db, stmt, cause);
}

int
np_store_report_mark(struct np_store *st, const char *name, int64_t period_start, int64_t sent_at,
                     char **cause)
{
	sqlite3 *db = np_store_db(st);
	sqlite3_stmt *stmt = prepare(db,
	                             "INSERT OR IGNORE INTO report_runs (name, period_start, "
	                             "sent_at) VALUES (?1, ?2, ?3)",
	                             "writing report_runs", cause);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, period_start);
	sqlite3_bind_int64(stmt, 3, sent_at);
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE)
		np_cause(cause, "writing report_runs: %s", sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}
