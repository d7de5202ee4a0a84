/*
 * Local syslog: one datagram per alert to the system logger's socket (/dev/log unless the
 * config names another), "<PRI>Mmm dd hh:mm:ss netpulse[PID]: text", the form syslog(3)
 * writes there. openlog()/syslog(3) are not used: their ident, facility and connection are
 * process-wide, and belong to the daemon's own log (which keeps "netpulsed" and its facility
 * whatever the sinks say). The socket is non-blocking and unconnected, so a logger that
 * restarted (a new socket at the same path) is found again by the next send; a logger that is
 * absent or full fails the send, and the alert stays in the outbox for the retry.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "alert/fields.h"
#include "alert/rfc3164.h"
#include "alert/sink_impl.h"
#include "util/cause.h"
#include "util/xmalloc.h"

struct local {
	int fd;
	struct sockaddr_un addr;
	socklen_t addrlen;
	char *buf; /* max_len + 1 */
};

/* RFC 3164 TIMESTAMP in local time, as syslog(3) writes it: "Dec  1 09:00:00". */
static bool
local_stamp(int64_t time_ms, char *buf, size_t size)
{
	static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t t = (time_t)(time_ms >= 0 ? time_ms / 1000 : (time_ms - 999) / 1000);
	struct tm tm;
	if (localtime_r(&t, &tm) == NULL || tm.tm_mon < 0 || tm.tm_mon > 11)
		return false;
	int n = snprintf(buf, size, "%s %2d %02d:%02d:%02d", months[tm.tm_mon], tm.tm_mday,
	                 tm.tm_hour, tm.tm_min, tm.tm_sec);
	return n > 0 && (size_t)n < size;
}

/* "<PRI>TIMESTAMP netpulse[PID]: <np_alert_flat text>"; the length, or -1 if it cannot fit. */
static int
render(const struct np_sink *s, const struct np_alert *a, char *buf, size_t bufsize)
{
	char ts[32];
	int head;
	if (local_stamp(a->time_ms, ts, sizeof(ts)))
		head = snprintf(buf, bufsize,
		                "<%d>%s %s[%ld]: ", np_syslog_pri(s->hdr.facility, a->severity), ts,
		                s->hdr.app_name, s->hdr.procid);
	else
		head = snprintf(buf, bufsize,
		                "<%d>%s[%ld]: ", np_syslog_pri(s->hdr.facility, a->severity),
		                s->hdr.app_name, s->hdr.procid);
	if (head < 0 || (size_t)head >= s->max_len || (size_t)head >= bufsize)
		return -1;
	int n = np_alert_flat(a, s->max_len - (size_t)head, buf + head, bufsize - (size_t)head);
	return n < 0 ? -1 : head + n;
}

static int
local_open(struct np_sink *s, char **cause)
{
	const char *path = s->path != NULL ? s->path : NP_SINK_LOCAL_SOCKET;
	struct local *l = np_xcalloc(1, sizeof(*l));
	l->addr.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(l->addr.sun_path)) {
		np_cause(cause, "socket path %s is longer than %zu bytes", path,
		         sizeof(l->addr.sun_path) - 1);
		free(l);
		return -1;
	}
	memcpy(l->addr.sun_path, path, strlen(path) + 1);
	l->addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
	l->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0) {
		np_cause(cause, "socket: %s", strerror(errno));
		free(l);
		return -1;
	}
	l->buf = np_xmalloc(s->max_len + 1);
	s->impl = l;
	return 0;
}

static void
local_close(struct np_sink *s)
{
	struct local *l = s->impl;
	close(l->fd);
	free(l->buf);
	free(l);
}

static int
local_send(struct np_sink *s, const struct np_alert *a, char **cause)
{
	struct local *l = s->impl;
	int n = render(s, a, l->buf, s->max_len + 1);
	if (n < 0) {
		np_cause(cause, "alert does not fit in %zu bytes", s->max_len);
		return -1;
	}
	ssize_t w;
	do
		w = sendto(l->fd, l->buf, (size_t)n, MSG_NOSIGNAL, (struct sockaddr *)&l->addr,
		           l->addrlen);
	while (w < 0 && errno == EINTR);
	if (w != n) {
		int e = w < 0 ? errno : EMSGSIZE;
		char *msg =
		    np_xasprintf("%s: %s%s", l->addr.sun_path, strerror(e),
		                 e == EAGAIN || e == ENOBUFS ? " (the logger is behind)" : "");
		np_sink_finish(s, -1, msg);
		free(msg);
		return 0;
	}
	np_sink_finish(s, 0, NULL);
	return 0;
}

const struct sink_ops np_sink_local_ops = {
    .open = local_open,
    .close = local_close,
    .send = local_send,
};
