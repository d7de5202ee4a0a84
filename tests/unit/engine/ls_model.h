/*
 * Invariant checker for the link-state engine, shared by test_linkstate.c (seeded random
 * runs) and a libFuzzer driver. It interprets a byte string as operations (observe, deletion,
 * complete, failing, forget, evaluate, time passing) on a few links watched by sources that
 * may form a group, and checks every event against a shadow model of what the header
 * promises. The includer defines LSM_FAIL(msg) (must not return).
 */
#ifndef NP_TEST_LS_MODEL_H
#define NP_TEST_LS_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "engine/linkstate.h"

#define LSM_LINKS 4
#define LSM_SOURCES 3

static const char *const lsm_devs[LSM_LINKS] = {"d0", "d1", "d2", "d3"};
static const char *const lsm_srcs[LSM_SOURCES] = {"s0", "s1", "s2"};

struct lsm_link {
	enum np_state state;
	int64_t last_ev_ms; /* time of its last event */
	int64_t down_ms;    /* when the current outage began (state down) */
	bool ever_up;       /* seen up or NP_EVER_YES */
	bool flapping;
	bool quiet;               /* the current down period sent no IFDOWN */
	enum np_state last_known; /* last up/down */
};

struct lsm {
	struct np_ls *ls;
	struct np_ls_params p;
	int64_t now;
	bool observed; /* since the last evaluation */
	bool failing[LSM_SOURCES];
	int64_t deadline;
	struct lsm_link l[LSM_LINKS];
	size_t events;
	char msg[256];
};

static int
lsm_dev(const char *d)
{
	for (int i = 0; i < LSM_LINKS; i++)
		if (strcmp(d, lsm_devs[i]) == 0)
			return i;
	return -1;
}

#ifdef LSM_TRACE
#define LSM_T(...) fprintf(stderr, __VA_ARGS__)
#else
#define LSM_T(...) ((void)0)
#endif

#define LSM_CHECK(m, cond, ...)                                                                    \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			snprintf((m)->msg, sizeof((m)->msg), __VA_ARGS__);                         \
			LSM_FAIL((m)->msg);                                                        \
		}                                                                                  \
	} while (0)

static void
lsm_event(const struct np_ls_event *ev, void *arg)
{
	struct lsm *m = arg;
	int i = lsm_dev(ev->device);
	LSM_CHECK(m, i >= 0 && strcmp(ev->interface, "") == 0, "unknown link %s", ev->device);
	struct lsm_link *k = &m->l[i];
	m->events++;
	LSM_T("    event %s %s->%s t=%lld alert=%s outage=%lld/%lld src=%s tr=%d flap=%d\n",
	      ev->device, np_state_names[ev->from], np_state_names[ev->to], (long long)ev->time_ms,
	      np_alert_names[ev->alert], (long long)ev->outage_start_ms, (long long)ev->outage_ms,
	      ev->sources, ev->transition, ev->flapping);
	LSM_CHECK(m, ev->time_ms <= m->now, "%s: event in the future %lld > %lld", ev->device,
	          (long long)ev->time_ms, (long long)m->now);
	LSM_CHECK(m, ev->time_ms >= k->last_ev_ms, "%s: event at %lld before the previous at %lld",
	          ev->device, (long long)ev->time_ms, (long long)k->last_ev_ms);
	LSM_CHECK(m, ev->from == k->state, "%s: from %s but the link was %s", ev->device,
	          np_state_names[ev->from], np_state_names[k->state]);
	LSM_CHECK(m, ev->sources != NULL, "%s: no sources", ev->device);
	k->last_ev_ms = ev->time_ms;

	if (!ev->transition) {
		LSM_CHECK(m, ev->from == ev->to, "%s: notice changes state", ev->device);
		LSM_CHECK(m, ev->alert == NP_AL_FLAPSTOP && k->flapping && !ev->flapping,
		          "%s: notice %s while flapping=%d", ev->device, np_alert_names[ev->alert],
		          k->flapping);
		LSM_CHECK(m, ev->outage_ms == -1, "%s: notice with an outage", ev->device);
		k->flapping = false;
		return;
	}
	LSM_CHECK(m, ev->from != ev->to && ev->to != NP_ST_UNKNOWN, "%s: %s -> %s", ev->device,
	          np_state_names[ev->from], np_state_names[ev->to]);

	/* Outage arithmetic. */
	if (ev->from == NP_ST_DOWN)
		LSM_CHECK(m,
		          ev->outage_start_ms == k->down_ms &&
		              ev->outage_ms == (k->quiet ? -1 : ev->time_ms - k->down_ms),
		          "%s: outage %lld from %lld, want from %lld (quiet %d)", ev->device,
		          (long long)ev->outage_ms, (long long)ev->outage_start_ms,
		          (long long)k->down_ms, k->quiet);
	else
		LSM_CHECK(m, ev->outage_ms == -1, "%s: outage_ms %lld not out of down", ev->device,
		          (long long)ev->outage_ms);
	if (ev->to == NP_ST_DOWN) {
		LSM_CHECK(m, ev->outage_start_ms == ev->time_ms, "%s: outage start %lld != %lld",
		          ev->device, (long long)ev->outage_start_ms, (long long)ev->time_ms);
		k->down_ms = ev->time_ms;
		/* A new down period, unless it resumes one (after stale, or an announced removal).
		 */
		if (!(ev->from == NP_ST_STALE && k->last_known == NP_ST_DOWN) &&
		    !(ev->from == NP_ST_REMOVED && !k->quiet))
			k->quiet = !k->ever_up && !m->p.alert_never_up;
	}

	/* Alerts fit the transition. */
	switch (ev->alert) {
	case NP_AL_NONE:
		break;
	case NP_AL_IFDOWN:
		/* Into removed only for a link that was up (alert_on_delete). */
		LSM_CHECK(m,
		          (ev->to == NP_ST_DOWN && (k->ever_up || m->p.alert_never_up)) ||
		              (ev->to == NP_ST_REMOVED && k->last_known == NP_ST_UP),
		          "%s: IFDOWN to %s ever_up=%d", ev->device, np_state_names[ev->to],
		          k->ever_up);
		break;
	case NP_AL_IFUP:
		LSM_CHECK(m, ev->to == NP_ST_UP && !k->quiet, "%s: IFUP to %s quiet=%d", ev->device,
		          np_state_names[ev->to], k->quiet);
		break;
	case NP_AL_STALE:
		LSM_CHECK(m, ev->to == NP_ST_STALE && (k->ever_up || m->p.alert_never_up),
		          "%s: STALE to %s", ev->device, np_state_names[ev->to]);
		break;
	case NP_AL_FLAPPING:
		LSM_CHECK(m, !k->flapping && ev->flapping && ev->to != NP_ST_STALE,
		          "%s: FLAPPING while flapping=%d", ev->device, k->flapping);
		break;
	default:
		LSM_CHECK(m, false, "%s: alert %s on a transition", ev->device,
		          np_alert_names[ev->alert]);
	}
	if (k->flapping && ev->to != NP_ST_STALE)
		LSM_CHECK(m, ev->alert == NP_AL_NONE, "%s: alert %s while flapping", ev->device,
		          np_alert_names[ev->alert]);
	LSM_CHECK(m,
	          ev->flapping ==
	              (ev->to != NP_ST_REMOVED && (k->flapping || ev->alert == NP_AL_FLAPPING)),
	          "%s: flapping flag %d", ev->device, ev->flapping);
	if (ev->from == NP_ST_UNKNOWN && ev->to == NP_ST_UP)
		LSM_CHECK(m, ev->alert == NP_AL_NONE, "%s: first sight up alerts", ev->device);
	if (ev->to == NP_ST_UP || ev->to == NP_ST_DOWN)
		LSM_CHECK(m, *ev->sources != '\0', "%s: no deciding source", ev->device);
	if (ev->to == NP_ST_REMOVED)
		LSM_CHECK(m, ev->outage_start_ms == (ev->from == NP_ST_DOWN ? k->down_ms : 0),
		          "%s: outage start %lld into removed", ev->device,
		          (long long)ev->outage_start_ms);
	k->flapping = ev->flapping;
	k->state = ev->to;
	if (ev->to == NP_ST_UP)
		k->quiet = false;
	if (ev->to == NP_ST_UP || ev->to == NP_ST_DOWN)
		k->last_known = ev->to;
	if (ev->to == NP_ST_REMOVED) { /* its life ends: back is first sight */
		k->quiet = ev->alert != NP_AL_IFDOWN;
		k->ever_up = false;
		k->last_known = NP_ST_UNKNOWN;
	}
}

static void
lsm_saved(const struct np_ls_saved *s, void *arg)
{
	struct lsm *m = arg;
	int i = lsm_dev(s->device);
	LSM_CHECK(m, i >= 0, "saved an unknown link %s", s->device);
	const struct lsm_link *k = &m->l[i];
	LSM_CHECK(m, s->state == k->state && s->flapping == k->flapping,
	          "%s: saved %s flapping=%d, events say %s flapping=%d", s->device,
	          np_state_names[s->state], s->flapping, np_state_names[k->state], k->flapping);
	LSM_CHECK(m, s->state != NP_ST_DOWN || s->outage_start_ms == k->down_ms,
	          "%s: saved outage start %lld, want %lld", s->device,
	          (long long)s->outage_start_ms, (long long)k->down_ms);
	LSM_CHECK(m, s->ever_up == k->ever_up, "%s: ever_up %d want %d", s->device, s->ever_up,
	          k->ever_up);
}

static void
lsm_evaluate(struct lsm *m)
{
	size_t before = m->events;
	LSM_T("  evaluate %lld\n", (long long)m->now);
	np_ls_evaluate(m->ls, m->now, lsm_event, m);
	/* Nothing observed since the last evaluation: only a due deadline may change things. */
	if (!m->observed && m->now < m->deadline)
		LSM_CHECK(m, m->events == before, "events at %lld before the deadline %lld",
		          (long long)m->now, (long long)m->deadline);
	m->deadline = np_ls_next_deadline(m->ls);
	LSM_CHECK(m, m->deadline > m->now, "deadline %lld not after now %lld",
	          (long long)m->deadline, (long long)m->now);
	m->observed = false;
	np_ls_drain_dirty(m->ls, lsm_saved, m);
	np_ls_foreach(m->ls, lsm_saved, m);
}

static void
lsm_present(const struct np_ls_saved *s, void *arg)
{
	bool *present = arg;
	int i = lsm_dev(s->device);
	if (i >= 0)
		present[i] = true;
}

/* Forgotten links start again from first sight. */
static void
lsm_forget(struct lsm *m, int64_t after)
{
	LSM_T("  forget after %lld at %lld\n", (long long)after, (long long)m->now);
	np_ls_forget(m->ls, m->now, after, NULL, NULL);
	bool present[LSM_LINKS] = {false};
	np_ls_foreach(m->ls, lsm_present, present);
	size_t n = 0;
	for (int i = 0; i < LSM_LINKS; i++) {
		n += present[i];
		if (present[i])
			continue;
		struct lsm_link *k = &m->l[i];
		LSM_CHECK(m,
		          k->state == NP_ST_STALE || k->state == NP_ST_UNKNOWN ||
		              k->state == NP_ST_REMOVED,
		          "%s: forgotten while %s", lsm_devs[i], np_state_names[k->state]);
		memset(k, 0, sizeof(*k)); /* a new link: its events may predate the old one's */
		k->last_ev_ms = INT64_MIN;
	}
	LSM_CHECK(m, np_ls_count(m->ls) == n, "count %zu, %zu links present", np_ls_count(m->ls),
	          n);
}

static uint8_t
lsm_byte(const uint8_t **p, const uint8_t *end)
{
	return *p < end ? *(*p)++ : 0;
}

/* Runs the operations in data[0..size); returns the number of events. */
static size_t
lsm_run(const uint8_t *data, size_t size)
{
	static const int64_t after_s[4] = {0, 0, 10, 30};
	static const int64_t stale_s[4] = {30, 90, 900, 0};
	const uint8_t *p = data, *end = data + size;
	struct lsm m;
	memset(&m, 0, sizeof(m));
	uint8_t c = lsm_byte(&p, end);
	m.p.down_after_ms = after_s[c & 3] * 1000;
	m.p.up_after_ms = after_s[(c >> 2) & 3] * 1000;
	m.p.flap_transitions = (c >> 4) & 3 ? ((c >> 4) & 3) * 2 - 1 : 0; /* 0, 1, 3, 5 */
	m.p.flap_window_ms = (c & 0x40) ? 600000 : 60000;
	m.p.alert_never_up = (c & 0x80) != 0;
	m.ls = np_ls_new(&m.p);
	/* Group: which sources share links, and how long their batches may take. */
	uint8_t g = lsm_byte(&p, end);
	for (int i = 0; i < LSM_SOURCES; i++)
		if (g & (1 << i))
			np_ls_source_set(m.ls, lsm_srcs[i], "g",
			                 (int64_t)((g >> 3) & 7) * 10000 + 5000);
	LSM_T("params down_after=%lld up_after=%lld flap=%d/%lld never_up=%d\n",
	      (long long)m.p.down_after_ms, (long long)m.p.up_after_ms, m.p.flap_transitions,
	      (long long)m.p.flap_window_ms, m.p.alert_never_up);
	m.now = 1000000;
	m.deadline = INT64_MAX;
	for (int i = 0; i < LSM_LINKS; i++)
		m.l[i].last_ev_ms = INT64_MIN;

	while (p < end) {
		uint8_t op = lsm_byte(&p, end);
		switch (op & 3) {
		case 0: { /* observe */
			uint8_t a = lsm_byte(&p, end);
			int li = a & 3, si = (a >> 2) % LSM_SOURCES;
			enum np_link_obs v = (a & 0x10) ? NP_LINK_UP : NP_LINK_DOWN;
			if ((op >> 6) == 3) /* the interface was deleted */
				v = (a & 0x10) ? NP_LINK_GONE_ALERT : NP_LINK_GONE;
			enum np_ever_up ev = (enum np_ever_up)((a >> 5) % 3);
			int64_t t = m.now - ((op >> 2) & 3) * 1000; /* a little late, sometimes */
			int64_t st = stale_s[(op >> 4) & 3] * 1000;
			LSM_T("  observe %s %s %s ever=%d t=%lld stale=%lld\n", lsm_devs[li],
			      lsm_srcs[si],
			      v == NP_LINK_UP     ? "up"
			      : v == NP_LINK_DOWN ? "down"
			                          : "gone",
			      ev, (long long)t, (long long)st);
			np_ls_observe(m.ls, lsm_devs[li], "", lsm_srcs[si], v, ev, t, st);
			if (v == NP_LINK_UP || (ev == NP_EVER_YES && v == NP_LINK_DOWN))
				m.l[li].ever_up = true;
			m.observed = true;
			break;
		}
		case 1: { /* a complete batch of one source, its failing, or forgetting */
			int si = (op >> 2) & 3, k = (op >> 4) & 3;
			if (si == 3) {
				lsm_forget(&m, (int64_t)k * 30000);
			} else if (k == 3) {
				m.failing[si] = !m.failing[si];
				LSM_T("  %s failing=%d\n", lsm_srcs[si], m.failing[si]);
				np_ls_source_failing(m.ls, lsm_srcs[si], m.failing[si]);
				m.observed = true;
			} else {
				LSM_T("  complete %s %lld\n", lsm_srcs[si], (long long)m.now);
				np_ls_source_complete(m.ls, lsm_srcs[si], m.now);
				m.observed = true;
			}
			break;
		}
		case 2:
			lsm_evaluate(&m);
			break;
		case 3: /* time passes; sometimes exactly to the next deadline */
			if ((op & 4) && m.deadline != INT64_MAX && !m.observed)
				m.now = m.deadline;
			else
				m.now += (int64_t)(op >> 3) * 5000 + 1000;
			break;
		}
	}
	lsm_evaluate(&m);
	size_t n = m.events;
	np_ls_free(m.ls);
	return n;
}

#endif
