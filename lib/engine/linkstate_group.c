/*
 * The multi-collector wait (DESIGN §6): sources of one group (Flow Collectors an exporter
 * moves between) may watch the same links. A down look waits until every OTHER live member
 * of the group has shown its view after the look began: it delivered a complete batch at or
 * after that time, or it observed the link since. A member that never delivered, is failing,
 * or is overdue (its due time passed) never extends the wait. Event-driven: a waiting link
 * sits on one member's waiters list and is evaluated again when that member delivers or
 * fails; its deadline covers the members' due times.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/linkstate.h"
#include "engine/linkstate_int.h"
#include "util/xmalloc.h"

static uint16_t
group_id(struct np_ls *ls, const char *group)
{
	if (group == NULL || *group == '\0')
		return 0;
	for (size_t i = 0; i < ls->ngroups; i++)
		if (strcmp(ls->groups[i], group) == 0)
			return (uint16_t)(i + 1);
	if (ls->ngroups >= UINT16_MAX)
		return 0; /* absurd; such a source then waits for nobody */
	ls->groups = np_xreallocarray(ls->groups, ls->ngroups + 1, sizeof(*ls->groups));
	ls->groups[ls->ngroups++] = np_xstrdup(group);
	return (uint16_t)ls->ngroups;
}

void
np_ls_source_set(struct np_ls *ls, const char *source, const char *group, int64_t due_after_ms)
{
	struct source *s = np_ls_source_get(ls, source);
	s->group = due_after_ms > 0 ? group_id(ls, group) : 0;
	s->due_after_ms = due_after_ms > 0 ? due_after_ms : 0;
	/* Whatever waited for it must look again under the new rule. */
	np_ls_wake(ls, s);
}

void
np_ls_source_failing(struct np_ls *ls, const char *source, bool failing)
{
	struct source *s = np_ls_source_find(ls, source);
	if (s == NULL || s->failing == failing)
		return;
	s->failing = failing;
	if (failing)
		np_ls_wake(ls, s);
}

size_t
np_ls_source_sole(struct np_ls *ls, const char *source, int64_t now_ms)
{
	struct source *s = np_ls_source_find(ls, source);
	size_t n = 0;
	for (struct observer *o = s != NULL ? s->head : NULL; o != NULL; o = o->snext) {
		/* A deleted interface is not left unobserved by its source's failure. */
		if (o->value == NP_LINK_NONE || is_gone(o->value) || o->expire_ms <= now_ms)
			continue;
		bool other = false;
		for (struct observer *x = o->link->observers; x != NULL && !other; x = x->next)
			other = x != o && !x->src->failing && x->value != NP_LINK_NONE &&
			        x->expire_ms > now_ms;
		n += !other;
	}
	return n;
}

void
np_ls_wait_clear(struct np_ls *ls, struct link *l)
{
	if (l->wait_src == 0)
		return;
	struct source *s = ls->srcs[l->wait_src - 1];
	struct link *last = s->waiters[--s->nwait];
	s->waiters[l->wait_pos] = last;
	last->wait_pos = l->wait_pos;
	l->wait_src = 0;
	l->wait_pos = 0;
}

void
np_ls_wait_on(struct np_ls *ls, struct link *l, struct source *s)
{
	if (l->wait_src == s->idx + 1)
		return;
	np_ls_wait_clear(ls, l);
	if (s->nwait == s->capwait) {
		s->capwait = s->capwait ? s->capwait * 2 : 16;
		s->waiters = np_xreallocarray(s->waiters, s->capwait, sizeof(*s->waiters));
	}
	l->wait_pos = s->nwait;
	l->wait_src = s->idx + 1;
	s->waiters[s->nwait++] = l;
}

void
np_ls_wake(struct np_ls *ls, struct source *s)
{
	while (s->nwait > 0) {
		struct link *l = s->waiters[--s->nwait];
		l->wait_src = 0;
		l->wait_pos = 0;
		np_ls_eval_push(ls, l);
	}
}

static bool
live(const struct source *m, int64_t now)
{
	return m->group != 0 && m->delivered && !m->failing &&
	       now < sat_add(m->last_batch_ms, m->due_after_ms);
}

/* Has m shown its view of l at or after t (a complete batch, or an observation of it)? */
static bool
seen_since(const struct source *m, const struct link *l, int64_t t)
{
	if (m->last_batch_ms >= t)
		return true;
	for (const struct observer *o = l->observers; o != NULL; o = o->next)
		if (o->src == m && o->value != NP_LINK_NONE && o->time_ms >= t)
			return true;
	return false;
}

struct source *
np_ls_group_wait(struct np_ls *ls, const struct link *l, int64_t now, int64_t *due)
{
	struct source *first = NULL;
	*due = INT64_MAX;
	for (const struct observer *o = l->observers; o != NULL; o = o->next) {
		uint16_t g = o->src->group;
		if (g == 0 || o->value == NP_LINK_NONE)
			continue;
		bool dup = false; /* each group once; a link has few observers */
		for (const struct observer *q = l->observers; q != o && !dup; q = q->next)
			dup = q->src->group == g && q->value != NP_LINK_NONE;
		if (dup)
			continue;
		for (size_t i = 0; i < ls->nsrcs; i++) {
			struct source *m = ls->srcs[i];
			if (m->group != g || !live(m, now) || seen_since(m, l, l->look_since))
				continue;
			if (first == NULL)
				first = m;
			*due = min64(*due, sat_add(m->last_batch_ms, m->due_after_ms));
		}
	}
	return first;
}

void
np_ls_groups_free(struct np_ls *ls)
{
	for (size_t i = 0; i < ls->ngroups; i++)
		free(ls->groups[i]);
	free(ls->groups);
	for (size_t i = 0; i < ls->nsrcs; i++)
		free(ls->srcs[i]->waiters);
}
