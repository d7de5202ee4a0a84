/* Value syntaxes: durations, multiples, syslog servers. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/duration.h"
#include "config/server.h"

static void
test_duration_good(void **state)
{
	static const struct {
		const char *s;
		int64_t ms;
	} t[] = {
	    {"0", 0},
	    {"0s", 0},
	    {"1ms", 1},
	    {"1500ms", 1500},
	    {"30s", 30000},
	    {"5m", 300000},
	    {"2h", 7200000},
	    {"30d", 2592000000LL},
	    {"1h30m", 5400000},
	    {"1m30s500ms", 90500},
	    {"2w", 1209600000},
	    {"1w1d", 691200000},
	    {"007s", 7000},
	    {"106751991167d", 106751991167LL * 86400000LL}, /* fits in int64 ms */
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int64_t ms = -42;
		if (np_duration_parse(t[i].s, &ms) != 0)
			fail_msg("'%s' rejected", t[i].s);
		if (ms != t[i].ms)
			fail_msg("'%s' = %lld, want %lld", t[i].s, (long long)ms,
			         (long long)t[i].ms);
	}
}

static void
test_duration_bad(void **state)
{
	static const char *const t[] = {
	    "",
	    "abc",
	    "30",
	    "-5s",
	    "+5s",
	    "5 s",
	    " 5s",
	    "5s ",
	    "1.5h",
	    "5x",
	    "5S",
	    "h",
	    "5sm",
	    "5mm",
	    "1e3s",
	    "5ms5",
	    "5W",
	    "5wk",
	    "0x10s",
	    "106751991168d", /* overflows int64 ms */
	    "99999999999999999999s",
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int64_t ms = -42;
		if (np_duration_parse(t[i], &ms) != -1)
			fail_msg("'%s' accepted as %lld", t[i], (long long)ms);
		assert_int_equal(ms, -42);
	}
	assert_int_equal(np_duration_parse(NULL, &(int64_t){0}), -1);
}

static void
test_duration_format(void **state)
{
	static const struct {
		int64_t ms;
		const char *s;
	} t[] = {
	    {0, "0"},       {1, "1ms"},      {1500, "1500ms"}, {30000, "30s"},    {90000, "90s"},
	    {300000, "5m"}, {7200000, "2h"}, {86400000, "1d"}, {90000000, "25h"}, {100, "100ms"},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char buf[32];
		np_duration_format(t[i].ms, buf, sizeof(buf));
		assert_string_equal(buf, t[i].s);
		int64_t back;
		assert_int_equal(np_duration_parse(buf, &back), 0);
		assert_int_equal(back, t[i].ms);
	}
}

static void
test_multiple(void **state)
{
	double x = 0;
	assert_int_equal(np_config_multiple_parse("3x", &x), 0);
	assert_true(x == 3.0);
	assert_int_equal(np_config_multiple_parse("1.5x", &x), 0);
	assert_true(x == 1.5);
	assert_int_equal(np_config_multiple_parse("10x", &x), 0);
	assert_true(x == 10.0);
	static const char *const bad[] = {"x",     "3",  "0x",    "-3x", "3xx",  "1e2x",
	                                  "inf x", ".x", "1..5x", " 3x", "nanx", "3X"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		x = -1;
		if (np_config_multiple_parse(bad[i], &x) != -1)
			fail_msg("'%s' accepted as %g", bad[i], x);
	}
}

static void
test_server_good(void **state)
{
	static const struct {
		const char *s;
		enum np_syslog_proto proto;
		const char *host, *port;
	} t[] = {
	    {"udp://127.0.0.1:514", NP_SYSLOG_UDP, "127.0.0.1", "514"},
	    {"udp://127.0.0.1:5514", NP_SYSLOG_UDP, "127.0.0.1", "5514"},
	    {"tcp://logs.example.net:6514", NP_SYSLOG_TCP, "logs.example.net", "6514"},
	    {"logs.example.net:1514", NP_SYSLOG_UDP, "logs.example.net", "1514"},
	    {"logs", NP_SYSLOG_UDP, "logs", "514"},
	    {"tcp://logs", NP_SYSLOG_TCP, "logs", "514"},
	    {"[::1]:5514", NP_SYSLOG_UDP, "::1", "5514"},
	    {"[2001:db8::1]", NP_SYSLOG_UDP, "2001:db8::1", "514"},
	    {"tcp://[fe80::1]:65535", NP_SYSLOG_TCP, "fe80::1", "65535"},
	    {"udp://h:1", NP_SYSLOG_UDP, "h", "1"},
	    /* One spelling per target: the sink's key (and the outbox rows) follow from it. */
	    {"UDP://Host:514", NP_SYSLOG_UDP, "host", "514"},
	    {"Tcp://LOGS.example.NET:06514", NP_SYSLOG_TCP, "logs.example.net", "6514"},
	    {"[0:0::1]:00514", NP_SYSLOG_UDP, "::1", "514"},
	    {"[2001:DB8:0::1]", NP_SYSLOG_UDP, "2001:db8::1", "514"},
	    /* RFC 5425 and RELP, with their own default ports. */
	    {"tls://logs.example.net", NP_SYSLOG_TLS, "logs.example.net", "6514"},
	    {"TLS://Logs:7514", NP_SYSLOG_TLS, "logs", "7514"},
	    {"relp://127.0.0.1", NP_SYSLOG_RELP, "127.0.0.1", "2514"},
	    {"relp://[::1]:20514", NP_SYSLOG_RELP, "::1", "20514"},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		enum np_syslog_proto proto = NP_SYSLOG_LOCAL;
		char *host = NULL, *port = NULL;
		if (np_config_server_parse(t[i].s, &proto, &host, &port) != 0)
			fail_msg("'%s' rejected", t[i].s);
		assert_int_equal(proto, t[i].proto);
		assert_string_equal(host, t[i].host);
		assert_string_equal(port, t[i].port);
		free(host);
		free(port);
	}
}

static void
test_server_bad(void **state)
{
	static const char *const t[] = {
	    "",
	    "ftp://host:21",
	    "tls://",
	    "relp://host:0",
	    "udp://",
	    "host:",
	    "host:0",
	    "host:65536",
	    "host:51a",
	    "host:514:1",
	    "::1",
	    "::1:514",
	    "[::1",
	    "[]:514",
	    "[not-v6]:514",
	    "[::1]514",
	    "[127.0.0.1]:514",
	    "ho st:514",
	    "udp://host:514/path",
	    "host:123456",
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		enum np_syslog_proto proto = NP_SYSLOG_LOCAL;
		char *host = NULL, *port = NULL;
		if (np_config_server_parse(t[i], &proto, &host, &port) != -1)
			fail_msg("'%s' accepted as %s port %s", t[i], host, port);
		assert_null(host);
		assert_null(port);
		assert_int_equal(proto, NP_SYSLOG_LOCAL);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_duration_good),   cmocka_unit_test(test_duration_bad),
	    cmocka_unit_test(test_duration_format), cmocka_unit_test(test_multiple),
	    cmocka_unit_test(test_server_good),     cmocka_unit_test(test_server_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
