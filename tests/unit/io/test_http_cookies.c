/*
 * np_http's per-client cookie jar, against the HTTPS peer (tests/unit/io/http_peer.py): a
 * cookie set by one answer goes back on the client's later requests and to no other client,
 * clearing the jar forgets it; a 3xx answer with no_redirect is the answer (status and
 * Location), not followed; the answer's Content-Type reaches the callback.
 */
#include "http_testenv.h"

/* A POST of body to path on c, run to its end. */
static void
h_post(struct np_http_client *c, const char *path, const char *body, struct res *out)
{
	char *url = h_url(path);
	struct np_http_req rq = {
	    .url = url, .method = "POST", .body = body, .body_len = strlen(body)};
	memset(out, 0, sizeof(*out));
	assert_non_null(np_http_request(c, &rq, h_on_done, out, NULL));
	free(url);
	h_run_until(&out->done, 1);
}

static void
test_cookie_jar(void **state)
{
	struct np_http_client_cfg cfg = {.cookies = true};
	struct np_http_client *a = h_client(&cfg);
	struct np_http_client *b = h_client(&cfg);
	struct np_http_client_cfg plain = {0};
	struct np_http_client *p = h_client(&plain);
	struct res r;

	h_get(a, "/whoami", &r);
	assert_int_equal(r.ok, 0);
	assert_string_equal(r.body, "none");
	h_res_free(&r);

	h_post(a, "/login", "{\"username\": \"u\", \"password\": \"p\"}", &r);
	assert_int_equal(r.ok, 0);
	assert_string_equal(r.body, "{\"status\": \"ok\"}");
	h_res_free(&r);

	/* The session cookie goes back, on every later request of a. */
	for (int i = 0; i < 2; i++) {
		h_get(a, "/whoami", &r);
		assert_int_equal(r.ok, 0);
		assert_string_equal(r.body, "sess=s1");
		h_res_free(&r);
	}
	/* b has a jar of its own; p has none: neither sends a's cookie. */
	h_get(b, "/whoami", &r);
	assert_string_equal(r.body, "none");
	h_res_free(&r);
	h_get(p, "/whoami", &r);
	assert_string_equal(r.body, "none");
	h_res_free(&r);

	/* A second login replaces the cookie; clearing the jar forgets it. */
	h_post(a, "/login", "{}", &r);
	h_res_free(&r);
	h_get(a, "/whoami", &r);
	assert_string_equal(r.body, "sess=s2");
	h_res_free(&r);
	np_http_client_clear_cookies(a);
	h_get(a, "/whoami", &r);
	assert_string_equal(r.body, "none");
	h_res_free(&r);
	h_post(a, "/login", "{}", &r);
	h_res_free(&r);
	h_get(a, "/whoami", &r);
	assert_string_equal(r.body, "sess=s3");
	h_res_free(&r);
	/* Clearing a client without a jar does nothing. */
	np_http_client_clear_cookies(p);

	np_http_client_free(a);
	np_http_client_free(b);
	np_http_client_free(p);
}

/* What a callback saw of Content-Type and Location (valid during the callback only). */
struct seen {
	struct res r;
	char *ctype, *location;
};

static void
on_seen(void *arg, const struct np_http_resp *r, int ok, const char *cause)
{
	struct seen *s = arg;
	s->ctype = r->content_type != NULL ? np_xstrdup(r->content_type) : NULL;
	s->location = r->location != NULL ? np_xstrdup(r->location) : NULL;
	h_on_done(&s->r, r, ok, cause);
}

static void
seen_run(struct np_http_client *c, const char *path, bool no_redirect, struct seen *s)
{
	char *url = h_url(path);
	struct np_http_req rq = {.url = url, .no_redirect = no_redirect};
	memset(s, 0, sizeof(*s));
	assert_non_null(np_http_request(c, &rq, on_seen, s, NULL));
	free(url);
	h_run_until(&s->r.done, 1);
}

static void
seen_free(struct seen *s)
{
	h_res_free(&s->r);
	free(s->ctype);
	free(s->location);
}

static void
test_no_redirect_and_content_type(void **state)
{
	struct np_http_client_cfg cfg = {.cookies = true};
	struct np_http_client *c = h_client(&cfg);
	struct seen s;
	int logins = h_count("/login");

	seen_run(c, "/redir?to=/login", true, &s);
	assert_int_equal(s.r.ok, -1);
	assert_int_equal(s.r.status, 302);
	assert_int_equal(s.r.attempts, 1);
	assert_string_equal(s.location, "/login");
	char *want = h_url("/redir?to=/login: HTTP 302 to /login");
	assert_memory_equal(s.r.cause, "GET ", 4);
	assert_string_equal(s.r.cause + 4, want);
	free(want);
	seen_free(&s);
	assert_int_equal(h_count("/login"), logins); /* not followed */

	/* Without no_redirect the same answer is followed (to /login, which sets a cookie). */
	seen_run(c, "/redir?to=/login", false, &s);
	assert_int_equal(s.r.ok, 0);
	assert_string_equal(s.r.body, "{\"status\": \"ok\"}");
	assert_string_equal(s.ctype, "application/json");
	assert_null(s.location);
	seen_free(&s);

	seen_run(c, "/html", true, &s);
	assert_int_equal(s.r.ok, 0);
	assert_string_equal(s.ctype, "text/html; charset=utf-8");
	seen_free(&s);

	/* No Content-Type header: NULL. */
	seen_run(c, "/ok", true, &s);
	assert_int_equal(s.r.ok, 0);
	assert_null(s.ctype);
	seen_free(&s);
	np_http_client_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cookie_jar),
	    cmocka_unit_test(test_no_redirect_and_content_type),
	};
	return cmocka_run_group_tests(tests, h_setup, h_teardown);
}
