#ifndef NP_BENCHNL_H
#define NP_BENCHNL_H
/* Netlink and link helpers shared by bench_local and bench_daemon: the kernel's raw dump
 * (the floor any collector pays) and ifb links made in bulk. */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include "collectors/local_parse.h"

/* `dumps` RTM_GETSTATS (or RTM_GETLINK) dumps on fd, each received to NLMSG_DONE with nothing
 * looked at but the headers; returns the bytes of one dump. The caller times it. */
static inline size_t
bench_nl_raw_dumps(int fd, int type, int dumps)
{
	static uint8_t buf[64 * 1024];
	uint8_t req[NP_LOCAL_NL_REQ_MAX];
	size_t bytes = 0;
	for (int i = 0; i < dumps; i++) {
		size_t len = type == RTM_GETSTATS ? np_local_nl_getstats_req(req, (uint32_t)i + 10)
		                                  : np_local_nl_getlink_req(req, (uint32_t)i + 10);
		struct sockaddr_nl k = {.nl_family = AF_NETLINK};
		if (sendto(fd, req, len, 0, (struct sockaddr *)&k, sizeof(k)) != (ssize_t)len)
			break;
		/* The kernel fills each answer inside recv(): it never runs dry mid-dump. */
		for (bool done = false; !done;) {
			ssize_t n = recv(fd, buf, sizeof(buf), 0);
			if (n <= 0)
				break;
			bytes += (size_t)n;
			for (size_t off = 0; off + NLMSG_HDRLEN <= (size_t)n;) {
				struct nlmsghdr nh;
				memcpy(&nh, buf + off, sizeof(nh));
				if (nh.nlmsg_type == NLMSG_DONE || nh.nlmsg_type == NLMSG_ERROR ||
				    nh.nlmsg_len < NLMSG_HDRLEN) {
					done = true;
					break;
				}
				off += NLMSG_ALIGN(nh.nlmsg_len);
			}
		}
	}
	return dumps > 0 ? bytes / (size_t)dumps : 0;
}

/* Adds ifb<from>..ifb<to-1> in `group`, admin up, in one `ip -batch` (one process per link
 * is 40x slower). Returns 0 or -1 (message printed). */
static inline int
bench_add_ifbs(const char *prog, int from, int to, int group)
{
	char path[] = "/tmp/bench_ifb.XXXXXX";
	int fd = mkstemp(path);
	if (fd == -1)
		return -1;
	FILE *f = fdopen(fd, "w");
	for (int i = from; i < to; i++)
		fprintf(f, "link add ifb%d group %d type ifb\nlink set ifb%d up\n", i, group, i);
	fclose(f);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "ip -batch %s", path);
	int rc = system(cmd);
	unlink(path);
	if (rc != 0)
		fprintf(stderr, "%s: '%s' failed (%d)\n", prog, cmd, rc);
	return rc != 0 ? -1 : 0;
}

/*
 * Moves this process into a network namespace of its own with lo up, and a private mount
 * namespace whose /sys shows that network namespace (sysfs is per netns). Nothing is named
 * or mounted outside: both vanish with the last process in them. Returns 0, or -1 with a
 * message printed (not root).
 */
static inline int
bench_netns_enter(const char *prog)
{
	if (unshare(CLONE_NEWNET | CLONE_NEWNS) == -1) {
		fprintf(stderr, "%s: unshare: %s (needs root)\n", prog, strerror(errno));
		return -1;
	}
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == -1 ||
	    mount("sysfs", "/sys", "sysfs", 0, NULL) == -1) {
		fprintf(stderr, "%s: remount /sys: %s\n", prog, strerror(errno));
		return -1;
	}
	/* No IPv6 addrconf on thousands of new links: it makes creating them far slower and is
	 * not what is measured. */
	static const char *const v6[] = {"/proc/sys/net/ipv6/conf/all/disable_ipv6",
	                                 "/proc/sys/net/ipv6/conf/default/disable_ipv6"};
	for (int i = 0; i < 2; i++) {
		FILE *f = fopen(v6[i], "w");
		if (f != NULL) {
			fputs("1\n", f);
			fclose(f);
		}
	}
	if (system("ip link set lo up") != 0) {
		fprintf(stderr, "%s: ip link set lo up failed\n", prog);
		return -1;
	}
	return 0;
}

#endif
