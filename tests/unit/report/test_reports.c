/* status, events and db dump renderings, byte-exact, on a store database filled with SQL. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "report/dump.h"
#include "report/events.h"
#include "report/status.h"
#include "util/xmalloc.h"
#include "reporttest.h"
#include "store/store.h"

#define T0 1790805600LL /* 2026-10-01T00:00:00+02:00 */
#define NOW (T0 + 86400)

static const char fixture[] =
    "INSERT INTO links (device, interface, state, since, last_known, ever_up, flapping, sources)"
    " VALUES ('10.0.0.1', '', 'down', 1790809200, 'down', 1, 0, 'fc-east,fc-west'),"
    " ('sw1', 'eth0', 'up', 1790812800, 'up', 1, 1, 'local');"
    "INSERT INTO series (id, source, device, interface, kind, first_seen, last_seen) VALUES"
    " (1, 'fc-east', '10.0.0.1', '', 'gauge', 0, 0), (2, 'local', 'sw1', 'eth0', 'if', 0, 0),"
    " (3, 'fc-west', '10.0.0.1', '', 'gauge', 0, 0);"
    "INSERT INTO verdicts (series, verdict, count, last) VALUES"
    " (2, 'reset', 2, 1790816400), (2, 'spike', 1, 1790816400), (2, 'ok', 100, 1790816400),"
    " (1, 'gap', 1, 1790809200);"
    "INSERT INTO collectors (source, ok, since, last_error, failures, skipped, skip_reason)"
    " VALUES ('fc-east', 1, 1790805600, '', 0, 3, 'bad row, column 7'),"
    " ('fc-west', 0, 1790809200, 'ssh: connection refused', 4, 0, ''),"
    " ('local', 1, 1790805600, '', 0, 0, '');"
    "INSERT INTO transitions (id, time, device, interface, state, previous, source,"
    " outage_seconds, alert, flapping) VALUES"
    " (1, 1790805600, 'sw1', 'eth0', 'up', 'unknown', 'local', NULL, NULL, 0),"
    " (2, 1790805660, '10.0.0.1', '', 'up', 'unknown', 'fc-east', NULL, NULL, 0),"
    " (3, 1790809200, '10.0.0.1', '', 'down', 'up', 'fc-east,fc-west', NULL, 'IFDOWN', 0),"
    " (4, 1790812680, 'sw1', 'eth0', 'down', 'up', 'local', NULL, 'IFDOWN', 0),"
    " (5, 1790812800, 'sw1', 'eth0', 'up', 'down', 'local', 120, 'IFUP', 1),"
    " (6, 1790812800, 'sw1', 'eth0', 'down', 'up', 'local', NULL, NULL, 1),"
    " (7, 1790892100, 'sw1', 'eth0', 'up', 'down', 'local', 99, NULL, 0);"; /* after now */

static char *
run_status(struct np_store *st, enum np_format f, bool explain, const char *device)
{
	char *cause = NULL;
	struct np_tz *tz = np_tz_load(NULL, "Europe/Berlin", &cause);
	struct np_report_ctx ctx = {np_store_db(st), tz, NOW, f};
	struct np_status_opts o = {.device = device, .explain = explain};
	char *s = np_report_status(&ctx, &o, &cause);
	if (s == NULL)
		fail_msg("%s", cause);
	np_tz_free(tz);
	return s;
}

static void
test_status(void **state)
{
	(void)state;
	struct np_store *st = open_db();
	exec(st, fixture);
	char *s = run_status(st, NP_FMT_TEXT, false, NULL);
	assert_string_equal(s,
	                    "device    interface  state  since                      sources"
	                    "          flapping\n"
	                    "10.0.0.1  -          down   2026-10-01T01:00:00+02:00  fc-east,fc-west"
	                    "  no\n"
	                    "sw1       eth0       up     2026-10-01T02:00:00+02:00  local"
	                    "            yes\n");
	free(s);
	s = run_status(st, NP_FMT_CSV, false, NULL);
	assert_string_equal(s, "device,interface,state,since,sources,flapping\n"
	                       "10.0.0.1,,down,2026-10-01T01:00:00+02:00,\"fc-east,fc-west\",no\n"
	                       "sw1,eth0,up,2026-10-01T02:00:00+02:00,local,yes\n");
	free(s);
	s = run_status(st, NP_FMT_JSON, false, NULL);
	assert_string_equal(s, "{\n"
	                       "  \"version\": 1,\n"
	                       "  \"links\": [\n"
	                       "    {\n"
	                       "      \"device\": \"10.0.0.1\",\n"
	                       "      \"interface\": \"\",\n"
	                       "      \"state\": \"down\",\n"
	                       "      \"since\": \"2026-10-01T01:00:00+02:00\",\n"
	                       "      \"sources\": [\n"
	                       "        \"fc-east\",\n"
	                       "        \"fc-west\"\n"
	                       "      ],\n"
	                       "      \"flapping\": false\n"
	                       "    },\n"
	                       "    {\n"
	                       "      \"device\": \"sw1\",\n"
	                       "      \"interface\": \"eth0\",\n"
	                       "      \"state\": \"up\",\n"
	                       "      \"since\": \"2026-10-01T02:00:00+02:00\",\n"
	                       "      \"sources\": [\n"
	                       "        \"local\"\n"
	                       "      ],\n"
	                       "      \"flapping\": true\n"
	                       "    }\n"
	                       "  ]\n"
	                       "}\n");
	free(s);
	s = run_status(st, NP_FMT_CSV, false, "sw1");
	assert_string_equal(s, "device,interface,state,since,sources,flapping\n"
	                       "sw1,eth0,up,2026-10-01T02:00:00+02:00,local,yes\n");
	free(s);
	np_store_close(st);
}

/* Stands in for np_sink_key_canonical (alert module): lower case, the port made explicit. */
static char *
fake_canonical(const char *key)
{
	char *k = np_xstrdup(key);
	for (char *c = k; *c != '\0'; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	if (strcmp(k, "udp://h") == 0) {
		free(k);
		k = np_xstrdup("udp://h:514");
	}
	return k;
}

/* Issue #12: rows of a sink a reload removed are counted and named, not silently kept. */
static void
test_status_explain_sinks(void **state)
{
	(void)state;
	struct np_store *st = open_db();
	exec(st,
	     "INSERT INTO outbox (id, created, msgid, severity, device, interface, state,"
	     " previous, since, source, message) VALUES"
	     " (1, 1790805600, 'IFDOWN', 3, 'sw1', 'eth0', 'down', 'up', 1790805600, 'local', 'm'),"
	     " (2, 1790805660, 'IFUP', 5, 'sw1', 'eth0', 'up', 'down', 1790805660, 'local', 'm'),"
	     " (3, 1790805720, 'IFDOWN', 3, 'sw1', 'eth0', 'down', 'up', 1790805720, 'local', 'm');"
	     "INSERT INTO outbox_sink (outbox, sink, delivered) VALUES"
	     " (1, 'local', 1790805601), (2, 'local', NULL), (3, 'local', NULL),"
	     " (1, 'tcp://gone:514', NULL), (2, 'tcp://gone:514', NULL),"
	     " (3, 'tcp://gone:514', 1790805721), (1, 'UDP://H', NULL), (3, 'udp://h:514', NULL);");
	const char *sinks[] = {"local", "udp://h:514", "tcp://new:514"};
	char *cause = NULL;
	struct np_tz *tz = np_tz_load(NULL, "UTC", &cause);
	struct np_report_ctx ctx = {np_store_db(st), tz, NOW, NP_FMT_CSV};
	struct np_status_opts o = {.explain = true,
	                           .sinks = sinks,
	                           .nsinks = 3,
	                           .sinks_known = true,
	                           .canonical = fake_canonical};
	char *s = np_report_status_part(&ctx, &o, NP_STATUS_SINKS, &cause);
	if (s == NULL)
		fail_msg("%s", cause);
	const char *want =
	    "sink,pending,configured,note\n"
	    "local,2,yes,\n"
	    "udp://h:514,1,yes,\n"
	    "tcp://new:514,0,yes,\n"
	    "UDP://H,1,no,\"1 alert(s) pending for sink UDP://H, the same target as "
	    "udp://h:514: they move there at the next start or reload\"\n"
	    "tcp://gone:514,2,no,\"2 alert(s) pending for sink tcp://gone:514, which is "
	    "no longer configured\"\n";
	assert_string_equal(s, want);
	free(s);

	/* Without a configuration nobody can say which sinks exist. */
	o = (struct np_status_opts){.explain = true};
	s = np_report_status_part(&ctx, &o, NP_STATUS_SINKS, &cause);
	assert_string_equal(s, "sink,pending,configured,note\n"
	                       "UDP://H,1,,no configuration read\n"
	                       "local,2,,no configuration read\n"
	                       "tcp://gone:514,2,,no configuration read\n"
	                       "udp://h:514,1,,no configuration read\n");
	free(s);
	np_tz_free(tz);
	np_store_close(st);
}

static void
test_status_explain(void **state)
{
	(void)state;
	struct np_store *st = open_db();
	exec(st, fixture);
	/* CSV: one table per document, each with its own header (no sections in a stream). */
	static const char *const want_csv[NP_STATUS_NPARTS] = {
	    "device,interface,state,since,sources,flapping\n"
	    "10.0.0.1,,down,2026-10-01T01:00:00+02:00,\"fc-east,fc-west\",no\n"
	    "sw1,eth0,up,2026-10-01T02:00:00+02:00,local,yes\n",
	    "device,interface,source,kind,verdict,count,last\n"
	    "10.0.0.1,,fc-east,gauge,gap,1,2026-10-01T01:00:00+02:00\n"
	    "sw1,eth0,local,if,reset,2,2026-10-01T03:00:00+02:00\n"
	    "sw1,eth0,local,if,spike,1,2026-10-01T03:00:00+02:00\n",
	    "source,ok,since,failures,last_error,skipped,skip_reason\n"
	    "fc-east,yes,2026-10-01T00:00:00+02:00,0,,3,\"bad row, column 7\"\n"
	    "fc-west,no,2026-10-01T01:00:00+02:00,4,ssh: connection refused,0,\n"
	    "local,yes,2026-10-01T00:00:00+02:00,0,,0,\n",
	    "sink,pending,configured,note\n",
	};
	char *cause = NULL;
	struct np_tz *tz = np_tz_load(NULL, "Europe/Berlin", &cause);
	struct np_report_ctx ctx = {np_store_db(st), tz, NOW, NP_FMT_CSV};
	struct np_status_opts o = {.explain = true};
	for (int p = 0; p < NP_STATUS_NPARTS; p++) {
		char *t = np_report_status_part(&ctx, &o, (enum np_status_part)p, &cause);
		assert_non_null(t);
		assert_string_equal(t, want_csv[p]);
		free(t);
	}
	assert_string_equal(np_status_part_name(NP_STATUS_SINKS), "alert_sinks");
	/* The stream of several tables is refused, not produced. */
	assert_null(np_report_status(&ctx, &o, &cause));
	free(cause);
	np_tz_free(tz);
	char *s = run_status(st, NP_FMT_TEXT, true, NULL);
	assert_non_null(strstr(s, "\n\n# collectors\nsource "));
	free(s);
	s = run_status(st, NP_FMT_JSON, true, "sw1");
	json_t *doc = json_loads(s, 0, NULL);
	assert_non_null(doc);
	/* Every source's health, whatever --device says. */
	assert_int_equal(json_array_size(json_object_get(doc, "collectors")), 3);
	assert_int_equal(json_integer_value(json_object_get(doc, "version")), 1);
	json_object_del(doc, "collectors");
	free(s);
	s = np_json_dump(json_object_get(doc, "links"));
	json_decref(doc);
	assert_string_equal(s, "[\n"
	                       "  {\n"
	                       "    \"device\": \"sw1\",\n"
	                       "    \"interface\": \"eth0\",\n"
	                       "    \"state\": \"up\",\n"
	                       "    \"since\": \"2026-10-01T02:00:00+02:00\",\n"
	                       "    \"sources\": [\n"
	                       "      \"local\"\n"
	                       "    ],\n"
	                       "    \"flapping\": true,\n"
	                       "    \"series\": [\n"
	                       "      {\n"
	                       "        \"source\": \"local\",\n"
	                       "        \"kind\": \"if\",\n"
	                       "        \"verdicts\": {\n"
	                       "          \"reset\": 2,\n"
	                       "          \"spike\": 1\n"
	                       "        }\n"
	                       "      }\n"
	                       "    ],\n"
	                       "    \"collectors\": [\n"
	                       "      {\n"
	                       "        \"source\": \"local\",\n"
	                       "        \"ok\": true,\n"
	                       "        \"since\": \"2026-10-01T00:00:00+02:00\",\n"
	                       "        \"failures\": 0,\n"
	                       "        \"last_error\": \"\",\n"
	                       "        \"skipped\": 0,\n"
	                       "        \"skip_reason\": \"\"\n"
	                       "      }\n"
	                       "    ]\n"
	                       "  }\n"
	                       "]\n");
	free(s);
	/* 10.0.0.1: two series (fc-east with a verdict, fc-west without) and two collectors */
	s = run_status(st, NP_FMT_JSON, true, "10.0.0.1");
	json_t *j = json_loads(s, 0, NULL);
	assert_non_null(j);
	json_t *l = json_array_get(json_object_get(j, "links"), 0);
	assert_int_equal(json_array_size(json_object_get(l, "series")), 1);
	json_t *cols = json_object_get(l, "collectors");
	assert_int_equal(json_array_size(cols), 2);
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(cols, 1), "last_error")),
	    "ssh: connection refused");
	assert_true(json_is_false(json_object_get(json_array_get(cols, 1), "ok")));
	json_decref(j);
	free(s);
	np_store_close(st);
}

static char *
run_events(struct np_store *st, enum np_format f, int64_t since, const char *device,
           const char *state1)
{
	char *cause = NULL;
	struct np_tz *tz = np_tz_utc();
	struct np_report_ctx ctx = {np_store_db(st), tz, NOW, f};
	struct np_events_opts o = {since, device, {state1}, state1 != NULL};
	char *s = np_report_events(&ctx, &o, &cause);
	if (s == NULL)
		fail_msg("%s", cause);
	np_tz_free(tz);
	return s;
}

static void
test_events(void **state)
{
	(void)state;
	struct np_store *st = open_db();
	exec(st, fixture);
	/* since 1790805660: rows 6, 5 (same time: later id first), 4, 3, 2; 7 is after now */
	char *s = run_events(st, NP_FMT_CSV, 1790805660, NULL, NULL);
	/* alert_id: the outbox id of the alert (none here: no sink was configured). */
	assert_string_equal(s, "time,device,interface,state,previous,source,outage_seconds,alert,"
	                       "alert_id\n"
	                       "2026-10-01T00:00:00+00:00,sw1,eth0,down,up,local,,,\n"
	                       "2026-10-01T00:00:00+00:00,sw1,eth0,up,down,local,120,IFUP,\n"
	                       "2026-09-30T23:58:00+00:00,sw1,eth0,down,up,local,,IFDOWN,\n"
	                       "2026-09-30T23:00:00+00:00,10.0.0.1,,down,up,\"fc-east,fc-west\",,"
	                       "IFDOWN,\n"
	                       "2026-09-30T22:01:00+00:00,10.0.0.1,,up,unknown,fc-east,,,\n");
	free(s);
	s = run_events(st, NP_FMT_TEXT, 1790812800, NULL, "up");
	assert_string_equal(s, "time                       device  interface  state  previous  "
	                       "source  outage  alert  alert_id\n"
	                       "2026-10-01T00:00:00+00:00  sw1     eth0       up     down      "
	                       "local       2m  IFUP          -\n");
	free(s);
	s = run_events(st, NP_FMT_JSON, 1790809200, "10.0.0.1", NULL);
	assert_string_equal(s, "{\n"
	                       "  \"version\": 1,\n"
	                       "  \"events\": [\n"
	                       "    {\n"
	                       "      \"time\": \"2026-09-30T23:00:00+00:00\",\n"
	                       "      \"device\": \"10.0.0.1\",\n"
	                       "      \"interface\": \"\",\n"
	                       "      \"state\": \"down\",\n"
	                       "      \"previous\": \"up\",\n"
	                       "      \"source\": \"fc-east,fc-west\",\n"
	                       "      \"outage_seconds\": null,\n"
	                       "      \"alert\": \"IFDOWN\",\n"
	                       "      \"flapping\": false,\n"
	                       "      \"alert_id\": null\n"
	                       "    }\n"
	                       "  ]\n"
	                       "}\n");
	free(s);
	s = run_events(st, NP_FMT_JSON, 1790812800, "sw1", "up");
	assert_non_null(strstr(s, "\"outage_seconds\": 120,"));
	free(s);
	s = run_events(st, NP_FMT_JSON, NOW, NULL, NULL);
	assert_string_equal(s, "{\n  \"version\": 1,\n  \"events\": []\n}\n");
	free(s);
	np_store_close(st);
}

static void
test_dump(void **state)
{
	(void)state;
	struct np_store *st = open_db();
	exec(st, "INSERT INTO runs (id, started, last_alive, version) VALUES"
	         " (2, 200, 300, '0.1'), (1, 100, 150, 'a,\"b\"');"
	         "INSERT INTO collectors (source, ok, since) VALUES ('x', 1, 5);"
	         "INSERT INTO rollup_5m (bucket, series, secs, rx_bytes, gauge_min) VALUES"
	         " (600, 2, 0.5, 1, NULL), (300, 9, 300, 2, 1.25), (300, 1, 300, 3, 0.1);");
	char *cause = NULL;
	const char *one[] = {"runs"};
	char *s = np_report_dump(np_store_db(st), NP_FMT_CSV, one, 1, &cause);
	assert_string_equal(s, "id,started,last_alive,version\n"
	                       "1,100,150,\"a,\"\"b\"\"\"\n"
	                       "2,200,300,0.1\n");
	free(s);
	const char *two[] = {"rollup_5m", "collectors"};
	s = np_report_dump(np_store_db(st), NP_FMT_CSV, two, 2, &cause);
	assert_string_equal(s,
	                    "# rollup_5m\n"
	                    "bucket,series,secs,rx_bytes,tx_bytes,rx_packets,tx_packets,rx_errors,"
	                    "tx_errors,rx_drops,tx_drops,peak_rx,peak_tx,gauge_min,gauge_max,"
	                    "gauge_sum,gauge_n\n"
	                    "300,1,300,3,0,0,0,0,0,0,0,0,0,0.1,,0,0\n"
	                    "300,9,300,2,0,0,0,0,0,0,0,0,0,1.25,,0,0\n"
	                    "600,2,0.5,1,0,0,0,0,0,0,0,0,0,,,0,0\n"
	                    "\n"
	                    "# collectors\n"
	                    "source,ok,since,last_error,failures,skipped,skip_reason\n"
	                    "x,1,5,,0,0,\n");
	free(s);
	s = np_report_dump(np_store_db(st), NP_FMT_JSON, one, 1, &cause);
	assert_string_equal(s, "{\n"
	                       "  \"version\": 1,\n"
	                       "  \"runs\": [\n"
	                       "    {\n"
	                       "      \"id\": 1,\n"
	                       "      \"started\": 100,\n"
	                       "      \"last_alive\": 150,\n"
	                       "      \"version\": \"a,\\\"b\\\"\"\n"
	                       "    },\n"
	                       "    {\n"
	                       "      \"id\": 2,\n"
	                       "      \"started\": 200,\n"
	                       "      \"last_alive\": 300,\n"
	                       "      \"version\": \"0.1\"\n"
	                       "    }\n"
	                       "  ]\n"
	                       "}\n");
	free(s);
	/* every table, in name order */
	s = np_report_dump(np_store_db(st), NP_FMT_CSV, NULL, 0, &cause);
	static const char *const order[] = {
	    "# amounts\n",   "# baselines\n",   "# collectors\n", "# fold\n",
	    "# links\n",     "# outages\n",     "# outbox\n",     "# outbox_sink\n",
	    "# rollup_1d\n", "# rollup_1h\n",   "# rollup_5m\n",  "# runs\n",
	    "# series\n",    "# transitions\n", "# unobserved\n", "# verdicts\n"};
	const char *p = s;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const char *q = strstr(p, order[i]);
		if (q == NULL)
			fail_msg("%s missing or out of order", order[i]);
		p = q;
	}
	assert_true(strncmp(s, "# amounts\n", 10) == 0);
	/* Raw per-poll rows are no longer stored (schema migration 4). */
	assert_null(strstr(s, "# samples\n"));
	free(s);
	const char *nope[] = {"nope"};
	assert_null(np_report_dump(np_store_db(st), NP_FMT_CSV, nope, 1, &cause));
	assert_string_equal(cause, "no table \"nope\" in the database");
	free(cause);
	np_store_close(st);
}

/* Pieces of a streamed dump, and a sink that fails at the n-th piece. */
struct pieces {
	char *all;
	size_t len, n, fail_at;
};

static int
take_piece(const char *s, size_t len, void *arg)
{
	struct pieces *p = arg;
	if (++p->n == p->fail_at)
		return -1;
	p->all = np_xreallocarray(p->all, p->len + len + 1, 1);
	memcpy(p->all + p->len, s, len);
	p->len += len;
	p->all[p->len] = '\0';
	return 0;
}

/* The streamed dump of many rows: in pieces of >= 64 KiB, together the dump's text. */
static void
test_dump_stream(void **state)
{
	(void)state;
	struct np_store *st = open_db();
	exec(st, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)"
	         " INSERT INTO runs (id, started, last_alive, version)"
	         " SELECT i, i * 10, i * 10 + 5, 'v' || i FROM n;");
	char *cause = NULL;
	for (int f = 0; f < 2; f++) {
		enum np_format fmt = f == 0 ? NP_FMT_CSV : NP_FMT_JSON;
		char *whole = np_report_dump(np_store_db(st), fmt, NULL, 0, &cause);
		assert_non_null(whole);
		struct pieces p = {0};
		assert_int_equal(
		    np_report_dump_to(np_store_db(st), fmt, NULL, 0, take_piece, &p, &cause), 0);
		assert_true(p.n >= 2);
		assert_true(p.len > 65536);
		assert_string_equal(p.all, whole);
		free(p.all);
		free(whole);
		/* A sink that fails stops the dump with a cause. */
		struct pieces q = {.fail_at = 2};
		assert_int_equal(
		    np_report_dump_to(np_store_db(st), fmt, NULL, 0, take_piece, &q, &cause), -1);
		assert_int_equal(q.n, 2);
		assert_string_equal(cause, "writing the dump failed");
		free(cause);
		cause = NULL;
		free(q.all);
	}
	/* JSON: a table named twice is one key; CSV: twice, with titles. */
	const char *twice[] = {"fold", "fold"};
	char *s = np_report_dump(np_store_db(st), NP_FMT_JSON, twice, 2, &cause);
	assert_string_equal(s, "{\n  \"version\": 1,\n  \"fold\": [\n    {\n      \"id\": 1,\n"
	                       "      \"next_5m\": -9223372036854775807,\n"
	                       "      \"pass_end\": -9223372036854775807,\n"
	                       "      \"cursor\": 0\n    }\n  ]\n}\n");
	free(s);
	s = np_report_dump(np_store_db(st), NP_FMT_CSV, twice, 2, &cause);
	assert_string_equal(s, "# fold\nid,next_5m,pass_end,cursor\n"
	                       "1,-9223372036854775807,-9223372036854775807,0\n"
	                       "\n# fold\nid,next_5m,pass_end,cursor\n"
	                       "1,-9223372036854775807,-9223372036854775807,0\n");
	free(s);
	const char *empty[] = {"outbox"};
	s = np_report_dump(np_store_db(st), NP_FMT_JSON, empty, 1, &cause);
	assert_string_equal(s, "{\n  \"version\": 1,\n  \"outbox\": []\n}\n");
	free(s);
	np_store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_status),
	    cmocka_unit_test(test_status_explain),
	    cmocka_unit_test(test_status_explain_sinks),
	    cmocka_unit_test(test_events),
	    cmocka_unit_test(test_dump),
	    cmocka_unit_test(test_dump_stream),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
