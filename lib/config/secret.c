#include "config/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cause.h"
#include "util/xmalloc.h"

#define SECRET_MAX (64 * 1024)

int
np_config_secret_file(const char *path, char **secret, char **cause)
{
	/* O_NONBLOCK: a FIFO named by mistake must not hang the (re)load. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		np_cause(cause, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		np_cause(cause, "%s is not a regular file", path);
		close(fd);
		return -1;
	}
	if (st.st_size > SECRET_MAX) {
		np_cause(cause, "%s is larger than %d bytes", path, SECRET_MAX);
		close(fd);
		return -1;
	}
	char *buf = np_xmalloc(SECRET_MAX + 1);
	size_t len = 0;
	ssize_t n;
	while (len < SECRET_MAX && (n = read(fd, buf + len, SECRET_MAX - len)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			np_cause(cause, "cannot read %s: %s", path, strerror(errno));
			close(fd);
			explicit_bzero(buf, len);
			free(buf);
			return -1;
		}
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	if (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	const char *problem = NULL;
	if (len == 0)
		problem = "is empty";
	else if (memchr(buf, '\0', len) != NULL)
		problem = "contains a NUL byte";
	if (problem != NULL) {
		np_cause(cause, "%s %s", path, problem);
		explicit_bzero(buf, len);
		free(buf);
		return -1;
	}
	*secret = np_xstrndup(buf, len);
	explicit_bzero(buf, len);
	free(buf);
	return 0;
}

int
np_config_secret_env(const char *var, char **secret, char **cause)
{
	const char *v = getenv(var);
	if (v == NULL) {
		np_cause(cause, "environment variable %s is not set", var);
		return -1;
	}
	if (*v == '\0') {
		np_cause(cause, "environment variable %s is empty", var);
		return -1;
	}
	*secret = np_xstrdup(v);
	return 0;
}

void
np_config_secret_free(char *secret)
{
	if (secret == NULL)
		return;
	explicit_bzero(secret, strlen(secret));
	free(secret);
}
