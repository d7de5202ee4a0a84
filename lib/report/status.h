#ifndef NP_REPORT_STATUS_H
#define NP_REPORT_STATUS_H
/*
 * `netpulse status`: every link (links table) with its state, since when, and the sources
 * that decided it. With explain, also every non-ok counter verdict per series (verdicts) and
 * each source's collector health (collectors):
 *  - text/CSV: the links table, then "# verdicts", "# collectors" and "# alert sinks" (pending
 *    outbox rows per sink key, and whether a configured sink will deliver them) sections,
 *    each after an empty line;
 *  - JSON: the same array of links, each with "series" (its series and their non-ok verdict
 *    counts) and "collectors" (health of the sources that observe it).
 */
#include <stdbool.h>

#include "report/report.h"

struct np_status_opts {
	const char *device; /* only this device; NULL = all */
	bool explain;
	/*
	 * For explain's "# alert sinks" section (text and CSV): the sink keys of the config in
	 * force (sinks_known false when no config was read), and the canonical spelling of a
	 * stored key (np_sink_key_canonical; NULL if unknown), to tell a key a start or reload
	 * will move to a configured sink from one that nobody will deliver.
	 */
	const char *const *sinks;
	size_t nsinks;
	bool sinks_known;
	char *(*canonical)(const char *key);
};

char *np_report_status(const struct np_report_ctx *ctx, const struct np_status_opts *o,
                       char **cause);

#endif
