/*
 * Remote syslog over UDP (RFC 5426): one datagram per alert, sendto on a non-blocking socket.
 * The address is resolved at creation and again after a failure when the host is a name
 * (getaddrinfo: numeric addresses never block; a name may, once per resolution).
 */
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "alert/sink_impl.h"
#include "util/cause.h"
#include "util/xmalloc.h"

struct udp {
	int fd;
	struct addrinfo *ai; /* first result used; NULL until resolved */
	bool numeric;
	char *buf; /* max_len + 1 */
};

static int
resolve(struct np_sink *s, struct udp *u, char **cause)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM};
	hints.ai_flags = AI_NUMERICHOST;
	int rc = getaddrinfo(s->host, s->port, &hints, &u->ai);
	if (rc == 0) {
		u->numeric = true;
		return 0;
	}
	hints.ai_flags = 0;
	rc = getaddrinfo(s->host, s->port, &hints, &u->ai);
	if (rc != 0) {
		u->ai = NULL;
		np_cause(cause, "cannot resolve %s port %s: %s", s->host, s->port,
		         gai_strerror(rc));
		return -1;
	}
	return 0;
}

static void
drop_socket(struct udp *u)
{
	if (u->fd >= 0)
		close(u->fd);
	u->fd = -1;
	if (!u->numeric && u->ai != NULL) {
		freeaddrinfo(u->ai);
		u->ai = NULL;
	}
}

static int
udp_open(struct np_sink *s, char **cause)
{
	struct udp *u = np_xcalloc(1, sizeof(*u));
	u->fd = -1;
	u->buf = np_xmalloc(s->max_len + 1);
	s->impl = u;
	/* A name that does not resolve yet is not fatal: the next send tries again. */
	(void)resolve(s, u, NULL);
	return 0;
}

static void
udp_close(struct np_sink *s)
{
	struct udp *u = s->impl;
	if (u->fd >= 0)
		close(u->fd);
	if (u->ai != NULL)
		freeaddrinfo(u->ai);
	free(u->buf);
	free(u);
}

static void
fail(struct np_sink *s, const char *what)
{
	char *msg = np_xasprintf("%s: %s", s->key, what);
	np_sink_failed(s, msg);
	free(msg);
}

static int
udp_send(struct np_sink *s, const struct np_alert *a, int64_t tag, char **cause)
{
	struct udp *u = s->impl;
	int n = np_sink_render(s, a, u->buf, s->max_len + 1, cause);
	if (n < 0)
		return -1;
	char *why = NULL;
	if (u->ai == NULL && resolve(s, u, &why) == -1) {
		fail(s, why);
		free(why);
		return 0;
	}
	if (u->fd < 0) {
		u->fd = socket(u->ai->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (u->fd < 0) {
			int e = errno;
			drop_socket(u);
			fail(s, strerror(e));
			return 0;
		}
	}
	ssize_t w;
	do
		w = sendto(u->fd, u->buf, (size_t)n, MSG_NOSIGNAL, u->ai->ai_addr,
		           u->ai->ai_addrlen);
	while (w < 0 && errno == EINTR);
	if (w != n) {
		int e = w < 0 ? errno : EMSGSIZE;
		drop_socket(u);
		fail(s, strerror(e));
		return 0;
	}
	np_sink_delivered(s, tag);
	return 0;
}

const struct sink_ops np_sink_udp_ops = {
    .open = udp_open,
    .close = udp_close,
    .send = udp_send,
};
