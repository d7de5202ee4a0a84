#ifndef NP_CONFIG_CONFIG_MAINT_H
#define NP_CONFIG_CONFIG_MAINT_H
/*
 * `maintenance:` (issue 9): a list of windows (struct np_maint_cfg, config.h), walked by the
 * option table below (the `maintenance` entry of np_config_top), then checked here for what
 * the table cannot say: times, days, zones and regexes, compiled by np_maint_new
 * (engine/maint.h), with file:line:column of the key at fault.
 */
#include "config/config_table.h"

struct np_config;
struct np_config_ynode;
struct np_config_diag;

extern const struct np_config_opt np_config_maint_opts[];

/* After the top-level walk: every window compiles, or an error names where it does not. */
void np_config_maint_check(const struct np_config *cfg, const struct np_config_ynode *root,
                           struct np_config_diag *errs);

#endif
