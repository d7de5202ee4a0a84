#ifndef NP_CORE_MAINT_REC_H
#define NP_CORE_MAINT_REC_H
/*
 * The daemon's record of maintenance time (issue 9): as time passes, the time each link
 * spends inside a window that applies to it is written to the `maintenance` table
 * (store_window.h), and `netpulse downtime` reads it from there.
 *
 * Why stored rather than computed from the config at report time: the report then says what
 * the daemon applied when it happened. A window edited or deleted later (or a report run with
 * another config file, or none) does not rewrite past availability, and alerts that were held
 * back for a window always have the window's time on record next to them. The cost is one
 * row per link and occurrence. Time the daemon did not run is unobserved, not maintenance.
 *
 * Written inside the pipeline's transactions, at most every NP_MAINT_REC_EVERY_S (reports
 * lag by that much), for the links the engine holds; pieces of one occurrence are merged
 * into one row. np_maint_rec_commit after the transaction committed; after a rollback the
 * next step writes the same time again.
 */
#include <stdbool.h>
#include <stdint.h>

#include "engine/maint.h"

struct np_ls;
struct np_store;
struct np_maint_rec;

#define NP_MAINT_REC_EVERY_S 30

/* Records from now_s on (the run's start). */
struct np_maint_rec *np_maint_rec_new(int64_t now_s);
void np_maint_rec_free(struct np_maint_rec *r);
/*
 * Writes the time in [recorded, now_s) the links of ls spent in windows of m (NULL: none);
 * nothing if less than NP_MAINT_REC_EVERY_S passed, unless force. 0 or -1 with *cause.
 */
int np_maint_rec_step(struct np_maint_rec *r, const struct np_maint *m, struct np_ls *ls,
                      struct np_store *st, int64_t now_s, bool force, char **cause);
/* The transaction holding the last step committed. */
void np_maint_rec_commit(struct np_maint_rec *r);

/* A link for np_maint_covers_link & co. whose labels are looked up in st (its series). */
struct np_maint_store_link {
	struct np_maint_link l;
	struct np_store *st;
};
void np_maint_store_link(struct np_maint_store_link *sl, struct np_store *st, const char *sources,
                         const char *device, const char *interface);

#endif
