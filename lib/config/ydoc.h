#ifndef NP_CONFIG_YDOC_H
#define NP_CONFIG_YDOC_H
/*
 * A YAML document as a small tree of nodes that keep their line:column, built from libyaml's
 * event stream. Anchors and aliases are rejected (a config has no use for them, and aliases are
 * how "billion laughs" inputs explode); tags are ignored; one document per file.
 */
#include <stdbool.h>
#include <stddef.h>

#include "config/diag.h"

enum np_config_ykind { NP_CONFIG_YSCALAR, NP_CONFIG_YMAP, NP_CONFIG_YSEQ };

struct np_config_ynode {
	enum np_config_ykind kind;
	int line, col; /* 1-based */
	/* scalar: text (NUL-terminated; a scalar holding a NUL byte is an error) */
	char *str;
	bool plain;    /* unquoted: "~", "null" and "" mean nothing */
	bool reported; /* a stand-in for a bad node already reported */
	/* sequence: items; mapping: key, value, key, value, ... (keys are scalars) */
	struct np_config_ynode **kids;
	size_t nkids;
};

/*
 * Parses text. Returns the root (an empty mapping for an empty document), or NULL after a
 * syntax error. Structural problems (aliases, non-scalar keys, ...) are added to d and a tree
 * is still returned, so the caller can report more.
 */
struct np_config_ynode *np_config_ydoc_parse(const char *text, size_t len,
                                             struct np_config_diag *d);
void np_config_ydoc_free(struct np_config_ynode *n);

/* The value of the first `key` in a mapping, or NULL. */
const struct np_config_ynode *np_config_ydoc_get(const struct np_config_ynode *map,
                                                 const char *key);
/* True for an absent value: plain "", "~", "null". */
bool np_config_ydoc_is_null(const struct np_config_ynode *n);
/* "a mapping", "a list", "nothing" or "'text'" (escaped, shortened), for "got ..." messages. */
char *np_config_ydoc_describe(const struct np_config_ynode *n);

#endif
