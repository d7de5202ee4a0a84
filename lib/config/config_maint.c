/* `maintenance:` (config_maint.h): the windows' option table and their check. */
#include "config/config_maint.h"

#include <stddef.h>
#include <stdlib.h>

#include "config/config.h"
#include "config/diag.h"
#include "config/ydoc.h"
#include "engine/maint.h"

#define SEC 1000LL
#define DAY (86400 * SEC)

#define MT(f) offsetof(struct np_maint_cfg, f)

const struct np_config_opt np_config_maint_opts[] = {
    {.name = "name",
     .type = NP_CFG_STRING,
     .off = MT(name),
     .def_doc = "(none)",
     .help = "what the window is for (shown in the log)"},
    {.name = "start",
     .type = NP_CFG_STRING,
     .off = MT(start),
     .def_doc = "(recurring)",
     .help = "one-off window: its start, YYYY-MM-DDTHH:MM[:SS] local time or with a UTC "
             "offset (Z, +01:00) (with end)"},
    {.name = "end",
     .type = NP_CFG_STRING,
     .off = MT(end),
     .def_doc = "(recurring)",
     .help = "one-off window: its end (not included), as start"},
    {.name = "days",
     .type = NP_CFG_STRINGS,
     .off = MT(days),
     .off2 = MT(ndays),
     .max = 7,
     .def_doc = "(every day)",
     .help = "recurring window: weekdays it starts on (mon, tue, wed, thu, fri, sat, sun)"},
    {.name = "at",
     .type = NP_CFG_STRING,
     .off = MT(at),
     .def_doc = "(one-off)",
     .help = "recurring window: local start time HH:MM (a time skipped by a DST change "
             "starts at the first minute after the jump)"},
    {.name = "duration",
     .type = NP_CFG_DURATION,
     .off = MT(duration_ms),
     .min = 60 * SEC,
     .max = 7 * DAY,
     .def_doc = "(one-off)",
     .help = "recurring window: its length (elapsed time, also across a DST change)"},
    {.name = "timezone",
     .type = NP_CFG_STRING,
     .off = MT(timezone),
     .def_doc = "(daemon.timezone, else UTC)",
     .help = "IANA zone of start, end and at"},
    {.name = "source",
     .type = NP_CFG_STRING,
     .off = MT(source),
     .def_doc = "(any)",
     .help = "only alerts of this source (and its COLLECTOR alerts)"},
    {.name = "labels",
     .type = NP_CFG_STRINGS,
     .off = MT(labels),
     .off2 = MT(nlabels),
     .max = 16,
     .def_doc = "(any)",
     .help = "only links whose labels match every NAME=REGEX (POSIX extended) listed, as "
             "`links:` (on any of the link's series); such a window does not cover "
             "COLLECTOR alerts"},
    {.name = "device",
     .type = NP_CFG_STRING,
     .off = MT(device),
     .def_doc = "(any)",
     .help = "only links whose device matches this POSIX extended regex"},
    {.name = "interface",
     .type = NP_CFG_STRING,
     .off = MT(interface),
     .def_doc = "(any)",
     .help = "only links whose interface matches this POSIX extended regex"},
    {.name = NULL},
};

/* The node of `key` in entry i of the `maintenance` list (or the entry, or the root). */
static const struct np_config_ynode *
key_node(const struct np_config_ynode *root, size_t i, const char *key)
{
	const struct np_config_ynode *l = np_config_ydoc_get(root, "maintenance");
	const struct np_config_ynode *item =
	    l != NULL && l->kind == NP_CONFIG_YSEQ && i < l->nkids ? l->kids[i] : root;
	const struct np_config_ynode *k = key != NULL ? np_config_ydoc_get(item, key) : NULL;
	return k != NULL ? k : item;
}

void
np_config_maint_check(const struct np_config *cfg, const struct np_config_ynode *root,
                      struct np_config_diag *errs)
{
	if (cfg->nmaint == 0)
		return;
	size_t bad = 0;
	const char *key = NULL;
	char *why = NULL;
	struct np_maint *m =
	    np_maint_new(cfg->maint, cfg->nmaint, NULL, cfg->timezone, &bad, &key, &why);
	if (m != NULL) {
		np_maint_free(m);
		return;
	}
	const struct np_config_ynode *k = key_node(root, bad, key);
	np_config_diag_add(errs, k->line, k->col, "maintenance %zu: %s", bad + 1,
	                   why != NULL ? why : "invalid window");
	free(why);
}
