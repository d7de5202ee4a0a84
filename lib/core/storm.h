#ifndef NP_CORE_STORM_H
#define NP_CORE_STORM_H
/*
 * No alert storms (issue 9). When devices disappear from a healthy source, their links go
 * stale together: the STALE alerts one source raises in one evaluation go out as ONE alert
 * (for the device, when they are all one device's) with the links in its details
 * ([links@EN link="dev|if|stale|prev" ...]). (When the source itself fails, its COLLECTOR
 * alert covers its links: the pipeline queues no STALE for them at all.) The transitions are
 * recorded one per link as always.
 *
 * The pipeline hands every STALE event of a write to np_storm_hold instead of storing it, then
 * calls np_storm_write once, in the same transaction.
 */
#include <stddef.h>

#include "engine/linkstate.h"
#include "store/store.h"

struct np_storm;

struct np_storm *np_storm_new(void);
void np_storm_free(struct np_storm *s);
/* Forgets what is held (a transaction that failed is written again from the start). */
void np_storm_clear(struct np_storm *s);
/* Holds a deep copy of a STALE event with its sentence and severity. */
void np_storm_hold(struct np_storm *s, const struct np_ls_event *ev, const char *message,
                   int severity);
/*
 * Writes what is held: per source, one link alone as its own alert; two or more as their
 * transitions (no alert each) and one summary alert. Returns the alerts queued, or -1.
 */
int np_storm_write(struct np_storm *s, struct np_store *st, const char *const *sinks, size_t nsinks,
                   char **cause);

#endif
