/*
 * The dispatcher at start and reload (issue #12): pending rows of a sink key nobody has any
 * more are logged once per key; rows of a key that is a configured sink spelt differently move
 * to it and are delivered there (a real UDP socket on 127.0.0.1, a real event_base).
 */
#include "testutil.h"

#include <event2/event.h>
#include <netinet/in.h>
#include <poll.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "core/dispatch.h"
#include "store/store.h"
#include "util/xmalloc.h"

struct logs {
	char text[2048];
};

static void
log_fn(void *arg, int priority, const char *msg)
{
	struct logs *l = arg;
	size_t len = strlen(l->text);
	snprintf(l->text + len, sizeof(l->text) - len, "%d %s\n", priority, msg);
}

/* Queued `offset` seconds after a base time a little before now (rows must not be dead). */
static void
queue(struct np_store *st, const char *const *keys, size_t n, int64_t offset)
{
	int64_t now = (int64_t)time(NULL) - 1000 + offset;
	struct np_store_alert a = {.msgid = "IFDOWN",
	                           .severity = LOG_ERR,
	                           .device = "sw1",
	                           .interface = "eth0",
	                           .state = "down",
	                           .previous = "up",
	                           .source = "local",
	                           .since_s = now,
	                           .outage_seconds = -1,
	                           .message = "sw1 eth0 is DOWN"};
	char *cause = NULL;
	if (np_store_alert(st, &a, now, keys, n, &cause) != 0)
		fail_msg("%s", cause);
}

static struct np_config *
config(const char *text)
{
	char *cause = NULL;
	struct np_config *c = np_config_parse("t.yaml", text, strlen(text), &cause);
	if (c == NULL)
		fail_msg("%s", cause);
	return c;
}

/* A UDP socket on 127.0.0.1 with a port of the kernel's choosing: the receiving sink. */
static int
udp_listener(unsigned *port)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	socklen_t sl = sizeof(sin);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

/*
 * Runs the loop until fd is readable: each turn runs a due event, and a dispatcher with nothing
 * armed would fail the bound.
 */
static void
loop_until_readable(struct event_base *base, int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	for (int turns = 0; poll(&p, 1, 0) == 0; turns++) {
		assert_true(turns < 100);
		event_base_loop(base, EVLOOP_ONCE);
	}
}

static void
test_orphans_logged_and_renamed_key_adopted(void **state)
{
	unsigned port;
	int fd = udp_listener(&port);

	char *cause = NULL;
	struct np_store *st = np_store_open(":memory:", 0, &cause);
	if (st == NULL)
		fail_msg("%s", cause);
	/* Queued by an older run: its config spelt the server "UDP://LocalHost:0PORT". */
	char *old = np_xasprintf("UDP://127.0.0.1:0%u", port);
	const char *keys[] = {old, "tcp://gone:514"};
	queue(st, keys, 2, 0);
	queue(st, keys, 2, 60);

	char *text = np_xasprintf("sources: []\nalerts:\n  - { type: syslog, server: "
	                          "\"udp://127.0.0.1:%u\", hostname: h }\n",
	                          port);
	struct np_config *cfg = config(text);
	struct event_base *base = event_base_new();
	struct logs logs = {{0}};
	struct np_logger lg = {log_fn, &logs};
	struct np_dispatch *d = np_dispatch_new(base, st, cfg, &lg, &cause);
	if (d == NULL)
		fail_msg("%s", cause);
	char *want = np_xasprintf("%d 2 pending alert(s) of sink %s now go to udp://127.0.0.1:%u "
	                          "(the same target)\n"
	                          "%d 2 alert(s) pending for sink tcp://gone:514, which is no "
	                          "longer configured\n",
	                          LOG_NOTICE, old, port, LOG_WARNING);
	assert_string_equal(logs.text, want);
	free(want);

	/* Both moved alerts arrive at the configured sink, oldest first. */
	char *key = np_xasprintf("udp://127.0.0.1:%u", port);
	for (int i = 0; i < 2; i++) {
		loop_until_readable(base, fd);
		char buf[2048];
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
		assert_true(n > 0);
		buf[n] = '\0';
		assert_non_null(strstr(buf, "sw1 eth0 is DOWN"));
	}
	for (int turns = 0; np_store_outbox_count(st, key) > 0; turns++) {
		assert_true(turns < 100);
		event_base_loop(base, EVLOOP_ONCE);
	}
	assert_int_equal(np_store_outbox_count(st, old), 0);
	assert_int_equal(np_store_outbox_count(st, "tcp://gone:514"), 2);

	/* A reload logs what is still orphaned, once per key. */
	logs.text[0] = '\0';
	assert_int_equal(np_dispatch_set_config(d, cfg, &cause), 0);
	assert_string_equal(logs.text, "4 2 alert(s) pending for sink tcp://gone:514, which is no "
	                               "longer configured\n");

	np_dispatch_free(d);
	np_config_free(cfg);
	event_base_free(base);
	np_store_close(st);
	free(key);
	free(text);
	free(old);
	close(fd);
}

/*
 * Rows queued by an earlier run (a restart between queueing and sending) go out with the
 * alert's real time to the millisecond, not whole seconds: a link alert and a COLLECTOR one.
 */
static void
test_stored_rows_keep_ms(void **state)
{
	unsigned port;
	int fd = udp_listener(&port);
	char *key = np_xasprintf("udp://127.0.0.1:%u", port);
	char *cause = NULL;
	struct np_store *st = np_store_open(":memory:", 0, &cause);
	if (st == NULL)
		fail_msg("%s", cause);
	const char *keys[] = {key};
	int64_t now = (int64_t)time(NULL) - 100;
	struct np_store_alert a = {.msgid = "IFDOWN",
	                           .severity = LOG_ERR,
	                           .device = "sw1",
	                           .interface = "eth0",
	                           .state = "down",
	                           .previous = "up",
	                           .source = "local",
	                           .since_s = now,
	                           .outage_seconds = -1,
	                           .message = "sw1 eth0 is DOWN",
	                           .time_ms = now * 1000 + 123};
	if (np_store_alert(st, &a, now, keys, 1, &cause) != 0)
		fail_msg("%s", cause);
	a.msgid = "COLLECTOR";
	a.interface = "";
	a.state = "failing";
	a.previous = "ok";
	a.message = "source local (local) is failing: timeout";
	a.time_ms = now * 1000 + 987;
	if (np_store_alert(st, &a, now, keys, 1, &cause) != 0)
		fail_msg("%s", cause);

	char *text = np_xasprintf("sources: []\nalerts:\n  - { type: syslog, server: \"%s\", "
	                          "hostname: h }\n",
	                          key);
	struct np_config *cfg = config(text);
	struct event_base *base = event_base_new();
	struct np_dispatch *d = np_dispatch_new(base, st, cfg, NULL, &cause);
	if (d == NULL)
		fail_msg("%s", cause);
	np_dispatch_kick(d);
	const char *frac[] = {".123000Z h netpulse ", ".987000Z h netpulse "};
	const char *msgid[] = {" IFDOWN [", " COLLECTOR ["};
	for (int i = 0; i < 2; i++) {
		loop_until_readable(base, fd);
		char buf[2048];
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
		assert_true(n > 0);
		buf[n] = '\0';
		if (strstr(buf, frac[i]) == NULL || strstr(buf, msgid[i]) == NULL)
			fail_msg("datagram %d: %s (want %s ... %s)", i, buf, frac[i], msgid[i]);
	}
	np_dispatch_free(d);
	np_config_free(cfg);
	event_base_free(base);
	np_store_close(st);
	free(text);
	free(key);
	close(fd);
}

/*
 * Delivered while the database cannot be written (a full disk): the alerts are not sent again
 * while their marks fail; the marks are retried until they succeed.
 */
static void
test_unmarked_delivery_is_not_resent(void **state)
{
	unsigned port;
	int fd = udp_listener(&port);
	char *key = np_xasprintf("udp://127.0.0.1:%u", port);
	char *cause = NULL;
	struct np_store *st = np_store_open(":memory:", 0, &cause);
	if (st == NULL)
		fail_msg("%s", cause);
	const char *keys[] = {key};
	queue(st, keys, 1, 0);
	queue(st, keys, 1, 60);

	char *text = np_xasprintf("sources: []\nalerts:\n  - { type: syslog, server: \"%s\", "
	                          "hostname: h }\n",
	                          key);
	struct np_config *cfg = config(text);
	struct event_base *base = event_base_new();
	struct logs logs = {{0}};
	struct np_logger lg = {log_fn, &logs};
	/* Reads work, every write fails (SQLITE_READONLY), as on a full disk. */
	assert_int_equal(sqlite3_exec(np_store_db(st), "PRAGMA query_only = 1", NULL, NULL, NULL),
	                 SQLITE_OK);
	struct np_dispatch *d = np_dispatch_new(base, st, cfg, &lg, &cause);
	if (d == NULL)
		fail_msg("%s", cause);
	np_dispatch_kick(d);
	char buf[2048];
	for (int i = 0; i < 2; i++) {
		loop_until_readable(base, fd);
		assert_true(recv(fd, buf, sizeof(buf), 0) > 0);
	}
	for (int turns = 0; strstr(logs.text, "marking them failed") == NULL; turns++) {
		assert_true(turns < 100);
		event_base_loop(base, EVLOOP_ONCE);
	}
	/* Another turn (a failed retry of the mark): nothing is sent again. */
	event_base_loop(base, EVLOOP_ONCE);
	struct pollfd p = {.fd = fd, .events = POLLIN};
	assert_int_equal(poll(&p, 1, 0), 0);
	assert_int_equal(np_store_outbox_count(st, key), 2);
	assert_true(np_dispatch_busy(d));

	/* Space is back: both are marked, nothing was sent twice. */
	assert_int_equal(sqlite3_exec(np_store_db(st), "PRAGMA query_only = 0", NULL, NULL, NULL),
	                 SQLITE_OK);
	for (int turns = 0; np_store_outbox_count(st, key) > 0; turns++) {
		assert_true(turns < 100);
		event_base_loop(base, EVLOOP_ONCE);
	}
	int got = 0;
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		got++;
	assert_int_equal(got, 0);
	assert_false(np_dispatch_busy(d));

	np_dispatch_free(d);
	np_config_free(cfg);
	event_base_free(base);
	np_store_close(st);
	free(text);
	free(key);
	close(fd);
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(*(int *)arg)++;
}

/* A reader that accepts one connection and reads (and counts frames of) everything sent. */
struct reader {
	int lfd, fd;
	size_t bytes;
};

static void
reader_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	struct reader *r = arg;
	if (r->fd < 0 && fd == r->lfd) {
		r->fd = accept4(r->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		return;
	}
	char buf[65536];
	ssize_t n;
	while ((n = recv(r->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		r->bytes += (size_t)n;
}

/*
 * A backlog larger than the TCP sink's window of unconfirmed alerts (32,768): the sink says it
 * is not ready while the window is full and must wake the dispatcher when confirmations make
 * room, until the outbox is empty (a stall here left 34,464 of 100,000 alerts queued forever).
 */
static void
test_backlog_beyond_the_window(void **state)
{
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(lfd, 4), 0);
	socklen_t sl = sizeof(sin);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sin, &sl), 0);
	char *key = np_xasprintf("tcp://127.0.0.1:%u", ntohs(sin.sin_port));
	char *cause = NULL;
	struct np_store *st = np_store_open(":memory:", 0, &cause);
	if (st == NULL)
		fail_msg("%s", cause);
	const char *keys[] = {key};
	enum { N = 40000 };
	assert_int_equal(np_store_begin(st, &cause), 0);
	for (int i = 0; i < N; i++)
		queue(st, keys, 1, i / 100);
	assert_int_equal(np_store_commit(st, &cause), 0);
	char *text = np_xasprintf("sources: []\nalerts:\n  - { type: syslog, server: \"%s\", "
	                          "hostname: h, confirm_after: 1s }\n",
	                          key);
	struct np_config *cfg = config(text);
	struct event_base *base = event_base_new();
	struct reader r = {.lfd = lfd, .fd = -1};
	struct event *lev = event_new(base, lfd, EV_READ | EV_PERSIST, reader_cb, &r);
	event_add(lev, NULL);
	struct event *rev = NULL;
	struct logs logs = {{0}};
	struct np_logger lg = {log_fn, &logs};
	struct np_dispatch *d = np_dispatch_new(base, st, cfg, &lg, &cause);
	if (d == NULL)
		fail_msg("%s", cause);
	np_dispatch_kick(d);
	/*
	 * Progress, not speed: the outbox is looked at once a second and the test fails only when
	 * it has not shrunk for 30 looks in a row (a stalled dispatcher never shrinks it again;
	 * a slow one, under valgrind, still does, just later).
	 */
	int seconds = 0, looked = 0, still = 0;
	struct event *tick = event_new(base, -1, EV_PERSIST, tick_cb, &seconds);
	struct timeval one = {1, 0};
	event_add(tick, &one);
	long long left = np_store_outbox_count(st, key);
	while (left > 0) {
		if (rev == NULL && r.fd >= 0) {
			rev = event_new(base, r.fd, EV_READ | EV_PERSIST, reader_cb, &r);
			event_add(rev, NULL);
		}
		event_base_loop(base, EVLOOP_ONCE);
		if (seconds == looked)
			continue;
		looked = seconds;
		long long now = np_store_outbox_count(st, key);
		still = now < left ? 0 : still + 1;
		left = now;
		if (still >= 30)
			fail_msg("stalled with %lld alerts queued", left);
	}
	assert_int_equal(np_store_outbox_count(st, key), 0);
	assert_true(r.bytes > (size_t)N * 100);
	np_dispatch_free(d);
	event_free(tick);
	if (rev != NULL)
		event_free(rev);
	event_free(lev);
	close(r.fd);
	close(lfd);
	np_config_free(cfg);
	event_base_free(base);
	np_store_close(st);
	free(text);
	free(key);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_orphans_logged_and_renamed_key_adopted),
	    cmocka_unit_test(test_unmarked_delivery_is_not_resent),
	    cmocka_unit_test(test_stored_rows_keep_ms),
	    cmocka_unit_test(test_backlog_beyond_the_window),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
