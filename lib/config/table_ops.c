/*
 * What the option tables give besides parsing: freeing and comparing the structs they fill, so a
 * collector's own config (ops->options) needs no hand-written free or reload comparison.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_table.h"
#include "config/secret.h"

#define FIELD(base, off, T) ((T *)(void *)((char *)(base) + (off)))

static void
free_strings(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
np_config_table_free(const struct np_config_opt *opts, void *base)
{
	for (const struct np_config_opt *o = opts; o->name != NULL; o++) {
		switch (o->type) {
		case NP_CFG_STRING:
		case NP_CFG_PATH:
		case NP_CFG_TOKEN:
		case NP_CFG_NAME:
		case NP_CFG_ENVNAME:
		case NP_CFG_CHOICE:
			free(*FIELD(base, o->off, char *));
			*FIELD(base, o->off, char *) = NULL;
			break;
		case NP_CFG_SECRET:
			np_config_secret_free(*FIELD(base, o->off, char *));
			*FIELD(base, o->off, char *) = NULL;
			break;
		case NP_CFG_LOG:
			free(*FIELD(base, o->off2, char *));
			*FIELD(base, o->off2, char *) = NULL;
			break;
		case NP_CFG_REGEXES:
		case NP_CFG_STRINGS:
		case NP_CFG_LABELS:
			free_strings(*FIELD(base, o->off, char **), *FIELD(base, o->off2, size_t));
			*FIELD(base, o->off, char **) = NULL;
			*FIELD(base, o->off2, size_t) = 0;
			break;
		case NP_CFG_MAPLIST: {
			char *v = *FIELD(base, o->off, char *);
			size_t n = *FIELD(base, o->off2, size_t);
			for (size_t i = 0; i < n; i++)
				np_config_table_free(o->sub, v + i * (size_t)o->max);
			free(v);
			*FIELD(base, o->off, char *) = NULL;
			*FIELD(base, o->off2, size_t) = 0;
			break;
		}
		case NP_CFG_SECTION:
			np_config_table_free(o->sub, (char *)base + o->off);
			break;
		case NP_CFG_SERVER: /* alerts only: config.c frees its parts */
		case NP_CFG_LIST:   /* walked and freed by config.c */
		case NP_CFG_DURATION:
		case NP_CFG_RETENTION:
		case NP_CFG_DURATION_X:
		case NP_CFG_INT:
		case NP_CFG_UINT32:
		case NP_CFG_NUMBER:
		case NP_CFG_BOOL:
		case NP_CFG_ENUM:
			break;
		}
	}
}

static bool
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool
strings_eq(char *const *a, size_t na, char *const *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!str_eq(a[i], b[i]))
			return false;
	return true;
}

#define SAME(T) (*FIELD(a, o->off, T) == *FIELD(b, o->off, T))

bool
np_config_table_equal(const struct np_config_opt *opts, const void *ca, const void *cb)
{
	void *a = (void *)(uintptr_t)ca, *b = (void *)(uintptr_t)cb;
	for (const struct np_config_opt *o = opts; o->name != NULL; o++) {
		bool eq = true;
		switch (o->type) {
		case NP_CFG_STRING:
		case NP_CFG_PATH:
		case NP_CFG_TOKEN:
		case NP_CFG_NAME:
		case NP_CFG_ENVNAME:
		case NP_CFG_CHOICE:
		case NP_CFG_SECRET:
			eq = str_eq(*FIELD(a, o->off, char *), *FIELD(b, o->off, char *));
			break;
		case NP_CFG_LOG:
			eq = SAME(enum np_log_target) &&
			     str_eq(*FIELD(a, o->off2, char *), *FIELD(b, o->off2, char *));
			break;
		case NP_CFG_REGEXES:
		case NP_CFG_STRINGS:
		case NP_CFG_LABELS:
			eq = strings_eq(*FIELD(a, o->off, char **), *FIELD(a, o->off2, size_t),
			                *FIELD(b, o->off, char **), *FIELD(b, o->off2, size_t));
			break;
		case NP_CFG_MAPLIST: {
			size_t n = *FIELD(a, o->off2, size_t);
			eq = n == *FIELD(b, o->off2, size_t);
			const char *va = *FIELD(a, o->off, char *), *vb = *FIELD(b, o->off, char *);
			for (size_t i = 0; eq && i < n; i++)
				eq = np_config_table_equal(o->sub, va + i * (size_t)o->max,
				                           vb + i * (size_t)o->max);
			break;
		}
		case NP_CFG_SECTION:
			eq = np_config_table_equal(o->sub, (char *)a + o->off, (char *)b + o->off);
			break;
		case NP_CFG_DURATION:
		case NP_CFG_RETENTION:
			eq = SAME(int64_t);
			break;
		case NP_CFG_DURATION_X:
			eq = SAME(int64_t) &&
			     *FIELD(a, o->off2, double) == *FIELD(b, o->off2, double);
			break;
		case NP_CFG_INT:
		case NP_CFG_ENUM:
			eq = SAME(int);
			break;
		case NP_CFG_UINT32:
			eq = SAME(uint32_t);
			break;
		case NP_CFG_NUMBER:
			eq = SAME(double);
			break;
		case NP_CFG_BOOL:
			eq = SAME(bool);
			break;
		case NP_CFG_SERVER:
		case NP_CFG_LIST:
			break;
		}
		if (!eq)
			return false;
	}
	return true;
}
