/*
 * Remote syslog over RELP (rsyslog's imrelp; frames in relp.c). One connection on the
 * daemon's event_base, non-blocking throughout: connect, "open" with our offers, wait for its
 * "rsp 200", then "syslog" commands pipelined up to `window` unacknowledged. Each "rsp 200"
 * to a syslog command reports its tag delivered, in send order. A non-200 rsp, the server's
 * "serverclose" or EOF while something is outstanding, a malformed frame, a socket error, or
 * `timeout` without progress (connect + open; or no rsp while alerts are outstanding) closes
 * the connection and reports failed: the owner sends the undelivered alerts again on a new
 * connection (txnr starts at 1 again). An idle connection the server closes is just closed;
 * the next send reconnects.
 *
 * Why not librelp itself: its client waits for the open response and for window room in
 * poll() inside relpCltSendSyslog, which would stall the daemon's loop; the protocol is small
 * enough to speak here, driven by the loop.
 *
 * Names are resolved with getaddrinfo at creation and after a failure (as sink_tcp.c): a
 * numeric address never blocks, a name may block the loop for one lookup.
 */
#include <errno.h>
#include <event2/event.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "alert/relp.h"
#include "alert/sink_impl.h"
#include "alert/stream.h"
#include "util/cause.h"
#include "util/xmalloc.h"

#define WINDOW_MAX 65536
#define OPEN_TXNR 1

enum conn { C_IDLE, C_CONNECTING, C_OPENING, C_OPEN };

struct relp {
	struct np_sink *s;
	struct addrinfo *ai, *cur; /* resolved addresses; the one being tried */
	bool numeric;
	int fd;
	enum conn st;
	struct event *ev_write; /* connect completion / room to write */
	struct event *ev_read;
	struct event *timer;
	struct np_relp_parser *parser;
	char *out; /* frames not written yet */
	size_t outlen, outoff, outcap;
	char *held; /* the first syslog frame, written once the open is answered */
	size_t heldlen;
	/* Syslog commands sent and not acknowledged: txnr first + i has tags[(head + i) % cap]. */
	int64_t *tags;
	bool *acked;
	size_t cap, head, count;
	uint32_t first; /* txnr of the oldest outstanding */
	uint32_t next;  /* txnr of the next command; 0 = the connection has used them all */
	char *msg;      /* max_len + 1: the rendered message */
	bool last_ready;
	unsigned failures; /* reported so far */
};

static void on_write(evutil_socket_t fd, short what, void *arg);
static void on_read(evutil_socket_t fd, short what, void *arg);
static bool relp_ready(const struct np_sink *s);

static int
resolve(struct relp *r, char **cause)
{
	return np_stream_resolve(r->s->host, r->s->port, &r->ai, &r->numeric, cause);
}

static void
close_conn(struct relp *r)
{
	if (r->ev_write != NULL)
		event_free(r->ev_write);
	if (r->ev_read != NULL)
		event_free(r->ev_read);
	r->ev_write = r->ev_read = NULL;
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->st = C_IDLE;
	evtimer_del(r->timer);
	r->outlen = r->outoff = 0;
	r->heldlen = 0;
	r->head = r->count = 0;
	r->first = r->next = 0;
	np_relp_parser_reset(r->parser);
}

/* Reports the sink's readiness when it came back (after a full window or a partial write). */
static void
update_ready(struct relp *r)
{
	bool now = relp_ready(r->s);
	if (now && !r->last_ready)
		np_sink_wake(r->s);
	r->last_ready = now;
}

/* Closes the connection and reports every outstanding send lost: "KEY: why". */
static void fail(struct relp *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
fail(struct relp *r, const char *fmt, ...)
{
	struct np_sink *s = r->s;
	close_conn(r);
	/* A name is looked up again after a failure: the server may have moved. */
	if (!r->numeric && r->ai != NULL) {
		freeaddrinfo(r->ai);
		r->ai = NULL;
	}
	char what[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	char *msg = np_xasprintf("%s: %s", s->key, what);
	r->failures++;
	np_sink_failed(s, msg);
	free(msg);
	r->last_ready = relp_ready(s);
}

static void
arm_timer(struct relp *r)
{
	int64_t ms = r->s->timeout_ms;
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
	evtimer_add(r->timer, &tv);
}

static void
out_reserve(struct relp *r, size_t more)
{
	if (r->outoff > 0 && r->outoff == r->outlen)
		r->outoff = r->outlen = 0;
	if (r->outlen + more <= r->outcap)
		return;
	if (r->outoff > 0) {
		memmove(r->out, r->out + r->outoff, r->outlen - r->outoff);
		r->outlen -= r->outoff;
		r->outoff = 0;
	}
	if (r->outlen + more > r->outcap) {
		r->outcap = r->outlen + more;
		r->out = np_xreallocarray(r->out, r->outcap, 1);
	}
}

/* Writes what it can of r->out; false when the connection failed (reported). */
static bool
try_write(struct relp *r)
{
	while (r->outoff < r->outlen) {
		ssize_t n = send(r->fd, r->out + r->outoff, r->outlen - r->outoff,
		                 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n >= 0) {
			r->outoff += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			event_add(r->ev_write, NULL);
			return true;
		}
		fail(r, "write: %s", strerror(errno));
		return false;
	}
	r->outoff = r->outlen = 0;
	return true;
}

static void
connected(struct relp *r)
{
	r->st = C_OPENING;
	event_free(r->ev_write);
	r->ev_write = event_new(r->s->base, r->fd, EV_WRITE, on_write, r);
	r->ev_read = event_new(r->s->base, r->fd, EV_READ | EV_PERSIST, on_read, r);
	event_add(r->ev_read, NULL);
	try_write(r);
}

/* Tries r->cur and the addresses after it until one connects or is in progress. */
static void
connect_next(struct relp *r)
{
	bool now;
	int err;
	r->fd = np_stream_connect(&r->cur, &now, &err);
	if (r->fd < 0) {
		fail(r, "connect: %s", strerror(err));
		return;
	}
	r->st = C_CONNECTING;
	r->ev_write = event_new(r->s->base, r->fd, EV_WRITE, on_write, r);
	if (now)
		connected(r);
	else
		event_add(r->ev_write, NULL);
}

static void
on_write(evutil_socket_t fd, short what, void *arg)
{
	struct relp *r = arg;
	if (r->st != C_CONNECTING) {
		if (try_write(r))
			update_ready(r);
		return;
	}
	int err = np_stream_connect_result(fd);
	if (err == 0) {
		connected(r);
		return;
	}
	event_free(r->ev_write);
	r->ev_write = NULL;
	close(r->fd);
	r->fd = -1;
	r->cur = r->cur->ai_next;
	if (r->cur == NULL) {
		fail(r, "connect: %s", strerror(err));
		return;
	}
	connect_next(r);
}

/* Adds the frame of a syslog command with txnr r->next for tag; false if it cannot be made. */
static bool
queue_syslog(struct relp *r, const char *msg, size_t len, int64_t tag, bool hold)
{
	size_t need = len + NP_RELP_FRAME_OVERHEAD;
	long n;
	if (hold) {
		r->held = np_xreallocarray(r->held, need, 1);
		n = np_relp_syslog(r->held, need, r->next, msg, len);
		r->heldlen = n > 0 ? (size_t)n : 0;
	} else {
		out_reserve(r, need);
		n = np_relp_syslog(r->out + r->outlen, need, r->next, msg, len);
		if (n > 0)
			r->outlen += (size_t)n;
	}
	if (n <= 0)
		return false;
	if (r->count == 0)
		r->first = r->next;
	size_t i = (r->head + r->count) % r->cap;
	r->tags[i] = tag;
	r->acked[i] = false;
	r->count++;
	r->next = np_relp_next_txnr(r->next);
	return true;
}

/* The server answered the open. */
static void
opened(struct relp *r, const struct np_relp_frame *f)
{
	if (f->status != 200) {
		fail(r, "the server refused the session: %03d %s", f->status, f->text);
		return;
	}
	char *why = NULL;
	if (np_relp_check_offers(f->cmddata, f->cmddatalen, &why) == -1) {
		fail(r, "%s", why);
		free(why);
		return;
	}
	r->st = C_OPEN;
	if (r->heldlen > 0) {
		out_reserve(r, r->heldlen);
		memcpy(r->out + r->outlen, r->held, r->heldlen);
		r->outlen += r->heldlen;
		r->heldlen = 0;
		if (!try_write(r))
			return;
	}
	if (r->count > 0)
		arm_timer(r);
	else
		evtimer_del(r->timer);
}

/* The server answered syslog command f->txnr; delivered: the acknowledged prefix. */
static void
acked(struct relp *r, const struct np_relp_frame *f)
{
	uint32_t off = f->txnr - r->first;
	if (r->count == 0 || f->txnr < r->first || off >= r->count ||
	    r->acked[(r->head + off) % r->cap]) {
		fail(r, "protocol error: a response to txnr %u, which is not outstanding",
		     (unsigned)f->txnr);
		return;
	}
	if (f->status != 200) {
		fail(r, "the server refused an alert (txnr %u): %03d %s", (unsigned)f->txnr,
		     f->status, f->text);
		return;
	}
	r->acked[(r->head + off) % r->cap] = true;
	bool progress = false;
	while (r->count > 0 && r->acked[r->head]) {
		np_sink_delivered(r->s, r->tags[r->head]);
		r->head = (r->head + 1) % r->cap;
		r->count--;
		r->first++;
		progress = true;
	}
	if (r->count == 0) {
		r->head = 0;
		evtimer_del(r->timer);
		if (r->next == 0)
			close_conn(r); /* every txnr used: the next send opens a new session */
	} else if (progress) {
		arm_timer(r);
	}
}

/* One frame from the server; false when the connection is gone. */
static bool
frame(struct relp *r, const struct np_relp_frame *f)
{
	if (strcmp(f->command, "rsp") == 0) {
		if (r->st == C_OPENING && f->txnr == OPEN_TXNR)
			opened(r, f);
		else if (r->st == C_OPEN && f->txnr != 0)
			acked(r, f);
		else
			fail(r, "protocol error: a response to txnr %u, which is not outstanding",
			     (unsigned)f->txnr);
		return r->st != C_IDLE;
	}
	if (strcmp(f->command, "serverclose") == 0) {
		if (r->st == C_OPEN && r->count == 0)
			close_conn(r);
		else
			fail(r,
			     "the server closed the session (serverclose) with %zu alert(s) "
			     "unacknowledged",
			     r->count);
		return false;
	}
	if (f->txnr == 0)
		return true; /* a hint we do not know: hints may be ignored */
	fail(r, "protocol error: the server sent command \"%s\" (txnr %u)", f->command,
	     (unsigned)f->txnr);
	return false;
}

/* Reads and handles what the server sent; false when the connection is gone. */
static bool
read_input(struct relp *r)
{
	char buf[4096];
	for (;;) {
		ssize_t n = recv(r->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (n <= 0) {
			if (r->st == C_OPEN && r->count == 0 && r->heldlen == 0) {
				close_conn(r); /* an idle session the server ended */
				return false;
			}
			if (n == 0)
				fail(r,
				     "the server closed the connection with %zu alert(s) "
				     "unacknowledged",
				     r->count);
			else
				fail(r, "read: %s", strerror(errno));
			return false;
		}
		size_t off = 0;
		while (off < (size_t)n) {
			struct np_relp_frame f;
			size_t used;
			char *why = NULL;
			enum np_relp_result res =
			    np_relp_parse(r->parser, buf + off, (size_t)n - off, &used, &f, &why);
			off += used;
			if (res == NP_RELP_ERROR) {
				fail(r, "%s", why);
				free(why);
				return false;
			}
			if (res == NP_RELP_MORE)
				break;
			if (!frame(r, &f))
				return false;
		}
	}
}

static void
on_read(evutil_socket_t fd, short what, void *arg)
{
	struct relp *r = arg;
	read_input(r);
	update_ready(r);
}

static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct relp *r = arg;
	long long ms = (long long)r->s->timeout_ms;
	switch (r->st) {
	case C_CONNECTING:
		fail(r, "connect timed out after %lld ms", ms);
		break;
	case C_OPENING:
		fail(r, "no response to open after %lld ms", ms);
		break;
	default:
		fail(r, "no acknowledgement for %lld ms (%zu alert(s) outstanding)", ms, r->count);
		break;
	}
}

static int
relp_open(struct np_sink *s, char **cause)
{
	struct relp *r = np_xcalloc(1, sizeof(*r));
	r->s = s;
	r->fd = -1;
	r->cap = s->window > 0 ? (size_t)s->window : 128;
	if (r->cap > WINDOW_MAX)
		r->cap = WINDOW_MAX;
	r->tags = np_xreallocarray(NULL, r->cap, sizeof(*r->tags));
	r->acked = np_xcalloc(r->cap, sizeof(*r->acked));
	r->msg = np_xmalloc(s->max_len + 1);
	r->parser = np_relp_parser_new(0);
	r->timer = evtimer_new(s->base, on_timeout, r);
	if (r->timer == NULL) {
		np_relp_parser_free(r->parser);
		free(r->msg);
		free(r->acked);
		free(r->tags);
		free(r);
		np_cause(cause, "cannot create a timer");
		return -1;
	}
	r->last_ready = true;
	s->impl = r;
	(void)resolve(r, NULL); /* not fatal: the next send tries again */
	return 0;
}

static void
relp_close(struct np_sink *s)
{
	struct relp *r = s->impl;
	if (r->st == C_OPEN && r->outoff == r->outlen && r->next != 0) {
		/* Best effort, not waited for: the server ends the session either way. */
		char fr[32];
		long n = np_relp_close(fr, sizeof(fr), r->next);
		if (n > 0)
			(void)send(r->fd, fr, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	}
	close_conn(r);
	event_free(r->timer);
	if (r->ai != NULL)
		freeaddrinfo(r->ai);
	np_relp_parser_free(r->parser);
	free(r->out);
	free(r->held);
	free(r->msg);
	free(r->acked);
	free(r->tags);
	free(r);
}

static bool
relp_ready(const struct np_sink *s)
{
	const struct relp *r = s->impl;
	if (r->st == C_IDLE)
		return true;
	return r->st == C_OPEN && r->count < r->cap && r->outoff == r->outlen && r->next != 0;
}

/* Starts a session carrying its first alert (msg, tag): open now, the alert when answered. */
static void
start(struct relp *r, const char *msg, size_t len, int64_t tag)
{
	r->next = OPEN_TXNR;
	out_reserve(r, 512);
	long n = np_relp_open(r->out + r->outlen, 512, r->next, NP_VERSION);
	if (n <= 0) {
		fail(r, "cannot build the RELP open frame");
		return;
	}
	r->outlen += (size_t)n;
	r->next = np_relp_next_txnr(r->next);
	if (!queue_syslog(r, msg, len, tag, true)) {
		fail(r, "cannot build the RELP syslog frame");
		return;
	}
	arm_timer(r);
	char *why = NULL;
	if (r->ai == NULL && resolve(r, &why) == -1) {
		fail(r, "%s", why);
		free(why);
		return;
	}
	r->cur = r->ai;
	connect_next(r);
}

static int
relp_send(struct np_sink *s, const struct np_alert *a, int64_t tag, char **cause)
{
	struct relp *r = s->impl;
	if (!relp_ready(s)) {
		np_cause(cause, "not ready");
		return -1;
	}
	int n = np_sink_render(s, a, r->msg, s->max_len + 1, cause);
	if (n < 0)
		return -1;
	/* A session the server ended while idle, and the loop has not noticed yet. */
	if (r->st == C_OPEN && r->count == 0) {
		unsigned failures = r->failures;
		read_input(r);
		if (r->failures != failures)
			return 0; /* taken: failed (reported after this call) covers it */
	}
	if (r->st == C_IDLE) {
		start(r, r->msg, (size_t)n, tag);
	} else {
		bool first = r->count == 0;
		if (!queue_syslog(r, r->msg, (size_t)n, tag, false)) {
			np_cause(cause, "cannot build the RELP frame");
			return -1;
		}
		if (first)
			arm_timer(r);
		try_write(r);
	}
	r->last_ready = relp_ready(s);
	return 0;
}

const struct sink_ops np_sink_relp_ops = {
    .open = relp_open,
    .close = relp_close,
    .send = relp_send,
    .ready = relp_ready,
};
