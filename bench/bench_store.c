/*
 * bench_store: the store's write path as the daemon drives it (DESIGN §10, issue #6). For N
 * series (created once: the pipeline keeps the ids), B closed 5-minute buckets: each closes
 * with one transaction holding every series' rollup row (np_store_rollup, all 8 counters) and
 * its counter baseline (np_store_baseline_save), as core/flush.c writes them; between two
 * closes, one poll per POLL_MS (default 1 s) runs np_store_fold_step in a transaction of its
 * own, so the hourly/daily fold runs paced, as in the daemon. Into a file database in /tmp
 * (WAL, synchronous=NORMAL); each N runs in its own child process so peak RSS is per run.
 *
 * Prints, per N, "RESULT bench_store key=value ..." lines: CPU and wall per closed row
 * (including the commit), the time inside np_store_rollup per row (profile counters), commit
 * per bucket, the fold's cost per series folded and its steps (median and max of the steps
 * that folded something), peak RSS, database bytes per series per day (from dbstat, for runs
 * that cover a whole day). Also anchors: bare prepared INSERT and UPSERT on rollup_5m, to read
 * the figures against the machine's load. Figures only; nothing is asserted.
 *
 * usage: bench_store [N:BUCKETS ...]   (default 1000:288 10000:24 100000:13)
 * environment: BENCH_STORE_POLL_MS (poll interval, default 1000), BENCH_STORE_CACHE_KB
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "benchutil.h"
#include "engine/rollup.h"
#include "store/store.h"

#define DAY0 1780272000LL /* 2026-06-01T00:00:00Z */

static uint64_t
lcg(uint64_t *x)
{
	*x = *x * 6364136223846793005ull + 1442695040888963407ull;
	return *x >> 20;
}

static void
die(const char *what, char *cause)
{
	fprintf(stderr, "bench_store: %s: %s\n", what, cause != NULL ? cause : "?");
	exit(1);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Bytes per table from the dbstat virtual table (pages in use, header included). */
static void
print_sizes(struct np_store *st, int n, double days)
{
	sqlite3_stmt *stmt = NULL;
	const char *sql = "SELECT CASE WHEN name LIKE 'rollup%' OR name IN ('baselines', 'series')"
	                  " THEN name ELSE 'other' END AS t, sum(pgsize) FROM dbstat GROUP BY t"
	                  " ORDER BY t";
	if (sqlite3_prepare_v2(np_store_db(st), sql, -1, &stmt, NULL) != SQLITE_OK) {
		printf("  (dbstat unavailable: %s)\n", sqlite3_errmsg(np_store_db(st)));
		return;
	}
	double total = 0;
	printf("RESULT bench_store_size n=%d", n);
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		double b = (double)sqlite3_column_int64(stmt, 1);
		total += b;
		printf(" %s_bytes_per_series_day=%.0f", (const char *)sqlite3_column_text(stmt, 0),
		       b / n / days);
	}
	printf(" total_bytes_per_series_day=%.0f\n", total / n / days);
	sqlite3_finalize(stmt);
}

/* One closed bucket: every series' row and baseline, one transaction. */
static double
close_bucket(struct np_store *st, const int64_t *ids, int n, int64_t bucket, uint64_t *x,
             uint64_t *totals)
{
	char *cause = NULL;
	if (np_store_begin(st, &cause) != 0)
		die("begin", cause);
	for (int i = 0; i < n; i++) {
		struct np_rollup_row r = {.bucket_s = bucket, .secs = NP_BUCKET_5M};
		r.c[NP_C_RX_BYTES] = lcg(x) % 3000000000ull;
		r.c[NP_C_TX_BYTES] = lcg(x) % 300000000ull;
		r.c[NP_C_RX_PACKETS] = r.c[NP_C_RX_BYTES] / 900;
		r.c[NP_C_TX_PACKETS] = r.c[NP_C_TX_BYTES] / 700;
		r.c[NP_C_RX_ERRORS] = lcg(x) % 1000 == 0;
		r.peak_rx = (double)r.c[NP_C_RX_BYTES] / 150;
		r.peak_tx = (double)r.c[NP_C_TX_BYTES] / 150;
		if (np_store_rollup(st, ids[i], &r, &cause) != 0)
			die("rollup", cause);
		/* The baseline that matches what the store now holds, as core/flush.c writes. */
		struct np_baseline bl = {
		    .time_ms = (bucket + NP_BUCKET_5M) * 1000, .epoch = 1, .mask = 0xff};
		for (int c = 0; c < NP_C_MAX; c++) {
			totals[(size_t)i * NP_C_MAX + c] += r.c[c];
			bl.value[c] = totals[(size_t)i * NP_C_MAX + c];
		}
		if (np_store_baseline_save(st, ids[i], &bl, &cause) != 0)
			die("baseline", cause);
	}
	double c0 = bench_clock_s(CLOCK_MONOTONIC);
	if (np_store_commit(st, &cause) != 0)
		die("commit", cause);
	return bench_clock_s(CLOCK_MONOTONIC) - c0;
}

static void
run(int n, int buckets, int64_t poll_ms)
{
	char dir[] = "/tmp/bench_store.XXXXXX";
	if (mkdtemp(dir) == NULL)
		die("mkdtemp", NULL);
	char path[64];
	snprintf(path, sizeof path, "%s/store.db", dir);
	char *cause = NULL;
	struct np_store *st = np_store_open(path, 0, &cause);
	if (st == NULL)
		die("open", cause);
	np_store_set_profile(st, true);
	const char *cache = getenv("BENCH_STORE_CACHE_KB"); /* experiment: page cache size */
	if (cache != NULL) {
		char sql[64];
		snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", atoi(cache));
		sqlite3_exec(np_store_db(st), sql, NULL, NULL, NULL);
	}

	int64_t *ids = calloc((size_t)n, sizeof *ids);
	uint64_t *totals = calloc((size_t)n * NP_C_MAX, sizeof *totals);
	char name[16];
	if (np_store_begin(st, &cause) != 0)
		die("begin", cause);
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof name, "if%d", i);
		ids[i] = np_store_series(st, "bench", "host", name, "if", "{\"site\":\"lab\"}",
		                         DAY0, &cause);
		if (ids[i] < 0)
			die("series", cause);
	}
	if (np_store_commit(st, &cause) != 0)
		die("commit", cause);

	int64_t polls_per_bucket = NP_BUCKET_5M * 1000 / poll_ms;
	double *steps = calloc((size_t)buckets * (size_t)polls_per_bucket, sizeof *steps);
	size_t nsteps = 0;
	double write_cpu = 0, write_wall = 0, commit_s = 0, fold_s = 0;
	uint64_t x = 12345;
	struct np_store_stats before, s;
	np_store_get_stats(st, &before);
	for (int b = 0; b < buckets; b++) {
		int64_t bucket = DAY0 + (int64_t)b * NP_BUCKET_5M;
		double w0 = bench_clock_s(CLOCK_MONOTONIC), c0 = cpu_s();
		commit_s += close_bucket(st, ids, n, bucket, &x, totals);
		write_cpu += cpu_s() - c0;
		write_wall += bench_clock_s(CLOCK_MONOTONIC) - w0;
		/* The polls until the next bucket closes, each with its fold step. */
		for (int64_t p = 1; p <= polls_per_bucket; p++) {
			int64_t now_ms = (bucket + NP_BUCKET_5M) * 1000 + p * poll_ms;
			uint64_t folded = 0;
			np_store_get_stats(st, &s);
			folded = s.fold_rows;
			double f0 = bench_clock_s(CLOCK_MONOTONIC);
			if (np_store_begin(st, &cause) != 0 ||
			    np_store_fold_step(st, now_ms / 1000, poll_ms, &cause) != 0 ||
			    np_store_commit(st, &cause) != 0)
				die("fold step", cause);
			double dt = bench_clock_s(CLOCK_MONOTONIC) - f0;
			np_store_get_stats(st, &s);
			if (s.fold_rows > folded) {
				steps[nsteps++] = dt;
				fold_s += dt;
			}
		}
	}
	np_store_get_stats(st, &s);
	uint64_t rows = s.rollup_rows - before.rollup_rows;
	double rollup_t = (double)(s.rollup_ns - before.rollup_ns) / 1e9;
	/* Each series folded writes one hourly and one daily row. */
	double folded = (double)(s.fold_rows - before.fold_rows) / 2;
	double days = (double)buckets * NP_BUCKET_5M / 86400.0;
	qsort(steps, nsteps, sizeof *steps, cmp_double);
	double med = nsteps > 0 ? steps[nsteps / 2] : 0, max = nsteps > 0 ? steps[nsteps - 1] : 0;

	printf("N=%d buckets=%d (%.2f simulated days, a poll every %lld ms)\n", n, buckets, days,
	       (long long)poll_ms);
	printf("RESULT bench_store n=%d buckets=%d rows=%llu cpu_us_per_row=%.2f "
	       "wall_us_per_row=%.2f rollup_us_per_row=%.2f commit_ms_per_bucket=%.2f "
	       "bucket_close_ms=%.2f\n",
	       n, buckets, (unsigned long long)rows, write_cpu * 1e6 / (double)rows,
	       write_wall * 1e6 / (double)rows, rollup_t * 1e6 / (double)rows,
	       commit_s * 1e3 / buckets, write_wall * 1e3 / buckets);
	printf("RESULT bench_store_fold n=%d series_folded=%.0f fold_us_per_series=%.2f "
	       "fold_steps=%zu fold_step_median_ms=%.3f fold_step_max_ms=%.3f\n",
	       n, folded, folded > 0 ? fold_s * 1e6 / folded : 0, nsteps, med * 1e3, max * 1e3);
	if (days >= 1.0)
		print_sizes(st, n, days);
	np_store_close(st);
	struct stat sb;
	if (stat(path, &sb) == 0)
		printf("RESULT bench_store_file n=%d bytes=%lld bytes_per_series_day=%.0f\n", n,
		       (long long)sb.st_size, (double)sb.st_size / n / days);
	fflush(stdout);
	unlink(path);
	rmdir(dir);
	free(steps);
	free(totals);
	free(ids);
}

/* The same statements bare (no store code around them): what SQLite alone manages here. */
static void
anchors(int rows)
{
	char dir[] = "/tmp/bench_store.XXXXXX";
	if (mkdtemp(dir) == NULL)
		die("mkdtemp", NULL);
	char path[64];
	snprintf(path, sizeof path, "%s/anchor.db", dir);
	char *cause = NULL;
	struct np_store *st = np_store_open(path, 0, &cause);
	if (st == NULL)
		die("open", cause);
	sqlite3 *db = np_store_db(st);
	sqlite3_stmt *ins = NULL, *ups = NULL;
	/* A new bucket's rows (the write at bucket close) and a bucket's rows upserted again. */
	sqlite3_prepare_v2(db,
	                   "INSERT INTO rollup_5m (bucket, series, secs, rx_bytes, tx_bytes)"
	                   " VALUES (?, ?, 300, ?, ?)",
	                   -1, &ins, NULL);
	sqlite3_prepare_v2(
	    db,
	    "INSERT INTO rollup_5m (bucket, series, rx_bytes, tx_bytes) VALUES (?, ?, ?, "
	    "?) ON CONFLICT (bucket, series) DO UPDATE SET rx_bytes = rx_bytes + "
	    "excluded.rx_bytes, tx_bytes = tx_bytes + excluded.tx_bytes",
	    -1, &ups, NULL);
	const int per_tx = 10000;
	double ti = 0, tu = 0;
	for (int done = 0, p = 0; done < rows; done += per_tx, p++) {
		sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
		double a = bench_clock_s(CLOCK_MONOTONIC);
		for (int i = 0; i < per_tx; i++) {
			sqlite3_bind_int64(ins, 1, DAY0 + p * 300);
			sqlite3_bind_int64(ins, 2, i);
			sqlite3_bind_int64(ins, 3, i * 7);
			sqlite3_bind_int64(ins, 4, i * 3);
			sqlite3_step(ins);
			sqlite3_reset(ins);
		}
		double b = bench_clock_s(CLOCK_MONOTONIC);
		for (int i = 0; i < per_tx; i++) {
			sqlite3_bind_int64(ups, 1, DAY0 + p * 300);
			sqlite3_bind_int64(ups, 2, i);
			sqlite3_bind_int64(ups, 3, i * 7);
			sqlite3_bind_int64(ups, 4, i * 3);
			sqlite3_step(ups);
			sqlite3_reset(ups);
		}
		tu += bench_clock_s(CLOCK_MONOTONIC) - b;
		ti += b - a;
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	}
	sqlite3_finalize(ins);
	sqlite3_finalize(ups);
	np_store_close(st);
	printf("RESULT bench_store_anchor rows_per_tx=%d insert_per_s=%.0f upsert_per_s=%.0f\n",
	       per_tx, rows / ti, rows / tu);
	fflush(stdout);
	unlink(path);
	rmdir(dir);
}

int
main(int argc, char **argv)
{
	static const char *const defaults[] = {"1000:288", "10000:24", "100000:13"};
	const char *const *runs = defaults;
	int nruns = 3;
	if (argc > 1) {
		runs = (const char *const *)argv + 1;
		nruns = argc - 1;
	}
	const char *pm = getenv("BENCH_STORE_POLL_MS");
	int64_t poll_ms = pm != NULL ? atoll(pm) : 1000;
	if (poll_ms < 1 || poll_ms > NP_BUCKET_5M * 1000) {
		fprintf(stderr, "bench_store: BENCH_STORE_POLL_MS must be 1..300000\n");
		return 2;
	}
	printf("bench_store: SQLite %s, WAL, synchronous=NORMAL, one transaction per closed "
	       "bucket and per poll's fold step\n",
	       sqlite3_libversion());
	fflush(stdout);
	for (int r = -1; r < nruns; r++) {
		int n = 0, buckets = 0;
		if (r >= 0 &&
		    (sscanf(runs[r], "%d:%d", &n, &buckets) != 2 || n < 1 || buckets < 1)) {
			fprintf(stderr, "usage: bench_store [N:BUCKETS ...]\n");
			return 2;
		}
		fflush(stdout); /* or the child would print the parent's buffer again */
		pid_t pid = fork();
		if (pid == 0) {
			if (r < 0)
				anchors(1000000);
			else
				run(n, buckets, poll_ms);
			_exit(0);
		}
		int status;
		struct rusage ru;
		if (pid < 0 || wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0) {
			fprintf(stderr, "bench_store: run failed\n");
			return 1;
		}
		if (r >= 0)
			printf("RESULT bench_store_rss n=%d peak_rss_kb=%ld\n", n, ru.ru_maxrss);
	}
	return 0;
}
