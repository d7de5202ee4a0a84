#include "config/walk.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "config/value.h"
#include "util/xmalloc.h"

static bool
valid_for(const struct np_config_opt *o, unsigned type)
{
	return o->types == 0 || type == 0 || (o->types & type) != 0;
}

const struct np_config_opt *
np_config_opt_find(const struct np_config_opt *opts, const char *name)
{
	for (const struct np_config_opt *o = opts; o->name != NULL; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

void
np_config_walk_defaults(const struct np_config_opt *opts, void *base, unsigned type)
{
	for (const struct np_config_opt *o = opts; o->name != NULL; o++) {
		if (!valid_for(o, type) || (o->flags & NP_CFG_F_INHERIT))
			continue;
		if (o->type == NP_CFG_SECTION) {
			np_config_walk_defaults(o->sub, (char *)base + o->off, type);
		} else if (o->def != NULL) {
			/* The tables' defaults are checked by the unit tests. */
			char *why = NULL;
			if (np_config_value_default(o, base, &why) == -1)
				free(why);
		}
	}
}

char *
np_config_walk_where(const struct np_config_scope *sc)
{
	if (sc->owner != NULL && sc->path != NULL)
		return np_xasprintf(" in %s %s", sc->owner, sc->path);
	if (sc->owner != NULL)
		return np_xasprintf(" in %s", sc->owner);
	if (sc->path != NULL)
		return np_xasprintf(" in %s", sc->path);
	return np_xstrdup(" at the top level");
}

/* Levenshtein distance, capped: only small typos are worth a suggestion. */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return 99;
	size_t row[65];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

static const char *
suggest(const struct np_config_opt *opts, const char *key, unsigned type)
{
	const char *best = NULL;
	size_t bestd = strlen(key) < 4 ? 1 : 2;
	for (const struct np_config_opt *o = opts; o->name != NULL; o++) {
		if (!valid_for(o, type))
			continue;
		size_t d = distance(key, o->name);
		if (d <= bestd && (best == NULL || d < bestd)) {
			best = o->name;
			bestd = d;
		}
	}
	return best;
}

static void
unknown_key(const struct np_config_opt *opts, const struct np_config_ynode *k,
            const struct np_config_scope *sc, const char *where)
{
	char *name = np_config_ydoc_describe(k);
	const char *s = suggest(opts, k->str, sc->type);
	if (s != NULL)
		np_config_diag_add(sc->errs, k->line, k->col,
		                   "unknown key %s%s (did you mean '%s'?)", name, where, s);
	else
		np_config_diag_add(sc->errs, k->line, k->col, "unknown key %s%s", name, where);
	free(name);
}

/* The first key node named like kids[i] in the mapping, when it is not kids[i] itself. */
static const struct np_config_ynode *
earlier_key(const struct np_config_ynode *map, size_t i)
{
	for (size_t j = 0; j < i; j += 2)
		if (strcmp(map->kids[j]->str, map->kids[i]->str) == 0)
			return map->kids[j];
	return NULL;
}

static void
walk_value(const struct np_config_opt *o, const struct np_config_ynode *v, void *base,
           const struct np_config_scope *sc, const char *where)
{
	if (o->type == NP_CFG_LIST)
		return; /* config.c walks the entries */
	if (o->type == NP_CFG_SECTION) {
		if (v->kind != NP_CONFIG_YMAP && !np_config_ydoc_is_null(v)) {
			char *got = np_config_ydoc_describe(v);
			np_config_diag_add(sc->errs, v->line, v->col,
			                   "bad value for '%s'%s: expected a mapping, got %s",
			                   o->name, where, got);
			free(got);
			return;
		}
		char *path =
		    sc->path ? np_xasprintf("%s.%s", sc->path, o->name) : np_xstrdup(o->name);
		struct np_config_scope sub = *sc;
		sub.path = path;
		np_config_walk(o->sub, v, (char *)base + o->off, &sub);
		free(path);
		return;
	}
	char *why = NULL;
	const struct np_config_ynode *at = v;
	if (np_config_value_set(o, base, v, &why, &at) == -1) {
		np_config_diag_add(sc->errs, at->line, at->col, "bad value for '%s'%s: %s", o->name,
		                   where, why);
		free(why);
	}
}

void
np_config_walk(const struct np_config_opt *opts, const struct np_config_ynode *map, void *base,
               const struct np_config_scope *sc)
{
	char *where = np_config_walk_where(sc);
	if (map->kind == NP_CONFIG_YMAP) {
		for (size_t i = 0; i + 1 < map->nkids; i += 2) {
			const struct np_config_ynode *k = map->kids[i], *v = map->kids[i + 1];
			if (k->reported)
				continue;
			const struct np_config_ynode *first = earlier_key(map, i);
			if (first != NULL) {
				char *name = np_config_ydoc_describe(k);
				np_config_diag_add(
				    sc->errs, k->line, k->col,
				    "duplicate key %s%s (first at line %d, column %d)", name, where,
				    first->line, first->col);
				free(name);
				continue;
			}
			const struct np_config_opt *o = np_config_opt_find(opts, k->str);
			if (o == NULL) {
				unknown_key(opts, k, sc, where);
				continue;
			}
			if (!valid_for(o, sc->type)) {
				np_config_diag_add(sc->errs, k->line, k->col,
				                   "key '%s' is not valid for a %s of type %s",
				                   o->name, sc->kind, sc->type_name);
				continue;
			}
			walk_value(o, v, base, sc, where);
		}
	}
	for (const struct np_config_opt *o = opts; o->name != NULL; o++) {
		bool needed =
		    sc->type != 0 ? (o->required & sc->type) != 0 : o->required == NP_CFG_ALL;
		if (needed && np_config_ydoc_get(map, o->name) == NULL)
			np_config_diag_add(sc->errs, map->line, map->col,
			                   "missing required key '%s'%s", o->name, where);
	}
	free(where);
}
