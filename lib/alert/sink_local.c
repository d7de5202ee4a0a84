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
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

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

static int
local_open(struct np_sink *s, char **cause)
{
	const char *path = s->path != NULL ? s->path : NP_LOCAL_LOG_SOCKET;
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
local_send(struct np_sink *s, const struct np_alert *a, int64_t tag, char **cause)
{
	struct local *l = s->impl;
	int n = np_rfc3164_local_format(a, &s->hdr, s->max_len, l->buf, s->max_len + 1);
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
		np_sink_failed(s, msg);
		free(msg);
		return 0;
	}
	np_sink_delivered(s, tag);
	return 0;
}

const struct sink_ops np_sink_local_ops = {
    .open = local_open,
    .close = local_close,
    .send = local_send,
};
