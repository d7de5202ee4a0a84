#ifndef NP_CORE_GROUP_H
#define NP_CORE_GROUP_H
/*
 * alerts.group_window (issue 9): the alerts one source raises within the window go out as one
 * summary ("fc-east: 37 links DOWN, 2 UP") with the links in its details; a window that held
 * a single alert sends it as it was. Crash-safe: a held alert's transition is stored at once
 * with alert_id -1, and a restart holds those again (np_group_load); a release names the
 * alert it wrote in every transition it covers.
 *
 * Changes made inside a transaction are undone by np_group_rollback and kept by
 * np_group_commit, so a failed write neither loses nor repeats a held alert.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct np_group;

struct np_group *np_group_new(void);
void np_group_free(struct np_group *g);
/* Holds the alert a of transition tid for source key, opened at mono_ms if new. */
void np_group_add(struct np_group *g, const char *key, int64_t tid, const struct np_store_alert *a,
                  int64_t mono_ms);
/*
 * The severity of a held alert read back after a restart (its link's `links:` entry), given the
 * msgid's own; NULL: the msgid's.
 */
typedef int (*np_group_severity_fn)(const char *sources, const char *device, const char *interface,
                                    int severity, void *arg);
/* Holds every alert a previous run left held (committed at once), with its sentence. */
int np_group_load(struct np_group *g, struct np_store *st, int64_t mono_ms,
                  np_group_severity_fn sev, void *arg, char **cause);
/* When the first group is due (monotonic ms), or INT64_MAX. */
int64_t np_group_deadline(const struct np_group *g, int64_t window_ms);
/*
 * Writes the groups due at mono_ms (every group if all): one alert, or a summary. Inside the
 * caller's transaction. Returns the alerts queued, or -1.
 */
int np_group_release(struct np_group *g, struct np_store *st, const char *const *sinks,
                     size_t nsinks, int64_t mono_ms, int64_t window_ms, bool all, char **cause);
void np_group_commit(struct np_group *g);
void np_group_rollback(struct np_group *g);
size_t np_group_held(const struct np_group *g);

#endif
