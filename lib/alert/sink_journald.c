/*
 * systemd-journald: one native-protocol datagram per alert (journal.h) to the journal's socket
 * (/run/systemd/journal/socket unless the config names another), so `journalctl
 * NETPULSE_MSGID=IFDOWN` or `NETPULSE_DEVICE=sw1` finds alerts by their fields. libsystemd is
 * not used: the protocol is a few lines, and the daemon needs no systemd to run.
 *
 * Like the local syslog sink, the socket is non-blocking and unconnected: no journal there
 * (a container, a host without systemd) or a full one fails the send and the alert stays in
 * the outbox for the retry; a restarted journald is found by the next send. An entry larger
 * than the socket takes in one datagram (EMSGSIZE: the send buffer, ~208 KiB by default; a
 * group summary of thousands of links) goes as journald's protocol allows for that: written to
 * a sealed memfd whose descriptor is passed in an otherwise empty datagram (SCM_RIGHTS).
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "alert/journal.h"
#include "alert/sink_impl.h"
#include "util/cause.h"
#include "util/xmalloc.h"

struct journald {
	int fd;
	struct sockaddr_un addr;
	socklen_t addrlen;
};

static int
journald_open(struct np_sink *s, char **cause)
{
	const char *path = s->path != NULL ? s->path : NP_JOURNAL_SOCKET;
	struct journald *j = np_xcalloc(1, sizeof(*j));
	j->addr.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(j->addr.sun_path)) {
		np_cause(cause, "socket path %s is longer than %zu bytes", path,
		         sizeof(j->addr.sun_path) - 1);
		free(j);
		return -1;
	}
	memcpy(j->addr.sun_path, path, strlen(path) + 1);
	j->addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
	j->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (j->fd < 0) {
		np_cause(cause, "socket: %s", strerror(errno));
		free(j);
		return -1;
	}
	s->impl = j;
	return 0;
}

static void
journald_close(struct np_sink *s)
{
	struct journald *j = s->impl;
	close(j->fd);
	free(j);
}

/* The entry in a sealed memfd, its descriptor sent alone. 0, or -1 with errno. */
static int
send_memfd(struct journald *j, const char *buf, size_t len)
{
	int mfd = memfd_create("netpulse-journal", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return -1;
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(mfd, buf + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		off += (size_t)w;
	}
	/* journald takes only a sealed memfd (it must not change under it). */
	if (fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) == -1)
		goto fail;
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	memset(&ctl, 0, sizeof(ctl));
	struct msghdr mh = {
	    .msg_name = &j->addr,
	    .msg_namelen = j->addrlen,
	    .msg_control = ctl.buf,
	    .msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &mfd, sizeof(int));
	ssize_t r;
	do
		r = sendmsg(j->fd, &mh, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		goto fail;
	close(mfd);
	return 0;
fail:;
	int e = errno;
	close(mfd);
	errno = e;
	return -1;
}

static int
journald_send(struct np_sink *s, const struct np_alert *a, int64_t tag, char **cause)
{
	struct journald *j = s->impl;
	size_t len;
	char *buf = np_journal_format(a, s->hdr.facility, &len);
	ssize_t w;
	do
		w = sendto(j->fd, buf, len, MSG_NOSIGNAL, (struct sockaddr *)&j->addr, j->addrlen);
	while (w < 0 && errno == EINTR);
	int e = w < 0 ? errno : 0;
	if (w < 0 && e == EMSGSIZE)
		e = send_memfd(j, buf, len) == 0 ? 0 : errno;
	free(buf);
	if (e != 0) {
		char *msg =
		    np_xasprintf("%s: %s%s", j->addr.sun_path, strerror(e),
		                 e == EAGAIN || e == ENOBUFS ? " (the journal is behind)" : "");
		np_sink_failed(s, msg);
		free(msg);
		return 0;
	}
	(void)cause;
	np_sink_delivered(s, tag);
	return 0;
}

const struct sink_ops np_sink_journald_ops = {
    .open = journald_open,
    .close = journald_close,
    .send = journald_send,
};
