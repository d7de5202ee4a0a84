/*
 * Sinks against real sockets on 127.0.0.1 (ephemeral ports), driven by a real event_base:
 * UDP datagram byte-exact, TCP octet-counted frames on one reused connection, refused
 * connections, reconnect after the server closes, timeouts, and the local logger's datagrams
 * received on a /dev/log of our own (in a child with a private mount namespace) or on a socket
 * the config names.
 */
#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "testutil.h"

#include "alert/alert.h"
#include "alert/sink.h"
#include "util/xmalloc.h"

#define T0 1796112000LL /* 2026-12-01T08:00:00Z */

struct waiter {
	int calls;
	int ok;
	char *cause;
	struct np_sink *free_me; /* freed from inside done, as a dispatcher may do */
};

static void
on_done(void *arg, int ok, const char *cause)
{
	struct waiter *w = arg;
	w->calls++;
	w->ok = ok;
	free(w->cause);
	w->cause = cause != NULL ? strdup(cause) : NULL;
	if (w->free_me != NULL) {
		np_sink_free(w->free_me);
		w->free_me = NULL;
	}
}

/* The sink contract's callbacks, reported to the waiter of the send in flight. */
static struct waiter *cur;

static void
cb_delivered(void *arg, int64_t tag)
{
	assert_true(tag > 0);
	on_done(cur, 0, NULL);
}

static void
cb_failed(void *arg, const char *cause)
{
	on_done(cur, -1, cause);
}

static struct np_sink *
sink_new(struct event_base *base, const struct np_alert_cfg *c, char **cause)
{
	struct np_sink_cb cb = {cb_delivered, cb_failed, NULL, NULL};
	return np_sink_new(base, c, &cb, cause);
}

static int64_t next_tag;

static int
sink_send(struct np_sink *s, const struct np_alert *a, struct waiter *w, char **cause)
{
	cur = w;
	return np_sink_send(s, a, ++next_tag, cause);
}

static void
on_guard(evutil_socket_t fd, short what, void *arg)
{
	*(bool *)arg = true;
}

/* Runs the loop until done was called; a generous bound instead of a fixed sleep. */
static void
run_until_done(struct event_base *base, struct waiter *w)
{
	bool expired = false;
	struct event *guard = evtimer_new(base, on_guard, &expired);
	struct timeval tv = {.tv_sec = 20};
	evtimer_add(guard, &tv);
	while (w->calls == 0 && !expired)
		event_base_loop(base, EVLOOP_ONCE);
	event_free(guard);
	assert_int_equal(w->calls, 1);
}

static struct np_alert
alert(const char *msgid, const char *message)
{
	struct np_alert a = {
	    .time_ms = T0 * 1000 + 250,
	    .msgid = msgid,
	    .severity = LOG_ERR,
	    .device = "172.16.16.2",
	    .interface = "",
	    .state = "down",
	    .previous = "up",
	    .source = "fc-east",
	    .since_s = T0,
	    .outage_seconds = -1,
	    .message = message,
	};
	return a;
}

static struct np_alert_cfg
cfg_for(enum np_syslog_proto proto, char *port)
{
	struct np_alert_cfg c = {
	    .type = NP_SINK_SYSLOG,
	    .proto = proto,
	    .host = (char *)"127.0.0.1",
	    .port = port,
	    .facility = LOG_DAEMON,
	    .format = (char *)"rfc5424",
	    .enterprise = 32473,
	    .hostname = (char *)"testhost",
	};
	return c;
}

/* What the sink must put on the wire for a, rendered independently of the sink. */
static int
expected(const struct np_alert *a, size_t max_len, char *buf, size_t size)
{
	struct np_syslog_header h = {.facility = LOG_DAEMON,
	                             .hostname = "testhost",
	                             .app_name = "netpulse",
	                             .procid = (long)getpid(),
	                             .enterprise = 32473};
	return np_rfc5424_format(a, &h, max_len, buf, size);
}

static int
bound_socket(int type, char *port, size_t portsize)
{
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	socklen_t len = sizeof(sin);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	snprintf(port, portsize, "%u", ntohs(sin.sin_port));
	return fd;
}

static void
wait_readable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	assert_int_equal(poll(&p, 1, 20000), 1);
}

static void
read_exact(int fd, char *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		wait_readable(fd);
		ssize_t r = recv(fd, buf + got, n - got, 0);
		assert_true(r > 0);
		got += (size_t)r;
	}
}

/* Accepts the next connection, waiting for it with a bound. */
static int
accept_one(int lfd)
{
	wait_readable(lfd);
	int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	assert_true(c >= 0);
	return c;
}

static bool
no_pending_connection(int lfd)
{
	struct pollfd p = {.fd = lfd, .events = POLLIN};
	return poll(&p, 1, 0) == 0;
}

static void
test_keys_and_config_errors(void **state)
{
	struct event_base *base = event_base_new();
	char *cause = NULL;
	char p5514[] = "5514";
	struct np_alert_cfg c = cfg_for(NP_SYSLOG_UDP, p5514);
	struct np_sink *s = sink_new(base, &c, &cause);
	assert_non_null(s);
	assert_string_equal(np_sink_key(s), "udp://127.0.0.1:5514");
	np_sink_free(s);

	c = cfg_for(NP_SYSLOG_TCP, NULL);
	c.host = (char *)"::1";
	s = sink_new(base, &c, &cause);
	assert_non_null(s);
	assert_string_equal(np_sink_key(s), "tcp://[::1]:514");
	np_sink_free(s);

	c = cfg_for(NP_SYSLOG_UDP, p5514);
	c.format = (char *)"xml";
	assert_null(sink_new(base, &c, &cause));
	assert_string_equal(cause, "unknown syslog format \"xml\" (expected rfc5424 or rfc3164)");

	c = cfg_for(NP_SYSLOG_TCP, p5514);
	c.host = (char *)"";
	assert_null(sink_new(base, &c, &cause));
	assert_string_equal(cause, "syslog server without a host");
	free(cause);
	event_base_free(base);
}

static void
test_udp_datagram_exact(void **state)
{
	char port[16];
	int srv = bound_socket(SOCK_DGRAM, port, sizeof(port));
	struct event_base *base = event_base_new();
	struct np_alert_cfg c = cfg_for(NP_SYSLOG_UDP, port);
	struct np_sink *s = sink_new(base, &c, NULL);
	assert_non_null(s);

	struct np_alert a = alert("IFDOWN", "exporter 172.16.16.2 is DOWN (no NetFlow traffic seen "
	                                    "by fc-east, fc-west)");
	struct waiter w = {0};
	assert_int_equal(sink_send(s, &a, &w, NULL), 0);
	run_until_done(base, &w); /* reported from the loop */
	assert_int_equal(w.ok, 0);

	char got[4096], want[4096];
	wait_readable(srv);
	ssize_t n = recv(srv, got, sizeof(got), 0);
	snprintf(want, sizeof(want),
	         "<27>1 2026-12-01T08:00:00.250000Z testhost netpulse %ld IFDOWN [netpulse@32473 "
	         "device=\"172.16.16.2\" interface=\"\" state=\"down\" previous=\"up\" "
	         "since=\"2026-12-01T08:00:00Z\" source=\"fc-east\"] exporter 172.16.16.2 is DOWN "
	         "(no NetFlow traffic seen by fc-east, fc-west)",
	         (long)getpid());
	assert_int_equal(n, (ssize_t)strlen(want));
	assert_memory_equal(got, want, (size_t)n);

	/* An over-long MSG is cut so the datagram is exactly 2048 bytes. */
	char *big = malloc(3001);
	memset(big, 'z', 3000);
	big[3000] = '\0';
	a.message = big;
	w.calls = 0;
	assert_int_equal(sink_send(s, &a, &w, NULL), 0);
	run_until_done(base, &w); /* reported from the loop */
	assert_int_equal(w.ok, 0);
	wait_readable(srv);
	n = recv(srv, got, sizeof(got), 0);
	assert_int_equal(n, 2048);
	int wn = expected(&a, 2048, want, sizeof(want));
	assert_int_equal(wn, 2048);
	assert_memory_equal(got, want, 2048);
	free(big);

	/* done may free the sink. */
	w.calls = 0;
	w.free_me = s;
	a.message = "bye";
	assert_int_equal(sink_send(s, &a, &w, NULL), 0);
	run_until_done(base, &w); /* reported from the loop */
	assert_null(w.free_me);
	free(w.cause);
	close(srv);
	event_base_free(base);
}

/* Reads one octet-counted frame and checks it is exactly "LEN SP want". */
static void
expect_frame(int fd, const struct np_alert *a)
{
	char want[9000], frame[9100], got[9100];
	int n = expected(a, 8192, want, sizeof(want));
	assert_true(n > 0);
	int fl = snprintf(frame, sizeof(frame), "%d %s", n, want);
	read_exact(fd, got, (size_t)fl);
	assert_memory_equal(got, frame, (size_t)fl);
}

/*
 * TCP delivery is confirmed only once the connection stayed healthy confirm_after past the
 * write: a receiver that resets the connection before fails every unconfirmed alert (they are
 * sent again), even though the kernel had taken them.
 */
static void
test_tcp_unconfirmed_fail_on_reset(void **state)
{
	char port[16];
	int lfd = bound_socket(SOCK_STREAM, port, sizeof(port));
	assert_int_equal(listen(lfd, 8), 0);
	struct event_base *base = event_base_new();
	struct np_alert_cfg c = cfg_for(NP_SYSLOG_TCP, port);
	c.confirm_after_ms = 600000; /* never within this test */
	struct np_sink *s = sink_new(base, &c, NULL);
	struct np_alert a = alert("IFDOWN", "x");
	struct waiter w = {0};
	assert_int_equal(sink_send(s, &a, &w, NULL), 0);
	assert_int_equal(sink_send(s, &a, &w, NULL), 0);
	int conn = accept_one(lfd);
	struct pollfd p = {.fd = conn, .events = POLLIN};
	for (int i = 0; i < 1000 && poll(&p, 1, 10) == 0; i++)
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	expect_frame(conn, &a);
	expect_frame(conn, &a); /* both written and read by the receiver... */
	for (int i = 0; i < 20; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
	assert_int_equal(w.calls, 0); /* ...yet not confirmed */
	/* The receiver dies: RST. */
	struct linger lg = {.l_onoff = 1, .l_linger = 0};
	assert_int_equal(setsockopt(conn, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
	close(conn);
	run_until_done(base, &w);
	assert_int_equal(w.ok, -1);
	char want[96];
	snprintf(want, sizeof(want), "tcp://127.0.0.1:%s: connection closed by the receiver", port);
	assert_string_equal(w.cause, want);
	free(w.cause);

	/* Sent again on a new connection, and confirmed when it stays healthy (confirm_after 0). */
	np_sink_free(s);
	c.confirm_after_ms = 0;
	s = sink_new(base, &c, NULL);
	w = (struct waiter){0};
	assert_int_equal(sink_send(s, &a, &w, NULL), 0);
	conn = accept_one(lfd);
	run_until_done(base, &w);
	assert_int_equal(w.ok, 0);
	expect_frame(conn, &a);
	np_sink_free(s);
	close(conn);
	close(lfd);
	event_base_free(base);
}

static void
test_tcp_two_frames_one_connection(void **state)
{
	char port[16], key[64];
	int lfd = bound_socket(SOCK_STREAM, port, sizeof(port));
	assert_int_equal(listen(lfd, 8), 0);
	struct event_base *base = event_base_new();
	struct np_alert_cfg c = cfg_for(NP_SYSLOG_TCP, port);
	struct np_sink *s = sink_new(base, &c, NULL);
	assert_non_null(s);
	snprintf(key, sizeof(key), "tcp://127.0.0.1:%s", port);
	assert_string_equal(np_sink_key(s), key);

	struct np_alert a1 = alert("IFDOWN", "exporter 172.16.16.2 is DOWN");
	struct np_alert a2 = alert("IFUP", "exporter 172.16.16.2 is UP again after 42s");
	a2.severity = LOG_NOTICE;
	a2.outage_seconds = 42;
	struct waiter w = {0};
	assert_int_equal(sink_send(s, &a1, &w, NULL), 0);
	run_until_done(base, &w);
	assert_int_equal(w.ok, 0);
	int conn = accept_one(lfd);
	expect_frame(conn, &a1);

	w.calls = 0;
	assert_int_equal(sink_send(s, &a2, &w, NULL), 0);
	run_until_done(base, &w);
	assert_int_equal(w.ok, 0);
	expect_frame(conn, &a2);
	assert_true(no_pending_connection(lfd)); /* the same connection was reused */

	np_sink_free(s);
	/* Freeing the sink closes the connection: the server sees EOF. */
	char b;
	wait_readable(conn);
	assert_int_equal(recv(conn, &b, 1, 0), 0);
	close(conn);
	close(lfd);
	free(w.cause);
	event_base_free(base);
}

static void
test_tcp_refused(void **state)
{
	char port[16], want[96];
	/* Bound but not listening: the port stays ours and a connect gets RST. */
	int held = bound_socket(SOCK_STREAM, port, sizeof(port));
	struct event_base *base = event_base_new();
	struct np_alert_cfg c = cfg_for(NP_SYSLOG_TCP, port);
	struct np_sink *s = sink_new(base, &c, NULL);
	assert_non_null(s);
	struct np_alert a = alert("IFDOWN", "x");
	struct waiter w = {0};
	assert_int_equal(sink_send(s, &a, &w, NULL), 0);
	if (w.calls == 0)
		run_until_done(base, &w);
	assert_int_equal(w.calls, 1);
	assert_int_equal(w.ok, -1);
	snprintf(want, sizeof(want), "tcp://127.0.0.1:%s: Connection refused", port);
	assert_string_equal(w.cause, want);

	/* Again, with the sink freed from inside done. */
	w.calls = 0;
	w.free_me = s;
	assert_int_equal(sink_send(s, &a, &w, NULL), 0);
	if (w.calls == 0)
		run_until_done(base, &w);
	assert_int_equal(w.ok, -1);
	assert_string_equal(w.cause, want);
	assert_null(w.free_me);
	free(w.cause);
	close(held);
	event_base_free(base);
}

static void
reconnect_after_close(bool reset)
{
	char port[16];
	int lfd = bound_socket(SOCK_STREAM, port, sizeof(port));
	assert_int_equal(listen(lfd, 8), 0);
	struct event_base *base = event_base_new();
	struct np_alert_cfg c = cfg_for(NP_SYSLOG_TCP, port);
	struct np_sink *s = sink_new(base, &c, NULL);
	assert_non_null(s);

	struct np_alert a1 = alert("IFDOWN", "first");
	struct np_alert a2 = alert("IFUP", "second");
	struct waiter w = {0};
	assert_int_equal(sink_send(s, &a1, &w, NULL), 0);
	run_until_done(base, &w);
	assert_int_equal(w.ok, 0);
	int conn = accept_one(lfd);
	expect_frame(conn, &a1);
	if (reset) {
		struct linger lg = {.l_onoff = 1, .l_linger = 0};
		assert_int_equal(setsockopt(conn, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
	}
	close(conn); /* the server goes away while the sink is idle */

	w.calls = 0;
	assert_int_equal(sink_send(s, &a2, &w, NULL), 0);
	run_until_done(base, &w);
	assert_int_equal(w.ok, 0);
	conn = accept_one(lfd); /* a new connection carries the second alert */
	expect_frame(conn, &a2);
	close(conn);
	np_sink_free(s);
	close(lfd);
	free(w.cause);
	event_base_free(base);
}

static void
test_tcp_reconnect_after_server_close(void **state)
{
	reconnect_after_close(false);
}

static void
test_tcp_reconnect_after_server_reset(void **state)
{
	reconnect_after_close(true);
}

/* Same, but the loop runs after the close, so the sink notices it while idle. */
static void
test_tcp_reconnect_after_close_seen_idle(void **state)
{
	char port[16];
	int lfd = bound_socket(SOCK_STREAM, port, sizeof(port));
	assert_int_equal(listen(lfd, 8), 0);
	struct event_base *base = event_base_new();
	struct np_alert_cfg c = cfg_for(NP_SYSLOG_TCP, port);
	struct np_sink *s = sink_new(base, &c, NULL);
	struct np_alert a1 = alert("IFDOWN", "first");
	struct waiter w = {0};
	assert_int_equal(sink_send(s, &a1, &w, NULL), 0);
	run_until_done(base, &w);
	int conn = accept_one(lfd);
	expect_frame(conn, &a1);
	close(conn);
	/* Once the sink has seen the EOF, it has nothing left on the loop: the loop exits. */
	int rounds = 0;
	while (event_base_loop(base, EVLOOP_ONCE) == 0 && rounds < 1000)
		rounds++;
	assert_true(rounds < 1000);

	struct np_alert a2 = alert("IFUP", "second");
	w.calls = 0;
	assert_int_equal(sink_send(s, &a2, &w, NULL), 0);
	run_until_done(base, &w);
	assert_int_equal(w.ok, 0);
	conn = accept_one(lfd);
	expect_frame(conn, &a2);
	close(conn);
	np_sink_free(s);
	close(lfd);
	free(w.cause);
	event_base_free(base);
}

/* A name (not a numeric address) is resolved: "localhost" from /etc/hosts. */
static void
test_names_resolved(void **state)
{
	char port[16], tport[16];
	char localhost[] = "localhost";
	int udp = bound_socket(SOCK_DGRAM, port, sizeof(port));
	int lfd = bound_socket(SOCK_STREAM, tport, sizeof(tport));
	assert_int_equal(listen(lfd, 8), 0);
	struct event_base *base = event_base_new();
	struct np_alert_cfg c = cfg_for(NP_SYSLOG_UDP, port);
	c.host = localhost;
	struct np_sink *su = sink_new(base, &c, NULL);
	c = cfg_for(NP_SYSLOG_TCP, tport);
	c.host = localhost;
	struct np_sink *st = sink_new(base, &c, NULL);
	char key[64];
	snprintf(key, sizeof(key), "tcp://localhost:%s", tport);
	assert_string_equal(np_sink_key(st), key);

	struct np_alert a = alert("STALE", "exporter 172.16.16.2 is STALE");
	a.severity = LOG_WARNING;
	struct waiter w = {0};
	assert_int_equal(sink_send(su, &a, &w, NULL), 0);
	run_until_done(base, &w); /* reported from the loop */
	assert_int_equal(w.ok, 0);
	char got[4096], want[4096];
	wait_readable(udp);
	ssize_t n = recv(udp, got, sizeof(got), 0);
	int wn = expected(&a, 2048, want, sizeof(want));
	assert_int_equal(n, wn);
	assert_memory_equal(got, want, (size_t)wn);

	w.calls = 0;
	assert_int_equal(sink_send(st, &a, &w, NULL), 0);
	run_until_done(base, &w);
	assert_int_equal(w.ok, 0);
	int conn = accept_one(lfd);
	expect_frame(conn, &a);
	close(conn);
	np_sink_free(su);
	np_sink_free(st);
	close(udp);
	close(lfd);
	free(w.cause);
	event_base_free(base);
}

/* format: rfc3164 over UDP: BSD header, SD parameters at the end of the text. */
static void
test_udp_rfc3164(void **state)
{
	char port[16], fmt[] = "rfc3164";
	int srv = bound_socket(SOCK_DGRAM, port, sizeof(port));
	struct event_base *base = event_base_new();
	struct np_alert_cfg c = cfg_for(NP_SYSLOG_UDP, port);
	c.format = fmt;
	c.facility = LOG_LOCAL0;
	struct np_sink *s = sink_new(base, &c, NULL);
	struct np_alert a = alert("IFUP", "interface eth0 on host1 is UP again after 42s");
	a.severity = LOG_NOTICE;
	a.device = "host1";
	a.interface = "eth0";
	a.outage_seconds = 42;
	struct waiter w = {0};
	/* The BSD TIMESTAMP is local time: 08:00Z is 09:00 in Berlin. */
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	assert_int_equal(sink_send(s, &a, &w, NULL), 0);
	unsetenv("TZ");
	tzset();
	assert_int_equal(w.ok, 0);
	char got[2048], want[2048];
	wait_readable(srv);
	ssize_t n = recv(srv, got, sizeof(got), 0);
	snprintf(want, sizeof(want),
	         "<133>Dec  1 09:00:00 testhost netpulse[%ld]: IFUP: interface eth0 on host1 is UP "
	         "again after 42s [device=\"host1\" interface=\"eth0\" state=\"down\" "
	         "previous=\"up\" since=\"2026-12-01T08:00:00Z\" source=\"fc-east\" "
	         "outage_seconds=\"42\"]",
	         (long)getpid());
	assert_int_equal(n, (ssize_t)strlen(want));
	assert_memory_equal(got, want, (size_t)n);
	np_sink_free(s);
	close(srv);
	free(w.cause);
	event_base_free(base);
}

/*
 * A listener with a full accept queue (backlog 0 holds one connection) drops further SYNs,
 * so a connect stays in progress: the sink is busy, and the send times out.
 */
static int
full_listener(char *port, size_t portsize, int *filler)
{
	int lfd = bound_socket(SOCK_STREAM, port, portsize);
	assert_int_equal(listen(lfd, 0), 0);
	*filler = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET,
	                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	                          .sin_port = htons((uint16_t)atoi(port))};
	assert_int_equal(connect(*filler, (struct sockaddr *)&sin, sizeof(sin)), 0);
	wait_readable(lfd); /* the filler is in the accept queue: the queue is full now */
	return lfd;
}

static void
test_tcp_busy_and_timeout(void **state)
{
	char port[16], want[96];
	int filler;
	int lfd = full_listener(port, sizeof(port), &filler);
	struct event_base *base = event_base_new();
	struct np_alert_cfg c = cfg_for(NP_SYSLOG_TCP, port);
	c.timeout_ms = 300;
	struct np_sink *s = sink_new(base, &c, NULL);
	struct np_alert a = alert("IFDOWN", "x");
	struct waiter w = {0};
	assert_int_equal(sink_send(s, &a, &w, NULL), 0);
	assert_int_equal(w.calls, 0);
	/* Pipelined: a second alert is taken while the first waits for the connection. */
	assert_true(np_sink_ready(s));
	assert_int_equal(sink_send(s, &a, &w, NULL), 0);
	run_until_done(base, &w);
	assert_int_equal(w.ok, -1);
	snprintf(want, sizeof(want), "tcp://127.0.0.1:%s: connect timed out after 300 ms", port);
	assert_string_equal(w.cause, want);
	free(w.cause);

	/* Freed while a connect is in flight: done is not called, nothing leaks. */
	w.calls = 0;
	w.cause = NULL;
	assert_int_equal(sink_send(s, &a, &w, NULL), 0);
	np_sink_free(s);
	event_base_loop(base, EVLOOP_NONBLOCK);
	assert_int_equal(w.calls, 0);
	close(filler);
	close(lfd);
	event_base_free(base);
}

/* The local sink's datagram for a (alert()) from this process, in UTC. */
static void
local_expected(char *buf, size_t size, int pri)
{
	snprintf(buf, size,
	         "<%d>Dec  1 08:00:00 netpulse[%ld]: IFDOWN: exporter 172.16.16.2 is DOWN "
	         "[device=\"dev\\\"1\" interface=\"\" state=\"down\" previous=\"up\" "
	         "since=\"2026-12-01T08:00:00Z\" source=\"fc-east\"]",
	         pri, (long)getpid());
}

/* Receives one datagram into got (NUL-terminated); its length, or -1. */
static ssize_t
recv_one(int fd, char *got, size_t size)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (poll(&p, 1, 20000) != 1)
		return -1;
	ssize_t n = recv(fd, got, size - 1, 0);
	if (n >= 0)
		got[n] = '\0';
	return n;
}

/*
 * Child side of the /dev/log test: 0 when the alert came through byte for byte and the
 * process's own syslog(3) kept the ident and facility it opened with (issue #12: the sink
 * used to call openlog and take them over).
 */
static int
local_child(void)
{
	if (unshare(CLONE_NEWNS) == -1)
		return 77;
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == -1 ||
	    mount("tmpfs", "/dev", "tmpfs", 0, "size=64k") == -1)
		return 77;
	setenv("TZ", "UTC", 1);
	tzset();
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sun = {.sun_family = AF_UNIX, .sun_path = "/dev/log"};
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		return 2;
	/* The daemon's own log, as d_log.c opens it. */
	openlog("netpulsed", LOG_PID | LOG_NDELAY, LOG_LOCAL5);
	struct event_base *base = event_base_new();
	struct np_alert_cfg c = cfg_for(NP_SYSLOG_LOCAL, NULL);
	c.facility = LOG_LOCAL3;
	struct np_sink *s = sink_new(base, &c, NULL);
	if (s == NULL || strcmp(np_sink_key(s), "local") != 0)
		return 3;
	struct np_alert a = alert("IFDOWN", "exporter 172.16.16.2 is DOWN");
	a.device = "dev\"1";
	struct waiter w = {0};
	if (sink_send(s, &a, &w, NULL) != 0)
		return 1;
	event_base_loop(base, EVLOOP_NONBLOCK); /* the report runs from the loop */
	if (w.calls != 1 || w.ok != 0)
		return 4;
	char got[4096], want[1024];
	int rc = 0;
	/* local3 (19 << 3) + err = 155. */
	local_expected(want, sizeof(want), 155);
	if (recv_one(fd, got, sizeof(got)) < 0)
		rc = 5;
	else if (strcmp(got, want) != 0)
		rc = 6;
	if (rc != 0)
		fprintf(stderr, "local sink got: %s\nwanted: %s\n", got, want);
	/* After the sink sent: the daemon's line still says netpulsed, local5 (21 << 3) + 4. */
	syslog(LOG_WARNING, "own line");
	snprintf(want, sizeof(want), "netpulsed[%ld]: own line", (long)getpid());
	ssize_t n = rc == 0 ? recv_one(fd, got, sizeof(got)) : -1;
	if (rc == 0 && n < 0)
		rc = 7;
	else if (rc == 0 && (strncmp(got, "<172>", 5) != 0 || n < (ssize_t)strlen(want) ||
	                     strcmp(got + n - strlen(want), want) != 0))
		rc = 8;
	if (rc == 8)
		fprintf(stderr, "own syslog got: %s\nwanted: <172>... %s\n", got, want);
	np_sink_free(s);
	event_base_free(base);
	free(w.cause);
	close(fd);
	closelog();
	return rc;
}

static void
test_local_syslog(void **state)
{
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(local_child());
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 77)
		skip(); /* no private mount namespace (not root): cannot own /dev/log */
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* `socket:` names another logger socket: exact bytes there; no logger is a failed send. */
static void
test_local_socket_path(void **state)
{
	char *dir = np_test_tmpdir();
	char *path = np_xasprintf("%s/log", dir);
	char *old_tz = getenv("TZ") != NULL ? strdup(getenv("TZ")) : NULL;
	setenv("TZ", "UTC", 1);
	tzset();
	struct event_base *base = event_base_new();
	struct np_alert_cfg c = cfg_for(NP_SYSLOG_LOCAL, NULL);
	c.socket = path;
	char *cause = NULL;
	struct np_sink *s = sink_new(base, &c, &cause);
	assert_non_null(s);
	char *key = np_xasprintf("local:%s", path);
	assert_string_equal(np_sink_key(s), key);

	/* Nobody listens yet: the send fails, so the row would stay in the outbox. */
	struct np_alert a = alert("IFDOWN", "exporter 172.16.16.2 is DOWN");
	a.device = "dev\"1";
	struct waiter w = {0};
	assert_int_equal(sink_send(s, &a, &w, NULL), 0);
	run_until_done(base, &w); /* reported from the loop */
	assert_int_equal(w.ok, -1);
	char *why = np_xasprintf("%s: No such file or directory", path);
	assert_string_equal(w.cause, why);
	free(why);

	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	assert_true(strlen(path) < sizeof(sun.sun_path));
	strcpy(sun.sun_path, path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	w.calls = 0;
	assert_int_equal(sink_send(s, &a, &w, NULL), 0);
	run_until_done(base, &w); /* reported from the loop */
	assert_int_equal(w.ok, 0);
	char got[4096], want[1024];
	local_expected(want, sizeof(want), 27); /* daemon (3 << 3) + err */
	assert_true(recv_one(fd, got, sizeof(got)) > 0);
	assert_string_equal(got, want);

	/* The logger restarts: a new socket at the same path is found by the next send. */
	close(fd);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	w.calls = 0;
	assert_int_equal(sink_send(s, &a, &w, NULL), 0);
	assert_int_equal(w.ok, 0);
	assert_true(recv_one(fd, got, sizeof(got)) > 0);
	assert_string_equal(got, want);

	np_sink_free(s);
	close(fd);
	unlink(path);
	free(w.cause);
	free(key);
	free(path);
	rmdir(dir);
	free(dir);
	event_base_free(base);
	if (old_tz != NULL)
		setenv("TZ", old_tz, 1);
	else
		unsetenv("TZ");
	tzset();
	free(old_tz);
}

/* One key per target, whatever the spelling in the config or in an older database. */
static void
test_key_canonical(void **state)
{
	static const char *const cases[][2] = {
	    {"local", "local"},
	    {"local:/run/x.sock", "local:/run/x.sock"},
	    {"udp://host:514", "udp://host:514"},
	    {"UDP://Host:514", "udp://host:514"},
	    {"udp://HOST", "udp://host:514"},
	    {"udp://host:0514", "udp://host:514"},
	    {"Tcp://Logs.Example.NET:6514", "tcp://logs.example.net:6514"},
	    {"udp://[0:0::1]:514", "udp://[::1]:514"},
	    {"tcp://[2001:DB8::1]:1514", "tcp://[2001:db8::1]:1514"},
	    {"udp://10.0.0.1:5514", "udp://10.0.0.1:5514"},
	    {"RELP://h", "relp://h:2514"},
	    {"tls://h", "tls://h:6514"},
	    {"webhook:https://x/y", "webhook:https://x/y"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *k = np_sink_key_canonical(cases[i][0]);
		if (k == NULL || strcmp(k, cases[i][1]) != 0)
			fail_msg("%s -> %s, want %s", cases[i][0], k ? k : "NULL", cases[i][1]);
		free(k);
	}
	static const char *const bad[] = {"",          "ftp://h:1",     "udp://",
	                                  "udp://h:0", "udp://h:70000", "udp://[zz]:1",
	                                  "udp://h:x", "udp://[::1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *k = np_sink_key_canonical(bad[i]);
		if (k != NULL)
			fail_msg("%s -> %s, want NULL", bad[i], k);
	}

	/* What a sink made from a config would be called, without making it. */
	char p[] = "00514";
	struct np_alert_cfg c = cfg_for(NP_SYSLOG_UDP, p);
	c.host = (char *)"LogHost";
	char *k = np_sink_cfg_key(&c);
	assert_string_equal(k, "udp://loghost:514");
	free(k);
	c = cfg_for(NP_SYSLOG_LOCAL, NULL);
	k = np_sink_cfg_key(&c);
	assert_string_equal(k, "local");
	free(k);
	c.socket = (char *)"/dev/log";
	k = np_sink_cfg_key(&c);
	assert_string_equal(k, "local");
	free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_keys_and_config_errors),
	    cmocka_unit_test(test_udp_datagram_exact),
	    cmocka_unit_test(test_tcp_two_frames_one_connection),
	    cmocka_unit_test(test_tcp_unconfirmed_fail_on_reset),
	    cmocka_unit_test(test_tcp_refused),
	    cmocka_unit_test(test_tcp_reconnect_after_server_close),
	    cmocka_unit_test(test_tcp_reconnect_after_server_reset),
	    cmocka_unit_test(test_tcp_reconnect_after_close_seen_idle),
	    cmocka_unit_test(test_tcp_busy_and_timeout),
	    cmocka_unit_test(test_names_resolved),
	    cmocka_unit_test(test_udp_rfc3164),
	    cmocka_unit_test(test_local_syslog),
	    cmocka_unit_test(test_local_socket_path),
	    cmocka_unit_test(test_key_canonical),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
