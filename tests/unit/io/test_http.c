/*
 * np_http against a real HTTPS peer (tests/unit/io/http_peer.py, throwaway CA): answers,
 * pagination, retries (429 + Retry-After, 503, 500), immediate 4xx failure, redirects and
 * where auth headers go, the size cap, gzip, TLS verification, transport errors, debug
 * logging without secrets. The deadline, limits and cancel are in test_http_flow.c.
 */
#include "http_testenv.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

static const char *const auth[] = {"X-Cisco-Meraki-API-Key: s3cret-key",
                                   "Authorization: Bearer s3cret-token"};

static void
test_ok(void **state)
{
	struct np_http_stats s0, s1;
	np_http_stats(E.h, &s0);
	const char *hdrs[] = {"Accept: application/json"};
	struct np_http_client_cfg cfg = {.headers = hdrs, .nheaders = 1};
	struct np_http_client *c = h_client(&cfg);
	struct res r;
	h_get(c, "/ok", &r);
	assert_int_equal(r.ok, 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "hello");
	assert_int_equal(r.len, 5);
	assert_int_equal(r.attempts, 1);
	assert_null(r.next);
	assert_null(r.cause);
	char *url = h_url("/ok");
	assert_string_equal(r.url, url);
	free(url);
	np_http_stats(E.h, &s1);
	assert_int_equal(s1.requests - s0.requests, 1);
	assert_int_equal(s1.bytes_in - s0.bytes_in, 5);
	assert_int_equal(s1.retries - s0.retries, 0);
	char *log = h_peer_log();
	assert_non_null(strstr(log, "\"accept\": \"application/json\""));
	free(log);
	h_res_free(&r);
	np_http_client_free(c);
}

static void
test_pagination(void **state)
{
	struct np_http_client_cfg cfg = {0};
	struct np_http_client *c = h_client(&cfg);
	struct res r;
	h_get(c, "/page?n=1", &r);
	assert_int_equal(r.ok, 0);
	assert_string_equal(r.body, "page1");
	char *want = h_url("/page?n=2&token=a%2Fb%3D");
	assert_string_equal(r.next, want);
	/* The caller follows next_url as given. */
	struct res r2 = {0};
	struct np_http_req rq = {.url = r.next};
	assert_non_null(np_http_request(c, &rq, h_on_done, &r2, NULL));
	h_run_until(&r2.done, 1);
	assert_int_equal(r2.ok, 0);
	assert_string_equal(r2.body, "page2");
	assert_null(r2.next); /* only rel=prev */
	assert_string_equal(r2.url, want);
	/* The peer got the opaque token exactly as sent. */
	assert_int_equal(h_count("/page?n=2&token=a%2Fb%3D"), 1);
	free(want);
	h_res_free(&r);
	h_res_free(&r2);
	np_http_client_free(c);
}

static void
test_429_then_ok(void **state)
{
	struct np_http_stats s0, s1;
	np_http_stats(E.h, &s0);
	struct np_http_client_cfg cfg = {0};
	struct np_http_client *c = h_client(&cfg);
	struct res r;
	h_get(c, "/r429?k=a", &r);
	assert_int_equal(r.ok, 0);
	assert_string_equal(r.body, "ok");
	assert_int_equal(r.attempts, 2);
	np_http_stats(E.h, &s1);
	assert_int_equal(s1.status_429 - s0.status_429, 1);
	assert_int_equal(s1.retries - s0.retries, 1);
	assert_int_equal(s1.requests - s0.requests, 2);
	assert_int_equal(h_count("/r429?k=a"), 2);
	h_res_free(&r);
	/* The same with max_wait_ms below Retry-After: the wait is capped, the answer the same. */
	cfg.max_wait_ms = 1;
	struct np_http_client *c2 = h_client(&cfg);
	h_get(c2, "/r429?k=b", &r);
	assert_int_equal(r.ok, 0);
	assert_int_equal(r.attempts, 2);
	h_res_free(&r);
	/* No retries allowed: the 429 is the answer, with what the server asked. */
	cfg.max_retries = -1;
	struct np_http_client *c3 = h_client(&cfg);
	h_get(c3, "/r429?k=c", &r);
	assert_int_equal(r.ok, -1);
	assert_int_equal(r.status, 429);
	assert_int_equal(r.attempts, 1);
	assert_int_equal(r.retry_after_ms, 1000);
	char *want = h_url("/r429?k=c: HTTP 429 ({\"errors\":[\"rate\"]})");
	assert_string_equal(r.cause + 4, want);
	assert_memory_equal(r.cause, "GET ", 4);
	free(want);
	h_res_free(&r);
	np_http_client_free(c);
	np_http_client_free(c2);
	np_http_client_free(c3);
}

static void
test_503_then_ok(void **state)
{
	struct np_http_client_cfg cfg = {0};
	struct np_http_client *c = h_client(&cfg);
	struct res r;
	h_get(c, "/r503?k=a", &r);
	assert_int_equal(r.ok, 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.attempts, 2);
	assert_int_equal(r.retry_after_ms, 0);
	assert_int_equal(h_count("/r503?k=a"), 2);
	h_res_free(&r);
	np_http_client_free(c);
}

static void
test_500_gives_up(void **state)
{
	struct np_http_client_cfg cfg = {.max_retries = 2};
	struct np_http_client *c = h_client(&cfg);
	struct res r;
	h_get(c, "/e500", &r);
	assert_int_equal(r.ok, -1);
	assert_int_equal(r.status, 500);
	assert_int_equal(r.attempts, 3);
	assert_string_equal(r.body, "boom");
	char *url = h_url("/e500");
	char *want = np_xasprintf("GET %s: HTTP 500 (boom) (3 attempts)", url);
	assert_string_equal(r.cause, want);
	assert_int_equal(h_count("/e500"), 3);
	free(url);
	free(want);
	h_res_free(&r);
	np_http_client_free(c);
}

static void
test_404_at_once(void **state)
{
	struct np_http_client_cfg cfg = {0};
	struct np_http_client *c = h_client(&cfg);
	struct res r;
	h_get(c, "/nf", &r);
	assert_int_equal(r.ok, -1);
	assert_int_equal(r.status, 404);
	assert_int_equal(r.attempts, 1);
	assert_string_equal(r.body, "not found");
	char *url = h_url("/nf");
	char *want = np_xasprintf("GET %s: HTTP 404 (not found)", url);
	assert_string_equal(r.cause, want);
	assert_int_equal(h_count("/nf"), 1);
	free(url);
	free(want);
	h_res_free(&r);
	np_http_client_free(c);
}

/* The auth values the peer logged for requests to prefix, in order: "key|auth;..." */
static char *
auth_seen(const char *prefix)
{
	char *log = h_peer_log();
	char want[512];
	snprintf(want, sizeof(want), "\"path\": \"%s", prefix);
	char *out = np_xstrdup("");
	for (char *line = strtok(log, "\n"); line != NULL; line = strtok(NULL, "\n")) {
		if (strstr(line, want) == NULL)
			continue;
		bool key = strstr(line, "\"key\": \"s3cret-key\"") != NULL;
		bool tok = strstr(line, "\"auth\": \"Bearer s3cret-token\"") != NULL;
		bool nokey = strstr(line, "\"key\": null") != NULL;
		bool notok = strstr(line, "\"auth\": null") != NULL;
		char *n = np_xasprintf("%s%s|%s;", out,
		                       key     ? "key"
		                       : nokey ? "-"
		                               : "?",
		                       tok     ? "auth"
		                       : notok ? "-"
		                               : "?");
		free(out);
		out = n;
	}
	free(log);
	return out;
}

static void
test_redirect_auth(void **state)
{
	struct np_http_stats s0, s1;
	np_http_stats(E.h, &s0);
	struct np_http_client_cfg cfg = {.auth_headers = auth, .nauth = 2};
	struct np_http_client *c = h_client(&cfg);
	struct res r;
	/* Same scheme, host and port: both hops carry both auth headers. */
	char *path = np_xasprintf("/redir?to=https://127.0.0.1:%d/ok%%3Fsame", E.port);
	h_get(c, path, &r);
	free(path);
	assert_int_equal(r.ok, 0);
	assert_string_equal(r.body, "hello");
	assert_int_equal(r.attempts, 1);
	char *url = h_url("/ok?same");
	assert_string_equal(r.url, url);
	free(url);
	h_res_free(&r);
	char *seen = auth_seen("/ok?same");
	assert_string_equal(seen, "key|auth;");
	free(seen);
	/* Another host name for the same server: the second hop carries none. */
	path = np_xasprintf("/redir?to=https://localhost:%d/ok%%3Fother", E.port);
	h_get(c, path, &r);
	free(path);
	assert_int_equal(r.ok, 0);
	assert_string_equal(r.body, "hello");
	url = np_xasprintf("https://localhost:%d/ok?other", E.port);
	assert_string_equal(r.url, url);
	free(url);
	h_res_free(&r);
	seen = auth_seen("/ok?other");
	assert_string_equal(seen, "-|-;");
	free(seen);
	seen = auth_seen("/redir?to=https://");
	assert_string_equal(seen, "key|auth;key|auth;");
	free(seen);
	np_http_stats(E.h, &s1);
	assert_int_equal(s1.redirects - s0.redirects, 2);
	assert_int_equal(s1.requests - s0.requests, 4);
	/* Debug lines: one per hop, auth values never, their names as [redacted]. */
	bool found = false;
	char *start = np_xasprintf("t: GET https://127.0.0.1:%d/ok?same -> 200, 5 bytes, ", E.port);
	for (size_t i = 0; i < E.nlines; i++) {
		assert_null(strstr(E.lines[i], "s3cret"));
		if (strncmp(E.lines[i], start, strlen(start)) == 0) {
			found = true;
			assert_non_null(strstr(E.lines[i],
			                       " ms; sent X-Cisco-Meraki-API-Key: [redacted], "
			                       "Authorization: [redacted]"));
		}
	}
	assert_true(found);
	free(start);
	np_http_client_free(c);
}

static void
test_redirect_methods(void **state)
{
	struct np_http_client_cfg cfg = {0};
	struct np_http_client *c = h_client(&cfg);
	/* 303 turns a POST into a GET without a body. */
	char *url = h_url("/see-other");
	struct np_http_req rq = {.url = url, .method = "POST", .body = "{\"a\":1}", .body_len = 7};
	struct res r = {0};
	assert_non_null(np_http_request(c, &rq, h_on_done, &r, NULL));
	h_run_until(&r.done, 1);
	assert_int_equal(r.ok, 0);
	assert_string_equal(r.body, "GET ");
	free(url);
	h_res_free(&r);
	/* 307 keeps the method and the body. */
	url = h_url("/redir?to=/echo&code=307");
	rq.url = url;
	assert_non_null(np_http_request(c, &rq, h_on_done, &r, NULL));
	h_run_until(&r.done, 1);
	assert_int_equal(r.ok, 0);
	assert_string_equal(r.body, "POST {\"a\":1}");
	free(url);
	h_res_free(&r);
	/* A loop ends after 5 hops. */
	h_get(c, "/loop", &r);
	assert_int_equal(r.ok, -1);
	url = h_url("/loop");
	char *want = np_xasprintf("GET %s: more than 5 redirects", url);
	assert_string_equal(r.cause, want);
	assert_int_equal(h_count("/loop"), 6);
	free(url);
	free(want);
	h_res_free(&r);
	np_http_client_free(c);
}

static void
test_size_cap_and_gzip(void **state)
{
	struct np_http_client_cfg cfg = {.max_body = 1000};
	struct np_http_client *c = h_client(&cfg);
	struct res r;
	/* The cap counts decompressed bytes: 5000 "x" are ~40 bytes on the wire. */
	h_get(c, "/big?n=5000", &r);
	assert_int_equal(r.ok, -1);
	assert_int_equal(r.attempts, 1);
	char *url = h_url("/big?n=5000");
	char *want = np_xasprintf("GET %s: response larger than 1000 bytes", url);
	assert_string_equal(r.cause, want);
	free(url);
	free(want);
	h_res_free(&r);
	h_get(c, "/big?n=1000", &r);
	assert_int_equal(r.ok, 0);
	assert_int_equal(r.len, 1000);
	h_res_free(&r);
	np_http_client_free(c);
	cfg.max_body = 0;
	c = h_client(&cfg);
	h_get(c, "/gzip", &r);
	assert_int_equal(r.ok, 0);
	assert_int_equal(r.len, 17 * 200);
	for (size_t i = 0; i < r.len; i += 17)
		assert_memory_equal(r.body + i, "compressed hello ", 17);
	char *log = h_peer_log();
	char *line = strstr(log, "\"path\": \"/gzip\"");
	assert_non_null(line);
	/* "ae" is logged before "path" on the same line (sorted keys). */
	char *bol = line;
	while (bol > log && bol[-1] != '\n')
		bol--;
	char *ae = strstr(bol, "\"ae\": \"");
	assert_true(ae != NULL && ae < line);
	assert_non_null(strstr(ae, "gzip"));
	free(log);
	h_res_free(&r);
	np_http_client_free(c);
}

static void
test_tls(void **state)
{
	struct res r;
	/* A CA that did not sign the server's certificate. */
	struct np_http_client_cfg cfg = {.ca_file = E.other_ca};
	struct np_http_client *c = h_client(&cfg);
	h_get(c, "/ok", &r);
	assert_int_equal(r.ok, -1);
	assert_int_equal(r.attempts, 1); /* not worth a retry */
	char *url = h_url("/ok");
	char *want = np_xasprintf("GET %s: SSL certificate problem: ", url);
	assert_memory_equal(r.cause, want, strlen(want));
	free(want);
	h_res_free(&r);
	np_http_client_free(c);
	/* The system store does not know the throwaway CA either. */
	struct np_http_client_cfg sys = {.name = "t"};
	c = np_http_client_new(E.h, &sys, NULL);
	h_get(c, "/ok", &r);
	assert_int_equal(r.ok, -1);
	assert_non_null(strstr(r.cause, "certificate"));
	h_res_free(&r);
	np_http_client_free(c);
	/* insecure: what the user asked for. */
	cfg.insecure = true;
	c = h_client(&cfg);
	h_get(c, "/ok", &r);
	assert_int_equal(r.ok, 0);
	assert_string_equal(r.body, "hello");
	h_res_free(&r);
	np_http_client_free(c);
	free(url);
}

static void
test_connect_refused(void **state)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	/* Bound, not listening: connections are refused while we hold the port. */
	char *url = np_xasprintf("https://127.0.0.1:%d/x", ntohs(sa.sin_port));
	struct np_http_client_cfg cfg = {.max_retries = 1};
	struct np_http_client *c = h_client(&cfg);
	struct np_http_req rq = {.url = url};
	struct res r = {0};
	assert_non_null(np_http_request(c, &rq, h_on_done, &r, NULL));
	assert_int_equal(r.done, 0);
	h_run_until(&r.done, 1);
	close(fd);
	assert_int_equal(r.ok, -1);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.attempts, 2);
	char *want =
	    np_xasprintf("GET %s: Failed to connect to 127.0.0.1 port %d", url, ntohs(sa.sin_port));
	assert_memory_equal(r.cause, want, strlen(want));
	assert_non_null(strstr(r.cause, "(2 attempts)"));
	free(want);
	free(url);
	h_res_free(&r);
	np_http_client_free(c);
}

static void
test_bad_requests(void **state)
{
	struct np_http_client_cfg cfg = {0};
	struct np_http_client *c = h_client(&cfg);
	struct res r = {0};
	char *cause = NULL;
	struct np_http_req rq = {0};
	assert_null(np_http_request(c, &rq, h_on_done, &r, &cause));
	assert_string_equal(cause, "t: request without a URL");
	free(cause);
	cause = NULL;
	rq.url = "ftp://127.0.0.1/x";
	assert_null(np_http_request(c, &rq, h_on_done, &r, &cause));
	assert_string_equal(cause, "t: bad URL: not http or https");
	free(cause);
	cause = NULL;
	const char *bad[] = {"no colon"};
	struct np_http_client_cfg bcfg = {.auth_headers = bad, .nauth = 1};
	assert_null(np_http_client_new(E.h, &bcfg, &cause));
	assert_string_equal(cause, "auth header 1 is not \"Name: value\"");
	free(cause);
	np_http_client_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ok),
	    cmocka_unit_test(test_pagination),
	    cmocka_unit_test(test_429_then_ok),
	    cmocka_unit_test(test_503_then_ok),
	    cmocka_unit_test(test_500_gives_up),
	    cmocka_unit_test(test_404_at_once),
	    cmocka_unit_test(test_redirect_auth),
	    cmocka_unit_test(test_redirect_methods),
	    cmocka_unit_test(test_size_cap_and_gzip),
	    cmocka_unit_test(test_tls),
	    cmocka_unit_test(test_connect_refused),
	    cmocka_unit_test(test_bad_requests),
	};
	return cmocka_run_group_tests(tests, h_setup, h_teardown);
}
