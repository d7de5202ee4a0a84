#ifndef NP_ENGINE_LINKSTATE_INT_H
#define NP_ENGINE_LINKSTATE_INT_H
/*
 * Internals of the link-state engine shared by its files (linkstate.c: links, looks and the
 * state machine; linkstate_group.c: the multi-collector wait). Not for other modules.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/linkstate.h"

#define NOT_IN_HEAP UINT32_MAX
#define FLAP_CAP_MAX 4096

/*
 * Per source, the observers refreshed since they were last expired, in refresh order: those
 * refreshed before the current generation sit at the head, so a complete batch expires the
 * unlisted ones without looking at the others.
 */
struct source {
	char *name;
	uint32_t gen;
	uint32_t idx; /* in np_ls.srcs */
	struct observer *head, *tail;

	/* The multi-collector wait (linkstate_group.c). */
	uint16_t group;        /* 1 + index into np_ls.groups; 0 = shares no links */
	bool delivered;        /* a complete batch since the engine started */
	bool failing;          /* its last poll failed */
	int64_t due_after_ms;  /* a complete batch comes at the latest this long after the last */
	int64_t last_batch_ms; /* time of its last complete batch */
	struct link **waiters; /* links whose down look waits for its next batch */
	uint32_t nwait, capwait;
};

struct observer {
	struct observer *next;          /* the link's observers */
	struct observer *sprev, *snext; /* the source's list */
	struct source *src;
	struct link *link;
	int64_t time_ms;
	int64_t expire_ms; /* fresh while t < expire_ms */
	uint32_t gen;      /* source generation of the last refresh (only == is asked) */
	uint8_t value;     /* enum np_link_obs */
	bool listed;       /* in the source's list */
};

/* Packed (enums in uint8_t, 32-bit indices): there may be 100k links. */
struct link {
	struct link *hnext;
	uint64_t hash;
	struct observer *observers;
	char *sources;
	int64_t *flap; /* times of the last flap_cap real changes, a ring */
	struct link *eval_next;
	struct link *save_next;

	/* What the observers say, followed through time (their expiries included). */
	int64_t look_since;
	int64_t look_time; /* the look is known up to here */

	/* Declared state (persisted). */
	int64_t since_ms;
	int64_t outage_start_ms;
	int64_t pending_since_ms;
	int64_t last_change_ms;

	int64_t last_event_ms; /* no event is dated before the previous one (late batches) */
	int64_t deadline;
	int64_t down_hold_ms; /* minimum debounces asked by the latest observation */
	int64_t up_hold_ms;
	uint32_t heap_idx;
	uint32_t wait_src; /* 1 + index of the source whose batch it waits for; 0 = none */
	uint32_t wait_pos; /* its slot in that source's waiters */
	uint32_t dlen, ilen;
	uint16_t flap_cap, flap_n, flap_head;
	uint8_t look, state, last_known, pending; /* enum np_state */
	bool ever_up, flapping, in_eval, in_save;
	bool alerted;    /* an alert was emitted for it (kept for forget_after when gone) */
	bool down_quiet; /* the current down period sent no IFDOWN (never-up link) */

	char key[]; /* device NUL interface NUL */
};

struct np_ls {
	struct np_ls_params p;

	struct link **buckets;
	size_t nbuckets, count;

	struct source **srcs;
	size_t nsrcs;
	struct source *last_src;
	char **groups;
	size_t ngroups;

	struct link *eval_head, *eval_tail;
	int64_t eval_min; /* earliest look_time on the eval list */
	struct link *save_head, *save_tail;

	struct link **heap; /* min-heap on deadline */
	size_t heap_n, heap_cap;

	const char **names; /* scratch for the sources string */
	size_t names_cap;
	char *buf;
	size_t buf_cap;
};

/* The observation says the interface was deleted (NP_LINK_GONE or NP_LINK_GONE_ALERT). */
static inline bool
is_gone(unsigned v)
{
	return v == NP_LINK_GONE || v == NP_LINK_GONE_ALERT;
}

static inline int64_t
max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

static inline int64_t
min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static inline int64_t
sat_add(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	if (b < 0 && a < INT64_MIN - b)
		return INT64_MIN;
	return a + b;
}

/* linkstate.c */
struct source *np_ls_source_find(struct np_ls *ls, const char *name);
struct source *np_ls_source_get(struct np_ls *ls, const char *name);
void np_ls_eval_push(struct np_ls *ls, struct link *l);

/* linkstate_group.c */
/*
 * The down look of l (since look_since) must wait for a batch of another live member of the
 * group of one of its observers: returns the first such member (and in *due the earliest due
 * time among them), or NULL (*due = INT64_MAX) if the look may be acted upon now.
 */
struct source *np_ls_group_wait(struct np_ls *ls, const struct link *l, int64_t now, int64_t *due);
void np_ls_wait_on(struct np_ls *ls, struct link *l, struct source *s);
void np_ls_wait_clear(struct np_ls *ls, struct link *l);
/* Re-evaluates every link waiting for s. */
void np_ls_wake(struct np_ls *ls, struct source *s);
void np_ls_groups_free(struct np_ls *ls);

#endif
