/* RFC 5424 formatter, RFC 3164 / flat text and the alert sentences, with exact strings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "testutil.h"

#include "alert/alert.h"
#include "alert/rfc3164.h"

#define T0 1796112000LL /* 2026-12-01T08:00:00Z */

static struct np_alert
ifdown_exporter(void)
{
	struct np_alert a = {
	    .time_ms = T0 * 1000 + 123,
	    .msgid = "IFDOWN",
	    .severity = LOG_ERR,
	    .device = "172.16.16.2",
	    .interface = "",
	    .state = "down",
	    .previous = "up",
	    .source = "fc-east",
	    .since_s = T0,
	    .outage_seconds = -1,
	    .message = "exporter 172.16.16.2 is DOWN (no NetFlow traffic seen by fc-east, fc-west)",
	};
	return a;
}

static const struct np_syslog_header hdr = {
    .facility = LOG_DAEMON,
    .hostname = "collector1",
    .app_name = "netpulse",
    .procid = 4242,
    .enterprise = 32473,
};

#define HEAD "<27>1 2026-12-01T08:00:00.123000Z collector1 netpulse 4242 IFDOWN "
#define SD_EXPORTER                                                                                \
	"[netpulse@32473 device=\"172.16.16.2\" interface=\"\" state=\"down\" previous=\"up\" "    \
	"since=\"2026-12-01T08:00:00Z\" source=\"fc-east\"]"

static void
format_ok(const struct np_alert *a, const struct np_syslog_header *h, size_t max_len,
          const char *want)
{
	char buf[4096];
	int n = np_rfc5424_format(a, h, max_len, buf, sizeof(buf));
	assert_string_equal(buf, want);
	assert_int_equal(n, (int)strlen(want));
}

static void
test_exporter_down(void **state)
{
	struct np_alert a = ifdown_exporter();
	format_ok(&a, &hdr, 0,
	          HEAD SD_EXPORTER " exporter 172.16.16.2 is DOWN (no NetFlow traffic "
	                           "seen by fc-east, fc-west)");
}

static void
test_interface_up_with_outage(void **state)
{
	struct np_alert a = {
	    .time_ms = T0 * 1000 + 3723000,
	    .msgid = "IFUP",
	    .severity = LOG_NOTICE,
	    .device = "host1",
	    .interface = "eth0",
	    .state = "up",
	    .previous = "down",
	    .source = "this-host",
	    .since_s = T0 + 3723,
	    .outage_seconds = 3723,
	    .message = "interface eth0 on host1 is UP again after 1h 2m 3s (seen by this-host)",
	};
	struct np_syslog_header h = hdr;
	h.facility = LOG_LOCAL0; /* 16 << 3 = 128; + notice 5 */
	h.enterprise = 99999;
	format_ok(&a, &h, 0,
	          "<133>1 2026-12-01T09:02:03.000000Z collector1 netpulse 4242 IFUP "
	          "[netpulse@99999 device=\"host1\" interface=\"eth0\" state=\"up\" "
	          "previous=\"down\" since=\"2026-12-01T09:02:03Z\" source=\"this-host\" "
	          "outage_seconds=\"3723\"] interface eth0 on host1 is UP again after 1h 2m 3s "
	          "(seen by this-host)");
}

/* The alert's id leads its SD; a group summary adds one link param per link; a log line none. */
static void
test_id_details_plain(void **state)
{
	struct np_alert a = ifdown_exporter();
	a.id = 1234;
	format_ok(&a, &hdr, 0,
	          HEAD "[netpulse@32473 id=\"1234\" device=\"172.16.16.2\" interface=\"\" "
	               "state=\"down\" previous=\"up\" since=\"2026-12-01T08:00:00Z\" "
	               "source=\"fc-east\"] exporter 172.16.16.2 is DOWN (no NetFlow traffic "
	               "seen by fc-east, fc-west)");
	a.id = 0;
	a.message = "2 links DOWN";
	a.details = "[{\"device\":\"sw1\",\"interface\":\"ge-0/0/1\",\"state\":\"down\","
	            "\"previous\":\"up\"},{\"device\":\"sw]1\",\"interface\":\"x\","
	            "\"state\":\"down\",\"previous\":\"up\"}]";
	format_ok(&a, &hdr, 0,
	          HEAD SD_EXPORTER "[links@32473 link=\"sw1|ge-0/0/1|down|up\" "
	                           "link=\"sw\\]1|x|down|up\"] 2 links DOWN");
	/* Too many links for max_len: the rest are counted, the message still fits. */
	char big[64 * 1024];
	size_t off = (size_t)snprintf(big, sizeof(big), "[");
	for (int i = 0; i < 500; i++)
		off += (size_t)snprintf(big + off, sizeof(big) - off,
		                        "%s{\"device\":\"switch-%03d\",\"interface\":\"eth0\","
		                        "\"state\":\"down\",\"previous\":\"up\"}",
		                        i ? "," : "", i);
	snprintf(big + off, sizeof(big) - off, "]");
	a.details = big;
	char buf[4096];
	int n = np_rfc5424_format(&a, &hdr, 2048, buf, sizeof(buf));
	assert_true(n > 0 && n <= 2048);
	assert_non_null(strstr(buf, "link=\"switch-000|eth0|down|up\""));
	assert_non_null(strstr(buf, " links_omitted=\""));
	assert_non_null(strstr(buf, "] 2 links DOWN"));
	/* A daemon log line: no structured data. */
	struct np_alert l = {.time_ms = a.time_ms,
	                     .msgid = "-",
	                     .severity = LOG_ERR,
	                     .message = "started",
	                     .plain = true};
	format_ok(&l, &hdr, 0,
	          "<27>1 2026-12-01T08:00:00.123000Z collector1 netpulse 4242 - - started");
}

static void
test_pri_math(void **state)
{
	struct np_alert a = ifdown_exporter();
	a.message = NULL;
	char buf[1024];
	struct np_syslog_header h = hdr;
	struct {
		int facility, severity;
		const char *pri;
	} cases[] = {
	    {LOG_DAEMON, LOG_ERR, "<27>1 "},
	    {LOG_KERN, LOG_EMERG, "<0>1 "},
	    {LOG_LOCAL7, LOG_DEBUG, "<191>1 "},
	    {LOG_USER, LOG_WARNING, "<12>1 "},
	    {5, LOG_ERR, "<11>1 "},    /* not a shifted facility: user */
	    {LOG_DAEMON, 9, "<28>1 "}, /* bad severity: warning */
	    {24 << 3, LOG_ERR, "<11>1 "},
	    {-8, LOG_ERR, "<11>1 "},
	    {LOG_DAEMON, -1, "<28>1 "},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		h.facility = cases[i].facility;
		a.severity = cases[i].severity;
		assert_true(np_rfc5424_format(&a, &h, 0, buf, sizeof(buf)) > 0);
		assert_memory_equal(buf, cases[i].pri, strlen(cases[i].pri));
	}
}

static void
test_sd_escaping(void **state)
{
	struct np_alert a = ifdown_exporter();
	a.device = "a\"b\\c]d[e";
	a.interface = "x=\"y\"";
	a.state = "line\nbreak\ttab";
	a.previous = "\xc3\xa9t\xc3\xa9"; /* "été": UTF-8 is kept in values */
	a.source = "bad\xff\xc3utf8\xc2\x85nel";
	a.message = NULL;
	format_ok(&a, &hdr, 0,
	          HEAD "[netpulse@32473 device=\"a\\\"b\\\\c\\]d[e\" interface=\"x=\\\"y\\\"\" "
	               "state=\"line break tab\" previous=\"\xc3\xa9t\xc3\xa9\" "
	               "since=\"2026-12-01T08:00:00Z\" source=\"bad??utf8 nel\"]");
}

static void
test_header_printusascii(void **state)
{
	struct np_alert a = ifdown_exporter();
	a.msgid = "IF DOWN";
	a.message = "m";
	struct np_syslog_header h = hdr;
	h.hostname = "h\xc3\xb6st name\x01\xff"; /* ö is one '_', the bad byte one more */
	h.app_name = "net\tpulse";
	format_ok(
	    &a, &h, 0,
	    "<27>1 2026-12-01T08:00:00.123000Z h_st_name__ net_pulse 4242 IF_DOWN " SD_EXPORTER
	    " m");
}

static void
test_nilvalues(void **state)
{
	struct np_alert a = ifdown_exporter();
	a.msgid = NULL;
	a.device = NULL;
	a.interface = NULL;
	a.state = NULL;
	a.previous = NULL;
	a.source = NULL;
	a.since_s = -1;
	a.message = "";
	struct np_syslog_header h = {.facility = LOG_DAEMON,
	                             .hostname = NULL,
	                             .app_name = "",
	                             .procid = 0,
	                             .enterprise = 32473};
	format_ok(&a, &h, 0,
	          "<27>1 2026-12-01T08:00:00.123000Z - - - - [netpulse@32473 device=\"\" "
	          "interface=\"\" state=\"\" previous=\"\" since=\"\" source=\"\"]");
	h.hostname = "";
	h.procid = -5;
	format_ok(&a, &h, 0,
	          "<27>1 2026-12-01T08:00:00.123000Z - - - - [netpulse@32473 device=\"\" "
	          "interface=\"\" state=\"\" previous=\"\" since=\"\" source=\"\"]");
}

static void
test_timestamps(void **state)
{
	struct np_alert a = ifdown_exporter();
	a.message = NULL;
	a.time_ms = -1; /* floor: the last millisecond of 1969 */
	a.since_s = 0;
	char buf[1024];
	assert_true(np_rfc5424_format(&a, &hdr, 0, buf, sizeof(buf)) > 0);
	assert_memory_equal(buf, "<27>1 1969-12-31T23:59:59.999000Z ", 34);
	assert_non_null(strstr(buf, " since=\"1970-01-01T00:00:00Z\" "));
	/* Years that do not have 4 digits: TIMESTAMP NILVALUE, since empty. */
	a.time_ms = INT64_MAX;
	a.since_s = 253402300800LL; /* 10000-01-01 */
	assert_true(np_rfc5424_format(&a, &hdr, 0, buf, sizeof(buf)) > 0);
	assert_memory_equal(buf, "<27>1 - collector1 ", 19);
	assert_non_null(strstr(buf, " since=\"\" "));
	a.time_ms = 253402300799999LL; /* 9999-12-31T23:59:59.999 */
	assert_true(np_rfc5424_format(&a, &hdr, 0, buf, sizeof(buf)) > 0);
	assert_memory_equal(buf, "<27>1 9999-12-31T23:59:59.999000Z ", 34);
}

static void
test_long_header_fields_truncated(void **state)
{
	char host[301], app[61], msgid[41];
	memset(host, 'h', 300);
	host[300] = '\0';
	memset(app, 'a', 60);
	app[60] = '\0';
	memset(msgid, 'M', 40);
	msgid[40] = '\0';
	struct np_alert a = ifdown_exporter();
	a.msgid = msgid;
	a.message = NULL;
	struct np_syslog_header h = hdr;
	h.hostname = host;
	h.app_name = app;
	char want[2048];
	snprintf(want, sizeof(want), "<27>1 2026-12-01T08:00:00.123000Z %.255s %.48s 4242 %.32s %s",
	         host, app, msgid, SD_EXPORTER);
	format_ok(&a, &h, 0, want);
}

static void
test_msg_control_chars(void **state)
{
	struct np_alert a = ifdown_exporter();
	a.message = "\xef\xbb\xbfline1\nline2\r\ttab\x7f end\xc2\x85 \xff";
	format_ok(&a, &hdr, 0, HEAD SD_EXPORTER " line1 line2  tab  end  ?");
}

/* Every leading BOM goes, not just the first (a fuzz finding); a later one is text. */
static void
test_msg_leading_boms(void **state)
{
	struct np_alert a = ifdown_exporter();
	a.message = "\xef\xbb\xbf\xef\xbb\xbf\xef\xbb\xbfup\xef\xbb\xbf";
	format_ok(&a, &hdr, 0, HEAD SD_EXPORTER " up\xef\xbb\xbf");
	/* Only BOMs: no MSG and no trailing SP. */
	a.message = "\xef\xbb\xbf\xef\xbb\xbf";
	format_ok(&a, &hdr, 0, HEAD SD_EXPORTER);
}

static void
test_msg_truncated_at_utf8_boundary(void **state)
{
	struct np_alert a = ifdown_exporter();
	a.message = "\xc3\xa9\xc3\xa9\xc3\xa9"; /* ééé, 6 bytes */
	size_t base = strlen(HEAD SD_EXPORTER);
	/* Room for SP + 3 bytes: one é fits, the second would be cut in half. */
	format_ok(&a, &hdr, base + 4, HEAD SD_EXPORTER " \xc3\xa9");
	format_ok(&a, &hdr, base + 5, HEAD SD_EXPORTER " \xc3\xa9\xc3\xa9");
	format_ok(&a, &hdr, base + 7, HEAD SD_EXPORTER " \xc3\xa9\xc3\xa9\xc3\xa9");
	/* Room for the SP only or nothing: no MSG and no trailing SP. */
	format_ok(&a, &hdr, base + 1, HEAD SD_EXPORTER);
	format_ok(&a, &hdr, base + 2, HEAD SD_EXPORTER);
	format_ok(&a, &hdr, base, HEAD SD_EXPORTER);
	/* bufsize is a limit too when max_len is 0 or larger. */
	char buf[512];
	assert_true(base + 4 < sizeof(buf));
	int n = np_rfc5424_format(&a, &hdr, 0, buf, base + 5);
	assert_int_equal(n, (int)base + 3);
	assert_string_equal(buf, HEAD SD_EXPORTER " \xc3\xa9");
	n = np_rfc5424_format(&a, &hdr, 100000, buf, base + 5);
	assert_int_equal(n, (int)base + 3);
}

static void
test_too_small(void **state)
{
	struct np_alert a = ifdown_exporter();
	char buf[64];
	assert_int_equal(np_rfc5424_format(&a, &hdr, 0, buf, sizeof(buf)), -1);
	assert_string_equal(buf, "");
	assert_int_equal(np_rfc5424_format(&a, &hdr, 20, buf, sizeof(buf)), -1);
	assert_int_equal(np_rfc5424_format(&a, &hdr, 0, buf, 0), -1);
}

static void
test_huge_values_cut_to_fit(void **state)
{
	char *dev = malloc(5001);
	memset(dev, 'x', 5000);
	dev[5000] = '\0';
	char *msg = malloc(3001);
	memset(msg, 'm', 3000);
	msg[3000] = '\0';
	struct np_alert a = ifdown_exporter();
	a.device = dev;
	a.message = msg;
	char buf[4096];
	int n = np_rfc5424_format(&a, &hdr, 2048, buf, sizeof(buf));
	assert_true(n > 0 && n <= 2048);
	assert_int_equal(strlen(buf), (size_t)n);
	/* The value cap halves from 2500: 1250 bytes fit in 2048 with the rest. */
	char want[1400];
	snprintf(want, sizeof(want), "device=\"%.1250s\" interface=", dev);
	assert_non_null(strstr(buf, want));
	/* The message fills what is left. */
	assert_int_equal(n, 2048);
	assert_memory_equal(buf + 2048 - 5, "mmmmm", 5);
	free(dev);
	free(msg);
}

static void
test_flat_and_rfc3164(void **state)
{
	struct np_alert a = ifdown_exporter();
	a.outage_seconds = 0;
	a.device = "q\"uote";
	char buf[1024];
	const char *flat = "IFDOWN: exporter 172.16.16.2 is DOWN (no NetFlow traffic seen by "
	                   "fc-east, fc-west) [device=\"q\\\"uote\" interface=\"\" state=\"down\" "
	                   "previous=\"up\" since=\"2026-12-01T08:00:00Z\" source=\"fc-east\" "
	                   "outage_seconds=\"0\"]";
	int n = np_alert_flat(&a, 0, buf, sizeof(buf));
	assert_string_equal(buf, flat);
	assert_int_equal(n, (int)strlen(flat));

	/* Truncation keeps the bracket part and cuts the message. */
	const char *bracket = strchr(flat, '[');
	size_t max = strlen("IFDOWN: exporter ") + strlen(bracket);
	n = np_alert_flat(&a, max, buf, sizeof(buf));
	assert_int_equal(n, (int)max);
	char want[1024];
	snprintf(want, sizeof(want), "IFDOWN: exporter %s", bracket);
	assert_string_equal(buf, want);

	/* RFC 3164 §4.1.2: the TIMESTAMP is local time (08:00Z is 03:00 in New York). */
	setenv("TZ", "America/New_York", 1);
	tzset();
	n = np_rfc3164_format(&a, &hdr, 0, buf, sizeof(buf));
	snprintf(want, sizeof(want), "<27>Dec  1 03:00:00 collector1 netpulse[4242]: %s", flat);
	assert_string_equal(buf, want);
	assert_int_equal(n, (int)strlen(want));
	setenv("TZ", "<+0530>-5:30", 1);
	tzset();
	n = np_rfc3164_format(&a, &hdr, 0, buf, sizeof(buf));
	snprintf(want, sizeof(want), "<27>Dec  1 13:30:00 collector1 netpulse[4242]: %s", flat);
	assert_string_equal(buf, want);
	n = np_rfc3164_local_format(&a, &hdr, 0, buf, sizeof(buf));
	snprintf(want, sizeof(want), "<27>Dec  1 13:30:00 netpulse[4242]: %s", flat);
	assert_string_equal(buf, want);
	unsetenv("TZ");
	tzset();
	assert_int_equal(np_rfc3164_format(&a, &hdr, 0, buf, 40), -1);
}

static void
check_sentence(const char *msgid, const char *dev, const char *ifc, const char *src, int64_t outage,
               const char *want)
{
	char *s = np_alert_sentence(msgid, dev, ifc, src, outage);
	assert_string_equal(s, want);
	free(s);
}

static void
test_sentences(void **state)
{
	check_sentence("IFDOWN", "host1", "eth0", "this-host", -1,
	               "interface eth0 on host1 is DOWN (seen by this-host)");
	check_sentence(
	    "IFDOWN", "172.16.16.2", "", "fc-east, fc-west", -1,
	    "exporter 172.16.16.2 is DOWN (no NetFlow traffic seen by fc-east, fc-west)");
	check_sentence("IFDOWN", "172.16.16.2", NULL, NULL, -1, "exporter 172.16.16.2 is DOWN");
	check_sentence("IFUP", "host1", "eth0", "this-host", 3723,
	               "interface eth0 on host1 is UP again after 1h 2m 3s (seen by this-host)");
	check_sentence("IFUP", "host1", "eth0", "this-host", 42,
	               "interface eth0 on host1 is UP again after 42s (seen by this-host)");
	check_sentence("IFUP", "host1", "eth0", "", 3600,
	               "interface eth0 on host1 is UP again after 1h");
	check_sentence("IFUP", "host1", "eth0", "a", 0,
	               "interface eth0 on host1 is UP again after 0s (seen by a)");
	check_sentence("IFUP", "host1", "eth0", "a", -1,
	               "interface eth0 on host1 is UP again (seen by a)");
	check_sentence(
	    "IFUP", "172.16.16.2", "", "fc-east", 90061,
	    "exporter 172.16.16.2 is UP again after 1d 1h 1m 1s (NetFlow traffic seen by "
	    "fc-east)");
	check_sentence("FLAPPING", "host1", "eth0", "this-host", -1,
	               "interface eth0 on host1 is FLAPPING (up/down alerts suppressed until it is "
	               "stable; seen by this-host)");
	check_sentence("FLAPPING", "172.16.16.2", "", NULL, -1,
	               "exporter 172.16.16.2 is FLAPPING (up/down alerts suppressed until it is "
	               "stable)");
	check_sentence("FLAPSTOP", "host1", "eth0", "this-host", -1,
	               "interface eth0 on host1 stopped FLAPPING (seen by this-host)");
	check_sentence(
	    "STALE", "172.16.16.2", "", "fc-east, fc-west", -1,
	    "exporter 172.16.16.2 is STALE (no fresh observation from fc-east, fc-west)");
	check_sentence("STALE", "host1", "eth0", NULL, -1,
	               "interface eth0 on host1 is STALE (no fresh observation)");
	check_sentence("COLLECTOR", "fc-east", "", NULL, -1, "COLLECTOR: exporter fc-east");
	check_sentence(NULL, NULL, NULL, NULL, -1, "ALERT: exporter ");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exporter_down),
	    cmocka_unit_test(test_interface_up_with_outage),
	    cmocka_unit_test(test_pri_math),
	    cmocka_unit_test(test_id_details_plain),
	    cmocka_unit_test(test_sd_escaping),
	    cmocka_unit_test(test_header_printusascii),
	    cmocka_unit_test(test_nilvalues),
	    cmocka_unit_test(test_timestamps),
	    cmocka_unit_test(test_long_header_fields_truncated),
	    cmocka_unit_test(test_msg_control_chars),
	    cmocka_unit_test(test_msg_leading_boms),
	    cmocka_unit_test(test_msg_truncated_at_utf8_boundary),
	    cmocka_unit_test(test_too_small),
	    cmocka_unit_test(test_huge_values_cut_to_fit),
	    cmocka_unit_test(test_flat_and_rfc3164),
	    cmocka_unit_test(test_sentences),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
