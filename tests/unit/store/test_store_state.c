/* Link state, collector health, runs and retention. */
#include "storetest.h"

#define NOW (1780272000LL + 10 * 86400) /* 2026-06-11T00:00:00Z */
#define DAYS 86400LL

struct loaded {
	int n;
	struct np_ls_saved s[4];
	char dev[4][32], ifn[4][32], src[4][32];
};

static void
load_cb(const struct np_ls_saved *s, void *arg)
{
	struct loaded *l = arg;
	if (l->n >= 4)
		fail_msg("too many links");
	l->s[l->n] = *s;
	snprintf(l->dev[l->n], sizeof l->dev[0], "%s", s->device);
	snprintf(l->ifn[l->n], sizeof l->ifn[0], "%s", s->interface);
	l->s[l->n].device = l->dev[l->n];
	l->s[l->n].interface = l->ifn[l->n];
	if (s->sources != NULL) {
		snprintf(l->src[l->n], sizeof l->src[0], "%s", s->sources);
		l->s[l->n].sources = l->src[l->n];
	}
	l->n++;
}

static void
assert_saved_equal(const struct np_ls_saved *a, const struct np_ls_saved *b)
{
	assert_string_equal(a->device, b->device);
	assert_string_equal(a->interface, b->interface);
	assert_int_equal(a->state, b->state);
	assert_int_equal(a->since_ms, b->since_ms);
	assert_int_equal(a->last_known, b->last_known);
	assert_int_equal(a->ever_up, b->ever_up);
	assert_int_equal(a->flapping, b->flapping);
	assert_int_equal(a->outage_start_ms, b->outage_start_ms);
	assert_int_equal(a->pending, b->pending);
	assert_int_equal(a->pending_since_ms, b->pending_since_ms);
	assert_int_equal(a->last_change_ms, b->last_change_ms);
	if (a->sources == NULL || b->sources == NULL)
		assert_true(a->sources == b->sources);
	else
		assert_string_equal(a->sources, b->sources);
}

static void
test_links_round_trip(void **state)
{
	struct np_store *st = open_mem();
	char *cause = NULL;
	struct np_ls_saved a = {.device = "host1",
	                        .interface = "eth0",
	                        .state = NP_ST_DOWN,
	                        .since_ms = 1000000,
	                        .last_known = NP_ST_DOWN,
	                        .ever_up = true,
	                        .flapping = true,
	                        .outage_start_ms = 1000000,
	                        .pending = NP_ST_UP,
	                        .pending_since_ms = 1060000,
	                        .last_change_ms = 999000};
	struct np_ls_saved b = {.device = "10.0.0.1",
	                        .interface = "",
	                        .state = NP_ST_STALE,
	                        .since_ms = 5000,
	                        .last_known = NP_ST_UNKNOWN,
	                        .ever_up = false,
	                        .flapping = false,
	                        .outage_start_ms = 0,
	                        .pending = NP_ST_UNKNOWN,
	                        .pending_since_ms = 0,
	                        .last_change_ms = 0};
	assert_int_equal(np_store_link_save(st, &a, &cause), 0);
	assert_int_equal(np_store_link_save(st, &b, &cause), 0);
	assert_rows(st, "SELECT * FROM links ORDER BY device",
	            "10.0.0.1||stale|5|unknown|0|0|0|unknown|0|0|\n"
	            "host1|eth0|down|1000|down|1|1|1000|up|1060|999|");

	struct loaded l = {0};
	assert_int_equal(np_store_links_load(st, load_cb, &l, &cause), 0);
	assert_int_equal(l.n, 2);
	assert_saved_equal(&l.s[0], &b);
	assert_saved_equal(&l.s[1], &a);

	/* An event records the deciding sources; a later save keeps them. */
	struct np_ls_event e = {.device = "host1",
	                        .interface = "eth0",
	                        .transition = true,
	                        .from = NP_ST_DOWN,
	                        .to = NP_ST_UP,
	                        .time_ms = 1100000,
	                        .outage_ms = 100000,
	                        .sources = "this-host"};
	assert_int_equal(np_store_event(st, &e, "", 5, NULL, 0, &cause), 0);
	a.state = NP_ST_UP;
	a.since_ms = 1100000;
	a.last_known = NP_ST_UP;
	a.flapping = false;
	a.outage_start_ms = 0;
	a.pending = NP_ST_UNKNOWN;
	a.pending_since_ms = 0;
	a.last_change_ms = 1100000;
	assert_int_equal(np_store_link_save(st, &a, &cause), 0);
	assert_rows(st, "SELECT * FROM links WHERE device = 'host1'",
	            "host1|eth0|up|1100|up|1|0|0|unknown|0|1100|this-host");
	memset(&l, 0, sizeof l);
	assert_int_equal(np_store_links_load(st, load_cb, &l, &cause), 0);
	assert_int_equal(l.n, 2);
	a.sources = "this-host"; /* kept from the event: the save said nothing about them */
	assert_saved_equal(&l.s[1], &a);
	/* A save that names its sources stores them. */
	a.sources = "fc-east,fc-west";
	assert_int_equal(np_store_link_save(st, &a, &cause), 0);
	assert_rows(st, "SELECT sources FROM links WHERE device = 'host1'", "fc-east,fc-west");
	memset(&l, 0, sizeof l);
	assert_int_equal(np_store_links_load(st, load_cb, &l, &cause), 0);
	assert_saved_equal(&l.s[1], &a);
	b.sources = "";
	assert_int_equal(np_store_link_save(st, &b, &cause), 0);
	memset(&l, 0, sizeof l);
	assert_int_equal(np_store_links_load(st, load_cb, &l, &cause), 0);
	assert_null(l.s[0].sources); /* "" loads as NULL: no observers to restore */

	/* A link first seen through an event exists before its first save. */
	e.device = "new";
	e.from = NP_ST_UNKNOWN;
	e.to = NP_ST_DOWN;
	e.outage_ms = -1;
	assert_int_equal(np_store_event(st, &e, "", 3, NULL, 0, &cause), 0);
	assert_rows(st, "SELECT * FROM links WHERE device = 'new'",
	            "new|eth0|down|1100|down|0|0|0|unknown|0|0|this-host");

	/* A damaged row is reported, not guessed. */
	q_exec(st, "UPDATE links SET state = 'sideways' WHERE device = 'host1'");
	memset(&l, 0, sizeof l);
	assert_int_equal(np_store_links_load(st, load_cb, &l, &cause), -1);
	assert_string_equal(cause, "links: state 'sideways' is not a state");
	free(cause);
	np_store_close(st);
}

static void
test_collectors(void **state)
{
	struct np_store *st = open_mem();
	char *cause = NULL;
	bool ok = true;
	int64_t since = 0;
	int failures = -1;
	char *last = NULL;
	assert_int_equal(
	    np_store_collector_load(st, "fc-east", &ok, &since, &failures, &last, &cause), 0);
	assert_int_equal(np_store_collector_save(st, "fc-east", false, 1000, "ssh: refused", 3, 2,
	                                         "bad row", &cause),
	                 0);
	assert_int_equal(
	    np_store_collector_load(st, "fc-east", &ok, &since, &failures, &last, &cause), 1);
	assert_false(ok);
	assert_int_equal(since, 1000);
	assert_int_equal(failures, 3);
	assert_string_equal(last, "ssh: refused");
	free(last);
	assert_int_equal(np_store_collector_save(st, "fc-east", true, 2000, "", 0, 0, "", &cause),
	                 0);
	assert_int_equal(np_store_collector_save(st, "meraki", true, 50, NULL, 0, 0, NULL, &cause),
	                 0);
	assert_int_equal(np_store_collector_load(st, "fc-east", &ok, &since, NULL, NULL, &cause),
	                 1);
	assert_true(ok);
	assert_int_equal(since, 2000);
	assert_rows(st, "SELECT * FROM collectors ORDER BY source",
	            "fc-east|1|2000||0|0|\nmeraki|1|50||0|0|");
	np_store_close(st);
}

static void
test_runs(void **state)
{
	struct np_store *st = open_mem();
	char *cause = NULL;
	assert_int_equal(np_store_run_start(st, 100, &cause), 1);
	assert_int_equal(np_store_run_alive(st, 1, 160, &cause), 0);
	assert_int_equal(np_store_run_alive(st, 1, 150, &cause), 0); /* never backwards */
	assert_int_equal(np_store_run_start(st, 500, &cause), 2);
	char *want = np_xasprintf("1|100|160|%s\n2|500|500|%s", NP_VERSION, NP_VERSION);
	assert_rows(st, "SELECT * FROM runs ORDER BY id", want);
	free(want);
	assert_int_equal(np_store_run_alive(st, 9, 600, &cause), -1);
	assert_string_equal(cause, "no run 9");
	free(cause);
	np_store_close(st);
}

static void
sample_ending(struct np_store *st, int64_t id, int64_t t_s)
{
	char *cause = NULL;
	struct np_sample s = {.from_ms = (t_s - 60) * 1000,
	                      .to_ms = t_s * 1000,
	                      .mask = 1u << NP_C_RX_BYTES,
	                      .delta = {100}};
	if (np_store_sample(st, id, &s, &cause) != 0)
		fail_msg("sample: %s", cause);
}

static void
transition_at(struct np_store *st, int64_t t_s)
{
	struct np_ls_event e = {.device = "d",
	                        .interface = "i",
	                        .transition = true,
	                        .from = NP_ST_UP,
	                        .to = NP_ST_UP,
	                        .time_ms = t_s * 1000,
	                        .outage_ms = -1,
	                        .sources = "s"};
	char *cause = NULL;
	if (np_store_event(st, &e, "", 5, NULL, 0, &cause) != 0)
		fail_msg("event: %s", cause);
}

static int64_t
count(struct np_store *st, const char *table)
{
	char *sql = np_xasprintf("SELECT count(*) FROM %s", table);
	int64_t n = q_int(st, sql);
	free(sql);
	return n;
}

static void
test_retention(void **state)
{
	struct np_store *st = open_mem();
	char *cause = NULL;
	int64_t id = np_store_series(st, "s", "d", "i", NULL, NULL, NOW, &cause);
	sample_ending(st, id, NOW - 5 * DAYS - 10);       /* A */
	sample_ending(st, id, NOW - 3 * DAYS);            /* B */
	sample_ending(st, id, NOW - 2 * DAYS - 1);        /* C */
	sample_ending(st, id, NOW - 2 * DAYS);            /* D */
	sample_ending(st, id, NOW - 3600);                /* E */
	assert_int_equal(np_store_fold_all(st, NULL), 0); /* hourly/daily are folded */
	transition_at(st, NOW - 5 * DAYS);
	transition_at(st, NOW - 4 * DAYS);
	transition_at(st, NOW - DAYS);
	char *sql = np_xasprintf(
	    "INSERT INTO outages (device, interface, start, end) VALUES"
	    " ('d', 'a', %lld, %lld), ('d', 'b', %lld, %lld), ('d', 'c', %lld, NULL);"
	    "INSERT INTO unobserved (device, interface, start, end) VALUES"
	    " ('d', 'a', %lld, %lld), ('d', 'c', %lld, NULL);"
	    "INSERT INTO outbox (id, created, msgid, severity, device, interface, state, previous,"
	    " since, source, message) VALUES (1, %lld, 'IFUP', 5, 'd', 'i', 'up', 'down', 0, 's', "
	    "''),"
	    " (2, %lld, 'IFUP', 5, 'd', 'i', 'up', 'down', 0, 's', ''),"
	    " (3, %lld, 'IFUP', 5, 'd', 'i', 'up', 'down', 0, 's', '');"
	    "INSERT INTO outbox_sink (outbox, sink, delivered) VALUES (1, 'x', 1), (1, 'y', 1),"
	    " (2, 'x', 1), (2, 'y', NULL), (3, 'x', 1);",
	    NOW - 6 * DAYS, NOW - 5 * DAYS + 1, NOW - 5 * DAYS, NOW - 3 * DAYS, NOW - 7 * DAYS,
	    NOW - 6 * DAYS, NOW - 5 * DAYS + 1, NOW - 7 * DAYS, NOW - 8 * DAYS, NOW - 8 * DAYS,
	    NOW - 6 * DAYS);
	q_exec(st, sql);
	free(sql);

	/* Forever everywhere (the outbox rule still applies). */
	struct np_retention_cfg keep = {-1, -1, -1, -1, -1};
	assert_int_equal(np_store_retention(st, &keep, NOW, &cause), 0);
	assert_int_equal(count(st, "rollup_5m"), 4);
	assert_int_equal(count(st, "rollup_1h"), 4);
	assert_int_equal(count(st, "rollup_1d"), 4);
	assert_int_equal(count(st, "transitions"), 3);
	assert_int_equal(count(st, "outages"), 3);
	assert_rows(st, "SELECT id FROM outbox ORDER BY id", "2\n3");
	assert_int_equal(count(st, "outbox_sink"), 3); /* outbox 1's sinks went with it */

	struct np_retention_cfg r = {.raw_ms = 2 * DAYS * 1000,
	                             .rollup_5m_ms = 3 * DAYS * 1000,
	                             .hourly_ms = 5 * DAYS * 1000,
	                             .daily_ms = -1,
	                             .transitions_ms = 4 * DAYS * 1000};
	assert_int_equal(np_store_retention(st, &r, NOW, &cause), 0);
	/* raw: there are no raw rows any more (schema 4); its retention prunes nothing else. */
	/* 5m: a bucket goes only once all of it is older than now-3d (A's and B's). */
	sql = np_xasprintf("%lld|200\n%lld|100", NOW - 2 * DAYS - 300, NOW - 3600 - 300);
	assert_rows(st, "SELECT bucket, rx_bytes FROM rollup_5m ORDER BY bucket", sql);
	free(sql);
	/* 1h: A's bucket ended at now-5d = the cutoff: gone. */
	sql = np_xasprintf("%lld\n%lld\n%lld", NOW - 3 * DAYS - 3600, NOW - 2 * DAYS - 3600,
	                   NOW - 2 * 3600);
	assert_rows(st, "SELECT bucket FROM rollup_1h ORDER BY bucket", sql);
	free(sql);
	assert_int_equal(count(st, "rollup_1d"), 4);
	assert_int_equal(q_int(st, "SELECT sum(rx_bytes) FROM rollup_1d"), 500);
	sql = np_xasprintf("%lld\n%lld", NOW - 4 * DAYS, NOW - DAYS);
	assert_rows(st, "SELECT time FROM transitions ORDER BY time", sql);
	free(sql);
	/* Closed before now-4d: gone; closed later or still open: kept. */
	assert_rows(st, "SELECT interface FROM outages ORDER BY interface", "b\nc");
	assert_rows(st, "SELECT interface FROM unobserved ORDER BY interface", "c");
	assert_rows(st, "SELECT id FROM outbox ORDER BY id", "2\n3");

	/* Not inside a batch transaction. */
	assert_int_equal(np_store_begin(st, &cause), 0);
	assert_int_equal(np_store_retention(st, &r, NOW, &cause), -1);
	assert_non_null(strstr(cause, "own transaction"));
	free(cause);
	np_store_rollback(st);
	assert_int_equal(np_store_check(st, NULL), 0);
	np_store_close(st);
}

static void
rollup_at(struct np_store *st, int64_t id, int64_t bucket, uint64_t rx)
{
	char *cause = NULL;
	struct np_rollup_row r = {.bucket_s = bucket, .secs = 60, .c = {rx}};
	if (np_store_rollup(st, id, &r, &cause) != 0)
		fail_msg("rollup: %s", cause);
}

/* One retention step and what it left: the 5-minute buckets, transitions, outages. */
static void
step(struct np_store *st, const struct np_retention_cfg *r, int want_rc, const char *buckets,
     int64_t transitions, const char *outages)
{
	char *cause = NULL;
	int rc = np_store_retention_step(st, r, NOW, 2, &cause);
	if (rc == -1)
		fail_msg("retention step: %s", cause);
	assert_int_equal(rc, want_rc);
	assert_rows(st,
	            "SELECT (bucket - 1781136000) || ':' || group_concat(series, ',') FROM"
	            " (SELECT * FROM rollup_5m ORDER BY bucket, series) GROUP BY bucket"
	            " ORDER BY bucket",
	            buckets);
	assert_int_equal(count(st, "transitions"), transitions);
	assert_rows(st, "SELECT interface FROM outages ORDER BY interface", outages);
}

/*
 * Retention runs in small steps (issue #6: never one long delete): one step deletes the
 * oldest 5-minute bucket (every series' row in it), or at most max_rows rows of a table with
 * ids, and says whether more may be left. What is younger than the cutoff stays, and so do
 * open outages and unobserved intervals, however old.
 */
static void
test_retention_steps(void **state)
{
	struct np_store *st = open_mem();
	char *cause = NULL;
	assert_int_equal(NOW, 1781136000);
	int64_t a = np_store_series(st, "s", "d", "a", NULL, NULL, NOW, &cause);
	int64_t b = np_store_series(st, "s", "d", "b", NULL, NULL, NOW, &cause);
	rollup_at(st, a, NOW - 4 * DAYS, 1);
	rollup_at(st, b, NOW - 4 * DAYS, 2);
	rollup_at(st, a, NOW - 4 * DAYS + 300, 4);
	rollup_at(st, a, NOW - 3 * DAYS - 300, 8); /* ends exactly at the cutoff: old */
	rollup_at(st, b, NOW - 3 * DAYS, 16);      /* ends after it: kept */
	rollup_at(st, a, NOW - 3600, 32);
	assert_int_equal(np_store_fold_all(st, &cause), 0);
	for (int i = 0; i < 3; i++)
		transition_at(st, NOW - 2 * DAYS + i);
	transition_at(st, NOW - 1);
	char *sql = np_xasprintf("INSERT INTO outages (device, interface, start, end) VALUES"
	                         " ('d', 'old', %lld, %lld), ('d', 'open', %lld, NULL),"
	                         " ('d', 'young', %lld, %lld);"
	                         "INSERT INTO unobserved (device, interface, start, end) VALUES"
	                         " ('d', 'open', %lld, NULL);",
	                         NOW - 3 * DAYS, NOW - 2 * DAYS, NOW - 10 * DAYS, NOW - 2 * DAYS,
	                         NOW - 1, NOW - 9 * DAYS);
	q_exec(st, sql);
	free(sql);
	char *h1 = q_rows(st, "SELECT * FROM rollup_1h ORDER BY bucket, series");
	char *d1 = q_rows(st, "SELECT * FROM rollup_1d ORDER BY bucket, series");

	/* raw_ms no longer prunes anything: there are no raw rows. */
	struct np_retention_cfg r = {.raw_ms = 0,
	                             .rollup_5m_ms = 3 * DAYS * 1000,
	                             .hourly_ms = -1,
	                             .daily_ms = -1,
	                             .transitions_ms = 1 * DAYS * 1000};
	const char *all_outages = "old\nopen\nyoung";
	/* Bucket by bucket, both series of the oldest at once... */
	step(st, &r, 1, "-345300:1\n-259500:1\n-259200:2\n-3600:1", 4, all_outages);
	step(st, &r, 1, "-259500:1\n-259200:2\n-3600:1", 4, all_outages);
	step(st, &r, 1, "-259200:2\n-3600:1", 4, all_outages);
	/* ... then at most max_rows (2) transitions per step, then the old closed outage. */
	step(st, &r, 1, "-259200:2\n-3600:1", 2, all_outages);
	step(st, &r, 1, "-259200:2\n-3600:1", 1, all_outages);
	step(st, &r, 1, "-259200:2\n-3600:1", 1, "open\nyoung");
	/* Done: what is left is younger than the cutoffs, or open. */
	step(st, &r, 0, "-259200:2\n-3600:1", 1, "open\nyoung");
	step(st, &r, 0, "-259200:2\n-3600:1", 1, "open\nyoung");
	assert_int_equal(q_int(st, "SELECT sum(rx_bytes) FROM rollup_5m"), 48);
	assert_int_equal(q_int(st, "SELECT time FROM transitions"), NOW - 1);
	assert_rows(st, "SELECT interface FROM unobserved", "open");
	/* Hourly and daily are kept forever here: untouched. */
	assert_rows(st, "SELECT * FROM rollup_1h ORDER BY bucket, series", h1);
	assert_rows(st, "SELECT * FROM rollup_1d ORDER BY bucket, series", d1);
	free(h1);
	free(d1);

	/* A step is its own transaction, never part of a batch. */
	assert_int_equal(np_store_begin(st, &cause), 0);
	assert_int_equal(np_store_retention_step(st, &r, NOW, 2, &cause), -1);
	assert_non_null(strstr(cause, "own transaction"));
	free(cause);
	np_store_rollback(st);
	assert_int_equal(np_store_check(st, NULL), 0);
	np_store_close(st);
}

/* With manual checkpoints, commits grow the WAL and count it; a checkpoint empties it. */
static void
test_manual_checkpoint(void **state)
{
	(void)state;
	char *dir = np_test_tmpdir();
	char *path = np_xasprintf("%s/ck.db", dir);
	char *cause = NULL;
	struct np_store *st = np_store_open(path, 0, &cause);
	assert_non_null(st);
	assert_int_equal(np_store_manual_checkpoint(st, &cause), 0);
	for (int i = 0; i < 1200; i++) {
		assert_int_equal(np_store_begin(st, &cause), 0);
		assert_true(np_store_run_start(st, i, &cause) > 0);
		assert_int_equal(np_store_commit(st, &cause), 0);
	}
	/* 1,200 commits of at least one page each: SQLite did not checkpoint at 1,000. */
	assert_true(np_store_wal_pages(st) >= 1200);
	assert_int_equal(np_store_checkpoint(st, &cause), 0);
	assert_int_equal(np_store_wal_pages(st), 0);
	assert_int_equal(np_store_begin(st, &cause), 0);
	assert_true(np_store_run_start(st, 5000, &cause) > 0);
	assert_int_equal(np_store_commit(st, &cause), 0);
	assert_true(np_store_wal_pages(st) >= 1 && np_store_wal_pages(st) < 10);
	np_store_close(st);
	free(path);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_links_round_trip),
	    cmocka_unit_test(test_collectors),
	    cmocka_unit_test(test_runs),
	    cmocka_unit_test(test_retention),
	    cmocka_unit_test(test_retention_steps),
	    cmocka_unit_test(test_manual_checkpoint),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
