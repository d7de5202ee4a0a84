/*
 * Remote syslog over TCP with RFC 6587 octet counting ("LEN SP MSG"). One connection, kept
 * open and reused; connect and write are non-blocking, driven by events on the daemon's
 * event_base. Messages are pipelined: several may be written while earlier ones wait for
 * confirmation.
 *
 * TCP has no acknowledgement a sender can see: the kernel taking the bytes, or even the peer's
 * kernel acknowledging them, does not mean the receiving program read them (a hung receiver
 * keeps them in its socket buffer, and loses them when it dies). So a written message counts
 * as delivered only once the connection proved healthy after it: the socket's send queue was
 * seen empty (SIOCOUTQ: the peer's kernel acknowledged every byte) and the connection was
 * still open confirm_after later (confirm.c keeps that account, shared with TLS). A connection that
 * breaks before, or a send queue that does not drain within the timeout, fails every unconfirmed
 * message, and the owner sends them again: a receiver that dies within confirm_after of reading a
 * message gets it twice (it can tell by the id), one that dies later than confirm_after after its
 * kernel took a message it never read loses it. RELP has no such window.
 *
 * Names are resolved with getaddrinfo at the first connection and after a failure: a numeric
 * address never blocks, a name may block the loop for one lookup.
 */
#include <errno.h>
#include <event2/event.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "alert/confirm.h"
#include "alert/sink_impl.h"
#include "alert/stream.h"
#include "util/cause.h"
#include "util/clock.h"
#include "util/xmalloc.h"

/* Bytes waiting to be written beyond which the sink says it is not ready. */
#define WRITE_AHEAD (64 * 1024)
/*
 * Messages written and waiting for confirmation beyond which it is not ready either: it caps
 * the rate at CONFIRM_AHEAD / confirm_after (16k alerts/s at the default 2 s).
 */
#define CONFIRM_AHEAD 32768

struct queued {
	int64_t tag;
	size_t end; /* offset in wbuf just past the message */
};

struct tcp {
	struct np_sink *s;
	struct addrinfo *ai, *cur; /* resolved addresses; the one being tried */
	bool numeric;
	int fd;
	bool connected;
	struct event *ev_write; /* connect completion / room to write */
	struct event *ev_read;  /* notices the peer closing */
	struct event *deadline; /* connect or write not done in time */
	struct event *confirm;  /* the next confirmation check */
	char *wbuf;             /* framed messages not fully written */
	size_t wlen, woff, wcap;
	struct queued *q; /* messages in wbuf, in order */
	size_t nq, q0, capq;
	struct np_confirm conf; /* written, not confirmed yet */
	char *msg;              /* max_len + 1: the rendered message */
};

static void on_write(evutil_socket_t fd, short what, void *arg);
static void on_read(evutil_socket_t fd, short what, void *arg);
static void connect_next(struct tcp *t);
static void arm_confirm(struct tcp *t);

static int
resolve(struct tcp *t, char **cause)
{
	return np_stream_resolve(t->s->host, t->s->port, &t->ai, &t->numeric, cause);
}

static void
close_conn(struct tcp *t)
{
	if (t->ev_write != NULL)
		event_free(t->ev_write);
	if (t->ev_read != NULL)
		event_free(t->ev_read);
	t->ev_write = t->ev_read = NULL;
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	t->connected = false;
	evtimer_del(t->deadline);
	evtimer_del(t->confirm);
}

static bool
busy(const struct tcp *t)
{
	return t->nq > t->q0 || np_confirm_waiting(&t->conf) > 0;
}

/* Everything in flight is lost: the owner is told once and sends it all again later. */
static void
fail(struct tcp *t, const char *what)
{
	struct np_sink *s = t->s;
	close_conn(t);
	/* A name is looked up again after a failure: the server may have moved. */
	if (!t->numeric && t->ai != NULL) {
		freeaddrinfo(t->ai);
		t->ai = NULL;
	}
	t->wlen = t->woff = 0;
	t->nq = t->q0 = 0;
	np_confirm_reset(&t->conf);
	char *msg = np_xasprintf("%s: %s", s->key, what);
	np_sink_failed(s, msg);
	free(msg);
}

static void
arm_ms(struct event *ev, int64_t ms)
{
	if (ms < 0)
		ms = 0;
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
	evtimer_add(ev, &tv);
}

static void
room_check(struct tcp *t)
{
	np_sink_wake(t->s); /* heard by the owner only if it waits and there is room */
}

/* Messages whose last byte reached the kernel move to the written list. */
static void
account_written(struct tcp *t)
{
	int64_t now = np_mono_ms();
	bool any = false;
	while (t->q0 < t->nq && t->q[t->q0].end <= t->woff) {
		np_confirm_add(&t->conf, t->q[t->q0].tag, now);
		t->q0++;
		any = true;
	}
	if (t->q0 == t->nq) {
		t->q0 = t->nq = 0;
		t->wlen = t->woff = 0;
	}
	if (any)
		arm_confirm(t);
}

static void
try_write(struct tcp *t)
{
	while (t->woff < t->wlen) {
		ssize_t n =
		    send(t->fd, t->wbuf + t->woff, t->wlen - t->woff, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n >= 0) {
			t->woff += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			account_written(t);
			event_add(t->ev_write, NULL);
			if (!evtimer_pending(t->deadline, NULL))
				arm_ms(t->deadline, t->s->timeout_ms);
			room_check(t);
			return;
		}
		fail(t, strerror(errno));
		return;
	}
	evtimer_del(t->deadline);
	account_written(t);
	room_check(t);
}

static void
connected(struct tcp *t)
{
	t->connected = true;
	event_free(t->ev_write);
	t->ev_write = event_new(t->s->base, t->fd, EV_WRITE, on_write, t);
	t->ev_read = event_new(t->s->base, t->fd, EV_READ | EV_PERSIST, on_read, t);
	event_add(t->ev_read, NULL);
	evtimer_del(t->deadline);
	try_write(t);
}

/* Tries t->cur and the addresses after it until one connects or is in progress. */
static void
connect_next(struct tcp *t)
{
	bool now;
	int err;
	t->fd = np_stream_connect(&t->cur, &now, &err);
	if (t->fd < 0) {
		fail(t, strerror(err));
		return;
	}
	t->ev_write = event_new(t->s->base, t->fd, EV_WRITE, on_write, t);
	if (now) {
		connected(t);
		return;
	}
	event_add(t->ev_write, NULL);
	arm_ms(t->deadline, t->s->timeout_ms);
}

static void
on_write(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	struct tcp *t = arg;
	if (t->connected) {
		try_write(t);
		return;
	}
	int err = np_stream_connect_result(fd);
	if (err == 0) {
		connected(t);
		return;
	}
	close_conn(t);
	t->cur = t->cur->ai_next;
	if (t->cur == NULL) {
		fail(t, strerror(err));
		return;
	}
	connect_next(t);
}

/* Drains what the peer sends (syslog receivers send nothing); false when it is gone. */
static bool
drain(int fd, int *err)
{
	char buf[512];
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0)
			continue;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		*err = n == 0 ? ECONNRESET : errno;
		return false;
	}
}

static void
on_read(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	struct tcp *t = arg;
	int err;
	if (drain(fd, &err))
		return;
	if (busy(t))
		fail(t, err == ECONNRESET ? "connection closed by the receiver" : strerror(err));
	else
		close_conn(t); /* idle: the next send connects again */
}

/* A look at the send queue soon after a write (confirm.c then says when to look again). */
static void
arm_confirm(struct tcp *t)
{
	if (np_confirm_waiting(&t->conf) == 0 || evtimer_pending(t->confirm, NULL))
		return;
	arm_ms(t->confirm, 0);
}

static void
confirmed(void *arg, int64_t tag)
{
	struct tcp *t = arg;
	np_sink_delivered(t->s, tag);
}

/*
 * Written messages are delivered once the peer's kernel has acknowledged every byte and the
 * connection stayed open confirm_after; a send queue that does not drain within the timeout is
 * a hung receiver (or path): everything in flight fails.
 */
static void
on_confirm(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct tcp *t = arg;
	int err;
	if (t->fd < 0 || np_confirm_waiting(&t->conf) == 0)
		return;
	if (!drain(t->fd, &err)) {
		fail(t, err == ECONNRESET ? "connection closed by the receiver" : strerror(err));
		return;
	}
	int64_t next;
	enum np_confirm_verdict v =
	    np_confirm_check(&t->conf, np_sock_outq(t->fd), np_mono_ms(), t->s->confirm_after_ms,
	                     t->s->timeout_ms, confirmed, t, &next);
	if (v == NP_CONFIRM_STUCK) {
		char what_s[96];
		snprintf(what_s, sizeof(what_s),
		         "the receiver has acknowledged nothing for %lld ms", (long long)next);
		fail(t, what_s);
		return;
	}
	if (next >= 0)
		arm_ms(t->confirm, next);
	room_check(t);
}

static void
on_deadline(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct tcp *t = arg;
	char what_s[64];
	snprintf(what_s, sizeof(what_s), "%s timed out after %lld ms",
	         t->connected ? "write" : "connect", (long long)t->s->timeout_ms);
	fail(t, what_s);
}

static int
tcp_open(struct np_sink *s, char **cause)
{
	struct tcp *t = np_xcalloc(1, sizeof(*t));
	t->s = s;
	t->fd = -1;
	t->msg = np_xmalloc(s->max_len + 1);
	t->deadline = evtimer_new(s->base, on_deadline, t);
	t->confirm = evtimer_new(s->base, on_confirm, t);
	if (t->deadline == NULL || t->confirm == NULL) {
		if (t->deadline != NULL)
			event_free(t->deadline);
		if (t->confirm != NULL)
			event_free(t->confirm);
		free(t->msg);
		free(t);
		np_cause(cause, "cannot create a timer");
		return -1;
	}
	np_confirm_init(&t->conf);
	s->impl = t;
	return 0;
}

static void
tcp_close(struct np_sink *s)
{
	struct tcp *t = s->impl;
	close_conn(t);
	event_free(t->deadline);
	event_free(t->confirm);
	if (t->ai != NULL)
		freeaddrinfo(t->ai);
	free(t->msg);
	free(t->wbuf);
	free(t->q);
	np_confirm_free(&t->conf);
	free(t);
}

static bool
tcp_ready(const struct np_sink *s)
{
	const struct tcp *t = s->impl;
	return t->wlen - t->woff < WRITE_AHEAD && np_confirm_waiting(&t->conf) < CONFIRM_AHEAD;
}

static void
append(struct tcp *t, const char *msg, size_t n, int64_t tag)
{
	char hdr[24];
	int h = snprintf(hdr, sizeof(hdr), "%zu ", n);
	size_t need = t->wlen + (size_t)h + n;
	if (need > t->wcap) {
		t->wcap = need > t->wcap * 2 ? need : t->wcap * 2;
		t->wbuf = np_xreallocarray(t->wbuf, t->wcap, 1);
	}
	memcpy(t->wbuf + t->wlen, hdr, (size_t)h);
	memcpy(t->wbuf + t->wlen + (size_t)h, msg, n);
	t->wlen = need;
	if (t->nq == t->capq) {
		t->capq = t->capq ? t->capq * 2 : 64;
		t->q = np_xreallocarray(t->q, t->capq, sizeof(*t->q));
	}
	t->q[t->nq++] = (struct queued){.tag = tag, .end = t->wlen};
}

static int
tcp_send(struct np_sink *s, const struct np_alert *a, int64_t tag, char **cause)
{
	struct tcp *t = s->impl;
	int n = np_sink_render(s, a, t->msg, s->max_len + 1, cause);
	if (n < 0)
		return -1;
	int err;
	if (t->fd >= 0 && t->connected && !busy(t) && !drain(t->fd, &err))
		close_conn(t); /* closed while idle and the loop has not noticed yet */
	append(t, t->msg, (size_t)n, tag);
	if (t->connected) {
		try_write(t);
		return 0;
	}
	if (t->fd >= 0)
		return 0; /* connecting: written when connected */
	char *why = NULL;
	if (t->ai == NULL && resolve(t, &why) == -1) {
		fail(t, why);
		free(why);
		return 0;
	}
	t->cur = t->ai;
	connect_next(t);
	return 0;
}

const struct sink_ops np_sink_tcp_ops = {
    .open = tcp_open,
    .close = tcp_close,
    .send = tcp_send,
    .ready = tcp_ready,
};
