#ifndef NP_CONFIG_CONFIG_LINKS_H
#define NP_CONFIG_CONFIG_LINKS_H
/*
 * `links:` (per-link overrides, issue 9): the option table of an entry (np_config_top names
 * it) and what the table cannot check (the down_after duration, the regexes), every bad entry
 * said with file:line. The entries are struct np_link_rule_cfg (config.h); the pipeline
 * compiles them with np_linkrules_new (engine/linkrules.h).
 */
#include "config/config_table.h"

struct np_config;
struct np_config_ynode;
struct np_config_diag;

extern const struct np_config_opt np_config_link_rule_opts[];

/* After the top-level walk filled cfg->link_rules: parses and compiles each entry. */
void np_config_links_check(struct np_config *cfg, const struct np_config_ynode *root,
                           struct np_config_diag *errs);

#endif
