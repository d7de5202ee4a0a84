#ifndef NP_WEB_SRCSTATS_H
#define NP_WEB_SRCSTATS_H
/*
 * Per-source poll figures for the metrics (netpulse_source_up, _failures_total and the
 * _poll_duration_seconds histogram), fed by the scheduler's result and timed hooks. Sources
 * removed by a reload are dropped (np_srcstats_retain).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

#define NP_SRCSTATS_BUCKETS 10
/* Upper bounds of the duration buckets, seconds (+Inf is implicit). */
extern const double np_srcstats_bounds[NP_SRCSTATS_BUCKETS];

struct np_srcstat {
	char *name, *type;
	bool polled, up;
	uint64_t failures, polls;
	uint64_t
	    bucket[NP_SRCSTATS_BUCKETS]; /* not cumulative: polls in (bounds[i-1], bounds[i]] */
	uint64_t over;                   /* polls above the last bound */
	double sum_s;
};

struct np_srcstats;

struct np_srcstats *np_srcstats_new(void);
void np_srcstats_free(struct np_srcstats *ss);
void np_srcstats_result(struct np_srcstats *ss, const struct np_source_cfg *src, bool ok);
void np_srcstats_duration(struct np_srcstats *ss, const struct np_source_cfg *src, int64_t wall_ns);
/* Keeps the sources of cfg (and adds those not polled yet), in the config's order. */
void np_srcstats_retain(struct np_srcstats *ss, const struct np_config *cfg);
/* The sources, in config order. */
const struct np_srcstat *np_srcstats_list(const struct np_srcstats *ss, size_t *n);

#endif
