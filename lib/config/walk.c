#include "config/walk.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/credpath.h"
#include "config/hostcheck.h"
#include "config/secret.h"
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
suggest(const struct np_config_layer *ls, size_t nl, const char *key, unsigned type)
{
	const char *best = NULL;
	size_t bestd = strlen(key) < 4 ? 1 : 2;
	for (size_t l = 0; l < nl; l++) {
		for (const struct np_config_opt *o = ls[l].opts; o->name != NULL; o++) {
			if (!valid_for(o, type))
				continue;
			size_t d = distance(key, o->name);
			if (d <= bestd && (best == NULL || d < bestd)) {
				best = o->name;
				bestd = d;
			}
		}
	}
	return best;
}

static void
unknown_key(const struct np_config_layer *ls, size_t nl, const struct np_config_ynode *k,
            const struct np_config_scope *sc, const char *where)
{
	char *name = np_config_ydoc_describe(k);
	const char *s = suggest(ls, nl, k->str, sc->type);
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
		return;
	}
	if (sc->files != NULL && (o->flags & (NP_CFG_F_READ | NP_CFG_F_DATABASE)))
		np_config_file_add(sc->files, *(char **)(void *)((char *)base + o->off), o->name,
		                   where, v->line, v->col,
		                   (o->flags & NP_CFG_F_DATABASE) ? NP_CONFIG_FILE_DATABASE
		                                                  : NP_CONFIG_FILE_READ);
}

/* The secret option (NP_CFG_F_SECRET_FORMS) that key names: "K", "K_file" or "K_env". */
static const struct np_config_opt *
secret_form(const struct np_config_opt *opts, const char *key)
{
	for (const struct np_config_opt *o = opts; o->name != NULL; o++) {
		if (!(o->flags & NP_CFG_F_SECRET_FORMS))
			continue;
		size_t n = strlen(o->name);
		if (strncmp(key, o->name, n) == 0 &&
		    (key[n] == '\0' || strcmp(key + n, "_file") == 0 ||
		     strcmp(key + n, "_env") == 0))
			return o;
	}
	return NULL;
}

static bool
envname(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/*
 * A secret is given as K_file or K_env, exactly one of them; K in clear is refused (it would
 * sit in a file that backups, editors and `ps` of a config tool all see).
 */
static void
resolve_secret(const struct np_config_opt *o, const struct np_config_ynode *map, void *base,
               const struct np_config_scope *sc, const char *where, unsigned type)
{
	char kfile[96], kenv[96];
	snprintf(kfile, sizeof(kfile), "%s_file", o->name);
	snprintf(kenv, sizeof(kenv), "%s_env", o->name);
	const char *keys[3] = {o->name, kfile, kenv};
	const struct np_config_ynode *given[3] = {NULL, NULL, NULL};
	int first = -1;
	for (int i = 0; i < 3; i++) {
		if (map->kind == NP_CONFIG_YMAP)
			given[i] = np_config_ydoc_get(map, keys[i]);
		if (given[i] == NULL)
			continue;
		if (first >= 0) {
			np_config_diag_add(sc->errs, given[i]->line, given[i]->col,
			                   "keys '%s' and '%s'%s cannot be used together",
			                   keys[first], keys[i], where);
			return;
		}
		first = i;
	}
	if (first < 0) {
		bool needed = type != 0 ? (o->required & type) != 0 : o->required == NP_CFG_ALL;
		if (needed)
			np_config_diag_add(sc->errs, map->line, map->col,
			                   "missing required key '%s' or '%s'%s", kfile, kenv,
			                   where);
		return;
	}
	const struct np_config_ynode *v = given[first];
	if (first == 0) {
		np_config_diag_add(
		    sc->errs, v->line, v->col,
		    "%s: %s %s in clear is not accepted; put it in a file (%s, e.g. a "
		    "systemd credential) or the environment (%s)",
		    where + (strncmp(where, " in ", 4) == 0 ? 4 : 1),
		    strchr("aeiou", o->name[0]) != NULL ? "an" : "a", o->name, kfile, kenv);
		return;
	}
	char *why = NULL, *secret = NULL;
	int rc;
	if (v->kind != NP_CONFIG_YSCALAR || np_config_ydoc_is_null(v) || *v->str == '\0' ||
	    (first == 2 && !envname(v->str))) {
		rc = -1;
		char *got = np_config_ydoc_describe(v);
		why = np_xasprintf("expected %s, got %s",
		                   first == 1 ? "a non-empty string"
		                              : "an environment variable name (letters, digits, _)",
		                   got);
		free(got);
	} else if (sc->no_secrets) {
		return;
	} else if (first == 1) {
		char *path = np_config_credpath(v->str);
		rc = np_config_secret_file(path, &secret, &why);
		if (rc == -1 && *np_config_credpath_hint(v->str) != '\0') {
			char *more = np_xasprintf("%s%s", why, np_config_credpath_hint(v->str));
			free(why);
			why = more;
		}
		free(path);
	} else {
		rc = np_config_secret_env(v->str, &secret, &why);
	}
	if (rc == -1) {
		np_config_diag_add(sc->errs, v->line, v->col, "bad value for '%s'%s: %s",
		                   keys[first], where, why);
		free(why);
		return;
	}
	char **field = (char **)(void *)((char *)base + o->off);
	np_config_secret_free(*field);
	*field = secret;
}

static void
walk_maplist(const struct np_config_opt *o, const struct np_config_ynode *v, void *base,
             const struct np_config_scope *sc, const char *where)
{
	if (v->kind != NP_CONFIG_YSEQ && !np_config_ydoc_is_null(v)) {
		char *got = np_config_ydoc_describe(v);
		np_config_diag_add(sc->errs, v->line, v->col,
		                   "bad value for '%s'%s: expected a list of mappings, got %s",
		                   o->name, where, got);
		free(got);
		return;
	}
	char **arr = (char **)(void *)((char *)base + o->off);
	size_t *count = (size_t *)(void *)((char *)base + o->off2);
	size_t n = v->kind == NP_CONFIG_YSEQ ? v->nkids : 0;
	np_config_table_free((const struct np_config_opt[]){*o, {.name = NULL}}, base);
	if (n == 0)
		return;
	*arr = np_xcalloc(n, (size_t)o->max);
	*count = n;
	for (size_t i = 0; i < n; i++) {
		const struct np_config_ynode *it = v->kids[i];
		void *elem = *arr + i * (size_t)o->max;
		np_config_walk_defaults(o->sub, elem, 0);
		char *path = sc->path ? np_xasprintf("%s.%s[%zu]", sc->path, o->name, i + 1)
		                      : np_xasprintf("%s[%zu]", o->name, i + 1);
		struct np_config_scope sub = *sc;
		sub.path = path;
		sub.type = 0;
		if (it->kind != NP_CONFIG_YMAP) {
			char *got = np_config_ydoc_describe(it);
			np_config_diag_add(
			    sc->errs, it->line, it->col,
			    "bad value for '%s'%s: entry %zu: expected a mapping, got %s", o->name,
			    where, i + 1, got);
			free(got);
		} else {
			np_config_walk(o->sub, it, elem, &sub);
		}
		free(path);
	}
}

void
np_config_walk_layers(const struct np_config_layer *ls, size_t nl,
                      const struct np_config_ynode *map, const struct np_config_scope *sc)
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
			const struct np_config_opt *o = NULL;
			void *base = NULL;
			bool secret = false;
			for (size_t l = 0; l < nl && o == NULL && !secret; l++) {
				o = np_config_opt_find(ls[l].opts, k->str);
				base = ls[l].base;
				if (o == NULL || (o->flags & NP_CFG_F_SECRET_FORMS))
					secret = secret_form(ls[l].opts, k->str) != NULL;
				if (secret)
					o = NULL;
			}
			if (secret)
				continue; /* resolve_secret below */
			bool other = false;
			for (size_t t = 0; o == NULL && t < sc->nother && !other; t++)
				other = np_config_opt_find(sc->other_tables[t], k->str) != NULL ||
				        secret_form(sc->other_tables[t], k->str) != NULL;
			if (other) {
				np_config_diag_add(sc->errs, k->line, k->col,
				                   "key '%s' is not valid for a %s of type %s",
				                   k->str, sc->kind, sc->type_name);
				continue;
			}
			if (o == NULL) {
				unknown_key(ls, nl, k, sc, where);
				continue;
			}
			if (!valid_for(o, sc->type)) {
				np_config_diag_add(sc->errs, k->line, k->col,
				                   "key '%s' is not valid for a %s of type %s",
				                   o->name, sc->kind, sc->type_name);
				continue;
			}
			if (o->type == NP_CFG_MAPLIST)
				walk_maplist(o, v, base, sc, where);
			else
				walk_value(o, v, base, sc, where);
		}
	}
	for (size_t l = 0; l < nl; l++) {
		for (const struct np_config_opt *o = ls[l].opts; o->name != NULL; o++) {
			if (ls[l].lenient)
				break;
			if (o->flags & NP_CFG_F_SECRET_FORMS) {
				if (valid_for(o, sc->type))
					resolve_secret(o, map, ls[l].base, sc, where, sc->type);
				continue;
			}
			bool needed = sc->type != 0 ? (o->required & sc->type) != 0
			                            : o->required == NP_CFG_ALL;
			if (needed && np_config_ydoc_get(map, o->name) == NULL)
				np_config_diag_add(sc->errs, map->line, map->col,
				                   "missing required key '%s'%s", o->name, where);
		}
	}
	free(where);
}

void
np_config_walk(const struct np_config_opt *opts, const struct np_config_ynode *map, void *base,
               const struct np_config_scope *sc)
{
	struct np_config_layer l = {opts, base, false};
	np_config_walk_layers(&l, 1, map, sc);
}
