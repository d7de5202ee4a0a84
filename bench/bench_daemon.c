/*
 * bench_daemon: the real daemon (netpulsed --foreground, debug log) on N ifb links, every
 * link carrying traffic, in a network namespace of this process's own. Per N it prints
 * "key=value" lines:
 *   bench=daemon_poll     CPU per poll (median, p90, max, mean) from the daemon's own per-poll
 *                         figure (sched.c: thread CPU clock from the poll's start to the end of
 *                         its ingest and commit), beside /proc/PID/task/ * /schedstat over the
 *                         window divided by the polls (everything the process did);
 *   bench=daemon_raw_dump the kernel's RTM_GETSTATS dump alone at the same N, same run;
 *   bench=daemon_memory   Rss, Pss, Anonymous of /proc/PID/smaps_rollup at the window's end;
 *   bench=daemon_disk     database (+ -wal) growth and /proc/PID/io write_bytes and wchar over
 *                         the window, scaled to an hour;
 *   bench=daemon_alert    time from just before the SIOCSIFFLAGS that takes a link down (up)
 *                         to the IFDOWN (IFUP) datagram at a syslog receiver in this process
 *                         (the daemon's `udp://` sink): one line per sample, then a summary.
 *
 * Traffic: ifb drops what is sent to it but counts it first (rx_packets, rx_bytes,
 * rx_dropped), so a thread sends one frame per link per second on an AF_PACKET socket.
 * Samples: "idle" (a link goes down at a random moment), "midpoll" (right after the daemon
 * is seen on the CPU, i.e. its poll started) and "boundary" (the first poll after a 5-minute
 * boundary, the one that folds the rollups). Each sample uses a link of its own, so no link
 * comes near the flap threshold. Whether a sample's event fell inside a poll is decided
 * afterwards from the poll's log line (its end and wall time), printed as in_poll=.
 *
 * With BENCH_BOUNDARY=1 (default) the window is placed around a 5-minute boundary (the
 * warm-up is lengthened up to 5 minutes for that), so the window's max includes the poll that
 * crosses it.
 *
 * Usage: bench_daemon [N ...]   (default: 1000 10000; needs root)
 * Environment: NETPULSED (default: netpulsed beside this program's directory),
 *   BENCH_WARMUP_S (30), BENCH_WINDOW_S (90), BENCH_ALERTS (5 idle + 5 midpoll samples),
 *   BENCH_BOUNDARY (1), BENCH_KEEP (1: keep the temp dir with the database and the log).
 * The daemon dies with this process (PR_SET_PDEATHSIG), the namespace with the last process
 * in it; the temp dir is removed on exit and on SIGINT/SIGTERM/SIGHUP.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "benchnl.h"
#include "collectors/netlink.h"

#define PROG "bench_daemon"
#define GROUP 98
#define BUCKET_S 300 /* rollup_5m */

static volatile sig_atomic_t daemon_pid;
static char tmpdir[64];

/* ---- clocks and /proc ---- */

static int64_t
ns_now(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t
mono_ns(void)
{
	return ns_now(CLOCK_MONOTONIC);
}

static void
sleep_until(int64_t mono)
{
	struct timespec ts = {.tv_sec = mono / 1000000000, .tv_nsec = mono % 1000000000};
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static int
env_int(const char *name, int def)
{
	const char *v = getenv(name);
	return v != NULL && *v != '\0' ? atoi(v) : def;
}

/* On-CPU ns of every thread of pid (schedstat's first field: ns, not clock ticks). */
static int64_t
proc_cpu_ns(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	int64_t sum = 0;
	struct dirent *de;
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char p[320];
		snprintf(p, sizeof(p), "/proc/%d/task/%s/schedstat", (int)pid, de->d_name);
		FILE *f = fopen(p, "r");
		long long v = 0;
		if (f != NULL) {
			if (fscanf(f, "%lld", &v) == 1)
				sum += v;
			fclose(f);
		}
	}
	if (d != NULL)
		closedir(d);
	return sum;
}

/* "Key: value" of a /proc file (first number after the key), or -1. */
static long long
proc_field(pid_t pid, const char *file, const char *key)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	FILE *f = fopen(path, "r");
	long long v = -1;
	size_t n = strlen(key);
	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, n) == 0 && line[n] == ':')
			v = strtoll(line + n + 1, NULL, 10);
	if (f != NULL)
		fclose(f);
	return v;
}

static long long
file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

static long long
sys_stat(const char *ifname, const char *what)
{
	char path[128], buf[32];
	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/%s", ifname, what);
	FILE *f = fopen(path, "r");
	long long v = -1;
	if (f != NULL && fgets(buf, sizeof(buf), f) != NULL)
		v = strtoll(buf, NULL, 10);
	if (f != NULL)
		fclose(f);
	return v;
}

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return x < y ? -1 : x > y;
}

/* The q-quantile (nearest rank) of v[0..n), sorted in place. */
static long long
quantile(long long *v, size_t n, double q)
{
	if (n == 0)
		return -1;
	qsort(v, n, sizeof(*v), cmp_ll);
	size_t i = (size_t)(q * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

/* ---- cleanup ---- */

static void
rm_tmpdir(void)
{
	if (tmpdir[0] == '\0' || env_int("BENCH_KEEP", 0))
		return;
	pid_t p = fork();
	if (p == 0) {
		execlp("rm", "rm", "-rf", tmpdir, (char *)NULL);
		_exit(127);
	}
	if (p > 0)
		waitpid(p, NULL, 0);
}

static void
on_exit_cleanup(void)
{
	if (daemon_pid > 0)
		kill(daemon_pid, SIGKILL);
	rm_tmpdir();
}

static void
on_signal(int sig)
{
	if (daemon_pid > 0)
		kill(daemon_pid, SIGKILL);
	rm_tmpdir(); /* fork, execve and waitpid are async-signal-safe */
	_exit(128 + sig);
}

/* ---- traffic: one frame per link per second ---- */

struct traffic {
	int fd;
	int *ifindex;
	int n;
	atomic_bool stop;
	atomic_long sent, failed;
	pthread_t th;
};

static void *
traffic_main(void *arg)
{
	struct traffic *t = arg;
	/* Broadcast, locally administered source, the IEEE "local experimental" EtherType. */
	uint8_t frame[60] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x88, 0xb5};
	int64_t next = mono_ns();
	while (!atomic_load(&t->stop)) {
		for (int i = 0; i < t->n; i++) {
			struct sockaddr_ll a = {.sll_family = AF_PACKET,
			                        .sll_ifindex = t->ifindex[i],
			                        .sll_halen = ETH_ALEN};
			memset(a.sll_addr, 0xff, ETH_ALEN);
			if (sendto(t->fd, frame, sizeof(frame), 0, (struct sockaddr *)&a,
			           sizeof(a)) == (ssize_t)sizeof(frame))
				atomic_fetch_add(&t->sent, 1);
			else
				atomic_fetch_add(&t->failed, 1); /* a link the bench took down */
		}
		next += 1000000000;
		sleep_until(next);
	}
	return NULL;
}

/* ---- the syslog receiver: IFDOWN/IFUP arrival times per link ---- */

struct rx {
	int fd, port, n;
	int64_t *down_ns, *up_ns; /* per link index: arrival of its latest IFDOWN / IFUP */
	long msgs;
	atomic_bool stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t th;
};

static void *
rx_main(void *arg)
{
	struct rx *r = arg;
	char buf[8192];
	while (!atomic_load(&r->stop)) {
		ssize_t len = recv(r->fd, buf, sizeof(buf) - 1, 0);
		int64_t t = mono_ns();
		if (len <= 0)
			continue; /* SO_RCVTIMEO: look at stop */
		buf[len] = '\0';
		/* RFC 5424: "<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD..." */
		bool down = strstr(buf, " IFDOWN ") != NULL, up = strstr(buf, " IFUP ") != NULL;
		const char *p = strstr(buf, "interface=\"ifb");
		int k = p != NULL ? atoi(p + strlen("interface=\"ifb")) : -1;
		pthread_mutex_lock(&r->mu);
		r->msgs++;
		if (k >= 0 && k < r->n && down)
			r->down_ns[k] = t;
		if (k >= 0 && k < r->n && up)
			r->up_ns[k] = t;
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
	}
	return NULL;
}

/* Waits (up to 15 s) for an IFDOWN (or IFUP) of link k that arrived after t0; its arrival, or
 * -1. */
static int64_t
rx_wait(struct rx *r, int k, bool down, int64_t t0)
{
	int64_t end = mono_ns() + 15 * (int64_t)1000000000, got = -1;
	pthread_mutex_lock(&r->mu);
	for (;;) {
		int64_t v = down ? r->down_ns[k] : r->up_ns[k];
		if (v >= t0) {
			got = v;
			break;
		}
		int64_t now = mono_ns();
		if (now >= end)
			break;
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 50000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&r->cv, &r->mu, &ts);
	}
	pthread_mutex_unlock(&r->mu);
	return got;
}

/* ---- the daemon's log: per-poll lines ---- */

struct poll_rec {
	int64_t end_ns; /* monotonic, when this process read the line */
	long long cpu_us, wall_us, obs;
};

struct logrd {
	FILE *in, *copy;
	struct poll_rec *v;
	size_t n, cap;
	long overruns, printed;
	pthread_mutex_t mu;
	pthread_t th;
};

static void *
log_main(void *arg)
{
	struct logrd *l = arg;
	char line[4096];
	while (fgets(line, sizeof(line), l->in) != NULL) {
		int64_t t = mono_ns();
		fputs(line, l->copy);
		const char *p = strstr(line, ": poll cpu_us=");
		struct poll_rec r = {.end_ns = t};
		if (p != NULL && sscanf(p, ": poll cpu_us=%lld wall_us=%lld obs=%lld", &r.cpu_us,
		                        &r.wall_us, &r.obs) == 3) {
			pthread_mutex_lock(&l->mu);
			if (l->n == l->cap) {
				l->cap = l->cap ? l->cap * 2 : 1024;
				l->v = realloc(l->v, l->cap * sizeof(*l->v));
				if (l->v == NULL)
					abort();
			}
			l->v[l->n++] = r;
			pthread_mutex_unlock(&l->mu);
			continue;
		}
		if (strstr(line, "overran its interval") != NULL)
			l->overruns++;
		/* Warnings and errors only; alerts are logged as errors too. */
		if (strstr(line, ": debug: ") == NULL && strstr(line, ": info: ") == NULL &&
		    strstr(line, ": notice: ") == NULL && strstr(line, " IFDOWN ") == NULL &&
		    l->printed++ < 20)
			fprintf(stderr, "%s: daemon: %s", PROG, line);
	}
	return NULL;
}

/* A copy of the poll records (caller frees). */
static struct poll_rec *
log_polls(struct logrd *l, size_t *n)
{
	pthread_mutex_lock(&l->mu);
	*n = l->n;
	struct poll_rec *v = malloc((l->n + 1) * sizeof(*v));
	if (v == NULL)
		abort();
	memcpy(v, l->v, l->n * sizeof(*v));
	pthread_mutex_unlock(&l->mu);
	return v;
}

/* The poll whose span [end - wall, end] holds t, or NULL. */
static const struct poll_rec *
poll_at(const struct poll_rec *v, size_t n, int64_t t)
{
	for (size_t i = 0; i < n; i++)
		if (t <= v[i].end_ns && t >= v[i].end_ns - v[i].wall_us * 1000)
			return &v[i];
	return NULL;
}

/* ---- one run at N links ---- */

struct snap {
	int64_t mono, cpu_ns;
	long long db, wal, used, write_bytes, wchar; /* db: file + -wal; used: live pages */
};

/*
 * Bytes the database's pages hold (page_count - freelist_count, read through a read-only
 * connection, WAL included): the data's growth, apart from how big the -wal file happens to
 * be between two checkpoints.
 */
static long long
db_used_bytes(const char *db)
{
	sqlite3 *h = NULL;
	long long v[3] = {-1, -1, -1};
	const char *q[3] = {"PRAGMA page_count", "PRAGMA freelist_count", "PRAGMA page_size"};
	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
		sqlite3_busy_timeout(h, 2000);
		for (int i = 0; i < 3; i++) {
			sqlite3_stmt *st = NULL;
			if (sqlite3_prepare_v2(h, q[i], -1, &st, NULL) == SQLITE_OK &&
			    sqlite3_step(st) == SQLITE_ROW)
				v[i] = sqlite3_column_int64(st, 0);
			sqlite3_finalize(st);
		}
	}
	sqlite3_close(h);
	return v[0] < 0 || v[1] < 0 || v[2] < 0 ? -1 : (v[0] - v[1]) * v[2];
}

static struct snap
snapshot(pid_t pid, const char *db)
{
	char wal[PATH_MAX];
	snprintf(wal, sizeof(wal), "%s-wal", db);
	return (struct snap){
	    .mono = mono_ns(),
	    .cpu_ns = proc_cpu_ns(pid),
	    .db = file_size(db) + file_size(wal),
	    .wal = file_size(wal),
	    .used = db_used_bytes(db),
	    .write_bytes = proc_field(pid, "io", "write_bytes"),
	    .wchar = proc_field(pid, "io", "wchar"),
	};
}

static int
set_link(int sock, int k, bool up)
{
	struct ifreq ifr = {0};
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "ifb%d", k);
	if (ioctl(sock, SIOCGIFFLAGS, &ifr) == -1)
		return -1;
	if (up)
		ifr.ifr_flags |= IFF_UP;
	else
		ifr.ifr_flags &= ~IFF_UP;
	return ioctl(sock, SIOCSIFFLAGS, &ifr);
}

/* Waits until the daemon is on the CPU (its poll started: nothing else runs in it between
 * polls but short timers), up to limit_ns; true if seen. */
static bool
wait_busy(pid_t pid, int64_t limit_ns)
{
	int64_t end = mono_ns() + limit_ns;
	int64_t c0 = proc_cpu_ns(pid), t0 = mono_ns();
	while (t0 < end) {
		struct timespec ts = {0, 200000};
		nanosleep(&ts, NULL);
		int64_t c1 = proc_cpu_ns(pid), t1 = mono_ns();
		if (c1 - c0 >= (t1 - t0) * 2 / 5)
			return true;
		c0 = c1;
		t0 = t1;
	}
	return false;
}

struct sample {
	const char *kind;
	int link;
	int64_t t_down, t_up, down_ns, up_ns;
};

/* Takes link k down, waits for IFDOWN, brings it up, waits for IFUP. */
static void
alert_sample(struct sample *s, int sock, struct rx *r, const char *kind, int k)
{
	s->kind = kind;
	s->link = k;
	s->t_down = mono_ns();
	set_link(sock, k, false);
	int64_t got = rx_wait(r, k, true, s->t_down);
	s->down_ns = got >= 0 ? got - s->t_down : -1;
	/* Up again only after the next poll at the latest, as a separate event. */
	struct timespec ts = {0, 300000000};
	nanosleep(&ts, NULL);
	s->t_up = mono_ns();
	set_link(sock, k, true);
	got = rx_wait(r, k, false, s->t_up);
	s->up_ns = got >= 0 ? got - s->t_up : -1;
}

static pid_t
start_daemon(const char *netpulsed, const char *cfg, int *out_fd)
{
	int p[2];
	if (pipe(p) == -1)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		unsetenv("JOURNAL_STREAM");
		execl(netpulsed, netpulsed, "--foreground", "-c", cfg, (char *)NULL);
		fprintf(stderr, "exec %s: %s\n", netpulsed, strerror(errno));
		_exit(127);
	}
	close(p[1]);
	*out_fd = p[0];
	return pid;
}

static void
stop_daemon(pid_t pid)
{
	kill(pid, SIGTERM);
	for (int i = 0; i < 300; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			daemon_pid = 0;
			return;
		}
		struct timespec ts = {0, 100000000};
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	daemon_pid = 0;
}

static void
print_alerts(int n, struct sample *s, size_t ns, const struct poll_rec *v, size_t nv)
{
	long long down[64], up[64];
	size_t nd = 0, nu = 0, inpoll = 0;
	for (size_t i = 0; i < ns; i++) {
		const struct poll_rec *p = poll_at(v, nv, s[i].t_down);
		printf("bench=daemon_alert_sample links=%d kind=%s link=ifb%d down_ms=%.2f "
		       "up_ms=%.2f in_poll=%d poll_cpu_us=%lld poll_wall_us=%lld\n",
		       n, s[i].kind, s[i].link, s[i].down_ns / 1e6, s[i].up_ns / 1e6, p != NULL,
		       p != NULL ? p->cpu_us : -1, p != NULL ? p->wall_us : -1);
		inpoll += p != NULL;
		if (s[i].down_ns >= 0)
			down[nd++] = s[i].down_ns / 1000;
		if (s[i].up_ns >= 0)
			up[nu++] = s[i].up_ns / 1000;
	}
	long long dmed = quantile(down, nd, 0.5), dmax = nd ? down[nd - 1] : -1;
	long long umed = quantile(up, nu, 0.5), umax = nu ? up[nu - 1] : -1;
	printf("bench=daemon_alert links=%d samples=%zu received_down=%zu received_up=%zu "
	       "samples_in_poll=%zu down_ms_median=%.2f down_ms_max=%.2f up_ms_median=%.2f "
	       "up_ms_max=%.2f\n",
	       n, ns, nd, nu, inpoll, dmed / 1e3, dmax / 1e3, umed / 1e3, umax / 1e3);
}

static int
run_n(const char *netpulsed, int n, int *have)
{
	int warmup = env_int("BENCH_WARMUP_S", 30), window = env_int("BENCH_WINDOW_S", 90);
	int nalerts = env_int("BENCH_ALERTS", 5);
	bool boundary = env_int("BENCH_BOUNDARY", 1) != 0;
	if (2 * nalerts + 2 > n)
		nalerts = (n - 2) / 2;
	/* Links and their traffic. */
	if (n > *have) {
		int64_t t0 = mono_ns();
		if (bench_add_ifbs(PROG, *have, n, GROUP) == -1)
			return -1;
		*have = n;
		printf("bench=daemon_setup links=%d created_in_s=%.2f\n", n,
		       (mono_ns() - t0) / 1e9);
	}
	struct traffic tr = {.n = n};
	tr.ifindex = calloc((size_t)n, sizeof(int));
	tr.fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	for (int i = 0; i < n; i++) {
		char name[IFNAMSIZ];
		snprintf(name, sizeof(name), "ifb%d", i);
		tr.ifindex[i] = (int)if_nametoindex(name);
	}
	if (tr.fd == -1 || pthread_create(&tr.th, NULL, traffic_main, &tr) != 0) {
		fprintf(stderr, "%s: AF_PACKET: %s\n", PROG, strerror(errno));
		return -1;
	}
	/* Every link's counters move: three links looked at, 1.2 s apart. */
	const int probe[3] = {0, n / 2, n - 1};
	long long c0[3], moving = 0;
	char name[3][IFNAMSIZ];
	for (int i = 0; i < 3; i++) {
		snprintf(name[i], IFNAMSIZ, "ifb%d", probe[i]);
		c0[i] = sys_stat(name[i], "rx_packets");
	}
	struct timespec ts = {1, 200000000};
	nanosleep(&ts, NULL);
	for (int i = 0; i < 3; i++)
		moving += sys_stat(name[i], "rx_packets") > c0[i];
	printf("bench=daemon_traffic links=%d frames_per_link_per_s=1 probed=3 moving=%lld "
	       "rx_packets_ifb0=%lld\n",
	       n, moving, sys_stat("ifb0", "rx_packets"));

	/* The receiver, the config, the daemon. */
	struct rx r = {.n = n};
	r.down_ns = calloc((size_t)n, sizeof(int64_t));
	r.up_ns = calloc((size_t)n, sizeof(int64_t));
	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.cv, NULL);
	for (int i = 0; i < n; i++)
		r.down_ns[i] = r.up_ns[i] = -1;
	r.fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t salen = sizeof(sa);
	struct timeval rto = {0, 200000};
	int rcvbuf = 4 * 1024 * 1024;
	setsockopt(r.fd, SOL_SOCKET, SO_RCVTIMEO, &rto, sizeof(rto));
	setsockopt(r.fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(r.fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    getsockname(r.fd, (struct sockaddr *)&sa, &salen) == -1 ||
	    pthread_create(&r.th, NULL, rx_main, &r) != 0) {
		fprintf(stderr, "%s: receiver: %s\n", PROG, strerror(errno));
		return -1;
	}
	r.port = ntohs(sa.sin_port);
	char dir[128], cfg[PATH_MAX], db[PATH_MAX], logp[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/n%d", tmpdir, n);
	mkdir(dir, 0700);
	snprintf(cfg, sizeof(cfg), "%s/netpulse.yaml", dir);
	snprintf(db, sizeof(db), "%s/np.db", dir);
	snprintf(logp, sizeof(logp), "%s/netpulsed.log", dir);
	FILE *f = fopen(cfg, "w");
	if (f == NULL)
		return -1;
	fprintf(f,
	        "daemon: { database: %s, log: stderr, log_level: debug }\n"
	        "state: { down_after: 0s, up_after: 0s }\n"
	        "sources:\n"
	        "  - { name: bench, type: local, interval: 1s, exclude: [\"^lo$\"] }\n"
	        "alerts:\n"
	        "  - { type: syslog, server: \"udp://127.0.0.1:%d\" }\n",
	        db, r.port);
	fclose(f);
	struct logrd lr = {0};
	pthread_mutex_init(&lr.mu, NULL);
	int lfd;
	int64_t t_start = mono_ns();
	pid_t pid = start_daemon(netpulsed, cfg, &lfd);
	if (pid == -1)
		return -1;
	daemon_pid = pid;
	lr.in = fdopen(lfd, "r");
	lr.copy = fopen(logp, "w");
	if (lr.in == NULL || lr.copy == NULL || pthread_create(&lr.th, NULL, log_main, &lr) != 0)
		return -1;

	/* The first complete poll, then warm-up; with a boundary, the window holds one. */
	size_t np = 0;
	struct poll_rec *v = NULL;
	for (bool full = false; !full;) {
		if (mono_ns() - t_start > 120 * (int64_t)1000000000 ||
		    waitpid(pid, NULL, WNOHANG)) {
			fprintf(stderr, "%s: no complete poll of %d links (log: %s)\n", PROG, n,
			        logp);
			return -1;
		}
		nanosleep(&(struct timespec){0, 100000000}, NULL);
		free(v);
		v = log_polls(&lr, &np);
		for (size_t i = 0; i < np; i++)
			full |= v[i].obs == n;
	}
	int64_t off = ns_now(CLOCK_REALTIME) - mono_ns(); /* wall = mono + off */
	int64_t ws = t_start + (int64_t)warmup * 1000000000, b_mono = -1;
	if (boundary) {
		int64_t min_b = (ws + off) / 1000000000 + window / 5 + 1;
		int64_t b_wall = (min_b + BUCKET_S - 1) / BUCKET_S * BUCKET_S;
		b_mono = b_wall * 1000000000 - off;
		if (b_mono - (int64_t)window * 500000000 > ws)
			ws = b_mono - (int64_t)window * 500000000;
	}
	int64_t we = ws + (int64_t)window * 1000000000;
	sleep_until(ws);
	struct snap s0 = snapshot(pid, db);
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sample smp[64];
	size_t nsmp = 0;
	int next_link = 1;
	if (boundary) {
		/* The boundary poll: the daemon's first time on the CPU after the boundary. */
		sleep_until(b_mono);
		bool seen = wait_busy(pid, 1500000000);
		alert_sample(&smp[nsmp++], sock, &r, seen ? "boundary" : "boundary_unseen",
		             next_link++);
	}
	sleep_until(we);
	struct snap s1 = snapshot(pid, db);
	long long rss = proc_field(pid, "smaps_rollup", "Rss"),
	          pss = proc_field(pid, "smaps_rollup", "Pss"),
	          anon = proc_field(pid, "smaps_rollup", "Anonymous");

	/* The kernel's dump alone, at the same N while the daemon runs: thread CPU. */
	int nl = np_netlink_open(0, 0, NULL);
	int dumps = n <= 1100 ? 300 : 30;
	long long raw[5];
	size_t bytes = 0;
	for (int i = 0; i < 5 && nl != -1; i++) {
		int64_t c = ns_now(CLOCK_THREAD_CPUTIME_ID);
		bytes = bench_nl_raw_dumps(nl, RTM_GETSTATS, dumps);
		raw[i] = (ns_now(CLOCK_THREAD_CPUTIME_ID) - c) / dumps / 1000;
	}
	if (nl != -1)
		close(nl);

	/* Alert samples: at a random moment, and just after a poll started. */
	for (int i = 0; i < nalerts && nsmp + 2 <= 64; i++) {
		struct timespec d = {0, (rand() % 1000) * 1000000L};
		nanosleep(&d, NULL);
		alert_sample(&smp[nsmp++], sock, &r, "idle", next_link++);
		nanosleep(&(struct timespec){0, 500000000}, NULL);
		bool seen = wait_busy(pid, 1500000000);
		alert_sample(&smp[nsmp++], sock, &r, seen ? "midpoll" : "midpoll_unseen",
		             next_link++);
	}
	nanosleep(&(struct timespec){1, 500000000}, NULL); /* the last poll's line */
	close(sock);

	/* Figures. */
	free(v);
	v = log_polls(&lr, &np);
	long long *cpu = malloc((np + 1) * sizeof(*cpu)), *wall = malloc((np + 1) * sizeof(*wall));
	size_t k = 0;
	long long sum = 0, obs = -1, bpoll = -1;
	for (size_t i = 0; i < np; i++) {
		if (v[i].end_ns < s0.mono || v[i].end_ns > s1.mono)
			continue;
		cpu[k] = v[i].cpu_us;
		wall[k] = v[i].wall_us;
		sum += v[i].cpu_us;
		obs = v[i].obs;
		if (b_mono >= 0 && bpoll < 0 && v[i].end_ns - v[i].wall_us * 1000 >= b_mono)
			bpoll = v[i].cpu_us;
		k++;
	}
	double secs = (s1.mono - s0.mono) / 1e9, per_h = 3600.0 / secs;
	long long med = quantile(cpu, k, 0.5), p90 = quantile(cpu, k, 0.9);
	long long mx = k ? cpu[k - 1] : -1, wmed = quantile(wall, k, 0.5);
	double mean = k ? (double)sum / (double)k : -1;
	double sched = k ? (s1.cpu_ns - s0.cpu_ns) / 1e3 / (double)k : -1;
	printf("bench=daemon_poll links=%d window_s=%.1f polls=%zu obs_per_poll=%lld "
	       "cpu_us_median=%lld cpu_us_p90=%lld cpu_us_max=%lld cpu_us_mean=%.0f "
	       "max_over_median=%.2f wall_us_median=%lld schedstat_us_per_poll=%.0f "
	       "boundary_in_window=%d boundary_poll_cpu_us=%lld overrun_warnings=%ld\n",
	       n, secs, k, obs, med, p90, mx, mean, med > 0 ? (double)mx / (double)med : -1, wmed,
	       sched, bpoll >= 0, bpoll, lr.overruns);
	long long rmed = quantile(raw, nl != -1 ? 5 : 0, 0.5);
	printf("bench=daemon_raw_dump links=%d dump=RTM_GETSTATS rounds=5 dumps_per_round=%d "
	       "cpu_us_min=%lld cpu_us_median=%lld bytes_per_dump=%zu poll_over_raw=%.2f\n",
	       n, dumps, raw[0], rmed, bytes, rmed > 0 ? (double)med / (double)rmed : -1);
	printf("bench=daemon_memory links=%d rss_kb=%lld pss_kb=%lld anon_kb=%lld "
	       "anon_bytes_per_link=%.0f\n",
	       n, rss, pss, anon, anon * 1024.0 / n);
	printf("bench=daemon_disk links=%d db_bytes_start=%lld db_bytes_end=%lld "
	       "wal_bytes_start=%lld wal_bytes_end=%lld used_bytes_start=%lld used_bytes_end=%lld "
	       "file_growth_mb_per_h=%.2f db_growth_mb_per_h=%.2f "
	       "write_bytes_mb_per_h=%.2f wchar_mb_per_h=%.2f written_over_growth=%.2f\n",
	       n, s0.db, s1.db, s0.wal, s1.wal, s0.used, s1.used, (s1.db - s0.db) * per_h / 1e6,
	       (s1.used - s0.used) * per_h / 1e6, (s1.write_bytes - s0.write_bytes) * per_h / 1e6,
	       (s1.wchar - s0.wchar) * per_h / 1e6,
	       s1.used > s0.used
	           ? (double)(s1.write_bytes - s0.write_bytes) / (double)(s1.used - s0.used)
	           : -1);
	print_alerts(n, smp, nsmp, v, np);
	printf("bench=daemon_traffic_sent links=%d frames=%ld failed=%ld (failed: links taken "
	       "down)\n",
	       n, atomic_load(&tr.sent), atomic_load(&tr.failed));
	fflush(stdout);

	stop_daemon(pid);
	atomic_store(&tr.stop, true);
	atomic_store(&r.stop, true);
	pthread_join(tr.th, NULL);
	pthread_join(r.th, NULL);
	pthread_join(lr.th, NULL);
	fclose(lr.in);
	fclose(lr.copy);
	close(tr.fd);
	close(r.fd);
	free(tr.ifindex);
	free(r.down_ns);
	free(r.up_ns);
	free(lr.v);
	free(v);
	free(cpu);
	free(wall);
	return 0;
}

int
main(int argc, char **argv)
{
	int sizes[8] = {1000, 10000}, nsizes = 2;
	setvbuf(stdout, NULL, _IOLBF, 0); /* each figure as soon as it is known */
	if (argc > 1) {
		nsizes = 0;
		for (int i = 1; i < argc && nsizes < 8; i++)
			sizes[nsizes++] = atoi(argv[i]);
	}
	char netpulsed[PATH_MAX];
	const char *env = getenv("NETPULSED");
	if (env != NULL) {
		snprintf(netpulsed, sizeof(netpulsed), "%s", env);
	} else {
		/* build/bench/bench_daemon -> build/netpulsed */
		char self[PATH_MAX];
		ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
		self[len > 0 ? len : 0] = '\0';
		snprintf(netpulsed, sizeof(netpulsed), "%s/../netpulsed", dirname(self));
	}
	if (access(netpulsed, X_OK) == -1) {
		fprintf(stderr, "%s: %s: %s (set NETPULSED)\n", PROG, netpulsed, strerror(errno));
		return 1;
	}
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/bench_daemon.XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		tmpdir[0] = '\0';
		return 1;
	}
	atexit(on_exit_cleanup);
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (bench_netns_enter(PROG) == -1)
		return 1;
	if (env_int("BENCH_KEEP", 0))
		fprintf(stderr, "%s: keeping %s\n", PROG, tmpdir);
	srand((unsigned)mono_ns());
	int have = 0, rc = 0;
	for (int s = 0; s < nsizes && rc == 0; s++)
		if (sizes[s] >= 4)
			rc = run_n(netpulsed, sizes[s], &have);
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "ip link del group %d", GROUP);
	if (system(cmd) != 0)
		fprintf(stderr, "%s: '%s' failed\n", PROG, cmd);
	return rc == 0 ? 0 : 1;
}
