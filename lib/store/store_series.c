/*
 * Series ids: an in-memory hash of (source, device, interface, kind) -> id in front of the
 * series table, so a poll of 100k known series runs no SELECT. last_seen moves in memory and
 * is written once per series per batch, at commit (np_store_series_flush).
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/cause.h"
#include "util/xmalloc.h"

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

/* FNV-1a over the string and its NUL, so "a"+"bc" and "ab"+"c" differ. */
static uint64_t
hash_str(uint64_t h, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	do {
		h ^= *p;
		h *= FNV_PRIME;
	} while (*p++ != '\0');
	return h;
}

static bool
key_equal(const struct np_series_ent *e, const char *const parts[4])
{
	const char *k = e->key, *end = e->key + e->keylen;
	for (int i = 0; i < 4; i++) {
		size_t n = strlen(parts[i]);
		if ((size_t)(end - k) < n + 1 || memcmp(k, parts[i], n + 1) != 0)
			return false;
		k += n + 1;
	}
	return k == end;
}

static void
slots_insert(struct np_series_cache *c, uint32_t idx)
{
	size_t mask = c->nslots - 1;
	size_t i = (size_t)c->ents[idx].hash & mask;
	while (c->slots[i] != 0)
		i = (i + 1) & mask;
	c->slots[i] = idx + 1;
}

static void
slots_grow(struct np_series_cache *c)
{
	size_t n = c->nslots != 0 ? c->nslots * 2 : 1024;
	free(c->slots);
	c->slots = np_xcalloc(n, sizeof *c->slots);
	c->nslots = n;
	for (size_t i = 0; i < c->n; i++)
		slots_insert(c, (uint32_t)i);
}

static struct np_series_ent *
cache_find(struct np_series_cache *c, uint64_t h, const char *const parts[4])
{
	if (c->nslots == 0)
		return NULL;
	size_t mask = c->nslots - 1;
	for (size_t i = (size_t)h & mask; c->slots[i] != 0; i = (i + 1) & mask) {
		struct np_series_ent *e = &c->ents[c->slots[i] - 1];
		if (e->hash == h && key_equal(e, parts))
			return e;
	}
	return NULL;
}

static struct np_series_ent *
cache_add(struct np_series_cache *c, uint64_t h, const char *const parts[4])
{
	/* Load factor at most 1/2 keeps probe chains short. */
	if ((c->n + 1) * 2 > c->nslots)
		slots_grow(c);
	if (c->n == c->cap) {
		c->cap = c->cap != 0 ? c->cap * 2 : 256;
		c->ents = np_xreallocarray(c->ents, c->cap, sizeof *c->ents);
	}
	struct np_series_ent *e = &c->ents[c->n];
	memset(e, 0, sizeof *e);
	size_t len = 0;
	for (int i = 0; i < 4; i++)
		len += strlen(parts[i]) + 1;
	e->key = np_xmalloc(len);
	e->keylen = len;
	char *k = e->key;
	for (int i = 0; i < 4; i++) {
		size_t n = strlen(parts[i]) + 1;
		memcpy(k, parts[i], n);
		k += n;
	}
	e->hash = h;
	slots_insert(c, (uint32_t)c->n);
	c->n++;
	return e;
}

void
np_series_cache_clear(struct np_series_cache *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->ents[i].key);
	c->n = 0;
	c->ndirty = 0;
	if (c->slots != NULL)
		memset(c->slots, 0, c->nslots * sizeof *c->slots);
}

void
np_series_cache_free(struct np_series_cache *c)
{
	np_series_cache_clear(c);
	free(c->ents);
	free(c->slots);
	free(c->dirty);
	memset(c, 0, sizeof *c);
}

static int
write_seen(struct np_store *st, struct np_series_ent *e, char **cause)
{
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_SERIES_SEEN, cause);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, e->id);
	sqlite3_bind_int64(stmt, 2, e->seen);
	if (np_store_exec_stmt(st, stmt, cause, "updating series last_seen") != 0)
		return -1;
	e->written = e->seen;
	e->dirty = false;
	st->stats.series_writes++;
	return 0;
}

int
np_store_series_flush(struct np_store *st, char **cause)
{
	struct np_series_cache *c = &st->cache;
	uint64_t t0 = st->profile ? np_store_now_ns() : 0;
	for (size_t i = 0; i < c->ndirty; i++) {
		struct np_series_ent *e = &c->ents[c->dirty[i]];
		if (e->dirty && write_seen(st, e, cause) != 0)
			return -1; /* the entries left dirty are retried by the next commit */
	}
	c->ndirty = 0;
	if (st->profile)
		st->stats.series_ns += np_store_now_ns() - t0;
	return 0;
}

void
np_store_series_discard(struct np_store *st)
{
	np_series_cache_clear(&st->cache);
}

/* last_seen only moves forward; inside a transaction it waits for the commit. */
static int
touch(struct np_store *st, struct np_series_ent *e, int64_t now_s, char **cause)
{
	if (now_s <= e->seen)
		return 0;
	e->seen = now_s;
	if (sqlite3_get_autocommit(st->db))
		return write_seen(st, e, cause);
	if (!e->dirty) {
		struct np_series_cache *c = &st->cache;
		if (c->ndirty == c->dirtycap) {
			c->dirtycap = c->dirtycap != 0 ? c->dirtycap * 2 : 256;
			c->dirty = np_xreallocarray(c->dirty, c->dirtycap, sizeof *c->dirty);
		}
		c->dirty[c->ndirty++] = (uint32_t)(e - c->ents);
		e->dirty = true;
	}
	return 0;
}

static int
set_labels(struct np_store *st, int64_t id, const char *labels, char **cause)
{
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_SERIES_LABELS, cause);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	np_store_bind_text(stmt, 2, labels);
	st->stats.series_writes++;
	return np_store_exec_stmt(st, stmt, cause, "updating series labels");
}

/* Cache miss: find the row or create it. Returns the id or -1. */
static int64_t
lookup(struct np_store *st, const char *const parts[4], const char *labels, int64_t now_s,
       int64_t *last_seen, char **cause)
{
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_SERIES_GET, cause);
	if (stmt == NULL)
		return -1;
	for (int i = 0; i < 4; i++)
		np_store_bind_text(stmt, i + 1, parts[i]);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(stmt, 0);
		const char *old = (const char *)sqlite3_column_text(stmt, 1);
		bool changed = old == NULL || strcmp(old, labels) != 0;
		*last_seen = sqlite3_column_int64(stmt, 2);
		sqlite3_reset(stmt);
		if (changed && set_labels(st, id, labels, cause) != 0)
			return -1;
		return id;
	}
	if (rc != SQLITE_DONE)
		return np_store_fail(st, rc, stmt, cause, "looking up a series");
	sqlite3_reset(stmt);

	stmt = np_store_stmt(st, NP_S_SERIES_ADD, cause);
	if (stmt == NULL)
		return -1;
	for (int i = 0; i < 4; i++)
		np_store_bind_text(stmt, i + 1, parts[i]);
	np_store_bind_text(stmt, 5, labels);
	sqlite3_bind_int64(stmt, 6, now_s);
	if (np_store_exec_stmt(st, stmt, cause, "adding a series") != 0)
		return -1;
	st->stats.series_writes++;
	*last_seen = now_s;
	return sqlite3_last_insert_rowid(st->db);
}

int64_t
np_store_series(struct np_store *st, const char *source, const char *device, const char *interface,
                const char *kind, const char *labels_json, int64_t now_s, char **cause)
{
	if (source == NULL || device == NULL)
		return np_store_failx(st, SQLITE_MISUSE, cause, "series without source or device");
	const char *parts[4] = {source, device, interface != NULL ? interface : "",
	                        kind != NULL ? kind : "if"};
	const char *labels = labels_json != NULL ? labels_json : "{}";
	uint64_t h = FNV_OFFSET;
	for (int i = 0; i < 4; i++)
		h = hash_str(h, parts[i]);
	uint64_t lh = hash_str(FNV_OFFSET, labels);

	struct np_series_ent *e = cache_find(&st->cache, h, parts);
	if (e != NULL) {
		if (e->labels_hash != lh) {
			if (set_labels(st, e->id, labels, cause) != 0)
				return -1;
			e->labels_hash = lh;
		}
		if (touch(st, e, now_s, cause) != 0)
			return -1;
		return e->id;
	}

	uint64_t t0 = st->profile ? np_store_now_ns() : 0;
	int64_t last_seen = 0;
	int64_t id = lookup(st, parts, labels, now_s, &last_seen, cause);
	if (id < 0)
		return -1;
	e = cache_add(&st->cache, h, parts);
	e->id = id;
	e->labels_hash = lh;
	e->seen = e->written = last_seen;
	if (touch(st, e, now_s, cause) != 0)
		return -1;
	if (st->profile)
		st->stats.series_ns += np_store_now_ns() - t0;
	return id;
}
