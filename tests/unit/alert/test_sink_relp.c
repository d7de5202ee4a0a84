/*
 * The RELP sink (sink_relp.c) against a scripted RELP server on 127.0.0.1 (an ephemeral
 * port), driven by a real event_base: the open handshake, pipelining up to the window,
 * delivered in send order (also when acks come out of order), a refused alert, a refused or
 * unusable session, the server closing an idle session (no failure, the next send
 * reconnects) or a busy one (failed), timeouts for the open and for acks, malformed frames,
 * a refused connection, and freeing a sink with alerts outstanding.
 */
#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "testutil.h"

#include "alert/alert.h"
#include "alert/relp.h"
#include "alert/sink.h"
#include "util/xmalloc.h"

#define T0 1796112000LL /* 2026-12-01T08:00:00Z */
#define OFFERS "200 OK\nrelp_version=0\nrelp_software=librelp,1.11.0,x\ncommands=syslog"

/* What the sink told its owner, in order. */
struct events {
	int64_t delivered[512];
	int ndelivered;
	int nfailed;
	char *cause; /* of the last failure */
	int nready;
};

static void
cb_delivered(void *arg, int64_t tag)
{
	struct events *e = arg;
	assert_true(e->ndelivered < 512);
	e->delivered[e->ndelivered++] = tag;
}

static void
cb_failed(void *arg, const char *cause)
{
	struct events *e = arg;
	e->nfailed++;
	free(e->cause);
	e->cause = np_xstrdup(cause);
}

static void
cb_ready(void *arg)
{
	struct events *e = arg;
	e->nready++;
}

/* The scripted server: a listening socket, one connection at a time, frames parsed. */
struct server {
	int lfd, fd;
	char port[16];
	struct np_relp_parser *p;
	char buf[65536];
	size_t len, off;
};

static void
server_start(struct server *sv)
{
	memset(sv, 0, sizeof(*sv));
	sv->fd = -1;
	sv->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(sv->lfd >= 0);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(sv->lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(sv->lfd, 8), 0);
	socklen_t sl = sizeof(sin);
	assert_int_equal(getsockname(sv->lfd, (struct sockaddr *)&sin, &sl), 0);
	snprintf(sv->port, sizeof(sv->port), "%u", ntohs(sin.sin_port));
	sv->p = np_relp_parser_new(65536);
}

static void
server_drop(struct server *sv)
{
	if (sv->fd >= 0)
		close(sv->fd);
	sv->fd = -1;
	sv->len = sv->off = 0;
	np_relp_parser_reset(sv->p);
}

static void
server_stop(struct server *sv)
{
	server_drop(sv);
	close(sv->lfd);
	np_relp_parser_free(sv->p);
}

struct world {
	struct event_base *base;
	struct np_sink *sink;
	struct events ev;
	struct server sv;
	struct np_alert_cfg cfg;
};

/* One turn of the client's loop (not blocking). */
static void
turn(struct world *w)
{
	event_base_loop(w->base, EVLOOP_NONBLOCK);
}

/* Turns the loop until cond holds; fails after 10 s of waiting on sockets. */
#define RUN_UNTIL(w, cond)                                                                         \
	do {                                                                                       \
		int spins_ = 0;                                                                    \
		while (!(cond)) {                                                                  \
			turn(w);                                                                   \
			if (cond)                                                                  \
				break;                                                             \
			usleep(1000);                                                              \
			if (++spins_ > 10000)                                                      \
				fail_msg("timed out waiting for %s", #cond);                       \
		}                                                                                  \
	} while (0)

static void
server_accept(struct world *w)
{
	struct server *sv = &w->sv;
	server_drop(sv);
	for (int i = 0; i < 10000 && sv->fd < 0; i++) {
		turn(w);
		sv->fd = accept4(sv->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (sv->fd < 0)
			usleep(1000);
	}
	assert_true(sv->fd >= 0);
}

/* The next frame the client sent (turning the client's loop meanwhile). */
static void
server_frame(struct world *w, struct np_relp_frame *f)
{
	struct server *sv = &w->sv;
	for (int spins = 0; spins < 10000; spins++) {
		if (sv->off < sv->len) {
			size_t used;
			char *cause = NULL;
			enum np_relp_result r = np_relp_parse(sv->p, sv->buf + sv->off,
			                                      sv->len - sv->off, &used, f, &cause);
			if (r == NP_RELP_ERROR)
				fail_msg("client sent a malformed frame: %s", cause);
			sv->off += used;
			if (r == NP_RELP_FRAME)
				return;
		}
		sv->off = sv->len = 0;
		turn(w);
		ssize_t n = recv(sv->fd, sv->buf, sizeof(sv->buf), MSG_DONTWAIT);
		if (n > 0) {
			sv->len = (size_t)n;
			continue;
		}
		if (n == 0)
			fail_msg("client closed the connection");
		usleep(1000);
	}
	fail_msg("no frame from the client");
}

static void
server_send(struct world *w, const char *bytes, size_t n)
{
	assert_int_equal(send(w->sv.fd, bytes, n, MSG_NOSIGNAL), (ssize_t)n);
}

static void
server_rsp(struct world *w, uint32_t txnr, const char *data)
{
	char fr[512];
	long n = np_relp_frame(fr, sizeof(fr), txnr, "rsp", data, strlen(data));
	assert_true(n > 0);
	server_send(w, fr, (size_t)n);
}

/* Accepts the client's connection and answers its open with `answer`. */
static void
server_open(struct world *w, const char *answer)
{
	server_accept(w);
	struct np_relp_frame f;
	server_frame(w, &f);
	assert_string_equal(f.command, "open");
	assert_int_equal(f.txnr, 1);
	assert_non_null(strstr(f.data, "relp_version=0\n"));
	assert_non_null(strstr(f.data, "relp_software=netpulse"));
	assert_non_null(strstr(f.data, "\ncommands=syslog"));
	server_rsp(w, 1, answer);
}

/* The next syslog frame: its txnr, and the alert id in its SD must be want_id. */
static uint32_t
server_syslog(struct world *w, int64_t want_id)
{
	struct np_relp_frame f;
	server_frame(w, &f);
	assert_string_equal(f.command, "syslog");
	char id[64];
	snprintf(id, sizeof(id), " id=\"%lld\"", (long long)want_id);
	if (strstr(f.data, id) == NULL)
		fail_msg("frame %u has no%s: %s", f.txnr, id, f.data);
	assert_true(strncmp(f.data, "<27>1 ", 6) == 0);
	assert_null(memchr(f.data, '\n', f.datalen));
	return f.txnr;
}

static struct np_alert
alert(int64_t id)
{
	struct np_alert a = {
	    .id = id,
	    .time_ms = T0 * 1000 + 250,
	    .msgid = "IFDOWN",
	    .severity = LOG_ERR,
	    .device = "172.16.16.2",
	    .interface = "",
	    .state = "down",
	    .previous = "up",
	    .source = "fc-east",
	    .since_s = T0,
	    .outage_seconds = -1,
	    .message = "exporter 172.16.16.2 is DOWN",
	};
	return a;
}

static void
world_new(struct world *w, int window, int64_t timeout_ms)
{
	memset(w, 0, sizeof(*w));
	w->base = event_base_new();
	assert_non_null(w->base);
	server_start(&w->sv);
	w->cfg = (struct np_alert_cfg){
	    .type = NP_SINK_SYSLOG,
	    .proto = NP_SYSLOG_RELP,
	    .host = (char *)"127.0.0.1",
	    .port = w->sv.port,
	    .facility = LOG_DAEMON,
	    .format = (char *)"rfc5424",
	    .enterprise = 32473,
	    .hostname = (char *)"testhost",
	    .timeout_ms = timeout_ms,
	    .window = window,
	};
	struct np_sink_cb cb = {cb_delivered, cb_failed, cb_ready, &w->ev};
	char *cause = NULL;
	w->sink = np_sink_new(w->base, &w->cfg, &cb, &cause);
	if (w->sink == NULL)
		fail_msg("np_sink_new: %s", cause);
	char want[64];
	snprintf(want, sizeof(want), "relp://127.0.0.1:%s", w->sv.port);
	assert_string_equal(np_sink_key(w->sink), want);
}

static void
world_free(struct world *w)
{
	np_sink_free(w->sink);
	server_stop(&w->sv);
	event_base_free(w->base);
	free(w->ev.cause);
}

static void
send_ok(struct world *w, int64_t tag)
{
	assert_true(np_sink_ready(w->sink));
	struct np_alert a = alert(tag);
	char *cause = NULL;
	if (np_sink_send(w->sink, &a, tag, &cause) != 0)
		fail_msg("send %lld: %s", (long long)tag, cause);
}

static void
cause_has(struct world *w, const char *what)
{
	assert_non_null(w->ev.cause);
	if (strstr(w->ev.cause, what) == NULL || strstr(w->ev.cause, "relp://127.0.0.1:") == NULL)
		fail_msg("cause \"%s\" lacks \"%s\" or the peer", w->ev.cause, what);
}

/* Handshake, then a window of 4 filled, acked in and out of order: delivered in send order. */
static void
test_window(void **state)
{
	struct world w;
	world_new(&w, 4, 10000);
	send_ok(&w, 1);
	/* Not ready until the server answered the open. */
	assert_false(np_sink_ready(w.sink));
	char *cause = NULL;
	struct np_alert a = alert(99);
	assert_int_equal(np_sink_send(w.sink, &a, 99, &cause), -1);
	free(cause);
	server_open(&w, OFFERS);
	assert_int_equal(server_syslog(&w, 1), 2);
	RUN_UNTIL(&w, np_sink_ready(w.sink));
	assert_true(w.ev.nready >= 1);
	send_ok(&w, 2);
	send_ok(&w, 3);
	send_ok(&w, 4);
	assert_false(np_sink_ready(w.sink)); /* 4 unacknowledged = the window */
	assert_int_equal(server_syslog(&w, 2), 3);
	assert_int_equal(server_syslog(&w, 3), 4);
	assert_int_equal(server_syslog(&w, 4), 5);
	/* Nothing is delivered before its rsp. */
	for (int i = 0; i < 20; i++)
		turn(&w);
	assert_int_equal(w.ev.ndelivered, 0);
	/* 3 before 2: delivered waits for 2, then both, in send order. */
	server_rsp(&w, 3, "200 OK");
	for (int i = 0; i < 20; i++)
		turn(&w);
	assert_int_equal(w.ev.ndelivered, 0);
	int ready0 = w.ev.nready;
	server_rsp(&w, 2, "200 OK");
	RUN_UNTIL(&w, w.ev.ndelivered == 2);
	assert_int_equal(w.ev.delivered[0], 1);
	assert_int_equal(w.ev.delivered[1], 2);
	RUN_UNTIL(&w, w.ev.nready > ready0);
	assert_true(np_sink_ready(w.sink));
	send_ok(&w, 5);
	assert_int_equal(server_syslog(&w, 5), 6);
	/* Two rsp frames in one segment, split mid-frame from the next. */
	const char two[] = "4 rsp 6 200 OK\n5 rsp 6 200 OK\n6 rsp";
	server_send(&w, two, sizeof(two) - 1);
	RUN_UNTIL(&w, w.ev.ndelivered == 4);
	server_send(&w, " 6 200 OK\n", 10);
	RUN_UNTIL(&w, w.ev.ndelivered == 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(w.ev.delivered[i], i + 1);
	assert_int_equal(w.ev.nfailed, 0);
	world_free(&w);
}

/* A rsp 500 fails the connection: undelivered ones are lost, the next send reconnects. */
static void
test_refused_alert(void **state)
{
	struct world w;
	world_new(&w, 8, 10000);
	send_ok(&w, 1);
	server_open(&w, OFFERS);
	server_syslog(&w, 1);
	RUN_UNTIL(&w, np_sink_ready(w.sink));
	send_ok(&w, 2);
	send_ok(&w, 3);
	server_syslog(&w, 2);
	server_syslog(&w, 3);
	server_rsp(&w, 2, "200 OK");
	server_rsp(&w, 3, "500 error while processing");
	server_rsp(&w, 4, "200 OK"); /* after the failure: not read, not reported */
	RUN_UNTIL(&w, w.ev.nfailed == 1);
	for (int i = 0; i < 20; i++)
		turn(&w);
	assert_int_equal(w.ev.ndelivered, 1);
	assert_int_equal(w.ev.delivered[0], 1);
	cause_has(&w, "the server refused an alert (txnr 3): 500 error while processing");
	/* The owner sends them again: a new session, txnr from 1. */
	assert_true(np_sink_ready(w.sink));
	send_ok(&w, 2);
	server_open(&w, OFFERS);
	assert_int_equal(server_syslog(&w, 2), 2);
	server_rsp(&w, 2, "200 OK");
	RUN_UNTIL(&w, w.ev.ndelivered == 2);
	assert_int_equal(w.ev.delivered[1], 2);
	assert_int_equal(w.ev.nfailed, 1);
	world_free(&w);
}

static void
open_fails(const char *answer, const char *cause)
{
	struct world w;
	world_new(&w, 8, 10000);
	send_ok(&w, 1);
	server_open(&w, answer);
	RUN_UNTIL(&w, w.ev.nfailed == 1);
	cause_has(&w, cause);
	assert_int_equal(w.ev.ndelivered, 0);
	world_free(&w);
}

static void
test_open_refused(void **state)
{
	open_fails("500 required command not supported by client",
	           "the server refused the session: 500 required command not supported");
	open_fails("200 OK\nrelp_version=0\ncommands=", "does not offer the syslog command");
	open_fails("200 OK\ncommands=syslog", "no relp_version offer");
	open_fails("200", "no relp_version offer");
}

/* The server ends an idle session (serverclose, then EOF): no failure; the next send
 * reconnects. Ending a session with alerts outstanding is a failure. */
static void
test_server_closes(void **state)
{
	struct world w;
	world_new(&w, 8, 10000);
	send_ok(&w, 1);
	server_open(&w, OFFERS);
	server_syslog(&w, 1);
	server_rsp(&w, 2, "200 OK");
	RUN_UNTIL(&w, w.ev.ndelivered == 1);
	server_send(&w, "0 serverclose 0\n", 16);
	server_drop(&w.sv);
	for (int i = 0; i < 50; i++)
		turn(&w);
	assert_int_equal(w.ev.nfailed, 0);
	send_ok(&w, 2);
	server_open(&w, OFFERS);
	assert_int_equal(server_syslog(&w, 2), 2);
	server_rsp(&w, 2, "200 OK");
	RUN_UNTIL(&w, w.ev.ndelivered == 2);

	/* EOF without serverclose, noticed only by the send (no loop turn in between). */
	server_drop(&w.sv);
	usleep(20000);
	send_ok(&w, 3);
	server_open(&w, OFFERS);
	assert_int_equal(server_syslog(&w, 3), 2);
	server_rsp(&w, 2, "200 OK");
	RUN_UNTIL(&w, w.ev.ndelivered == 3);
	assert_int_equal(w.ev.nfailed, 0);

	/* Busy: serverclose with one outstanding. */
	send_ok(&w, 4);
	server_syslog(&w, 4);
	server_send(&w, "0 serverclose 0\n", 16);
	RUN_UNTIL(&w, w.ev.nfailed == 1);
	cause_has(&w, "serverclose) with 1 alert(s) unacknowledged");

	/* Busy: EOF with two outstanding. */
	send_ok(&w, 4);
	server_open(&w, OFFERS);
	server_syslog(&w, 4);
	RUN_UNTIL(&w, np_sink_ready(w.sink));
	send_ok(&w, 5);
	server_syslog(&w, 5);
	server_drop(&w.sv);
	RUN_UNTIL(&w, w.ev.nfailed == 2);
	cause_has(&w, "closed the connection with 2 alert(s) unacknowledged");
	assert_int_equal(w.ev.ndelivered, 3);
	world_free(&w);
}

/* No answer to the open, then no ack: each a failure after the timeout. */
static void
test_timeouts(void **state)
{
	struct world w;
	world_new(&w, 8, 300);
	send_ok(&w, 1);
	server_accept(&w);
	struct np_relp_frame f;
	server_frame(&w, &f);
	assert_string_equal(f.command, "open");
	RUN_UNTIL(&w, w.ev.nfailed == 1);
	cause_has(&w, "no response to open after 300 ms");

	send_ok(&w, 1);
	server_open(&w, OFFERS);
	server_syslog(&w, 1);
	RUN_UNTIL(&w, w.ev.nfailed == 2);
	cause_has(&w, "no acknowledgement for 300 ms (1 alert(s) outstanding)");
	assert_int_equal(w.ev.ndelivered, 0);
	world_free(&w);
}

/* Frames the client cannot take: each fails the connection, naming the problem. */
static void
bad_server(const char *bytes, const char *cause)
{
	struct world w;
	world_new(&w, 8, 10000);
	send_ok(&w, 1);
	server_open(&w, OFFERS);
	server_syslog(&w, 1);
	server_send(&w, bytes, strlen(bytes));
	RUN_UNTIL(&w, w.ev.nfailed == 1);
	cause_has(&w, cause);
	assert_int_equal(w.ev.ndelivered, 0);
	world_free(&w);
}

static void
test_bad_server(void **state)
{
	bad_server("2 rsp 6 200 OKX\n", "malformed RELP frame");
	bad_server("2 rsp 99999 ", "over the limit");
	bad_server("3 rsp 6 200 OK\n", "txnr 3, which is not outstanding");
	bad_server("1 rsp 6 200 OK\n", "txnr 1, which is not outstanding");
	bad_server("2 syslog 3 abc\n", "the server sent command \"syslog\"");
	/* An unknown hint is ignored: the ack after it still counts. */
	struct world w;
	world_new(&w, 8, 10000);
	send_ok(&w, 1);
	server_open(&w, OFFERS);
	server_syslog(&w, 1);
	const char hint[] = "0 wakeup 0\n2 rsp 6 200 OK\n";
	server_send(&w, hint, sizeof(hint) - 1);
	RUN_UNTIL(&w, w.ev.ndelivered == 1);
	assert_int_equal(w.ev.nfailed, 0);
	world_free(&w);
}

static void
test_refused_connection(void **state)
{
	struct world w;
	world_new(&w, 8, 10000);
	close(w.sv.lfd); /* nothing listens on the port any more */
	w.sv.lfd = socket(AF_INET, SOCK_STREAM, 0);
	send_ok(&w, 1);
	RUN_UNTIL(&w, w.ev.nfailed == 1);
	cause_has(&w, "connect: Connection refused");
	assert_true(np_sink_ready(w.sink));
	world_free(&w);
}

/* Freeing the sink with alerts outstanding: no callback afterwards (the owner is gone). */
static void
test_free_busy(void **state)
{
	struct world w;
	world_new(&w, 8, 10000);
	send_ok(&w, 1);
	server_open(&w, OFFERS);
	server_syslog(&w, 1);
	server_rsp(&w, 2, "200 OK");
	RUN_UNTIL(&w, w.ev.ndelivered == 1);
	send_ok(&w, 2);
	server_syslog(&w, 2);
	np_sink_free(w.sink);
	w.sink = NULL;
	/* The client said "close" (best effort) and closed. */
	struct np_relp_frame f;
	server_frame(&w, &f);
	assert_string_equal(f.command, "close");
	assert_int_equal(f.txnr, 4);
	assert_int_equal(w.ev.nfailed, 0);
	assert_int_equal(w.ev.ndelivered, 1);
	world_free(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_window),
	    cmocka_unit_test(test_refused_alert),
	    cmocka_unit_test(test_open_refused),
	    cmocka_unit_test(test_server_closes),
	    cmocka_unit_test(test_timeouts),
	    cmocka_unit_test(test_bad_server),
	    cmocka_unit_test(test_refused_connection),
	    cmocka_unit_test(test_free_busy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
