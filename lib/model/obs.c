#include "model/obs.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "util/str.h"
#include "util/xmalloc.h"

const char *const np_counter_names[NP_C_MAX] = {
    "rx_bytes",  "tx_bytes",  "rx_packets", "tx_packets",
    "rx_errors", "tx_errors", "rx_drops",   "tx_drops",
};

/*
 * Makes room for `more` bytes of strings. The first call creates the pool with its "" at
 * offset 0. Offsets are 32-bit: 4 GiB of names in one poll is a broken invariant, like OOM.
 */
static void
reserve(struct np_batch *b, size_t more)
{
	if (b->pool == NULL) {
		b->pool_cap = 1024;
		b->pool = np_xmalloc(b->pool_cap);
		b->pool[0] = '\0';
		b->pool_len = 1;
	}
	if (more > UINT32_MAX - b->pool_len)
		abort();
	size_t need = b->pool_len + more;
	if (need <= b->pool_cap)
		return;
	size_t cap = b->pool_cap;
	while (cap < need)
		cap *= 2;
	b->pool = np_xreallocarray(b->pool, 1, cap);
	b->pool_cap = cap;
}

/* Where s lies in b's pool (an accessor's result), or SIZE_MAX: growth would move it. */
static size_t
pool_off(const struct np_batch *b, const char *s)
{
	uintptr_t p = (uintptr_t)s, base = (uintptr_t)b->pool;
	return b->pool != NULL && p >= base && p < base + b->pool_len ? (size_t)(p - base)
	                                                              : SIZE_MAX;
}

/* strlen(s), cut to max - 1 (flagging *truncated) so it fits a max-byte buffer. */
static size_t
fit(const char *s, size_t max, bool *truncated)
{
	size_t len = strnlen(s, max);
	if (len == max) {
		len = max - 1;
		*truncated = true;
	}
	return len;
}

/* Eight bytes a step (names are short; FNV's byte loop was a fifth of a Flow Collector parse). */
static uint32_t
hash(const char *s, size_t len)
{
	const uint64_t k = 0xff51afd7ed558ccdull;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ len, w;
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * k;
	}
	if (i < len) {
		w = 0;
		for (unsigned sh = 0; i < len; i++, sh += 8)
			w |= (uint64_t)(unsigned char)s[i] << sh;
		h = (h ^ w) * k;
	}
	return (uint32_t)(h ^ (h >> 32));
}

/*
 * Stores the first len bytes of s (room reserved) and returns its offset: "" is 0, a string
 * already in the pool is itself, one stored lately (same intern slot) is shared.
 */
static uint32_t
put(struct np_batch *b, const char *s, size_t len)
{
	if (len == 0)
		return 0;
	size_t off = pool_off(b, s);
	if (off != SIZE_MAX && s[len] == '\0')
		return (uint32_t)off;
	uint32_t h = hash(s, len);
	struct np_intern *e = &b->intern[h & (NP_INTERN_SLOTS - 1)];
	/* Bytes below pool_len are all written: comparing len + 1 of them from off is safe. */
	if (e->off != 0 && e->hash == h && e->off + len < b->pool_len &&
	    b->pool[e->off + len] == '\0' && memcmp(b->pool + e->off, s, len) == 0)
		return e->off;
	off = b->pool_len;
	memcpy(b->pool + off, s, len);
	b->pool[off + len] = '\0';
	b->pool_len += len + 1;
	e->hash = h;
	e->off = (uint32_t)off;
	return (uint32_t)off;
}

void
np_batch_init(struct np_batch *b, const char *source, int64_t time_ms)
{
	memset(b, 0, sizeof(*b));
	np_strlcpy(b->source, source, sizeof(b->source));
	b->time_ms = time_ms;
	b->mono_ms = np_mono_ms();
}

struct np_obs *
np_batch_add(struct np_batch *b)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->obs = np_xreallocarray(b->obs, b->cap, sizeof(*b->obs));
	}
	if (b->pool == NULL)
		reserve(b, 0); /* the accessors read pool[0] for an unnamed observation */
	struct np_obs *o = &b->obs[b->n++];
	*o = (struct np_obs){.time_ms = b->time_ms};
	return o;
}

void
np_batch_rewind(struct np_batch *b, int64_t time_ms)
{
	b->n = 0;
	b->time_ms = time_ms;
	b->mono_ms = np_mono_ms();
	b->skipped = 0;
	b->skip_reason[0] = '\0';
	b->complete = false;
}

void
np_batch_reset(struct np_batch *b, int64_t time_ms)
{
	np_batch_rewind(b, time_ms);
	b->pool_len = b->pool != NULL ? 1 : 0;
	b->nlabels = 0;
	memset(b->intern, 0, sizeof(b->intern));
}

void
np_batch_free(struct np_batch *b)
{
	free(b->obs);
	free(b->pool);
	free(b->labels);
	b->obs = NULL;
	b->pool = NULL;
	b->labels = NULL;
	b->n = b->cap = 0;
	b->pool_len = b->pool_cap = 0;
	b->nlabels = b->labels_cap = 0;
	memset(b->intern, 0, sizeof(b->intern));
}

void
np_batch_skip(struct np_batch *b, const char *reason)
{
	if (b->skipped++ == 0)
		np_strlcpy(b->skip_reason, reason, sizeof(b->skip_reason));
}

size_t
np_batch_heap_bytes(const struct np_batch *b)
{
	return b->cap * sizeof(*b->obs) + b->pool_cap + b->labels_cap * sizeof(*b->labels);
}

void
np_obs_set_names(struct np_batch *b, struct np_obs *o, const char *device, const char *interface)
{
	size_t dl = fit(device, NP_NAME_MAX, &o->truncated);
	size_t il = fit(interface, NP_NAME_MAX, &o->truncated);
	size_t doff = pool_off(b, device), ioff = pool_off(b, interface);
	reserve(b, dl + il + 2);
	o->device = put(b, doff != SIZE_MAX ? b->pool + doff : device, dl);
	o->interface = put(b, ioff != SIZE_MAX ? b->pool + ioff : interface, il);
}

/* Makes o's labels the last of b's, with room for one more after them. */
static void
labels_to_end(struct np_batch *b, struct np_obs *o)
{
	size_t need = b->nlabels + o->nlabels + 1;
	if (need > UINT32_MAX)
		abort();
	if (need > b->labels_cap) {
		size_t cap = b->labels_cap ? b->labels_cap : 256;
		while (cap < need)
			cap *= 2;
		b->labels = np_xreallocarray(b->labels, cap, sizeof(*b->labels));
		b->labels_cap = cap;
	}
	if (o->nlabels == 0) {
		o->label0 = (uint32_t)b->nlabels;
	} else if (o->label0 + o->nlabels != b->nlabels) {
		/* Labelled again after another observation's labels: the old run is left unused. */
		memcpy(&b->labels[b->nlabels], &b->labels[o->label0],
		       o->nlabels * sizeof(*b->labels));
		o->label0 = (uint32_t)b->nlabels;
		b->nlabels += o->nlabels;
	}
}

int
np_obs_label(struct np_batch *b, struct np_obs *o, const char *key, const char *value)
{
	struct np_label *l = NULL;
	for (uint8_t i = 0; i < o->nlabels; i++)
		if (strcmp(np_obs_label_key(b, o, i), key) == 0)
			l = &b->labels[o->label0 + i];
	if (l == NULL) {
		if (o->nlabels == NP_LABELS_MAX)
			return -1;
		labels_to_end(b, o);
		l = &b->labels[b->nlabels++];
		o->nlabels++;
	}
	size_t kl = fit(key, NP_LABEL_KEY_MAX, &o->truncated);
	size_t vl = fit(value, NP_NAME_MAX, &o->truncated);
	size_t koff = pool_off(b, key), voff = pool_off(b, value);
	reserve(b, kl + vl + 2);
	l->key = put(b, koff != SIZE_MAX ? b->pool + koff : key, kl);
	l->value = put(b, voff != SIZE_MAX ? b->pool + voff : value, vl);
	return 0;
}
