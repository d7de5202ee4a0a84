#ifndef NP_CORE_LINKSTATS_H
#define NP_CORE_LINKSTATS_H
/*
 * What the pipeline counts per link for its metrics (netpulse_link_state_changes_total,
 * netpulse_link_down_seconds_total), keyed (device, interface) as the link-state engine is.
 *
 * Down seconds follow the outages table to the second, so the counter a scrape reads goes on
 * across restarts from what the store holds: closed outages count end - start as stored (whole
 * seconds of the wall clock of each end), the open one counts from its stored start to now or,
 * while the link looks up but is not declared up yet (debounce), to the first up look (where
 * the outage will end), so the value never has to go back when it ends. A wall-clock step back
 * could still make "now - start" smaller: a high-water mark keeps the counter from decreasing.
 * Changes count transitions since the daemon started (a counter reset at restart, as
 * Prometheus expects of a process's counters). Entries stay for links the engine forgot:
 * their history is the store's and a link seen again goes on counting.
 */
#include <stdint.h>

#include "engine/linkstate.h"
#include "store/store.h"

struct np_linkstats;

struct np_linkstats *np_linkstats_new(void);
void np_linkstats_free(struct np_linkstats *ls);
/* Loads the stored down time of every link (at start-up). */
int np_linkstats_load(struct np_linkstats *ls, struct np_store *st, char **cause);
/* An event as stored (wall-clock times). */
void np_linkstats_event(struct np_linkstats *ls, const struct np_ls_event *ev);

struct np_linkstats_read {
	uint64_t changes;
	int64_t down_s;
};
/*
 * The figures of one link at now_ms (wall); up_look_ms is the wall time of the first up look
 * of a down link not declared up yet (0: none). Moves the high-water mark.
 */
void np_linkstats_get(struct np_linkstats *ls, const char *device, const char *interface,
                      int64_t now_ms, int64_t up_look_ms, struct np_linkstats_read *out);
size_t np_linkstats_count(const struct np_linkstats *ls);

#endif
