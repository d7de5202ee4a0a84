#include "config/diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

/* Past this many errors the rest is noise (usually one mistake repeated): count them instead. */
#define DIAG_SHOWN 50

struct msg {
	int line, col;
	size_t seq; /* insertion order, so sorting is stable */
	char *text;
};

struct np_config_diag {
	char *name;
	struct msg *v;
	size_t n, cap;
};

struct np_config_diag *
np_config_diag_new(const char *name)
{
	struct np_config_diag *d = np_xcalloc(1, sizeof(*d));
	d->name = np_xstrdup(name);
	return d;
}

void
np_config_diag_free(struct np_config_diag *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].text);
	free(d->v);
	free(d->name);
	free(d);
}

void
np_config_diag_add(struct np_config_diag *d, int line, int col, const char *fmt, ...)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		d->v = np_xreallocarray(d->v, d->cap, sizeof(*d->v));
	}
	va_list ap;
	va_start(ap, fmt);
	char *text = np_xvasprintf(fmt, ap);
	va_end(ap);
	d->v[d->n] = (struct msg){line, col, d->n, text};
	d->n++;
}

size_t
np_config_diag_count(const struct np_config_diag *d)
{
	return d->n;
}

static int
cmp_msg(const void *a, const void *b)
{
	const struct msg *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

static char *
render_one(const struct np_config_diag *d, const struct msg *m)
{
	return np_xasprintf("%s:%d:%d: %s", d->name, m->line, m->col, m->text);
}

char *
np_config_diag_render(struct np_config_diag *d)
{
	if (d->n == 0)
		return NULL;
	qsort(d->v, d->n, sizeof(*d->v), cmp_msg);
	char *out = NULL;
	size_t shown = d->n > DIAG_SHOWN ? DIAG_SHOWN : d->n;
	for (size_t i = 0; i < shown; i++) {
		char *one = render_one(d, &d->v[i]);
		char *next = out ? np_xasprintf("%s\n%s", out, one) : np_xstrdup(one);
		free(one);
		free(out);
		out = next;
	}
	if (d->n > shown) {
		char *next =
		    np_xasprintf("%s\n%s: %zu more errors not shown", out, d->name, d->n - shown);
		free(out);
		out = next;
	}
	return out;
}

char **
np_config_diag_take(struct np_config_diag *d, size_t *n)
{
	*n = d->n;
	if (d->n == 0)
		return NULL;
	qsort(d->v, d->n, sizeof(*d->v), cmp_msg);
	char **out = np_xcalloc(d->n, sizeof(*out));
	for (size_t i = 0; i < d->n; i++) {
		out[i] = render_one(d, &d->v[i]);
		free(d->v[i].text);
	}
	d->n = 0;
	return out;
}
