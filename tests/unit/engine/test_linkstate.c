/*
 * Link-state engine with an injected clock. Most cases are scripts: observations, complete
 * batches and evaluations at given times, with the exact events each evaluation must emit.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/linkstate.h"
#include "util/xmalloc.h"

#define LSM_FAIL(msg) fail_msg("%s", msg)
#include "ls_model.h"

#define S(x) ((int64_t)(x)*1000)
#define STALE_S 900      /* 3 x a 300 s cycle */
#define RESTORED S(1020) /* restart time of the restore tests */

/* ---- recording events ---- */

struct rec_ev {
	char device[64], interface[32], sources[128];
	bool transition;
	enum np_state from, to;
	int64_t time_ms;
	enum np_alert_kind alert;
	int64_t outage_start_ms, outage_ms;
	bool flapping;
};

struct rec {
	struct rec_ev ev[512];
	size_t n;
};

static void
rec_fn(const struct np_ls_event *e, void *arg)
{
	struct rec *r = arg;
	if (r->n >= sizeof(r->ev) / sizeof(r->ev[0]))
		fail_msg("too many events");
	struct rec_ev *x = &r->ev[r->n++];
	snprintf(x->device, sizeof(x->device), "%s", e->device);
	snprintf(x->interface, sizeof(x->interface), "%s", e->interface);
	snprintf(x->sources, sizeof(x->sources), "%s", e->sources);
	x->transition = e->transition;
	x->from = e->from;
	x->to = e->to;
	x->time_ms = e->time_ms;
	x->alert = e->alert;
	x->outage_start_ms = e->outage_start_ms;
	x->outage_ms = e->outage_ms;
	x->flapping = e->flapping;
}

static const struct np_ls_params defparams = {
    .down_after_ms = 0,
    .up_after_ms = 0,
    .flap_transitions = 5,
    .flap_window_ms = S(600),
    .alert_never_up = false,
};

/* ---- scripts ---- */

enum op { END, OBS, DONE, EVAL };

struct step {
	enum op op;
	const char *src;
	enum np_link_obs v;
	enum np_ever_up ever;
	int t; /* seconds */
};

struct want {
	int at; /* the evaluation (its time, s) that emits it */
	enum np_state from, to;
	int t;
	enum np_alert_kind alert;
	int outage; /* s, -1 = none */
	const char *sources;
	bool notice; /* FLAPSTOP-style notice, not a transition */
	bool flapping;
};

struct scenario {
	const char *name;
	struct np_ls_params p;
	struct step steps[48];
	struct want wants[16];
};

#define O(src, v, t)                                                                               \
	{                                                                                          \
		OBS, src, NP_LINK_##v, NP_EVER_UNKNOWN, t                                          \
	}
#define OE(src, v, ever, t)                                                                        \
	{                                                                                          \
		OBS, src, NP_LINK_##v, NP_EVER_##ever, t                                           \
	}
#define C(src, t)                                                                                  \
	{                                                                                          \
		DONE, src, NP_LINK_NONE, NP_EVER_UNKNOWN, t                                        \
	}
#define E(t)                                                                                       \
	{                                                                                          \
		EVAL, NULL, NP_LINK_NONE, NP_EVER_UNKNOWN, t                                       \
	}
#define P(down_s, up_s, never)                                                                     \
	{                                                                                          \
		S(down_s), S(up_s), 5, S(600), never                                               \
	}
#define DEF P(0, 0, false)
#define W(at, from, to, t, alert, outage, sources)                                                 \
	{                                                                                          \
		at, NP_ST_##from, NP_ST_##to, t, NP_AL_##alert, outage, sources, false, false      \
	}

static struct np_ls_params
params(int64_t down_after_s, int64_t up_after_s, bool never_up)
{
	struct np_ls_params p = defparams;
	p.down_after_ms = S(down_after_s);
	p.up_after_ms = S(up_after_s);
	p.alert_never_up = never_up;
	return p;
}

static const struct scenario scenarios[] = {
    {"first sight up: event, no alert",
     DEF,
     {O("a", UP, 10), E(10), O("a", UP, 70), E(70)},
     {W(10, UNKNOWN, UP, 10, NONE, -1, "a")}},
    {"first sight down of a never-up link: event, no alert",
     DEF,
     {O("a", DOWN, 10), E(10), O("a", DOWN, 70), E(70)},
     {W(10, UNKNOWN, DOWN, 10, NONE, -1, "a")}},
    {"up -> down -> up",
     DEF,
     {O("a", UP, 10), E(10), O("a", DOWN, 70), E(70), O("a", DOWN, 130), E(130), O("a", UP, 190),
      E(190)},
     {W(10, UNKNOWN, UP, 10, NONE, -1, "a"), W(70, UP, DOWN, 70, IFDOWN, -1, "a"),
      W(190, DOWN, UP, 190, IFUP, 120, "a")}},
    {"collector move, one evaluation per cycle",
     DEF,
     {O("a", UP, 0), E(0), O("a", DOWN, 300), O("b", UP, 300), E(300), O("a", DOWN, 600),
      O("b", UP, 600), E(600)},
     {W(0, UNKNOWN, UP, 0, NONE, -1, "a")}},
    {"collector move, new collector's batch first",
     DEF,
     {O("a", UP, 0), E(0), O("b", UP, 300), E(300), O("a", DOWN, 301), E(301)},
     {W(0, UNKNOWN, UP, 0, NONE, -1, "a")}},
    {"collector move, old collector first, covered by down_after",
     P(60, 0, false),
     {O("a", UP, 0), E(0), O("a", DOWN, 300), E(300), O("b", UP, 302), E(302), E(400)},
     {W(0, UNKNOWN, UP, 0, NONE, -1, "a")}},
    {"down only when every fresh observer says down",
     DEF,
     {O("a", UP, 0), O("b", DOWN, 0), E(0), O("b", DOWN, 300), E(300), E(899), E(900), E(1200)},
     {W(0, UNKNOWN, UP, 0, NONE, -1, "a"), W(900, UP, DOWN, 900, IFDOWN, -1, "b"),
      W(1200, DOWN, STALE, 1200, STALE, 300, "b")}},
    {"up decided by the up observers only, sorted",
     DEF,
     {O("c", UP, 10), O("b", DOWN, 10), O("a", UP, 10), E(10)},
     {W(10, UNKNOWN, UP, 10, NONE, -1, "a,c")}},
    {"complete batch without the link: its observer is no longer fresh",
     DEF,
     {O("a", UP, 0), O("b", DOWN, 0), C("a", 0), C("b", 0), E(0), O("b", DOWN, 300), C("b", 300),
      C("a", 300), E(300)},
     {W(0, UNKNOWN, UP, 0, NONE, -1, "a"), W(300, UP, DOWN, 300, IFDOWN, -1, "b")}},
    {"without the complete batch the old up stays fresh",
     DEF,
     {O("a", UP, 0), O("b", DOWN, 0), E(0), O("b", DOWN, 300), E(300)},
     {W(0, UNKNOWN, UP, 0, NONE, -1, "a")}},
    {"complete batch listing the link keeps it; one leaving it out makes it stale",
     DEF,
     {O("a", UP, 0), C("a", 0), E(0), O("a", UP, 300), C("a", 300), E(300), C("a", 600), E(600),
      E(2000)},
     {W(0, UNKNOWN, UP, 0, NONE, -1, "a"), W(600, UP, STALE, 600, STALE, -1, "a")}},
    {"all sources silent: stale once, at the end of the last freshness",
     DEF,
     {O("a", UP, 0), O("b", UP, 100), E(100), E(950), E(999), E(1000), E(2000), E(5000)},
     {W(100, UNKNOWN, UP, 0, NONE, -1, "a,b"), W(1000, UP, STALE, 1000, STALE, -1, "b")}},
    {"down -> stale -> up alerts IFUP",
     DEF,
     {O("a", UP, 0), E(0), O("a", DOWN, 60), E(60), E(960), O("a", UP, 1200), E(1200)},
     {W(0, UNKNOWN, UP, 0, NONE, -1, "a"), W(60, UP, DOWN, 60, IFDOWN, -1, "a"),
      W(960, DOWN, STALE, 960, STALE, 900, "a"), W(1200, STALE, UP, 1200, IFUP, -1, "a")}},
    {"down -> stale -> down: no second IFDOWN",
     DEF,
     {O("a", UP, 0), E(0), O("a", DOWN, 60), E(60), E(960), O("a", DOWN, 1200), E(1200)},
     {W(0, UNKNOWN, UP, 0, NONE, -1, "a"), W(60, UP, DOWN, 60, IFDOWN, -1, "a"),
      W(960, DOWN, STALE, 960, STALE, 900, "a"), W(1200, STALE, DOWN, 1200, NONE, -1, "a")}},
    {"up -> stale -> down alerts IFDOWN",
     DEF,
     {O("a", UP, 0), E(0), E(900), O("a", DOWN, 1000), E(1000)},
     {W(0, UNKNOWN, UP, 0, NONE, -1, "a"), W(900, UP, STALE, 900, STALE, -1, "a"),
      W(1000, STALE, DOWN, 1000, IFDOWN, -1, "a")}},
    {"up -> stale -> up is quiet",
     DEF,
     {O("a", UP, 0), E(0), E(900), O("a", UP, 1000), E(1000)},
     {W(0, UNKNOWN, UP, 0, NONE, -1, "a"), W(900, UP, STALE, 900, STALE, -1, "a"),
      W(1000, STALE, UP, 1000, NONE, -1, "a")}},
    {"debounce: flip back within down_after emits nothing",
     P(30, 0, false),
     {O("a", UP, 0), E(0), O("a", DOWN, 10), E(10), O("a", DOWN, 20), E(20), O("a", UP, 30), E(30),
      O("a", UP, 40), E(40), E(100)},
     {W(0, UNKNOWN, UP, 0, NONE, -1, "a")}},
    {"debounce: sustained down is declared from its first observation",
     P(30, 0, false),
     {O("a", UP, 0), E(0), O("a", DOWN, 10), E(10), O("a", DOWN, 20), E(20), O("a", DOWN, 30),
      E(30), O("a", DOWN, 40), E(40), O("a", UP, 50), E(50)},
     {W(0, UNKNOWN, UP, 0, NONE, -1, "a"), W(40, UP, DOWN, 10, IFDOWN, -1, "a"),
      W(50, DOWN, UP, 50, IFUP, 40, "a")}},
    {"debounce: confirmed by the deadline alone",
     P(30, 0, false),
     {O("a", UP, 0), E(0), O("a", DOWN, 10), E(10), E(39), E(40)},
     {W(0, UNKNOWN, UP, 0, NONE, -1, "a"), W(40, UP, DOWN, 10, IFDOWN, -1, "a")}},
    {"debounce: down, briefly up, down again restarts the wait",
     P(30, 0, false),
     {O("a", UP, 0), E(0), O("a", DOWN, 10), E(10), O("a", UP, 20), E(20), O("a", DOWN, 25), E(25),
      E(40), E(54), E(55)},
     {W(0, UNKNOWN, UP, 0, NONE, -1, "a"), W(55, UP, DOWN, 25, IFDOWN, -1, "a")}},
    {"up_after: outage ends at the first up observation",
     P(0, 60, false),
     {OE("a", DOWN, YES, 10), E(10), O("a", UP, 100), E(100), O("a", DOWN, 130), E(130),
      O("a", UP, 200), E(200), E(259), E(260)},
     {W(10, UNKNOWN, DOWN, 10, IFDOWN, -1, "a"), W(260, DOWN, UP, 200, IFUP, 190, "a")}},
    {"never-up link stays quiet, also when it goes stale (no outage: no IFDOWN was sent)",
     DEF,
     {OE("a", DOWN, NO, 10), E(10), OE("a", DOWN, NO, 70), E(70), E(970)},
     {W(10, UNKNOWN, DOWN, 10, NONE, -1, "a"), W(970, DOWN, STALE, 970, NONE, -1, "a")}},
    {"never-up link alerts with alert_never_up",
     P(0, 0, true),
     {OE("a", DOWN, NO, 10), E(10), E(910)},
     {W(10, UNKNOWN, DOWN, 10, IFDOWN, -1, "a"), W(910, DOWN, STALE, 910, STALE, 900, "a")}},
    {"source says it was up before (NP_EVER_YES): first sight down alerts",
     DEF,
     {OE("a", DOWN, YES, 10), E(10)},
     {W(10, UNKNOWN, DOWN, 10, IFDOWN, -1, "a")}},
    {"NP_EVER_YES from one source counts for the link",
     DEF,
     {OE("b", DOWN, YES, 5), OE("a", DOWN, NO, 10), E(10)},
     {W(10, UNKNOWN, DOWN, 5, IFDOWN, -1, "a,b")}},
    {"never-up link coming up: no IFUP, no outage (no IFDOWN was sent); then it alerts",
     DEF,
     {OE("a", DOWN, NO, 10), E(10), O("a", UP, 70), E(70), O("a", DOWN, 130), E(130),
      O("a", UP, 190), E(190)},
     {W(10, UNKNOWN, DOWN, 10, NONE, -1, "a"), W(70, DOWN, UP, 70, NONE, -1, "a"),
      W(130, UP, DOWN, 130, IFDOWN, -1, "a"), W(190, DOWN, UP, 190, IFUP, 60, "a")}},
    {"never-up link up after a stale spell: no IFUP either",
     DEF,
     {OE("a", DOWN, NO, 10), E(10), E(910), O("a", UP, 1000), E(1000)},
     {W(10, UNKNOWN, DOWN, 10, NONE, -1, "a"), W(910, DOWN, STALE, 910, NONE, -1, "a"),
      W(1000, STALE, UP, 1000, NONE, -1, "a")}},
    {"never-up link with alert_never_up: IFDOWN, so IFUP with its outage",
     P(0, 0, true),
     {OE("a", DOWN, NO, 10), E(10), O("a", UP, 70), E(70)},
     {W(10, UNKNOWN, DOWN, 10, IFDOWN, -1, "a"), W(70, DOWN, UP, 70, IFUP, 60, "a")}},
    {"never-up link the source then says was up: the quiet down period stays quiet",
     DEF,
     {OE("a", DOWN, NO, 10), E(10), OE("a", DOWN, YES, 70), E(70), O("a", UP, 130), E(130)},
     {W(10, UNKNOWN, DOWN, 10, NONE, -1, "a"), W(130, DOWN, UP, 130, NONE, -1, "a")}},
    {"an observation older than the source's last one is ignored",
     DEF,
     {O("a", UP, 100), E(100), O("a", DOWN, 50), E(101)},
     {W(100, UNKNOWN, UP, 100, NONE, -1, "a")}},
    {"a late batch from another source starts the look at its own time",
     DEF,
     {OE("a", DOWN, YES, 900), E(1000), O("b", UP, 950), E(1001)},
     {W(1000, UNKNOWN, DOWN, 900, IFDOWN, -1, "a"), W(1001, DOWN, UP, 950, IFUP, 50, "b")}},
    {"back from stale to the previous state without debounce, to a new one with it",
     P(30, 30, false),
     {O("a", UP, 0), E(0), O("a", DOWN, 60), E(60), E(90), E(960), O("a", DOWN, 1200), E(1200),
      E(1500), E(2100), O("a", UP, 2200), E(2200), E(2229), E(2230)},
     {W(0, UNKNOWN, UP, 0, NONE, -1, "a"), W(90, UP, DOWN, 60, IFDOWN, -1, "a"),
      W(960, DOWN, STALE, 960, STALE, 900, "a"), W(1200, STALE, DOWN, 1200, NONE, -1, "a"),
      W(2100, DOWN, STALE, 2100, STALE, 900, "a"), W(2230, STALE, UP, 2200, IFUP, -1, "a")}},
    {"observations between two evaluations collapse into the last look",
     DEF,
     {O("a", UP, 0), E(0), O("a", DOWN, 60), O("a", UP, 120), E(120)},
     {W(0, UNKNOWN, UP, 0, NONE, -1, "a")}},
};

static void
check_event(const char *name, size_t k, const struct rec_ev *e, const struct want *w)
{
	bool ok = e->from == w->from && e->to == w->to && e->time_ms == S(w->t) &&
	          e->alert == w->alert && e->transition == !w->notice &&
	          e->flapping == w->flapping &&
	          e->outage_ms == (w->outage < 0 ? -1 : S(w->outage)) &&
	          strcmp(e->sources, w->sources) == 0;
	if (!ok)
		fail_msg("%s: event %zu: %s->%s t=%lld alert=%s outage_ms=%lld sources='%s' "
		         "transition=%d flapping=%d; want %s->%s t=%d alert=%s outage=%d "
		         "sources='%s'",
		         name, k, np_state_names[e->from], np_state_names[e->to],
		         (long long)e->time_ms, np_alert_names[e->alert], (long long)e->outage_ms,
		         e->sources, e->transition, e->flapping, np_state_names[w->from],
		         np_state_names[w->to], w->t, np_alert_names[w->alert], w->outage,
		         w->sources);
}

static void
run_scenario(const struct scenario *sc)
{
	struct np_ls *ls = np_ls_new(&sc->p);
	struct rec *r = np_xcalloc(1, sizeof(*r));
	size_t nw = 0;
	while (nw < sizeof(sc->wants) / sizeof(sc->wants[0]) && sc->wants[nw].sources != NULL)
		nw++;
	size_t checked = 0;

	for (size_t i = 0; i < sizeof(sc->steps) / sizeof(sc->steps[0]); i++) {
		const struct step *s = &sc->steps[i];
		if (s->op == END)
			break;
		if (s->op == OBS) {
			np_ls_observe(ls, "dev", "if", s->src, s->v, s->ever, S(s->t), S(STALE_S));
			continue;
		}
		if (s->op == DONE) {
			np_ls_source_complete(ls, s->src, S(s->t));
			continue;
		}
		size_t before = r->n;
		np_ls_evaluate(ls, S(s->t), rec_fn, r);
		size_t want_here = 0;
		for (size_t j = 0; j < nw; j++)
			if (sc->wants[j].at == s->t)
				want_here++;
		if (r->n - before != want_here)
			fail_msg(
			    "%s: evaluation at %d s emitted %zu events, want %zu (first: %s->%s)",
			    sc->name, s->t, r->n - before, want_here,
			    r->n > before ? np_state_names[r->ev[before].from] : "-",
			    r->n > before ? np_state_names[r->ev[before].to] : "-");
		for (size_t j = 0, k = before; j < nw; j++)
			if (sc->wants[j].at == s->t) {
				check_event(sc->name, k, &r->ev[k], &sc->wants[j]);
				assert_string_equal(r->ev[k].device, "dev");
				assert_string_equal(r->ev[k].interface, "if");
				k++;
				checked++;
			}
	}
	if (checked != nw)
		fail_msg("%s: %zu of %zu wanted events were checked", sc->name, checked, nw);
	free(r);
	np_ls_free(ls);
}

static void
test_scenarios(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		run_scenario(&scenarios[i]);
}

/* ---- outage bookkeeping on the events ---- */

static void
test_outage_fields(void **state)
{
	(void)state;
	struct np_ls *ls = np_ls_new(&defparams);
	struct rec *r = np_xcalloc(1, sizeof(*r));
	np_ls_observe(ls, "d", "i", "a", NP_LINK_UP, NP_EVER_UNKNOWN, S(10), S(900));
	np_ls_evaluate(ls, S(10), rec_fn, r);
	np_ls_observe(ls, "d", "i", "a", NP_LINK_DOWN, NP_EVER_UNKNOWN, S(70), S(900));
	np_ls_evaluate(ls, S(70), rec_fn, r);
	np_ls_observe(ls, "d", "i", "a", NP_LINK_UP, NP_EVER_UNKNOWN, S(100), S(900));
	np_ls_evaluate(ls, S(100), rec_fn, r);
	assert_int_equal(r->n, 3);
	assert_int_equal(r->ev[0].outage_start_ms, 0);
	assert_int_equal(r->ev[0].outage_ms, -1);
	assert_int_equal(r->ev[1].outage_start_ms, S(70)); /* into down: its start */
	assert_int_equal(r->ev[1].outage_ms, -1);
	assert_int_equal(r->ev[2].outage_start_ms, S(70)); /* out of down: the ended one */
	assert_int_equal(r->ev[2].outage_ms, S(30));
	free(r);
	np_ls_free(ls);
}

/* ---- flapping ---- */

/* Alternates the link every `step` seconds from `t0`, evaluating after each observation. */
static int
alternate(struct np_ls *ls, struct rec *r, int t0, int step, int changes)
{
	int t = t0;
	for (int i = 1; i <= changes; i++) {
		t = t0 + i * step;
		enum np_link_obs v = (i % 2) ? NP_LINK_DOWN : NP_LINK_UP;
		np_ls_observe(ls, "d", "", "a", v, NP_EVER_UNKNOWN, S(t), S(900));
		np_ls_evaluate(ls, S(t), rec_fn, r);
	}
	return t;
}

static void
test_flapping(void **state)
{
	(void)state;
	struct np_ls *ls = np_ls_new(&defparams); /* more than 5 changes in 600 s */
	struct rec *r = np_xcalloc(1, sizeof(*r));
	np_ls_observe(ls, "d", "", "a", NP_LINK_UP, NP_EVER_UNKNOWN, S(0), S(900));
	np_ls_evaluate(ls, S(0), rec_fn, r);
	/* Changes at 60 (down), 120 (up), ..., 480 (up): 8 changes. */
	int last = alternate(ls, r, 0, 60, 8);
	assert_int_equal(last, 480);
	assert_int_equal(r->n, 9);
	enum np_alert_kind want[9] = {NP_AL_NONE,     NP_AL_IFDOWN, NP_AL_IFUP,
	                              NP_AL_IFDOWN,   NP_AL_IFUP,   NP_AL_IFDOWN,
	                              NP_AL_FLAPPING, NP_AL_NONE,   NP_AL_NONE};
	for (int i = 0; i < 9; i++) {
		assert_int_equal(r->ev[i].alert, want[i]);
		assert_true(r->ev[i].transition);
		assert_int_equal(r->ev[i].time_ms, S(i * 60));
		assert_int_equal(r->ev[i].flapping, i >= 6);
	}
	/* Suppressed changes still carry the downtime: down at 420, up at 480. */
	assert_int_equal(r->ev[8].from, NP_ST_DOWN);
	assert_int_equal(r->ev[8].outage_ms, S(60));
	assert_int_equal(np_ls_next_deadline(ls), S(480 + 600));

	/* Stable up, observed every minute: FLAPSTOP once, when the window has passed. */
	for (int t = 540; t <= 1200; t += 60) {
		np_ls_observe(ls, "d", "", "a", NP_LINK_UP, NP_EVER_UNKNOWN, S(t), S(900));
		np_ls_evaluate(ls, S(t), rec_fn, r);
		assert_int_equal(r->n, t < 1080 ? 9 : 10);
	}
	const struct rec_ev *e = &r->ev[9];
	assert_int_equal(e->alert, NP_AL_FLAPSTOP);
	assert_false(e->transition);
	assert_int_equal(e->from, NP_ST_UP);
	assert_int_equal(e->to, NP_ST_UP);
	assert_int_equal(e->time_ms, S(1080));
	assert_false(e->flapping);
	assert_string_equal(e->sources, "a");

	/* After the stop, a change alerts normally again. */
	np_ls_observe(ls, "d", "", "a", NP_LINK_DOWN, NP_EVER_UNKNOWN, S(1260), S(900));
	np_ls_evaluate(ls, S(1260), rec_fn, r);
	assert_int_equal(r->n, 11);
	assert_int_equal(r->ev[10].alert, NP_AL_IFDOWN);
	assert_false(r->ev[10].flapping);
	free(r);
	np_ls_free(ls);
}

static void
test_flapping_window_edges(void **state)
{
	(void)state;
	struct {
		int step; /* s between changes */
		bool flaps;
	} rows[] = {
	    {119, true},  /* 6 changes over 595 s < 600 s */
	    {120, false}, /* 6 changes over exactly 600 s: not within */
	    {150, false},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct np_ls *ls = np_ls_new(&defparams);
		struct rec *r = np_xcalloc(1, sizeof(*r));
		np_ls_observe(ls, "d", "", "a", NP_LINK_UP, NP_EVER_UNKNOWN, S(0), S(900));
		np_ls_evaluate(ls, S(0), rec_fn, r);
		alternate(ls, r, 0, rows[i].step, 6);
		assert_int_equal(r->n, 7);
		size_t flapping = 0;
		for (size_t k = 0; k < r->n; k++)
			flapping += r->ev[k].alert == NP_AL_FLAPPING;
		if (flapping != (rows[i].flaps ? 1 : 0) || r->ev[6].flapping != rows[i].flaps)
			fail_msg("step %d s: %zu FLAPPING alerts", rows[i].step, flapping);
		free(r);
		np_ls_free(ls);
	}
}

/* A FLAPSTOP that fell due before a later change is emitted first, at its own time. */
static void
test_flapstop_before_change(void **state)
{
	(void)state;
	struct np_ls *ls = np_ls_new(&defparams);
	struct rec *r = np_xcalloc(1, sizeof(*r));
	np_ls_observe(ls, "d", "", "a", NP_LINK_UP, NP_EVER_UNKNOWN, S(0), S(100000));
	np_ls_evaluate(ls, S(0), rec_fn, r);
	alternate(ls, r, 0, 10, 6); /* flapping from the 6th change, at 60, state up */
	assert_int_equal(r->n, 7);
	assert_int_equal(r->ev[6].alert, NP_AL_FLAPPING);
	/* Nobody evaluates until 2000, when the link is seen down. */
	np_ls_observe(ls, "d", "", "a", NP_LINK_DOWN, NP_EVER_UNKNOWN, S(2000), S(100000));
	np_ls_evaluate(ls, S(2000), rec_fn, r);
	assert_int_equal(r->n, 9);
	assert_int_equal(r->ev[7].alert, NP_AL_FLAPSTOP);
	assert_int_equal(r->ev[7].time_ms, S(660));
	assert_int_equal(r->ev[8].alert, NP_AL_IFDOWN);
	assert_int_equal(r->ev[8].time_ms, S(2000));
	free(r);
	np_ls_free(ls);
}

/* ---- the synthetic multi-FC scenario, read from its fixture files ---- */

static const int64_t cycle_s[3] = {1700000000, 1700000300, 1700000600};

static int
column(char *header, const char *name)
{
	int i = 0;
	for (char *f; (f = strsep(&header, "\t")) != NULL; i++)
		if (strcmp(f, name) == 0)
			return i;
	fail_msg("column '%s' not found", name);
	return -1;
}

/* Feeds one FC's file: each exporter is up if Current NetFlow bps > 0. */
static void
feed_fc(struct np_ls *ls, const char *fc, const char *file, int64_t t_ms)
{
	char *rel = np_xasprintf("fc_device_stats/synthetic/%s", file);
	char *path = np_test_fixture(rel);
	char *text = np_test_read_file(path, NULL);
	char *p = text;
	char *line = strsep(&p, "\n");
	char *hdr = np_xstrdup(line);
	int c_addr = column(hdr, "Exporter Address");
	free(hdr);
	hdr = np_xstrdup(line);
	int c_active = column(hdr, "Last Active");
	free(hdr);
	hdr = np_xstrdup(line);
	int c_bps = column(hdr, "Current NetFlow bps");
	free(hdr);
	size_t rows = 0;
	while ((line = strsep(&p, "\n")) != NULL) {
		if (*line == '\0')
			continue;
		const char *addr = NULL;
		long long active = 0;
		double bps = 0;
		int i = 0;
		for (char *f; (f = strsep(&line, "\t")) != NULL; i++) {
			if (i == c_addr)
				addr = f;
			else if (i == c_active)
				active = atoll(f);
			else if (i == c_bps)
				bps = atof(f);
		}
		assert_non_null(addr);
		np_ls_observe(ls, addr, "", fc, bps > 0 ? NP_LINK_UP : NP_LINK_DOWN,
		              active > 0 ? NP_EVER_YES : NP_EVER_NO, t_ms, S(3 * 300));
		rows++;
	}
	assert_true(rows >= 2);
	np_ls_source_complete(ls, fc, t_ms);
	free(text);
	free(path);
	free(rel);
}

static const struct rec_ev *
find_event(const struct rec *r, size_t from, size_t to, const char *device)
{
	const struct rec_ev *found = NULL;
	for (size_t i = from; i < to; i++)
		if (strcmp(r->ev[i].device, device) == 0) {
			if (found != NULL)
				fail_msg("two events for %s", device);
			found = &r->ev[i];
		}
	return found;
}

static void
expect(const struct rec *r, const size_t *mark, int cycle, const char *device,
       enum np_state st_from, enum np_state st_to, int64_t t_s, enum np_alert_kind alert,
       int64_t outage_s, const char *sources)
{
	const struct rec_ev *e = find_event(r, mark[cycle], mark[cycle + 1], device);
	if (e == NULL)
		fail_msg("no event for %s", device);
	if (e->from != st_from || e->to != st_to || e->time_ms != S(t_s) || e->alert != alert ||
	    e->outage_ms != (outage_s < 0 ? -1 : S(outage_s)) || strcmp(e->sources, sources) != 0)
		fail_msg("%s: %s->%s t=%lld alert=%s outage_ms=%lld sources=%s", device,
		         np_state_names[e->from], np_state_names[e->to], (long long)e->time_ms,
		         np_alert_names[e->alert], (long long)e->outage_ms, e->sources);
}

/* mode 0: evaluate once per cycle; 1: after each batch, FC-B first. */
static void
run_synthetic(int mode)
{
	struct np_ls *ls = np_ls_new(&defparams);
	struct rec *r = np_xcalloc(1, sizeof(*r));
	size_t mark[4] = {0};
	for (int c = 0; c < 3; c++) {
		char fa[32], fb[32];
		snprintf(fa, sizeof(fa), "fcA_cycle%d.txt", c + 1);
		snprintf(fb, sizeof(fb), "fcB_cycle%d.txt", c + 1);
		int64_t t = S(cycle_s[c]);
		mark[c] = r->n;
		if (mode == 0) {
			feed_fc(ls, "fc-a", fa, t);
			feed_fc(ls, "fc-b", fb, t);
			np_ls_evaluate(ls, t, rec_fn, r);
		} else {
			feed_fc(ls, "fc-b", fb, t);
			np_ls_evaluate(ls, t, rec_fn, r);
			feed_fc(ls, "fc-a", fa, t + 5000);
			np_ls_evaluate(ls, t + 5000, rec_fn, r);
		}
	}
	mark[3] = r->n;

	/* cycle 1: first sight of the four exporters, no alert. */
	assert_int_equal(mark[1] - mark[0], 4);
	int64_t t1 = cycle_s[0];
	int64_t ta = mode == 0 ? t1 : t1 + 5;
	expect(r, mark, 0, "192.0.2.10", NP_ST_UNKNOWN, NP_ST_UP, ta, NP_AL_NONE, -1, "fc-a");
	expect(r, mark, 0, "192.0.2.20", NP_ST_UNKNOWN, NP_ST_UP, ta, NP_AL_NONE, -1, "fc-a");
	expect(r, mark, 0, "192.0.2.30", NP_ST_UNKNOWN, NP_ST_UP, t1, NP_AL_NONE, -1, "fc-b");
	expect(r, mark, 0, "192.0.2.40", NP_ST_UNKNOWN, NP_ST_DOWN, t1, NP_AL_NONE, -1,
	       mode == 0 ? "fc-a,fc-b" : "fc-b");
	/* cycle 2: only 192.0.2.20 goes down; 192.0.2.10's move to FC-B is no event. */
	assert_int_equal(mark[2] - mark[1], 1);
	int64_t t2a = mode == 0 ? cycle_s[1] : cycle_s[1] + 5;
	expect(r, mark, 1, "192.0.2.20", NP_ST_UP, NP_ST_DOWN, t2a, NP_AL_IFDOWN, -1, "fc-a");
	/* cycle 3: 192.0.2.20 back via FC-B (300 s down by cycle sampling), 192.0.2.50 new. */
	assert_int_equal(mark[3] - mark[2], 2);
	int64_t t3 = cycle_s[2];
	expect(r, mark, 2, "192.0.2.20", NP_ST_DOWN, NP_ST_UP, t3, NP_AL_IFUP, t3 - t2a, "fc-b");
	expect(r, mark, 2, "192.0.2.50", NP_ST_UNKNOWN, NP_ST_UP, t3, NP_AL_NONE, -1, "fc-b");
	/* 192.0.2.40, never active, stayed quiet throughout. */
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->ev[i].device, "192.0.2.40") == 0)
			assert_int_equal(r->ev[i].alert, NP_AL_NONE);
	assert_int_equal(np_ls_count(ls), 5);
	free(r);
	np_ls_free(ls);
}

static void
test_synthetic_fc_per_cycle(void **state)
{
	(void)state;
	run_synthetic(0);
}

static void
test_synthetic_fc_per_batch(void **state)
{
	(void)state;
	run_synthetic(1);
}

/* ---- restore ---- */

struct saved_copy {
	char device[64], interface[32], sources[128];
	struct np_ls_saved s;
};

struct saved_rec {
	struct saved_copy v[64];
	size_t n;
};

static void
saved_fn(const struct np_ls_saved *s, void *arg)
{
	struct saved_rec *r = arg;
	assert_true(r->n < 64);
	struct saved_copy *c = &r->v[r->n++];
	snprintf(c->device, sizeof(c->device), "%s", s->device);
	snprintf(c->interface, sizeof(c->interface), "%s", s->interface);
	snprintf(c->sources, sizeof(c->sources), "%s", s->sources ? s->sources : "");
	c->s = *s;
}

static struct np_ls_saved
saved(enum np_state st, int64_t since_s, enum np_state last_known, bool ever_up,
      int64_t outage_start_s, const char *sources)
{
	struct np_ls_saved s = {
	    .device = "dev",
	    .interface = "if",
	    .state = st,
	    .since_ms = S(since_s),
	    .last_known = last_known,
	    .ever_up = ever_up,
	    .outage_start_ms = S(outage_start_s),
	    .pending = NP_ST_UNKNOWN,
	    .sources = sources,
	};
	return s;
}

static void
obs_eval(struct np_ls *ls, struct rec *r, const char *src, enum np_link_obs v, int t)
{
	np_ls_observe(ls, "dev", "if", src, v, NP_EVER_UNKNOWN, S(t), S(900));
	np_ls_evaluate(ls, S(t), rec_fn, r);
}

static void
test_restore_down_then_up(void **state)
{
	(void)state;
	struct np_ls *ls = np_ls_new(&defparams);
	struct rec *r = np_xcalloc(1, sizeof(*r));
	struct saved_rec *sr = np_xcalloc(1, sizeof(*sr));
	struct np_ls_saved s = saved(NP_ST_DOWN, 1000, NP_ST_DOWN, true, 1000, "a");
	np_ls_restore(ls, &s, RESTORED, S(STALE_S));
	assert_int_equal(np_ls_count(ls), 1);
	/* Nothing at restore: no event, nothing dirty; the restored observer expires
	 * stale_after after the restart. */
	np_ls_evaluate(ls, S(1500), rec_fn, r);
	assert_int_equal(r->n, 0);
	np_ls_drain_dirty(ls, saved_fn, sr);
	assert_int_equal(sr->n, 0);
	assert_int_equal(np_ls_next_deadline(ls), RESTORED + S(STALE_S));
	/* Agreeing observation: nothing. */
	obs_eval(ls, r, "a", NP_LINK_DOWN, 1800);
	assert_int_equal(r->n, 0);
	/* Disagreeing: IFUP with the outage counted from the restored start. */
	obs_eval(ls, r, "a", NP_LINK_UP, 1900);
	assert_int_equal(r->n, 1);
	assert_int_equal(r->ev[0].from, NP_ST_DOWN);
	assert_int_equal(r->ev[0].to, NP_ST_UP);
	assert_int_equal(r->ev[0].alert, NP_AL_IFUP);
	assert_int_equal(r->ev[0].outage_start_ms, S(1000));
	assert_int_equal(r->ev[0].outage_ms, S(900));
	free(sr);
	free(r);
	np_ls_free(ls);
}

/*
 * A restored source that never reports again (failing, or removed from the config while the
 * daemon was down) lets the link go stale stale_after after the restart: the open outage
 * ends there and does not count as downtime forever. The same without any source named.
 */
static void
test_restore_expires(void **state)
{
	(void)state;
	for (int named = 0; named < 2; named++) {
		struct np_ls *ls = np_ls_new(&defparams);
		struct rec *r = np_xcalloc(1, sizeof(*r));
		struct np_ls_saved s =
		    saved(NP_ST_DOWN, 1000, NP_ST_DOWN, true, 1000, named ? "a,b" : NULL);
		np_ls_restore(ls, &s, RESTORED, S(STALE_S));
		assert_int_equal(np_ls_next_deadline(ls), RESTORED + S(STALE_S));
		np_ls_evaluate(ls, RESTORED + S(STALE_S) - 1, rec_fn, r);
		assert_int_equal(r->n, 0);
		np_ls_evaluate(ls, RESTORED + S(STALE_S), rec_fn, r);
		assert_int_equal(r->n, 1);
		assert_int_equal(r->ev[0].from, NP_ST_DOWN);
		assert_int_equal(r->ev[0].to, NP_ST_STALE);
		assert_int_equal(r->ev[0].alert, NP_AL_STALE);
		assert_int_equal(r->ev[0].time_ms, RESTORED + S(STALE_S));
		assert_int_equal(r->ev[0].outage_start_ms, S(1000));
		assert_int_equal(r->ev[0].outage_ms, RESTORED + S(STALE_S) - S(1000));
		assert_string_equal(r->ev[0].sources, named ? "a,b" : "");
		assert_int_equal(np_ls_next_deadline(ls), INT64_MAX);
		free(r);
		np_ls_free(ls);
	}
}

/* A restored never-up down link ends its quiet down period without IFUP (8a). */
static void
test_restore_never_up(void **state)
{
	(void)state;
	struct np_ls *ls = np_ls_new(&defparams);
	struct rec *r = np_xcalloc(1, sizeof(*r));
	struct np_ls_saved s = saved(NP_ST_DOWN, 1000, NP_ST_DOWN, false, 1000, "a");
	np_ls_restore(ls, &s, RESTORED, S(STALE_S));
	obs_eval(ls, r, "a", NP_LINK_UP, 1100);
	assert_int_equal(r->n, 1);
	assert_int_equal(r->ev[0].to, NP_ST_UP);
	assert_int_equal(r->ev[0].alert, NP_AL_NONE);
	assert_int_equal(r->ev[0].outage_ms, -1);
	free(r);
	np_ls_free(ls);
}

static void
test_restore_up_then_down(void **state)
{
	(void)state;
	struct np_ls *ls = np_ls_new(&defparams);
	struct rec *r = np_xcalloc(1, sizeof(*r));
	struct np_ls_saved s = saved(NP_ST_UP, 1000, NP_ST_UP, false, 0, NULL);
	np_ls_restore(ls, &s, RESTORED, S(STALE_S));
	obs_eval(ls, r, "a", NP_LINK_UP, 2000);
	assert_int_equal(r->n, 0);
	obs_eval(ls, r, "a", NP_LINK_DOWN, 2060);
	assert_int_equal(r->n, 1);
	assert_int_equal(r->ev[0].from, NP_ST_UP);
	assert_int_equal(r->ev[0].to, NP_ST_DOWN);
	assert_int_equal(r->ev[0].alert, NP_AL_IFDOWN); /* up implies it was up before */
	assert_int_equal(r->ev[0].time_ms, S(2060));
	free(r);
	np_ls_free(ls);
}

/* After a restart, one collector's zero does not beat the other collector not yet polled. */
static void
test_restore_sources_stay_fresh(void **state)
{
	(void)state;
	struct np_ls *ls = np_ls_new(&defparams);
	struct rec *r = np_xcalloc(1, sizeof(*r));
	struct np_ls_saved s = saved(NP_ST_UP, 1000, NP_ST_UP, true, 0, "fc-b");
	np_ls_restore(ls, &s, RESTORED, S(STALE_S));
	np_ls_observe(ls, "dev", "if", "fc-a", NP_LINK_DOWN, NP_EVER_UNKNOWN, S(1500), S(900));
	np_ls_source_complete(ls, "fc-a", S(1500));
	np_ls_evaluate(ls, S(1500), rec_fn, r);
	assert_int_equal(r->n, 0);
	/* fc-b's first complete batch does not list it: now it is down. */
	np_ls_source_complete(ls, "fc-b", S(1510));
	np_ls_evaluate(ls, S(1510), rec_fn, r);
	assert_int_equal(r->n, 1);
	assert_int_equal(r->ev[0].to, NP_ST_DOWN);
	assert_int_equal(r->ev[0].alert, NP_AL_IFDOWN);
	assert_int_equal(r->ev[0].time_ms, S(1510));
	assert_string_equal(r->ev[0].sources, "fc-a");
	free(r);
	np_ls_free(ls);
}

static void
test_restore_stale(void **state)
{
	(void)state;
	for (int up = 0; up < 2; up++) {
		struct np_ls *ls = np_ls_new(&defparams);
		struct rec *r = np_xcalloc(1, sizeof(*r));
		struct np_ls_saved s = saved(NP_ST_STALE, 1000, NP_ST_DOWN, true, 0, "a");
		np_ls_restore(ls, &s, RESTORED, S(STALE_S));
		obs_eval(ls, r, "a", up ? NP_LINK_UP : NP_LINK_DOWN, 3000);
		assert_int_equal(r->n, 1);
		assert_int_equal(r->ev[0].from, NP_ST_STALE);
		assert_int_equal(r->ev[0].to, up ? NP_ST_UP : NP_ST_DOWN);
		assert_int_equal(r->ev[0].alert, up ? NP_AL_IFUP : NP_AL_NONE);
		free(r);
		np_ls_free(ls);
	}
}

/* A restored debounce keeps its start: down since 1000, confirmed at 1060. */
static void
test_restore_pending(void **state)
{
	(void)state;
	struct np_ls_params p = params(60, 0, false);
	struct np_ls *ls = np_ls_new(&p);
	struct rec *r = np_xcalloc(1, sizeof(*r));
	struct np_ls_saved s = saved(NP_ST_UP, 500, NP_ST_UP, true, 0, "a");
	s.pending = NP_ST_DOWN;
	s.pending_since_ms = S(1000);
	np_ls_restore(ls, &s, RESTORED, S(STALE_S));
	obs_eval(ls, r, "a", NP_LINK_DOWN, 1030);
	assert_int_equal(r->n, 0);
	assert_int_equal(np_ls_next_deadline(ls), S(1060));
	np_ls_evaluate(ls, S(1060), rec_fn, r);
	assert_int_equal(r->n, 1);
	assert_int_equal(r->ev[0].to, NP_ST_DOWN);
	assert_int_equal(r->ev[0].time_ms, S(1000));
	assert_int_equal(r->ev[0].outage_start_ms, S(1000));
	assert_int_equal(r->ev[0].alert, NP_AL_IFDOWN);
	free(r);
	np_ls_free(ls);
}

/* A restored flapping link stops flapping once observed stable for the window. */
static void
test_restore_flapping(void **state)
{
	(void)state;
	struct np_ls *ls = np_ls_new(&defparams);
	struct rec *r = np_xcalloc(1, sizeof(*r));
	struct np_ls_saved s = saved(NP_ST_UP, 1000, NP_ST_UP, true, 0, "a");
	s.flapping = true;
	s.last_change_ms = S(1000);
	np_ls_restore(ls, &s, RESTORED, S(STALE_S));
	obs_eval(ls, r, "a", NP_LINK_UP, 1200);
	assert_int_equal(r->n, 0);
	np_ls_evaluate(ls, S(1600), rec_fn, r);
	assert_int_equal(r->n, 1);
	assert_int_equal(r->ev[0].alert, NP_AL_FLAPSTOP);
	assert_int_equal(r->ev[0].time_ms, S(1600));
	free(r);
	np_ls_free(ls);
}

/* ---- drain_dirty ---- */

static void
test_drain_dirty(void **state)
{
	(void)state;
	struct np_ls_params p = params(30, 0, false);
	struct np_ls *ls = np_ls_new(&p);
	struct rec *r = np_xcalloc(1, sizeof(*r));
	struct saved_rec *sr = np_xcalloc(1, sizeof(*sr));

	np_ls_observe(ls, "dev", "if", "b", NP_LINK_UP, NP_EVER_UNKNOWN, S(10), S(900));
	np_ls_observe(ls, "dev", "if", "a", NP_LINK_UP, NP_EVER_UNKNOWN, S(10), S(900));
	np_ls_observe(ls, "other", "", "a", NP_LINK_DOWN, NP_EVER_NO, S(10), S(900));
	np_ls_evaluate(ls, S(10), rec_fn, r);
	np_ls_drain_dirty(ls, saved_fn, sr);
	assert_int_equal(sr->n, 2);
	const struct saved_copy *c = &sr->v[0];
	assert_string_equal(c->device, "dev");
	assert_string_equal(c->interface, "if");
	assert_int_equal(c->s.state, NP_ST_UP);
	assert_int_equal(c->s.since_ms, S(10));
	assert_int_equal(c->s.last_known, NP_ST_UP);
	assert_true(c->s.ever_up);
	assert_false(c->s.flapping);
	assert_int_equal(c->s.outage_start_ms, 0);
	assert_int_equal(c->s.pending, NP_ST_UNKNOWN);
	assert_string_equal(c->sources, "a,b");
	c = &sr->v[1];
	assert_string_equal(c->device, "other");
	assert_int_equal(c->s.state, NP_ST_DOWN);
	assert_false(c->s.ever_up);
	assert_int_equal(c->s.outage_start_ms, S(10));

	/* Drained: nothing left; an agreeing observation changes nothing persisted. */
	sr->n = 0;
	np_ls_drain_dirty(ls, saved_fn, sr);
	assert_int_equal(sr->n, 0);
	np_ls_observe(ls, "dev", "if", "a", NP_LINK_UP, NP_EVER_UNKNOWN, S(20), S(900));
	np_ls_evaluate(ls, S(20), rec_fn, r);
	np_ls_drain_dirty(ls, saved_fn, sr);
	assert_int_equal(sr->n, 0);

	/* A pending debounce is persisted... */
	np_ls_observe(ls, "dev", "if", "a", NP_LINK_DOWN, NP_EVER_UNKNOWN, S(30), S(900));
	np_ls_observe(ls, "dev", "if", "b", NP_LINK_DOWN, NP_EVER_UNKNOWN, S(30), S(900));
	np_ls_evaluate(ls, S(30), rec_fn, r);
	np_ls_drain_dirty(ls, saved_fn, sr);
	assert_int_equal(sr->n, 1);
	assert_int_equal(sr->v[0].s.state, NP_ST_UP);
	assert_int_equal(sr->v[0].s.pending, NP_ST_DOWN);
	assert_int_equal(sr->v[0].s.pending_since_ms, S(30));
	/* ...and so is its confirmation. */
	sr->n = 0;
	np_ls_evaluate(ls, S(60), rec_fn, r);
	np_ls_drain_dirty(ls, saved_fn, sr);
	assert_int_equal(sr->n, 1);
	c = &sr->v[0];
	assert_int_equal(c->s.state, NP_ST_DOWN);
	assert_int_equal(c->s.since_ms, S(30));
	assert_int_equal(c->s.last_known, NP_ST_DOWN);
	assert_int_equal(c->s.outage_start_ms, S(30));
	assert_int_equal(c->s.pending, NP_ST_UNKNOWN);
	assert_int_equal(c->s.last_change_ms, S(30));
	assert_string_equal(c->sources, "a,b");

	/* foreach sees every link. */
	struct saved_rec *sr2 = np_xcalloc(1, sizeof(*sr2));
	np_ls_foreach(ls, saved_fn, sr2);
	assert_int_equal(sr2->n, 2);
	assert_true(strcmp(sr2->v[0].device, sr2->v[1].device) != 0);

	/* A saved record restores to the same persisted state (round trip). */
	struct np_ls *ls2 = np_ls_new(&p);
	np_ls_restore(ls2, &c->s, S(100), S(STALE_S));
	sr2->n = 0;
	np_ls_foreach(ls2, saved_fn, sr2);
	assert_int_equal(sr2->n, 1);
	assert_int_equal(sr2->v[0].s.state, c->s.state);
	assert_int_equal(sr2->v[0].s.since_ms, c->s.since_ms);
	assert_int_equal(sr2->v[0].s.outage_start_ms, c->s.outage_start_ms);
	assert_int_equal(sr2->v[0].s.last_change_ms, c->s.last_change_ms);
	assert_string_equal(sr2->v[0].sources, "a,b");
	np_ls_free(ls2);
	free(sr2);
	free(sr);
	free(r);
	np_ls_free(ls);
}

/* ---- next_deadline ---- */

static void
test_next_deadline(void **state)
{
	(void)state;
	struct np_ls_params p = params(30, 0, false);
	struct np_ls *ls = np_ls_new(&p);
	struct rec *r = np_xcalloc(1, sizeof(*r));
	assert_int_equal(np_ls_next_deadline(ls), INT64_MAX);

	np_ls_observe(ls, "d1", "", "a", NP_LINK_UP, NP_EVER_UNKNOWN, S(100), S(900));
	assert_int_equal(np_ls_next_deadline(ls), S(100)); /* observed, not evaluated: due */
	np_ls_evaluate(ls, S(100), rec_fn, r);
	assert_int_equal(np_ls_next_deadline(ls), S(1000)); /* goes stale then */

	np_ls_observe(ls, "d2", "", "a", NP_LINK_UP, NP_EVER_UNKNOWN, S(200), S(900));
	np_ls_evaluate(ls, S(200), rec_fn, r);
	np_ls_observe(ls, "d2", "", "a", NP_LINK_DOWN, NP_EVER_UNKNOWN, S(210), S(900));
	np_ls_evaluate(ls, S(210), rec_fn, r);
	assert_int_equal(np_ls_next_deadline(ls), S(240)); /* d2's debounce ends */
	np_ls_evaluate(ls, S(240), rec_fn, r);
	assert_int_equal(r->n, 3);
	assert_int_equal(np_ls_next_deadline(ls), S(1000));
	np_ls_evaluate(ls, S(1000), rec_fn, r);
	assert_int_equal(r->n, 4);                          /* d1 stale */
	assert_int_equal(np_ls_next_deadline(ls), S(1110)); /* d2 stale */
	np_ls_evaluate(ls, S(1110), rec_fn, r);
	assert_int_equal(r->n, 5);
	assert_int_equal(np_ls_next_deadline(ls), INT64_MAX);
	free(r);
	np_ls_free(ls);
}

/* An up observer's expiry matters only when it was the last one saying up. */
static void
test_deadline_follows_look(void **state)
{
	(void)state;
	struct np_ls *ls = np_ls_new(&defparams);
	struct rec *r = np_xcalloc(1, sizeof(*r));
	np_ls_observe(ls, "d", "", "a", NP_LINK_UP, NP_EVER_UNKNOWN, S(0), S(900));
	np_ls_observe(ls, "d", "", "b", NP_LINK_UP, NP_EVER_UNKNOWN, S(0), S(1200));
	np_ls_observe(ls, "d", "", "c", NP_LINK_DOWN, NP_EVER_UNKNOWN, S(0), S(1500));
	np_ls_evaluate(ls, S(0), rec_fn, r);
	assert_int_equal(np_ls_next_deadline(ls), S(1200));
	np_ls_evaluate(ls, S(1200), rec_fn, r);
	assert_int_equal(r->n, 2);
	assert_int_equal(r->ev[1].to, NP_ST_DOWN);
	assert_int_equal(r->ev[1].time_ms, S(1200));
	assert_string_equal(r->ev[1].sources, "c");
	assert_int_equal(np_ls_next_deadline(ls), S(1500));
	free(r);
	np_ls_free(ls);
}

/* ---- params, many links, names ---- */

static void
test_set_params(void **state)
{
	(void)state;
	struct np_ls_params p = params(300, 0, false);
	struct np_ls *ls = np_ls_new(&p);
	struct rec *r = np_xcalloc(1, sizeof(*r));
	obs_eval(ls, r, "a", NP_LINK_UP, 0);
	obs_eval(ls, r, "a", NP_LINK_DOWN, 10);
	assert_int_equal(r->n, 1);
	assert_int_equal(np_ls_next_deadline(ls), S(310));
	/* Shorter debounce on reload: the pending down is due now. */
	p.down_after_ms = S(20);
	np_ls_set_params(ls, &p);
	np_ls_evaluate(ls, S(50), rec_fn, r);
	assert_int_equal(r->n, 2);
	assert_int_equal(r->ev[1].to, NP_ST_DOWN);
	assert_int_equal(r->ev[1].time_ms, S(10));
	free(r);
	np_ls_free(ls);
}

static void
count_fn(const struct np_ls_event *e, void *arg)
{
	size_t *n = arg;
	(void)e;
	(*n)++;
}

struct tally {
	size_t up, down, other;
};

static void
tally_fn(const struct np_ls_saved *s, void *arg)
{
	struct tally *t = arg;
	if (strncmp(s->interface, "eth", 3) != 0) {
		t->other++;
		return;
	}
	int idx = atoi(s->interface + 3);
	enum np_state want = idx % 3 == 0 ? NP_ST_DOWN : NP_ST_UP;
	if (s->state != want || strcmp(s->device, idx % 2 ? "odd" : "even") != 0)
		t->other++;
	else if (s->state == NP_ST_UP)
		t->up++;
	else
		t->down++;
}

/* Many links: distinct keys, table growth, and idle links producing nothing. */
static void
test_many_links(void **state)
{
	(void)state;
	struct np_ls *ls = np_ls_new(&defparams);
	size_t events = 0;
	char ifname[32];
	for (int i = 0; i < 5000; i++) {
		snprintf(ifname, sizeof(ifname), "eth%d", i);
		np_ls_observe(ls, i % 2 ? "odd" : "even", ifname, "a",
		              i % 3 == 0 ? NP_LINK_DOWN : NP_LINK_UP, NP_EVER_UNKNOWN, S(0),
		              S(900));
	}
	/* ("ab","c") and ("a","bc") are different links. */
	np_ls_observe(ls, "ab", "c", "a", NP_LINK_UP, NP_EVER_UNKNOWN, S(0), S(900));
	np_ls_observe(ls, "a", "bc", "a", NP_LINK_DOWN, NP_EVER_UNKNOWN, S(0), S(900));
	assert_int_equal(np_ls_count(ls), 5002);
	np_ls_evaluate(ls, S(0), count_fn, &events);
	assert_int_equal(events, 5002);
	events = 0;
	np_ls_evaluate(ls, S(100), count_fn, &events);
	assert_int_equal(events, 0);
	assert_int_equal(np_ls_next_deadline(ls), S(900));

	struct tally t = {0};
	np_ls_foreach(ls, tally_fn, &t);
	assert_int_equal(t.up + t.down, 5000);
	assert_int_equal(t.other, 2); /* the ab/c and a/bc links */
	assert_int_equal(t.down, 1667);

	events = 0;
	np_ls_evaluate(ls, S(900), count_fn, &events);
	assert_int_equal(events, 5002); /* all stale at once */
	np_ls_free(ls);
}

/* A FLAPSTOP notice dated 1150 s, then a batch stamped 1149 s arriving late: the transition
 * it causes is dated 1150 s, so a link's events never go back in time (found by fuzzing). */
static void
test_late_batch_after_notice(void **state)
{
	(void)state;
	struct np_ls_params p = defparams;
	p.flap_transitions = 1;
	p.flap_window_ms = S(30);
	struct np_ls *ls = np_ls_new(&p);
	struct rec *r = np_xcalloc(1, sizeof(*r));
	obs_eval(ls, r, "a", NP_LINK_UP, 1000);
	obs_eval(ls, r, "a", NP_LINK_DOWN, 1100);
	obs_eval(ls, r, "a", NP_LINK_UP, 1120); /* 2 changes > 1 within 30 s: flapping */
	assert_int_equal(r->n, 3);
	assert_int_equal(r->ev[2].alert, NP_AL_FLAPPING);
	np_ls_evaluate(ls, S(1161), rec_fn, r);
	assert_int_equal(r->n, 4);
	assert_int_equal(r->ev[3].alert, NP_AL_FLAPSTOP);
	assert_int_equal(r->ev[3].time_ms, S(1150));
	np_ls_observe(ls, "dev", "if", "a", NP_LINK_DOWN, NP_EVER_UNKNOWN, S(1149), S(900));
	np_ls_evaluate(ls, S(1162), rec_fn, r);
	assert_int_equal(r->n, 5);
	assert_int_equal(r->ev[4].to, NP_ST_DOWN);
	assert_int_equal(r->ev[4].alert, NP_AL_IFDOWN);
	assert_int_equal(r->ev[4].time_ms, S(1150));
	assert_int_equal(r->ev[4].outage_start_ms, S(1150));
	free(r);
	np_ls_free(ls);
}

/* The fuzzer's first finding, kept as a fixed input for the model below. */
static const uint8_t fuzz_found_1[] = {
    0x15, 0x40, 0x2f, 0x00, 0x26, 0x00, 0x64, 0x36, 0x08, 0x05, 0x10, 0x06, 0x00,
    0xfa, 0x00, 0x90, 0x01, 0x02, 0x2f, 0x26, 0x2f, 0x66, 0x73, 0x00, 0x00, 0x26,
    0x00, 0x64, 0x36, 0x08, 0x05, 0x10, 0x06, 0x00, 0xfa, 0x00, 0x90, 0x01, 0x02,
    0x2f, 0x26, 0x2f, 0x66, 0x4e, 0xff, 0xff, 0xff, 0x2c, 0xff, 0x46, 0x24,
};

/*
 * Random operation sequences against the invariants of ls_model.h: events chain per link,
 * never go back in time, outage arithmetic, alert rules, never-up quietness, flap
 * alternation, persisted state matching the events, and nothing emitted before the deadline
 * when nothing was observed. Seeded, so a failure reproduces.
 */
static void
test_model_random(void **state)
{
	(void)state;
	assert_true(lsm_run(fuzz_found_1, sizeof(fuzz_found_1)) > 0);
	uint64_t seed = 0x2545f4914f6cdd1dull;
	uint8_t buf[600];
	size_t events = 0;
	for (int run = 0; run < 2000; run++) {
		size_t n = 16 + (size_t)(run % 580);
		for (size_t i = 0; i < n; i++) {
			seed ^= seed >> 12;
			seed ^= seed << 25;
			seed ^= seed >> 27;
			buf[i] = (uint8_t)((seed * 2685821657736338717ull) >> 56);
		}
		events += lsm_run(buf, n);
	}
	/* The runs did exercise the engine (a broken driver would check nothing). */
	assert_true(events > 15000);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(np_state_names[NP_ST_UNKNOWN], "unknown");
	assert_string_equal(np_state_names[NP_ST_UP], "up");
	assert_string_equal(np_state_names[NP_ST_DOWN], "down");
	assert_string_equal(np_state_names[NP_ST_STALE], "stale");
	for (int i = 0; i < NP_ST_MAX; i++)
		assert_int_equal(np_state_parse(np_state_names[i]), i);
	assert_int_equal(np_state_parse("UP"), -1);
	assert_int_equal(np_state_parse(""), -1);
	const char *al[] = {"", "IFDOWN", "IFUP", "FLAPPING", "FLAPSTOP", "STALE", "COLLECTOR"};
	for (int i = 0; i < NP_AL_MAX; i++)
		assert_string_equal(np_alert_names[i], al[i]);
}

static void
test_none_ignored(void **state)
{
	(void)state;
	struct np_ls *ls = np_ls_new(&defparams);
	np_ls_observe(ls, "d", "", "a", NP_LINK_NONE, NP_EVER_YES, S(0), S(900));
	assert_int_equal(np_ls_count(ls), 0);
	np_ls_source_complete(ls, "nobody", S(0));
	np_ls_evaluate(ls, S(0), NULL, NULL);
	assert_int_equal(np_ls_next_deadline(ls), INT64_MAX);
	np_ls_free(ls);
	np_ls_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scenarios),
	    cmocka_unit_test(test_outage_fields),
	    cmocka_unit_test(test_flapping),
	    cmocka_unit_test(test_flapping_window_edges),
	    cmocka_unit_test(test_flapstop_before_change),
	    cmocka_unit_test(test_synthetic_fc_per_cycle),
	    cmocka_unit_test(test_synthetic_fc_per_batch),
	    cmocka_unit_test(test_restore_down_then_up),
	    cmocka_unit_test(test_restore_up_then_down),
	    cmocka_unit_test(test_restore_expires),
	    cmocka_unit_test(test_restore_never_up),
	    cmocka_unit_test(test_restore_sources_stay_fresh),
	    cmocka_unit_test(test_restore_stale),
	    cmocka_unit_test(test_restore_pending),
	    cmocka_unit_test(test_restore_flapping),
	    cmocka_unit_test(test_drain_dirty),
	    cmocka_unit_test(test_next_deadline),
	    cmocka_unit_test(test_deadline_follows_look),
	    cmocka_unit_test(test_set_params),
	    cmocka_unit_test(test_many_links),
	    cmocka_unit_test(test_late_batch_after_notice),
	    cmocka_unit_test(test_model_random),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_none_ignored),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
