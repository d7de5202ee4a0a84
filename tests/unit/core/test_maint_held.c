/*
 * core/maint_held.c alone: which held alerts are remembered, when they are released, and
 * that a release rolled back with its transaction is queued again by the next one.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <syslog.h>

#include "core/maint_held.h"
#include "store/store.h"
#include "testutil.h"

static const char *const sinks[] = {"udp://127.0.0.1:514"};

static int
yes(const struct np_ls_event *ev, void *arg)
{
	(void)ev;
	(void)arg;
	return 1;
}

static int
no(const struct np_ls_event *ev, void *arg)
{
	(void)ev;
	*(int *)arg += 1;
	return 0;
}

static int
never(const struct np_ls_event *ev, void *arg)
{
	(void)ev;
	(void)arg;
	return -1;
}

static int64_t
outbox_rows(struct np_store *st)
{
	sqlite3_stmt *s;
	assert_int_equal(
	    sqlite3_prepare_v2(np_store_db(st), "SELECT count(*) FROM outbox", -1, &s, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	int64_t n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

static struct np_ls_event
event(const char *dev, enum np_state from, enum np_state to, enum np_alert_kind alert)
{
	return (struct np_ls_event){.device = dev,
	                            .interface = "ge-0/0/1",
	                            .transition = true,
	                            .from = from,
	                            .to = to,
	                            .time_ms = 1764576010000,
	                            .alert = alert,
	                            .outage_ms = -1,
	                            .sources = "fc"};
}

static void
test_release_and_rollback(void **state)
{
	(void)state;
	char *cause = NULL;
	struct np_store *st = np_store_open(":memory:", 0, &cause);
	assert_non_null(st);
	struct np_maint_held *h = np_maint_held_new();
	struct np_maint_held_out out = {st, sinks, 1, NULL};

	struct np_ls_event down = event("sw1", NP_ST_UP, NP_ST_DOWN, NP_AL_IFDOWN);
	np_maint_held_note(h, &down, "swap", "sw1 ge-0/0/1 is down", LOG_ERR);
	/* A STALE held back is not remembered (no entry for its link). */
	struct np_ls_event stale = event("sw2", NP_ST_UP, NP_ST_STALE, NP_AL_STALE);
	np_maint_held_note(h, &stale, "swap", "stale", LOG_WARNING);
	/* A link whose alert is sent after a held one: forgotten. */
	struct np_ls_event d3 = event("sw3", NP_ST_UP, NP_ST_DOWN, NP_AL_IFDOWN);
	np_maint_held_note(h, &d3, "swap", "down", LOG_ERR);
	struct np_ls_event u3 = event("sw3", NP_ST_DOWN, NP_ST_UP, NP_AL_IFUP);
	np_maint_held_note(h, &u3, NULL, "up", LOG_NOTICE);
	assert_int_equal(np_maint_held_count(h), 1);

	/* Still covered: kept, nothing queued. */
	assert_int_equal(np_store_begin(st, &cause), 0);
	assert_int_equal(np_maint_held_release(h, 1764576070000, yes, NULL, &out, &cause), 0);
	assert_int_equal(outbox_rows(st), 0);
	assert_int_equal(np_maint_held_count(h), 1);

	/* Released, then the transaction rolls back: the next one queues it again. */
	int asked = 0;
	assert_int_equal(np_maint_held_release(h, 1764576070000, no, &asked, &out, &cause), 0);
	assert_int_equal(asked, 1);
	assert_int_equal(outbox_rows(st), 1);
	np_store_rollback(st);
	assert_int_equal(outbox_rows(st), 0);
	assert_int_equal(np_store_begin(st, &cause), 0);
	assert_int_equal(np_maint_held_release(h, 1764576080000, no, &asked, &out, &cause), 0);
	assert_int_equal(outbox_rows(st), 1);
	assert_int_equal(np_store_commit(st, &cause), 0);
	np_maint_held_commit(h);
	assert_int_equal(np_maint_held_count(h), 0);

	/* Done with: a later release queues nothing. */
	assert_int_equal(np_store_begin(st, &cause), 0);
	assert_int_equal(np_maint_held_release(h, 1764576090000, no, &asked, &out, &cause), 0);
	assert_int_equal(np_store_commit(st, &cause), 0);
	assert_int_equal(outbox_rows(st), 1);
	np_maint_held_free(h);
	np_store_close(st);
}

/* Down and up again inside the window, or a change without an alert afterwards: dropped. */
static void
test_back_or_changed(void **state)
{
	(void)state;
	char *cause = NULL;
	struct np_store *st = np_store_open(":memory:", 0, &cause);
	assert_non_null(st);
	struct np_maint_held *h = np_maint_held_new();
	struct np_maint_held_out out = {st, sinks, 1, NULL};
	struct np_ls_event d1 = event("sw1", NP_ST_UP, NP_ST_DOWN, NP_AL_IFDOWN);
	struct np_ls_event u1 = event("sw1", NP_ST_DOWN, NP_ST_UP, NP_AL_IFUP);
	np_maint_held_note(h, &d1, "w", "down", LOG_ERR);
	np_maint_held_note(h, &u1, "w", "up", LOG_NOTICE);
	struct np_ls_event d2 = event("sw2", NP_ST_UP, NP_ST_DOWN, NP_AL_IFDOWN);
	struct np_ls_event s2 = event("sw2", NP_ST_DOWN, NP_ST_STALE, NP_AL_NONE);
	np_maint_held_note(h, &d2, "w", "down", LOG_ERR);
	np_maint_held_note(h, &s2, NULL, NULL, 0);
	assert_int_equal(np_maint_held_count(h), 2);
	int asked = 0;
	assert_int_equal(np_store_begin(st, &cause), 0);
	assert_int_equal(np_maint_held_release(h, 1764576070000, no, &asked, &out, &cause), 0);
	assert_int_equal(np_store_commit(st, &cause), 0);
	assert_int_equal(asked, 2);
	assert_int_equal(outbox_rows(st), 0);
	assert_int_equal(np_maint_held_count(h), 0);

	/* Never to be sent (a `links:` alert: false since): forgotten, nothing queued. */
	np_maint_held_note(h, &d1, "w", "down", LOG_ERR);
	assert_int_equal(np_maint_held_count(h), 1);
	assert_int_equal(np_store_begin(st, &cause), 0);
	assert_int_equal(np_maint_held_release(h, 1764576070000, never, NULL, &out, &cause), 0);
	assert_int_equal(np_store_commit(st, &cause), 0);
	assert_int_equal(outbox_rows(st), 0);
	assert_int_equal(np_maint_held_count(h), 0);
	np_maint_held_free(h);
	np_store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_release_and_rollback),
	    cmocka_unit_test(test_back_or_changed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
