#ifndef NP_REPORT_EVENTS_H
#define NP_REPORT_EVENTS_H
/*
 * `netpulse events`: link-state transitions at or after `since` (up to now), newest first
 * (ties: the later recorded first), optionally of one device and of some states only.
 * JSON objects carry outage_seconds and alert only when the transition has them.
 */
#include <stddef.h>
#include <stdint.h>

#include "report/report.h"

#define NP_EVENTS_MAX_STATES 5

struct np_events_opts {
	int64_t since;                            /* UTC seconds */
	const char *device;                       /* NULL = all */
	const char *states[NP_EVENTS_MAX_STATES]; /* new state in one of these; none = any */
	size_t nstates;
};

/*
 * Reads a comma-separated list of states (up, down, stale, removed, unknown) into o->states;
 * the list is split in place and must outlive o. -1 with *cause naming the bad one.
 */
int np_events_states_parse(char *list, struct np_events_opts *o, char **cause);

char *np_report_events(const struct np_report_ctx *ctx, const struct np_events_opts *o,
                       char **cause);

#endif
