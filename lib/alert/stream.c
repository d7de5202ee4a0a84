#include "alert/stream.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/cause.h"

int
np_stream_resolve(const char *host, const char *port, struct addrinfo **ai, bool *numeric,
                  char **cause)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	hints.ai_flags = AI_NUMERICHOST;
	if (getaddrinfo(host, port, &hints, ai) == 0) {
		*numeric = true;
		return 0;
	}
	*numeric = false;
	hints.ai_flags = 0;
	int rc = getaddrinfo(host, port, &hints, ai);
	if (rc != 0) {
		*ai = NULL;
		np_cause(cause, "cannot resolve %s port %s: %s", host, port, gai_strerror(rc));
		return -1;
	}
	return 0;
}

int
np_stream_connect(struct addrinfo **cur, bool *now, int *err)
{
	*err = ECONNREFUSED;
	for (; *cur != NULL; *cur = (*cur)->ai_next) {
		struct addrinfo *ai = *cur;
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		                ai->ai_protocol);
		if (fd < 0) {
			*err = errno;
			continue;
		}
		int rc;
		do
			rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
		while (rc < 0 && errno == EINTR);
		if (rc == 0 || errno == EINPROGRESS) {
			*now = rc == 0;
			return fd;
		}
		*err = errno;
		close(fd);
	}
	return -1;
}

int
np_stream_connect_result(int fd)
{
	int err = 0;
	socklen_t len = sizeof(err);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	return err;
}
