/*
 * The webhook sink against a real HTTP peer on 127.0.0.1 (a thread of this test answering
 * from a script), on a real event_base: the POST's method, path, headers and JSON body; 2xx
 * -> delivered(tag); 500 -> failed with the status and the body's start; not ready while a
 * request is in flight; no Authorization without a token; refused connections; a peer that
 * never answers (timeout); a sink freed with a request in flight calls nothing.
 */
#include <event2/event.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "testutil.h"

#include "alert/alert.h"
#include "alert/sink.h"

#define T0 1796112000LL /* 2026-12-01T08:00:00Z */
#define MAXREQ 8

/* One scripted answer per connection: status (0 = read the request, answer nothing). */
struct peer {
	int lfd;
	char port[16];
	int script[MAXREQ];
	const char *bodies[MAXREQ];
	int nscript;
	pthread_t th;
	/* What arrived (the thread writes, the test reads after the loop saw the answer). */
	pthread_mutex_t mu;
	int nreq;
	char *req_head[MAXREQ];
	char *req_body[MAXREQ];
	int hold_fd; /* the connection of an unanswered request, closed at the end */
};

static ssize_t
read_request(int fd, char **head, char **body)
{
	char buf[65536];
	size_t len = 0;
	char *end = NULL;
	while (end == NULL && len < sizeof(buf) - 1) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			return -1;
		len += (size_t)n;
		buf[len] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	if (end == NULL)
		return -1;
	size_t hlen = (size_t)(end - buf) + 4;
	size_t clen = 0;
	const char *cl = strcasestr(buf, "\r\nContent-Length:");
	if (cl != NULL && cl < end)
		clen = (size_t)strtoul(cl + 17, NULL, 10);
	while (len < hlen + clen && len < sizeof(buf) - 1) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			return -1;
		len += (size_t)n;
	}
	*head = strndup(buf, hlen);
	*body = strndup(buf + hlen, clen);
	return (ssize_t)len;
}

static void *
peer_main(void *arg)
{
	struct peer *p = arg;
	for (int i = 0; i < p->nscript; i++) {
		int fd = accept(p->lfd, NULL, NULL);
		if (fd < 0)
			return NULL;
		char *head = NULL, *body = NULL;
		if (read_request(fd, &head, &body) < 0) {
			close(fd);
			continue;
		}
		pthread_mutex_lock(&p->mu);
		p->req_head[p->nreq] = head;
		p->req_body[p->nreq] = body;
		p->nreq++;
		pthread_mutex_unlock(&p->mu);
		if (p->script[i] == 0) {
			p->hold_fd = fd; /* never answered */
			continue;
		}
		const char *b = p->bodies[i] != NULL ? p->bodies[i] : "";
		char resp[4096];
		int n = snprintf(resp, sizeof(resp),
		                 "HTTP/1.1 %d X\r\nContent-Type: text/plain\r\nContent-Length: "
		                 "%zu\r\nConnection: close\r\n\r\n%s",
		                 p->script[i], strlen(b), b);
		if (write(fd, resp, (size_t)n) != n)
			perror("peer write");
		close(fd);
	}
	return NULL;
}

static void
peer_start(struct peer *p)
{
	p->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(p->lfd >= 0);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(p->lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(p->lfd, 8), 0);
	socklen_t len = sizeof(sin);
	assert_int_equal(getsockname(p->lfd, (struct sockaddr *)&sin, &len), 0);
	snprintf(p->port, sizeof(p->port), "%u", ntohs(sin.sin_port));
	p->hold_fd = -1;
	pthread_mutex_init(&p->mu, NULL);
	assert_int_equal(pthread_create(&p->th, NULL, peer_main, p), 0);
}

static void
peer_stop(struct peer *p)
{
	shutdown(p->lfd, SHUT_RDWR);
	pthread_join(p->th, NULL);
	close(p->lfd);
	if (p->hold_fd >= 0)
		close(p->hold_fd);
	for (int i = 0; i < p->nreq; i++) {
		free(p->req_head[i]);
		free(p->req_body[i]);
	}
	pthread_mutex_destroy(&p->mu);
}

struct owner {
	int delivered, failed, ready;
	int64_t tag;
	char *cause;
};

static void
on_delivered(void *arg, int64_t tag)
{
	struct owner *o = arg;
	o->delivered++;
	o->tag = tag;
}

static void
on_failed(void *arg, const char *cause)
{
	struct owner *o = arg;
	o->failed++;
	free(o->cause);
	o->cause = strdup(cause != NULL ? cause : "");
}

static void
on_ready(void *arg)
{
	struct owner *o = arg;
	o->ready++;
}

static void
on_guard(evutil_socket_t fd, short what, void *arg)
{
	*(bool *)arg = true;
}

/* Runs the loop until delivered or failed was reported (bounded: 20 s, not a test of time). */
static void
run_until_report(struct event_base *base, struct owner *o)
{
	int before = o->delivered + o->failed;
	bool expired = false;
	struct event *guard = evtimer_new(base, on_guard, &expired);
	struct timeval tv = {.tv_sec = 20};
	evtimer_add(guard, &tv);
	while (o->delivered + o->failed == before && !expired)
		event_base_loop(base, EVLOOP_ONCE);
	event_free(guard);
	assert_false(expired);
}

static struct np_alert
alert(int64_t id)
{
	struct np_alert a = {
	    .id = id,
	    .time_ms = T0 * 1000 + 250,
	    .msgid = "IFDOWN",
	    .severity = LOG_ERR,
	    .device = "sw1",
	    .interface = "eth0",
	    .state = "down",
	    .previous = "up",
	    .source = "local",
	    .since_s = T0,
	    .outage_seconds = -1,
	    .message = "interface eth0 on sw1 is DOWN (seen by local)",
	};
	return a;
}

static struct np_sink *
webhook(struct event_base *base, const char *port, char *token, int64_t timeout_ms, struct owner *o)
{
	char url[128];
	snprintf(url, sizeof(url), "http://127.0.0.1:%s/hooks/np?x=1", port);
	struct np_alert_cfg c = {
	    .type = NP_SINK_WEBHOOK,
	    .url = url,
	    .bearer_token = token,
	    .timeout_ms = timeout_ms,
	    .hostname = (char *)"testhost",
	};
	struct np_sink_cb cb = {on_delivered, on_failed, on_ready, o};
	char *why = NULL;
	struct np_sink *s = np_sink_new(base, &c, &cb, &why);
	if (s == NULL)
		fail_msg("np_sink_new: %s", why);
	char want[160];
	snprintf(want, sizeof(want), "webhook:%s", url);
	assert_string_equal(np_sink_key(s), want);
	return s;
}

static void
test_500_then_200(void **state)
{
	struct peer p = {.script = {500, 200}, .bodies = {"upstream exploded", "ok"}, .nscript = 2};
	peer_start(&p);
	struct event_base *base = event_base_new();
	struct owner o = {0};
	struct np_sink *s = webhook(base, p.port, "s3cret-token", 0, &o);
	assert_true(np_sink_ready(s));
	struct np_alert a = alert(42);
	char *why = NULL;
	assert_int_equal(np_sink_send(s, &a, 42, &why), 0);
	assert_false(np_sink_ready(s)); /* one request in flight */
	assert_int_equal(np_sink_send(s, &a, 43, &why), -1);
	free(why);
	why = NULL;
	run_until_report(base, &o);
	assert_int_equal(o.failed, 1);
	assert_int_equal(o.delivered, 0);
	assert_non_null(strstr(o.cause, "HTTP 500"));
	assert_non_null(strstr(o.cause, "upstream exploded"));
	assert_null(strstr(o.cause, "s3cret"));
	assert_true(np_sink_ready(s));

	assert_int_equal(np_sink_send(s, &a, 42, &why), 0);
	run_until_report(base, &o);
	assert_int_equal(o.delivered, 1);
	assert_int_equal(o.tag, 42);
	assert_int_equal(o.failed, 1);
	assert_true(np_sink_ready(s));

	np_sink_free(s);
	event_base_free(base);
	pthread_mutex_lock(&p.mu);
	assert_int_equal(p.nreq, 2);
	for (int i = 0; i < 2; i++) {
		const char *h = p.req_head[i];
		assert_true(strncmp(h, "POST /hooks/np?x=1 HTTP/1.1\r\n", 29) == 0);
		assert_non_null(strcasestr(h, "\r\nContent-Type: application/json\r\n"));
		assert_non_null(strcasestr(h, "\r\nAuthorization: Bearer s3cret-token\r\n"));
		json_t *j = json_loads(p.req_body[i], 0, NULL);
		assert_non_null(j);
		assert_int_equal(json_integer_value(json_object_get(j, "id")), 42);
		assert_string_equal(json_string_value(json_object_get(j, "msgid")), "IFDOWN");
		assert_string_equal(json_string_value(json_object_get(j, "host")), "testhost");
		json_decref(j);
	}
	pthread_mutex_unlock(&p.mu);
	peer_stop(&p);
	free(o.cause);
}

static void
test_no_token_no_auth_header(void **state)
{
	struct peer p = {.script = {204}, .nscript = 1};
	peer_start(&p);
	struct event_base *base = event_base_new();
	struct owner o = {0};
	struct np_sink *s = webhook(base, p.port, NULL, 0, &o);
	struct np_alert a = alert(7);
	assert_int_equal(np_sink_send(s, &a, 7, NULL), 0);
	run_until_report(base, &o);
	assert_int_equal(o.delivered, 1);
	assert_int_equal(o.tag, 7);
	np_sink_free(s);
	event_base_free(base);
	pthread_mutex_lock(&p.mu);
	assert_int_equal(p.nreq, 1);
	assert_null(strcasestr(p.req_head[0], "Authorization:"));
	pthread_mutex_unlock(&p.mu);
	peer_stop(&p);
}

static void
test_refused(void **state)
{
	struct peer p = {.nscript = 0};
	peer_start(&p);
	char port[16];
	snprintf(port, sizeof(port), "%s", p.port);
	peer_stop(&p); /* nobody listens there now */
	struct event_base *base = event_base_new();
	struct owner o = {0};
	struct np_sink *s = webhook(base, port, NULL, 0, &o);
	struct np_alert a = alert(1);
	assert_int_equal(np_sink_send(s, &a, 1, NULL), 0);
	run_until_report(base, &o);
	assert_int_equal(o.failed, 1);
	assert_int_equal(o.delivered, 0);
	assert_non_null(strstr(o.cause, "127.0.0.1"));
	np_sink_free(s);
	event_base_free(base);
	free(o.cause);
}

static void
test_timeout(void **state)
{
	struct peer p = {.script = {0}, .nscript = 1};
	peer_start(&p);
	struct event_base *base = event_base_new();
	struct owner o = {0};
	struct np_sink *s = webhook(base, p.port, NULL, 300, &o);
	struct np_alert a = alert(5);
	assert_int_equal(np_sink_send(s, &a, 5, NULL), 0);
	run_until_report(base, &o);
	assert_int_equal(o.failed, 1);
	assert_non_null(strstr(o.cause, "timed out"));
	np_sink_free(s);
	event_base_free(base);
	peer_stop(&p);
	free(o.cause);
}

static void
test_free_in_flight(void **state)
{
	struct peer p = {.script = {0}, .nscript = 1};
	peer_start(&p);
	struct event_base *base = event_base_new();
	struct owner o = {0};
	struct np_sink *s = webhook(base, p.port, NULL, 0, &o);
	struct np_alert a = alert(9);
	assert_int_equal(np_sink_send(s, &a, 9, NULL), 0);
	/* Until the peer has the request, then free. */
	for (int i = 0; i < 2000; i++) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		pthread_mutex_lock(&p.mu);
		int n = p.nreq;
		pthread_mutex_unlock(&p.mu);
		if (n > 0)
			break;
		usleep(5000);
	}
	np_sink_free(s);
	event_base_loop(base, EVLOOP_NONBLOCK);
	assert_int_equal(o.delivered + o.failed + o.ready, 0);
	event_base_free(base);
	peer_stop(&p);
}

static void
test_bad_url(void **state)
{
	struct event_base *base = event_base_new();
	char *bad[] = {"ftp://x/y", "https://", "http:///path", "https://?q", "x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct np_alert_cfg c = {.type = NP_SINK_WEBHOOK, .url = bad[i]};
		char *why = NULL;
		assert_null(np_sink_new(base, &c, NULL, &why));
		assert_non_null(strstr(why, "http"));
		free(why);
	}
	event_base_free(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_500_then_200),   cmocka_unit_test(test_no_token_no_auth_header),
	    cmocka_unit_test(test_refused),        cmocka_unit_test(test_timeout),
	    cmocka_unit_test(test_free_in_flight), cmocka_unit_test(test_bad_url),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
