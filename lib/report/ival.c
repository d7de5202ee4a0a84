#include "report/ival.h"

#include <stdlib.h>

#include "util/xmalloc.h"

void
np_ivset_add(struct np_ivset *s, int64_t a, int64_t b)
{
	if (b <= a)
		return;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->v = np_xreallocarray(s->v, s->cap, sizeof(*s->v));
	}
	s->v[s->n++] = (struct np_ival){a, b};
}

static int
cmp(const void *x, const void *y)
{
	const struct np_ival *p = x, *q = y;
	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	return (p->b > q->b) - (p->b < q->b);
}

void
np_ivset_norm(struct np_ivset *s)
{
	if (s->n < 2)
		return;
	qsort(s->v, s->n, sizeof(*s->v), cmp);
	size_t k = 0;
	for (size_t i = 1; i < s->n; i++) {
		if (s->v[i].a <= s->v[k].b) {
			if (s->v[i].b > s->v[k].b)
				s->v[k].b = s->v[i].b;
		} else {
			s->v[++k] = s->v[i];
		}
	}
	s->n = k + 1;
}

void
np_ivset_clip(struct np_ivset *s, int64_t a, int64_t b)
{
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++) {
		int64_t x = s->v[i].a > a ? s->v[i].a : a, y = s->v[i].b < b ? s->v[i].b : b;
		if (x < y)
			s->v[k++] = (struct np_ival){x, y};
	}
	s->n = k;
}

int64_t
np_ivset_total(const struct np_ivset *s)
{
	int64_t t = 0;
	for (size_t i = 0; i < s->n; i++)
		t += s->v[i].b - s->v[i].a;
	return t;
}

int64_t
np_ivset_overlap(const struct np_ivset *x, const struct np_ivset *y)
{
	int64_t t = 0;
	size_t i = 0, j = 0;
	while (i < x->n && j < y->n) {
		int64_t a = x->v[i].a > y->v[j].a ? x->v[i].a : y->v[j].a;
		int64_t b = x->v[i].b < y->v[j].b ? x->v[i].b : y->v[j].b;
		if (a < b)
			t += b - a;
		if (x->v[i].b < y->v[j].b)
			i++;
		else
			j++;
	}
	return t;
}

void
np_ivset_complement(const struct np_ivset *s, int64_t a, int64_t b, struct np_ivset *out)
{
	out->n = 0;
	int64_t cur = a;
	for (size_t i = 0; i < s->n && cur < b; i++) {
		if (s->v[i].b <= cur)
			continue;
		if (s->v[i].a > cur)
			np_ivset_add(out, cur, s->v[i].a < b ? s->v[i].a : b);
		cur = s->v[i].b;
	}
	if (cur < b)
		np_ivset_add(out, cur, b);
}

void
np_ivset_union(const struct np_ivset *x, const struct np_ivset *y, struct np_ivset *out)
{
	out->n = 0;
	for (size_t i = 0; i < x->n; i++)
		np_ivset_add(out, x->v[i].a, x->v[i].b);
	for (size_t i = 0; i < y->n; i++)
		np_ivset_add(out, y->v[i].a, y->v[i].b);
	np_ivset_norm(out);
}

void
np_ivset_free(struct np_ivset *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}
