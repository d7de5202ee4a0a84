#ifndef NP_ENGINE_LINKRULES_H
#define NP_ENGINE_LINKRULES_H
/*
 * Per-link overrides (`links:`, issue 9): links matching an entry's source, device, interface
 * and labels (POSIX EREs, each optional) get its settings; the first matching entry wins.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

struct np_linkrules;

struct np_linkrule {
	bool alert;            /* false: alerts recorded, never sent */
	int severity;          /* syslog.h level, -1 = the alert's own */
	int64_t down_after_ms; /* -1 = the source's */
};

/* NULL with *cause (and *bad_index, *bad_key for file:line) on a bad entry. */
struct np_linkrules *np_linkrules_new(const struct np_link_rule_cfg *cfg, size_t n,
                                      size_t *bad_index, const char **bad_key, char **cause);
void np_linkrules_free(struct np_linkrules *r);
/* The value of the link's label name, or NULL if it has none. */
typedef const char *(*np_linkrules_label_fn)(const char *name, void *arg);
/*
 * The first entry matching the link (sources: comma-separated names of the sources observing
 * it, or the one source of an observation; label: its labels, NULL = none), or NULL.
 */
const struct np_linkrule *np_linkrules_match(const struct np_linkrules *r, const char *sources,
                                             const char *device, const char *interface,
                                             np_linkrules_label_fn label, void *arg);
/*
 * Remembers the link's values of the label names the entries use (nothing when none does),
 * for np_linkrules_link: call it with each observation.
 */
void np_linkrules_note(struct np_linkrules *r, const char *device, const char *interface,
                       np_linkrules_label_fn label, void *arg);
/* np_linkrules_match with the labels the link's latest noted observation carried. */
const struct np_linkrule *np_linkrules_link(const struct np_linkrules *r, const char *sources,
                                            const char *device, const char *interface);

#endif
