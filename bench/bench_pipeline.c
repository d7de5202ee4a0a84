/*
 * bench_pipeline: N synthetic interfaces through counter engine -> link-state -> store, the
 * daemon's own ingest path (np_pipeline_ingest, one transaction per poll), into a file
 * database. Prints observations/s, CPU us per observation, peak RSS, bytes of memory per
 * tracked series and database bytes per series per day. Figures only; nothing is asserted.
 *
 * usage: bench_pipeline [N ...]   (default 1000 10000 100000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "benchutil.h"
#include "config/config.h"
#include "core/pipeline.h"
#include "model/obs.h"
#include "store/store.h"

static long long
file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

static void
bench(int n, int polls)
{
	char db[128], wal[140];
	snprintf(db, sizeof(db), "/tmp/np-bench-pipeline-%d-%d.db", (int)getpid(), n);
	snprintf(wal, sizeof(wal), "%s-wal", db);
	struct np_source_cfg src = bench_source("bench", "local");
	struct np_config cfg = {.database = db, .state = src.state};
	int64_t t0 = 1764576000000; /* 2025-12-01T08:00:00Z */
	struct np_store *st;
	struct np_pipeline *pl = bench_pipeline_open("bench_pipeline", db, &cfg, t0, &st);
	const char *sinks[] = {"local"};
	np_pipeline_set_sinks(pl, sinks, 1);

	struct np_batch b;
	np_batch_init(&b, "bench", t0);
	long rss0 = rss_kb();
	double cpu_first = 0, cpu = 0, wall = 0;
	uint64_t obs = 0;
	for (int p = 0; p < polls; p++) {
		int64_t t = t0 + (int64_t)p * 60000;
		np_batch_reset(&b, t);
		b.mono_ms = t; /* the simulated clocks run together */
		b.complete = true;
		for (int i = 0; i < n; i++) {
			struct np_obs *o = np_batch_add(&b);
			char ifn[32];
			snprintf(ifn, sizeof(ifn), "ifb%d", i);
			np_obs_set_names(&b, o, "bench-host", ifn);
			uint64_t k = (uint64_t)p * (uint64_t)(1000 + i);
			for (int c = 0; c < NP_C_MAX; c++)
				np_obs_counter(o, (enum np_counter_id)c,
				               k * (uint64_t)(c + 1) * 1000);
			o->counter_bits = 64;
			o->epoch = (uint64_t)i + 1;
			/* Every 97th link flaps every 10 polls, the rest stay up. */
			o->link = (i % 97 == 0 && (p / 10) % 2 == 1) ? NP_LINK_DOWN : NP_LINK_UP;
		}
		double c0 = cpu_s(), w0 = wall_s();
		char *cause = NULL;
		if (np_pipeline_ingest(pl, &src, &b, t + 50, t + 50, &cause) == -1) {
			fprintf(stderr, "bench_pipeline: %s\n", cause);
			exit(1);
		}
		double dc = cpu_s() - c0, dw = wall_s() - w0;
		if (p == 0) {
			cpu_first = dc; /* series creation: reported apart */
		} else {
			cpu += dc;
			wall += dw;
			obs += (uint64_t)n;
		}
	}
	long rss1 = rss_kb();
	const struct np_pipeline_stats *ps = np_pipeline_stats(pl);
	printf("pipeline n=%d polls=%d: %.0f obs/s wall, %.3f us CPU/obs, %.2f ms CPU/poll "
	       "(first poll with series creation %.2f ms), events=%llu\n",
	       n, polls, (double)obs / wall, cpu / (double)obs * 1e6, cpu / (polls - 1) * 1e3,
	       cpu_first * 1e3, (unsigned long long)ps->events);
	long long bytes = file_size(db) + file_size(wal);
	double days = (double)polls * 60.0 / 86400.0;
	printf("pipeline n=%d: peak RSS %ld kB, memory per series %.0f B, database %.0f B per "
	       "series per day (60 s interval, extrapolated from %.2f days)\n",
	       n, peak_rss_kb(), (double)(rss1 - rss0) * 1024.0 / n, (double)bytes / n / days,
	       days);
	np_batch_free(&b);
	bench_pipeline_close(pl, st, db);
}

int
main(int argc, char **argv)
{
	int sizes[8] = {1000, 10000, 100000};
	int nsizes = 3;
	if (argc > 1) {
		nsizes = 0;
		for (int i = 1; i < argc && nsizes < 8; i++)
			sizes[nsizes++] = atoi(argv[i]);
	}
	for (int i = 0; i < nsizes; i++) {
		int n = sizes[i];
		/* About a simulated day for 1k series, fewer polls for the larger sizes. */
		int polls = n <= 1000 ? 1440 : n <= 10000 ? 120 : 20;
		bench(n, polls);
	}
	return 0;
}
