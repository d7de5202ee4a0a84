#include "core/pipeline.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "alert/alert.h"
#include "core/series.h"
#include "engine/counter.h"
#include "engine/linkstate.h"
#include "util/cause.h"
#include "util/hmap.h"
#include "util/str.h"
#include "util/xmalloc.h"

/* Re-check a known series' row (last_seen, labels) at most this often. */
#define SERIES_TOUCH_S 3600
/*
 * A series not observed for this long (or twice its source's stale_after, if longer) leaves
 * memory; its baselines stay in the store for when it returns. Looked for once a minute.
 */
#define SERIES_IDLE_MS (3600 * 1000)
#define SWEEP_EVERY_MS (60 * 1000)

struct source {
	uint32_t gen;
	bool health_known, ok;
	int64_t since_s;
	unsigned failures;
	size_t last_skipped;
	char last_skip_reason[256];
};

struct np_pipeline {
	struct np_store *st;
	const struct np_config *cfg;
	struct np_logger lg;
	struct np_ls *ls;
	struct np_ls_params params;
	struct np_series_tab *series; /* the one series-id cache, with the counter baselines */
	int64_t next_sweep_ms;
	struct np_hmap *sources; /* name -> struct source */
	char **sinks;
	size_t nsinks;
	int64_t run;
	uint64_t alerts_queued;
	struct np_pipeline_stats stats;
	/* Set by the link-state callbacks, which cannot return an error. */
	int err;
	char *errcause;
	int64_t now_s, now_ms;
	int64_t hold_ms; /* down hold for the batch being ingested (group_hold_ms) */
};

static void
ls_params_from(struct np_ls_params *lp, const struct np_state_cfg *s)
{
	lp->down_after_ms = s->down_after_ms;
	lp->up_after_ms = s->up_after_ms;
	lp->flap_transitions = s->flap_transitions;
	lp->flap_window_ms = s->flap_window_ms;
	lp->alert_never_up = s->alert_never_up;
}

static void
restore_cb(const struct np_ls_saved *s, void *arg)
{
	struct np_pipeline *p = arg;
	np_ls_restore(p->ls, s);
}

static int
load_links(struct np_pipeline *p, char **cause)
{
	np_ls_free(p->ls);
	p->ls = np_ls_new(&p->params);
	return np_store_links_load(p->st, restore_cb, p, cause);
}

struct np_pipeline *
np_pipeline_new(struct np_store *st, const struct np_config *cfg, const struct np_logger *lg,
                int64_t now_ms, char **cause)
{
	struct np_pipeline *p = np_xcalloc(1, sizeof(*p));
	p->st = st;
	p->cfg = cfg;
	if (lg != NULL)
		p->lg = *lg;
	ls_params_from(&p->params, &cfg->state);
	p->series = np_series_tab_new();
	p->sources = np_hmap_new();
	if (load_links(p, cause) == -1)
		goto fail;
	p->run = np_store_run_start(st, now_ms / 1000, cause);
	if (p->run < 0)
		goto fail;
	return p;
fail:
	np_pipeline_free(p);
	return NULL;
}

static void
free_sinks(struct np_pipeline *p)
{
	for (size_t i = 0; i < p->nsinks; i++)
		free(p->sinks[i]);
	free(p->sinks);
	p->sinks = NULL;
	p->nsinks = 0;
}

void
np_pipeline_free(struct np_pipeline *p)
{
	if (p == NULL)
		return;
	np_ls_free(p->ls);
	np_series_tab_free(p->series);
	np_hmap_free(p->sources, free);
	free_sinks(p);
	free(p->errcause);
	free(p);
}

void
np_pipeline_set_config(struct np_pipeline *p, const struct np_config *cfg)
{
	p->cfg = cfg;
	ls_params_from(&p->params, &cfg->state);
	np_ls_set_params(p->ls, &p->params);
}

void
np_pipeline_set_sinks(struct np_pipeline *p, const char *const *keys, size_t n)
{
	free_sinks(p);
	if (n == 0)
		return;
	p->sinks = np_xcalloc(n, sizeof(*p->sinks));
	for (size_t i = 0; i < n; i++)
		p->sinks[i] = np_xstrdup(keys[i]);
	p->nsinks = n;
}

static struct source *
source_get(struct np_pipeline *p, const char *name)
{
	size_t len = strlen(name);
	struct source *s = np_hmap_get(p->sources, name, len);
	if (s == NULL) {
		s = np_xcalloc(1, sizeof(*s));
		np_hmap_put(p->sources, name, len, s);
	}
	return s;
}

static uint64_t
labels_hash(const struct np_obs *o)
{
	uint64_t h = 7;
	for (uint8_t i = 0; i < o->nlabels; i++) {
		h = h * 31 + np_hash_bytes(o->labels[i].key, strlen(o->labels[i].key));
		h = h * 31 + np_hash_bytes(o->labels[i].value, strlen(o->labels[i].value));
	}
	return h;
}

static char *
labels_json(const struct np_obs *o)
{
	json_t *obj = json_object();
	for (uint8_t i = 0; i < o->nlabels; i++)
		json_object_set_new(obj, o->labels[i].key, json_string(o->labels[i].value));
	char *s = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(obj);
	return s;
}

static const char *
series_kind(const struct np_obs *o)
{
	if (o->counter_mask != 0)
		return "if";
	return o->has_gauge ? "gauge" : "state";
}

static bool
verdict_counts(enum np_verdict v)
{
	return v == NP_V_OK || v == NP_V_WRAP32 || v == NP_V_WRAP64 || v == NP_V_RESET ||
	       v == NP_V_GAP;
}

/* Badness order for the row's single verdict column. */
static int
verdict_rank(enum np_verdict v)
{
	static const int rank[NP_V_MAX] = {
	    [NP_V_OK] = 0,     [NP_V_FIRST] = 1, [NP_V_GAP] = 2,   [NP_V_WRAP32] = 3,
	    [NP_V_WRAP64] = 3, [NP_V_RESET] = 4, [NP_V_SPIKE] = 5, [NP_V_CLOCK] = 6,
	};
	return rank[v];
}

static void
log_verdict(struct np_pipeline *p, const char *source, const struct np_obs *o, enum np_verdict v)
{
	char *dev = np_escape(o->device), *ifn = np_escape(o->interface);
	np_logf(&p->lg, v == NP_V_SPIKE || v == NP_V_CLOCK ? LOG_WARNING : LOG_INFO,
	        "%s: %s%s%s: counter verdict %s (%s)", source, dev, *ifn ? "/" : "", ifn,
	        np_verdict_names[v],
	        v == NP_V_SPIKE   ? "implied rate above link speed, delta discarded"
	        : v == NP_V_CLOCK ? "time went backwards, delta discarded"
	        : v == NP_V_RESET ? "counter restarted, counted from zero"
	        : v == NP_V_GAP   ? "long gap, delta spread over the buckets it spans"
	                          : "counter wrapped");
	free(dev);
	free(ifn);
}

static int
ingest_counters(struct np_pipeline *p, const struct np_source_cfg *src, const char *source,
                struct np_series *s, const struct np_obs *o, struct np_sample *smp, char **cause)
{
	struct np_counter_params cp = {
	    .bits = o->counter_bits,
	    .max_gap_ms = src->max_gap_ms,
	};
	uint32_t seen = 0;      /* bit per verdict */
	smp->verdict = NP_V_OK; /* raised to the worst counted verdict below */
	for (int i = 0; i < NP_C_MAX; i++) {
		if ((o->counter_mask & (1u << i)) == 0)
			continue;
		bool bytes = i == NP_C_RX_BYTES || i == NP_C_TX_BYTES;
		cp.max_rate = 0;
		/* A configured max_rate wins: a link reporting a wrong speed must not discard
		 * real traffic. */
		if (bytes)
			cp.max_rate = src->max_rate > 0 ? src->max_rate
			              : o->speed_bps    ? (double)o->speed_bps / 8.0
			                                : 0;
		struct np_counter_result r =
		    np_counter_update(&s->v.c[i], &cp, o->counters[i], o->time_ms, o->epoch);
		p->stats.verdicts[r.verdict]++;
		seen |= 1u << r.verdict;
		if (!verdict_counts(r.verdict))
			continue;
		smp->from_ms = r.from_ms;
		smp->to_ms = r.to_ms;
		smp->delta[i] = r.delta;
		smp->mask |= 1u << i;
		if (verdict_rank(r.verdict) > verdict_rank(smp->verdict))
			smp->verdict = r.verdict;
	}
	for (int v = 0; v < NP_V_MAX; v++) {
		if ((seen & (1u << v)) == 0 || v == NP_V_OK || v == NP_V_FIRST)
			continue;
		if (np_store_verdict(p->st, s->id, (enum np_verdict)v, p->now_s, cause) == -1)
			return -1;
		log_verdict(p, source, o, (enum np_verdict)v);
	}
	return 0;
}

static void
note_carrier(struct np_pipeline *p, const char *source, struct np_series *s, const struct np_obs *o)
{
	if (!o->has_carrier_changes)
		return;
	/*
	 * Two or more carrier changes between readings while the link looks the same: a flap
	 * too short for the poll (and the netlink notification) to show. Recorded as a count.
	 */
	if (s->v.has_carrier_changes && o->carrier_changes >= s->v.carrier_changes + 2) {
		uint64_t missed = (o->carrier_changes - s->v.carrier_changes) / 2;
		char *dev = np_escape(o->device), *ifn = np_escape(o->interface);
		np_logf(&p->lg, LOG_NOTICE,
		        "%s: %s/%s: carrier changed %llu times since the last reading: "
		        "%llu flap(s) too short to observe",
		        source, dev, ifn,
		        (unsigned long long)(o->carrier_changes - s->v.carrier_changes),
		        (unsigned long long)missed);
		free(dev);
		free(ifn);
		/* Advisory: a failure to count it must not cost the batch. */
		if (np_store_note(p->st, s->id, "missed_flaps", (int64_t)missed, p->now_s, NULL) ==
		    -1)
			np_logf(&p->lg, LOG_WARNING, "%s: could not record missed flaps", source);
	}
	s->v.carrier_changes = o->carrier_changes;
	s->v.has_carrier_changes = true;
}

static int
ingest_obs(struct np_pipeline *p, const struct np_source_cfg *src, struct source *ss,
           const char *source, const struct np_obs *o, int64_t stale_ms, char **cause)
{
	struct np_series *s = np_series_tab_get(p->series, source, o->device, o->interface);
	s->gen = ss->gen;
	s->seen_ms = p->now_ms;
	s->idle_ms = stale_ms * 2 > SERIES_IDLE_MS ? stale_ms * 2 : SERIES_IDLE_MS;
	uint64_t lh = labels_hash(o);
	if (s->id == 0 || lh != s->labels_hash || p->now_s - s->touched_s >= SERIES_TOUCH_S) {
		char *labels = labels_json(o);
		s->id = np_store_series(p->st, source, o->device, o->interface, series_kind(o),
		                        labels, p->now_s, cause);
		free(labels);
		if (s->id < 0) {
			s->id = 0;
			return -1;
		}
		s->labels_hash = lh;
		s->touched_s = p->now_s;
	}
	/* First meeting in this process: continue from the counters' stored readings. */
	if (!s->restored && o->counter_mask != 0) {
		struct np_baseline bl;
		if (np_store_baseline_load(p->st, s->id, &bl, cause) == -1)
			return -1;
		np_series_restore(s, &bl);
		s->restored = true;
	}
	np_series_tab_save(p->series, s);

	struct np_sample smp = {.from_ms = o->time_ms, .to_ms = o->time_ms};
	if (o->counter_mask != 0) {
		if (ingest_counters(p, src, source, s, o, &smp, cause) == -1)
			return -1;
		struct np_baseline bl;
		np_series_baseline(s, o->counter_mask, o->time_ms, &bl);
		if (np_store_baseline_save(p->st, s->id, &bl, cause) == -1)
			return -1;
	}
	if (o->has_gauge) {
		smp.gauge = o->gauge;
		smp.has_gauge = true;
		smp.to_ms = o->time_ms;
		if (smp.mask == 0)
			smp.from_ms = s->v.last_gauge_ms ? s->v.last_gauge_ms : o->time_ms;
		s->v.last_gauge_ms = o->time_ms;
	}
	if (smp.mask != 0 || smp.has_gauge) {
		if (np_store_sample(p->st, s->id, &smp, cause) == -1)
			return -1;
		p->stats.samples++;
	}
	note_carrier(p, source, s, o);

	if (o->link != NP_LINK_NONE)
		np_ls_observe_hold(p->ls, o->device, o->interface, source, o->link, o->ever_up,
		                   o->time_ms, stale_ms, p->hold_ms, src->state.up_after_ms);
	return 0;
}

/*
 * How long a down look from `src` must last before it counts, when other sources of the same
 * type may watch the same links (several Flow Collectors): long enough for each of them to
 * poll once (interval + 10 % jitter + its timeout). With a single source of a type: 0.
 */
static int64_t
group_hold_ms(const struct np_pipeline *p, const struct np_source_cfg *src)
{
	int64_t hold = 0;
	for (size_t i = 0; i < p->cfg->nsources; i++) {
		const struct np_source_cfg *o = &p->cfg->sources[i];
		if (strcmp(o->type, src->type) != 0 || strcmp(o->name, src->name) == 0)
			continue;
		int64_t h = o->interval_ms + o->interval_ms / 10 + o->timeout_ms;
		if (h > hold)
			hold = h;
	}
	return hold;
}

static int
severity_of(enum np_alert_kind k)
{
	switch (k) {
	case NP_AL_IFDOWN:
		return LOG_ERR;
	case NP_AL_IFUP:
		return LOG_NOTICE;
	default:
		return LOG_WARNING;
	}
}

static void
on_event(const struct np_ls_event *ev, void *arg)
{
	struct np_pipeline *p = arg;
	if (p->err)
		return;
	char *msg = NULL;
	if (ev->alert != NP_AL_NONE)
		msg = np_alert_sentence(np_alert_names[ev->alert], ev->device, ev->interface,
		                        ev->sources,
		                        /* rounded as the store rounds outage_seconds */
		                        ev->outage_ms >= 0 ? (ev->outage_ms + 500) / 1000 : -1);
	if (np_store_event(p->st, ev, msg != NULL ? msg : "", severity_of(ev->alert),
	                   (const char *const *)p->sinks, p->nsinks, &p->errcause) == -1) {
		p->err = 1;
		free(msg);
		return;
	}
	p->stats.events++;
	char *dev = np_escape(ev->device), *ifn = np_escape(ev->interface);
	char *src = np_escape(ev->sources != NULL ? ev->sources : "");
	if (ev->alert != NP_AL_NONE) {
		p->stats.alerts++;
		p->alerts_queued++;
		np_logf(&p->lg, severity_of(ev->alert), "%s %s%s%s: %s", np_alert_names[ev->alert],
		        dev, *ifn ? "/" : "", ifn, msg);
	} else {
		np_logf(&p->lg, LOG_INFO, "%s%s%s: %s -> %s (%s%s)", dev, *ifn ? "/" : "", ifn,
		        np_state_names[ev->from], np_state_names[ev->to], src,
		        ev->flapping ? ", flapping: alert suppressed" : "");
	}
	free(dev);
	free(ifn);
	free(src);
	free(msg);
}

static void
on_saved(const struct np_ls_saved *s, void *arg)
{
	struct np_pipeline *p = arg;
	if (p->err)
		return;
	if (np_store_link_save(p->st, s, &p->errcause) == -1)
		p->err = 1;
}

/* Runs the link-state rules and stores what they produce; inside a transaction. */
static int
evaluate(struct np_pipeline *p, int64_t now_ms, char **cause)
{
	p->err = 0;
	np_ls_evaluate(p->ls, now_ms, on_event, p);
	if (!p->err)
		np_ls_drain_dirty(p->ls, on_saved, p);
	if (p->err) {
		np_cause(cause, "%s", p->errcause != NULL ? p->errcause : "store error");
		free(p->errcause);
		p->errcause = NULL;
		return -1;
	}
	return 0;
}

/* After a failed transaction the engine is ahead of the database: rebuild it from there. */
static void
recover(struct np_pipeline *p)
{
	np_store_rollback(p->st);
	/* Counter states go back to before the batch: the next delta covers both intervals. */
	np_series_tab_undo(p->series);
	p->stats.failed_batches++;
	char *why = NULL;
	if (load_links(p, &why) == -1) {
		np_logf(&p->lg, LOG_ERR, "reloading link state after a failed write: %s", why);
		free(why);
	}
}

/* Drops from memory the series a complete batch no longer lists (baselines stay stored). */
static void
prune_series(struct np_pipeline *p, const char *source, uint32_t gen)
{
	np_series_tab_prune(p->series, source, gen);
}

/* Series of sources that never send a complete batch leave memory when idle. */
static void
sweep_series(struct np_pipeline *p, int64_t now_ms)
{
	if (now_ms < p->next_sweep_ms && now_ms >= p->next_sweep_ms - SWEEP_EVERY_MS)
		return;
	p->next_sweep_ms = now_ms + SWEEP_EVERY_MS;
	np_series_tab_sweep(p->series, now_ms);
}

static int
note_skipped(struct np_pipeline *p, const char *source, struct source *ss, const struct np_batch *b,
             char **cause)
{
	if (b->skipped == ss->last_skipped && strcmp(b->skip_reason, ss->last_skip_reason) == 0)
		return 0;
	if (b->skipped > 0) {
		char *why = np_escape(b->skip_reason);
		np_logf(&p->lg, LOG_WARNING, "%s: skipped %zu unusable row(s); first: %s", source,
		        b->skipped, why);
		free(why);
	} else {
		np_logf(&p->lg, LOG_INFO, "%s: no more unusable rows", source);
	}
	ss->last_skipped = b->skipped;
	np_strlcpy(ss->last_skip_reason, b->skip_reason, sizeof(ss->last_skip_reason));
	return np_store_collector_save(p->st, source, true, ss->since_s, "", 0, b->skipped,
	                               b->skip_reason, cause);
}

int
np_pipeline_ingest(struct np_pipeline *p, const struct np_source_cfg *src, const struct np_batch *b,
                   int64_t now_ms, char **cause)
{
	p->now_s = now_ms / 1000;
	p->now_ms = now_ms;
	struct source *ss = source_get(p, b->source);
	if (np_store_begin(p->st, cause) == -1)
		return -1;
	if (b->complete)
		ss->gen++;
	int64_t stale_ms = np_source_stale_after_ms(src);
	/* The source's own down_after (a per-source `state:` override), or the group hold. */
	p->hold_ms = group_hold_ms(p, src);
	if (src->state.down_after_ms > p->hold_ms)
		p->hold_ms = src->state.down_after_ms;
	for (size_t i = 0; i < b->n; i++)
		if (ingest_obs(p, src, ss, b->source, &b->obs[i], stale_ms, cause) == -1)
			goto fail;
	if (b->complete)
		np_ls_source_complete(p->ls, b->source, b->time_ms);
	if (evaluate(p, now_ms, cause) == -1)
		goto fail;
	if (note_skipped(p, b->source, ss, b, cause) == -1)
		goto fail;
	if (np_store_run_alive(p->st, p->run, p->now_s, cause) == -1)
		goto fail;
	if (np_store_commit(p->st, cause) == -1)
		goto fail;
	np_series_tab_commit(p->series);
	if (b->complete)
		prune_series(p, b->source, ss->gen);
	sweep_series(p, now_ms);
	p->stats.series = np_series_tab_count(p->series);
	p->stats.batches++;
	p->stats.observations += b->n;
	return 0;
fail:
	np_cause_prefix(cause, "storing %zu observations of %s", b->n, b->source);
	recover(p);
	p->stats.series = np_series_tab_count(p->series);
	return -1;
}

int
np_pipeline_tick(struct np_pipeline *p, int64_t now_ms, char **cause)
{
	p->now_s = now_ms / 1000;
	if (np_store_begin(p->st, cause) == -1)
		return -1;
	if (evaluate(p, now_ms, cause) == -1 ||
	    np_store_run_alive(p->st, p->run, p->now_s, cause) == -1 ||
	    np_store_commit(p->st, cause) == -1) {
		recover(p);
		return -1;
	}
	return 0;
}

int64_t
np_pipeline_next_deadline(const struct np_pipeline *p)
{
	return np_ls_next_deadline(p->ls);
}

int
np_pipeline_source_status(struct np_pipeline *p, const struct np_source_cfg *src, bool ok,
                          const char *why, int64_t now_ms, char **cause)
{
	struct source *ss = source_get(p, src->name);
	int64_t now_s = now_ms / 1000;
	if (!ss->health_known) {
		bool pok;
		int64_t since;
		int r = np_store_collector_load(p->st, src->name, &pok, &since, cause);
		if (r == -1)
			return -1;
		if (r == 1) {
			ss->health_known = true;
			ss->ok = pok;
			ss->since_s = since;
		}
	}
	bool first = !ss->health_known;
	ss->failures = ok ? 0 : ss->failures + 1;
	/* First sight of a healthy source is silent; a source failing from the start alerts. */
	bool alert = first ? !ok : ss->ok != ok;
	if (!alert && !first)
		return 0;

	if (np_store_begin(p->st, cause) == -1)
		return -1;
	char *msg = NULL;
	if (alert) {
		char *w = why != NULL ? np_escape(why) : NULL;
		msg = ok ? np_xasprintf("source %s (%s) is polling again", src->name, src->type)
		         : np_xasprintf("source %s (%s) is failing: %s", src->name, src->type,
		                        w != NULL ? w : "unknown error");
		free(w);
		struct np_store_alert a = {
		    .msgid = "COLLECTOR",
		    .severity = LOG_WARNING,
		    .device = src->host != NULL ? src->host : src->name,
		    .interface = "",
		    .state = ok ? "ok" : "failing",
		    .previous = first ? "unknown"
		                : ok  ? "failing"
		                      : "ok",
		    .source = src->name,
		    .since_s = now_s,
		    .outage_seconds = ok && !first ? now_s - ss->since_s : -1,
		    .message = msg,
		};
		if (np_store_alert(p->st, &a, now_s, (const char *const *)p->sinks, p->nsinks,
		                   cause) == -1)
			goto fail;
	}
	if (np_store_collector_save(p->st, src->name, ok, now_s, ok ? "" : (why ? why : ""),
	                            (int)ss->failures, ss->last_skipped, ss->last_skip_reason,
	                            cause) == -1)
		goto fail;
	if (np_store_commit(p->st, cause) == -1)
		goto fail;
	if (alert) {
		p->alerts_queued++;
		p->stats.alerts++;
		np_logf(&p->lg, ok ? LOG_NOTICE : LOG_ERR, "COLLECTOR %s%s", msg,
		        ok ? "" : " (retrying with backoff; logged again when it recovers)");
	}
	free(msg);
	ss->health_known = true;
	ss->ok = ok;
	ss->since_s = now_s;
	return alert ? 1 : 0;
fail:
	free(msg);
	np_store_rollback(p->st);
	return -1;
}

uint64_t
np_pipeline_alerts_queued(const struct np_pipeline *p)
{
	return p->alerts_queued;
}

const struct np_pipeline_stats *
np_pipeline_stats(const struct np_pipeline *p)
{
	return &p->stats;
}

void
np_pipeline_forget_source(struct np_pipeline *p, const char *source)
{
	free(np_hmap_del(p->sources, source, strlen(source)));
	prune_series(p, source, UINT32_MAX);
	p->stats.series = np_series_tab_count(p->series);
}
