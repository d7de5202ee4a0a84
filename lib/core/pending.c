/* The pipeline's in-memory queue of link-state writes not committed yet (pending.h). */
#include "core/pending.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/hmap.h"
#include "util/xmalloc.h"

struct ev_ent {
	struct np_ls_event ev; /* strings point at the copies below */
	char *device, *interface, *sources, *message;
	int severity;
};

struct saved_ent {
	struct np_ls_saved s;
	char *device, *interface, *sources;
};

struct np_pending {
	struct ev_ent *ring; /* oldest at head */
	size_t head, n, cap, max;
	uint64_t dropped;
	struct saved_ent **saved; /* first-saved order; a newer row replaces in place */
	size_t nsaved, savedcap;
	struct np_hmap *by_link; /* "device\0interface" -> struct saved_ent */
};

static char *
dup_or_null(const char *s)
{
	return s != NULL ? np_xstrdup(s) : NULL;
}

static void
ev_clear(struct ev_ent *e)
{
	free(e->device);
	free(e->interface);
	free(e->sources);
	free(e->message);
	memset(e, 0, sizeof(*e));
}

struct np_pending *
np_pending_new(size_t max_events)
{
	struct np_pending *q = np_xcalloc(1, sizeof(*q));
	q->max = max_events > 0 ? max_events : 1;
	q->by_link = np_hmap_new();
	return q;
}

void
np_pending_free(struct np_pending *q)
{
	if (q == NULL)
		return;
	np_pending_clear(q);
	free(q->ring);
	free(q->saved);
	np_hmap_free(q->by_link, NULL);
	free(q);
}

static struct ev_ent *
at(const struct np_pending *q, size_t i)
{
	return &q->ring[(q->head + i) % q->cap];
}

static void
grow(struct np_pending *q)
{
	size_t cap = q->cap ? q->cap * 2 : 16;
	if (cap > q->max)
		cap = q->max;
	struct ev_ent *r = np_xcalloc(cap, sizeof(*r));
	for (size_t i = 0; i < q->n; i++)
		r[i] = *at(q, i);
	free(q->ring);
	q->ring = r;
	q->cap = cap;
	q->head = 0;
}

int
np_pending_add_event(struct np_pending *q, const struct np_ls_event *ev, const char *message,
                     int severity)
{
	int dropped = 0;
	if (q->n == q->max) {
		ev_clear(at(q, 0));
		q->head = (q->head + 1) % q->cap;
		q->n--;
		q->dropped++;
		dropped = 1;
	} else if (q->n == q->cap) {
		grow(q);
	}
	struct ev_ent *e = at(q, q->n++);
	e->device = dup_or_null(ev->device);
	e->interface = dup_or_null(ev->interface);
	e->sources = dup_or_null(ev->sources);
	e->message = np_xstrdup(message != NULL ? message : "");
	e->severity = severity;
	e->ev = *ev;
	e->ev.device = e->device;
	e->ev.interface = e->interface;
	e->ev.sources = e->sources;
	return dropped;
}

static size_t
link_key(char **key, const char *device, const char *interface)
{
	size_t a = strlen(device), b = strlen(interface);
	*key = np_xmalloc(a + b + 1);
	memcpy(*key, device, a);
	(*key)[a] = '\0';
	memcpy(*key + a + 1, interface, b);
	return a + b + 1;
}

void
np_pending_add_saved(struct np_pending *q, const struct np_ls_saved *s)
{
	char *key;
	size_t klen = link_key(&key, s->device != NULL ? s->device : "",
	                       s->interface != NULL ? s->interface : "");
	struct saved_ent *e = np_hmap_get(q->by_link, key, klen);
	if (e == NULL) {
		e = np_xcalloc(1, sizeof(*e));
		np_hmap_put(q->by_link, key, klen, e);
		if (q->nsaved == q->savedcap) {
			q->savedcap = q->savedcap ? q->savedcap * 2 : 16;
			q->saved = np_xreallocarray(q->saved, q->savedcap, sizeof(*q->saved));
		}
		q->saved[q->nsaved++] = e;
	} else {
		free(e->device);
		free(e->interface);
		free(e->sources);
	}
	free(key);
	e->device = dup_or_null(s->device);
	e->interface = dup_or_null(s->interface);
	e->sources = dup_or_null(s->sources);
	e->s = *s;
	e->s.device = e->device;
	e->s.interface = e->interface;
	e->s.sources = e->sources;
}

size_t
np_pending_events(const struct np_pending *q)
{
	return q->n;
}

size_t
np_pending_saved(const struct np_pending *q)
{
	return q->nsaved;
}

uint64_t
np_pending_dropped(const struct np_pending *q)
{
	return q->dropped;
}

int
np_pending_write(const struct np_pending *q, np_pending_event_fn event, np_pending_saved_fn saved,
                 void *arg, size_t *index)
{
	*index = SIZE_MAX;
	for (size_t i = 0; i < q->n; i++) {
		const struct ev_ent *e = at(q, i);
		if (event(&e->ev, e->message, e->severity, arg) == -1) {
			*index = i;
			return -1;
		}
	}
	for (size_t i = 0; i < q->nsaved; i++)
		if (saved(&q->saved[i]->s, arg) == -1)
			return -1;
	return 0;
}

void
np_pending_drop(struct np_pending *q, size_t index)
{
	if (index >= q->n)
		return;
	ev_clear(at(q, index));
	for (size_t i = index; i + 1 < q->n; i++)
		*at(q, i) = *at(q, i + 1);
	memset(at(q, q->n - 1), 0, sizeof(struct ev_ent));
	q->n--;
}

static void
free_saved(struct saved_ent *e)
{
	free(e->device);
	free(e->interface);
	free(e->sources);
	free(e);
}

void
np_pending_clear(struct np_pending *q)
{
	while (q->n > 0) {
		ev_clear(at(q, 0));
		q->head = (q->head + 1) % q->cap;
		q->n--;
	}
	q->head = 0;
	for (size_t i = 0; i < q->nsaved; i++)
		free_saved(q->saved[i]);
	if (q->nsaved > 0) {
		q->nsaved = 0;
		np_hmap_free(q->by_link, NULL);
		q->by_link = np_hmap_new();
	}
}
