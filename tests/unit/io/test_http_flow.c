/*
 * np_http's flow control against the real HTTPS peer (tests/unit/io/http_peer.py): the
 * request deadline while other clients go on, bounded concurrency, token buckets (the
 * client's and a shared limiter), cancel without callbacks, a client freed from a callback,
 * and foreign easy handles on the same multi. Order is asserted, never time.
 */
#include "http_testenv.h"

#include <curl/curl.h>

#include "io/http_limit.h"

static void chain(void *arg, const struct np_http_resp *r, int ok, const char *cause);

struct chain {
	struct np_http_client *c;
	struct res r[3];
	int n;
};

/* B's requests: each starts from the previous one's callback. */
static void
chain(void *arg, const struct np_http_resp *r, int ok, const char *cause)
{
	struct chain *ch = arg;
	h_on_done(&ch->r[ch->n], r, ok, cause);
	if (++ch->n < 3) {
		char *url = h_url("/ok?chain");
		struct np_http_req rq = {.url = url};
		assert_non_null(np_http_request(ch->c, &rq, chain, ch, NULL));
		free(url);
	}
}

static void
test_deadline_others_go_on(void **state)
{
	h_order = 0;
	struct np_http_client_cfg acfg = {.name = "a", .timeout_ms = 3000};
	struct np_http_client *a = h_client(&acfg);
	struct np_http_client_cfg bcfg = {.name = "b"};
	struct chain ch = {.c = h_client(&bcfg)};
	char *url = h_url("/hang");
	struct np_http_req rq = {.url = url};
	struct res ra = {0};
	assert_non_null(np_http_request(a, &rq, h_on_done, &ra, NULL));
	/* B starts once the hung request is at the peer. */
	h_wait_peer("/hang", 1);
	char *ok = h_url("/ok?chain");
	rq.url = ok;
	assert_non_null(np_http_request(ch.c, &rq, chain, &ch, NULL));
	free(ok);
	h_run_until(&ra.done, 1);
	assert_int_equal(ch.n, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(ch.r[i].ok, 0);
		assert_int_equal(ch.r[i].order, i + 1);
		h_res_free(&ch.r[i]);
	}
	assert_int_equal(ra.order, 4);
	assert_int_equal(ra.ok, -1);
	assert_int_equal(ra.attempts, 1);
	char *want = np_xasprintf("GET %s: timed out after 3000 ms", url);
	assert_string_equal(ra.cause, want);
	free(want);
	free(url);
	h_res_free(&ra);
	np_http_client_free(a);
	np_http_client_free(ch.c);
}

/* Whether, in the peer's log, the start of "/slow?ms=300&id=<third>" comes after an end. */
static void
test_concurrency(void **state)
{
	struct np_http_client_cfg cfg = {.max_concurrent = 2};
	struct np_http_client *c = h_client(&cfg);
	struct res r[3] = {{0}};
	for (int i = 0; i < 3; i++) {
		char *path = np_xasprintf("/slow?ms=300&id=%d", i);
		char *url = h_url(path);
		struct np_http_req rq = {.url = url};
		assert_non_null(np_http_request(c, &rq, h_on_done, &r[i], NULL));
		free(url);
		free(path);
	}
	h_run_until(&r[2].done, 1);
	for (int i = 0; i < 3; i++)
		assert_int_equal(r[i].ok, 0);
	/* FIFO: the third started last. */
	assert_true(r[2].order > r[0].order && r[2].order > r[1].order);
	/* The peer saw: two starts, an end, then the third start (its slot came free). */
	char *log = h_peer_log();
	char seq[16] = "";
	for (char *line = strtok(log, "\n"); line != NULL; line = strtok(NULL, "\n")) {
		if (strstr(line, "/slow?ms=300") == NULL)
			continue;
		bool start = strstr(line, "\"ev\": \"start\"") != NULL;
		bool third = strstr(line, "id=2") != NULL;
		strncat(seq, start ? (third ? "S" : "s") : "e", sizeof(seq) - strlen(seq) - 1);
	}
	free(log);
	/* Before the third start: both other starts and at least one end (when the first two end
	 * close together, the second end may be logged before the third start or after it). */
	char *third = strchr(seq, 'S');
	assert_non_null(third);
	size_t starts = 0, ends = 0;
	for (const char *e = seq; e < third; e++) {
		if (*e == 's')
			starts++;
		else
			ends++;
	}
	assert_int_equal(starts, 2);
	assert_true(ends >= 1);
	for (int i = 0; i < 3; i++)
		h_res_free(&r[i]);
	np_http_client_free(c);
}

static void
test_limiters(void **state)
{
	/* A limiter shared by two clients: 3 tokens, the next one in ~15 minutes. */
	struct np_http_limiter *l1 = np_http_limiter_get(E.h, "org:1", 0.001, 3);
	struct np_http_limiter *l2 = np_http_limiter_get(E.h, "org:1", 0.001, 3);
	assert_ptr_equal(l1, l2);
	struct np_http_client_cfg cfg = {0};
	struct np_http_client *a = h_client(&cfg);
	struct np_http_client *b = h_client(&cfg);
	struct res r[5] = {{0}};
	int done = 0;
	char *url = h_url("/ok?lim");
	struct np_http_req rq = {.url = url, .limiter = l1};
	for (int i = 0; i < 5; i++) {
		rq.limiter = i % 2 ? l2 : l1;
		assert_non_null(np_http_request(i % 2 ? b : a, &rq, h_on_done, &r[i], NULL));
	}
	free(url);
	/* The caller's references can go: requests hold their own. */
	np_http_limiter_put(l1);
	np_http_limiter_put(l2);
	while (done < 3) {
		event_base_loop(E.base, EVLOOP_ONCE);
		done = 0;
		for (int i = 0; i < 5; i++)
			done += r[i].done;
	}
	event_base_loop(E.base, EVLOOP_NONBLOCK);
	assert_int_equal(h_count("/ok?lim"), 3);
	/* Which client got the tokens is theirs to race for; that only 3 went is not. */
	done = 0;
	for (int i = 0; i < 5; i++)
		done += r[i].done;
	assert_int_equal(done, 3);
	/* The client's own bucket: 2 tokens, then a long wait. */
	struct np_http_client_cfg ccfg = {.rate = 0.001, .burst = 2};
	struct np_http_client *c = h_client(&ccfg);
	struct res q[3] = {{0}};
	url = h_url("/ok?own");
	rq = (struct np_http_req){.url = url};
	for (int i = 0; i < 3; i++)
		assert_non_null(np_http_request(c, &rq, h_on_done, &q[i], NULL));
	free(url);
	h_run_until(&q[0].done, 1);
	h_run_until(&q[1].done, 1);
	event_base_loop(E.base, EVLOOP_NONBLOCK);
	assert_int_equal(q[2].done, 0);
	assert_int_equal(h_count("/ok?own"), 2);
	/* Freeing clients with requests waiting for tokens: no callback, nothing left over. */
	np_http_client_free(a);
	np_http_client_free(b);
	np_http_client_free(c);
	event_base_loop(E.base, EVLOOP_NONBLOCK);
	done = 0;
	for (int i = 0; i < 5; i++)
		done += r[i].done;
	assert_int_equal(done, 3);
	assert_int_equal(q[2].done, 0);
	for (int i = 0; i < 5; i++)
		h_res_free(&r[i]);
	for (int i = 0; i < 3; i++)
		h_res_free(&q[i]);
	/* The last reference went with the requests: the key starts afresh. */
	struct np_http_limiter *l3 = np_http_limiter_get(E.h, "org:1", 1, 1);
	assert_int_equal(l3->refs, 1);
	np_http_limiter_put(l3);
}

static void
test_cancel(void **state)
{
	int before = h_count("/hang");
	struct np_http_client_cfg cfg = {.max_concurrent = 3};
	struct np_http_client *c = h_client(&cfg);
	struct res r[5] = {{0}};
	struct np_http_call *calls[5];
	char *url = h_url("/hang");
	struct np_http_req rq = {.url = url};
	for (int i = 0; i < 5; i++)
		assert_non_null(calls[i] = np_http_request(c, &rq, h_on_done, &r[i], NULL));
	/* One cancelled before it ever ran. */
	np_http_cancel(calls[4]);
	h_wait_peer("/hang", before + 3);
	/* One in flight, then the rest (two in flight, one queued). */
	np_http_cancel(calls[0]);
	np_http_client_cancel_all(c);
	for (int i = 0; i < 5; i++)
		event_base_loop(E.base, EVLOOP_NONBLOCK);
	for (int i = 0; i < 5; i++)
		assert_int_equal(r[i].done, 0);
	/* The client goes on working after cancel_all. */
	struct res ok;
	h_get(c, "/ok?after-cancel", &ok);
	assert_int_equal(ok.ok, 0);
	h_res_free(&ok);
	/* Freed with a request in flight: no callback. */
	assert_non_null(np_http_request(c, &rq, h_on_done, &r[0], NULL));
	h_wait_peer("/hang", before + 4);
	np_http_client_free(c);
	event_base_loop(E.base, EVLOOP_NONBLOCK);
	assert_int_equal(r[0].done, 0);
	free(url);
}

struct selffree {
	struct np_http_client *c;
	int done;
};

static void
free_client(void *arg, const struct np_http_resp *r, int ok, const char *cause)
{
	struct selffree *s = arg;
	assert_int_equal(ok, 0);
	assert_string_equal(r->body, "hello"); /* still valid in the callback */
	s->done++;
	np_http_client_free(s->c);
}

static void
test_free_from_callback(void **state)
{
	int before = h_count("/hang");
	struct np_http_client_cfg cfg = {0};
	struct selffree s = {.c = h_client(&cfg)};
	char *hang = h_url("/hang"), *ok = h_url("/ok?selffree");
	struct np_http_req rq = {.url = hang};
	struct res other = {0};
	assert_non_null(np_http_request(s.c, &rq, h_on_done, &other, NULL));
	h_wait_peer("/hang", before + 1);
	rq.url = ok;
	assert_non_null(np_http_request(s.c, &rq, free_client, &s, NULL));
	h_run_until(&s.done, 1);
	event_base_loop(E.base, EVLOOP_NONBLOCK);
	assert_int_equal(other.done, 0);
	free(hang);
	free(ok);
}

struct easy_res {
	int done, code;
	char buf[64];
	size_t len;
};

static size_t
easy_write(char *d, size_t sz, size_t n, void *arg)
{
	struct easy_res *e = arg;
	size_t len = sz * n;
	if (e->len + len >= sizeof(e->buf))
		return 0;
	memcpy(e->buf + e->len, d, len);
	e->len += len;
	return len;
}

static void
easy_done(void *arg, void *easy, int code)
{
	struct easy_res *e = arg;
	e->done++;
	e->code = code;
}

static CURL *
easy_for(const char *path, struct easy_res *e)
{
	CURL *easy = curl_easy_init();
	char *url = h_url(path);
	curl_easy_setopt(easy, CURLOPT_URL, url);
	curl_easy_setopt(easy, CURLOPT_CAINFO, E.ca);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, easy_write);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, e);
	free(url);
	return easy;
}

static void
test_foreign_easy(void **state)
{
	struct easy_res e = {0};
	CURL *easy = easy_for("/ok?easy", &e);
	assert_int_equal(np_http_add_easy(E.h, easy, easy_done, &e, NULL), 0);
	assert_int_equal(e.done, 0);
	h_run_until(&e.done, 1);
	assert_int_equal(e.code, CURLE_OK);
	assert_int_equal(e.len, 5);
	assert_memory_equal(e.buf, "hello", 5);
	curl_easy_cleanup(easy);
	/* Removed while in flight: no callback. */
	int before = h_count("/hang");
	struct easy_res h = {0};
	easy = easy_for("/hang", &h);
	assert_int_equal(np_http_add_easy(E.h, easy, easy_done, &h, NULL), 0);
	h_wait_peer("/hang", before + 1);
	np_http_remove_easy(E.h, easy);
	event_base_loop(E.base, EVLOOP_NONBLOCK);
	assert_int_equal(h.done, 0);
	curl_easy_cleanup(easy);
	char *cause = NULL;
	assert_int_equal(np_http_add_easy(E.h, NULL, easy_done, &h, &cause), -1);
	assert_non_null(cause);
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_deadline_others_go_on),
	    cmocka_unit_test(test_concurrency),
	    cmocka_unit_test(test_limiters),
	    cmocka_unit_test(test_cancel),
	    cmocka_unit_test(test_free_from_callback),
	    cmocka_unit_test(test_foreign_easy),
	};
	return cmocka_run_group_tests(tests, h_setup, h_teardown);
}
