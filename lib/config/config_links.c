/*
 * `links:` entries (config_links.h): their option table, their down_after parsed and their
 * regexes compiled, each bad entry said where it is.
 */
#include "config/config_links.h"

#include <stddef.h>
#include <stdlib.h>
#include <syslog.h>

#include "config/config.h"
#include "config/diag.h"
#include "config/ydoc.h"
#include "engine/linkrules.h"

#define LR(f) offsetof(struct np_link_rule_cfg, f)

static const struct np_config_choice severities[] = {
    {"emerg", LOG_EMERG}, {"alert", LOG_ALERT},     {"crit", LOG_CRIT},
    {"err", LOG_ERR},     {"warning", LOG_WARNING}, {"notice", LOG_NOTICE},
    {"info", LOG_INFO},   {"debug", LOG_DEBUG},     {NULL, 0},
};

const struct np_config_opt np_config_link_rule_opts[] = {
    {.name = "source",
     .type = NP_CFG_STRING,
     .off = LR(source),
     .def_doc = "(any)",
     .help = "only links this source observes"},
    {.name = "device",
     .type = NP_CFG_STRING,
     .off = LR(device),
     .def_doc = "(any)",
     .help = "only links whose device matches this POSIX extended regex"},
    {.name = "interface",
     .type = NP_CFG_STRING,
     .off = LR(interface),
     .def_doc = "(any)",
     .help = "only links whose interface matches this POSIX extended regex"},
    {.name = "labels",
     .type = NP_CFG_STRINGS,
     .off = LR(labels),
     .off2 = LR(nlabels),
     .max = 16,
     .def_doc = "(any)",
     .help = "only links whose labels match every NAME=REGEX (POSIX extended) listed, as "
             "their latest observation carried them"},
    {.name = "alert",
     .type = NP_CFG_BOOL,
     .off = LR(alert),
     .def = "true",
     .help = "false: their transitions are recorded, their alerts never sent"},
    {.name = "severity",
     .type = NP_CFG_CHOICE,
     .off = LR(severity),
     .choices = severities,
     .def_doc = "(the alert's: down err, up notice, others warning)",
     .help = "syslog severity of their alerts"},
    {.name = "down_after",
     .type = NP_CFG_STRING,
     .off = LR(down_after),
     .def_doc = "(the source's state.down_after)",
     .help = "how long they must look down before they are declared down (instead of "
             "the source's, longer or shorter)"},
    {.name = NULL},
};

/* The node of key in `links:` entry i (or the entry, or the root). */
static const struct np_config_ynode *
entry_key(const struct np_config_ynode *root, size_t i, const char *key)
{
	const struct np_config_ynode *l = np_config_ydoc_get(root, "links");
	const struct np_config_ynode *item =
	    l != NULL && l->kind == NP_CONFIG_YSEQ && i < l->nkids ? l->kids[i] : root;
	const struct np_config_ynode *k = key != NULL ? np_config_ydoc_get(item, key) : NULL;
	return k != NULL ? k : item;
}

void
np_config_links_check(struct np_config *cfg, const struct np_config_ynode *root,
                      struct np_config_diag *errs)
{
	for (size_t i = 0; i < cfg->nlink_rules; i++) {
		struct np_link_rule_cfg *r = &cfg->link_rules[i];
		r->down_after_ms = -1;
		if (r->down_after != NULL &&
		    np_duration_parse(r->down_after, &r->down_after_ms) == -1) {
			const struct np_config_ynode *k = entry_key(root, i, "down_after");
			np_config_diag_add(
			    errs, k->line, k->col,
			    "links %zu: down_after: expected a duration like 30s or 5m, "
			    "got \"%s\"",
			    i + 1, r->down_after);
			r->down_after_ms = -1;
		}
		/* Each entry on its own, so that a bad one hides no other. */
		size_t bad = 0;
		const char *key = NULL;
		char *why = NULL;
		struct np_linkrules *one = np_linkrules_new(r, 1, &bad, &key, &why);
		if (one != NULL) {
			np_linkrules_free(one);
			continue;
		}
		const struct np_config_ynode *k = entry_key(root, i, key);
		np_config_diag_add(errs, k->line, k->col, "links %zu: %s", i + 1,
		                   why != NULL ? why : "invalid entry");
		free(why);
	}
}
