#ifndef NP_BENCHUTIL_H
#define NP_BENCHUTIL_H
/* Clocks, memory figures and the pipeline setup shared by the benchmarks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "core/pipeline.h"
#include "store/store.h"

static inline double
bench_clock_s(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Process CPU time and monotonic wall time, in seconds. */
static inline double
cpu_s(void)
{
	return bench_clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

static inline double
wall_s(void)
{
	return bench_clock_s(CLOCK_MONOTONIC);
}

/* A "Field:" of /proc/self/status in kB (-1 if absent). */
static inline long
status_kb(const char *field)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;
	size_t n = strlen(field);
	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, n) == 0)
			kb = strtol(line + n, NULL, 10);
	if (f != NULL)
		fclose(f);
	return kb;
}

/* Current resident set (VmRSS) and its peak, in kB. */
static inline long
rss_kb(void)
{
	return status_kb("VmRSS:");
}

static inline long
peak_rss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* A source polled every 60 s (timeout 20 s) with the default state settings. */
static inline struct np_source_cfg
bench_source(char *name, char *type)
{
	struct np_source_cfg src = {
	    .name = name,
	    .type = type,
	    .interval_ms = 60000,
	    .timeout_ms = 20000,
	    .max_gap_ms = 180000,
	};
	src.state.stale_after_x = 3;
	src.state.flap_transitions = 5;
	src.state.flap_window_ms = 600000;
	return src;
}

/* A pipeline started at t0 on a new database file `db` (any old one removed); on failure it
 * prints "prog: cause" and exits. */
static inline struct np_pipeline *
bench_pipeline_open(const char *prog, const char *db, const struct np_config *cfg, int64_t t0,
                    struct np_store **st)
{
	unlink(db);
	char *cause = NULL;
	*st = np_store_open(db, 0, &cause);
	struct np_pipeline *pl =
	    *st != NULL ? np_pipeline_new(*st, cfg, NULL, t0, t0, &cause) : NULL;
	if (pl == NULL) {
		fprintf(stderr, "%s: %s\n", prog, cause);
		exit(1);
	}
	return pl;
}

/* Frees the pipeline and its store and removes the database with its -wal and -shm files. */
static inline void
bench_pipeline_close(struct np_pipeline *pl, struct np_store *st, const char *db)
{
	struct np_store_stats ss;
	np_store_get_stats(st, &ss);
	printf("store rows: rollup_5m=%llu folded=%llu late_wide=%llu series_writes=%llu\n",
	       (unsigned long long)ss.rollup_rows, (unsigned long long)ss.fold_rows,
	       (unsigned long long)ss.wide_rows, (unsigned long long)ss.series_writes);
	np_pipeline_free(pl);
	np_store_close(st);
	char aux[512];
	unlink(db);
	snprintf(aux, sizeof(aux), "%s-wal", db);
	unlink(aux);
	snprintf(aux, sizeof(aux), "%s-shm", db);
	unlink(aux);
}

#endif
