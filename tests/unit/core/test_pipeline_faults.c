/*
 * Pipeline on a database whose writes fail (a full disk, simulated by a VFS that fails every
 * write with SQLITE_FULL) and then recover: an outage that begins and ends while nothing can
 * be written is stored exactly once, in order, with its real times, and so are its alerts.
 */
#include "pipetest.h"

#include <stdbool.h>
#include <string.h>
#include <syslog.h>

#define T0S (T0 / 1000)

/* --- a VFS over the default one whose writes fail while `disk_full` is set --- */

static bool disk_full;
static unsigned failed_writes;
static sqlite3_vfs *real_vfs;
static sqlite3_vfs full_vfs;

struct ffile {
	sqlite3_file base;
	sqlite3_file *real; /* follows this struct in the same allocation */
};

#define REAL(f) (((struct ffile *)(f))->real)

static int
f_close(sqlite3_file *f)
{
	return REAL(f)->pMethods->xClose(REAL(f));
}
static int
f_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
}
static int
f_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
	if (disk_full) {
		failed_writes++;
		return SQLITE_FULL;
	}
	return REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
}
static int
f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}
static int
f_sync(sqlite3_file *f, int flags)
{
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}
static int
f_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}
static int
f_lock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xLock(REAL(f), l);
}
static int
f_unlock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), l);
}
static int
f_reserved(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}
static int
f_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}
static int
f_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}
static int
f_chars(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}
static int
f_shm_map(sqlite3_file *f, int pg, int sz, int extend, void volatile **pp)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, extend, pp);
}
static int
f_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}
static void
f_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}
static int
f_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

/* Version 2: no memory-mapped I/O, so every page write goes through f_write. */
static const sqlite3_io_methods full_methods = {
    .iVersion = 2,
    .xClose = f_close,
    .xRead = f_read,
    .xWrite = f_write,
    .xTruncate = f_truncate,
    .xSync = f_sync,
    .xFileSize = f_size,
    .xLock = f_lock,
    .xUnlock = f_unlock,
    .xCheckReservedLock = f_reserved,
    .xFileControl = f_control,
    .xSectorSize = f_sector,
    .xDeviceCharacteristics = f_chars,
    .xShmMap = f_shm_map,
    .xShmLock = f_shm_lock,
    .xShmBarrier = f_shm_barrier,
    .xShmUnmap = f_shm_unmap,
};

static int
v_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out)
{
	struct ffile *ff = (struct ffile *)f;
	ff->real = (sqlite3_file *)(ff + 1);
	int rc = real_vfs->xOpen(real_vfs, name, ff->real, flags, out);
	ff->base.pMethods = rc == SQLITE_OK && ff->real->pMethods != NULL ? &full_methods : NULL;
	return rc;
}

static void
install_vfs(void)
{
	if (real_vfs != NULL)
		return;
	real_vfs = sqlite3_vfs_find(NULL);
	full_vfs = *real_vfs;
	full_vfs.zName = "np-disk-full";
	full_vfs.szOsFile = (int)sizeof(struct ffile) + real_vfs->szOsFile;
	full_vfs.xOpen = v_open;
	assert_int_equal(sqlite3_vfs_register(&full_vfs, 1), SQLITE_OK);
}

/* --- fixture --- */

static const char *const sinks[] = {"tcp://127.0.0.1:5515", "udp://127.0.0.1:5514"};

static int
setup(void **state)
{
	install_vfs();
	disk_full = false;
	struct fx *f = fx_new("faults.db", sinks, 2);
	f->cfg.state.flap_transitions = 0; /* no flap detection */
	f->cfg.state.flap_window_ms = 0;
	f->src.state = f->cfg.state;
	fx_start(f, T0, T0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	disk_full = false;
	return fx_teardown(state);
}

/* One complete batch at t: each named interface up or down. */
static int
poll(struct fx *f, int64_t t, const char *ifn0, enum np_link_obs l0, const char *ifn1,
     enum np_link_obs l1, char **cause)
{
	np_batch_reset(&f->b, t);
	f->b.complete = true;
	const char *names[2] = {ifn0, ifn1};
	enum np_link_obs links[2] = {l0, l1};
	for (int i = 0; i < 2; i++) {
		if (names[i] == NULL)
			continue;
		struct np_obs *o = np_batch_add(&f->b);
		np_obs_set_names(&f->b, o, "host1", names[i]);
		o->time_ms = t;
		o->counter_bits = 64;
		o->epoch = 2;
		o->link = links[i];
		np_obs_counter(o, NP_C_RX_BYTES, (uint64_t)(t - T0));
	}
	f->b.mono_ms = t; /* wall and monotonic clocks run together here */
	return np_pipeline_ingest(f->pl, &f->src, &f->b, t, t, cause);
}

static void
poll_ok(struct fx *f, int64_t t, const char *ifn0, enum np_link_obs l0, const char *ifn1,
        enum np_link_obs l1)
{
	char *cause = NULL;
	if (poll(f, t, ifn0, l0, ifn1, l1, &cause) != 0)
		fail_msg("ingest at +%llds: %s", (long long)((t - T0) / 1000), cause);
}

static void
poll_fails(struct fx *f, int64_t t, const char *ifn0, enum np_link_obs l0, const char *ifn1,
           enum np_link_obs l1)
{
	char *cause = NULL;
	assert_int_equal(poll(f, t, ifn0, l0, ifn1, l1, &cause), -1);
	assert_non_null(cause);
	free(cause);
}

/* All rows as text ("a|b\nc|d"), NULL as "NULL". */
static char *
rows(struct fx *f, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	if (sqlite3_prepare_v2(np_store_db(f->st), sql, -1, &stmt, NULL) != SQLITE_OK)
		fail_msg("prepare %s: %s", sql, sqlite3_errmsg(np_store_db(f->st)));
	char *out = np_xstrdup("");
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(stmt); i++) {
			const char *v = sqlite3_column_type(stmt, i) == SQLITE_NULL
			                    ? "NULL"
			                    : (const char *)sqlite3_column_text(stmt, i);
			char *n = np_xasprintf("%s%s%s", out, i > 0 ? "|" : (*out ? "\n" : ""), v);
			free(out);
			out = n;
		}
	}
	sqlite3_finalize(stmt);
	return out;
}

#define assert_rows(f, sql, expected)                                                              \
	do {                                                                                       \
		char *got_ = rows((f), (sql));                                                     \
		assert_string_equal(got_, (expected));                                             \
		free(got_);                                                                        \
	} while (0)

static void
test_outage_while_disk_full_is_stored_once(void **state)
{
	struct fx *f = *state;
	struct np_pipeline_storage s;
	poll_ok(f, T0, "eth0", NP_LINK_UP, NULL, NP_LINK_NONE);

	disk_full = true;
	failed_writes = 0;
	poll_fails(f, T0 + 10000, "eth0", NP_LINK_DOWN, NULL, NP_LINK_NONE);
	assert_true(failed_writes > 0); /* it was the disk, not something else */
	np_pipeline_storage(f->pl, &s);
	assert_true(s.failing);
	assert_int_equal(s.failed, 1);
	assert_int_equal(s.since_ms, T0 + 10000);
	assert_string_equal(s.error, "database or disk is full");
	assert_int_equal(s.held, 1);
	poll_fails(f, T0 + 20000, "eth0", NP_LINK_DOWN, NULL, NP_LINK_NONE);
	poll_fails(f, T0 + 30000, "eth0", NP_LINK_UP, NULL, NP_LINK_NONE);
	char *cause = NULL;
	assert_int_equal(np_pipeline_tick(f->pl, T0 + 35000, T0 + 35000, &cause), -1);
	free(cause);
	np_pipeline_storage(f->pl, &s);
	assert_true(s.failing);
	assert_int_equal(s.failed, 4);
	assert_int_equal(s.held, 2); /* the IFDOWN and the IFUP, each once */
	assert_int_equal(np_pipeline_alerts_queued(f->pl), 0);
	/* Nothing of it reached the database. */
	assert_rows(f,
	            "SELECT count(*) FROM transitions WHERE state != 'up' OR previous != 'unknown'",
	            "0");

	disk_full = false;
	poll_ok(f, T0 + 40000, "eth0", NP_LINK_UP, NULL, NP_LINK_NONE);
	np_pipeline_storage(f->pl, &s);
	assert_false(s.failing);
	assert_int_equal(s.failed, 4);
	assert_int_equal(s.since_ms, T0 + 10000);
	assert_int_equal(s.until_ms, T0 + 40000);
	assert_int_equal(s.stored, 2);
	assert_int_equal(s.held, 0);
	assert_int_equal(s.dropped, 0);
	assert_int_equal(np_pipeline_alerts_queued(f->pl), 2);
	assert_int_equal(np_pipeline_stats(f->pl)->failed_batches, 4);
	assert_int_equal(np_pipeline_stats(f->pl)->events, 3);

	char *want = np_xasprintf("%lld|up|unknown|NULL|NULL\n"
	                          "%lld|down|up|NULL|IFDOWN\n"
	                          "%lld|up|down|20|IFUP",
	                          (long long)T0S, (long long)T0S + 10, (long long)T0S + 30);
	assert_rows(f,
	            "SELECT time, state, previous, outage_seconds, alert FROM transitions "
	            "WHERE interface = 'eth0' ORDER BY id",
	            want);
	free(want);
	want = np_xasprintf("%lld|%lld", (long long)T0S + 10, (long long)T0S + 30);
	assert_rows(f, "SELECT start, end FROM outages", want);
	free(want);
	want = np_xasprintf("IFDOWN|%d|down|up|%lld|%lld|NULL\n"
	                    "IFUP|%d|up|down|%lld|%lld|20",
	                    LOG_ERR, (long long)T0S + 10, (long long)T0S + 10, LOG_NOTICE,
	                    (long long)T0S + 30, (long long)T0S + 30);
	assert_rows(f,
	            "SELECT msgid, severity, state, previous, created, since, outage_seconds "
	            "FROM outbox ORDER BY id",
	            want);
	free(want);
	assert_rows(f, "SELECT count(*), count(DISTINCT outbox) FROM outbox_sink", "4|2");
	want = np_xasprintf("up|%lld|0", (long long)T0S + 30);
	assert_rows(f, "SELECT state, since, outage_start FROM links WHERE interface = 'eth0'",
	            want);
	free(want);

	/* A restart on the recovered database neither repeats nor invents anything. */
	np_pipeline_free(f->pl);
	fx_pipeline(f, T0 + 50000, T0 + 50000);
	poll_ok(f, T0 + 50000, "eth0", NP_LINK_UP, NULL, NP_LINK_NONE);
	assert_rows(f, "SELECT count(*) FROM transitions", "3");
	assert_rows(f, "SELECT count(*) FROM outbox", "2");
}

/* The outage is still open when the disk fills: it opens (once) when space returns. */
static void
test_open_outage_survives_failed_batches(void **state)
{
	struct fx *f = *state;
	poll_ok(f, T0, "eth0", NP_LINK_UP, NULL, NP_LINK_NONE);
	disk_full = true;
	for (int i = 1; i <= 6; i++)
		poll_fails(f, T0 + i * 1000, "eth0", NP_LINK_DOWN, NULL, NP_LINK_NONE);
	disk_full = false;
	poll_ok(f, T0 + 7000, "eth0", NP_LINK_DOWN, NULL, NP_LINK_NONE);
	char *want = np_xasprintf("%lld|NULL", (long long)T0S + 1);
	assert_rows(f, "SELECT start, end FROM outages", want);
	free(want);
	assert_rows(f, "SELECT msgid FROM outbox", "IFDOWN");
	want = np_xasprintf("down|%lld|%lld", (long long)T0S + 1, (long long)T0S + 1);
	assert_rows(f, "SELECT state, since, outage_start FROM links WHERE interface = 'eth0'",
	            want);
	free(want);
	/* And it closes normally afterwards. */
	poll_ok(f, T0 + 9000, "eth0", NP_LINK_UP, NULL, NP_LINK_NONE);
	assert_rows(f, "SELECT end - start FROM outages", "8");
	assert_rows(f, "SELECT msgid, outage_seconds FROM outbox ORDER BY id",
	            "IFDOWN|NULL\nIFUP|8");
}

/*
 * A transition the database refuses for what it is (a constraint, not the disk) would block
 * every later write if it were held: it is dropped and counted, the others are stored.
 */
static void
test_refused_row_is_dropped_not_retried(void **state)
{
	struct fx *f = *state;
	poll_ok(f, T0, "eth0", NP_LINK_UP, "bad0", NP_LINK_UP);
	sqlite3_exec(np_store_db(f->st),
	             "CREATE TEMP TRIGGER refuse BEFORE INSERT ON transitions "
	             "WHEN NEW.interface = 'bad0' BEGIN SELECT RAISE(ABORT, 'refused'); END",
	             NULL, NULL, NULL);
	poll_fails(f, T0 + 10000, "eth0", NP_LINK_DOWN, "bad0", NP_LINK_DOWN);
	struct np_pipeline_storage s;
	np_pipeline_storage(f->pl, &s);
	assert_int_equal(s.dropped, 1);
	assert_int_equal(s.held, 1);
	poll_ok(f, T0 + 20000, "eth0", NP_LINK_DOWN, "bad0", NP_LINK_DOWN);
	np_pipeline_storage(f->pl, &s);
	assert_false(s.failing);
	assert_int_equal(s.stored, 1);
	assert_rows(f, "SELECT interface, msgid FROM outbox", "eth0|IFDOWN");
	char *want = np_xasprintf("eth0|%lld|NULL", (long long)T0S + 10);
	assert_rows(f, "SELECT interface, start, end FROM outages", want);
	free(want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_outage_while_disk_full_is_stored_once, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_open_outage_survives_failed_batches, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_refused_row_is_dropped_not_retried, setup,
	                                    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
