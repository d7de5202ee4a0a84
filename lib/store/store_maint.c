/*
 * Maintenance: retention, integrity checks, vacuum (daemon timer, start-up and
 * `netpulse db ...`).
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/cause.h"
#include "util/xmalloc.h"

#define OUTBOX_KEEP_S (7 * 86400) /* delivered alerts are kept a week for inspection */

/*
 * One bounded delete per statement: the rollups lose their oldest bucket if it is past the
 * cutoff (one bucket of every series: the key starts with it), the other tables at most ?2
 * rows by id. A statement that deleted something may have more to do.
 */
static int
prune(struct np_store *st, enum np_stmt id, int64_t keep_ms, int64_t now_s, int max_rows,
      bool *more, char **cause)
{
	if (keep_ms < 0)
		return 0; /* forever */
	sqlite3_stmt *stmt = np_store_stmt(st, id, cause);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, now_s - keep_ms / 1000);
	if (sqlite3_bind_parameter_count(stmt) >= 2)
		sqlite3_bind_int(stmt, 2, max_rows);
	if (np_store_exec_stmt(st, stmt, cause, "applying retention") != 0)
		return -1;
	if (sqlite3_changes(st->db) > 0)
		*more = true;
	return 0;
}

int
np_store_retention_step(struct np_store *st, const struct np_retention_cfg *r, int64_t now_s,
                        int max_rows, char **cause)
{
	if (!sqlite3_get_autocommit(st->db))
		return np_store_failx(st, SQLITE_MISUSE, cause,
		                      "retention runs in its own transaction, not inside a batch");
	if (max_rows < 1)
		max_rows = 1;
	const struct {
		enum np_stmt id;
		int64_t keep_ms;
	} steps[] = {
	    {NP_S_PRUNE_5M, r->rollup_5m_ms},
	    {NP_S_PRUNE_1H, r->hourly_ms},
	    {NP_S_PRUNE_1D, r->daily_ms},
	    {NP_S_PRUNE_AMOUNTS, r->daily_ms}, /* day-sized amounts live as long as daily rows */
	    {NP_S_PRUNE_TRANSITIONS, r->transitions_ms},
	    {NP_S_PRUNE_OUTAGES, r->transitions_ms},
	    {NP_S_PRUNE_UNOBSERVED, r->transitions_ms},
	    {NP_S_PRUNE_MAINT, r->transitions_ms},
	    {NP_S_PRUNE_OUTBOX, OUTBOX_KEEP_S * 1000},
	};
	bool more = false;
	for (size_t i = 0; i < sizeof steps / sizeof steps[0] && !more; i++) {
		if (np_store_begin(st, cause) != 0)
			return -1;
		if (prune(st, steps[i].id, steps[i].keep_ms, now_s, max_rows, &more, cause) != 0 ||
		    np_store_commit(st, cause) != 0) {
			np_store_rollback(st);
			return -1;
		}
	}
	return more ? 1 : 0;
}

int
np_store_retention(struct np_store *st, const struct np_retention_cfg *r, int64_t now_s,
                   char **cause)
{
	int rc;
	while ((rc = np_store_retention_step(st, r, now_s, 10000, cause)) == 1)
		;
	return rc;
}

int
np_store_corrupt(struct np_store *st, const char *path, const char *detail, char **cause)
{
	return np_store_failx(
	    st, SQLITE_CORRUPT, cause,
	    "database %s is corrupt (%s): with netpulsed stopped, move it aside together with its "
	    "-wal and -shm files to start a new database, or try to salvage it with "
	    "`sqlite3 %s .recover | sqlite3 NEW.db`",
	    path, detail, path);
}

/* SQLite's error for a check that could not even run over a damaged file. */
static bool
damaged(int rc)
{
	return (rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB;
}

int
np_store_quick_check(struct np_store *st, const char *path, char **cause)
{
	sqlite3_stmt *stmt = NULL;
	char *detail = NULL;
	/* quick_check(N): at most N problems; O(pages) but without index cross-checks. */
	int rc = sqlite3_prepare_v2(st->db, "PRAGMA quick_check(3)", -1, &stmt, NULL);
	if (rc == SQLITE_OK) {
		while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
			const char *msg = (const char *)sqlite3_column_text(stmt, 0);
			if (msg == NULL || strcmp(msg, "ok") == 0)
				continue;
			/* One line: "*** in database main ***\nPage 2: ..." -> "Page 2: ..." */
			static const char banner[] = "*** in database main ***\n";
			if (strncmp(msg, banner, sizeof banner - 1) == 0)
				msg += sizeof banner - 1;
			char *d = detail != NULL ? np_xasprintf("%s; %s", detail, msg)
			                         : np_xasprintf("quick_check: %s", msg);
			for (char *c = d; *c != '\0'; c++)
				if (*c == '\n')
					*c = ' ';
			free(detail);
			detail = d;
		}
	}
	if (rc != SQLITE_DONE && rc != SQLITE_OK && detail == NULL) {
		if (!damaged(rc)) {
			np_store_fail(st, rc, NULL, cause, "quick_check");
			sqlite3_finalize(stmt);
			return -1;
		}
		detail = np_xasprintf("quick_check: %s", sqlite3_errmsg(st->db));
	}
	sqlite3_finalize(stmt);
	if (detail == NULL)
		return 0;
	np_store_corrupt(st, path, detail, cause);
	free(detail);
	return -1;
}

/* Appends every row of a check pragma to *out (one line each, at most `max` lines). */
static int
collect(struct np_store *st, const char *sql, bool integrity, char **out, int *lines, char **cause)
{
	sqlite3_stmt *stmt = NULL;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		return np_store_fail(st, rc, NULL, cause, sql);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		char *line;
		if (integrity) {
			const char *msg = (const char *)sqlite3_column_text(stmt, 0);
			if (msg != NULL && strcmp(msg, "ok") == 0)
				continue;
			line = np_xasprintf("integrity: %s", msg != NULL ? msg : "?");
		} else {
			const char *table = (const char *)sqlite3_column_text(stmt, 0);
			const char *parent = (const char *)sqlite3_column_text(stmt, 2);
			line = np_xasprintf("foreign key: %s row %lld refers to a missing %s row",
			                    table != NULL ? table : "?",
			                    (long long)sqlite3_column_int64(stmt, 1),
			                    parent != NULL ? parent : "?");
		}
		if (++*lines <= 20) {
			char *joined =
			    *out != NULL ? np_xasprintf("%s\n%s", *out, line) : np_xstrdup(line);
			free(*out);
			*out = joined;
		}
		free(line);
	}
	if (rc != SQLITE_DONE) {
		np_store_fail(st, rc, NULL, cause, sql);
		sqlite3_finalize(stmt);
		return -1;
	}
	sqlite3_finalize(stmt);
	return 0;
}

int
np_store_check(struct np_store *st, char **cause)
{
	const char *path = sqlite3_db_filename(st->db, "main");
	if (path == NULL || *path == '\0')
		path = ":memory:";
	/* The same check and message as a start-up of netpulsed. */
	if (np_store_quick_check(st, path, cause) != 0)
		return -1;
	char *problems = NULL;
	int lines = 0;
	if (collect(st, "PRAGMA integrity_check", true, &problems, &lines, cause) != 0) {
		free(problems);
		if (st->last_rc == SQLITE_CORRUPT || st->last_rc == SQLITE_NOTADB) {
			char *d = np_xstrdup(*cause != NULL ? *cause : "integrity_check failed");
			np_store_corrupt(st, path, d, cause);
			free(d);
		}
		return -1;
	}
	int corrupt = lines;
	if (collect(st, "PRAGMA foreign_key_check", false, &problems, &lines, cause) != 0) {
		free(problems);
		return -1;
	}
	if (lines == 0)
		return 0;
	char *head = NULL;
	if (corrupt > 0) {
		/* The first problem names the damage; all of them follow. */
		const char *first = problems + strlen("integrity: ");
		size_t n = strcspn(first, "\n");
		char *d = np_xasprintf("integrity_check: %.*s", (int)n, first);
		np_store_corrupt(st, path, d, &head);
		free(d);
	}
	np_store_failx(st, SQLITE_CORRUPT, cause, "%s%s%d problem(s) found%s\n%s",
	               head != NULL ? head : "", head != NULL ? "\n" : "", lines,
	               lines > 20 ? " (first 20 shown)" : "", problems);
	free(head);
	free(problems);
	return -1;
}

int
np_store_vacuum(struct np_store *st, char **cause)
{
	char *err = NULL;
	int rc = sqlite3_exec(st->db, "VACUUM", NULL, NULL, &err);
	if (rc != SQLITE_OK) {
		np_store_failx(st, rc, cause, "vacuum: %s", err != NULL ? err : sqlite3_errstr(rc));
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

static int
wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	(void)db;
	(void)name;
	((struct np_store *)arg)->wal_pages = pages;
	return SQLITE_OK;
}

int
np_store_manual_checkpoint(struct np_store *st, char **cause)
{
	/* sqlite3_wal_hook replaces the auto-checkpoint hook: the count is all it keeps. */
	(void)cause;
	sqlite3_wal_hook(st->db, wal_hook, st);
	return 0;
}

int
np_store_wal_pages(const struct np_store *st)
{
	return st->wal_pages;
}

int
np_store_checkpoint(struct np_store *st, char **cause)
{
	int log = 0, done = 0;
	int rc = sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		return np_store_fail(st, rc, NULL, cause, "checkpointing the WAL");
	/* All copied: the next writer starts the WAL over; else what is left counts. */
	st->wal_pages = log >= 0 && done >= 0 && done >= log ? 0 : log - done;
	return 0;
}
