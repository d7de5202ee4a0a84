/*
 * report/health: failing sources (the line `netpulse status` prints, links or not) and the
 * verdict of `netpulse health` (every source failing, outbox stuck), from a store database
 * filled with SQL; and status --explain in JSON carrying the collectors with no link at all.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "report/health.h"
#include "report/status.h"
#include "reporttest.h"
#include "store/store.h"

#define T0 1790805600LL /* 2026-10-01T00:00:00+02:00 */
#define NOW (T0 + 86400)

/* No links at all: only sources, one failing (the case status said nothing about). */
static const char sources[] =
    "INSERT INTO collectors (source, ok, since, last_error, failures, skipped, skip_reason)"
    " VALUES ('fc-west', 0, 1790809200, 'ssh: connection refused\nby peer', 4, 0, ''),"
    " ('local', 1, 1790805600, '', 0, 0, '');";

struct fx {
	struct np_store *st;
	struct np_tz *tz;
	struct np_report_ctx ctx;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	f->st = open_db();
	exec(f->st, sources);
	f->tz = np_tz_load(NULL, "Europe/Berlin", NULL);
	assert_non_null(f->tz);
	f->ctx = (struct np_report_ctx){np_store_db(f->st), f->tz, NOW, NP_FMT_TEXT};
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	np_store_close(f->st);
	np_tz_free(f->tz);
	free(f);
	return 0;
}

static char *
failing(struct fx *f, const struct np_health_opts *o)
{
	struct np_health h;
	char *cause = NULL;
	if (np_health_read(&f->ctx, o, &h, &cause) == -1)
		fail_msg("%s", cause);
	char *line = np_health_failing_line(&h);
	np_health_free(&h);
	return line;
}

static void
test_failing_line_without_links(void **state)
{
	struct fx *f = *state;
	struct np_health_opts all = {.max_pending_s = 900};
	char *line = failing(f, &all);
	/* One line: the peer's newline is escaped. */
	assert_string_equal(line,
	                    "1 of 2 sources failing: fc-west since 2026-10-01T01:00:00+02:00 "
	                    "(4 failed polls, last error: ssh: connection refused\\nby peer)");
	free(line);
	/* A source the config no longer has does not count; one not polled yet does. */
	const char *const cfg1[] = {"local"};
	struct np_health_opts o1 = {.sources = cfg1, .nsources = 1, .sources_known = true};
	assert_null(failing(f, &o1));
	const char *const cfg3[] = {"fc-west", "local", "meraki"};
	struct np_health_opts o3 = {.sources = cfg3, .nsources = 3, .sources_known = true};
	line = failing(f, &o3);
	assert_non_null(line);
	assert_int_equal(strncmp(line, "1 of 3 sources failing: fc-west since ", 38), 0);
	free(line);
}

static bool
judge(struct fx *f, const struct np_health_opts *o, const char *want)
{
	struct np_health h;
	char *cause = NULL, *line = NULL;
	if (np_health_read(&f->ctx, o, &h, &cause) == -1)
		fail_msg("%s", cause);
	bool ok = np_health_judge(&f->ctx, o, &h, &line);
	assert_string_equal(line, want);
	free(line);
	np_health_free(&h);
	return ok;
}

static void
test_judge_sources(void **state)
{
	struct fx *f = *state;
	struct np_health_opts o = {.max_pending_s = 900};
	assert_true(judge(f, &o, "healthy: 1 of 2 sources polling, 0 alert(s) undelivered"));
	exec(f->st, "UPDATE collectors SET ok = 0, failures = 1, since = 1790812800,"
	            " last_error = 'netlink: EPERM' WHERE source = 'local'");
	assert_false(judge(f, &o,
	                   "unhealthy: every source is failing: fc-west since "
	                   "2026-10-01T01:00:00+02:00 (4 failed polls, last error: ssh: connection "
	                   "refused\\nby peer); local since 2026-10-01T02:00:00+02:00 (1 failed "
	                   "poll, last error: netlink: EPERM)"));
	/* A configured source not polled yet is not failing. */
	const char *const cfg[] = {"fc-west", "local", "new"};
	struct np_health_opts o3 = {
	    .sources = cfg, .nsources = 3, .sources_known = true, .max_pending_s = 900};
	assert_true(judge(f, &o3, "healthy: 1 of 3 sources polling, 0 alert(s) undelivered"));
	/* No source at all is no failing source. */
	struct np_health_opts none = {.sources_known = true, .max_pending_s = 900};
	assert_true(judge(f, &none, "healthy: 0 of 0 sources polling, 0 alert(s) undelivered"));
}

static void
test_judge_outbox(void **state)
{
	struct fx *f = *state;
	struct np_health_opts o = {.max_pending_s = 900};
	/* Queued 20 min, 10 min and 1 h before now; delivered, dead and re-queued rows. */
	exec(f->st,
	     "INSERT INTO outbox (id, created, msgid, severity, device, interface, state, previous,"
	     " since, source, message) VALUES"
	     " (1, 1790890800, 'IFDOWN', 3, 'a', '', 'down', 'up', 1790890800, 'local', 'm'),"
	     " (2, 1790891400, 'IFDOWN', 3, 'b', '', 'down', 'up', 1790891400, 'local', 'm'),"
	     " (3, 1790888400, 'IFDOWN', 3, 'c', '', 'down', 'up', 1790888400, 'local', 'm');"
	     "INSERT INTO outbox_sink (outbox, sink, delivered, dead, queued) VALUES"
	     " (2, 'local', NULL, NULL, NULL), (3, 'local', NULL, 1790889000, NULL),"
	     " (1, 'local', 1790890801, NULL, NULL), (3, 'udp://h:514', NULL, NULL, 1790891500);");
	assert_true(judge(f, &o, "healthy: 1 of 2 sources polling, 2 alert(s) undelivered"));
	exec(f->st, "UPDATE outbox_sink SET delivered = NULL WHERE outbox = 1");
	assert_false(judge(f, &o,
	                   "unhealthy: outbox stuck: 3 alert(s) undelivered, the oldest queued "
	                   "20m ago (more than 15m)"));
	o.max_pending_s = 1200;
	assert_true(judge(f, &o, "healthy: 1 of 2 sources polling, 3 alert(s) undelivered"));
}

static void
test_explain_json_collectors_without_links(void **state)
{
	struct fx *f = *state;
	f->ctx.fmt = NP_FMT_JSON;
	struct np_status_opts o = {.explain = true};
	char *cause = NULL, *s = np_report_status(&f->ctx, &o, &cause);
	assert_non_null(s);
	json_t *j = json_loads(s, 0, NULL);
	assert_non_null(j);
	assert_int_equal(json_array_size(json_object_get(j, "links")), 0);
	json_t *cols = json_object_get(j, "collectors");
	assert_int_equal(json_array_size(cols), 2);
	json_t *c = json_array_get(cols, 0);
	assert_string_equal(json_string_value(json_object_get(c, "source")), "fc-west");
	assert_true(json_is_false(json_object_get(c, "ok")));
	assert_int_equal(json_integer_value(json_object_get(c, "failures")), 4);
	json_decref(j);
	free(s);
	/* Without --explain the document has the links only. */
	o.explain = false;
	s = np_report_status(&f->ctx, &o, &cause);
	assert_string_equal(s, "{\n  \"version\": 1,\n  \"links\": []\n}\n");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_failing_line_without_links, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_judge_sources, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_judge_outbox, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_explain_json_collectors_without_links, setup,
	                                    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
