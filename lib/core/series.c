/*
 * The pipeline's series table: a string-keyed map of struct np_series, an undo log for the
 * batch in progress, and the two ways series leave memory (prune and sweep).
 */
#include "core/series.h"

#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "util/hmap.h"
#include "util/xmalloc.h"

/* The undo log keeps at least this many slots; above it, it shrinks back after big batches. */
#define UNDO_MIN 64
/* Dropping at least this many series at once gives free memory back to the system. */
#define TRIM_AFTER 1024

struct undo {
	struct np_series *s;
	struct np_series_state v;
};

struct np_series_tab {
	struct np_hmap *map;     /* "source\0device\0interface" -> struct np_series */
	struct np_hmap *sources; /* source -> size_t count of its series held */
	struct undo *undo;
	size_t nundo, undocap;
	/* Series whose state was all zeros before the batch (first sight): no copy to keep. */
	struct np_series **fresh;
	size_t nfresh, freshcap;
	uint32_t batch; /* number of the batch in progress (never 0) */
};

static void
series_free(void *v)
{
	struct np_series *s = v;
	free(s->prom_labels);
	free(s);
}

struct keyed_ctx {
	np_series_key_fn fn;
	void *arg;
};

static void
keyed_cb(const char *key, size_t keylen, void *value, void *arg)
{
	(void)keylen;
	struct keyed_ctx *c = arg;
	const char *dev = key + strlen(key) + 1;
	const char *ifn = dev + strlen(dev) + 1;
	c->fn(key, dev, ifn, value, c->arg);
}

void
np_series_tab_each_keyed(const struct np_series_tab *t, np_series_key_fn fn, void *arg)
{
	struct keyed_ctx c = {fn, arg};
	np_hmap_foreach(t->map, keyed_cb, &c);
}

struct np_series_tab *
np_series_tab_new(void)
{
	struct np_series_tab *t = np_xcalloc(1, sizeof(*t));
	t->map = np_hmap_new();
	t->sources = np_hmap_new();
	t->batch = 1;
	return t;
}

void
np_series_tab_free(struct np_series_tab *t)
{
	if (t == NULL)
		return;
	np_hmap_free(t->map, series_free);
	np_hmap_free(t->sources, free);
	free(t->undo);
	free(t->fresh);
	free(t);
}

static size_t
make_key(char *buf, size_t size, const char *source, const char *device, const char *interface)
{
	size_t a = strlen(source), b = strlen(device), c = strlen(interface);
	if (a + b + c + 2 > size)
		return 0;
	memcpy(buf, source, a);
	buf[a] = '\0';
	memcpy(buf + a + 1, device, b);
	buf[a + 1 + b] = '\0';
	memcpy(buf + a + b + 2, interface, c);
	return a + b + c + 2;
}

struct np_series *
np_series_tab_get(struct np_series_tab *t, const char *source, const char *device,
                  const char *interface)
{
	char key[3 * NP_NAME_MAX + 8];
	size_t klen = make_key(key, sizeof(key), source, device, interface);
	struct np_series *s = np_hmap_get(t->map, key, klen);
	if (s == NULL) {
		s = np_xcalloc(1, sizeof(*s));
		np_hmap_put(t->map, key, klen, s);
		size_t n = strlen(source);
		size_t *c = np_hmap_get(t->sources, source, n);
		if (c == NULL) {
			c = np_xcalloc(1, sizeof(*c));
			np_hmap_put(t->sources, source, n, c);
		}
		(*c)++;
	}
	return s;
}

size_t
np_series_tab_source_count(const struct np_series_tab *t, const char *source)
{
	const size_t *c = np_hmap_get(t->sources, source, strlen(source));
	return c != NULL ? *c : 0;
}

size_t
np_series_tab_count(const struct np_series_tab *t)
{
	return np_hmap_count(t->map);
}

void
np_series_tab_save(struct np_series_tab *t, struct np_series *s,
                   const struct np_series_state *before)
{
	static const struct np_series_state zero;
	if (s->saved == t->batch)
		return;
	s->saved = t->batch;
	/* The first poll of 10,000 new series must not keep 10,000 copies of nothing. */
	if (memcmp(before, &zero, sizeof(zero)) == 0) {
		if (t->nfresh == t->freshcap) {
			t->freshcap = t->freshcap ? t->freshcap * 2 : UNDO_MIN;
			t->fresh = np_xreallocarray(t->fresh, t->freshcap, sizeof(*t->fresh));
		}
		t->fresh[t->nfresh++] = s;
		return;
	}
	if (t->nundo == t->undocap) {
		t->undocap = t->undocap ? t->undocap * 2 : UNDO_MIN;
		t->undo = np_xreallocarray(t->undo, t->undocap, sizeof(*t->undo));
	}
	t->undo[t->nundo].s = s;
	t->undo[t->nundo].v = *before;
	t->nundo++;
}

/* Ends the batch: a log grown by one big batch does not stay that big for small ones. */
static void
end_batch(struct np_series_tab *t)
{
	if (t->undocap > UNDO_MIN && t->nundo < t->undocap / 4) {
		t->undocap = t->nundo > UNDO_MIN ? t->nundo : UNDO_MIN;
		t->undo = np_xreallocarray(t->undo, t->undocap, sizeof(*t->undo));
	}
	t->nundo = 0;
	if (t->freshcap > UNDO_MIN && t->nfresh < t->freshcap / 4) {
		t->freshcap = t->nfresh > UNDO_MIN ? t->nfresh : UNDO_MIN;
		t->fresh = np_xreallocarray(t->fresh, t->freshcap, sizeof(*t->fresh));
	}
	t->nfresh = 0;
	if (++t->batch == 0)
		t->batch = 1;
}

void
np_series_tab_commit(struct np_series_tab *t)
{
	end_batch(t);
}

static void
forget_id(const char *key, size_t keylen, void *value, void *arg)
{
	struct np_series *s = value;
	s->id = 0;
}

void
np_series_tab_undo(struct np_series_tab *t)
{
	for (size_t i = 0; i < t->nundo; i++)
		t->undo[i].s->v = t->undo[i].v;
	for (size_t i = 0; i < t->nfresh; i++)
		memset(&t->fresh[i]->v, 0, sizeof(t->fresh[i]->v));
	np_hmap_foreach(t->map, forget_id, NULL);
	end_batch(t);
}

/*
 * After a wave of churn glibc keeps the freed blocks (the map itself shrinks): hand free pages
 * back, so memory follows the series held now.
 */
static size_t
dropped(size_t n)
{
#ifdef __GLIBC__
	if (n >= TRIM_AFTER)
		malloc_trim(0);
#endif
	return n;
}

static bool
is_leaving(const char *key, size_t keylen, void *value, void *arg)
{
	const struct np_series_leaving *w = arg;
	const struct np_series *s = value;
	if (w->source == NULL)
		return w->now_ms - s->seen_ms > s->idle_ms;
	size_t n = strlen(w->source);
	return keylen > n && memcmp(key, w->source, n) == 0 && key[n] == '\0' && s->gen != w->gen;
}

struct each {
	const struct np_series_leaving *w; /* NULL: every series */
	np_series_fn fn;
	void *arg;
	int rc;
};

static void
each_cb(const char *key, size_t keylen, void *value, void *arg)
{
	struct each *e = arg;
	struct np_series_leaving w;
	if (e->w != NULL)
		w = *e->w;
	if (e->rc == 0 && (e->w == NULL || is_leaving(key, keylen, value, &w)))
		e->rc = e->fn(value, e->arg);
}

int
np_series_tab_foreach(struct np_series_tab *t, np_series_fn fn, void *arg)
{
	struct each e = {.fn = fn, .arg = arg};
	np_hmap_foreach(t->map, each_cb, &e);
	return e.rc;
}

int
np_series_tab_each_leaving(struct np_series_tab *t, const struct np_series_leaving *w,
                           np_series_fn fn, void *arg)
{
	struct each e = {.w = w, .fn = fn, .arg = arg};
	np_hmap_foreach(t->map, each_cb, &e);
	return e.rc;
}

struct drop {
	struct np_series_leaving w;
	struct np_hmap *sources;
};

/* is_leaving, counting each series that goes off its source's count. */
static bool
drop_if(const char *key, size_t keylen, void *value, void *arg)
{
	struct drop *d = arg;
	if (!is_leaving(key, keylen, value, &d->w))
		return false;
	size_t *c = np_hmap_get(d->sources, key, strlen(key));
	if (c != NULL && *c > 0)
		(*c)--;
	return true;
}

size_t
np_series_tab_drop(struct np_series_tab *t, const struct np_series_leaving *w)
{
	struct drop d = {.w = *w, .sources = t->sources};
	return dropped(np_hmap_remove_if(t->map, drop_if, &d, series_free));
}

void
np_series_restore(struct np_series *s, const struct np_baseline *b)
{
	for (int i = 0; i < NP_C_MAX; i++) {
		if (!(b->mask & (1u << i)))
			continue;
		struct np_counter_state *c = &s->v.c[i];
		c->last = b->value[i];
		c->last_ms = b->time_ms;
		c->epoch = b->epoch;
		c->primed = true;
	}
}

void
np_series_baseline(const struct np_series *s, uint32_t mask, int64_t time_ms, struct np_baseline *b)
{
	memset(b, 0, sizeof(*b));
	b->time_ms = time_ms;
	bool have = false;
	for (int i = 0; i < NP_C_MAX; i++) {
		const struct np_counter_state *c = &s->v.c[i];
		if (!(mask & (1u << i)) || !c->primed || c->last_ms != time_ms)
			continue;
		if (!have) {
			b->epoch = c->epoch;
			have = true;
		} else if (c->epoch != b->epoch) {
			continue;
		}
		b->value[i] = c->last;
		b->mask |= 1u << i;
	}
}
