/*
 * The JSON form of an alert: exact text for a link alert, nulls for what is absent, the
 * per-link details of a group summary embedded as an array, ill-formed UTF-8 replaced, and
 * every output parsed back with jansson.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "testutil.h"

#include "alert/alert.h"
#include "alert/alert_json.h"

#define T0 1796112000LL /* 2026-12-01T08:00:00Z */

static struct np_alert
ifdown(void)
{
	struct np_alert a = {
	    .id = 42,
	    .time_ms = T0 * 1000 + 123,
	    .msgid = "IFDOWN",
	    .severity = LOG_ERR,
	    .device = "sw1",
	    .interface = "eth0",
	    .state = "down",
	    .previous = "up",
	    .since_s = T0,
	    .source = "local",
	    .outage_seconds = -1,
	    .message = "interface eth0 on sw1 is DOWN (seen by local)",
	};
	return a;
}

static json_t *
parsed(const char *s)
{
	json_error_t err;
	json_t *j = json_loads(s, JSON_REJECT_DUPLICATES, &err);
	if (j == NULL)
		fail_msg("not JSON (%s): %s", err.text, s);
	assert_true(json_is_object(j));
	return j;
}

static void
test_link_alert_exact(void **state)
{
	struct np_alert a = ifdown();
	char *s = np_alert_json(&a, "np1");
	assert_string_equal(
	    s, "{\"id\":42,\"time\":\"2026-12-01T08:00:00.123000Z\",\"msgid\":\"IFDOWN\","
	       "\"severity\":\"err\",\"device\":\"sw1\",\"interface\":\"eth0\",\"state\":\"down\","
	       "\"previous\":\"up\",\"since\":\"2026-12-01T08:00:00Z\",\"source\":\"local\","
	       "\"outage_seconds\":null,\"message\":\"interface eth0 on sw1 is DOWN (seen by "
	       "local)\",\"host\":\"np1\"}");
	json_t *j = parsed(s);
	assert_null(json_object_get(j, "details"));
	json_decref(j);
	free(s);
}

static void
test_up_with_outage_and_nulls(void **state)
{
	struct np_alert a = ifdown();
	a.id = 0; /* not from the outbox */
	a.msgid = "IFUP";
	a.severity = LOG_NOTICE;
	a.state = "up";
	a.previous = "down";
	a.outage_seconds = 3723;
	a.since_s = -1;
	a.interface = NULL;
	a.source = NULL;
	char *s = np_alert_json(&a, NULL);
	json_t *j = parsed(s);
	assert_true(json_is_null(json_object_get(j, "id")));
	assert_string_equal(json_string_value(json_object_get(j, "severity")), "notice");
	assert_int_equal(json_integer_value(json_object_get(j, "outage_seconds")), 3723);
	assert_true(json_is_null(json_object_get(j, "since")));
	assert_true(json_is_null(json_object_get(j, "interface")));
	assert_true(json_is_null(json_object_get(j, "source")));
	assert_true(json_is_null(json_object_get(j, "host")));
	json_decref(j);
	free(s);
}

static void
test_severity_names(void **state)
{
	const char *want[] = {"emerg",   "alert",  "crit", "err",
	                      "warning", "notice", "info", "debug"};
	for (int i = 0; i < 8; i++)
		assert_string_equal(np_severity_name(i), want[i]);
	assert_string_equal(np_severity_name(-1), "warning");
	assert_string_equal(np_severity_name(8), "warning");
}

static void
test_group_details(void **state)
{
	struct np_alert a = ifdown();
	a.msgid = "STALE";
	a.details = "[{\"device\":\"sw1\",\"interface\":\"eth0\",\"state\":\"stale\","
	            "\"previous\":\"up\"},{\"device\":\"sw1\",\"interface\":\"eth1\","
	            "\"state\":\"stale\",\"previous\":\"down\"}]";
	char *s = np_alert_json(&a, "np1");
	json_t *j = parsed(s);
	json_t *d = json_object_get(j, "details");
	assert_true(json_is_array(d));
	assert_int_equal(json_array_size(d), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 1), "interface")),
	                    "eth1");
	json_decref(j);
	free(s);

	/* Not an array: kept as text, nothing lost. */
	a.details = "{\"broken\":";
	s = np_alert_json(&a, "np1");
	j = parsed(s);
	assert_string_equal(json_string_value(json_object_get(j, "details")), "{\"broken\":");
	json_decref(j);
	free(s);
}

static void
test_escapes_and_bad_utf8(void **state)
{
	struct np_alert a = ifdown();
	a.device = "a\"b\\c\nd\x01";
	a.interface = "\xc3\xa9t\xc3\xa9";        /* été: kept */
	a.source = "bad\xff\xc3utf8\xed\xa0\x80"; /* stray byte, cut sequence, surrogate */
	char *s = np_alert_json(&a, "h\xfe");
	json_t *j = parsed(s);
	assert_string_equal(json_string_value(json_object_get(j, "device")), "a\"b\\c\nd\x01");
	assert_string_equal(json_string_value(json_object_get(j, "interface")),
	                    "\xc3\xa9t\xc3\xa9");
	assert_string_equal(json_string_value(json_object_get(j, "source")),
	                    "bad\xef\xbf\xbd\xef\xbf\xbdutf8\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(json_string_value(json_object_get(j, "host")), "h\xef\xbf\xbd");
	assert_null(strchr(s, '\n')); /* one line: the newline is escaped */
	json_decref(j);
	free(s);
}

static void
test_time_out_of_range(void **state)
{
	struct np_alert a = ifdown();
	a.time_ms = INT64_MAX;
	a.since_s = INT64_MAX / 2;
	char *s = np_alert_json(&a, "np1");
	json_t *j = parsed(s);
	assert_true(json_is_null(json_object_get(j, "time")));
	assert_true(json_is_null(json_object_get(j, "since")));
	json_decref(j);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_link_alert_exact),
	    cmocka_unit_test(test_up_with_outage_and_nulls),
	    cmocka_unit_test(test_severity_names),
	    cmocka_unit_test(test_group_details),
	    cmocka_unit_test(test_escapes_and_bad_utf8),
	    cmocka_unit_test(test_time_out_of_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
