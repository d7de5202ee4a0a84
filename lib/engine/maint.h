#ifndef NP_ENGINE_MAINT_H
#define NP_ENGINE_MAINT_H
/*
 * Maintenance windows (`maintenance:`, issue 9): alerts raised inside one are recorded, not
 * sent, and `netpulse downtime` leaves the time out of availability.
 *
 * A one-off window is [start, end): ISO 8601 times, local in its zone, or with a UTC offset
 * ("2026-12-05T22:00:00+01:00", "...Z"), then taken as given. A recurring window starts at
 * local time `at` on each of its weekdays and lasts `duration` of elapsed time. Local times
 * are converted with the zone's rules (np_tz_to_utc): a start the clocks skip (02:30 on the
 * spring-forward day in Europe) begins at the first instant after the jump (03:00 local), a
 * start that happens twice (01:30 on the fall-back day) at its first occurrence, and a window
 * crossing a change lasts its duration in real time. Scope: `source` (the alert's sources or
 * the COLLECTOR's source must include it), `device`, `interface` (POSIX EREs), `labels`
 * (every name: value given, on the link); each optional.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

struct np_maint;

/* A link (or, device NULL, a source) as the windows' scopes see it. */
struct np_maint_link {
	const char *sources; /* comma-separated names (NULL or "" = none) */
	const char *device, *interface;
	/*
	 * Whether the link has label name = value (on any of its series); NULL: no labels known,
	 * so no window with a `labels` scope applies. Called only for windows whose time and
	 * other scopes match.
	 */
	bool (*has_label)(void *arg, const char *name, const char *value);
	void *arg;
};

/*
 * Compiles cfg's windows (zone files from zonedir, NULL = the system's; default_tz when a
 * window names none). On an error returns NULL with *cause, and *bad_index / *bad_key say
 * which entry and key it is about (for file:line messages).
 */
struct np_maint *np_maint_new(const struct np_maint_cfg *cfg, size_t n, const char *zonedir,
                              const char *default_tz, size_t *bad_index, const char **bad_key,
                              char **cause);
void np_maint_free(struct np_maint *m);
size_t np_maint_count(const struct np_maint *m);

/*
 * The window covering an alert at UTC second t for (sources, device, interface), or -1.
 * sources: comma-separated names (NULL or "" = none); device/interface NULL: a source-level
 * alert (COLLECTOR), which only windows without device and interface scopes cover.
 */
int np_maint_covers(const struct np_maint *m, const char *sources, const char *device,
                    const char *interface, int64_t t);
/* As np_maint_covers, with labels. */
int np_maint_covers_link(const struct np_maint *m, const struct np_maint_link *l, int64_t t);
/* The name of window i (its entry's name, or "window N"). */
const char *np_maint_name(const struct np_maint *m, int i);

/*
 * Calls fn for every piece of [a, b) inside a window that applies to the link (device,
 * interface, sources as for np_maint_covers), unsorted and possibly overlapping.
 */
void np_maint_intervals(const struct np_maint *m, const char *sources, const char *device,
                        const char *interface, int64_t a, int64_t b,
                        void (*fn)(int64_t a, int64_t b, void *arg), void *arg);

/*
 * The first instant after t at which a window that applies to l (NULL: any window) starts
 * or ends, or INT64_MAX if none ever does: within [t, boundary) whether l is inside a window
 * does not change, so callers split intervals there.
 */
int64_t np_maint_next_boundary(const struct np_maint *m, const struct np_maint_link *l, int64_t t);
/* As np_maint_intervals, with the window (np_maint_name) each piece belongs to. */
void np_maint_pieces(const struct np_maint *m, const struct np_maint_link *l, int64_t a, int64_t b,
                     void (*fn)(int64_t a, int64_t b, int window, void *arg), void *arg);
/* Whether any window (whatever its scope) has time in [a, b). */
bool np_maint_active(const struct np_maint *m, int64_t a, int64_t b);

#endif
