/* Link events -> transitions/outages/unobserved/outbox rows; outbox delivery per sink. */
#include "storetest.h"

static const char *const sinks2[] = {"local", "tcp://127.0.0.1:5515"};

static struct np_ls_event
ev(enum np_state from, enum np_state to, int64_t time_ms, enum np_alert_kind alert)
{
	return (struct np_ls_event){
	    .device = "10.0.0.1",
	    .interface = "",
	    .transition = true,
	    .from = from,
	    .to = to,
	    .time_ms = time_ms,
	    .alert = alert,
	    .outage_start_ms = 0,
	    .outage_ms = -1,
	    .sources = "fc-east,fc-west",
	    .flapping = false,
	    .ever_up = true,
	};
}

static void
event(struct np_store *st, const struct np_ls_event *e, const char *msg, int sev,
      const char *const *sinks, size_t n)
{
	char *cause = NULL;
	if (np_store_event(st, e, msg, sev, sinks, n, &cause) != 0)
		fail_msg("event: %s", cause);
}

static void
test_down_then_up(void **state)
{
	struct np_store *st = open_mem();
	char *cause = NULL;
	assert_int_equal(np_store_begin(st, &cause), 0);
	struct np_ls_event down = ev(NP_ST_UP, NP_ST_DOWN, 1000999, NP_AL_IFDOWN);
	down.outage_start_ms = 1000999;
	event(st, &down, "exporter 10.0.0.1 is DOWN", 3, sinks2, 2);
	assert_int_equal(np_store_commit(st, &cause), 0);

	/* The time in whole seconds, and to the millisecond (time_ms, the last column). */
	assert_rows(st, "SELECT * FROM transitions",
	            "1|1000|10.0.0.1||down|up|fc-east,fc-west|NULL|IFDOWN|0|1|0|1000999");
	assert_rows(st, "SELECT * FROM outages", "1|10.0.0.1||1000|NULL");
	/* The alert's real time, to the millisecond; the transition names its id. */
	assert_rows(st, "SELECT * FROM outbox",
	            "1|1000|IFDOWN|3|10.0.0.1||down|up|1000|fc-east,fc-west|NULL|"
	            "exporter 10.0.0.1 is DOWN|1000999|NULL");
	assert_rows(st, "SELECT * FROM outbox_sink ORDER BY sink",
	            "1|local|0|NULL|1000|NULL\n1|tcp://127.0.0.1:5515|0|NULL|1000|NULL");
	assert_rows(st, "SELECT device, interface, state, since, sources FROM links",
	            "10.0.0.1||down|1000|fc-east,fc-west");

	/* Up after 42.4 s: outage_seconds rounds to 42 and the outage closes at the up time. */
	struct np_ls_event up = ev(NP_ST_DOWN, NP_ST_UP, 1043399, NP_AL_IFUP);
	up.outage_start_ms = 1000999;
	up.outage_ms = 42400;
	up.sources = "fc-west";
	event(st, &up, "exporter 10.0.0.1 is UP after 42 s", 5, sinks2, 1);
	assert_rows(st, "SELECT * FROM transitions WHERE id = 2",
	            "2|1043|10.0.0.1||up|down|fc-west|42|IFUP|0|2|0|1043399");
	assert_rows(st, "SELECT * FROM outages", "1|10.0.0.1||1000|1043");
	assert_rows(st, "SELECT since, outage_seconds, state, previous FROM outbox WHERE id = 2",
	            "1043|42|up|down");
	assert_rows(st, "SELECT sink FROM outbox_sink WHERE outbox = 2", "local");
	assert_rows(st, "SELECT sources FROM links", "fc-west");

	/* 42.5 s rounds up. */
	struct np_ls_event down2 = ev(NP_ST_UP, NP_ST_DOWN, 2000000, NP_AL_IFDOWN);
	struct np_ls_event up2 = ev(NP_ST_DOWN, NP_ST_UP, 2042500, NP_AL_IFUP);
	up2.outage_ms = 42500;
	event(st, &down2, "d", 3, sinks2, 2);
	event(st, &up2, "u", 5, sinks2, 2);
	assert_rows(st, "SELECT outage_seconds FROM outbox WHERE id = 4", "43");
	assert_rows(st, "SELECT start, end FROM outages ORDER BY id", "1000|1043\n2000|2042");
	np_store_close(st);
}

static void
test_first_sight_no_alert(void **state)
{
	struct np_store *st = open_mem();
	struct np_ls_event e = ev(NP_ST_UNKNOWN, NP_ST_UP, 5000, NP_AL_NONE);
	event(st, &e, "", 5, sinks2, 2);
	assert_rows(st, "SELECT time, state, previous, alert FROM transitions",
	            "5|up|unknown|NULL");
	assert_int_equal(q_int(st, "SELECT count(*) FROM outbox"), 0);
	assert_int_equal(q_int(st, "SELECT count(*) FROM outbox_sink"), 0);
	assert_int_equal(q_int(st, "SELECT count(*) FROM outages"), 0);
	/* First sight down of a never-up link: no alert and no downtime (DESIGN §6). */
	e = ev(NP_ST_UNKNOWN, NP_ST_DOWN, 6000, NP_AL_NONE);
	e.interface = "eth1";
	e.ever_up = false;
	event(st, &e, "", 3, sinks2, 2);
	assert_int_equal(q_int(st, "SELECT count(*) FROM outages"), 0);
	assert_int_equal(q_int(st, "SELECT count(*) FROM outbox"), 0);
	/* First sight down of a link its source says was up before: IFDOWN and an outage. */
	e = ev(NP_ST_UNKNOWN, NP_ST_DOWN, 7000, NP_AL_IFDOWN);
	e.interface = "eth2";
	event(st, &e, "down", 3, sinks2, 2);
	assert_rows(st, "SELECT interface, start, end FROM outages", "eth2|7|NULL");
	assert_int_equal(q_int(st, "SELECT count(*) FROM outbox"), 1);
	np_store_close(st);
}

static void
test_stale_intervals(void **state)
{
	struct np_store *st = open_mem();
	/* up -> stale -> up: one unobserved interval, no downtime. */
	struct np_ls_event e = ev(NP_ST_UP, NP_ST_STALE, 10000, NP_AL_STALE);
	event(st, &e, "stale", 4, sinks2, 1);
	assert_rows(st, "SELECT start, end FROM unobserved", "10|NULL");
	e = ev(NP_ST_STALE, NP_ST_UP, 70000, NP_AL_NONE);
	event(st, &e, "", 5, sinks2, 1);
	assert_rows(st, "SELECT start, end FROM unobserved", "10|70");
	assert_int_equal(q_int(st, "SELECT count(*) FROM outages"), 0);
	assert_rows(st, "SELECT msgid, state, previous FROM outbox", "STALE|stale|up");

	/* down -> stale closes the outage and opens unobserved; stale -> down reopens. */
	e = ev(NP_ST_UP, NP_ST_DOWN, 100000, NP_AL_IFDOWN);
	event(st, &e, "d", 3, sinks2, 1);
	e = ev(NP_ST_DOWN, NP_ST_STALE, 160000, NP_AL_STALE);
	event(st, &e, "s", 4, sinks2, 1);
	e = ev(NP_ST_STALE, NP_ST_DOWN, 220000, NP_AL_NONE);
	event(st, &e, "", 3, sinks2, 1);
	assert_rows(st, "SELECT start, end FROM outages ORDER BY id", "100|160\n220|NULL");
	assert_rows(st, "SELECT start, end FROM unobserved ORDER BY id", "10|70\n160|220");
	np_store_close(st);
}

static void
test_repeated_down_keeps_one_open_outage(void **state)
{
	struct np_store *st = open_mem();
	struct np_ls_event e = ev(NP_ST_UP, NP_ST_DOWN, 1000, NP_AL_IFDOWN);
	event(st, &e, "d", 3, sinks2, 1);
	e = ev(NP_ST_UNKNOWN, NP_ST_DOWN, 5000, NP_AL_NONE);
	event(st, &e, "", 3, sinks2, 1);
	assert_rows(st, "SELECT start, end FROM outages", "1|NULL");
	/* Another link's outage is independent. */
	e.interface = "eth9";
	event(st, &e, "", 3, sinks2, 1);
	assert_int_equal(q_int(st, "SELECT count(*) FROM outages WHERE end IS NULL"), 2);
	np_store_close(st);
}

static void
test_notice_without_transition(void **state)
{
	struct np_store *st = open_mem();
	struct np_ls_event e = ev(NP_ST_UP, NP_ST_UP, 9000, NP_AL_FLAPPING);
	e.transition = false;
	e.flapping = true;
	event(st, &e, "flapping", 4, sinks2, 2);
	assert_int_equal(q_int(st, "SELECT count(*) FROM transitions"), 0);
	assert_rows(st, "SELECT msgid, state, previous, since, outage_seconds FROM outbox",
	            "FLAPPING|up|up|9|NULL");
	assert_int_equal(q_int(st, "SELECT count(*) FROM outbox_sink"), 2);
	/* With no sinks configured there is nobody to deliver to: no outbox row. */
	e.alert = NP_AL_FLAPSTOP;
	event(st, &e, "stable", 4, NULL, 0);
	assert_int_equal(q_int(st, "SELECT count(*) FROM outbox"), 1);
	np_store_close(st);
}

struct seen {
	int n;
	int stop_after;
	int64_t ids[8];
	char msgid[8][16];
	int64_t outage[8];
	int attempts[8];
};

static int
collect(const struct np_outbox_row *r, void *arg)
{
	struct seen *s = arg;
	s->ids[s->n] = r->id;
	snprintf(s->msgid[s->n], sizeof s->msgid[0], "%s", r->msgid);
	s->outage[s->n] = r->outage_seconds;
	s->attempts[s->n] = r->attempts;
	s->n++;
	return s->stop_after > 0 && s->n >= s->stop_after;
}

/* The callback marks its row done while the walk goes on: allowed. */
static int
mark_done(const struct np_outbox_row *r, void *arg)
{
	struct np_store *st = arg;
	return np_store_outbox_done(st, r->id, "local", 777, NULL);
}

static void
test_outbox_per_sink(void **state)
{
	struct np_store *st = open_mem();
	char *cause = NULL;
	struct np_ls_event d = ev(NP_ST_UP, NP_ST_DOWN, 1000, NP_AL_IFDOWN);
	struct np_ls_event u = ev(NP_ST_DOWN, NP_ST_UP, 61000, NP_AL_IFUP);
	u.outage_ms = 60000;
	event(st, &d, "d", 3, sinks2, 2);
	event(st, &u, "u", 5, sinks2, 2);
	struct np_store_alert col = {.msgid = "COLLECTOR",
	                             .severity = 4,
	                             .device = "fc1.example.net",
	                             .state = "failed",
	                             .previous = "ok",
	                             .source = "fc-east",
	                             .since_s = 90,
	                             .outage_seconds = -1,
	                             .message = "source fc-east failed"};
	assert_int_equal(np_store_alert(st, &col, 95, sinks2 + 1, 1, &cause), 0);
	assert_rows(st, "SELECT * FROM outbox WHERE id = 3",
	            "3|95|COLLECTOR|4|fc1.example.net||failed|ok|90|fc-east|NULL|"
	            "source fc-east failed|95000|NULL");

	assert_int_equal(np_store_outbox_count(st, "local"), 2);
	assert_int_equal(np_store_outbox_count(st, "tcp://127.0.0.1:5515"), 3);
	assert_int_equal(np_store_outbox_count(st, NULL), 5);
	assert_int_equal(np_store_outbox_count(st, "nowhere"), 0);

	struct seen s = {0};
	assert_int_equal(
	    np_store_outbox_pending(st, "tcp://127.0.0.1:5515", 0, 10, collect, &s, &cause), 3);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.ids[0], 1);
	assert_int_equal(s.ids[2], 3);
	assert_string_equal(s.msgid[1], "IFUP");
	assert_int_equal(s.outage[0], -1);
	assert_int_equal(s.outage[1], 60);
	/* limit and an early stop */
	memset(&s, 0, sizeof s);
	assert_int_equal(
	    np_store_outbox_pending(st, "tcp://127.0.0.1:5515", 0, 2, collect, &s, &cause), 2);
	memset(&s, 0, sizeof s);
	s.stop_after = 1;
	assert_int_equal(
	    np_store_outbox_pending(st, "tcp://127.0.0.1:5515", 0, 10, collect, &s, &cause), 1);

	/* Failed attempts are counted; delivery on one sink leaves the other pending. */
	assert_int_equal(np_store_outbox_attempt(st, 1, "tcp://127.0.0.1:5515", &cause), 0);
	assert_int_equal(np_store_outbox_attempt(st, 1, "tcp://127.0.0.1:5515", &cause), 0);
	assert_int_equal(np_store_outbox_done(st, 1, "local", 500, &cause), 0);
	assert_int_equal(np_store_outbox_count(st, "local"), 1);
	assert_int_equal(np_store_outbox_count(st, "tcp://127.0.0.1:5515"), 3);
	memset(&s, 0, sizeof s);
	assert_int_equal(
	    np_store_outbox_pending(st, "tcp://127.0.0.1:5515", 0, 1, collect, &s, &cause), 1);
	assert_int_equal(s.attempts[0], 2);
	memset(&s, 0, sizeof s);
	assert_int_equal(np_store_outbox_pending(st, "local", 0, 10, collect, &s, &cause), 1);
	assert_int_equal(s.ids[0], 2);
	assert_rows(
	    st, "SELECT outbox, sink, attempts, delivered FROM outbox_sink ORDER BY outbox, sink",
	    "1|local|0|500\n1|tcp://127.0.0.1:5515|2|NULL\n"
	    "2|local|0|NULL\n2|tcp://127.0.0.1:5515|0|NULL\n"
	    "3|tcp://127.0.0.1:5515|0|NULL");

	assert_int_equal(np_store_outbox_pending(st, "local", 0, 10, mark_done, st, &cause), 1);
	assert_int_equal(np_store_outbox_count(st, "local"), 0);
	assert_int_equal(np_store_outbox_count(st, NULL), 3);

	/* Unknown rows are an error. */
	assert_int_equal(np_store_outbox_done(st, 99, "local", 1, &cause), -1);
	assert_string_equal(cause, "no outbox row 99 for sink local");
	assert_int_equal(np_store_outbox_attempt(st, 3, "local", &cause), -1);
	free(cause);
	np_store_close(st);
}

struct keys_seen {
	char text[512];
};

static int
collect_key(const char *sink, int64_t pending, void *arg)
{
	struct keys_seen *k = arg;
	size_t len = strlen(k->text);
	snprintf(k->text + len, sizeof(k->text) - len, "%s=%lld;", sink, (long long)pending);
	return 0;
}

/*
 * Issue #12: rows of a sink whose key changed spelling move to the new key (pending ones only;
 * a row already queued under the new key wins, its twin goes); other keys are listed.
 */
static int
count_item(const struct np_outbox_item *it, void *arg)
{
	int64_t *last = arg;
	last[0]++;
	last[1] = it->id;
	return 0;
}

/*
 * Pipelining reads after the rows in flight; a delivered batch is marked at once; rows older
 * than max_age become dead letters (not pending, listed, re-queued by retry); ids are never
 * handed out twice, even after retention pruned every delivered row.
 */
static void
test_outbox_after_dead_retry(void **state)
{
	struct np_store *st = open_mem();
	char *cause = NULL;
	const char *tcp = "tcp://127.0.0.1:5515";
	struct np_store_alert a = {.msgid = "COLLECTOR",
	                           .severity = 4,
	                           .device = "fc1",
	                           .state = "failed",
	                           .previous = "ok",
	                           .source = "fc-east",
	                           .outage_seconds = -1,
	                           .message = "m",
	                           .time_ms = 100123};
	for (int i = 0; i < 3; i++)
		assert_int_equal(np_store_alert(st, &a, 100 + i, &tcp, 1, &cause), 0);
	assert_int_equal(np_store_last_alert_id(st), 3);
	struct seen s = {0};
	assert_int_equal(np_store_outbox_pending(st, tcp, 1, 10, collect, &s, &cause), 2);
	assert_int_equal(s.ids[0], 2);
	int64_t two[] = {1, 2};
	assert_int_equal(np_store_outbox_done_many(st, two, 2, tcp, 200, &cause), 0);
	assert_int_equal(np_store_outbox_count(st, tcp), 1);
	/* Row 3 was queued at 102: dead when undelivered since before 150. */
	assert_int_equal(np_store_outbox_expire(st, tcp, 102, 300, &cause), 0);
	assert_int_equal(np_store_outbox_expire(st, tcp, 150, 300, &cause), 1);
	assert_int_equal(np_store_outbox_count(st, tcp), 0);
	memset(&s, 0, sizeof s);
	assert_int_equal(np_store_outbox_pending(st, tcp, 0, 10, collect, &s, &cause), 0);
	int64_t seen[2] = {0, 0};
	assert_int_equal(np_store_outbox_list(st, true, count_item, seen, &cause), 0);
	assert_int_equal(seen[0], 1);
	assert_int_equal(seen[1], 3);
	/* Retried: pending again, and its age counts from the retry. */
	assert_int_equal(np_store_outbox_retry(st, NULL, 400, &cause), 1);
	assert_int_equal(np_store_outbox_count(st, tcp), 1);
	assert_int_equal(np_store_outbox_expire(st, tcp, 399, 450, &cause), 0);
	assert_int_equal(np_store_outbox_done(st, 3, tcp, 500, &cause), 0);
	/* Every row delivered and old: retention keeps the newest, so id 3 is never reused. */
	struct np_retention_cfg keep = {.raw_ms = -1,
	                                .rollup_5m_ms = -1,
	                                .hourly_ms = -1,
	                                .daily_ms = -1,
	                                .transitions_ms = 1000};
	assert_int_equal(np_store_retention(st, &keep, 100000000, &cause), 0);
	assert_rows(st, "SELECT id FROM outbox", "3");
	assert_int_equal(np_store_alert(st, &a, 100000001, &tcp, 1, &cause), 0);
	assert_int_equal(np_store_last_alert_id(st), 4);
	assert_rows(st, "SELECT created_ms FROM outbox WHERE id = 4", "100123");
	np_store_close(st);
}

static void
test_outbox_sinks_and_rekey(void **state)
{
	struct np_store *st = open_mem();
	char *cause = NULL;
	static const char *const old_keys[] = {"local", "UDP://Host:514"};
	static const char *const both[] = {"UDP://Host:514", "udp://host:514"};
	struct np_ls_event d = ev(NP_ST_UP, NP_ST_DOWN, 1000, NP_AL_IFDOWN);
	struct np_ls_event u = ev(NP_ST_DOWN, NP_ST_UP, 61000, NP_AL_IFUP);
	struct np_ls_event d2 = ev(NP_ST_UP, NP_ST_DOWN, 121000, NP_AL_IFDOWN);
	event(st, &d, "d", 3, old_keys, 2); /* outbox 1 */
	event(st, &u, "u", 5, old_keys, 2); /* outbox 2 */
	event(st, &d2, "d2", 3, both, 2);   /* outbox 3: an old version had both spellings */
	assert_int_equal(np_store_outbox_done(st, 1, "UDP://Host:514", 100, &cause), 0);

	struct keys_seen k = {{0}};
	assert_int_equal(np_store_outbox_sinks(st, collect_key, &k, &cause), 0);
	assert_string_equal(k.text, "UDP://Host:514=2;local=2;udp://host:514=1;");

	assert_int_equal(np_store_outbox_rekey(st, "UDP://Host:514", "udp://host:514", &cause), 1);
	assert_rows(st,
	            "SELECT outbox, sink, delivered FROM outbox_sink WHERE sink <> 'local'"
	            " ORDER BY outbox, sink",
	            "1|UDP://Host:514|100\n2|udp://host:514|NULL\n3|udp://host:514|NULL");
	memset(&k, 0, sizeof(k));
	assert_int_equal(np_store_outbox_sinks(st, collect_key, &k, &cause), 0);
	assert_string_equal(k.text, "local=2;udp://host:514=2;");
	/* Nothing left to move: 0, and no change. */
	assert_int_equal(np_store_outbox_rekey(st, "UDP://Host:514", "udp://host:514", &cause), 0);
	assert_int_equal(np_store_outbox_count(st, NULL), 4);
	/* Not inside a batch: its own transaction. */
	assert_int_equal(np_store_begin(st, &cause), 0);
	assert_int_equal(np_store_outbox_rekey(st, "local", "x", &cause), -1);
	assert_non_null(cause);
	np_store_rollback(st);
	assert_int_equal(np_store_outbox_count(st, "local"), 2);
	free(cause);
	np_store_close(st);
}

static void
test_event_rolls_back_whole(void **state)
{
	struct np_store *st = open_mem();
	char *cause = NULL;
	assert_int_equal(np_store_begin(st, &cause), 0);
	struct np_ls_event d = ev(NP_ST_UP, NP_ST_DOWN, 1000, NP_AL_IFDOWN);
	event(st, &d, "d", 3, sinks2, 2);
	np_store_rollback(st);
	/* The transition and its alert go together: neither survives. */
	assert_int_equal(q_int(st, "SELECT count(*) FROM transitions"), 0);
	assert_int_equal(q_int(st, "SELECT count(*) FROM outbox"), 0);
	assert_int_equal(q_int(st, "SELECT count(*) FROM outages"), 0);
	assert_int_equal(np_store_outbox_count(st, NULL), 0);
	np_store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_down_then_up),
	    cmocka_unit_test(test_first_sight_no_alert),
	    cmocka_unit_test(test_stale_intervals),
	    cmocka_unit_test(test_repeated_down_keeps_one_open_outage),
	    cmocka_unit_test(test_notice_without_transition),
	    cmocka_unit_test(test_outbox_per_sink),
	    cmocka_unit_test(test_event_rolls_back_whole),
	    cmocka_unit_test(test_outbox_sinks_and_rekey),
	    cmocka_unit_test(test_outbox_after_dead_retry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
