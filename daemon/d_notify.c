#include "d_notify.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "d_log.h"

static struct sockaddr_un addr;
static socklen_t addrlen;
static int fd = -1;
static int64_t watchdog_usec;

void
notify_init(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	if (path == NULL || *path == '\0')
		return;
	size_t len = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || len >= sizeof(addr.sun_path)) {
		log_warnx("NOTIFY_SOCKET %s is not a usable socket path; not notifying", path);
		return;
	}
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	memcpy(addr.sun_path, path, len);
	if (path[0] == '@')
		addr.sun_path[0] = '\0';
	addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		log_warn("notify socket");

	const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	if (usec != NULL && (pid == NULL || strtol(pid, NULL, 10) == (long)getpid()))
		watchdog_usec = strtoll(usec, NULL, 10);
	/* Children (there are none yet) must not inherit the duty. */
	unsetenv("NOTIFY_SOCKET");
}

void
notify_send(const char *state)
{
	if (fd == -1)
		return;
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&addr, addrlen) == -1)
		log_debug("notify %s: %s", state, strerror(errno));
}

int64_t
notify_watchdog_usec(void)
{
	return watchdog_usec;
}
