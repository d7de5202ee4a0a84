#ifndef NP_REPORT_HEALTH_H
#define NP_REPORT_HEALTH_H
/*
 * Is the daemon doing its job, as its database says: which sources are failing (collectors
 * table) and how long the oldest undelivered alert has waited (outbox). `netpulse health`
 * judges it (a container HEALTHCHECK); `netpulse status` prints the failing sources' line.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/report.h"

struct np_health_opts {
	/*
	 * The configured sources (sources_known false when no config was read: every source in
	 * the collectors table counts). A row of a source the config no longer has is ignored.
	 */
	const char *const *sources;
	size_t nsources;
	bool sources_known;
	/* An undelivered alert (not a dead letter) queued longer ago than this: outbox stuck. */
	int64_t max_pending_s;
};

struct np_health {
	size_t nsources; /* configured (or, without a config, known to the database) */
	size_t nfailing; /* of them, failing at their last poll */
	/* "fc-west since T (4 failed polls, last error: ...)" for each, "; " between; or NULL. */
	char *failing;
	int64_t pending;         /* undelivered alert rows, dead letters excluded */
	int64_t oldest_queued_s; /* when the oldest of them was queued (0: none) */
};

/* Reads it. Returns 0, or -1 with *cause. np_health_free after either. */
int np_health_read(const struct np_report_ctx *ctx, const struct np_health_opts *o,
                   struct np_health *h, char **cause);
void np_health_free(struct np_health *h);

/*
 * Unhealthy when every source (at least one) is failing, or an alert has waited longer than
 * max_pending_s. Returns true when healthy; *line (malloc'd) says why, in one line.
 */
bool np_health_judge(const struct np_report_ctx *ctx, const struct np_health_opts *o,
                     const struct np_health *h, char **line);

/* "2 of 3 sources failing: ..." when any is failing, else NULL. malloc'd. */
char *np_health_failing_line(const struct np_health *h);

#endif
