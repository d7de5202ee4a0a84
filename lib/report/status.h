#ifndef NP_REPORT_STATUS_H
#define NP_REPORT_STATUS_H
/*
 * `netpulse status`: every link (links table) with its state, since when, and the sources
 * that decided it. With explain, also every non-ok counter verdict per series (verdicts),
 * each source's collector health (collectors) and the alerts pending per sink (alert_sinks):
 *  - text: the links table, then "# verdicts", "# collectors" and "# alert sinks" sections,
 *    each after an empty line;
 *  - CSV: one table per document (np_report_status_part): a CSV consumer reads one
 *    header and rows of one shape, so the CLI writes each table to a file of its own;
 *  - JSON: the array of links; with explain an object {"links": [...], "collectors": [...]}
 *    whose links each carry "series" (their non-ok verdict counts) and "collectors" (the
 *    health of the sources that observe them).
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

/* Text, CSV (not with explain: see np_report_status_part) or JSON. */
char *np_report_status(const struct np_report_ctx *ctx, const struct np_status_opts *o,
                       char **cause);

enum np_status_part {
	NP_STATUS_LINKS,
	NP_STATUS_VERDICTS,
	NP_STATUS_COLLECTORS,
	NP_STATUS_SINKS,
	NP_STATUS_NPARTS
};
/* "links", "verdicts", "collectors", "alert_sinks" (CSV file names: NAME.csv). */
const char *np_status_part_name(enum np_status_part part);
/* One table alone, in text or CSV. */
char *np_report_status_part(const struct np_report_ctx *ctx, const struct np_status_opts *o,
                            enum np_status_part part, char **cause);

#endif
