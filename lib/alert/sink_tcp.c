/*
 * Remote syslog over TCP with RFC 6587 octet counting ("LEN SP MSG"). One connection, kept
 * open and reused; connect and write are non-blocking, driven by events on the daemon's
 * event_base, and bounded by one timer per send. Any failure closes the connection so the
 * next send reconnects. A send on a reused connection that turns out dead is retried once on
 * a fresh connection (a syslog server restart is normal, not an error to report).
 * Names are resolved with getaddrinfo at creation and after a failure: a numeric address
 * never blocks, a name may block the loop for one lookup.
 */
#include <errno.h>
#include <event2/event.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "alert/sink_impl.h"
#include "util/cause.h"
#include "util/xmalloc.h"

struct tcp {
	struct np_sink *s;
	struct addrinfo *ai, *cur; /* resolved addresses; the one being tried */
	bool numeric;
	int fd;
	bool connected;
	bool reused;            /* this send started on an existing connection */
	struct event *ev_write; /* connect completion / room to write */
	struct event *ev_read;  /* notices the peer closing an idle connection */
	struct event *timer;
	char *out; /* the framed message */
	size_t outlen, outoff;
	char *msg; /* max_len + 1: the rendered message */
};

static void on_write(evutil_socket_t fd, short what, void *arg);
static void on_read(evutil_socket_t fd, short what, void *arg);
static void connect_next(struct tcp *t);

static int
resolve(struct tcp *t, char **cause)
{
	struct np_sink *s = t->s;
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	hints.ai_flags = AI_NUMERICHOST;
	if (getaddrinfo(s->host, s->port, &hints, &t->ai) == 0) {
		t->numeric = true;
		return 0;
	}
	hints.ai_flags = 0;
	int rc = getaddrinfo(s->host, s->port, &hints, &t->ai);
	if (rc != 0) {
		t->ai = NULL;
		np_cause(cause, "cannot resolve %s port %s: %s", s->host, s->port,
		         gai_strerror(rc));
		return -1;
	}
	return 0;
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
}

/* Ends the send in flight. Must be the transport's last action: done may free the sink. */
static void
finish(struct tcp *t, int ok, const char *what)
{
	struct np_sink *s = t->s;
	evtimer_del(t->timer);
	if (ok == 0) {
		np_sink_finish(s, 0, NULL);
		return;
	}
	close_conn(t);
	/* A name is looked up again after a failure: the server may have moved. */
	if (!t->numeric && t->ai != NULL) {
		freeaddrinfo(t->ai);
		t->ai = NULL;
	}
	char *msg = np_xasprintf("%s: %s", s->key, what);
	np_sink_finish(s, -1, msg);
	free(msg);
}

/* A dead reused connection gets one fresh try; anything else is the send's failure. */
static void
conn_failed(struct tcp *t, int err)
{
	if (t->reused && t->ai != NULL) {
		t->reused = false;
		close_conn(t);
		t->outoff = 0;
		t->cur = t->ai;
		connect_next(t);
		return;
	}
	finish(t, -1, strerror(err));
}

static void
try_write(struct tcp *t)
{
	while (t->outoff < t->outlen) {
		ssize_t n = send(t->fd, t->out + t->outoff, t->outlen - t->outoff,
		                 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n >= 0) {
			t->outoff += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			event_add(t->ev_write, NULL);
			return;
		}
		conn_failed(t, errno);
		return;
	}
	finish(t, 0, NULL);
}

static void
connected(struct tcp *t)
{
	t->connected = true;
	event_free(t->ev_write);
	t->ev_write = event_new(t->s->base, t->fd, EV_WRITE, on_write, t);
	t->ev_read = event_new(t->s->base, t->fd, EV_READ | EV_PERSIST, on_read, t);
	event_add(t->ev_read, NULL);
	try_write(t);
}

/* Tries t->cur and the addresses after it until one connects or is in progress. */
static void
connect_next(struct tcp *t)
{
	int err = ECONNREFUSED;
	for (; t->cur != NULL; t->cur = t->cur->ai_next) {
		struct addrinfo *ai = t->cur;
		t->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		               ai->ai_protocol);
		if (t->fd < 0) {
			err = errno;
			continue;
		}
		int rc;
		do
			rc = connect(t->fd, ai->ai_addr, ai->ai_addrlen);
		while (rc < 0 && errno == EINTR);
		if (rc == 0 || errno == EINPROGRESS) {
			t->ev_write = event_new(t->s->base, t->fd, EV_WRITE, on_write, t);
			if (rc == 0) {
				connected(t);
				return;
			}
			event_add(t->ev_write, NULL);
			return;
		}
		err = errno;
		close(t->fd);
		t->fd = -1;
	}
	finish(t, -1, strerror(err));
}

static void
on_write(evutil_socket_t fd, short what, void *arg)
{
	struct tcp *t = arg;
	if (t->connected) {
		try_write(t);
		return;
	}
	int err = 0;
	socklen_t len = sizeof(err);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err == 0) {
		connected(t);
		return;
	}
	close_conn(t);
	t->cur = t->cur->ai_next;
	if (t->cur == NULL) {
		finish(t, -1, strerror(err));
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
	struct tcp *t = arg;
	int err;
	if (drain(fd, &err))
		return;
	if (t->s->busy)
		conn_failed(t, err);
	else
		close_conn(t);
}

static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct tcp *t = arg;
	char what_s[64];
	snprintf(what_s, sizeof(what_s), "timed out after %lld ms", (long long)t->s->timeout_ms);
	finish(t, -1, what_s);
}

static int
tcp_open(struct np_sink *s, char **cause)
{
	struct tcp *t = np_xcalloc(1, sizeof(*t));
	t->s = s;
	t->fd = -1;
	t->msg = np_xmalloc(s->max_len + 1);
	t->out = np_xmalloc(s->max_len + 24);
	t->timer = evtimer_new(s->base, on_timeout, t);
	if (t->timer == NULL) {
		free(t->msg);
		free(t->out);
		free(t);
		np_cause(cause, "cannot create a timer");
		return -1;
	}
	s->impl = t;
	(void)resolve(t, NULL); /* not fatal: the next send tries again */
	return 0;
}

static void
tcp_close(struct np_sink *s)
{
	struct tcp *t = s->impl;
	close_conn(t);
	event_free(t->timer);
	if (t->ai != NULL)
		freeaddrinfo(t->ai);
	free(t->msg);
	free(t->out);
	free(t);
}

static int
tcp_send(struct np_sink *s, const struct np_alert *a, char **cause)
{
	struct tcp *t = s->impl;
	int n = np_sink_render(s, a, t->msg, s->max_len + 1, cause);
	if (n < 0)
		return -1;
	int hdr = snprintf(t->out, 24, "%d ", n);
	memcpy(t->out + hdr, t->msg, (size_t)n);
	t->outlen = (size_t)hdr + (size_t)n;
	t->outoff = 0;

	struct timeval tv = {.tv_sec = s->timeout_ms / 1000,
	                     .tv_usec = (s->timeout_ms % 1000) * 1000};
	evtimer_add(t->timer, &tv);
	int err;
	if (t->fd >= 0 && !drain(t->fd, &err))
		close_conn(t); /* closed while idle and the loop has not noticed yet */
	if (t->connected) {
		t->reused = true;
		try_write(t);
		return 0;
	}
	t->reused = false;
	char *why = NULL;
	if (t->ai == NULL && resolve(t, &why) == -1) {
		finish(t, -1, why);
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
};
