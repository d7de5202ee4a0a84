#include "engine/linkstate.h"
#include "engine/linkstate_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

const char *const np_state_names[NP_ST_MAX] = {"unknown", "up", "down", "stale", "removed"};
const char *const np_alert_names[NP_AL_MAX] = {
    "", "IFDOWN", "IFUP", "FLAPPING", "FLAPSTOP", "STALE", "COLLECTOR",
};

static const char *
ifname(const struct link *l)
{
	return l->key + l->dlen + 1;
}

int
np_state_parse(const char *name)
{
	for (int i = 0; i < NP_ST_MAX; i++)
		if (strcmp(name, np_state_names[i]) == 0)
			return i;
	return -1;
}

/* ---- hash table ---- */

/*
 * Key hash in the style of wyhash: whole-word (overlapping) reads and a 128-bit multiply
 * fold. A byte-at-a-time hash was most of the cost of an observation.
 */
static uint64_t
r8(const char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static uint64_t
r4(const char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static uint64_t
mum(uint64_t a, uint64_t b)
{
	unsigned __int128 r = (unsigned __int128)a * b;
	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

#define K0 0xa0761d6478bd642full
#define K1 0xe7037ed1a0b428dbull

static inline uint64_t
hash_bytes(uint64_t seed, const char *p, size_t n)
{
	uint64_t a, b;
	seed ^= K0;
	if (n <= 16) {
		if (n >= 4) {
			size_t m = (n >> 3) << 2;
			a = (r4(p) << 32) | r4(p + m);
			b = (r4(p + n - 4) << 32) | r4(p + n - 4 - m);
		} else if (n > 0) {
			a = ((uint64_t)(unsigned char)p[0] << 16) |
			    ((uint64_t)(unsigned char)p[n >> 1] << 8) | (unsigned char)p[n - 1];
			b = 0;
		} else {
			a = b = 0;
		}
	} else {
		size_t i = n;
		for (; i > 16; i -= 16, p += 16)
			seed = mum(r8(p) ^ K1, r8(p + 8) ^ seed);
		a = r8(p + i - 16); /* overlaps bytes already hashed: still inside the key */
		b = r8(p + i - 8);
	}
	/* n in the last step keeps ("ab","c") apart from ("a","bc") */
	return mum(K1 ^ n, mum(a ^ K1, b ^ seed));
}

static uint64_t
hash_key(const char *device, size_t dlen, const char *interface, size_t ilen)
{
	return hash_bytes(hash_bytes(0, device, dlen), interface, ilen);
}

static void
grow_table(struct np_ls *ls)
{
	size_t n = ls->nbuckets * 2;
	struct link **b = np_xcalloc(n, sizeof(*b));
	for (size_t i = 0; i < ls->nbuckets; i++) {
		struct link *l = ls->buckets[i];
		while (l != NULL) {
			struct link *next = l->hnext;
			size_t j = l->hash & (n - 1);
			l->hnext = b[j];
			b[j] = l;
			l = next;
		}
	}
	free(ls->buckets);
	ls->buckets = b;
	ls->nbuckets = n;
}

static struct link *
link_get(struct np_ls *ls, const char *device, const char *interface)
{
	size_t dlen = strlen(device), ilen = strlen(interface);
	uint64_t h = hash_key(device, dlen, interface, ilen);
	for (struct link *l = ls->buckets[h & (ls->nbuckets - 1)]; l != NULL; l = l->hnext)
		if (l->hash == h && l->dlen == dlen && l->ilen == ilen &&
		    memcmp(l->key, device, dlen) == 0 && memcmp(ifname(l), interface, ilen) == 0)
			return l;

	struct link *l = np_xcalloc(1, sizeof(*l) + dlen + ilen + 2);
	l->dlen = (uint32_t)dlen;
	l->ilen = (uint32_t)ilen;
	memcpy(l->key, device, dlen + 1);
	memcpy(l->key + dlen + 1, interface, ilen + 1);
	l->hash = h;
	l->heap_idx = NOT_IN_HEAP;
	l->deadline = INT64_MAX;
	l->last_event_ms = INT64_MIN;
	l->look = NP_ST_UNKNOWN;
	l->state = NP_ST_UNKNOWN;
	l->last_known = NP_ST_UNKNOWN;
	l->pending = NP_ST_UNKNOWN;

	if (ls->count >= ls->nbuckets)
		grow_table(ls);
	size_t j = h & (ls->nbuckets - 1);
	l->hnext = ls->buckets[j];
	ls->buckets[j] = l;
	ls->count++;
	return l;
}

/* ---- sources and observers ---- */

struct source *
np_ls_source_find(struct np_ls *ls, const char *name)
{
	if (ls->last_src != NULL && strcmp(ls->last_src->name, name) == 0)
		return ls->last_src;
	for (size_t i = 0; i < ls->nsrcs; i++)
		if (strcmp(ls->srcs[i]->name, name) == 0)
			return ls->last_src = ls->srcs[i];
	return NULL;
}

struct source *
np_ls_source_get(struct np_ls *ls, const char *name)
{
	struct source *s = np_ls_source_find(ls, name);
	if (s != NULL)
		return s;
	s = np_xcalloc(1, sizeof(*s));
	s->name = np_xstrdup(name);
	s->gen = 1; /* restored observers carry generation 0: never current */
	s->idx = (uint32_t)ls->nsrcs;
	ls->srcs = np_xreallocarray(ls->srcs, ls->nsrcs + 1, sizeof(*ls->srcs));
	ls->srcs[ls->nsrcs++] = s;
	return ls->last_src = s;
}

static void
src_unlink(struct observer *o)
{
	struct source *s = o->src;
	if (!o->listed)
		return;
	if (o->sprev != NULL)
		o->sprev->snext = o->snext;
	else
		s->head = o->snext;
	if (o->snext != NULL)
		o->snext->sprev = o->sprev;
	else
		s->tail = o->sprev;
	o->sprev = o->snext = NULL;
	o->listed = false;
}

static void
src_append(struct observer *o)
{
	struct source *s = o->src;
	src_unlink(o);
	o->sprev = s->tail;
	o->snext = NULL;
	if (s->tail != NULL)
		s->tail->snext = o;
	else
		s->head = o;
	s->tail = o;
	o->listed = true;
}

static struct observer *
observer_get(struct link *l, struct source *src)
{
	for (struct observer *o = l->observers; o != NULL; o = o->next)
		if (o->src == src)
			return o;
	struct observer *o = np_xcalloc(1, sizeof(*o));
	o->src = src;
	o->link = l;
	o->value = NP_LINK_NONE;
	o->expire_ms = INT64_MIN;
	o->next = l->observers;
	l->observers = o;
	return o;
}

/* ---- what the link looks like ---- */

/* Up if a fresh observer says up, down if one says down, removed if one says it is gone. */
static enum np_state
look_at(const struct link *l, int64_t t)
{
	bool down = false, gone = false;
	for (const struct observer *o = l->observers; o != NULL; o = o->next) {
		if (o->value == NP_LINK_NONE || o->expire_ms <= t)
			continue;
		if (o->value == NP_LINK_UP)
			return NP_ST_UP;
		if (is_gone(o->value))
			gone = true;
		else
			down = true;
	}
	return down ? NP_ST_DOWN : gone ? NP_ST_REMOVED : NP_ST_STALE;
}

/*
 * When the current look ends by expiry alone: up lasts while one fresh up observer does,
 * down while any fresh observer does (they all say down). INT64_MAX if never.
 */
static int64_t
look_end(const struct link *l)
{
	if (l->look != NP_ST_UP && l->look != NP_ST_DOWN)
		return INT64_MAX;
	enum np_link_obs want = l->look == NP_ST_UP ? NP_LINK_UP : NP_LINK_DOWN;
	int64_t end = INT64_MIN;
	for (const struct observer *o = l->observers; o != NULL; o = o->next)
		if (o->value == want && o->expire_ms > l->look_time)
			end = max64(end, o->expire_ms);
	return end == INT64_MIN ? INT64_MAX : end;
}

/* Follows the look up to t through the observers' expiries, in time order. */
static void
advance_look(struct link *l, int64_t t)
{
	while (l->look_time < t) {
		int64_t e = look_end(l);
		if (e > t)
			break;
		l->look_time = e;
		enum np_state nl = look_at(l, e);
		if (nl != l->look) {
			l->look = nl;
			l->look_since = e;
		}
	}
	if (t > l->look_time)
		l->look_time = t;
}

/* Re-derives the look after an observer changed at time t. */
static void
relook(struct link *l, int64_t t)
{
	l->look_time = max64(l->look_time, t);
	enum np_state nl = look_at(l, l->look_time);
	if (nl != l->look) {
		l->look = nl;
		l->look_since = max64(t, l->look_since);
	}
}

/* ---- work lists and the deadline heap ---- */

void
np_ls_eval_push(struct np_ls *ls, struct link *l)
{
	if (l->in_eval)
		return;
	l->in_eval = true;
	l->eval_next = NULL;
	if (ls->eval_tail != NULL)
		ls->eval_tail->eval_next = l;
	else
		ls->eval_head = l;
	ls->eval_tail = l;
	ls->eval_min = min64(ls->eval_min, l->look_time);
}

static void
save_push(struct np_ls *ls, struct link *l)
{
	if (l->in_save)
		return;
	l->in_save = true;
	l->save_next = NULL;
	if (ls->save_tail != NULL)
		ls->save_tail->save_next = l;
	else
		ls->save_head = l;
	ls->save_tail = l;
}

static void
heap_place(struct np_ls *ls, size_t i, struct link *l)
{
	ls->heap[i] = l;
	l->heap_idx = (uint32_t)i;
}

static void
sift_up(struct np_ls *ls, size_t i)
{
	struct link *l = ls->heap[i];
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (ls->heap[parent]->deadline <= l->deadline)
			break;
		heap_place(ls, i, ls->heap[parent]);
		i = parent;
	}
	heap_place(ls, i, l);
}

static void
sift_down(struct np_ls *ls, size_t i)
{
	struct link *l = ls->heap[i];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= ls->heap_n)
			break;
		if (c + 1 < ls->heap_n && ls->heap[c + 1]->deadline < ls->heap[c]->deadline)
			c++;
		if (l->deadline <= ls->heap[c]->deadline)
			break;
		heap_place(ls, i, ls->heap[c]);
		i = c;
	}
	heap_place(ls, i, l);
}

static void
heap_remove(struct np_ls *ls, struct link *l)
{
	uint32_t i = l->heap_idx;
	if (i == NOT_IN_HEAP)
		return;
	struct link *last = ls->heap[--ls->heap_n];
	l->heap_idx = NOT_IN_HEAP;
	l->deadline = INT64_MAX;
	if (last == l)
		return;
	heap_place(ls, i, last);
	sift_up(ls, i);
	sift_down(ls, last->heap_idx);
}

static void
heap_set(struct np_ls *ls, struct link *l, int64_t d)
{
	if (d == INT64_MAX) {
		heap_remove(ls, l);
		return;
	}
	if (l->heap_idx == NOT_IN_HEAP) {
		if (ls->heap_n == ls->heap_cap) {
			ls->heap_cap = ls->heap_cap ? ls->heap_cap * 2 : 64;
			ls->heap = np_xreallocarray(ls->heap, ls->heap_cap, sizeof(*ls->heap));
		}
		l->deadline = d;
		heap_place(ls, ls->heap_n++, l);
		sift_up(ls, l->heap_idx);
		return;
	}
	int64_t old = l->deadline;
	l->deadline = d;
	if (d < old)
		sift_up(ls, l->heap_idx);
	else if (d > old)
		sift_down(ls, l->heap_idx);
}

/* ---- the state machine ---- */

struct emitter {
	np_ls_emit_fn fn;
	void *arg;
};

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The sorted, comma-separated names of the observers that decide `to` (see the header). */
static const char *
deciders(struct np_ls *ls, const struct link *l, enum np_state to)
{
	size_t n = 0, len = 1;
	int64_t last = INT64_MIN;
	if (to == NP_ST_STALE)
		for (const struct observer *o = l->observers; o != NULL; o = o->next)
			if (o->value != NP_LINK_NONE)
				last = max64(last, o->expire_ms);
	for (const struct observer *o = l->observers; o != NULL; o = o->next) {
		bool fresh = o->value != NP_LINK_NONE && o->expire_ms > l->look_time;
		bool in;
		if (to == NP_ST_UP)
			in = fresh && o->value == NP_LINK_UP;
		else if (to == NP_ST_DOWN)
			in = fresh && o->value == NP_LINK_DOWN;
		else if (to == NP_ST_REMOVED)
			in = fresh && is_gone(o->value);
		else
			in = o->value != NP_LINK_NONE && o->expire_ms == last;
		if (!in || *o->src->name == '\0')
			continue;
		if (n == ls->names_cap) {
			ls->names_cap = ls->names_cap ? ls->names_cap * 2 : 8;
			ls->names = np_xreallocarray(ls->names, ls->names_cap, sizeof(*ls->names));
		}
		ls->names[n++] = o->src->name;
		len += strlen(o->src->name) + 1;
	}
	if (len > ls->buf_cap) {
		ls->buf_cap = len < 64 ? 64 : len;
		free(ls->buf);
		ls->buf = np_xmalloc(ls->buf_cap);
	}
	if (n > 1)
		qsort(ls->names, n, sizeof(*ls->names), cmp_names);
	char *p = ls->buf;
	for (size_t i = 0; i < n; i++) {
		size_t k = strlen(ls->names[i]);
		if (i > 0)
			*p++ = ',';
		memcpy(p, ls->names[i], k);
		p += k;
	}
	*p = '\0';
	return ls->buf;
}

static void
set_sources(struct np_ls *ls, struct link *l, const char *s)
{
	if (l->sources != NULL && strcmp(l->sources, s) == 0)
		return;
	free(l->sources);
	l->sources = np_xstrdup(s);
	save_push(ls, l);
}

static void
set_pending(struct np_ls *ls, struct link *l, enum np_state st, int64_t since)
{
	if (l->pending == st && l->pending_since_ms == since)
		return;
	l->pending = st;
	l->pending_since_ms = since;
	save_push(ls, l);
}

static void
emit(const struct emitter *em, struct link *l, const struct np_ls_event *ev)
{
	if (ev->alert != NP_AL_NONE)
		l->alerted = true;
	if (em->fn != NULL)
		em->fn(ev, em->arg);
}

/* Ends the flapping flag if the link has been stable for a whole window by `upto`. */
static void
flapstop_check(struct np_ls *ls, struct link *l, int64_t upto, const struct emitter *em)
{
	if (!l->flapping)
		return;
	int64_t end = sat_add(l->last_change_ms, max64(ls->p.flap_window_ms, 0));
	if (end > upto)
		return;
	end = max64(end, l->last_event_ms);
	l->last_event_ms = end;
	l->flapping = false;
	save_push(ls, l);
	struct np_ls_event ev = {
	    .device = l->key,
	    .interface = ifname(l),
	    .transition = false,
	    .from = l->state,
	    .to = l->state,
	    .time_ms = end,
	    .alert = NP_AL_FLAPSTOP,
	    .outage_start_ms = l->state == NP_ST_DOWN ? l->outage_start_ms : 0,
	    .outage_ms = -1,
	    .sources = l->sources != NULL ? l->sources : "",
	    .flapping = false,
	    .ever_up = l->ever_up,
	};
	emit(em, l, &ev);
}

/* Records a real change at t; true if it makes the link flap now. */
static bool
flap_record(struct np_ls *ls, struct link *l, int64_t t)
{
	int n = ls->p.flap_transitions;
	if (n <= 0 || ls->p.flap_window_ms <= 0)
		return false;
	uint16_t cap = (uint16_t)(n < FLAP_CAP_MAX ? n + 1 : FLAP_CAP_MAX);
	if (l->flap_cap != cap) {
		free(l->flap);
		l->flap = np_xcalloc(cap, sizeof(*l->flap));
		l->flap_cap = cap;
		l->flap_n = l->flap_head = 0;
	}
	l->flap[l->flap_head] = t;
	l->flap_head = (uint16_t)((l->flap_head + 1) % cap);
	if (l->flap_n < cap)
		l->flap_n++;
	if (l->flapping || l->flap_n < cap)
		return false;
	/* The slot about to be overwritten holds the oldest of the last n + 1 changes. */
	return t - l->flap[l->flap_head] < ls->p.flap_window_ms;
}

/* A fresh observer says the link is gone and its deletion alerts. */
static bool
gone_alerts(const struct link *l)
{
	for (const struct observer *o = l->observers; o != NULL; o = o->next)
		if (o->value == NP_LINK_GONE_ALERT && o->expire_ms > l->look_time)
			return true;
	return false;
}

static void
transition(struct np_ls *ls, struct link *l, enum np_state to, int64_t t, const struct emitter *em)
{
	flapstop_check(ls, l, t, em);
	t = max64(t, l->last_event_ms);
	l->last_event_ms = t;

	enum np_state from = l->state, prev = l->last_known;
	bool quiet = !l->ever_up && !ls->p.alert_never_up;
	enum np_alert_kind alert = NP_AL_NONE;
	/* Back after a removal that sent IFDOWN: that down is what it resumes or ends. */
	bool announced = from == NP_ST_REMOVED && !l->down_quiet;
	bool was_down = from == NP_ST_DOWN || (from == NP_ST_STALE && prev == NP_ST_DOWN);
	if (to == NP_ST_DOWN)
		alert = (from == NP_ST_STALE && prev == NP_ST_DOWN) || announced || quiet
		            ? NP_AL_NONE
		            : NP_AL_IFDOWN;
	else if (to == NP_ST_UP)
		/* No IFUP (and no outage) for a down period that sent no IFDOWN. */
		alert = (was_down && !l->down_quiet) || announced ? NP_AL_IFUP : NP_AL_NONE;
	else if (to == NP_ST_STALE)
		alert = quiet ? NP_AL_NONE : NP_AL_STALE;
	else if (to == NP_ST_REMOVED)
		/* Only where the source was told to (alert_on_delete), and only for a link up. */
		alert =
		    gone_alerts(l) && prev == NP_ST_UP && !l->flapping ? NP_AL_IFDOWN : NP_AL_NONE;

	bool real = (to == NP_ST_UP || to == NP_ST_DOWN) &&
	            (prev == NP_ST_UP || prev == NP_ST_DOWN) && to != prev;
	if (real) {
		l->last_change_ms = t;
		if (flap_record(ls, l, t)) {
			l->flapping = true;
			alert = NP_AL_FLAPPING;
		} else if (l->flapping) {
			alert = NP_AL_NONE;
		}
	}

	struct np_ls_event ev = {
	    .device = l->key,
	    .interface = ifname(l),
	    .transition = true,
	    .from = from,
	    .to = to,
	    .time_ms = t,
	    .alert = alert,
	    .outage_start_ms = 0,
	    .outage_ms = -1,
	};
	if (from == NP_ST_DOWN) {
		int64_t start = l->outage_start_ms != 0 ? l->outage_start_ms : l->since_ms;
		ev.outage_start_ms = start;
		ev.outage_ms = l->down_quiet ? -1 : t - start;
		l->outage_start_ms = 0;
	}
	if (to == NP_ST_DOWN) {
		l->outage_start_ms = t;
		ev.outage_start_ms = t;
		/* A new down period, unless it resumes the one before a stale spell (or the one a
		 * removal announced). */
		if (!(from == NP_ST_STALE && prev == NP_ST_DOWN) && !announced)
			l->down_quiet = quiet;
	} else if (to == NP_ST_UP) {
		l->down_quiet = false;
	}

	set_sources(ls, l, deciders(ls, l, to));
	l->state = to;
	l->since_ms = t;
	if (to == NP_ST_UP || to == NP_ST_DOWN)
		l->last_known = to; /* ever_up was set by the up observation itself */
	if (to == NP_ST_REMOVED) {
		/* Its life ends: coming back is first sight; IFUP then only if this said IFDOWN.
		 * Flapping was about the old life: it ends without a FLAPSTOP. */
		l->down_quiet = alert != NP_AL_IFDOWN;
		l->last_known = NP_ST_UNKNOWN;
		l->ever_up = false;
		l->flapping = false;
		l->flap_n = l->flap_head = 0;
	}
	save_push(ls, l);

	ev.sources = l->sources;
	ev.flapping = l->flapping;
	ev.ever_up = l->ever_up;
	emit(em, l, &ev);
}

static int64_t
debounce(const struct np_ls *ls, const struct link *l, enum np_state target)
{
	if (target != NP_ST_DOWN)
		return max64(ls->p.up_after_ms, l->up_hold_ms);
	return max64(ls->p.down_after_ms, l->down_hold_ms);
}

static void
evaluate_link(struct np_ls *ls, struct link *l, int64_t now, const struct emitter *em)
{
	advance_look(l, now);

	enum np_state target = l->look;
	int64_t after = debounce(ls, l, target);
	struct source *waits = NULL;
	int64_t group_due = INT64_MAX;
	if (target == NP_ST_UNKNOWN || target == l->state) {
		set_pending(ls, l, NP_ST_UNKNOWN, 0);
	} else if (target == NP_ST_STALE || target == NP_ST_REMOVED) {
		/* Freshness already waited stale_after; a deletion is a fact: no debounce. */
		set_pending(ls, l, NP_ST_UNKNOWN, 0);
		transition(ls, l, target, l->look_since, em);
	} else {
		int64_t t0 = max64(l->look_since, l->since_ms);
		/* First sight (a removed link coming back is one), and a return to what it was
		 * before going stale, need no debounce. */
		bool now_ok = l->state == NP_ST_UNKNOWN || l->state == NP_ST_REMOVED ||
		              (l->state == NP_ST_STALE && target == l->last_known) ||
		              now >= sat_add(t0, after);
		/* Then a down look waits for the other collectors that may see the link. */
		if (now_ok && target == NP_ST_DOWN)
			waits = np_ls_group_wait(ls, l, now, &group_due);
		if (now_ok && waits == NULL) {
			set_pending(ls, l, NP_ST_UNKNOWN, 0);
			transition(ls, l, target, t0, em);
		} else {
			set_pending(ls, l, target, t0);
		}
	}
	if (waits != NULL)
		np_ls_wait_on(ls, l, waits);
	else
		np_ls_wait_clear(ls, l);
	flapstop_check(ls, l, now, em);

	int64_t d = min64(look_end(l), group_due);
	if (l->pending != NP_ST_UNKNOWN) {
		int64_t end = sat_add(l->pending_since_ms, debounce(ls, l, l->pending));
		if (end > now) /* else only the group wait holds it */
			d = min64(d, end);
	}
	if (l->flapping)
		d = min64(d, sat_add(l->last_change_ms, max64(ls->p.flap_window_ms, 0)));
	heap_set(ls, l, d);
}

/* Frees a link that is in no list: no source list, heap, work list or waiters. */
static void
link_free(struct link *l)
{
	struct observer *o = l->observers;
	while (o != NULL) {
		struct observer *on = o->next;
		free(o);
		o = on;
	}
	free(l->flap);
	free(l->sources);
	free(l);
}

/* ---- public API ---- */

struct np_ls *
np_ls_new(const struct np_ls_params *p)
{
	struct np_ls *ls = np_xcalloc(1, sizeof(*ls));
	ls->p = *p;
	ls->nbuckets = 64;
	ls->buckets = np_xcalloc(ls->nbuckets, sizeof(*ls->buckets));
	ls->eval_min = INT64_MAX;
	return ls;
}

void
np_ls_free(struct np_ls *ls)
{
	if (ls == NULL)
		return;
	for (size_t i = 0; i < ls->nbuckets; i++) {
		struct link *l = ls->buckets[i];
		while (l != NULL) {
			struct link *next = l->hnext;
			link_free(l);
			l = next;
		}
	}
	np_ls_groups_free(ls);
	for (size_t i = 0; i < ls->nsrcs; i++) {
		free(ls->srcs[i]->name);
		free(ls->srcs[i]);
	}
	free(ls->srcs);
	free(ls->buckets);
	free(ls->heap);
	free(ls->names);
	free(ls->buf);
	free(ls);
}

void
np_ls_set_params(struct np_ls *ls, const struct np_ls_params *p)
{
	ls->p = *p;
	/* Links waiting on a debounce or a flap window must be looked at again. */
	for (size_t i = 0; i < ls->heap_n; i++)
		np_ls_eval_push(ls, ls->heap[i]);
}

void
np_ls_restore(struct np_ls *ls, const struct np_ls_saved *s, int64_t restore_ms,
              int64_t stale_after_ms)
{
	struct link *l = link_get(ls, s->device, s->interface);
	l->state = s->state;
	l->since_ms = s->since_ms;
	l->last_known = s->last_known;
	l->ever_up = s->ever_up || s->state == NP_ST_UP || s->last_known == NP_ST_UP;
	l->flapping = s->flapping;
	/* What alerted before the restart is not known: a link that was up may have. */
	l->alerted = l->ever_up || ls->p.alert_never_up;
	/* Whether a removal said IFDOWN is not saved: its return sends no IFUP. */
	l->down_quiet = (!l->ever_up && !ls->p.alert_never_up) || l->state == NP_ST_REMOVED;
	l->outage_start_ms = s->outage_start_ms;
	if (l->state == NP_ST_DOWN && l->outage_start_ms == 0)
		l->outage_start_ms = s->since_ms;
	l->last_change_ms = s->last_change_ms;
	l->last_event_ms = max64(s->since_ms, s->last_change_ms);
	bool pend = s->pending == NP_ST_UP || s->pending == NP_ST_DOWN;
	l->pending = pend ? s->pending : NP_ST_UNKNOWN;
	l->pending_since_ms = pend ? s->pending_since_ms : 0;
	free(l->sources);
	l->sources = np_xstrdup(s->sources != NULL ? s->sources : "");

	/* The look resumes where it was, so an agreeing observation changes nothing. */
	l->look = pend ? l->pending : l->state;
	l->look_since = pend ? l->pending_since_ms : l->since_ms;
	l->look_time = max64(l->since_ms, l->pending_since_ms);

	/*
	 * The sources that decided the state become observers again, fresh until they say
	 * otherwise or their source's next complete batch leaves the link out; so after a
	 * restart one collector's zero does not beat another collector not yet polled.
	 */
	enum np_link_obs v = NP_LINK_NONE;
	enum np_state basis = l->look == NP_ST_STALE ? l->last_known : l->look;
	if (basis == NP_ST_UP)
		v = NP_LINK_UP;
	else if (basis == NP_ST_DOWN)
		v = NP_LINK_DOWN;
	if (v == NP_LINK_NONE)
		return;
	/*
	 * Fresh for stale_after from the restart, like any observation: a source that never
	 * reports again (failing, or no longer configured) lets the link go stale.
	 */
	int64_t expire = l->look == NP_ST_STALE ? l->look_since
	                 : stale_after_ms > 0   ? sat_add(restore_ms, stale_after_ms)
	                                        : INT64_MAX;
	if (l->look != NP_ST_STALE) /* saved times after restore_ms: the clock went back */
		expire = max64(expire, sat_add(l->look_time, 1));
	const char *p = s->sources != NULL && *s->sources != '\0' ? s->sources : "";
	bool any = false;
	do {
		const char *comma = strchr(p, ',');
		size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);
		/* No source named (an old row): one nameless observer stands for them. */
		if (n > 0 || (!any && comma == NULL)) {
			char *name = np_xstrndup(p, n);
			struct source *src = np_ls_source_get(ls, name);
			free(name);
			struct observer *o = observer_get(l, src);
			o->value = v;
			o->time_ms = l->look_since;
			o->expire_ms = expire;
			o->gen = src->gen - 1;
			src_append(o);
			any = true;
		}
		p += n;
		if (*p == ',')
			p++;
	} while (*p != '\0');
	heap_set(ls, l, look_end(l));
}

void
np_ls_observe(struct np_ls *ls, const char *device, const char *interface, const char *source,
              enum np_link_obs link, enum np_ever_up ever_up, int64_t time_ms,
              int64_t stale_after_ms)
{
	np_ls_observe_hold(ls, device, interface, source, link, ever_up, time_ms, stale_after_ms, 0,
	                   0);
}

void
np_ls_observe_hold(struct np_ls *ls, const char *device, const char *interface, const char *source,
                   enum np_link_obs link, enum np_ever_up ever_up, int64_t time_ms,
                   int64_t stale_after_ms, int64_t down_hold_ms, int64_t up_hold_ms)
{
	if (link != NP_LINK_UP && link != NP_LINK_DOWN && !is_gone(link))
		return;
	struct source *src = np_ls_source_get(ls, source);
	struct link *l = link_get(ls, device, interface);
	l->down_hold_ms = down_hold_ms > 0 ? down_hold_ms : 0;
	l->up_hold_ms = up_hold_ms > 0 ? up_hold_ms : 0;
	struct observer *o = observer_get(l, src);
	if ((link == NP_LINK_UP || (ever_up == NP_EVER_YES && !is_gone(link))) && !l->ever_up) {
		l->ever_up = true; /* a fact even if the observation is out of date */
		save_push(ls, l);
	}
	if (o->value != NP_LINK_NONE && time_ms < o->time_ms)
		return; /* older than what this source already told us */

	advance_look(l, time_ms);
	o->value = link;
	o->time_ms = time_ms;
	/* A deletion stays true until the interface is seen again. */
	o->expire_ms =
	    stale_after_ms > 0 && !is_gone(link) ? sat_add(time_ms, stale_after_ms) : INT64_MAX;
	o->gen = src->gen;
	src_append(o);
	relook(l, time_ms);
	np_ls_eval_push(ls, l);
}

void
np_ls_source_complete(struct np_ls *ls, const char *source, int64_t batch_ms)
{
	struct source *src = np_ls_source_find(ls, source);
	if (src == NULL)
		return;
	struct observer *o;
	while ((o = src->head) != NULL && o->gen != src->gen) {
		src_unlink(o);
		if (o->expire_ms <= batch_ms || is_gone(o->value))
			continue; /* already out of date, or deleted: not listed, and never again */
		struct link *l = o->link;
		advance_look(l, batch_ms);
		o->expire_ms = batch_ms;
		relook(l, batch_ms);
		np_ls_eval_push(ls, l);
	}
	src->gen++;
	src->delivered = true;
	src->last_batch_ms = max64(src->last_batch_ms, batch_ms);
	np_ls_wake(ls, src);
}

void
np_ls_evaluate(struct np_ls *ls, int64_t now_ms, np_ls_emit_fn fn, void *arg)
{
	struct emitter em = {fn, arg};
	while (ls->heap_n > 0 && ls->heap[0]->deadline <= now_ms) {
		struct link *l = ls->heap[0];
		heap_remove(ls, l);
		np_ls_eval_push(ls, l);
	}
	struct link *l;
	while ((l = ls->eval_head) != NULL) {
		ls->eval_head = l->eval_next;
		if (ls->eval_head == NULL)
			ls->eval_tail = NULL;
		l->in_eval = false;
		l->eval_next = NULL;
		evaluate_link(ls, l, now_ms, &em);
	}
	ls->eval_min = INT64_MAX;
}

static void
fill_saved(const struct link *l, struct np_ls_saved *s)
{
	s->device = l->key;
	s->interface = ifname(l);
	s->state = l->state;
	s->since_ms = l->since_ms;
	s->last_known = l->last_known;
	s->ever_up = l->ever_up;
	s->flapping = l->flapping;
	s->outage_start_ms = l->outage_start_ms;
	s->pending = l->pending;
	s->pending_since_ms = l->pending_since_ms;
	s->last_change_ms = l->last_change_ms;
	s->sources = l->sources != NULL ? l->sources : "";
}

void
np_ls_drain_dirty(struct np_ls *ls, np_ls_saved_fn fn, void *arg)
{
	struct link *l;
	while ((l = ls->save_head) != NULL) {
		ls->save_head = l->save_next;
		if (ls->save_head == NULL)
			ls->save_tail = NULL;
		l->in_save = false;
		l->save_next = NULL;
		struct np_ls_saved s;
		fill_saved(l, &s);
		fn(&s, arg);
	}
}

void
np_ls_foreach(struct np_ls *ls, np_ls_saved_fn fn, void *arg)
{
	for (size_t i = 0; i < ls->nbuckets; i++)
		for (struct link *l = ls->buckets[i]; l != NULL; l = l->hnext) {
			struct np_ls_saved s;
			fill_saved(l, &s);
			fn(&s, arg);
		}
}

/* Gone (stale or removed): nothing fresh observes it, and nothing about it is pending. */
static bool
forgettable(const struct link *l, int64_t now, int64_t after)
{
	bool removed = l->state == NP_ST_REMOVED && l->look == NP_ST_REMOVED;
	if ((!removed && (l->state != NP_ST_STALE || l->look != NP_ST_STALE)) || l->in_eval ||
	    l->in_save || l->pending != NP_ST_UNKNOWN || l->flapping || l->wait_src != 0 ||
	    l->heap_idx != NOT_IN_HEAP)
		return false;
	/* A removed link stays in `status` for forget_after even if it never alerted. */
	return (!removed && !l->alerted) || (after >= 0 && now - l->since_ms >= after);
}

size_t
np_ls_forget(struct np_ls *ls, int64_t now_ms, int64_t forget_after_ms, np_ls_saved_fn removed,
             void *arg)
{
	size_t n = 0;
	for (size_t i = 0; i < ls->nbuckets; i++) {
		struct link **pp = &ls->buckets[i];
		while (*pp != NULL) {
			struct link *l = *pp;
			if (!forgettable(l, now_ms, forget_after_ms)) {
				pp = &l->hnext;
				continue;
			}
			*pp = l->hnext;
			if (removed != NULL && l->state == NP_ST_REMOVED) {
				struct np_ls_saved s;
				fill_saved(l, &s);
				removed(&s, arg);
			}
			for (struct observer *o = l->observers; o != NULL; o = o->next)
				src_unlink(o);
			link_free(l);
			n++;
		}
	}
	ls->count -= n;
	return n;
}

size_t
np_ls_count(const struct np_ls *ls)
{
	return ls->count;
}

int64_t
np_ls_next_deadline(const struct np_ls *ls)
{
	int64_t d = ls->heap_n > 0 ? ls->heap[0]->deadline : INT64_MAX;
	/* Links observed but not evaluated yet are due already. */
	return ls->eval_head != NULL ? min64(d, ls->eval_min) : d;
}
