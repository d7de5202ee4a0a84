#include "collectors/local_table.h"

#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

struct np_local_table {
	struct np_local_entry *slots;
	size_t cap; /* power of two */
	size_t n;
};

static size_t
slot_of(const struct np_local_table *t, int32_t ifindex)
{
	/* Fibonacci hashing: ifindexes are small consecutive integers. */
	return (size_t)(((uint32_t)ifindex * 2654435761u) & (uint32_t)(t->cap - 1));
}

struct np_local_table *
np_local_table_new(void)
{
	struct np_local_table *t = np_xcalloc(1, sizeof(*t));
	t->cap = 64;
	t->slots = np_xcalloc(t->cap, sizeof(*t->slots));
	return t;
}

void
np_local_table_free(struct np_local_table *t)
{
	if (t == NULL)
		return;
	free(t->slots);
	free(t);
}

struct np_local_entry *
np_local_table_get(struct np_local_table *t, int32_t ifindex)
{
	if (ifindex <= 0)
		return NULL;
	for (size_t i = slot_of(t, ifindex);; i = (i + 1) & (t->cap - 1)) {
		if (t->slots[i].ifindex == ifindex)
			return &t->slots[i];
		if (t->slots[i].ifindex == 0)
			return NULL;
	}
}

static void
grow(struct np_local_table *t)
{
	struct np_local_entry *old = t->slots;
	size_t oldcap = t->cap;
	t->cap *= 2;
	t->slots = np_xcalloc(t->cap, sizeof(*t->slots));
	for (size_t j = 0; j < oldcap; j++) {
		if (old[j].ifindex == 0)
			continue;
		size_t i = slot_of(t, old[j].ifindex);
		while (t->slots[i].ifindex != 0)
			i = (i + 1) & (t->cap - 1);
		t->slots[i] = old[j];
	}
	free(old);
}

struct np_local_entry *
np_local_table_put(struct np_local_table *t, int32_t ifindex, bool *created)
{
	struct np_local_entry *e = np_local_table_get(t, ifindex);
	if (e != NULL) {
		*created = false;
		return e;
	}
	if ((t->n + 1) * 2 > t->cap) /* keep the load at most 1/2: probes stay short */
		grow(t);
	size_t i = slot_of(t, ifindex);
	while (t->slots[i].ifindex != 0)
		i = (i + 1) & (t->cap - 1);
	e = &t->slots[i];
	memset(e, 0, sizeof(*e));
	e->ifindex = ifindex;
	t->n++;
	*created = true;
	return e;
}

/* Backward-shift deletion: no tombstones, so lookups never degrade. */
static void
del_slot(struct np_local_table *t, size_t i)
{
	size_t mask = t->cap - 1;
	for (size_t j = (i + 1) & mask; t->slots[j].ifindex != 0; j = (j + 1) & mask) {
		size_t home = slot_of(t, t->slots[j].ifindex);
		/* Move j into the hole at i if its home is not in (i, j] cyclically. */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			t->slots[i] = t->slots[j];
			i = j;
		}
	}
	memset(&t->slots[i], 0, sizeof(t->slots[i]));
	t->n--;
}

void
np_local_table_del(struct np_local_table *t, int32_t ifindex)
{
	struct np_local_entry *e = np_local_table_get(t, ifindex);
	if (e != NULL)
		del_slot(t, (size_t)(e - t->slots));
}

size_t
np_local_table_count(const struct np_local_table *t)
{
	return t->n;
}

struct np_local_entry *
np_local_table_next(struct np_local_table *t, size_t *it)
{
	for (; *it < t->cap; (*it)++)
		if (t->slots[*it].ifindex != 0)
			return &t->slots[(*it)++];
	return NULL;
}

size_t
np_local_table_sweep(struct np_local_table *t, uint32_t gen,
                     void (*gone)(void *arg, const struct np_local_entry *e), void *arg)
{
	size_t n = 0;
	/* A backward shift can move an unvisited entry into the current slot: re-check it. */
	for (size_t i = 0; i < t->cap;) {
		if (t->slots[i].ifindex != 0 && t->slots[i].gen != gen) {
			if (gone != NULL)
				gone(arg, &t->slots[i]);
			del_slot(t, i);
			n++;
			continue;
		}
		i++;
	}
	return n;
}
