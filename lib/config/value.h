#ifndef NP_CONFIG_VALUE_H
#define NP_CONFIG_VALUE_H
/* Typed values of the option tables: parsing one node into its field(s), and describing types. */
#include "config/config_table.h"
#include "config/ydoc.h"

/*
 * Sets o's field(s) in base from node n (a scalar, or a list for REGEXES). On a bad value
 * returns -1, *why = "expected ..., got ..." (malloc'd) and *at = the offending node.
 * SECTION and LIST are not values (the walker handles them).
 */
int np_config_value_set(const struct np_config_opt *o, void *base, const struct np_config_ynode *n,
                        char **why, const struct np_config_ynode **at);
/* Applies o's default (o->def); returns -1 (*why set) if the table's default is malformed. */
int np_config_value_default(const struct np_config_opt *o, void *base, char **why);
/* The type as a word for help: "duration", "path", "bool", ... */
const char *np_config_value_type_name(const struct np_config_opt *o);
/* What a good value looks like, e.g. "a duration like 30s, 5m, 2h"; malloc'd. */
char *np_config_value_expected(const struct np_config_opt *o);
/* Frees the field(s) a value of o owns in base (strings, lists) and clears them. */
void np_config_value_clear(const struct np_config_opt *o, void *base);

#endif
