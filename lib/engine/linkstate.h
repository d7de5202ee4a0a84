#ifndef NP_ENGINE_LINKSTATE_H
#define NP_ENGINE_LINKSTATE_H
/*
 * Link-state engine (DESIGN §6). Pure: no I/O, no clock; times are ms passed in, on one clock
 * that never steps: the pipeline passes the MONOTONIC clock for every observation, evaluation
 * and deadline (and converts restored and stored times), so a wall-clock step neither hides an
 * outage nor raises STALE.
 *
 * A link is (device, interface) across sources. Each source that observes it is an
 * "observer" with its last observation (up/down), its time and its freshness (stale_after).
 * The link looks up if any fresh observer says up; down if at least one observer is fresh and
 * every fresh one says down; with no fresh observer it becomes stale after stale_after.
 *
 * Debounce: down is declared once the link has looked down for down_after (up: up_after);
 * the new state's time is the FIRST observation of it, not the confirming one. A link that
 * looks different again before that emits nothing. First sight (unknown -> up/down) and a
 * return from stale to the state it had before (down -> stale -> down) are not debounced.
 * Stale needs no debounce either: freshness (stale_after) already waited.
 *
 * Alerts (msgid) are decided here; the pipeline stores each event and its alert in one
 * transaction. Rules:
 *  - unknown -> up/down (first sight): event, no alert; except unknown -> down when the source
 *    says the link was up before (NP_EVER_YES): IFDOWN.
 *  - up -> down: IFDOWN. down -> up: IFUP with outage_ms = up time - outage start; but a down
 *    period that sent no IFDOWN (a never-up link, alert_never_up off) ends with no IFUP and
 *    outage_ms -1 (also into stale): it was not downtime.
 *  - a link that has never been up (not seen up by us, not NP_EVER_YES from a source) going
 *    or staying down, or going stale: no alert unless params.alert_never_up. ever_up becomes
 *    true with the first up observation or NP_EVER_YES, and stays.
 *  - stale: one STALE alert when a link goes stale; stale is not downtime (down -> stale
 *    ends the outage: outage_ms is set on that event; stale -> up has outage_ms -1). Alerts
 *    compare with the last non-stale state: stale -> down after up (or down -> stale -> up)
 *    alerts normally, down -> stale -> down does not alert again.
 *  - flapping: more than flap_transitions changes (up<->down, across stale too) within
 *    flap_window (t - oldest < window) sets the flag: the change that sets it carries the
 *    FLAPPING alert instead of IFUP/IFDOWN, later changes have alert NONE (events still
 *    recorded) until no change for flap_window: one FLAPSTOP notice (transition false,
 *    from == to, time = last change + flap_window). flap_transitions <= 0 disables it.
 *
 * Several collectors (sources of one group, see np_ls_source_set): a down look waits until
 * every OTHER live member of the group (it delivered a complete batch before, is not failing,
 * and its next batch is not overdue) has shown its view after the look began (a complete
 * batch at or after it, or an observation of the link); then the freshest looks decide and
 * the down state still dates from its first observation. So an exporter moving from FC-A to
 * FC-B stays silent whichever batch comes first, and a one-cycle outage still alerts.
 *
 * Removed: an observation NP_LINK_GONE(_ALERT) (the source saw the interface deleted) makes the
 * link `removed` at once (no debounce), unless another source still sees it fresh (up or
 * down win). A GONE observation never expires and a complete batch that leaves the link out
 * does not expire it either, so a removed link never goes stale. Removed is not down: the
 * outage of a link deleted while down ends there. Alert: none, except IFDOWN when the
 * observation was GONE_ALERT and the link was up (last_known up, not flapping). Removal ends
 * the link's life: ever_up, last_known and flapping (without FLAPSTOP) start over, and an
 * EVER_YES hint on a GONE observation is ignored; so the interface coming back with the
 * same name is first sight again (removed -> up/down without debounce; IFUP only if the
 * removal sent IFDOWN, with outage_ms -1: the removed time was no downtime).
 *
 * Memory: np_ls_forget drops links that are gone (stale, nothing pending) for forget_after,
 * or at once if they never alerted, and removed links once removed for forget_after (not at
 * once: `status` shows them until then). A forgotten link seen again starts from first sight.
 *
 * Cost: observe() is O(observers of the link) with no allocation once the link and the
 * observer exist; evaluate() visits only links observed since the last call or whose
 * deadline (debounce end, expiry, flap window end) has come, so idle links cost nothing.
 * Callbacks must not call back into the engine.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/obs.h"

enum np_state { NP_ST_UNKNOWN, NP_ST_UP, NP_ST_DOWN, NP_ST_STALE, NP_ST_REMOVED, NP_ST_MAX };
/* "unknown", "up", "down", "stale", "removed" */
extern const char *const np_state_names[NP_ST_MAX];
/* Returns the state for a name, or -1. */
int np_state_parse(const char *name);

enum np_alert_kind {
	NP_AL_NONE,
	NP_AL_IFDOWN,
	NP_AL_IFUP,
	NP_AL_FLAPPING,
	NP_AL_FLAPSTOP,
	NP_AL_STALE,
	NP_AL_COLLECTOR,
	NP_AL_MAX
};
/* "", "IFDOWN", "IFUP", "FLAPPING", "FLAPSTOP", "STALE", "COLLECTOR" */
extern const char *const np_alert_names[NP_AL_MAX];

struct np_ls_params {
	int64_t down_after_ms;
	int64_t up_after_ms;
	int flap_transitions;
	int64_t flap_window_ms;
	bool alert_never_up;
};

/* Passed to the emit callback; pointers are valid during the call only. */
struct np_ls_event {
	const char *device;
	const char *interface;
	bool transition; /* false for a FLAPPING/FLAPSTOP notice without a state change */
	enum np_state from, to;
	int64_t time_ms;          /* when the new state began (first observation of it) */
	enum np_alert_kind alert; /* NP_AL_NONE if no alert is due (first sight, suppressed, ...) */
	int64_t outage_start_ms;  /* into down: its start; out of down: start of the ended outage */
	int64_t outage_ms;        /* out of down: length of the ended outage; -1 otherwise */
	const char *sources;      /* comma-separated names of the sources that decided it */
	bool flapping;            /* flag after this event */
	/*
	 * The link has been up before (seen up, or its source said so). Down time of a link that
	 * never was up (an unused port, an exporter never heard) is not downtime (DESIGN §6).
	 */
	bool ever_up;
};
typedef void (*np_ls_emit_fn)(const struct np_ls_event *ev, void *arg);

/* Persisted per link so a restart neither repeats nor invents alerts. */
struct np_ls_saved {
	const char *device;
	const char *interface;
	enum np_state state;
	int64_t since_ms;
	enum np_state last_known; /* last non-stale state (UP/DOWN or UNKNOWN) */
	bool ever_up;
	bool flapping;
	int64_t outage_start_ms; /* 0 = no open outage */
	enum np_state pending;   /* debounce: state the link looks like but is not yet declared */
	int64_t pending_since_ms;
	int64_t last_change_ms; /* for flap-stop timing */
	/*
	 * Comma-separated, sorted names of the sources that decided the state (added for the
	 * links.sources column and `status`). Restore makes them observers again, fresh until
	 * they say otherwise or their source's next complete batch leaves the link out; NULL or
	 * "" restores none (the link then keeps its state until observed).
	 */
	const char *sources;
};
typedef void (*np_ls_saved_fn)(const struct np_ls_saved *s, void *arg);

struct np_ls *np_ls_new(const struct np_ls_params *p);
void np_ls_free(struct np_ls *ls);
void np_ls_set_params(struct np_ls *ls, const struct np_ls_params *p);

/*
 * Restores one link at restore_ms (at start-up, before any observation). No event, no alert,
 * nothing to drain. An observation agreeing with the restored state (or pending debounce,
 * whose start is kept) changes nothing; a disagreeing one makes the normal transition and
 * alert. The restored observers (s->sources) are fresh for stale_after_ms from restore_ms
 * (<= 0: never stale), like an observation made then: a source that never reports again lets
 * the link go stale. Saved times must be on the engine's clock (the caller converts).
 */
void np_ls_restore(struct np_ls *ls, const struct np_ls_saved *s, int64_t restore_ms,
                   int64_t stale_after_ms);

/*
 * Declares a source for the multi-collector wait: `group` names the sources that may watch
 * the same links (NULL or "": none, it never waits nor is waited for), due_after_ms how long
 * after its last complete batch the next one is due at the latest (interval + jitter +
 * timeout; <= 0: no group). Call again on reload; cheap.
 */
void np_ls_source_set(struct np_ls *ls, const char *source, const char *group,
                      int64_t due_after_ms);
/* The source's polls fail (true) or work again (false): a failing source is waited for by no
 * link. Links waiting for it are evaluated at the next np_ls_evaluate. */
void np_ls_source_failing(struct np_ls *ls, const char *source, bool failing);
/*
 * The links the source alone observes freshly at now_ms (every other observer stale, absent or
 * failing): those its failure leaves unobserved. O(its observations).
 */
size_t np_ls_source_sole(struct np_ls *ls, const char *source, int64_t now_ms);

/*
 * One observation of one link by one source, fresh while t < time_ms + stale_after_ms
 * (stale_after_ms <= 0: never stale; a GONE observation never is). NP_LINK_NONE is ignored,
 * and so is an observation older than the one this source last gave for the link. Evaluate after
 * each batch: the looks a link takes between two evaluations collapse into the last one, as between
 * two polls.
 */
void np_ls_observe(struct np_ls *ls, const char *device, const char *interface, const char *source,
                   enum np_link_obs link, enum np_ever_up ever_up, int64_t time_ms,
                   int64_t stale_after_ms);
/*
 * The same, with minimum debounces for this link (the larger of these and the engine's
 * down_after/up_after applies): a down (up) look must last down_hold_ms (up_hold_ms) before it
 * is declared; the new state still dates from its first observation. The pipeline passes a
 * source's own `state:` overrides here.
 */
void np_ls_observe_hold(struct np_ls *ls, const char *device, const char *interface,
                        const char *source, enum np_link_obs link, enum np_ever_up ever_up,
                        int64_t time_ms, int64_t stale_after_ms, int64_t down_hold_ms,
                        int64_t up_hold_ms);
/*
 * `source` delivered a complete list at batch_ms: its observers of links it did not observe
 * since its previous complete batch (i.e. not listed in this one) stop being fresh at
 * batch_ms, and links whose down look waited for this batch are evaluated again. Call after
 * observing the batch. O(observers it expires + links that waited for it).
 */
void np_ls_source_complete(struct np_ls *ls, const char *source, int64_t batch_ms);

/*
 * Applies aggregation, debounce, staleness and flap rules at now_ms to every link that needs
 * it, emitting events in time order per link. Call after a batch and from a periodic tick.
 */
void np_ls_evaluate(struct np_ls *ls, int64_t now_ms, np_ls_emit_fn emit, void *arg);

/* Calls fn for every link whose persisted fields changed since the last call, then clears. */
void np_ls_drain_dirty(struct np_ls *ls, np_ls_saved_fn fn, void *arg);
/* Calls fn for every link (for status). */
void np_ls_foreach(struct np_ls *ls, np_ls_saved_fn fn, void *arg);
size_t np_ls_count(const struct np_ls *ls);
/*
 * Drops from memory the links that are gone (stale, nothing pending, not flapping) since
 * forget_after_ms before now_ms (< 0: never), and gone links that never alerted at once; and
 * the links removed since forget_after_ms before now_ms. removed (may be NULL) is called for
 * each removed link dropped, before it is freed (the caller drops it from `status`). Their
 * history stays with the caller (the store). Returns how many. O(links).
 */
size_t np_ls_forget(struct np_ls *ls, int64_t now_ms, int64_t forget_after_ms,
                    np_ls_saved_fn removed, void *arg);
/* Earliest future time at which evaluate() may change something (debounce/stale/flap end, a
 * group member's due time), or INT64_MAX. Lets the daemon arm one timer instead of ticking. If
 * links were observed and not evaluated yet, the earliest of their observation times (i.e. due
 * now). */
int64_t np_ls_next_deadline(const struct np_ls *ls);

#endif
