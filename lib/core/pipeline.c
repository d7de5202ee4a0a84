#include "core/pipeline.h"
#include "core/group.h"
#include "core/linkstats.h"
#include "core/storm.h"
#include "engine/linkrules.h"
#include "engine/maint.h"
#include "core/maint_rec.h"
#include "store/store_window.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "alert/alert.h"
#include "collectors/collector.h"
#include "core/accum.h"
#include "core/flush.h"
#include "core/maint_held.h"
#include "core/pending.h"
#include "core/series.h"
#include "engine/counter.h"
#include "engine/linkstate.h"
#include "util/clock.h"
#include "util/cause.h"
#include "util/hmap.h"
#include "util/promtext.h"
#include "util/str.h"
#include "util/xmalloc.h"

/*
 * A series not observed for this long (or twice its source's stale_after, if longer) leaves
 * memory; its baselines stay in the store for when it returns. Looked for once a minute.
 */
#define SERIES_IDLE_MS (3600 * 1000)
#define SWEEP_EVERY_MS (60 * 1000)
/*
 * runs.last_alive moves at most this often (each time a page written; the daemon's stop
 * writes it too): after a crash, up to this much of the time before it counts as unobserved.
 */
#define RUN_ALIVE_S 30

struct source {
	uint32_t gen;
	bool health_known, ok;
	int64_t since_s;
	unsigned failures;
	size_t last_skipped;
	char last_skip_reason[256];
	char last_why[256]; /* why its polls fail, as last recorded (collectors.last_error) */
	int64_t alert_id;   /* its COLLECTOR alert while it fails (outbox id; 0: none known) */
	size_t covered;     /* its links gone stale under that alert in this evaluation */
};

struct np_pipeline {
	struct np_store *st;
	const struct np_config *cfg;
	struct np_logger lg;
	struct np_ls *ls;
	struct np_ls_params params;
	struct np_series_tab *series; /* the one series-id cache, with the counter baselines */
	struct np_accum_scratch scratch;
	int64_t next_sweep_ms;
	int64_t fold_mono; /* monotonic time of the last fold step */
	/* Series leaving memory once the open transaction commits (prune, sweep). */
	struct np_series_leaving leaving[2];
	size_t nleaving;
	size_t listed;  /* series the batch in progress listed (first sight in its generation) */
	int64_t max_id; /* the largest series id met (the flush slots divide 1..max_id) */
	struct np_hmap *sources; /* name -> struct source */
	char **sinks;
	size_t nsinks;
	int64_t run, alive_s;
	uint64_t alerts_queued;
	struct np_pipeline_stats stats;
	/* Link-state writes not committed yet, and what the open transaction wrote of them. */
	struct np_pending *pending;
	struct np_storm *storm;     /* STALE alerts of the write in progress (storm.h) */
	struct np_maint *maint;     /* maintenance windows of the config (NULL: none) */
	struct np_maint_rec *mrec;  /* the time links spend in them, recorded (maint_rec.h) */
	struct np_linkrules *rules; /* `links:` overrides (NULL: none) */
	struct np_group *group;     /* alerts held for alerts.group_window (group.h) */
	/*
	 * Links back from stale changed (they went down or up unobserved), in the write in
	 * progress: per source one summary (a lone one as itself), released in its transaction.
	 */
	struct np_group *returns;
	bool group_all; /* release every group (the daemon stops) */
	size_t held;    /* events already held when the open transaction began */
	uint64_t wrote_events, wrote_alerts;
	struct np_pipeline_storage storage;
	char *storage_error;
	bool drop_logged;
	int64_t now_s, now_ms;
	/*
	 * Wall minus monotonic, sampled at the current ingest/tick: the engine runs on the
	 * monotonic clock; its times are dated with the wall clock current when they are stored.
	 */
	int64_t wall_off;
	int64_t mono_now;
	struct np_maint_held *mheld; /* alerts held back by a window, for its end */
	struct np_linkstats *lstats; /* per-link counters for the metrics */
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

/* Stored (wall) time -> engine (monotonic) time and back; 0 stays "none". */
static int64_t
to_mono(const struct np_pipeline *p, int64_t wall_ms)
{
	return wall_ms != 0 ? wall_ms - p->wall_off : 0;
}

static int64_t
to_wall(const struct np_pipeline *p, int64_t mono_ms)
{
	return mono_ms != 0 ? mono_ms + p->wall_off : 0;
}

static void
set_clocks(struct np_pipeline *p, int64_t wall_ms, int64_t mono_ms)
{
	p->now_s = wall_ms / 1000;
	p->now_ms = wall_ms;
	p->wall_off = wall_ms - mono_ms;
	p->mono_now = mono_ms;
}

/* What a COLLECTOR alert names as its device: the type's peer (a host), else the source. */
static const char *
source_peer(const struct np_source_cfg *src)
{
	const struct np_collector_ops *ops = src->type_ops;
	const char *peer = NULL;
	if (ops != NULL && ops->peer != NULL && src->conf != NULL)
		peer = ops->peer(src->conf);
	return peer != NULL ? peer : src->name;
}

static void
register_sources(struct np_pipeline *p)
{
	for (size_t i = 0; i < p->cfg->nsources; i++) {
		const struct np_source_cfg *s = &p->cfg->sources[i];
		/* its next batch at the latest: interval + 10 % jitter + its timeout */
		int64_t due = s->interval_ms + s->interval_ms / 10 + s->timeout_ms;
		np_ls_source_set(p->ls, s->name, s->link_group, due);
	}
}

/* Freshness of a restored link: that of its sources still configured, else the default. */
static int64_t
restored_stale_ms(const struct np_pipeline *p, const char *sources)
{
	int64_t stale = -1;
	for (size_t i = 0; sources != NULL && i < p->cfg->nsources; i++) {
		const struct np_source_cfg *s = &p->cfg->sources[i];
		size_t n = strlen(s->name);
		for (const char *q = sources; (q = strstr(q, s->name)) != NULL; q += n)
			if ((q == sources || q[-1] == ',') && (q[n] == ',' || q[n] == '\0')) {
				int64_t st = np_source_stale_after_ms(s);
				stale = st > stale ? st : stale;
				break;
			}
	}
	if (stale >= 0)
		return stale;
	const struct np_state_cfg *g = &p->cfg->state;
	return g->stale_after_x > 0 ? (int64_t)(g->stale_after_x * (double)p->cfg->interval_ms)
	                            : g->stale_after_ms;
}

static void
restore_cb(const struct np_ls_saved *s, void *arg)
{
	struct np_pipeline *p = arg;
	struct np_ls_saved m = *s;
	m.since_ms = to_mono(p, s->since_ms);
	m.outage_start_ms = to_mono(p, s->outage_start_ms);
	m.pending_since_ms = to_mono(p, s->pending_since_ms);
	m.last_change_ms = to_mono(p, s->last_change_ms);
	np_ls_restore(p->ls, &m, p->mono_now, restored_stale_ms(p, s->sources));
}

static int
load_links(struct np_pipeline *p, char **cause)
{
	np_ls_free(p->ls);
	p->ls = np_ls_new(&p->params);
	register_sources(p);
	return np_store_links_load(p->st, restore_cb, p, cause);
}

/* The config's maintenance windows and `links:` rules, compiled (the config was checked). */
static void
set_maint(struct np_pipeline *p)
{
	np_maint_free(p->maint);
	np_linkrules_free(p->rules);
	p->maint = NULL;
	p->rules = NULL;
	char *why = NULL;
	if (p->cfg->nlink_rules > 0) {
		p->rules =
		    np_linkrules_new(p->cfg->link_rules, p->cfg->nlink_rules, NULL, NULL, &why);
		if (p->rules == NULL) {
			np_logf(&p->lg, LOG_ERR, "links: %s (not applied)", why);
			free(why);
			why = NULL;
		}
	}
	if (p->cfg->nmaint == 0)
		return;
	p->maint =
	    np_maint_new(p->cfg->maint, p->cfg->nmaint, NULL, p->cfg->timezone, NULL, NULL, &why);
	if (p->maint == NULL) {
		np_logf(&p->lg, LOG_ERR, "maintenance windows: %s (alerts are sent)", why);
		free(why);
	}
}

/* The maintenance window an event's alert falls in, or -1. */
static int
in_maint(const struct np_pipeline *p, const struct np_ls_event *ev)
{
	if (ev->alert == NP_AL_NONE || p->maint == NULL)
		return -1;
	struct np_maint_store_link l; /* labels: the link's series in the store */
	np_maint_store_link(&l, p->st, ev->sources, ev->device, ev->interface);
	return np_maint_covers_link(p->maint, &l.l, ev->time_ms / 1000);
}

static struct source *source_get(struct np_pipeline *p, const char *name);

/*
 * A held alert read back after a restart: the severity its link's `links:` entry gives (one
 * matching by labels cannot match before the link is observed again).
 */
static int
held_severity(const char *sources, const char *device, const char *interface, int severity,
              void *arg)
{
	const struct np_pipeline *p = arg;
	const struct np_linkrule *rule = np_linkrules_link(p->rules, sources, device, interface);
	return rule != NULL && rule->severity >= 0 ? rule->severity : severity;
}

/* A source's health as last recorded (collectors row), unless known already: 0 or -1. */
static int
health_load(struct np_pipeline *p, const char *name, char **cause)
{
	struct source *ss = source_get(p, name);
	if (ss->health_known)
		return 0;
	bool ok;
	int64_t since;
	int failures;
	char *last = NULL;
	int r = np_store_collector_load(p->st, name, &ok, &since, &failures, &last, cause);
	if (r == 1) {
		ss->health_known = true;
		ss->ok = ok;
		ss->since_s = since;
		/* A streak of failures goes on across a restart, its reason logged only if new. */
		ss->failures = ok || failures < 0 ? 0 : (unsigned)failures;
		np_strlcpy(ss->last_why, ok ? "" : last, sizeof(ss->last_why));
	}
	free(last);
	return r == -1 ? -1 : 0;
}

/*
 * At start-up, the health each configured source had: one failing before a restart covers
 * the STALE of its links with the COLLECTOR alert it raised then, even before its first
 * poll after the restart has answered (DESIGN §6: a restart invents no alert).
 */
static int
load_health(struct np_pipeline *p, char **cause)
{
	for (size_t i = 0; i < p->cfg->nsources; i++)
		if (health_load(p, p->cfg->sources[i].name, cause) == -1)
			return -1;
	return 0;
}

/*
 * For an alert's log line: the name of the maintenance window holding it back, or NULL when
 * it is sent (or a `links:` alert: false, checked first in write_event, holds it back).
 */
static const char *
maint_held(const struct np_pipeline *p, const struct np_ls_event *ev)
{
	const struct np_linkrule *r =
	    np_linkrules_link(p->rules, ev->sources, ev->device, ev->interface);
	int mw = r != NULL && !r->alert ? -1 : in_maint(p, ev);
	return mw >= 0 ? np_maint_name(p->maint, mw) : NULL;
}

/* Whether a held alert, dated now, is still held back (maint_held.h): 1, 0, -1 never sent. */
static int
maint_still_held(const struct np_ls_event *ev, void *arg)
{
	const struct np_pipeline *p = arg;
	const struct np_linkrule *r =
	    np_linkrules_link(p->rules, ev->sources, ev->device, ev->interface);
	return r != NULL && !r->alert ? -1 : in_maint(p, ev) >= 0;
}

struct np_pipeline *
np_pipeline_new(struct np_store *st, const struct np_config *cfg, const struct np_logger *lg,
                int64_t now_ms, int64_t mono_ms, char **cause)
{
	struct np_pipeline *p = np_xcalloc(1, sizeof(*p));
	p->st = st;
	p->cfg = cfg;
	set_clocks(p, now_ms, mono_ms);
	if (lg != NULL)
		p->lg = *lg;
	ls_params_from(&p->params, &cfg->state);
	p->series = np_series_tab_new();
	np_accum_scratch_init(&p->scratch, NP_ACCUM_MAX_PARTS);
	p->fold_mono = mono_ms;
	p->sources = np_hmap_new();
	p->pending = np_pending_new(NP_PENDING_MAX);
	p->mheld = np_maint_held_new();
	p->storm = np_storm_new();
	p->group = np_group_new();
	p->returns = np_group_new();
	set_maint(p);
	p->mrec = np_maint_rec_new(now_ms / 1000);
	p->lstats = np_linkstats_new();
	if (load_links(p, cause) == -1 || np_linkstats_load(p->lstats, st, cause) == -1 ||
	    np_group_load(p->group, st, mono_ms, held_severity, p, cause) == -1 ||
	    load_health(p, cause) == -1)
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
	np_accum_scratch_free(&p->scratch);
	np_hmap_free(p->sources, free);
	free_sinks(p);
	np_pending_free(p->pending);
	np_maint_held_free(p->mheld);
	np_storm_free(p->storm);
	np_maint_free(p->maint);
	np_maint_rec_free(p->mrec);
	np_linkrules_free(p->rules);
	np_group_free(p->group);
	np_group_free(p->returns);
	np_linkstats_free(p->lstats);
	free(p->storage_error);
	free(p);
}

void
np_pipeline_set_config(struct np_pipeline *p, const struct np_config *cfg)
{
	p->cfg = cfg;
	ls_params_from(&p->params, &cfg->state);
	np_ls_set_params(p->ls, &p->params);
	register_sources(p);
	set_maint(p);
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
labels_hash(const struct np_batch *b, const struct np_obs *o)
{
	uint64_t h = 7;
	for (size_t i = 0; i < np_obs_nlabels(o); i++) {
		const char *k = np_obs_label_key(b, o, i), *v = np_obs_label_value(b, o, i);
		h = h * 31 + np_hash_bytes(k, strlen(k));
		h = h * 31 + np_hash_bytes(v, strlen(v));
	}
	return h;
}

static char *
labels_json(const struct np_batch *b, const struct np_obs *o)
{
	json_t *obj = json_object();
	for (size_t i = 0; i < np_obs_nlabels(o); i++)
		json_object_set_new(obj, np_obs_label_key(b, o, i),
		                    json_string(np_obs_label_value(b, o, i)));
	char *s = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(obj);
	return s;
}

/* The labels as the metrics show them (util/promtext.h); NULL when there are none. */
static char *
prom_labels(const struct np_batch *b, const struct np_obs *o)
{
	if (np_obs_nlabels(o) == 0)
		return NULL;
	struct np_buf sb = {0};
	for (size_t i = 0; i < np_obs_nlabels(o); i++)
		np_prom_extra_label(&sb, np_obs_label_key(b, o, i), np_obs_label_value(b, o, i));
	return np_buf_take(&sb);
}

static const char *
series_kind(const struct np_obs *o)
{
	if (o->is_amount)
		return o->amount_kind == NP_AMOUNT_TALKER_DST   ? "talker-dst"
		       : o->amount_kind == NP_AMOUNT_TALKER_SRC ? "talker-src"
		                                                : "usage";
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

static void
log_verdict(struct np_pipeline *p, const char *source, const struct np_batch *b,
            const struct np_obs *o, enum np_verdict v)
{
	char *dev = np_escape(np_obs_device(b, o)), *ifn = np_escape(np_obs_interface(b, o));
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

/* Sets *unusual when a counter's verdict was not ok (the series then writes all it holds). */
static int
ingest_counters(struct np_pipeline *p, const struct np_source_cfg *src, const char *source,
                struct np_series *s, const struct np_batch *b, const struct np_obs *o,
                struct np_sample *smp, bool *unusual, char **cause)
{
	struct np_counter_params cp = {
	    .bits = o->counter_bits,
	    .max_gap_ms = src->max_gap_ms,
	};
	uint32_t seen = 0; /* bit per verdict */
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
	}
	*unusual = (seen & ~(1u << NP_V_OK)) != 0;
	for (int v = 0; v < NP_V_MAX; v++) {
		if ((seen & (1u << v)) == 0 || v == NP_V_OK || v == NP_V_FIRST)
			continue;
		if (np_store_verdict(p->st, s->id, (enum np_verdict)v, p->now_s, cause) == -1)
			return -1;
		log_verdict(p, source, b, o, (enum np_verdict)v);
	}
	return 0;
}

static void
note_carrier(struct np_pipeline *p, const char *source, struct np_series *s,
             const struct np_batch *b, const struct np_obs *o)
{
	if (!o->has_carrier_changes)
		return;
	/*
	 * Two or more carrier changes between readings while the link looks the same: a flap
	 * too short for the poll (and the netlink notification) to show. Recorded as a count.
	 */
	if (s->v.has_carrier_changes && o->carrier_changes >= s->v.carrier_changes + 2) {
		uint64_t missed = (o->carrier_changes - s->v.carrier_changes) / 2;
		char *dev = np_escape(np_obs_device(b, o)),
		     *ifn = np_escape(np_obs_interface(b, o));
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

/*
 * An interval amount is already a delta: stored as given (replacing the same interval stored
 * before), never through the counter engine or the accumulators. One the store would refuse
 * (an empty interval) is logged and left out rather than failing the batch.
 */
static int
ingest_amount(struct np_pipeline *p, const char *source, const struct np_series *s,
              const struct np_batch *b, const struct np_obs *o, char **cause)
{
	int64_t start = o->amount_start_ms / 1000, end = o->amount_end_ms / 1000;
	if (end <= start) {
		char *dev = np_escape(np_obs_device(b, o)),
		     *ifn = np_escape(np_obs_interface(b, o));
		np_logf(&p->lg, LOG_WARNING, "%s: %s%s%s: amount over an empty interval left out",
		        source, dev, *ifn ? "/" : "", ifn);
		free(dev);
		free(ifn);
		return 0;
	}
	return np_store_amount(p->st, s->id, start, end, o->counters, o->counter_mask, cause);
}

int64_t
np_pipeline_amount_mark(struct np_pipeline *p, const char *source, const char *device,
                        const char *interface)
{
	int64_t end_ms = 0;
	char *cause = NULL;
	if (np_store_amount_mark(p->st, source, device, interface, &end_ms, &cause) == -1) {
		/* 0 = fill the whole window again: amounts replace, so only the cost is lost. */
		np_logf(&p->lg, LOG_WARNING, "%s: %s", source, cause);
		free(cause);
		return 0;
	}
	return end_ms;
}

/* A replayed reading the series has already judged (obs.h: replay). */
static bool
replayed(const struct np_series *s, const struct np_obs *o)
{
	for (int i = 0; i < NP_C_MAX; i++)
		if ((o->counter_mask & (1u << i)) != 0 && s->v.c[i].primed &&
		    o->time_ms <= s->v.c[i].last_ms)
			return true;
	return false;
}

/* An observation's labels, for `links:` entries matching labels. */
struct obs_ref {
	const struct np_batch *b;
	const struct np_obs *o;
};

static const char *
obs_label(const char *name, void *arg)
{
	const struct obs_ref *r = arg;
	for (size_t i = 0; i < np_obs_nlabels(r->o); i++)
		if (strcmp(np_obs_label_key(r->b, r->o, i), name) == 0)
			return np_obs_label_value(r->b, r->o, i);
	return NULL;
}

static int
ingest_obs(struct np_pipeline *p, const struct np_source_cfg *src, struct source *ss,
           const struct np_batch *b, const struct np_obs *o, int64_t stale_ms, char **cause)
{
	const char *source = b->source;
	const char *dev = np_obs_device(b, o), *ifn = np_obs_interface(b, o);
	struct np_series *s = np_series_tab_get(p->series, source, dev, ifn);
	if (s->gen != ss->gen || s->id == 0)
		p->listed++; /* first sight in this generation */
	s->gen = ss->gen;
	s->seen_ms = p->mono_now;
	s->idle_ms = stale_ms * 2 > SERIES_IDLE_MS ? stale_ms * 2 : SERIES_IDLE_MS;
	uint64_t lh = labels_hash(b, o);
	if (s->id == 0 || lh != s->labels_hash) {
		char *labels = labels_json(b, o);
		s->id = np_store_series(p->st, source, dev, ifn, series_kind(o), labels, p->now_s,
		                        cause);
		free(labels);
		if (s->id < 0) {
			s->id = 0;
			return -1;
		}
		s->labels_hash = lh;
		free(s->prom_labels);
		s->prom_labels = prom_labels(b, o);
		if (s->id > p->max_id)
			p->max_id = s->id;
	}
	if (o->is_amount)
		return ingest_amount(p, source, s, b, o, cause);
	/* First meeting in this process: continue from the counters' stored readings. */
	if (!s->restored && o->counter_mask != 0) {
		struct np_baseline bl;
		if (np_store_baseline_load(p->st, s->id, &bl, cause) == -1)
			return -1;
		np_series_restore(s, &bl);
		s->restored = true;
	}
	if (o->replay && replayed(s, o)) {
		p->stats.replayed++;
		return 0;
	}
	/*
	 * Kept in case this series writes rows in this batch: a failed transaction takes them
	 * away, and the series must then be as it was (its next delta covers both intervals).
	 * A series that only adds to its accumulators loses nothing with the transaction.
	 */
	struct np_series_state before = s->v;
	bool unusual = false;
	int wrote = 0;

	struct np_sample smp = {.from_ms = o->time_ms, .to_ms = o->time_ms};
	if (o->counter_mask != 0) {
		if (ingest_counters(p, src, source, s, b, o, &smp, &unusual, cause) == -1)
			goto undo;
		s->v.bits = o->counter_bits;
	}
	if (o->has_gauge) {
		smp.gauge = o->gauge;
		smp.has_gauge = true;
		smp.to_ms = o->time_ms;
	}
	if (smp.mask != 0 || smp.has_gauge) {
		struct np_flush_ctx fc = {.st = p->st, .series = s->id};
		wrote = np_accum_add(&s->v.acc, &smp, &p->scratch, np_flush_row, &fc, cause);
		if (wrote == -1)
			goto undo;
		p->stats.samples++;
		for (int i = 0; i < NP_C_MAX; i++)
			if ((smp.mask & (1u << i)) != 0)
				s->v.total[i] += smp.delta[i];
		s->v.total_mask |= smp.mask;
	}
	/*
	 * Write now: a counter out of the ordinary (its baseline must be stored as it is now),
	 * rows pushed out, or the closed row's turn (spread by series id over the next 150 s).
	 */
	bool due =
	    s->v.acc.has_closed && p->now_ms >= (s->v.acc.closed.bucket_s + NP_BUCKET_5M) * 1000 +
	                                            np_flush_delay_ms(s->id, p->max_id);
	if (unusual || wrote > 0 || due) {
		np_series_tab_save(p->series, s, &before);
		if (np_flush_series(p->st, s, unusual, cause) == -1)
			return -1;
		p->stats.flushes++;
	}
	note_carrier(p, source, s, b, o);

	/* On the monotonic clock: the batch's, plus the reading's offset within the batch. */
	if (o->link != NP_LINK_NONE) {
		int64_t down_hold = src->state.down_after_ms;
		struct obs_ref ref = {b, o};
		np_linkrules_note(p->rules, dev, ifn, obs_label, &ref);
		const struct np_linkrule *rule =
		    np_linkrules_match(p->rules, source, dev, ifn, obs_label, &ref);
		if (rule != NULL && rule->down_after_ms >= 0) /* longer or shorter */
			down_hold = rule->down_after_ms;
		np_ls_observe_hold(p->ls, dev, ifn, source, o->link, o->ever_up,
		                   b->mono_ms + (o->time_ms - b->time_ms), stale_ms, down_hold,
		                   src->state.up_after_ms);
	}
	return 0;
undo:
	np_series_tab_save(p->series, s, &before);
	return -1;
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

/*
 * A STALE whose deciding sources are all failing is covered by their COLLECTOR alert: the
 * link's transition is recorded, no alert of its own is sent (a Flow Collector with 1,000
 * exporters that dies raises one alert, not 1,001).
 */
static bool
stale_covered(struct np_pipeline *p, const struct np_ls_event *ev, int64_t *alert_id)
{
	const char *s = ev->sources;
	if (s == NULL || *s == '\0')
		return false;
	while (*s != '\0') {
		size_t len = strcspn(s, ",");
		const struct source *ss = np_hmap_get(p->sources, s, len);
		if (ss == NULL || !ss->health_known || ss->ok)
			return false;
		if (alert_id != NULL && s == ev->sources)
			*alert_id = ss->alert_id; /* the first source's */
		s += len;
		if (*s == ',')
			s++;
	}
	return true;
}

/* Each event is held until the transaction that writes it commits (pending.h). */
static void
on_event(const struct np_ls_event *mev, void *arg)
{
	struct np_pipeline *p = arg;
	/* Dated with the wall clock current when it happens (the engine runs on mono). */
	struct np_ls_event wev = *mev;
	wev.time_ms = to_wall(p, mev->time_ms);
	wev.outage_start_ms = to_wall(p, mev->outage_start_ms);
	const struct np_ls_event *ev = &wev;
	np_linkstats_event(p->lstats, ev);
	char *msg = NULL;
	if (ev->alert == NP_AL_IFDOWN && ev->to == NP_ST_REMOVED)
		msg = np_alert_sentence_deleted(ev->device, ev->interface, ev->sources);
	else if (ev->alert != NP_AL_NONE)
		msg = np_alert_sentence(np_alert_names[ev->alert], ev->device, ev->interface,
		                        ev->sources,
		                        /* rounded as the store rounds outage_seconds */
		                        ev->outage_ms >= 0 ? (ev->outage_ms + 500) / 1000 : -1);
	if (np_pending_add_event(p->pending, ev, msg, severity_of(ev->alert)) == 1) {
		p->storage.dropped++;
		if (!p->drop_logged)
			np_logf(&p->lg, LOG_ERR,
			        "more than %d link-state transitions held in memory while the "
			        "database cannot be written: dropping the oldest",
			        NP_PENDING_MAX);
		p->drop_logged = true;
	}
	/* Logged once, when it happens, whether or not the database can store it yet. */
	char *dev = np_escape(ev->device), *ifn = np_escape(ev->interface);
	char *src = np_escape(ev->sources != NULL ? ev->sources : "");
	if (ev->alert == NP_AL_STALE && stale_covered(p, ev, NULL)) {
		/* One line per source and evaluation at info (log_covered), each link at debug. */
		const char *s0 = ev->sources;
		struct source *ss = np_hmap_get(p->sources, s0, strcspn(s0, ","));
		ss->covered++;
		np_maint_held_note(p->mheld, ev, maint_held(p, ev), msg, LOG_INFO);
		np_logf(&p->lg, LOG_DEBUG,
		        "%s%s%s: %s -> stale (covered by the COLLECTOR alert of %s)", dev,
		        *ifn ? "/" : "", ifn, np_state_names[ev->from], src);
	} else if (ev->alert != NP_AL_NONE) {
		/* Held for maintenance: said so, and not at the alert's own severity. */
		const char *mw = maint_held(p, ev);
		np_maint_held_note(p->mheld, ev, mw, msg, severity_of(ev->alert));
		np_logf(&p->lg, mw != NULL ? LOG_NOTICE : severity_of(ev->alert),
		        "%s %s%s%s: %s%s%s%s", np_alert_names[ev->alert], dev, *ifn ? "/" : "", ifn,
		        msg, mw != NULL ? " (not sent: maintenance window " : "",
		        mw != NULL ? mw : "", mw != NULL ? ")" : "");
	} else {
		np_maint_held_note(p->mheld, ev, NULL, NULL, 0);
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
	struct np_ls_saved w = *s;
	w.since_ms = to_wall(p, s->since_ms);
	w.outage_start_ms = to_wall(p, s->outage_start_ms);
	w.pending_since_ms = to_wall(p, s->pending_since_ms);
	w.last_change_ms = to_wall(p, s->last_change_ms);
	np_pending_add_saved(p->pending, &w);
}

struct flush_ctx {
	struct np_pipeline *p;
	char **cause;
};

/*
 * The transition is stored now, its alert held (alert_id -1) in g (the window's groups, or the
 * returns of this write) under its first source.
 */
static int
hold_for_group(struct np_pipeline *p, struct np_group *g, const struct np_ls_event *ev,
               const char *msg, int severity, char **cause)
{
	if (np_store_event(p->st, ev, msg, severity, NULL, 0, cause) == -1)
		return -1;
	int64_t tid = np_store_last_transition_id(p->st);
	if (np_store_transitions_alert(p->st, &tid, 1, -1, cause) == -1)
		return -1;
	struct np_store_alert a = {
	    .msgid = np_alert_names[ev->alert],
	    .severity = severity,
	    .device = ev->device,
	    .interface = ev->interface,
	    .state = np_state_names[ev->to],
	    .previous = np_state_names[ev->from],
	    .source = ev->sources,
	    .since_s = ev->time_ms / 1000,
	    .outage_seconds = ev->outage_ms >= 0 ? (ev->outage_ms + 500) / 1000 : -1,
	    .message = msg,
	    .time_ms = ev->time_ms,
	};
	const char *src = ev->sources != NULL ? ev->sources : "";
	char *key = np_xstrndup(src, strcspn(src, ","));
	np_group_add(g, key, tid, &a, p->mono_now);
	free(key);
	p->wrote_events++;
	return 0;
}

static int
write_event(const struct np_ls_event *ev, const char *msg, int severity, void *arg)
{
	struct flush_ctx *c = arg;
	struct np_pipeline *p = c->p;
	size_t nsinks = p->nsinks;
	int64_t covered_by = 0; /* the COLLECTOR alert that covers a STALE */
	const struct np_linkrule *rule =
	    ev->alert != NP_AL_NONE
	        ? np_linkrules_link(p->rules, ev->sources, ev->device, ev->interface)
	        : NULL;
	if (rule != NULL && rule->severity >= 0)
		severity = rule->severity;
	bool maint = in_maint(p, ev) >= 0; /* transitions.maintenance = 1 */
	if (rule != NULL && !rule->alert) {
		nsinks = 0; /* recorded, never sent: `links:` alert: false */
	} else if (maint) {
		nsinks = 0; /* recorded, not sent: a maintenance window */
	} else if (ev->alert == NP_AL_STALE && stale_covered(p, ev, &covered_by)) {
		nsinks = 0; /* recorded; the sources' COLLECTOR alert said it */
	} else if (p->cfg->alerting.group_window_ms > 0 && ev->transition &&
	           ev->alert != NP_AL_NONE) {
		return hold_for_group(p, p->group, ev, msg, severity, c->cause);
	} else if (ev->alert == NP_AL_STALE) {
		np_storm_hold(p->storm, ev, msg, severity); /* written with its device's links */
		p->wrote_events++;
		return 0;
	} else if (ev->transition && ev->from == NP_ST_STALE &&
	           (ev->alert == NP_AL_IFDOWN || ev->alert == NP_AL_IFUP)) {
		/* back changed: with the source's other returns of this write (a recovery) */
		return hold_for_group(p, p->returns, ev, msg, severity, c->cause);
	}
	if (np_store_event(p->st, ev, msg, severity, (const char *const *)p->sinks, nsinks,
	                   c->cause) == -1 ||
	    (maint &&
	     np_store_maint_mark(p->st, np_store_last_transition_id(p->st), c->cause) == -1))
		return -1;
	if (covered_by > 0) { /* `netpulse events` names it as the transition's alert */
		int64_t tid = np_store_last_transition_id(p->st);
		if (tid > 0 &&
		    np_store_transitions_alert(p->st, &tid, 1, covered_by, c->cause) == -1)
			return -1;
	}
	p->wrote_events++;
	if (ev->alert != NP_AL_NONE)
		p->wrote_alerts++;
	return 0;
}

static int
write_saved(const struct np_ls_saved *s, void *arg)
{
	struct flush_ctx *c = arg;
	return np_store_link_save(c->p->st, s, c->cause);
}

/* Writes every held event, oldest first, then the held link rows; inside a transaction. */
static int
flush(struct np_pipeline *p, char **cause)
{
	struct flush_ctx c = {.p = p, .cause = cause};
	size_t bad;
	p->wrote_events = p->wrote_alerts = 0;
	np_storm_clear(p->storm);
	if (np_pending_write(p->pending, write_event, write_saved, &c, &bad) == 0) {
		int n = np_storm_write(p->storm, p->st, (const char *const *)p->sinks, p->nsinks,
		                       cause);
		if (n < 0)
			return -1;
		p->wrote_alerts += (uint64_t)n;
		n = np_group_release(p->returns, p->st, (const char *const *)p->sinks, p->nsinks,
		                     p->mono_now, 0, true, cause);
		if (n < 0)
			return -1;
		p->wrote_alerts += (uint64_t)n;
		int64_t window = p->cfg->alerting.group_window_ms;
		if (window > 0 || p->group_all) {
			n = np_group_release(p->group, p->st, (const char *const *)p->sinks,
			                     p->nsinks, p->mono_now, window, p->group_all, cause);
			if (n < 0)
				return -1;
			p->wrote_alerts += (uint64_t)n;
		}
		return 0;
	}
	/*
	 * A row the database refuses for what it is (not for a full, busy or failing disk) would
	 * fail every later transaction too: drop it, say so, and let the others through.
	 */
	if (bad != SIZE_MAX && np_store_error_row(p->st)) {
		np_logf(&p->lg, LOG_ERR,
		        "dropping a link-state transition that cannot be stored: %s",
		        *cause != NULL ? *cause : "store error");
		np_pending_drop(p->pending, bad);
		p->storage.dropped++;
	}
	return -1;
}

static void
log_covered(const char *key, size_t keylen, void *value, void *arg)
{
	struct source *ss = value;
	struct np_pipeline *p = arg;
	if (ss->covered == 0)
		return;
	char *name = np_xstrndup(key, keylen), *esc = np_escape(name);
	np_logf(&p->lg, LOG_INFO, "%s: %zu link%s -> stale (covered by its COLLECTOR alert)", esc,
	        ss->covered, ss->covered == 1 ? "" : "s");
	free(esc);
	free(name);
	ss->covered = 0;
}

/* Runs the link-state rules and stores what they produce; inside a transaction. */
static int
evaluate(struct np_pipeline *p, int64_t now_ms, char **cause)
{
	p->held = np_pending_events(p->pending);
	np_ls_evaluate(p->ls, now_ms, on_event, p);
	np_hmap_foreach(p->sources, log_covered, p);
	np_ls_drain_dirty(p->ls, on_saved, p);
	/* Alerts a maintenance window held back whose link is still in their state at its end. */
	struct np_maint_held_out out = {p->st, (const char *const *)p->sinks, p->nsinks, &p->lg};
	if (np_maint_held_release(p->mheld, p->now_ms, maint_still_held, p, &out, cause) == -1)
		return -1;
	return flush(p, cause);
}

/* A transaction that wrote the held link-state rows committed: they leave the queue. */
static void
committed(struct np_pipeline *p, int64_t now_ms)
{
	np_maint_held_commit(p->mheld);
	p->stats.events += p->wrote_events;
	p->stats.alerts += p->wrote_alerts;
	p->alerts_queued += p->wrote_alerts;
	p->wrote_events = p->wrote_alerts = 0;
	np_pending_clear(p->pending);
	np_group_commit(p->group);
	np_group_commit(p->returns);
	np_maint_rec_commit(p->mrec);
	if (p->storage.failing) {
		p->storage.failing = false;
		p->storage.until_ms = now_ms;
		p->storage.stored = p->held;
	}
	p->held = 0;
}

static void
storage_failed(struct np_pipeline *p, int64_t now_ms)
{
	struct np_pipeline_storage *s = &p->storage;
	if (!s->failing) {
		s->failing = true;
		s->failed = 0;
		s->since_ms = now_ms;
		s->stored = 0;
		free(p->storage_error);
		p->storage_error = np_xstrdup(np_store_errstr(p->st));
		p->drop_logged = false;
	}
	s->failed++;
}

/*
 * After a failed transaction the engine is ahead of the database and stays so: what it
 * produced is held in p->pending and written by the next transactions. Reloading the engine
 * from the database instead would forget an open outage and re-derive its alert every poll.
 */
static void
recover(struct np_pipeline *p, int64_t now_ms)
{
	np_store_rollback(p->st);
	np_group_rollback(p->group);
	np_group_rollback(p->returns);
	/* Counter states go back to before the batch: the next delta covers both intervals. */
	np_series_tab_undo(p->series);
	p->stats.failed_batches++;
	p->wrote_events = p->wrote_alerts = 0;
	storage_failed(p, now_ms);
}

/*
 * A series leaving memory (or the daemon stopping) writes everything it holds: both rows, the
 * baseline of its last reading, its last_seen.
 */
static int
flush_leaving(struct np_series *s, void *arg)
{
	struct flush_ctx *c = arg;
	struct np_pipeline *p = c->p;
	if (s->id == 0 || !np_flush_pending(s))
		return 0;
	struct np_series_state before = s->v;
	np_series_tab_save(p->series, s, &before);
	if (np_flush_series(p->st, s, true, c->cause) == -1 ||
	    np_store_series_seen(p->st, s->id, p->now_s, c->cause) == -1)
		return -1;
	p->stats.flushes++;
	return 0;
}

/* A closed row whose series is no longer polled (its source fails) is written all the same. */
static int
flush_due(struct np_series *s, void *arg)
{
	struct flush_ctx *c = arg;
	struct np_pipeline *p = c->p;
	if (s->id == 0 || !s->v.acc.has_closed || p->mono_now - s->seen_ms < SWEEP_EVERY_MS)
		return 0;
	struct np_series_state before = s->v;
	np_series_tab_save(p->series, s, &before);
	if (np_flush_series(p->st, s, false, c->cause) == -1)
		return -1;
	p->stats.flushes++;
	return 0;
}

/*
 * Inside the transaction: the series leaving memory write what they hold; they go once it
 * committed (np_series_tab_drop in leave()). A complete batch lets go of the series it no
 * longer lists; once a minute, series not observed for their idle time go too (sources that
 * never send a complete batch).
 */
static int
prepare_leaving(struct np_pipeline *p, const char *source, uint32_t gen, char **cause)
{
	struct flush_ctx c = {.p = p, .cause = cause};
	p->nleaving = 0;
	if (source != NULL)
		p->leaving[p->nleaving++] =
		    (struct np_series_leaving){.source = source, .gen = gen};
	if (p->mono_now >= p->next_sweep_ms) {
		p->leaving[p->nleaving++] = (struct np_series_leaving){.now_ms = p->mono_now};
		if (np_series_tab_foreach(p->series, flush_due, &c) == -1)
			return -1;
	}
	for (size_t i = 0; i < p->nleaving; i++)
		if (np_series_tab_each_leaving(p->series, &p->leaving[i], flush_leaving, &c) == -1)
			return -1;
	return 0;
}

static void
leave(struct np_pipeline *p)
{
	for (size_t i = 0; i < p->nleaving; i++) {
		if (p->leaving[i].source == NULL)
			p->next_sweep_ms = p->mono_now + SWEEP_EVERY_MS;
		np_series_tab_drop(p->series, &p->leaving[i]);
	}
	p->nleaving = 0;
	p->stats.series = np_series_tab_count(p->series);
}

/* Hourly/daily folding, a share of it per transaction (store_fold.c). */
static int
fold_step(struct np_pipeline *p, char **cause)
{
	int64_t elapsed = p->mono_now - p->fold_mono;
	if (np_store_fold_step(p->st, p->now_s, elapsed, cause) == -1)
		return -1;
	p->fold_mono = p->mono_now;
	return 0;
}

/*
 * runs.last_alive, written every few seconds rather than every poll (one page each time), and
 * with every link-state event: reports count the time after last_alive as unobserved, so an
 * outage's ends must lie inside the run or its downtime would not count against availability.
 */
static int
run_alive(struct np_pipeline *p, char **cause)
{
	if (p->wrote_events == 0 && p->now_s - p->alive_s < RUN_ALIVE_S && p->now_s >= p->alive_s)
		return 0;
	if (np_store_run_alive(p->st, p->run, p->now_s, cause) == -1)
		return -1;
	p->alive_s = p->now_s;
	return 0;
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
                   int64_t now_ms, int64_t mono_ms, char **cause)
{
	set_clocks(p, now_ms, mono_ms);
	struct source *ss = source_get(p, b->source);
	if (np_store_begin(p->st, cause) == -1) {
		storage_failed(p, now_ms);
		return -1;
	}
	if (b->complete)
		ss->gen++;
	p->listed = 0;
	int64_t stale_ms = np_source_stale_after_ms(src);
	for (size_t i = 0; i < b->n; i++)
		if (ingest_obs(p, src, ss, b, &b->obs[i], stale_ms, cause) == -1)
			goto fail;
	if (b->complete)
		np_ls_source_complete(p->ls, b->source, b->mono_ms);
	if (evaluate(p, mono_ms, cause) == -1)
		goto fail;
	if (note_skipped(p, b->source, ss, b, cause) == -1)
		goto fail;
	/* A complete batch that listed every series of its source lets none go: no scan. */
	bool all = p->listed >= np_series_tab_source_count(p->series, b->source);
	if (prepare_leaving(p, b->complete && !all ? b->source : NULL, ss->gen, cause) == -1 ||
	    fold_step(p, cause) == -1 || run_alive(p, cause) == -1 ||
	    np_maint_rec_step(p->mrec, p->maint, p->ls, p->st, p->now_s, false, cause) == -1)
		goto fail;
	if (np_store_commit(p->st, cause) == -1)
		goto fail;
	committed(p, now_ms);
	np_series_tab_commit(p->series);
	leave(p);
	p->stats.batches++;
	p->stats.observations += b->n;
	return 0;
fail:
	np_cause_prefix(cause, "storing %zu observations of %s", b->n, b->source);
	p->nleaving = 0;
	recover(p, now_ms);
	p->stats.series = np_series_tab_count(p->series);
	return -1;
}

int
np_pipeline_tick(struct np_pipeline *p, int64_t now_ms, int64_t mono_ms, char **cause)
{
	set_clocks(p, now_ms, mono_ms);
	if (np_store_begin(p->st, cause) == -1) {
		storage_failed(p, now_ms);
		return -1;
	}
	if (evaluate(p, mono_ms, cause) == -1 || prepare_leaving(p, NULL, 0, cause) == -1 ||
	    fold_step(p, cause) == -1 || run_alive(p, cause) == -1 ||
	    np_maint_rec_step(p->mrec, p->maint, p->ls, p->st, p->now_s, false, cause) == -1 ||
	    np_store_commit(p->st, cause) == -1) {
		p->nleaving = 0;
		recover(p, now_ms);
		return -1;
	}
	committed(p, now_ms);
	np_series_tab_commit(p->series);
	leave(p);
	return 0;
}

int64_t
np_pipeline_next_deadline(const struct np_pipeline *p)
{
	int64_t due = np_ls_next_deadline(p->ls);
	if (p->cfg->alerting.group_window_ms > 0) {
		int64_t g = np_group_deadline(p->group, p->cfg->alerting.group_window_ms);
		if (g < due)
			due = g;
	}
	return due;
}

int
np_pipeline_source_status(struct np_pipeline *p, const struct np_source_cfg *src, bool ok,
                          const char *why, int64_t now_ms, char **cause)
{
	struct source *ss = source_get(p, src->name);
	int64_t now_s = now_ms / 1000;
	/* A failing collector extends no down look's wait (DESIGN §6). */
	np_ls_source_failing(p->ls, src->name, !ok);
	if (health_load(p, src->name, cause) == -1)
		return -1;
	bool first = !ss->health_known;
	ss->failures = ok ? 0 : ss->failures + 1;
	/* First sight of a healthy source is silent; a source failing from the start alerts. */
	bool alert = first ? !ok : ss->ok != ok;
	/*
	 * Still failing: no new alert, but the collectors row keeps the failure count and the
	 * latest error, so `status --explain` says why it fails now and for how many polls; a
	 * new reason (refused, then a changed host key) is also logged once.
	 */
	bool still = !alert && !first && !ok;
	bool reason =
	    still && why != NULL && strncmp(why, ss->last_why, sizeof(ss->last_why) - 1) != 0;
	if (!alert && !first && !still)
		return 0;

	if (np_store_begin(p->st, cause) == -1)
		return -1;
	char *msg = NULL;
	int64_t alert_id = ss->alert_id;
	if (alert) {
		char *w = why != NULL ? np_escape(why) : NULL;
		/* Its links go stale later with no alert of their own: this one says how many. */
		size_t sole = ok ? 0 : np_ls_source_sole(p->ls, src->name, p->mono_now);
		char *left = sole == 0 ? np_xstrdup("")
		                       : np_xasprintf(" (%zu link%s observed by it alone)", sole,
		                                      sole == 1 ? "" : "s");
		msg = ok ? np_xasprintf("source %s (%s) is polling again", src->name, src->type)
		         : np_xasprintf("source %s (%s) is failing: %s%s", src->name, src->type,
		                        w != NULL ? w : "unknown error", left);
		free(left);
		free(w);
		struct np_store_alert a = {
		    .msgid = "COLLECTOR",
		    .severity = LOG_WARNING,
		    .device = source_peer(src),
		    .interface = "",
		    .state = ok ? "ok" : "failing",
		    .previous = first ? "unknown"
		                : ok  ? "failing"
		                      : "ok",
		    .source = src->name,
		    .since_s = now_s,
		    .outage_seconds = ok && !first ? now_s - ss->since_s : -1,
		    .message = msg,
		    .time_ms = np_wall_ms(),
		};
		int mw =
		    p->maint != NULL ? np_maint_covers(p->maint, src->name, NULL, NULL, now_s) : -1;
		if (mw >= 0)
			np_logf(&p->lg, LOG_NOTICE, "COLLECTOR %s: not sent: maintenance window %s",
			        src->name, np_maint_name(p->maint, mw));
		if (np_store_alert(p->st, &a, now_s, (const char *const *)p->sinks,
		                   mw >= 0 ? 0 : p->nsinks, cause) == -1)
			goto fail;
		alert_id = ok ? 0 : np_store_last_alert_id(p->st);
	}
	if (np_store_collector_save(p->st, src->name, ok, still ? ss->since_s : now_s,
	                            ok ? "" : (why ? why : ""), (int)ss->failures, ss->last_skipped,
	                            ss->last_skip_reason, cause) == -1)
		goto fail;
	if (np_store_commit(p->st, cause) == -1)
		goto fail;
	if (alert) {
		p->alerts_queued++;
		p->stats.alerts++;
		np_logf(&p->lg, ok ? LOG_NOTICE : LOG_ERR, "COLLECTOR %s%s", msg,
		        ok ? "" : " (retrying with backoff; logged again when it recovers)");
	} else if (reason) {
		char *w = np_escape(why);
		np_logf(&p->lg, LOG_WARNING, "source %s (%s) is still failing, now: %s", src->name,
		        src->type, w);
		free(w);
	}
	free(msg);
	np_strlcpy(ss->last_why, ok || why == NULL ? "" : why, sizeof(ss->last_why));
	if (still)
		return 0;
	ss->health_known = true;
	ss->ok = ok;
	ss->since_s = now_s;
	ss->alert_id = alert_id;
	return alert ? 1 : 0;
fail:
	free(msg);
	np_store_rollback(p->st);
	storage_failed(p, now_ms);
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

struct link_view_ctx {
	struct np_pipeline *p;
	int64_t now_ms, off;
	np_link_view_fn fn;
	void *arg;
};

static void
link_view_cb(const struct np_ls_saved *s, void *arg)
{
	struct link_view_ctx *c = arg;
	/* A down link that looks up again: its outage will end at the first up look. */
	int64_t up_look =
	    s->state == NP_ST_DOWN && s->pending == NP_ST_UP && s->pending_since_ms != 0
	        ? s->pending_since_ms + c->off
	        : 0;
	struct np_linkstats_read r;
	np_linkstats_get(c->p->lstats, s->device, s->interface, c->now_ms, up_look, &r);
	struct np_link_view v = {
	    .device = s->device,
	    .interface = s->interface,
	    .sources = s->sources != NULL ? s->sources : "",
	    .state = s->state,
	    .flapping = s->flapping,
	    .changes = r.changes,
	    .down_s = r.down_s,
	};
	c->fn(&v, c->arg);
}

void
np_pipeline_each_link(struct np_pipeline *p, int64_t now_ms, int64_t mono_ms, np_link_view_fn fn,
                      void *arg)
{
	struct link_view_ctx c = {p, now_ms, now_ms - mono_ms, fn, arg};
	np_ls_foreach(p->ls, link_view_cb, &c);
}

struct series_view_ctx {
	np_series_view_fn fn;
	void *arg;
};

static void
series_view_cb(const char *source, const char *device, const char *interface,
               const struct np_series *s, void *arg)
{
	struct series_view_ctx *c = arg;
	if (s->v.total_mask == 0)
		return;
	struct np_series_view v = {
	    .source = source,
	    .device = device,
	    .interface = interface,
	    .labels = s->prom_labels != NULL ? s->prom_labels : "",
	    .mask = s->v.total_mask,
	    .total = s->v.total,
	};
	c->fn(&v, c->arg);
}

void
np_pipeline_each_series(const struct np_pipeline *p, np_series_view_fn fn, void *arg)
{
	struct series_view_ctx c = {fn, arg};
	np_series_tab_each_keyed(p->series, series_view_cb, &c);
}

struct unlist_ctx {
	struct np_pipeline *p;
	int rc;
	char *why;
};

static void
unlist_removed(const struct np_ls_saved *s, void *arg)
{
	struct unlist_ctx *c = arg;
	if (c->rc == 0)
		c->rc = np_store_link_delete(c->p->st, s, &c->why);
}

size_t
np_pipeline_forget_links(struct np_pipeline *p, int64_t mono_ms)
{
	struct unlist_ctx c = {.p = p};
	c.rc = np_store_begin(p->st, &c.why);
	bool began = c.rc == 0;
	size_t n = np_ls_forget(p->ls, mono_ms, p->cfg->state.forget_after_ms, unlist_removed, &c);
	if (c.rc == 0 && np_store_commit(p->st, &c.why) == -1)
		c.rc = -1;
	if (c.rc == -1) {
		/* Their rows stay (removed) until a restart restores and forgets them again. */
		np_logf(&p->lg, LOG_ERR, "could not drop removed links from status: %s",
		        c.why != NULL ? c.why : "store error");
		if (began)
			np_store_rollback(p->st);
	}
	free(c.why);
	return n;
}

void
np_pipeline_storage(const struct np_pipeline *p, struct np_pipeline_storage *out)
{
	*out = p->storage;
	out->error = p->storage_error != NULL ? p->storage_error : "";
	out->held = np_pending_events(p->pending);
}

void
np_pipeline_forget_source(struct np_pipeline *p, const char *source)
{
	np_ls_source_set(p->ls, source, NULL, 0); /* waited for by no link any more */
	free(np_hmap_del(p->sources, source, strlen(source)));
	/* Its series write what they hold, then leave memory (even if that write failed). */
	char *why = NULL;
	struct flush_ctx c = {.p = p, .cause = &why};
	struct np_series_leaving w = {.source = source, .gen = UINT32_MAX};
	if (np_store_begin(p->st, &why) == -1 ||
	    np_series_tab_each_leaving(p->series, &w, flush_leaving, &c) == -1 ||
	    np_store_commit(p->st, &why) == -1) {
		np_logf(&p->lg, LOG_ERR, "%s: could not store what its series held: %s", source,
		        why != NULL ? why : "store error");
		np_store_rollback(p->st);
		np_series_tab_undo(p->series);
	} else {
		np_series_tab_commit(p->series);
	}
	free(why);
	np_series_tab_drop(p->series, &w);
	p->stats.series = np_series_tab_count(p->series);
}

int
np_pipeline_flush(struct np_pipeline *p, int64_t now_ms, int64_t mono_ms, char **cause)
{
	set_clocks(p, now_ms, mono_ms);
	if (np_store_begin(p->st, cause) == -1) {
		storage_failed(p, now_ms);
		return -1;
	}
	struct flush_ctx c = {.p = p, .cause = cause};
	p->group_all = true; /* what is held goes out now, not after a restart */
	int r = evaluate(p, mono_ms, cause);
	p->group_all = false;
	if (r == -1 || np_series_tab_foreach(p->series, flush_leaving, &c) == -1 ||
	    np_store_fold_all(p->st, cause) == -1 ||
	    np_store_run_alive(p->st, p->run, p->now_s, cause) == -1 ||
	    np_maint_rec_step(p->mrec, p->maint, p->ls, p->st, p->now_s, true, cause) == -1 ||
	    np_store_commit(p->st, cause) == -1) {
		recover(p, now_ms);
		return -1;
	}
	committed(p, now_ms);
	np_series_tab_commit(p->series);
	return 0;
}
