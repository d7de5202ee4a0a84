#ifndef NP_CONFIG_WALK_H
#define NP_CONFIG_WALK_H
/*
 * Applies an option table to a YAML mapping: unknown keys, keys not valid for the entry's type,
 * duplicate keys, bad values and missing required keys each become one positioned error, and
 * the walk goes on so the whole file is checked at once.
 */
#include <stdbool.h>

#include "config/config_table.h"
#include "config/diag.h"
#include "config/ydoc.h"

struct np_config_scope {
	struct np_config_diag *errs;
	const char *owner;     /* "source 'x'", "alert 2", or NULL at the top level */
	const char *path;      /* "state.flap" below owner, or NULL */
	const char *kind;      /* "source", "alert": for "not valid for a <kind> of type <t>" */
	unsigned type;         /* the entry's type bit; 0 when unknown (type checks skipped) */
	const char *type_name; /* e.g. "local" */
	/* Tables of the entry's other types: a key found there is "not valid for type X". */
	const struct np_config_opt *const *other_tables;
	size_t nother;
	/* Where paths flagged NP_CFG_F_READ / NP_CFG_F_DATABASE are recorded; NULL = nowhere. */
	struct np_config *files;
	/* NP_CONFIG_NO_SECRETS: a secret's form is checked, its file or variable not read. */
	bool no_secrets;
};

/* Fills every default of the table (and of its sections, except INHERIT ones) for type. */
void np_config_walk_defaults(const struct np_config_opt *opts, void *base, unsigned type);
/*
 * Applies map to several tables at once (a source's common keys and its type's own): a key
 * belongs to the first layer that has it, and is unknown only if none does.
 */
struct np_config_layer {
	const struct np_config_opt *opts;
	void *base;
	bool lenient; /* its keys are accepted but none is required (an entry of unknown type) */
};
void np_config_walk_layers(const struct np_config_layer *ls, size_t nl,
                           const struct np_config_ynode *map, const struct np_config_scope *sc);
/* Applies map (a mapping, or a null node meaning empty) to base. */
void np_config_walk(const struct np_config_opt *opts, const struct np_config_ynode *map, void *base,
                    const struct np_config_scope *sc);
/* " in source 'x' state.flap", " at the top level": for messages. malloc'd. */
char *np_config_walk_where(const struct np_config_scope *sc);
/* An option by name, or NULL. */
const struct np_config_opt *np_config_opt_find(const struct np_config_opt *opts, const char *name);

#endif
