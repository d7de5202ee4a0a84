#ifndef NP_STORE_STORE_WINDOW_H
#define NP_STORE_STORE_WINDOW_H
/*
 * Maintenance windows in the store (migration 8): the mark on a transition whose alert a
 * window kept from the sinks, and the per-link intervals spent inside windows (the
 * `maintenance` table `netpulse downtime` reads). Inside the caller's transaction.
 */
#include <stdint.h>

#include "store/store.h"

/* transitions.maintenance = 1 for transition id (np_store_last_transition_id). */
int np_store_maint_mark(struct np_store *st, int64_t transition_id, char **cause);
/*
 * The link spent [a, b) (UTC seconds, a < b) inside window `window`: extends the link's row
 * of that window ending at a, or adds a row. So one occurrence recorded piece by piece is
 * one row.
 */
int np_store_maint_add(struct np_store *st, const char *device, const char *interface, int64_t a,
                       int64_t b, const char *window, char **cause);

/* 1 if a series of the link has label name = value, 0 if none has, -1 on an error. */
int np_store_link_has_label(struct np_store *st, const char *device, const char *interface,
                            const char *name, const char *value, char **cause);

#endif
