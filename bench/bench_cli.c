/*
 * bench_cli: the CLI's reports on a 30-day database of 10,000 links (issue #6 targets:
 * `status` <= 100 ms, `downtime --period 30d` <= 300 ms, `usage --period 30d --group-by device`
 * <= 500 ms wall).
 *
 * Builds the database with the library (np_store_open: the daemon's schema and migrations),
 * then fills it with bulk prepared INSERTs in big transactions, in key order, so that it looks
 * like `days` of a daemon watching N links (100 per device): series with labels, links (mostly
 * up, some down or stale), three runs with gaps between them, a first-sight transition per
 * link, ~3 outages per link (open ones for the links down now) with their transitions,
 * unobserved intervals (open ones for the stale links), rollup_5m for the last 14 days (the
 * default retention), rollup_1h and rollup_1d for every day, fold.next_5m at the start of the
 * current hour (its 5-minute buckets are not folded yet). Every rollup row is the sum of the
 * 5-minute values it covers, so the tables agree.
 *
 * Then runs the real CLI binary with -c (a minimal config naming that database) and a fixed
 * --now: each command once after dropping the database from the page cache (cold), then
 * `runs` times warm; checks the exit status and the output (status lists every link, ...).
 * Prints key=value lines: db_build_s, db_size_mb, <cmd>_ms_cold, <cmd>_ms_min,
 * <cmd>_ms_median, <cmd>_cpu_ms_median, <cmd>_maxrss_kb, <cmd>_out_lines.
 *
 * usage: bench_cli [--dir DIR] [--reuse] [--cli PATH] [--links N] [--days D] [--runs K]
 *                  [--dump]
 *   --dir DIR   where cli.db lives (default: bench_cli.d next to this program)
 *   --reuse     keep an existing cli.db built with the same parameters (else rebuild)
 *   --cli PATH  the netpulse binary (default: ../netpulse next to this program)
 *   --dump      also time `netpulse db dump` of every table, once (~48 M rows: minutes)
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "benchutil.h"
#include "store/store.h"

#define NOW 1782908250LL /* 2026-07-01T12:17:30Z: the CLI runs with --now NOW */
#define B5 300
#define H 3600
#define D 86400
#define RAW_DAYS 14 /* rollup_5m retention (default) */
#define PER_DEVICE 100
#define NSOURCES 4

struct params {
	int links, days;
};

static void
die(const char *what, const char *cause)
{
	fprintf(stderr, "bench_cli: %s: %s\n", what, cause != NULL ? cause : "?");
	exit(1);
}

/* a followed by b (malloc'd; the bench exits on failure). */
static char *
cat(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	char *s = malloc(na + nb + 1);
	if (s == NULL)
		die("malloc", strerror(errno));
	memcpy(s, a, na);
	memcpy(s + na, b, nb + 1);
	return s;
}

static uint64_t
mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return x;
}

static uint64_t
lcg(uint64_t *x)
{
	*x = *x * 6364136223846793005ull + 1442695040888963407ull;
	return *x >> 17;
}

static int64_t
floor_to(int64_t t, int64_t w)
{
	return t / w * w;
}

static void
exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		die(sql, err);
}

static sqlite3_stmt *
prep(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		die(sql, sqlite3_errmsg(db));
	return st;
}

static void
step(sqlite3 *db, sqlite3_stmt *st)
{
	if (sqlite3_step(st) != SQLITE_DONE)
		die(sqlite3_sql(st), sqlite3_errmsg(db));
	sqlite3_reset(st);
}

static void
text(sqlite3_stmt *st, int i, const char *s)
{
	sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

static void
names(int link, char *dev, char *ifn, char *src)
{
	sprintf(dev, "dev-%03d", link / PER_DEVICE);
	sprintf(ifn, "port%03d", link % PER_DEVICE);
	sprintf(src, "ssh-%c", 'a' + (link / PER_DEVICE) % NSOURCES);
}

/* What a rollup row holds for one series (summed over its 5-minute buckets). */
struct acc {
	double secs;
	int64_t c[8];
	double peak_rx, peak_tx;
};

/* The 5-minute bucket b of series s: a base rate per series, varying per bucket. */
static void
five(int s, int64_t b, int64_t now, struct acc *a)
{
	uint64_t h = mix(((uint64_t)s << 32) ^ (uint64_t)b);
	double rate = (double)(1000 + mix((uint64_t)s) % 5000000); /* bytes/s */
	double m = 0.5 + (double)(h & 0xffff) / 65536.0;
	double secs = now - b < B5 ? (double)(now - b) : B5;
	int64_t rx = (int64_t)(rate * m * secs), tx = (int64_t)(rate * 0.3 * m * secs);
	a->secs += secs;
	a->c[0] += rx;
	a->c[1] += tx;
	a->c[2] += rx / 800;
	a->c[3] += tx / 600;
	a->c[4] += (h >> 16 & 0x3ff) == 0;
	a->c[5] += (h >> 26 & 0x3ff) == 0;
	a->c[6] += (h >> 36 & 0xff) == 0 ? (int64_t)(h >> 44 & 7) : 0;
	a->c[7] += 0;
	double prx = rate * m * 1.4, ptx = rate * 0.3 * m * 1.4;
	if (prx > a->peak_rx)
		a->peak_rx = prx;
	if (ptx > a->peak_tx)
		a->peak_tx = ptx;
}

static void
put_rollup(sqlite3 *db, sqlite3_stmt *st, int64_t bucket, int s, const struct acc *a)
{
	sqlite3_bind_int64(st, 1, bucket);
	sqlite3_bind_int64(st, 2, s + 1);
	sqlite3_bind_double(st, 3, a->secs);
	for (int i = 0; i < 8; i++)
		sqlite3_bind_int64(st, 4 + i, a->c[i]);
	sqlite3_bind_double(st, 12, a->peak_rx);
	sqlite3_bind_double(st, 13, a->peak_tx);
	step(db, st);
}

#define ROLLUP_INSERT(t)                                                                           \
	"INSERT INTO " t " (bucket, series, secs, rx_bytes, tx_bytes, rx_packets, tx_packets,"     \
	" rx_errors, tx_errors, rx_drops, tx_drops, peak_rx, peak_tx)"                             \
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"

/* rollup_5m (last RAW_DAYS), rollup_1h and rollup_1d, each inserted in (bucket, series) order. */
static int64_t
fill_rollups(sqlite3 *db, const struct params *p, int64_t t0, int64_t folded)
{
	sqlite3_stmt *r5 = prep(db, ROLLUP_INSERT("rollup_5m"));
	sqlite3_stmt *r1h = prep(db, ROLLUP_INSERT("rollup_1h"));
	sqlite3_stmt *r1d = prep(db, ROLLUP_INSERT("rollup_1d"));
	struct acc *hour = calloc((size_t)p->links, sizeof(*hour));
	struct acc *day = calloc((size_t)p->links, sizeof(*day));
	int64_t raw_from = floor_to(NOW - (int64_t)RAW_DAYS * D, B5), rows = 0;
	for (int64_t b = t0; b < NOW; b += B5) {
		exec(db, "BEGIN");
		for (int s = 0; s < p->links; s++) {
			struct acc a = {0};
			five(s, b, NOW, &a);
			if (b >= raw_from) {
				put_rollup(db, r5, b, s, &a);
				rows++;
			}
			if (b >= folded)
				continue;
			hour[s].secs += a.secs;
			day[s].secs += a.secs;
			for (int i = 0; i < 8; i++) {
				hour[s].c[i] += a.c[i];
				day[s].c[i] += a.c[i];
			}
			if (a.peak_rx > hour[s].peak_rx)
				hour[s].peak_rx = a.peak_rx;
			if (a.peak_tx > hour[s].peak_tx)
				hour[s].peak_tx = a.peak_tx;
			if (a.peak_rx > day[s].peak_rx)
				day[s].peak_rx = a.peak_rx;
			if (a.peak_tx > day[s].peak_tx)
				day[s].peak_tx = a.peak_tx;
		}
		/* Fold closed hours and days; the folded part of today is in its day row too. */
		int64_t next = b + B5;
		if (next <= folded && next % H == 0) {
			for (int s = 0; s < p->links; s++)
				put_rollup(db, r1h, next - H, s, &hour[s]);
			memset(hour, 0, (size_t)p->links * sizeof(*hour));
			rows += p->links;
		}
		if (next <= folded && (next % D == 0 || next == folded)) {
			for (int s = 0; s < p->links; s++)
				put_rollup(db, r1d, floor_to(next - 1, D), s, &day[s]);
			if (next % D == 0)
				memset(day, 0, (size_t)p->links * sizeof(*day));
			rows += p->links;
		}
		exec(db, "COMMIT");
	}
	free(hour);
	free(day);
	sqlite3_finalize(r5);
	sqlite3_finalize(r1h);
	sqlite3_finalize(r1d);
	return rows;
}

/* series, links, runs, transitions, outages, unobserved, collectors, verdicts, fold. */
static void
fill_state(sqlite3 *db, const struct params *p, int64_t t0, int64_t folded)
{
	sqlite3_stmt *ser = prep(db, "INSERT INTO series (id, source, device, interface, kind,"
	                             " labels, first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, 'if',"
	                             " ?5, ?6, ?7)");
	sqlite3_stmt *lnk = prep(db, "INSERT INTO links (device, interface, state, since,"
	                             " last_known, ever_up, flapping, outage_start, pending,"
	                             " pending_since, last_change, sources) VALUES (?1, ?2, ?3, ?4,"
	                             " ?5, 1, ?6, ?7, ?3, ?4, ?4, ?8)");
	sqlite3_stmt *tr = prep(db, "INSERT INTO transitions (time, device, interface, state,"
	                            " previous, source, outage_seconds, alert, flapping)"
	                            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0)");
	sqlite3_stmt *out = prep(db, "INSERT INTO outages (device, interface, start, end)"
	                             " VALUES (?1, ?2, ?3, ?4)");
	sqlite3_stmt *uno = prep(db, "INSERT INTO unobserved (device, interface, start, end)"
	                             " VALUES (?1, ?2, ?3, ?4)");
	char dev[32], ifn[32], src[32], labels[128], msgid[32];
	uint64_t rnd = 42;

	exec(db, "BEGIN");
	/* Runs: three, with a 10-minute and a 2-minute gap (restarts). */
	exec(db, "DELETE FROM runs");
	char sql[256];
	snprintf(sql, sizeof sql,
	         "INSERT INTO runs (started, last_alive, version) VALUES"
	         " (%lld, %lld, 'bench'), (%lld, %lld, 'bench'), (%lld, %lld, 'bench')",
	         (long long)(t0 - 600), (long long)(NOW - 20 * D), (long long)(NOW - 20 * D + 600),
	         (long long)(NOW - 5 * D), (long long)(NOW - 5 * D + 120), (long long)(NOW - 5));
	exec(db, sql);
	for (int l = 0; l < p->links; l++) {
		names(l, dev, ifn, src);
		int d = l / PER_DEVICE;
		snprintf(labels, sizeof labels,
		         "{\"group\":\"g%d\",\"region\":\"r%d\",\"account\":\"acct-%02d\"}", d % 10,
		         d % 4, d % 25);
		sqlite3_bind_int64(ser, 1, l + 1);
		text(ser, 2, src);
		text(ser, 3, dev);
		text(ser, 4, ifn);
		text(ser, 5, labels);
		sqlite3_bind_int64(ser, 6, t0);
		sqlite3_bind_int64(ser, 7, NOW - 5);
		step(db, ser);

		/* First sight, then ~3 outages spread over the days, each a down/up pair. */
		int64_t t = t0 + (int64_t)(lcg(&rnd) % 600);
		sqlite3_bind_int64(tr, 1, t);
		text(tr, 2, dev);
		text(tr, 3, ifn);
		text(tr, 4, "up");
		text(tr, 5, "unknown");
		text(tr, 6, src);
		sqlite3_bind_null(tr, 7);
		sqlite3_bind_null(tr, 8);
		step(db, tr);
		const char *state = "up";
		int64_t since = t, open_start = 0;
		int nout = (int)(lcg(&rnd) % 7);
		int64_t slot = ((int64_t)p->days * D - 1200) / (nout + 1);
		for (int k = 0; k < nout; k++) {
			int64_t s =
			    t + slot * (k + 1) + (int64_t)(lcg(&rnd) % (uint64_t)(slot / 2));
			int64_t len = 30 + (int64_t)(lcg(&rnd) % 7200);
			if (s >= NOW - 60)
				break;
			bool open = s + len >= NOW;
			snprintf(msgid, sizeof msgid, "IFDOWN-%d-%d", l, k);
			sqlite3_bind_int64(tr, 1, s);
			text(tr, 4, "down");
			text(tr, 5, "up");
			sqlite3_bind_null(tr, 7);
			text(tr, 8, msgid);
			step(db, tr);
			text(out, 1, dev);
			text(out, 2, ifn);
			sqlite3_bind_int64(out, 3, s);
			if (open)
				sqlite3_bind_null(out, 4);
			else
				sqlite3_bind_int64(out, 4, s + len);
			step(db, out);
			if (open) {
				state = "down";
				since = open_start = s;
				break;
			}
			snprintf(msgid, sizeof msgid, "IFUP-%d-%d", l, k);
			sqlite3_bind_int64(tr, 1, s + len);
			text(tr, 4, "up");
			text(tr, 5, "down");
			sqlite3_bind_int64(tr, 7, len);
			text(tr, 8, msgid);
			step(db, tr);
			since = s + len;
		}
		/* 2 % of the links went down lately and stay down; 1 % are stale now. */
		uint64_t fate = mix((uint64_t)l * 7919) % 100;
		if (fate < 2 && open_start == 0) {
			int64_t s = NOW - 3600 - (int64_t)(lcg(&rnd) % (2 * D));
			if (s > since) {
				sqlite3_bind_int64(tr, 1, s);
				text(tr, 4, "down");
				text(tr, 5, "up");
				sqlite3_bind_null(tr, 7);
				sqlite3_bind_null(tr, 8);
				step(db, tr);
				text(out, 1, dev);
				text(out, 2, ifn);
				sqlite3_bind_int64(out, 3, s);
				sqlite3_bind_null(out, 4);
				step(db, out);
				state = "down";
				since = open_start = s;
			}
		}
		/* 0.1 % had a short outage in the last 10 minutes (`events --since 10m`). */
		if (mix((uint64_t)l * 7919 + 1) % 1000 == 500 && open_start == 0) {
			int64_t s = NOW - 90 - (int64_t)(lcg(&rnd) % 480),
			        len = 5 + (int64_t)(lcg(&rnd) % 60);
			if (s > since) {
				sqlite3_bind_int64(tr, 1, s);
				text(tr, 4, "down");
				text(tr, 5, "up");
				sqlite3_bind_null(tr, 7);
				text(tr, 8, "IFDOWN-recent");
				step(db, tr);
				sqlite3_bind_int64(tr, 1, s + len);
				text(tr, 4, "up");
				text(tr, 5, "down");
				sqlite3_bind_int64(tr, 7, len);
				text(tr, 8, "IFUP-recent");
				step(db, tr);
				text(out, 1, dev);
				text(out, 2, ifn);
				sqlite3_bind_int64(out, 3, s);
				sqlite3_bind_int64(out, 4, s + len);
				step(db, out);
				since = s + len;
			}
		}
		/* One closed unobserved interval on 10 % of the links; open ones for the stale. */
		if (fate >= 10 && fate < 20) {
			int64_t s = t0 + (int64_t)(lcg(&rnd) % (uint64_t)((p->days - 1) * D));
			text(uno, 1, dev);
			text(uno, 2, ifn);
			sqlite3_bind_int64(uno, 3, s);
			sqlite3_bind_int64(uno, 4, s + 60 + (int64_t)(lcg(&rnd) % 3600));
			step(db, uno);
		}
		const char *last_known = state;
		if (fate == 99 && open_start == 0) {
			int64_t s = NOW - 120 - (int64_t)(lcg(&rnd) % D);
			if (s > since) {
				sqlite3_bind_int64(tr, 1, s);
				text(tr, 4, "stale");
				text(tr, 5, state);
				sqlite3_bind_null(tr, 7);
				sqlite3_bind_null(tr, 8);
				step(db, tr);
				text(uno, 1, dev);
				text(uno, 2, ifn);
				sqlite3_bind_int64(uno, 3, s);
				sqlite3_bind_null(uno, 4);
				step(db, uno);
				state = "stale";
				since = s;
			}
		}
		text(lnk, 1, dev);
		text(lnk, 2, ifn);
		text(lnk, 3, state);
		sqlite3_bind_int64(lnk, 4, since);
		text(lnk, 5, last_known);
		sqlite3_bind_int(lnk, 6, fate == 50);
		sqlite3_bind_int64(lnk, 7, open_start);
		text(lnk, 8, src);
		step(db, lnk);
	}
	for (int s = 0; s < NSOURCES; s++) {
		snprintf(sql, sizeof sql,
		         "INSERT INTO collectors (source, ok, since) VALUES ('ssh-%c', 1, %lld)",
		         'a' + s, (long long)t0);
		exec(db, sql);
	}
	snprintf(sql, sizeof sql,
	         "INSERT INTO verdicts (series, verdict, count, last) SELECT id, 'reset', 1, %lld"
	         " FROM series WHERE id %% 97 = 0",
	         (long long)(NOW - 7 * D));
	exec(db, sql);
	snprintf(sql, sizeof sql, "UPDATE fold SET next_5m = %lld WHERE id = 1", (long long)folded);
	exec(db, sql);
	exec(db, "COMMIT");
	sqlite3_finalize(ser);
	sqlite3_finalize(lnk);
	sqlite3_finalize(tr);
	sqlite3_finalize(out);
	sqlite3_finalize(uno);
}

static double
file_mb(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 ? (double)sb.st_size / 1048576.0 : 0;
}

static void
build(const char *db, const char *stamp, const struct params *p)
{
	const char *sfx[] = {"", "-wal", "-shm"};
	for (size_t i = 0; i < 3; i++) {
		char *f = cat(db, sfx[i]);
		unlink(f);
		free(f);
	}
	unlink(stamp);
	double w0 = wall_s();
	char *cause = NULL;
	struct np_store *st = np_store_open(db, 0, &cause);
	if (st == NULL)
		die("open", cause);
	sqlite3 *h = np_store_db(st);
	/* A bulk load: no journal, no fsync; the file ends in WAL mode as the daemon leaves it. */
	exec(h, "PRAGMA journal_mode = OFF");
	exec(h, "PRAGMA synchronous = OFF");
	exec(h, "PRAGMA cache_size = -262144");
	int64_t t0 = floor_to(NOW, D) - (int64_t)p->days * D;
	int64_t folded = floor_to(NOW, H);
	fill_state(h, p, t0, folded);
	double w1 = wall_s();
	int64_t rows = fill_rollups(h, p, t0, folded);
	double w2 = wall_s();
	exec(h, "PRAGMA journal_mode = WAL");
	np_store_close(st);
	printf("db_build_state_s=%.1f\n", w1 - w0);
	printf("db_build_rollups_s=%.1f\n", w2 - w1);
	printf("db_rollup_rows=%lld\n", (long long)rows);
	printf("db_rollup_rows_per_s=%.0f\n", (double)rows / (w2 - w1));
	printf("db_build_s=%.1f\n", wall_s() - w0);
	FILE *f = fopen(stamp, "w");
	if (f == NULL ||
	    fprintf(f, "links=%d days=%d now=%lld\n", p->links, p->days, (long long)NOW) < 0 ||
	    fclose(f) != 0)
		die(stamp, strerror(errno));
}

static bool
stamp_matches(const char *stamp, const struct params *p)
{
	char want[128], got[128] = "";
	snprintf(want, sizeof want, "links=%d days=%d now=%lld\n", p->links, p->days,
	         (long long)NOW);
	FILE *f = fopen(stamp, "r");
	if (f == NULL)
		return false;
	if (fgets(got, sizeof got, f) == NULL)
		got[0] = '\0';
	fclose(f);
	return strcmp(want, got) == 0;
}

/* Drops the database's pages from the page cache (the next run reads from disk). */
static void
drop_cache(const char *db)
{
	const char *sfx[] = {"", "-wal"};
	for (size_t i = 0; i < 2; i++) {
		char *path = cat(db, sfx[i]);
		int fd = open(path, O_RDONLY);
		free(path);
		if (fd == -1)
			continue;
		fdatasync(fd);
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		close(fd);
	}
}

struct result {
	double wall_ms, cpu_ms;
	long maxrss_kb;
	long lines;
	int status;
	char last[512]; /* the last line of the output */
};

static void
run_cli(char *const argv[], const char *outpath, struct result *r)
{
	double t0 = wall_s();
	pid_t pid = fork();
	if (pid == -1)
		die("fork", strerror(errno));
	if (pid == 0) {
		int fd = open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd == -1 || dup2(fd, 1) == -1)
			_exit(127);
		close(fd);
		execv(argv[0], argv);
		_exit(127);
	}
	int status;
	struct rusage ru;
	if (wait4(pid, &status, 0, &ru) == -1)
		die("wait4", strerror(errno));
	r->wall_ms = (wall_s() - t0) * 1000;
	r->cpu_ms = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
	            (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
	r->maxrss_kb = ru.ru_maxrss;
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	r->lines = 0;
	r->last[0] = '\0';
	FILE *f = fopen(outpath, "r");
	char line[512];
	while (f != NULL && fgets(line, sizeof line, f) != NULL) {
		size_t n = strlen(line);
		if (n > 0 && line[n - 1] == '\n') {
			r->lines++;
			memcpy(r->last, line, n + 1);
		}
	}
	if (f != NULL)
		fclose(f);
}

static int
dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/*
 * One command: cold, then `runs` warm (0: the cold run only); prints its figures; returns
 * false if a check failed.
 */
static bool
bench_cmd(const char *key, char *const argv[], const char *db, const char *outpath, int runs,
          long min_lines, const char *last_has)
{
	struct result r;
	double *wall = calloc((size_t)runs + 1, sizeof(double));
	double *cpu = calloc((size_t)runs + 1, sizeof(double));
	bool ok = true;
	drop_cache(db);
	run_cli(argv, outpath, &r);
	printf("%s_ms_cold=%.1f\n", key, r.wall_ms);
	long rss = r.maxrss_kb;
	wall[0] = r.wall_ms;
	cpu[0] = r.cpu_ms;
	for (int i = 0; i < runs && r.status == 0; i++) {
		run_cli(argv, outpath, &r);
		wall[i] = r.wall_ms;
		cpu[i] = r.cpu_ms;
		if (r.maxrss_kb > rss)
			rss = r.maxrss_kb;
	}
	int m = runs > 0 ? runs : 1;
	if (r.status != 0) {
		printf("%s_error=exit status %d (output in %s)\n", key, r.status, outpath);
		ok = false;
	} else {
		qsort(wall, (size_t)m, sizeof(double), dcmp);
		qsort(cpu, (size_t)m, sizeof(double), dcmp);
		if (runs > 0)
			printf("%s_ms_min=%.1f\n%s_ms_median=%.1f\n", key, wall[0], key,
			       wall[m / 2]);
		printf("%s_cpu_ms_median=%.1f\n", key, cpu[m / 2]);
		printf("%s_maxrss_kb=%ld\n%s_out_lines=%ld\n", key, rss, key, r.lines);
		if (r.lines < min_lines || (last_has != NULL && strstr(r.last, last_has) == NULL)) {
			printf("%s_error=output: %ld lines (want >= %ld), last line \"%.*s\" (want "
			       "\"%s\" in it)\n",
			       key, r.lines, min_lines, (int)strcspn(r.last, "\n"), r.last,
			       last_has != NULL ? last_has : "");
			ok = false;
		}
	}
	free(wall);
	free(cpu);
	fflush(stdout);
	return ok;
}

int
main(int argc, char **argv)
{
	struct params p = {10000, 30};
	const char *dir = NULL, *cli = NULL;
	bool reuse = false, dump = false;
	int runs = 7;
	char self[4096], here[4096];

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--reuse") == 0) {
			reuse = true;
		} else if (strcmp(a, "--dump") == 0) {
			dump = true;
		} else if (v != NULL && strcmp(a, "--dir") == 0) {
			dir = v, i++;
		} else if (v != NULL && strcmp(a, "--cli") == 0) {
			cli = v, i++;
		} else if (v != NULL && strcmp(a, "--links") == 0) {
			p.links = atoi(v), i++;
		} else if (v != NULL && strcmp(a, "--days") == 0) {
			p.days = atoi(v), i++;
		} else if (v != NULL && strcmp(a, "--runs") == 0) {
			runs = atoi(v), i++;
		} else {
			fprintf(stderr,
			        "usage: bench_cli [--dir DIR] [--reuse] [--cli PATH] [--links N]"
			        " [--days D] [--runs K] [--dump]\n");
			return 2;
		}
	}
	if (p.links < 1 || p.days < 2 || runs < 1)
		die("arguments", "--links >= 1, --days >= 2, --runs >= 1");
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n < 0)
		die("/proc/self/exe", strerror(errno));
	self[n] = '\0';
	snprintf(here, sizeof here, "%s", dirname(self));

	if (dir == NULL)
		dir = cat(here, "/bench_cli.d");
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		die(dir, strerror(errno));
	char *db = cat(dir, "/cli.db"), *stamp = cat(db, ".params");
	char *conf = cat(dir, "/cli.yaml"), *outpath = cat(dir, "/out.txt");
	char *clipath = cli != NULL ? cat(cli, "") : cat(here, "/../netpulse"), nowarg[32];
	snprintf(nowarg, sizeof nowarg, "%lld", (long long)NOW);
	if (access(clipath, X_OK) == -1)
		die(clipath, strerror(errno));

	printf("links=%d days=%d db=%s\n", p.links, p.days, db);
	if (reuse && stamp_matches(stamp, &p) && access(db, R_OK) == 0)
		printf("db_reused=1\n");
	else
		build(db, stamp, &p);
	printf("db_size_mb=%.0f\n", file_mb(db));
	fflush(stdout);

	FILE *f = fopen(conf, "w");
	if (f == NULL || fprintf(f, "daemon:\n  database: %s\nsources: []\n", db) < 0 ||
	    fclose(f) != 0)
		die(conf, strerror(errno));

	char links_s[32];
	snprintf(links_s, sizeof links_s, "%d links", p.links);
	bool ok = true;
	char *status[] = {clipath, "-c", conf, "--now", nowarg, "status", NULL};
	ok &= bench_cmd("status", status, db, outpath, runs, p.links + 1, NULL);
	char *down[] = {clipath, "-c", conf, "--now", nowarg, "downtime", "--period", "30d", NULL};
	ok &= bench_cmd("downtime_30d", down, db, outpath, runs, p.links + 3, links_s);
	char *usage[] = {clipath,    "-c",  conf,         "--now",  nowarg, "usage",
	                 "--period", "30d", "--group-by", "device", NULL};
	ok &= bench_cmd("usage_30d_device", usage, db, outpath, runs,
	                (p.links + PER_DEVICE - 1) / PER_DEVICE + 3, "total");
	char *usage_if[] = {clipath, "-c", conf, "--now", nowarg, "usage", "--period", "30d", NULL};
	ok &= bench_cmd("usage_30d_interface", usage_if, db, outpath, runs, p.links + 3, "total");
	char *events[] = {clipath, "-c", conf, "--now", nowarg, "events", "--since", "10m", NULL};
	ok &= bench_cmd("events_10m", events, db, outpath, runs, 2, NULL);
	char *dump_links[] = {clipath, "-c", conf, "db", "dump", "links", NULL};
	ok &= bench_cmd("db_dump_links", dump_links, db, outpath, runs, p.links + 1, NULL);
	if (dump) {
		char *dump_all[] = {clipath, "-c", conf, "db", "dump", NULL};
		ok &= bench_cmd("db_dump_all", dump_all, db, outpath, 0, p.links, NULL);
		printf("db_dump_all_out_mb=%.0f\n", file_mb(outpath));
	}
	unlink(outpath);
	return ok ? 0 : 1;
}
