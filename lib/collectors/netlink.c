#include "collectors/netlink.h"

#include <errno.h>
#include <linux/netlink.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/cause.h"
#include "util/clock.h"

int
np_netlink_open(uint32_t groups, int rcvbuf, char **cause)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd == -1) {
		np_cause(cause, "netlink socket: %s", strerror(errno));
		return -1;
	}
	if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) == -1)
		/* Unprivileged: the kernel caps it at rmem_max, which is still fine. */
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	struct sockaddr_nl sa;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = groups;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		np_cause(cause, "netlink bind: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

ssize_t
np_netlink_recv(int fd, void *buf, size_t cap, int64_t deadline, char **cause)
{
	for (;;) {
		struct sockaddr_nl sa;
		struct iovec iov = {.iov_base = buf, .iov_len = cap};
		struct msghdr mh = {
		    .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1};
		ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);
		if (n > 0) {
			if (mh.msg_flags & MSG_TRUNC) {
				np_cause(cause, "netlink: datagram larger than %zu bytes", cap);
				errno = EMSGSIZE;
				return -1;
			}
			if (sa.nl_pid != 0) /* only the kernel speaks to us */
				continue;
			return n;
		}
		if (n == 0) {
			np_cause(cause, "netlink: empty datagram");
			errno = EPROTO;
			return -1;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			int e = errno;
			np_cause(cause, "netlink recv: %s", strerror(e));
			errno = e;
			return -1;
		}
		int64_t left = deadline < 0 ? 0 : deadline - np_mono_ms();
		if (left <= 0) {
			errno = EAGAIN;
			return 0;
		}
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		if (poll(&pfd, 1, left > 60000 ? 60000 : (int)left) == -1 && errno != EINTR) {
			int e = errno;
			np_cause(cause, "netlink poll: %s", strerror(e));
			errno = e;
			return -1;
		}
	}
}

int
np_netlink_dump(int fd, const void *req, size_t reqlen, void *buf, size_t cap, int64_t timeout_ms,
                np_netlink_parse_fn parse, void *arg, char **cause)
{
	struct sockaddr_nl kernel;
	memset(&kernel, 0, sizeof(kernel));
	kernel.nl_family = AF_NETLINK;
	ssize_t w;
	do
		w = sendto(fd, req, reqlen, 0, (struct sockaddr *)&kernel, sizeof(kernel));
	while (w == -1 && errno == EINTR);
	if (w != (ssize_t)reqlen) {
		np_cause(cause, "netlink send: %s", w == -1 ? strerror(errno) : "short write");
		return -1;
	}
	int64_t deadline = np_mono_ms() + timeout_ms;
	for (;;) {
		ssize_t n = np_netlink_recv(fd, buf, cap, deadline, cause);
		if (n == -1)
			return -1;
		if (n == 0) {
			np_cause(cause, "netlink dump: no answer within %lld ms",
			         (long long)timeout_ms);
			return -1;
		}
		int r = parse(arg, buf, (size_t)n, cause);
		if (r <= 0)
			return r;
	}
}
