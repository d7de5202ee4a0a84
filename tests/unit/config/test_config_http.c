/*
 * `http:`: off without the section, defaults with an empty one, each key read, listen forms
 * checked with the line of the value, a warning for a listener not on loopback.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "util/xmalloc.h"

#define SRC "sources:\n  - { name: h, type: local }\n"

static struct np_config *
load(const char *text)
{
	char *cause = NULL;
	struct np_config *cfg = np_config_parse("t.yaml", text, strlen(text), &cause);
	if (cfg == NULL)
		fail_msg("rejected: %s\n%s", cause, text);
	return cfg;
}

static void
expect_error(const char *text, const char *want)
{
	char *cause = NULL;
	struct np_config *cfg = np_config_parse("t.yaml", text, strlen(text), &cause);
	if (cfg != NULL) {
		np_config_free(cfg);
		fail_msg("accepted:\n%s", text);
	}
	assert_string_equal(cause, want);
	free(cause);
}

static size_t
warnings_with(const struct np_config *cfg, const char *needle)
{
	size_t n = 0;
	for (size_t i = 0; i < cfg->nwarnings; i++)
		n += strstr(cfg->warnings[i], needle) != NULL;
	return n;
}

static void
test_off_and_defaults(void **state)
{
	(void)state;
	struct np_config *cfg = load(SRC);
	assert_false(cfg->http.enabled);
	np_config_free(cfg);
	cfg = load(SRC "http: {}\n");
	assert_true(cfg->http.enabled);
	assert_string_equal(cfg->http.listen, "127.0.0.1:9479");
	assert_int_equal(cfg->http.max_connections, 64);
	assert_int_equal(cfg->http.request_timeout_ms, 10000);
	assert_int_equal(cfg->http.max_request_bytes, 8192);
	assert_int_equal(warnings_with(cfg, "http.listen"), 0);
	np_config_free(cfg);
}

static void
test_keys(void **state)
{
	(void)state;
	struct np_config *cfg = load(SRC "http:\n  listen: \"[::1]:9100\"\n  max_connections: 5\n"
	                                 "  request_timeout: 2s\n  max_request_bytes: 4096\n");
	assert_true(cfg->http.enabled);
	assert_string_equal(cfg->http.listen, "[::1]:9100");
	assert_int_equal(cfg->http.max_connections, 5);
	assert_int_equal(cfg->http.request_timeout_ms, 2000);
	assert_int_equal(cfg->http.max_request_bytes, 4096);
	assert_int_equal(warnings_with(cfg, "http.listen"), 0);
	np_config_free(cfg);
	cfg = load(SRC "http: { listen: \"0.0.0.0:9479\" }\n");
	assert_int_equal(
	    warnings_with(cfg, "http.listen 0.0.0.0:9479 is not loopback and has neither TLS nor "
	                       "authentication"),
	    1);
	np_config_free(cfg);
	cfg = load(SRC "http: { listen: \"0.0.0.0:9479\", basic_auth_file: /u }\n");
	assert_int_equal(warnings_with(cfg, "is not loopback and has no TLS: passwords"), 1);
	assert_string_equal(cfg->http.basic_auth_file, "/u");
	np_config_free(cfg);
	cfg = load(SRC "http: { listen: \"0.0.0.0:9479\", cert_file: /c, key_file: /k }\n");
	assert_int_equal(warnings_with(cfg, "is not loopback and has no authentication"), 1);
	assert_string_equal(cfg->http.cert_file, "/c");
	assert_string_equal(cfg->http.key_file, "/k");
	np_config_free(cfg);
	cfg = load(SRC "http: { listen: \"0.0.0.0:9479\", cert_file: /c, key_file: /k, "
	               "basic_auth_file: /u }\n");
	assert_int_equal(warnings_with(cfg, "http.listen"), 0);
	np_config_free(cfg);
	expect_error(SRC "http:\n  cert_file: /c\n",
	             "t.yaml:4:14: http: cert_file and key_file go together");
	cfg = load(SRC "http: { listen: \"127.3.2.1:9479\" }\n");
	assert_int_equal(warnings_with(cfg, "http.listen"), 0);
	np_config_free(cfg);
}

static void
test_bad_listen(void **state)
{
	(void)state;
	const char *bad[] = {
	    "9479",      "localhost:9479", "127.0.0.1:0", "127.0.0.1:70000", "[::1]", "::1:9479",
	    "[::1:9479", "127.0.0.1:",     "1.2.3.4:12a", "[127.0.0.1]:80",  "[]:80", NULL};
	for (size_t i = 0; bad[i] != NULL; i++) {
		char *text = np_xasprintf(SRC "http:\n  listen: \"%s\"\n", bad[i]);
		char *want = np_xasprintf("t.yaml:4:11: http.listen \"%s\": expected ADDR:PORT or "
		                          "[V6ADDR]:PORT with a numeric address and a port from 1 "
		                          "to 65535",
		                          bad[i]);
		expect_error(text, want);
		free(text);
		free(want);
	}
}

static void
test_ranges_and_keys(void **state)
{
	(void)state;
	char *cause = NULL;
	struct np_config *cfg =
	    np_config_parse("t.yaml", SRC "http: { max_connections: 0 }\n",
	                    strlen(SRC "http: { max_connections: 0 }\n"), &cause);
	assert_null(cfg);
	assert_non_null(strstr(cause, "t.yaml:3:"));
	assert_non_null(strstr(cause, "max_connections"));
	free(cause);
	cause = NULL;
	cfg = np_config_parse("t.yaml", SRC "http: { lisen: x }\n",
	                      strlen(SRC "http: { lisen: x }\n"), &cause);
	assert_null(cfg);
	assert_non_null(strstr(cause, "t.yaml:3:9: unknown key 'lisen' in http (did you mean "
	                              "'listen'?)"));
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_off_and_defaults),
	    cmocka_unit_test(test_keys),
	    cmocka_unit_test(test_bad_listen),
	    cmocka_unit_test(test_ranges_and_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
