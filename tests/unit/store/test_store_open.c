/* Opening, schema versions, read-only access in WAL mode, errors, check and vacuum. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/schema.h"
#include "storetest.h"

static char *
db_path(const char *name)
{
	char *dir = np_test_tmpdir();
	char *p = np_xasprintf("%s/%s", dir, name);
	free(dir);
	return p;
}

static void
write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* Raw SQLite, to set up what netpulse itself would never write. */
static void
raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static const char *const tables[] = {
    "series",      "rollup_5m", "rollup_1h",  "rollup_1d", "verdicts",    "links",
    "transitions", "outages",   "unobserved", "outbox",    "outbox_sink", "runs",
    "collectors",  "fold",      "baselines",  "amounts",   "report_runs", "maintenance",
};

static void
test_migrate_from_zero(void **state)
{
	struct np_store *st = open_mem();
	assert_int_equal(q_int(st, "PRAGMA user_version"), np_schema_version());
	assert_int_equal(np_schema_version(), 9);
	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
		char *sql = np_xasprintf(
		    "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '%s'",
		    tables[i]);
		assert_int_equal(q_int(st, sql), 1);
		free(sql);
	}
	assert_int_equal(q_int(st, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"),
	                 sizeof tables / sizeof tables[0]);
	assert_int_equal(q_int(st, "PRAGMA foreign_keys"), 1);
	assert_null(np_schema_migration(0));
	assert_non_null(np_schema_migration(np_schema_version()));
	assert_null(np_schema_migration(np_schema_version() + 1));
	/* No raw per-poll table; the fold row carries the paced fold's marks. */
	assert_int_equal(q_int(st, "SELECT count(*) FROM sqlite_schema WHERE name = 'samples'"), 0);
	assert_rows(st, "SELECT id, next_5m, pass_end, cursor FROM fold",
	            "1|-9223372036854775807|-9223372036854775807|0");
	np_store_close(st);
}

static void
test_file_reopen_is_noop(void **state)
{
	char *path = db_path("np.db");
	char *cause = NULL;
	struct np_store *st = np_store_open(path, 0, &cause);
	assert_non_null(st);
	assert_rows(st, "PRAGMA journal_mode", "wal");
	assert_int_equal(q_int(st, "PRAGMA synchronous"), 1); /* NORMAL */
	assert_int_equal(q_int(st, "PRAGMA busy_timeout"), 5000);
	int64_t schema_cookie = q_int(st, "PRAGMA schema_version");
	assert_true(np_store_series(st, "src", "dev", "eth0", "if", NULL, 100, &cause) == 1);
	np_store_close(st);

	st = np_store_open(path, 0, &cause);
	assert_non_null(st);
	/* No migration ran: the schema cookie did not move, the data is still there. */
	assert_int_equal(q_int(st, "PRAGMA schema_version"), schema_cookie);
	assert_int_equal(q_int(st, "PRAGMA user_version"), np_schema_version());
	assert_int_equal(q_int(st, "SELECT count(*) FROM series"), 1);
	assert_true(np_store_series(st, "src", "dev", "eth0", "if", NULL, 100, &cause) == 1);
	np_store_close(st);
	free(path);
}

/*
 * A version-1 database (hourly/daily written per sample) migrates to version 2 with the fold
 * mark after its last 5-minute bucket: a later sample for that same, already counted bucket
 * goes to the wider tables directly and nothing is folded twice.
 */
static void
test_migrate_from_one(void **state)
{
	char *path = db_path("v1.db");
	raw_exec(path, np_schema_migration(1));
	raw_exec(path,
	         "INSERT INTO series VALUES (1, 's', 'd', 'eth0', 'if', '{}', 0, 0);"
	         "INSERT INTO rollup_5m (bucket, series, secs, rx_bytes) VALUES (600, 1, 60, 100);"
	         "INSERT INTO rollup_1h (bucket, series, secs, rx_bytes) VALUES (0, 1, 60, 100);"
	         "INSERT INTO rollup_1d (bucket, series, secs, rx_bytes) VALUES (0, 1, 60, 100);");
	char *cause = NULL;
	struct np_store *st = np_store_open(path, 0, &cause);
	assert_non_null(st);
	assert_int_equal(q_int(st, "PRAGMA user_version"), np_schema_version());
	/* Migration 4: no pass in progress, the pass ends where the mark is. */
	assert_rows(st, "SELECT next_5m, pass_end, cursor FROM fold", "900|900|0");
	struct np_sample smp = {.from_ms = 660000, .to_ms = 720000, .mask = 1u << NP_C_RX_BYTES};
	smp.delta[NP_C_RX_BYTES] = 50; /* still in bucket 600, which v1 already counted */
	assert_int_equal(np_store_sample(st, 1, &smp, &cause), 0);
	assert_int_equal(np_store_fold_all(st, &cause), 0);
	assert_int_equal(q_int(st, "SELECT rx_bytes FROM rollup_5m"), 150);
	assert_int_equal(q_int(st, "SELECT rx_bytes FROM rollup_1h"), 150);
	assert_int_equal(q_int(st, "SELECT rx_bytes FROM rollup_1d"), 150);
	np_store_close(st);
	free(path);
}

/* A version-2 database gains an empty baselines table; its data stays as it was. */
static void
test_migrate_from_two(void **state)
{
	char *path = db_path("v2.db");
	raw_exec(path, np_schema_migration(1));
	raw_exec(path, np_schema_migration(2));
	raw_exec(path, "INSERT INTO series VALUES (1, 's', 'd', 'eth0', 'if', '{}', 0, 0);");
	char *cause = NULL;
	struct np_store *st = np_store_open(path, 0, &cause);
	assert_non_null(st);
	assert_int_equal(q_int(st, "PRAGMA user_version"), np_schema_version());
	assert_int_equal(q_int(st, "SELECT count(*) FROM series"), 1);
	assert_int_equal(q_int(st, "SELECT count(*) FROM baselines"), 0);
	struct np_baseline b = {.time_ms = 1500, .epoch = 4, .mask = 1u << NP_C_TX_BYTES};
	b.value[NP_C_TX_BYTES] = 77;
	assert_int_equal(np_store_baseline_save(st, 1, &b, &cause), 0);
	assert_rows(st, "SELECT * FROM baselines",
	            "1|1500|4|2|NULL|77|NULL|NULL|NULL|NULL|NULL|NULL");
	np_store_close(st);
	free(path);
}

/*
 * A version-3 database loses its raw samples table (migration 4); everything else stays: the
 * rollups, the baselines, and the fold mark, which gains pass_end = next_5m (no pass in
 * progress) and cursor 0, so the next fold starts exactly where version 3 stopped.
 */
static void
test_migrate_from_three(void **state)
{
	char *path = db_path("v3.db");
	for (int v = 1; v <= 3; v++)
		raw_exec(path, np_schema_migration(v));
	raw_exec(path,
	         "INSERT INTO series VALUES (1, 's', 'd', 'eth0', 'if', '{}', 0, 0);"
	         "INSERT INTO samples (t, series, secs, rx_bytes) VALUES (3650, 1, 50, 100),"
	         " (7250, 1, 50, 40);"
	         "INSERT INTO rollup_5m (bucket, series, secs, rx_bytes) VALUES (3600, 1, 50, 100),"
	         " (7200, 1, 50, 40);"
	         "INSERT INTO rollup_1h (bucket, series, secs, rx_bytes) VALUES (3600, 1, 50, 100);"
	         "INSERT INTO rollup_1d (bucket, series, secs, rx_bytes) VALUES (0, 1, 50, 100);"
	         "INSERT INTO baselines (series, t_ms, epoch, mask, rx_bytes) VALUES"
	         " (1, 7250000, 3, 1, 123456);"
	         "UPDATE fold SET next_5m = 3900;");
	char *cause = NULL;
	struct np_store *st = np_store_open(path, 0, &cause);
	if (st == NULL)
		fail_msg("open: %s", cause);
	assert_int_equal(q_int(st, "PRAGMA user_version"), np_schema_version());
	assert_int_equal(q_int(st, "SELECT count(*) FROM sqlite_schema WHERE name = 'samples'"), 0);
	assert_rows(st, "SELECT next_5m, pass_end, cursor FROM fold", "3900|3900|0");
	assert_rows(st, "SELECT * FROM series", "1|s|d|eth0|if|{}|0|0");
	assert_rows(st, "SELECT bucket, series, secs, rx_bytes FROM rollup_5m ORDER BY bucket",
	            "3600|1|50.0|100\n7200|1|50.0|40");
	assert_rows(st, "SELECT bucket, rx_bytes FROM rollup_1h", "3600|100");
	assert_rows(st, "SELECT bucket, rx_bytes FROM rollup_1d", "0|100");
	assert_rows(st, "SELECT series, t_ms, epoch, mask, rx_bytes, tx_bytes FROM baselines",
	            "1|7250000|3|1|123456|NULL");
	struct np_baseline b;
	assert_int_equal(np_store_baseline_load(st, 1, &b, &cause), 1);
	assert_int_equal(b.value[NP_C_RX_BYTES], 123456);

	/* The fold goes on from 3900: 7200 is folded once, 3600 is not folded again. */
	assert_int_equal(np_store_fold_all(st, &cause), 0);
	assert_rows(st, "SELECT bucket, rx_bytes FROM rollup_1h ORDER BY bucket",
	            "3600|100\n7200|40");
	assert_rows(st, "SELECT bucket, rx_bytes FROM rollup_1d", "0|140");
	assert_rows(st, "SELECT next_5m, pass_end, cursor FROM fold", "7500|7500|0");
	/* Late data for a bucket version 3 had folded reaches every table. */
	struct np_rollup_row r = {.bucket_s = 3600, .secs = 1, .c = {5}};
	assert_int_equal(np_store_rollup(st, 1, &r, &cause), 0);
	assert_rows(st, "SELECT rx_bytes FROM rollup_5m WHERE bucket = 3600", "105");
	assert_rows(st, "SELECT bucket, rx_bytes FROM rollup_1h ORDER BY bucket",
	            "3600|105\n7200|40");
	assert_rows(st, "SELECT bucket, rx_bytes FROM rollup_1d", "0|145");
	assert_int_equal(np_store_check(st, &cause), 0);
	np_store_close(st);
	free(path);
}

/* A version-4 database gains an empty amounts table; its data stays as it was. */
static void
test_migrate_from_four(void **state)
{
	char *path = db_path("v4.db");
	for (int v = 1; v <= 4; v++)
		raw_exec(path, np_schema_migration(v));
	raw_exec(path,
	         "INSERT INTO series VALUES (1, 's', 'd', 'eth0', 'if', '{}', 0, 0);"
	         "INSERT INTO rollup_1d (bucket, series, secs, rx_bytes) VALUES (0, 1, 50, 9);");
	char *cause = NULL;
	struct np_store *st = np_store_open(path, 0, &cause);
	if (st == NULL)
		fail_msg("open: %s", cause);
	assert_true(q_int(st, "PRAGMA user_version") >= 5);
	assert_int_equal(q_int(st, "SELECT count(*) FROM amounts"), 0);
	assert_rows(st, "SELECT bucket, series, rx_bytes FROM rollup_1d", "0|1|9");
	uint64_t c[NP_C_MAX] = {100, 200};
	assert_int_equal(np_store_amount(st, 1, 86400, 2 * 86400, c, 0x3, &cause), 0);
	assert_rows(st, "SELECT start, series, end, rx_bytes, tx_bytes, rx_packets FROM amounts",
	            "86400|1|172800|100|200|NULL");
	assert_int_equal(np_store_check(st, &cause), 0);
	np_store_close(st);
	free(path);
}

static void
test_refuse_newer(void **state)
{
	char *path = db_path("new.db");
	char *cause = NULL;
	struct np_store *st = np_store_open(path, 0, &cause);
	assert_non_null(st);
	np_store_close(st);
	char *newer = np_xasprintf("PRAGMA user_version = %d", np_schema_version() + 1);
	raw_exec(path, newer);
	free(newer);

	assert_null(np_store_open(path, 0, &cause));
	char *want = np_xasprintf(
	    "%s: database schema version %d is newer than this netpulse (%d); upgrade netpulse",
	    path, np_schema_version() + 1, np_schema_version());
	assert_string_equal(cause, want);
	free(cause);
	cause = NULL;
	assert_null(np_store_open(path, NP_STORE_RDONLY, &cause));
	assert_string_equal(cause, want);
	free(cause);
	free(want);
	/* Refusing did not touch it. */
	raw_exec(path, "SELECT 1");
	sqlite3 *db = NULL;
	sqlite3_open(path, &db);
	sqlite3_stmt *stmt = NULL;
	sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, NULL);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(stmt, 0), np_schema_version() + 1);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	free(path);
}

static void
test_refuse_not_a_database(void **state)
{
	char *path = db_path("text.db");
	char text[4096];
	memset(text, 'x', sizeof text);
	memcpy(text, "this is not a database\n", 23);
	write_file(path, text, sizeof text);

	char *cause = NULL;
	assert_null(np_store_open(path, 0, &cause));
	assert_non_null(strstr(cause, "file is not a database"));
	assert_int_equal(strncmp(cause, path, strlen(path)), 0);
	free(cause);
	cause = NULL;
	assert_null(np_store_open(path, NP_STORE_RDONLY, &cause));
	assert_non_null(strstr(cause, "file is not a database"));
	free(cause);
	/* The file is exactly as it was: no WAL switch, no tables. */
	size_t len = 0;
	char *after = np_test_read_file(path, &len);
	assert_int_equal(len, sizeof text);
	assert_memory_equal(after, text, sizeof text);
	free(after);
	free(path);
}

static void
test_refuse_foreign_sqlite(void **state)
{
	char *path = db_path("other.db");
	raw_exec(path, "CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT)");
	char *cause = NULL;
	assert_null(np_store_open(path, 0, &cause));
	assert_non_null(strstr(cause, "not a netpulse one"));
	free(cause);
	free(path);
}

static void
test_rdonly_empty_and_missing(void **state)
{
	char *path = db_path("empty.db");
	write_file(path, "", 0);
	char *cause = NULL;
	assert_null(np_store_open(path, NP_STORE_RDONLY, &cause));
	char *want = np_xasprintf(
	    "%s: not a netpulse database yet (empty); start netpulsed to create it", path);
	assert_string_equal(cause, want);
	free(want);
	free(cause);
	cause = NULL;
	/* A read-write open of the same empty file creates the schema. */
	struct np_store *st = np_store_open(path, 0, &cause);
	assert_non_null(st);
	assert_int_equal(q_int(st, "PRAGMA user_version"), np_schema_version());
	np_store_close(st);
	free(path);

	path = db_path("missing.db");
	assert_null(np_store_open(path, NP_STORE_RDONLY, &cause));
	assert_non_null(strstr(cause, "unable to open database file"));
	free(cause);
	free(path);
}

static void
test_rdonly_while_writer_in_wal(void **state)
{
	char *path = db_path("wal.db");
	char *cause = NULL;
	struct np_store *rw = np_store_open(path, 0, &cause);
	assert_non_null(rw);
	assert_int_equal(np_store_begin(rw, &cause), 0);
	int64_t id = np_store_series(rw, "s", "d", "i", NULL, NULL, 1000, &cause);
	struct np_sample smp = {.from_ms = 940000, .to_ms = 1000000, .mask = 1, .delta = {60}};
	assert_int_equal(np_store_sample(rw, id, &smp, &cause), 0);
	assert_int_equal(np_store_fold_all(rw, &cause), 0); /* hourly/daily are folded */
	assert_int_equal(np_store_commit(rw, &cause), 0);
	char *wal = np_xasprintf("%s-wal", path);
	struct stat sb;
	assert_int_equal(stat(wal, &sb), 0);
	assert_true(sb.st_size > 0); /* the write sits in the WAL, not yet checkpointed */

	struct np_store *ro = np_store_open(path, NP_STORE_RDONLY, &cause);
	if (ro == NULL)
		fail_msg("read-only open: %s", cause);
	assert_rows(ro, "SELECT bucket, rx_bytes FROM rollup_5m", "900|60");
	assert_int_equal(q_int(ro, "SELECT rx_bytes FROM rollup_1d"), 60);

	/* An open write transaction neither blocks the reader nor shows it uncommitted rows. */
	assert_int_equal(np_store_begin(rw, &cause), 0);
	smp.from_ms = 1000000;
	smp.to_ms = 1060000;
	assert_int_equal(np_store_sample(rw, id, &smp, &cause), 0);
	assert_int_equal(np_store_fold_all(rw, &cause), 0); /* hourly/daily are folded */
	assert_int_equal(np_store_begin(ro, &cause), 0);
	assert_rows(ro, "SELECT bucket, rx_bytes FROM rollup_5m", "900|60");
	assert_int_equal(q_int(ro, "SELECT rx_bytes FROM rollup_1d"), 60);
	assert_int_equal(np_store_commit(ro, &cause), 0);
	assert_int_equal(np_store_commit(rw, &cause), 0);
	assert_rows(ro, "SELECT bucket, rx_bytes FROM rollup_5m", "900|120");
	assert_int_equal(q_int(ro, "SELECT rx_bytes FROM rollup_1d"), 120);

	/* The read-only handle cannot write: a fatal error, not a retryable one. */
	assert_int_equal(np_store_series(ro, "s", "d", "new", NULL, NULL, 1000, &cause), -1);
	assert_non_null(strstr(cause, "readonly"));
	assert_true(np_store_error_fatal(ro));
	free(cause);
	cause = NULL;
	/* Known series resolve read-only (no write needed when last_seen did not move). */
	assert_int_equal(np_store_series(ro, "s", "d", "i", NULL, NULL, 1000, &cause), id);
	assert_int_equal(np_store_check(ro, &cause), 0);

	np_store_close(rw);
	np_store_close(ro);
	/* After the writer closed (WAL checkpointed and removed) a reader still opens. */
	ro = np_store_open(path, NP_STORE_RDONLY, &cause);
	if (ro == NULL)
		fail_msg("read-only open after close: %s", cause);
	assert_rows(ro, "SELECT bucket, rx_bytes FROM rollup_5m", "900|120");
	assert_int_equal(q_int(ro, "SELECT rx_bytes FROM rollup_1h"), 120);
	np_store_close(ro);
	free(wal);
	free(path);
}

static void
test_busy_is_retryable(void **state)
{
	char *path = db_path("busy.db");
	char *cause = NULL;
	struct np_store *a = np_store_open(path, 0, &cause);
	struct np_store *b = np_store_open(path, 0, &cause);
	assert_non_null(a);
	assert_non_null(b);
	assert_false(np_store_error_fatal(b)); /* no failure yet */
	sqlite3_busy_timeout(np_store_db(b), 0);
	assert_int_equal(np_store_begin(a, &cause), 0);
	assert_int_equal(np_store_begin(b, &cause), -1);
	assert_non_null(strstr(cause, "locked"));
	assert_false(np_store_error_fatal(b));
	assert_false(np_store_error_row(b)); /* the database's state, not the row's */
	assert_string_equal(np_store_errstr(b), "database is locked");
	free(cause);
	cause = NULL;
	np_store_rollback(a);
	assert_int_equal(np_store_begin(b, &cause), 0);
	assert_int_equal(np_store_commit(b, &cause), 0);
	/* A second BEGIN inside a transaction is a caller bug: fatal. */
	assert_int_equal(np_store_begin(a, &cause), 0);
	assert_int_equal(np_store_begin(a, &cause), -1);
	assert_true(np_store_error_fatal(a));
	free(cause);
	np_store_rollback(a);
	np_store_close(a);
	np_store_close(b);
	free(path);
}

static void
test_check_and_vacuum(void **state)
{
	char *path = db_path("check.db");
	char *cause = NULL;
	struct np_store *st = np_store_open(path, 0, &cause);
	assert_non_null(st);
	assert_int_equal(np_store_check(st, &cause), 0);
	assert_null(cause);
	assert_int_equal(np_store_vacuum(st, &cause), 0);
	assert_int_equal(np_store_check(st, &cause), 0);

	/* A dangling outbox_sink row (foreign keys off, as a careless tool would do). */
	q_exec(st, "PRAGMA foreign_keys = OFF");
	q_exec(st, "INSERT INTO outbox_sink (outbox, sink) VALUES (42, 'x')");
	q_exec(st, "PRAGMA foreign_keys = ON");
	assert_int_equal(np_store_check(st, &cause), -1);
	assert_non_null(strstr(cause, "1 problem(s) found"));
	assert_non_null(strstr(cause, "foreign key: outbox_sink"));
	assert_non_null(strstr(cause, "missing outbox row"));
	free(cause);
	np_store_close(st);
	free(path);
}

/* Overwrites page `page` (1-based, 4096 bytes) of a closed database with garbage. */
static void
smash_page(const char *path, int64_t page)
{
	char junk[4096];
	memset(junk, 0xA5, sizeof junk);
	int fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, junk, sizeof junk, (off_t)((page - 1) * 4096)),
	                 (ssize_t)sizeof junk);
	close(fd);
}

static void
test_refuse_corrupt(void **state)
{
	char *path = db_path("corrupt.db");
	char *cause = NULL;
	struct np_store *st = np_store_open(path, 0, &cause);
	assert_non_null(st);
	assert_false(np_store_was_empty(st)); /* a new file is not an "empty" one */
	assert_true(np_store_series(st, "src", "dev", "eth0", "if", NULL, 100, &cause) == 1);
	int64_t root = q_int(st, "SELECT rootpage FROM sqlite_schema WHERE name = 'series'");
	assert_true(root > 1);
	np_store_close(st); /* the last connection: WAL checkpointed and removed */
	smash_page(path, root);

	/* The header still reads fine: only quick_check sees the damage, before any write. */
	assert_null(np_store_open(path, 0, &cause));
	char *want = np_xasprintf("database %s is corrupt (quick_check: ", path);
	assert_non_null(strstr(cause, want));
	free(want);
	want = np_xasprintf("`sqlite3 %s .recover | sqlite3 NEW.db`", path);
	assert_non_null(strstr(cause, want));
	assert_non_null(strstr(cause, "move it aside together with its -wal and -shm files"));
	assert_null(strchr(cause, '\n')); /* one log line */
	char *open_cause = cause;
	cause = NULL;

	/* `db check` (read-only open) says the same. */
	struct np_store *ro = np_store_open(path, NP_STORE_RDONLY, &cause);
	assert_non_null(ro);
	assert_int_equal(np_store_check(ro, &cause), -1);
	assert_string_equal(cause, open_cause);
	assert_true(np_store_error_fatal(ro));
	np_store_close(ro);
	free(cause);
	free(open_cause);
	free(want);
	free(path);
}

static void
test_empty_file_starts_fresh(void **state)
{
	char *path = db_path("empty.db");
	write_file(path, "", 0);
	char *cause = NULL;
	struct np_store *st = np_store_open(path, 0, &cause);
	assert_non_null(st);
	assert_true(np_store_was_empty(st));
	assert_int_equal(q_int(st, "PRAGMA user_version"), np_schema_version());
	np_store_close(st);
	/* Now it has content: the next open is an ordinary one. */
	st = np_store_open(path, 0, &cause);
	assert_non_null(st);
	assert_false(np_store_was_empty(st));
	np_store_close(st);
	/* Read-only opens never report it (they refuse an empty file anyway). */
	write_file(path, "", 0);
	assert_null(np_store_open(path, NP_STORE_RDONLY, &cause));
	free(cause);
	free(path);
}

static void
test_error_kinds(void **state)
{
	struct np_store *st = open_mem();
	char *cause = NULL;
	assert_string_equal(np_store_errstr(st), "");
	assert_false(np_store_error_row(st));
	/* A row the schema refuses is about the row: writing it again fails again. */
	q_exec(st,
	       "CREATE TEMP TRIGGER no BEFORE INSERT ON series BEGIN SELECT RAISE(ABORT, 'no'); "
	       "END");
	assert_int_equal(np_store_series(st, "s", "d", "i", "if", NULL, 1, &cause), -1);
	assert_true(np_store_error_row(st));
	assert_string_equal(np_store_errstr(st), "constraint failed");
	free(cause);
	np_store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_migrate_from_zero),
	    cmocka_unit_test(test_file_reopen_is_noop),
	    cmocka_unit_test(test_migrate_from_one),
	    cmocka_unit_test(test_migrate_from_two),
	    cmocka_unit_test(test_migrate_from_three),
	    cmocka_unit_test(test_migrate_from_four),
	    cmocka_unit_test(test_refuse_newer),
	    cmocka_unit_test(test_refuse_not_a_database),
	    cmocka_unit_test(test_refuse_foreign_sqlite),
	    cmocka_unit_test(test_rdonly_empty_and_missing),
	    cmocka_unit_test(test_rdonly_while_writer_in_wal),
	    cmocka_unit_test(test_busy_is_retryable),
	    cmocka_unit_test(test_check_and_vacuum),
	    cmocka_unit_test(test_refuse_corrupt),
	    cmocka_unit_test(test_empty_file_starts_fresh),
	    cmocka_unit_test(test_error_kinds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
