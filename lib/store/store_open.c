/*
 * Opening the database: pragmas, the schema version check and migrations, the prepared
 * statement table, transactions and the fatal/retryable error split (vnstat dbsql.c style,
 * without its printf-built SQL).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "store/schema.h"
#include "store/store_int.h"
#include "util/cause.h"
#include "util/xmalloc.h"

int
np_store_fail(struct np_store *st, int rc, sqlite3_stmt *stmt, char **cause, const char *what)
{
	if (st != NULL) {
		st->last_rc = rc & 0xff;
		const char *msg = sqlite3_errmsg(st->db), *code = sqlite3_errstr(rc);
		if (strcmp(msg, code) == 0)
			np_cause(cause, "%s: %s", what, msg);
		else
			np_cause(cause, "%s: %s (%s)", what, msg, code);
	} else {
		np_cause(cause, "%s: %s", what, sqlite3_errstr(rc));
	}
	if (stmt != NULL)
		sqlite3_reset(stmt);
	return -1;
}

int
np_store_failx(struct np_store *st, int rc, char **cause, const char *fmt, ...)
{
	st->last_rc = rc & 0xff;
	if (cause != NULL) {
		va_list ap;
		va_start(ap, fmt);
		char *msg = np_xvasprintf(fmt, ap);
		va_end(ap);
		free(*cause);
		*cause = msg;
	}
	return -1;
}

sqlite3_stmt *
np_store_stmt(struct np_store *st, enum np_stmt id, char **cause)
{
	if (st->stmt[id] != NULL)
		return st->stmt[id];
	const char *text = np_store_sql(id);
	int rc =
	    sqlite3_prepare_v3(st->db, text, -1, SQLITE_PREPARE_PERSISTENT, &st->stmt[id], NULL);
	if (rc != SQLITE_OK) {
		np_store_fail(st, rc, NULL, cause, "preparing a statement");
		sqlite3_finalize(st->stmt[id]);
		st->stmt[id] = NULL;
		return NULL;
	}
	return st->stmt[id];
}

int
np_store_exec_stmt(struct np_store *st, sqlite3_stmt *stmt, char **cause, const char *what)
{
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return np_store_fail(st, rc, stmt, cause, what);
	sqlite3_reset(stmt);
	return 0;
}

void
np_store_bind_text(sqlite3_stmt *stmt, int i, const char *s)
{
	sqlite3_bind_text(stmt, i, s != NULL ? s : "", -1, SQLITE_STATIC);
}

int64_t
np_store_ms_to_s(int64_t ms)
{
	return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

uint64_t
np_store_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Runs a statement from a constant text that yields at most one integer (pragmas). */
static int
exec_int(struct np_store *st, const char *text, int64_t *out, char **cause, const char *what)
{
	sqlite3_stmt *stmt = NULL;
	int rc = sqlite3_prepare_v2(st->db, text, -1, &stmt, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(stmt);
		if (rc == SQLITE_ROW && out != NULL)
			*out = sqlite3_column_int64(stmt, 0);
		if (rc == SQLITE_ROW || rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	if (rc != SQLITE_OK) {
		np_store_fail(st, rc, NULL, cause, what);
		sqlite3_finalize(stmt);
		return -1;
	}
	sqlite3_finalize(stmt);
	return 0;
}

static int
exec_sql(struct np_store *st, const char *text, char **cause, const char *what)
{
	char *err = NULL;
	int rc = sqlite3_exec(st->db, text, NULL, NULL, &err);
	if (rc != SQLITE_OK) {
		st->last_rc = rc & 0xff;
		np_cause(cause, "%s: %s", what, err != NULL ? err : sqlite3_errstr(rc));
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

static int
set_wal(struct np_store *st, char **cause)
{
	sqlite3_stmt *stmt = NULL;
	int rc = sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *mode = (const char *)sqlite3_column_text(stmt, 0);
		/* An in-memory database keeps "memory"; anything else must be WAL for the CLI. */
		if (mode == NULL || (strcmp(mode, "wal") != 0 && strcmp(mode, "memory") != 0)) {
			np_store_failx(
			    st, SQLITE_CANTOPEN, cause,
			    "cannot switch the database to WAL mode (journal_mode is %s)",
			    mode != NULL ? mode : "unknown");
			sqlite3_finalize(stmt);
			return -1;
		}
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_OK) {
		np_store_fail(st, rc, NULL, cause, "setting journal_mode");
		sqlite3_finalize(stmt);
		return -1;
	}
	sqlite3_finalize(stmt);
	return 0;
}

/* Brings a read-write database to np_schema_version(), all missing steps in one transaction. */
static int
migrate(struct np_store *st, char **cause)
{
	int64_t v = 0;
	const int want = np_schema_version();
	if (exec_sql(st, "BEGIN IMMEDIATE", cause, "starting the migration") != 0)
		return -1;
	/* Read again under the write lock: another process may have migrated meanwhile. */
	if (exec_int(st, "PRAGMA user_version", &v, cause, "reading the schema version") != 0)
		goto fail;
	if (v > want) {
		np_store_failx(st, SQLITE_ERROR, cause,
		               "database schema version %lld is newer than this netpulse (%d); "
		               "upgrade netpulse",
		               (long long)v, want);
		goto fail;
	}
	for (int n = (int)v + 1; n <= want; n++) {
		char what[64];
		snprintf(what, sizeof what, "schema migration %d", n);
		if (exec_sql(st, np_schema_migration(n), cause, what) != 0)
			goto fail;
		int64_t got = 0;
		if (exec_int(st, "PRAGMA user_version", &got, cause, what) != 0)
			goto fail;
		if (got != n) {
			np_store_failx(st, SQLITE_INTERNAL, cause,
			               "schema migration %d left user_version at %lld", n,
			               (long long)got);
			goto fail;
		}
	}
	if (exec_sql(st, "COMMIT", cause, "committing the migration") != 0)
		goto fail;
	return 0;
fail:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/*
 * Refuses what this build cannot read. Sets *migrate when a read-write open must bring the
 * schema up to date (done after the pragmas, so it runs in WAL mode).
 */
static int
check_schema(struct np_store *st, const char *path, bool *need_migrate, char **cause)
{
	int64_t v = 0, objects = 0;
	const int want = np_schema_version();
	*need_migrate = false;
	/* The first read of the file: a file that is not SQLite fails here (SQLITE_NOTADB). */
	if (exec_int(st, "PRAGMA user_version", &v, cause, "reading the schema version") != 0)
		return -1;
	if (v > want) {
		return np_store_failx(
		    st, SQLITE_ERROR, cause,
		    "database schema version %lld is newer than this netpulse (%d); "
		    "upgrade netpulse",
		    (long long)v, want);
	}
	if (v == want)
		return 0;
	if (v == 0) {
		if (exec_int(st, "SELECT count(*) FROM sqlite_schema", &objects, cause,
		             "reading the schema") != 0)
			return -1;
		/* Never create our tables inside somebody else's database. */
		if (objects > 0)
			return np_store_failx(st, SQLITE_ERROR, cause,
			                      "an SQLite database but not a netpulse one (tables "
			                      "present, no schema version)");
	}
	if (st->flags & NP_STORE_RDONLY) {
		if (v == 0)
			return np_store_failx(
			    st, SQLITE_ERROR, cause,
			    "not a netpulse database yet (empty); start netpulsed to "
			    "create it");
		return np_store_failx(
		    st, SQLITE_ERROR, cause,
		    "database schema version %lld is older than this netpulse (%d) "
		    "and is opened read-only; start netpulsed to migrate it",
		    (long long)v, want);
	}
	*need_migrate = true;
	return 0;
}

struct np_store *
np_store_open(const char *path, int flags, char **cause)
{
	struct np_store *st = np_xcalloc(1, sizeof *st);
	st->flags = flags;
	bool rdonly = (flags & NP_STORE_RDONLY) != 0;
	/* One thread per connection: no SQLite mutexes needed (NOMUTEX). */
	int oflags = (rdonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
	             SQLITE_OPEN_NOMUTEX;
	/* SQLite takes a 0-byte file for a new database; the daemon says so (truncated?). */
	struct stat sb;
	if (!rdonly && stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size == 0)
		st->was_empty = true;
	int rc = sqlite3_open_v2(path, &st->db, oflags, NULL);
	if (rc != SQLITE_OK) {
		np_cause(cause, "%s: %s", path,
		         st->db != NULL ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, 5000);
	bool need_migrate;
	if (check_schema(st, path, &need_migrate, cause) != 0)
		goto fail_path;
	/* A damaged page would otherwise fail every later write, after a "started". */
	if (!rdonly && np_store_quick_check(st, path, cause) != 0)
		goto fail;
	if (!rdonly) {
		if (set_wal(st, cause) != 0 ||
		    exec_sql(st, "PRAGMA synchronous = NORMAL", cause, "setting synchronous") != 0)
			goto fail_path;
		/*
		 * Debian builds SQLite with SECURE_DELETE on, which zeroes freed cell space on
		 * every update and delete; rollup updates and retention would pay for it on the hot
		 * path.
		 */
		if (exec_sql(st, "PRAGMA secure_delete = OFF", cause, "setting secure_delete") != 0)
			goto fail_path;
		/*
		 * The -wal file goes back to at most 4 MB (one auto-checkpoint's worth) after a
		 * checkpoint instead of keeping its largest size (a fold_all, a big retention
		 * step).
		 */
		if (exec_sql(st, "PRAGMA journal_size_limit = 4194304", cause,
		             "setting journal_size_limit") != 0)
			goto fail_path;
	}
	if (exec_sql(st, "PRAGMA foreign_keys = ON", cause, "enabling foreign keys") != 0)
		goto fail_path;
	if (need_migrate && migrate(st, cause) != 0)
		goto fail_path;
	return st;
fail_path:
	if (st->last_rc == SQLITE_CORRUPT) {
		char *detail = np_xstrdup(cause != NULL && *cause != NULL ? *cause : "damaged");
		np_store_corrupt(st, path, detail, cause);
		free(detail);
	} else {
		np_cause_prefix(cause, "%s", path);
	}
fail:
	sqlite3_close(st->db);
	free(st);
	return NULL;
}

void
np_store_close(struct np_store *st)
{
	if (st == NULL)
		return;
	for (int i = 0; i < NP_S_MAX; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	free(st->parts);
	free(st->fold_sum);
	free(st->shares);
	free(st);
}

struct sqlite3 *
np_store_db(struct np_store *st)
{
	return st->db;
}

bool
np_store_error_fatal(const struct np_store *st)
{
	switch (st->last_rc) {
	case SQLITE_OK:
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_FULL:
	case SQLITE_IOERR:
		return false;
	default:
		return true;
	}
}

const char *
np_store_errstr(const struct np_store *st)
{
	return st->last_rc != SQLITE_OK ? sqlite3_errstr(st->last_rc) : "";
}

bool
np_store_error_row(const struct np_store *st)
{
	switch (st->last_rc) {
	case SQLITE_CONSTRAINT:
	case SQLITE_TOOBIG:
	case SQLITE_MISMATCH:
	case SQLITE_RANGE:
	case SQLITE_MISUSE:
		return true;
	default:
		return false;
	}
}

bool
np_store_was_empty(const struct np_store *st)
{
	return st->was_empty;
}

int
np_store_begin(struct np_store *st, char **cause)
{
	enum np_stmt id = (st->flags & NP_STORE_RDONLY) ? NP_S_BEGIN_RO : NP_S_BEGIN;
	sqlite3_stmt *stmt = np_store_stmt(st, id, cause);
	if (stmt == NULL)
		return -1;
	return np_store_exec_stmt(st, stmt, cause, "beginning a transaction");
}

int
np_store_commit(struct np_store *st, char **cause)
{
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_COMMIT, cause);
	if (stmt == NULL)
		return -1;
	return np_store_exec_stmt(st, stmt, cause, "committing");
}

void
np_store_rollback(struct np_store *st)
{
	st->fold_loaded = false; /* the fold mark may have moved inside it */
	if (sqlite3_get_autocommit(st->db))
		return;
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_ROLLBACK, NULL);
	if (stmt != NULL) {
		sqlite3_step(stmt);
		sqlite3_reset(stmt);
	}
}

void
np_store_get_stats(const struct np_store *st, struct np_store_stats *out)
{
	*out = st->stats;
}

void
np_store_set_profile(struct np_store *st, bool on)
{
	st->profile = on;
}
