#include "util/hmap.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

struct slot {
	char *key; /* NULL = empty; TOMB = deleted */
	size_t keylen;
	uint64_t hash;
	void *value;
};

struct np_hmap {
	struct slot *slots;
	size_t cap;    /* power of two */
	size_t used;   /* live entries */
	size_t filled; /* live + tombstones */
};

#define MIN_CAP 16

static char tomb_marker;
#define TOMB (&tomb_marker)

uint64_t
np_hash_bytes(const void *data, size_t len)
{
	/* FNV-1a, 64-bit: short keys (interface names, addresses), no adversarial input. */
	const unsigned char *p = data;
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

struct np_hmap *
np_hmap_new(void)
{
	struct np_hmap *m = np_xcalloc(1, sizeof(*m));
	m->cap = MIN_CAP;
	m->slots = np_xcalloc(m->cap, sizeof(*m->slots));
	return m;
}

void
np_hmap_free(struct np_hmap *m, void (*free_value)(void *))
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->cap; i++) {
		struct slot *s = &m->slots[i];
		if (s->key == NULL || s->key == TOMB)
			continue;
		free(s->key);
		if (free_value != NULL)
			free_value(s->value);
	}
	free(m->slots);
	free(m);
}

static struct slot *
find(const struct np_hmap *m, const char *key, size_t keylen, uint64_t h)
{
	size_t mask = m->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct slot *s = &m->slots[i];
		if (s->key == NULL)
			return NULL;
		if (s->key != TOMB && s->hash == h && s->keylen == keylen &&
		    memcmp(s->key, key, keylen) == 0)
			return s;
	}
}

/* Re-inserts the live entries into newcap slots, dropping the tombstones. */
static void
rehash(struct np_hmap *m, size_t newcap)
{
	struct slot *old = m->slots;
	size_t oldcap = m->cap;
	m->cap = newcap;
	m->slots = np_xcalloc(m->cap, sizeof(*m->slots));
	m->filled = m->used;
	size_t mask = m->cap - 1;
	for (size_t i = 0; i < oldcap; i++) {
		if (old[i].key == NULL || old[i].key == TOMB)
			continue;
		size_t j = old[i].hash & mask;
		while (m->slots[j].key != NULL)
			j = (j + 1) & mask;
		m->slots[j] = old[i];
	}
	free(old);
}

/* Full of live entries and tombstones: twice the room if half is live, else just clean up. */
static void
grow(struct np_hmap *m)
{
	rehash(m, m->used * 2 >= m->cap ? m->cap * 2 : m->cap);
}

/*
 * Under an eighth live: the smallest capacity that holds them under half full. The gap to
 * grow's three quarters means no size flips back and forth between the two.
 */
static void
maybe_shrink(struct np_hmap *m)
{
	if (m->cap <= MIN_CAP || m->used * 8 >= m->cap)
		return;
	size_t cap = MIN_CAP;
	while (cap < m->used * 2)
		cap *= 2;
	rehash(m, cap);
}

void *
np_hmap_get(const struct np_hmap *m, const char *key, size_t keylen)
{
	struct slot *s = find(m, key, keylen, np_hash_bytes(key, keylen));
	return s != NULL ? s->value : NULL;
}

void *
np_hmap_put(struct np_hmap *m, const char *key, size_t keylen, void *value)
{
	uint64_t h = np_hash_bytes(key, keylen);
	struct slot *s = find(m, key, keylen, h);
	if (s != NULL) {
		void *prev = s->value;
		s->value = value;
		return prev;
	}
	if ((m->filled + 1) * 4 > m->cap * 3)
		grow(m);
	size_t mask = m->cap - 1;
	size_t i = h & mask;
	while (m->slots[i].key != NULL && m->slots[i].key != TOMB)
		i = (i + 1) & mask;
	if (m->slots[i].key == NULL)
		m->filled++;
	s = &m->slots[i];
	s->key = np_xmalloc(keylen + 1);
	memcpy(s->key, key, keylen);
	s->key[keylen] = '\0';
	s->keylen = keylen;
	s->hash = h;
	s->value = value;
	m->used++;
	return NULL;
}

void *
np_hmap_del(struct np_hmap *m, const char *key, size_t keylen)
{
	struct slot *s = find(m, key, keylen, np_hash_bytes(key, keylen));
	if (s == NULL)
		return NULL;
	void *v = s->value;
	free(s->key);
	s->key = TOMB;
	s->value = NULL;
	m->used--;
	maybe_shrink(m);
	return v;
}

size_t
np_hmap_remove_if(struct np_hmap *m,
                  bool (*pred)(const char *key, size_t keylen, void *value, void *arg), void *arg,
                  void (*free_value)(void *))
{
	size_t n = 0;
	/* A tombstone moves no other entry, so the walk can go on over the same slots. */
	for (size_t i = 0; i < m->cap; i++) {
		struct slot *s = &m->slots[i];
		if (s->key == NULL || s->key == TOMB || !pred(s->key, s->keylen, s->value, arg))
			continue;
		if (free_value != NULL)
			free_value(s->value);
		free(s->key);
		s->key = TOMB;
		s->value = NULL;
		m->used--;
		n++;
	}
	if (n > 0)
		maybe_shrink(m);
	return n;
}

size_t
np_hmap_count(const struct np_hmap *m)
{
	return m->used;
}

void
np_hmap_foreach(const struct np_hmap *m,
                void (*fn)(const char *key, size_t keylen, void *value, void *arg), void *arg)
{
	for (size_t i = 0; i < m->cap; i++) {
		const struct slot *s = &m->slots[i];
		if (s->key != NULL && s->key != TOMB)
			fn(s->key, s->keylen, s->value, arg);
	}
}

char *
np_hmap_key2(const char *a, const char *b, size_t *len)
{
	size_t al = strlen(a), bl = strlen(b);
	char *k = np_xmalloc(al + bl + 2);
	memcpy(k, a, al + 1);
	memcpy(k + al + 1, b, bl + 1);
	*len = al + bl + 1;
	return k;
}
