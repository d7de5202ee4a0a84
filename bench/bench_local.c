/*
 * bench_local: CPU cost of one `local` collector poll at 1,000 and 10,000 interfaces
 * (DESIGN §10: <= 0.25 ms and <= 11 ms per cycle), for the netlink reader and the /proc +
 * sysfs fallback, next to the raw kernel cost of the dumps alone.
 *
 * Runs as root in a network namespace of its own (unshare; /sys remounted in a private mount
 * namespace so the fallback reads the namespace's sysfs), with N ifb interfaces set up via
 * `ip -batch`. Nothing outside the process is changed; the interfaces are deleted by group at
 * the end. CPU time is getrusage(RUSAGE_SELF) user+sys: the kernel builds netlink dumps in
 * the caller's recvmsg(), so that cost is included.
 *
 * The machine is shared and noisy, so the raw dump and the collector poll are measured in
 * alternating rounds and both the minimum and the median round are printed. No assertions:
 * one "key=value" line per measurement.
 *
 * Usage: bench_local [N ...]   (default: 1000 10000)
 */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "collectors/local.h"
#include "collectors/local_parse.h"
#include "collectors/netlink.h"
#include "model/obs.h"

#include "benchnl.h"

#define GROUP 99
#define ROUNDS 7

/* ---- allocation counter: shows that polls allocate nothing in steady state ---- */

void *__libc_malloc(size_t size);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t size);
static unsigned long nallocs;

void *
malloc(size_t size)
{
	nallocs++;
	return __libc_malloc(size);
}

void *
calloc(size_t n, size_t size)
{
	nallocs++;
	return __libc_calloc(n, size);
}

void *
realloc(void *p, size_t size)
{
	nallocs++;
	return __libc_realloc(p, size);
}

/* ---- measuring ---- */

struct cost {
	double cpu, user, wall; /* µs per operation */
};

struct clocks {
	double cpu, user, wall;
};

static struct clocks
now(void)
{
	struct rusage ru;
	struct timespec ts;
	getrusage(RUSAGE_SELF, &ru);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	double u = ru.ru_utime.tv_sec * 1e6 + ru.ru_utime.tv_usec;
	double s = ru.ru_stime.tv_sec * 1e6 + ru.ru_stime.tv_usec;
	return (struct clocks){u + s, u, ts.tv_sec * 1e6 + ts.tv_nsec / 1e3};
}

static struct cost
since(struct clocks t0, int ops)
{
	struct clocks t1 = now();
	return (struct cost){(t1.cpu - t0.cpu) / ops, (t1.user - t0.user) / ops,
	                     (t1.wall - t0.wall) / ops};
}

static int
by_cpu(const void *a, const void *b)
{
	double x = ((const struct cost *)a)->cpu, y = ((const struct cost *)b)->cpu;
	return x < y ? -1 : x > y;
}

static void
print(const char *what, int nifaces, int ops, struct cost *r, int rounds, const char *extra)
{
	qsort(r, (size_t)rounds, sizeof(*r), by_cpu);
	struct cost mn = r[0], md = r[rounds / 2];
	printf("bench=%s ifaces=%d ops_per_round=%d rounds=%d cpu_us_min=%.1f cpu_us_median=%.1f "
	       "user_us_median=%.1f sys_us_median=%.1f ns_per_iface_min=%.0f "
	       "ns_per_iface_median=%.0f wall_us_median=%.1f%s\n",
	       what, nifaces, ops, rounds, mn.cpu, md.cpu, md.user, md.cpu - md.user,
	       mn.cpu * 1000 / nifaces, md.cpu * 1000 / nifaces, md.wall, extra);
}

static int
run(const char *cmd)
{
	int rc = system(cmd);
	if (rc != 0)
		fprintf(stderr, "bench_local: '%s' failed (%d)\n", cmd, rc);
	return rc;
}

/* ---- what is measured ---- */

struct counter {
	size_t n, polls, fails;
	size_t heap, pool; /* the last batch's heap bytes and string bytes used */
};

static void
on_done(void *arg, struct np_batch *b, int ok, char *cause, int64_t retry_after_ms)
{
	struct counter *c = arg;
	c->polls++;
	if (ok == 0) {
		c->n = b->n;
		c->heap = np_batch_heap_bytes(b);
		c->pool = b->pool_len;
	} else {
		c->fails++;
		fprintf(stderr, "bench_local: poll failed: %s\n", cause);
		free(cause);
	}
}

struct coll {
	struct np_source_cfg cfg;
	struct np_local_conf lc;
	struct counter c;
	struct np_collector_ctx ctx;
	void *inst;
};

static int
coll_open(struct coll *k, bool netlink, char **exclude)
{
	memset(k, 0, sizeof(*k));
	k->lc.exclude = exclude;
	k->lc.nexclude = exclude != NULL ? 1 : 0;
	k->cfg.name = "bench";
	k->cfg.type = "local";
	k->cfg.timeout_ms = 20000;
	k->lc.netlink = netlink;
	k->cfg.conf = &k->lc;
	k->ctx.cfg = &k->cfg;
	k->ctx.done = on_done;
	k->ctx.arg = &k->c;
	char *cause = NULL;
	k->inst = np_local_ops.create(&k->ctx, &cause);
	if (k->inst == NULL) {
		fprintf(stderr, "bench_local: create: %s\n", cause);
		free(cause);
		return -1;
	}
	/* Warm-up: drains the creation notifications (an overrun: one resync), sizes buffers. */
	for (int i = 0; i < 3; i++)
		np_local_ops.poll(k->inst, NULL);
	return 0;
}

static struct cost
coll_round(struct coll *k, int polls, unsigned long *allocs)
{
	unsigned long a0 = nallocs;
	struct clocks t0 = now();
	for (int i = 0; i < polls; i++)
		np_local_ops.poll(k->inst, NULL);
	struct cost c = since(t0, polls);
	*allocs += nallocs - a0;
	return c;
}

/* The kernel's dump alone: send, receive to NLMSG_DONE, look at nothing else. */
static struct cost
raw_round(int fd, int type, int dumps, size_t *bytes)
{
	struct clocks t0 = now();
	*bytes = bench_nl_raw_dumps(fd, type, dumps);
	return since(t0, dumps);
}

/* Reading /proc/net/dev into a buffer, no parsing: the fallback's floor. */
static struct cost
proc_round(int reads, size_t *bytes)
{
	static char buf[4 * 1024 * 1024];
	*bytes = 0;
	struct clocks t0 = now();
	for (int i = 0; i < reads; i++) {
		FILE *f = fopen("/proc/self/net/dev", "r");
		if (f == NULL)
			break;
		size_t n;
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			*bytes += n;
		fclose(f);
	}
	*bytes /= (size_t)reads;
	return since(t0, reads);
}

static void
measure(int nif)
{
	int polls = nif <= 1100 ? 300 : 30;
	struct coll nl, pr, none;
	/* Same dump and parse, but every interface filtered out: no observation is written. */
	static char *all[] = {"."};
	int fd = np_netlink_open(0, 0, NULL);
	if (fd == -1 || coll_open(&nl, true, NULL) == -1 || coll_open(&pr, false, NULL) == -1 ||
	    coll_open(&none, true, all) == -1) {
		fprintf(stderr, "bench_local: setup failed\n");
		exit(1);
	}
	struct cost raw[ROUNDS], col[ROUNDS], nocol[ROUNDS], link[3], proc[3], fb[3];
	unsigned long allocs = 0, fb_allocs = 0, none_allocs = 0;
	size_t bytes = 0, lbytes = 0, pbytes = 0;
	for (int r = 0; r < ROUNDS; r++) {
		raw[r] = raw_round(fd, RTM_GETSTATS, polls, &bytes);
		col[r] = coll_round(&nl, polls, &allocs);
		nocol[r] = coll_round(&none, polls, &none_allocs);
	}
	for (int r = 0; r < 3; r++) {
		link[r] = raw_round(fd, RTM_GETLINK, polls / 10 + 1, &lbytes);
		proc[r] = proc_round(polls / 10 + 1, &pbytes);
		fb[r] = coll_round(&pr, polls / 30 + 1, &fb_allocs);
	}
	char extra[160];
	snprintf(extra, sizeof(extra), " bytes_per_dump=%zu", bytes);
	print("raw_dump_RTM_GETSTATS", nif, polls, raw, ROUNDS, extra);
	snprintf(extra, sizeof(extra), " reader=%s observations=%zu fails=%zu allocs_in_polls=%lu",
	         np_local_reader(nl.inst, NULL), nl.c.n, nl.c.fails, allocs);
	print("local_poll_netlink", nif, polls, col, ROUNDS, extra);
	/* What the collector's batch holds per observation (the pool is names, shared). */
	printf("bench=batch_memory ifaces=%d observations=%zu sizeof_obs=%zu batch_heap_bytes=%zu "
	       "heap_bytes_per_obs=%.0f string_bytes_per_obs=%.1f\n",
	       nif, nl.c.n, sizeof(struct np_obs), nl.c.heap,
	       nl.c.n ? (double)nl.c.heap / (double)nl.c.n : 0.0,
	       nl.c.n ? (double)nl.c.pool / (double)nl.c.n : 0.0);
	snprintf(extra, sizeof(extra), " observations=%zu (exclude \".\")", none.c.n);
	print("local_poll_netlink_all_excluded", nif, polls, nocol, ROUNDS, extra);
	snprintf(extra, sizeof(extra), " bytes_per_dump=%zu (RTEXT_FILTER_SKIP_STATS)", lbytes);
	print("raw_dump_RTM_GETLINK", nif, polls / 10 + 1, link, 3, extra);
	snprintf(extra, sizeof(extra), " bytes=%zu", pbytes);
	print("raw_read_proc_net_dev", nif, polls / 10 + 1, proc, 3, extra);
	snprintf(extra, sizeof(extra), " reader=%s observations=%zu fails=%zu allocs_in_polls=%lu",
	         np_local_reader(pr.inst, NULL), pr.c.n, pr.c.fails, fb_allocs);
	print("local_poll_proc_sysfs", nif, polls / 30 + 1, fb, 3, extra);
	fflush(stdout);
	np_local_ops.destroy(nl.inst);
	np_local_ops.destroy(pr.inst);
	np_local_ops.destroy(none.inst);
	close(fd);
}

int
main(int argc, char **argv)
{
	int sizes[8] = {1000, 10000}, nsizes = 2;
	if (argc > 1) {
		nsizes = 0;
		for (int i = 1; i < argc && nsizes < 8; i++)
			sizes[nsizes++] = atoi(argv[i]);
	}
	if (bench_netns_enter("bench_local") == -1)
		return 1;
	int have = 0;
	for (int s = 0; s < nsizes; s++) {
		int n = sizes[s];
		if (n > have) {
			struct clocks t0 = now();
			if (bench_add_ifbs("bench_local", have, n, GROUP) != 0)
				break;
			have = n;
			printf("bench=setup ifaces=%d created_in_s=%.2f\n", n + 1,
			       (now().wall - t0.wall) / 1e6);
		}
		measure(n + 1); /* + lo */
	}
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "ip link del group %d", GROUP);
	run(cmd);
	return 0;
}
