/*
 * stderr: one RFC 5424 line per alert on the daemon's standard error, for a container whose
 * log is its stderr (`podman logs`, `docker logs`, a log driver), interleaved with the daemon's
 * own log lines. A line is at most PIPE_BUF bytes with its newline, so it is written whole
 * even when other writers share the pipe. The write blocks like the daemon's own log lines do.
 * A stderr that cannot be written (closed, a broken pipe) or that is /dev/null (a detached
 * daemon) fails the send: the alert stays in the outbox instead of being counted delivered.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "alert/sink_impl.h"
#include "util/cause.h"
#include "util/xmalloc.h"

static int
stderr_open(struct np_sink *s, char **cause)
{
	(void)cause;
	s->impl = np_xmalloc(s->max_len + 2); /* the line, its newline, the NUL */
	return 0;
}

static void
stderr_close(struct np_sink *s)
{
	free(s->impl);
}

/* /dev/null (character device 1:3) takes everything and keeps nothing. */
static bool
is_dev_null(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 &&
	       minor(st.st_rdev) == 3;
}

static int
stderr_send(struct np_sink *s, const struct np_alert *a, int64_t tag, char **cause)
{
	char *buf = s->impl;
	int n = np_sink_render(s, a, buf, s->max_len + 1, cause);
	if (n < 0)
		return -1;
	if (is_dev_null(STDERR_FILENO)) {
		np_sink_failed(s, "stderr is /dev/null (a detached daemon has no stderr)");
		return 0;
	}
	buf[n++] = '\n';
	size_t off = 0;
	while (off < (size_t)n) {
		ssize_t w = write(STDERR_FILENO, buf + off, (size_t)n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			char *msg = np_xasprintf("writing to stderr: %s",
			                         w < 0 ? strerror(errno) : "nothing written");
			np_sink_failed(s, msg);
			free(msg);
			return 0;
		}
		off += (size_t)w;
	}
	np_sink_delivered(s, tag);
	return 0;
}

const struct sink_ops np_sink_stderr_ops = {
    .open = stderr_open,
    .close = stderr_close,
    .send = stderr_send,
};
