#ifndef NP_REPORT_DOWNTIME_H
#define NP_REPORT_DOWNTIME_H
/*
 * `netpulse downtime`: per link, in the window [start, min(end, now)):
 *  - down_seconds: the union of its outages clipped to the window (an open outage lasts
 *    until now); outages: how many outage rows overlap the window (an outage of zero length
 *    inside it counts too);
 *  - unobserved_seconds: the union of its unobserved (stale) intervals and of the time no
 *    daemon run [started, last_alive] covers, within the link's window; the link's window
 *    starts at the later of the window start and the link's first sighting (the earliest of
 *    its series' first_seen, its first transition, outage or unobserved start, links.since),
 *    because a link cannot be observed before it exists. If the runs table is empty (data
 *    not written by a daemon), gaps between runs are not counted;
 *  - observed_seconds = link window - unobserved;
 *  - availability = 1 - (down that was observed) / observed, null when nothing was observed;
 *    down time during unobserved time (an outage open while the daemon was stopped) counts
 *    in down_seconds but not against availability, so it stays within [0, 1].
 *  - maintenance_seconds: the link's time inside maintenance windows, as netpulsed recorded
 *    it (the maintenance table, core/maint_rec.h; overlapping windows count once): it is
 *    neither down, nor unobserved, nor observed, so down time in maintenance does not count
 *    against availability (and is not in down_seconds);
 * total: sums over links; availability = 1 - sum(observed down) / sum(observed).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/period.h"
#include "report/report.h"

struct np_downtime_link {
	char *device, *interface;
	int64_t first_seen; /* INT64_MIN if unknown */
	int64_t down, outages, unobserved, observed, down_observed, maintenance;
	bool has_availability;
	double availability;
};

struct np_downtime {
	int64_t start, end; /* the window measured: end = min(period end, now) */
	struct np_downtime_link *links;
	size_t nlinks;
	int64_t down, outages, unobserved, observed, down_observed, maintenance;
	bool has_availability;
	double availability;
	bool maint; /* the database holds maintenance time: text and CSV show its column */
};

int np_downtime_compute(sqlite3 *db, const struct np_period *p, int64_t now, const char *device,
                        struct np_downtime *out, char **cause);
void np_downtime_free(struct np_downtime *d);
/* Text: a "period:" line then the table; CSV: the table; JSON: DESIGN §8 shape. */
char *np_downtime_render(const struct np_downtime *d, enum np_format f, const struct np_tz *tz);

#endif
