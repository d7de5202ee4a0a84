/*
 * bench_churn: memory under link churn (container veths that come and go). A source with 100
 * stable interfaces polls every 60 s (simulated); each poll also lists CHURN_PER_POLL veths
 * that are never seen again, until N have come and gone; then 70 more polls list only the
 * stable set (past the pipeline's idle time of one hour). Prints the series the pipeline holds
 * and the process's anonymous memory (RssAnon) and live malloc'd bytes (mallinfo2, and SQLite's
 * share: its page cache is bounded, not per series) before the churn, at its peak and after it
 * (and after malloc_trim, to tell freed memory from memory glibc keeps), for complete batches (a
 * series leaves memory when the next batch does not list it) and for incomplete ones (it leaves
 * after an hour unseen).
 *
 * The veths carry counters only (no link observations), so the figures are the pipeline's
 * and the store's per-series memory; `--links` adds link observations, whose memory belongs
 * to the link-state engine. Each mode runs in its own child process. Figures only.
 *
 * usage: bench_churn [--links] [N]   (default N = 100000)
 */
#include <malloc.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "benchutil.h"
#include "config/config.h"
#include "core/pipeline.h"
#include "model/obs.h"
#include "store/store.h"

#define STABLE 100
#define CHURN_PER_POLL 1000
#define AFTER_POLLS 70
#define T0 1764576000000LL /* 2025-12-01T08:00:00Z */

static void
report(const char *mode, const char *when, const struct np_pipeline *pl)
{
	struct mallinfo2 mi = mallinfo2();
	printf("  %-8s %-7s series=%-6llu RssAnon=%6ld kB  malloc in use=%6zu kB"
	       " (of which SQLite %6lld kB)\n",
	       mode, when, (unsigned long long)np_pipeline_stats(pl)->series, status_kb("RssAnon:"),
	       (mi.uordblks + mi.hblkhd) / 1024, (long long)sqlite3_memory_used() / 1024);
}

static void
add(struct np_batch *b, const char *ifn, uint64_t k, bool link)
{
	struct np_obs *o = np_batch_add(b);
	np_obs_set_names(b, o, "node1", ifn);
	for (int c = 0; c < NP_C_MAX; c++)
		np_obs_counter(o, (enum np_counter_id)c, k * (uint64_t)(c + 1) * 1000);
	o->counter_bits = 64;
	o->epoch = 1;
	o->link = link ? NP_LINK_UP : NP_LINK_NONE;
}

static void
poll_once(struct np_pipeline *pl, const struct np_source_cfg *src, struct np_batch *b, int p,
          bool complete, int churn_from, int churn_n, bool links)
{
	int64_t t = T0 + (int64_t)p * 60000;
	np_batch_reset(b, t);
	b->complete = complete;
	char ifn[32];
	for (int i = 0; i < STABLE; i++) {
		snprintf(ifn, sizeof(ifn), "eth%d", i);
		add(b, ifn, (uint64_t)p, links);
	}
	for (int i = 0; i < churn_n; i++) {
		snprintf(ifn, sizeof(ifn), "veth%06d", churn_from + i);
		add(b, ifn, (uint64_t)p, links);
	}
	b->mono_ms = t; /* wall and monotonic clocks run together here */
	char *cause = NULL;
	if (np_pipeline_ingest(pl, src, b, t + 50, t + 50, &cause) == -1) {
		fprintf(stderr, "bench_churn: %s\n", cause);
		exit(1);
	}
	/* What the daemon's housekeeping does every minute: links gone for good leave memory. */
	if (links)
		np_pipeline_forget_links(pl, t + 50);
}

static void
run(const char *mode, bool complete, int n, bool links)
{
	char db[128];
	snprintf(db, sizeof(db), "/tmp/np-bench-churn-%d.db", (int)getpid());
	struct np_source_cfg src = bench_source("node", "local");
	struct np_config cfg = {.database = db, .state = src.state};
	struct np_store *st;
	struct np_pipeline *pl = bench_pipeline_open("bench_churn", db, &cfg, T0, &st);
	struct np_batch b;
	np_batch_init(&b, "node", T0);
	int p = 0;
	for (; p < 3; p++)
		poll_once(pl, &src, &b, p, complete, 0, 0, links);
	report(mode, "before", pl);
	uint64_t peak = 0;
	long peak_anon = 0;
	for (int done = 0; done < n; p++) {
		int k = n - done < CHURN_PER_POLL ? n - done : CHURN_PER_POLL;
		poll_once(pl, &src, &b, p, complete, done, k, links);
		done += k;
		if (np_pipeline_stats(pl)->series > peak)
			peak = np_pipeline_stats(pl)->series;
		long anon = status_kb("RssAnon:");
		if (anon > peak_anon)
			peak_anon = anon;
	}
	printf("  %-8s peak    series=%-6llu RssAnon=%6ld kB (during the churn)\n", mode,
	       (unsigned long long)peak, peak_anon);
	for (int i = 0; i < AFTER_POLLS; i++, p++)
		poll_once(pl, &src, &b, p, complete, 0, 0, links);
	report(mode, "after", pl);
	malloc_trim(0);
	report(mode, "trimmed", pl);
	printf("  %-8s (the bench's own batch keeps %zu kB of capacity, SQLite its page cache)\n",
	       mode, b.cap * sizeof(struct np_obs) / 1024);
	printf("RESULT bench_churn mode=%s links=%d n=%d series_after=%llu rss_anon_after_kb=%ld "
	       "peak_series=%llu peak_rss_anon_kb=%ld\n",
	       mode, links, n, (unsigned long long)np_pipeline_stats(pl)->series,
	       status_kb("RssAnon:"), (unsigned long long)peak, peak_anon);
	fflush(stdout);
	np_batch_free(&b);
	bench_pipeline_close(pl, st, db);
}

int
main(int argc, char **argv)
{
	bool links = false;
	int n = 100000;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--links") == 0)
			links = true;
		else
			n = atoi(argv[i]);
	}
	printf(
	    "bench_churn: %d stable interfaces, %d veths that come and go (%d per 60 s poll)%s\n",
	    STABLE, n, CHURN_PER_POLL, links ? ", with link observations" : "");
	const char *modes[] = {"complete", "partial"};
	for (int m = 0; m < 2; m++) {
		fflush(stdout);
		pid_t pid = fork();
		if (pid == -1) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			run(modes[m], m == 0, n, links);
			_exit(0);
		}
		int status;
		if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			return 1;
	}
	return 0;
}
