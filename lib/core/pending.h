#ifndef NP_CORE_PENDING_H
#define NP_CORE_PENDING_H
/*
 * What the link-state engine produced and the database has not stored yet: its events (with
 * the alert sentence and severity) in the order they happened, and the latest persisted row
 * of each link. The pipeline writes all of it, oldest first, in every transaction and clears
 * it only when one commits, so a failed write (a full disk) neither loses nor repeats an
 * outage: the engine stays ahead of the database until it catches up.
 *
 * Bounded: beyond `max_events` the oldest events are dropped (and counted).
 */
#include <stddef.h>
#include <stdint.h>

#include "engine/linkstate.h"

#define NP_PENDING_MAX 10000

struct np_pending;

struct np_pending *np_pending_new(size_t max_events);
void np_pending_free(struct np_pending *q);

/*
 * Appends a deep copy of `ev` with its alert sentence (NULL: none) and severity. Returns 1 if
 * the queue was full and its oldest event was dropped to make room, 0 otherwise.
 */
int np_pending_add_event(struct np_pending *q, const struct np_ls_event *ev, const char *message,
                         int severity);
/* Keeps a deep copy of a link's persisted row, replacing an older one of the same link. */
void np_pending_add_saved(struct np_pending *q, const struct np_ls_saved *s);

size_t np_pending_events(const struct np_pending *q);
size_t np_pending_saved(const struct np_pending *q);
/* Events dropped since creation because the queue was full. */
uint64_t np_pending_dropped(const struct np_pending *q);

/*
 * Calls fn for each event, oldest first (message "" when there is none), then `saved` for
 * each link row; stops at the first -1 and returns it. *index gets the position of the event
 * fn failed on (or SIZE_MAX). Nothing is removed.
 */
typedef int (*np_pending_event_fn)(const struct np_ls_event *ev, const char *message, int severity,
                                   void *arg);
typedef int (*np_pending_saved_fn)(const struct np_ls_saved *s, void *arg);
int np_pending_write(const struct np_pending *q, np_pending_event_fn event,
                     np_pending_saved_fn saved, void *arg, size_t *index);
/* Removes the event at `index` (one that can never be written). */
void np_pending_drop(struct np_pending *q, size_t index);
/* Forgets everything (after the transaction that wrote it committed). */
void np_pending_clear(struct np_pending *q);

#endif
