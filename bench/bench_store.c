/*
 * bench_store: the store's write path as the daemon drives it (DESIGN §10). For N series
 * (created once: the pipeline keeps the ids), many polls of np_store_sample (all 8 counters,
 * 60 s apart) + np_store_baseline_save inside one transaction per poll, into a file database in
 * /tmp (WAL, synchronous=NORMAL). Each N runs in its own child process so peak RSS is per run.
 *
 * Prints, per N: samples/s, raw inserts/s and rollup upserts/s (time spent in those
 * statements, from the store's profile counters), commit cost, CPU us per sample, peak RSS,
 * and database bytes per series per day (from dbstat, for runs that cover a whole day). Also
 * anchors: bare prepared INSERT and UPSERT on the same schema, to read the figures against
 * the machine's load. Figures only; nothing is asserted.
 *
 * usage: bench_store [N:POLLS ...]   (default 1000:1440 10000:120 100000:12)
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
#include "store/store.h"

#define DAY0 1780272000LL /* 2026-06-01T00:00:00Z */
#define INTERVAL_MS 60000

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

/* Bytes per table from the dbstat virtual table (pages in use, header included). */
static void
print_sizes(struct np_store *st, int n, double days)
{
	sqlite3_stmt *stmt = NULL;
	const char *sql = "SELECT CASE WHEN name LIKE 'rollup%' OR name IN ('samples', 'series')"
	                  " THEN name ELSE 'other' END AS t, sum(pgsize) FROM dbstat GROUP BY t"
	                  " ORDER BY t";
	if (sqlite3_prepare_v2(np_store_db(st), sql, -1, &stmt, NULL) != SQLITE_OK) {
		printf("  (dbstat unavailable: %s)\n", sqlite3_errmsg(np_store_db(st)));
		return;
	}
	double total = 0;
	printf("  bytes per series per day:");
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		double b = (double)sqlite3_column_int64(stmt, 1);
		total += b;
		printf(" %s=%.0f", (const char *)sqlite3_column_text(stmt, 0), b / n / days);
	}
	printf(" total=%.0f\n", total / n / days);
	sqlite3_finalize(stmt);
}

static void
run(int n, int polls)
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
	char(*names)[16] = calloc((size_t)n, sizeof *names);
	uint64_t x = 12345;
	double t0 = bench_clock_s(CLOCK_MONOTONIC);
	if (np_store_begin(st, &cause) != 0)
		die("begin", cause);
	for (int i = 0; i < n; i++) {
		snprintf(names[i], sizeof names[0], "if%d", i);
		ids[i] = np_store_series(st, "bench", "host", names[i], "if", "{\"site\":\"lab\"}",
		                         DAY0, &cause);
		if (ids[i] < 0)
			die("series", cause);
	}
	if (np_store_commit(st, &cause) != 0)
		die("commit", cause);
	double create_s = bench_clock_s(CLOCK_MONOTONIC) - t0;

	/* Polls a quarter second past the minute, like a real timer would. */
	int64_t t_ms = DAY0 * 1000 + 250;
	double commit_s = 0, wall0 = bench_clock_s(CLOCK_MONOTONIC),
	       cpu0 = bench_clock_s(CLOCK_PROCESS_CPUTIME_ID);
	struct np_store_stats before;
	np_store_get_stats(st, &before);
	for (int p = 0; p < polls; p++) {
		int64_t from = t_ms;
		t_ms += INTERVAL_MS;
		if (np_store_begin(st, &cause) != 0)
			die("begin", cause);
		for (int i = 0; i < n; i++) {
			struct np_sample s = {.from_ms = from, .to_ms = t_ms, .verdict = NP_V_OK};
			s.delta[NP_C_RX_BYTES] = lcg(&x) % 100000000;
			s.delta[NP_C_TX_BYTES] = lcg(&x) % 10000000;
			s.delta[NP_C_RX_PACKETS] = s.delta[NP_C_RX_BYTES] / 900;
			s.delta[NP_C_TX_PACKETS] = s.delta[NP_C_TX_BYTES] / 700;
			s.delta[NP_C_RX_ERRORS] = lcg(&x) % 1000 == 0;
			s.mask = (1u << NP_C_MAX) - 1;
			if (np_store_sample(st, ids[i], &s, &cause) != 0)
				die("sample", cause);
			/* The counters' new baseline, as the pipeline writes it with each sample.
			 */
			struct np_baseline bl = {.time_ms = t_ms, .epoch = 1, .mask = s.mask};
			for (int c = 0; c < NP_C_MAX; c++)
				bl.value[c] = s.delta[c] * (uint64_t)(p + 1);
			if (np_store_baseline_save(st, ids[i], &bl, &cause) != 0)
				die("baseline", cause);
		}
		double c0 = bench_clock_s(CLOCK_MONOTONIC);
		if (np_store_commit(st, &cause) != 0)
			die("commit", cause);
		commit_s += bench_clock_s(CLOCK_MONOTONIC) - c0;
	}
	double wall = bench_clock_s(CLOCK_MONOTONIC) - wall0;
	double cpu = bench_clock_s(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
	struct np_store_stats s;
	np_store_get_stats(st, &s);
	uint64_t samples = s.samples - before.samples;
	uint64_t raw = s.raw_rows - before.raw_rows, up = s.rollup_rows - before.rollup_rows;
	double raw_t = (double)(s.raw_ns - before.raw_ns) / 1e9;
	double up_t = (double)(s.rollup_ns - before.rollup_ns) / 1e9;
	double days = (double)polls * INTERVAL_MS / 86400000.0;

	printf("N=%d polls=%d samples=%llu (%.2f simulated days)\n", n, polls,
	       (unsigned long long)samples, days);
	printf("  series create: %.0f series/s\n", n / create_s);
	printf("  samples/s (wall, incl. commit): %.0f   CPU us/sample: %.2f   "
	       "per poll: %.2f ms wall\n",
	       samples / wall, cpu * 1e6 / (double)samples, wall * 1e3 / polls);
	printf("  raw inserts/s: %.0f (%.2f us each)   rollup upserts/s: %.0f (%.2f us each, "
	       "%.2f per sample)\n",
	       raw / raw_t, raw_t * 1e6 / (double)raw, up / up_t, up_t * 1e6 / (double)up,
	       (double)up / (double)samples);
	printf("  commit: %.2f ms/poll\n", commit_s * 1e3 / polls);
	if (days >= 1.0)
		print_sizes(st, n, days);
	np_store_close(st);
	struct stat sb;
	if (stat(path, &sb) == 0)
		printf("  file: %lld bytes = %.0f bytes/series/day\n", (long long)sb.st_size,
		       (double)sb.st_size / n / days);
	printf(
	    "RESULT bench_store n=%d polls=%d samples_per_s=%.0f raw_inserts_per_s=%.0f "
	    "upserts_per_s=%.0f cpu_us_per_sample=%.2f commit_ms=%.2f bytes_per_series_day=%.0f\n",
	    n, polls, samples / wall, raw / raw_t, up / up_t, cpu * 1e6 / (double)samples,
	    commit_s * 1e3 / polls, days >= 1.0 ? (double)sb.st_size / n / days : -1.0);
	fflush(stdout);
	unlink(path);
	rmdir(dir);
	free(ids);
	free(names);
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
	sqlite3_prepare_v2(
	    db,
	    "INSERT INTO samples (t, series, secs, rx_bytes, tx_bytes) VALUES (?, ?, "
	    "60, ?, ?)",
	    -1, &ins, NULL);
	sqlite3_prepare_v2(
	    db,
	    "INSERT INTO rollup_5m (bucket, series, rx_bytes, tx_bytes) VALUES (?, ?, ?, "
	    "?) ON CONFLICT (bucket, series) DO UPDATE SET rx_bytes = rx_bytes + "
	    "excluded.rx_bytes, tx_bytes = tx_bytes + excluded.tx_bytes",
	    -1, &ups, NULL);
	const int per_poll = 10000;
	double ti = 0, tu = 0;
	for (int done = 0, p = 0; done < rows; done += per_poll, p++) {
		sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
		double a = bench_clock_s(CLOCK_MONOTONIC);
		for (int i = 0; i < per_poll; i++) {
			sqlite3_bind_int64(ins, 1, DAY0 + p * 60);
			sqlite3_bind_int64(ins, 2, i);
			sqlite3_bind_int64(ins, 3, i * 7);
			sqlite3_bind_int64(ins, 4, i * 3);
			sqlite3_step(ins);
			sqlite3_reset(ins);
		}
		double b = bench_clock_s(CLOCK_MONOTONIC);
		for (int i = 0; i < per_poll; i++) {
			sqlite3_bind_int64(ups, 1, DAY0 + (p / 5) * 300);
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
	printf("anchors (bare SQLite, 10k rows per transaction): INSERT %.0f rows/s, UPSERT %.0f "
	       "rows/s\n",
	       rows / ti, rows / tu);
	printf("RESULT bench_store_anchor insert_per_s=%.0f upsert_per_s=%.0f\n", rows / ti,
	       rows / tu);
	fflush(stdout);
	unlink(path);
	rmdir(dir);
}

int
main(int argc, char **argv)
{
	static const char *const defaults[] = {"1000:1440", "10000:120", "100000:12"};
	const char *const *runs = defaults;
	int nruns = 3;
	if (argc > 1) {
		runs = (const char *const *)argv + 1;
		nruns = argc - 1;
	}
	printf("bench_store: SQLite %s, WAL, synchronous=NORMAL, one transaction per poll\n",
	       sqlite3_libversion());
	fflush(stdout);
	for (int r = -1; r < nruns; r++) {
		int n = 0, polls = 0;
		if (r >= 0 && sscanf(runs[r], "%d:%d", &n, &polls) != 2) {
			fprintf(stderr, "usage: bench_store [N:POLLS ...]\n");
			return 2;
		}
		fflush(stdout); /* or the child would print the parent's buffer again */
		pid_t pid = fork();
		if (pid == 0) {
			if (r < 0)
				anchors(1000000);
			else
				run(n, polls);
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
			printf("  peak RSS: %ld KB\nRESULT bench_store n=%d peak_rss_kb=%ld\n",
			       ru.ru_maxrss, n, ru.ru_maxrss);
	}
	return 0;
}
