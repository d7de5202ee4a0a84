#include "core/dispatch.h"

#include <event2/event.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "alert/alert.h"
#include "alert/sink.h"
#include "config/config_table.h"
#include "config/mail_table.h"
#include "util/cause.h"
#include "util/clock.h"
#include "util/xmalloc.h"

#define RETRY_MIN_MS 1000
#define RETRY_MAX_MS 60000
#define BATCH 64              /* rows read and sent per turn of the loop */
#define MARK_RETRY_MS 1000    /* delivered rows the database refused to mark */
#define EXPIRE_EVERY_MS 60000 /* dead-letter check of a failing sink */
#define DIRECT_RETRY_MS 2000  /* first retry of a direct alert the sink failed, doubling */
#define DIRECT_TRIES 4

struct direct;

/* A list of outbox ids; [head, n) are in it (in-order removals at the head cost nothing). */
struct ids {
	int64_t *v;
	size_t head, n, cap;
};

struct dsink {
	struct np_dispatch *d;
	struct np_sink *sink;
	char *key;
	const struct np_alert_cfg *cfg; /* in the current config */
	struct event *wake;             /* retry timer, or a zero timeout to continue */
	struct event *markev;           /* marks delivered rows */
	int64_t retry_ms;               /* 0 = healthy; else in backoff */
	unsigned failures;
	int64_t last_expire_ms;
	/* The highest outbox id handed to the sink since it last failed. */
	int64_t cursor;
	struct ids inflight; /* outbox ids sent, not delivered yet, in send order */
	/* Delivered, not marked yet (or the database refused the mark): never sent again. */
	struct ids marks;
	uint64_t sent; /* alerts delivered by this sink since it was made */
};

struct np_dispatch {
	struct event_base *base;
	struct np_store *st;
	struct np_logger lg;
	int64_t max_age_ms;
	struct dsink **v;
	size_t n;
	const char **keys;
	struct direct *directs; /* np_dispatch_direct alerts not delivered yet */
	int64_t direct_seq;     /* direct alerts carry tags -1, -2, ... */
};

static void send_next(struct dsink *ds);
static void directs_free(struct np_dispatch *d);
static void directs_send(struct dsink *ds);
static bool direct_delivered(struct np_dispatch *d, int64_t tag);
static void directs_failed(struct dsink *ds, const char *cause);

static void
ids_push(struct ids *a, int64_t id)
{
	if (a->n == a->cap && a->head > 0) {
		memmove(a->v, a->v + a->head, (a->n - a->head) * sizeof(*a->v));
		a->n -= a->head;
		a->head = 0;
	}
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 64;
		a->v = np_xreallocarray(a->v, a->cap, sizeof(*a->v));
	}
	a->v[a->n++] = id;
}

static size_t
ids_len(const struct ids *a)
{
	return a->n - a->head;
}

static void
ids_clear(struct ids *a)
{
	a->head = a->n = 0;
}

/* Sinks report in send order: the id is almost always the first. */
static bool
ids_remove(struct ids *a, int64_t id)
{
	for (size_t i = a->head; i < a->n; i++) {
		if (a->v[i] != id)
			continue;
		if (i == a->head) {
			a->head++;
		} else {
			memmove(a->v + i, a->v + i + 1, (a->n - i - 1) * sizeof(*a->v));
			a->n--;
		}
		if (a->head == a->n)
			ids_clear(a);
		return true;
	}
	return false;
}

static bool
ids_has(const struct ids *a, int64_t id)
{
	for (size_t i = a->head; i < a->n; i++)
		if (a->v[i] == id)
			return true;
	return false;
}

static void
arm(struct event *ev, int64_t ms)
{
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
	evtimer_add(ev, &tv);
}

static void
wake_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	send_next(arg);
}

/* The sink's next retry delay: 1 s, doubling up to a minute. */
static int64_t
backoff(struct dsink *ds)
{
	ds->retry_ms = ds->retry_ms == 0 ? RETRY_MIN_MS : ds->retry_ms * 2;
	if (ds->retry_ms > RETRY_MAX_MS)
		ds->retry_ms = RETRY_MAX_MS;
	return ds->retry_ms;
}

/* Marks what the sink delivered, in one transaction. */
static void
flush_marks(struct dsink *ds)
{
	struct np_dispatch *d = ds->d;
	if (ids_len(&ds->marks) == 0)
		return;
	char *why = NULL;
	if (np_store_outbox_done_many(d->st, ds->marks.v + ds->marks.head, ids_len(&ds->marks),
	                              ds->key, np_wall_ms() / 1000, &why) == -1) {
		/* Only a restart before the mark succeeds can send them again. */
		np_logf(&d->lg, LOG_ERR,
		        "alert sink %s: %zu alert(s) delivered, but marking them failed: %s "
		        "(retrying the mark)",
		        ds->key, ids_len(&ds->marks), why);
		free(why);
		arm(ds->markev, MARK_RETRY_MS);
		return;
	}
	ids_clear(&ds->marks);
}

static void
mark_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	flush_marks(arg);
}

/* Undelivered rows older than alerts.max_age become dead letters (checked while failing). */
static void
expire(struct dsink *ds, bool force)
{
	struct np_dispatch *d = ds->d;
	int64_t now = np_mono_ms();
	if (!force && now - ds->last_expire_ms < EXPIRE_EVERY_MS)
		return;
	ds->last_expire_ms = now;
	int64_t wall = np_wall_ms() / 1000;
	char *why = NULL;
	int64_t n = np_store_outbox_expire(d->st, ds->key, wall - d->max_age_ms / 1000, wall, &why);
	if (n < 0) {
		np_logf(&d->lg, LOG_ERR, "alert sink %s: dead-letter check: %s", ds->key, why);
		free(why);
	} else if (n > 0) {
		np_logf(
		    &d->lg, LOG_ERR,
		    "alert sink %s: %lld alert(s) undelivered for longer than max_age are dead "
		    "letters now (netpulse alerts --dead lists them, --retry queues them again)",
		    ds->key, (long long)n);
	}
}

static void
delivered_cb(void *arg, int64_t tag)
{
	struct dsink *ds = arg;
	struct np_dispatch *d = ds->d;
	if (tag < 0) {
		direct_delivered(d, tag);
	} else {
		ids_remove(&ds->inflight, tag);
		ids_push(&ds->marks, tag);
		ds->sent++;
		event_active(ds->markev, EV_TIMEOUT, 1);
	}
	if (ds->failures > 0)
		np_logf(&d->lg, LOG_NOTICE, "alert sink %s: delivering again after %u failure(s)",
		        ds->key, ds->failures);
	ds->failures = 0;
	ds->retry_ms = 0;
}

static void
failed_cb(void *arg, const char *cause)
{
	struct dsink *ds = arg;
	struct np_dispatch *d = ds->d;
	flush_marks(ds);
	char *why = NULL;
	if (ids_len(&ds->inflight) > 0 &&
	    np_store_outbox_attempt(d->st, ds->inflight.v[ds->inflight.head], ds->key, &why) == -1)
		free(why);
	ids_clear(&ds->inflight);
	ds->cursor = 0;
	directs_failed(ds, cause);
	if (cause == NULL)
		cause = "send failed";
	/* Transports name their target first ("tcp://h:514: ..."): said once. */
	size_t kl = strlen(ds->key);
	if (strncmp(cause, ds->key, kl) == 0 && strncmp(cause + kl, ": ", 2) == 0)
		cause += kl + 2;
	if (ds->failures++ == 0)
		np_logf(&d->lg, LOG_WARNING, "alert sink %s: %s (alerts stay queued; retrying)",
		        ds->key, cause);
	expire(ds, false);
	arm(ds->wake, backoff(ds));
}

static void
ready_cb(void *arg)
{
	struct dsink *ds = arg;
	if (!evtimer_pending(ds->wake, NULL))
		send_next(ds);
}

struct turn {
	struct dsink *ds;
	int sent;
	bool stop;
};

static int
row_cb(const struct np_outbox_row *r, void *arg)
{
	struct turn *tu = arg;
	struct dsink *ds = tu->ds;
	if (!np_sink_ready(ds->sink)) {
		tu->stop = true;
		return 1;
	}
	ds->cursor = r->id;
	if (ids_has(&ds->marks, r->id))
		return 0; /* delivered already; its mark is pending */
	struct np_alert al = {
	    .id = r->id,
	    .time_ms = r->created_ms,
	    .msgid = r->msgid,
	    .severity = r->severity,
	    .device = r->device,
	    .interface = r->interface,
	    .state = r->state,
	    .previous = r->previous,
	    .source = r->source,
	    .since_s = r->since,
	    .outage_seconds = r->outage_seconds,
	    .message = r->message,
	    .details = r->details,
	};
	char *why = NULL;
	if (np_sink_send(ds->sink, &al, r->id, &why) == -1) {
		/* Ready, yet refused: this alert cannot be sent (it cannot be rendered). */
		np_logf(&ds->d->lg, LOG_ERR, "alert %lld to %s: %s (skipped until a restart)",
		        (long long)r->id, ds->key, why);
		free(why);
		return 0;
	}
	ids_push(&ds->inflight, r->id);
	tu->sent++;
	return 0;
}

/* Sends pending rows while the sink takes them, a batch per turn of the loop. */
static void
send_next(struct dsink *ds)
{
	struct np_dispatch *d = ds->d;
	if (ds->retry_ms != 0)
		expire(ds, false);
	directs_send(ds);
	if (!np_sink_ready(ds->sink))
		return; /* ready_cb resumes */
	struct turn tu = {.ds = ds};
	char *why = NULL;
	int n = np_store_outbox_pending(d->st, ds->key, ds->cursor, BATCH, row_cb, &tu, &why);
	if (n < 0) {
		np_logf(&d->lg, LOG_ERR, "alert sink %s: reading the outbox: %s", ds->key, why);
		free(why);
		arm(ds->wake, RETRY_MIN_MS);
		return;
	}
	if (n == BATCH && !tu.stop)
		arm(ds->wake, 0); /* more: after the loop had its turn */
}

static void
dsink_free(struct dsink *ds)
{
	if (ds == NULL)
		return;
	flush_marks(ds);
	np_sink_free(ds->sink);
	if (ds->wake != NULL)
		event_free(ds->wake);
	if (ds->markev != NULL)
		event_free(ds->markev);
	free(ds->inflight.v);
	free(ds->marks.v);
	free(ds->key);
	free(ds);
}

static void
free_sinks(struct dsink **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dsink_free(v[i]);
	free(v);
}

struct adopt {
	struct np_dispatch *d;
	int64_t moved;
};

static struct dsink *
dsink_by_key(const struct np_dispatch *d, const char *key)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->v[i]->key, key) == 0)
			return d->v[i];
	return NULL;
}

/*
 * A key with pending rows but no sink: if it is a configured sink spelt differently (an older
 * version's key, "UDP://Host" for "udp://host:514"), its rows move to that sink; otherwise they
 * wait for a sink that may come back, and the log says so (once per start or reload).
 */
static int
adopt_cb(const char *key, int64_t pending, void *arg)
{
	struct adopt *ad = arg;
	struct np_dispatch *d = ad->d;
	if (dsink_by_key(d, key) != NULL)
		return 0;
	char *canon = np_sink_key_canonical(key), *why = NULL;
	const struct dsink *ds = canon != NULL ? dsink_by_key(d, canon) : NULL;
	const char *to = ds != NULL ? ds->key : NULL;
	if (to != NULL) {
		int64_t n = np_store_outbox_rekey(d->st, key, to, &why);
		if (n >= 0) {
			np_logf(&d->lg, LOG_NOTICE,
			        "%lld pending alert(s) of sink %s now go to %s (the same target)",
			        (long long)n, key, to);
			ad->moved += n;
		} else {
			np_logf(&d->lg, LOG_ERR, "moving the alerts of sink %s to %s: %s", key, to,
			        why);
			free(why);
		}
	} else {
		np_logf(&d->lg, LOG_WARNING,
		        "%lld alert(s) pending for sink %s, which is no longer configured",
		        (long long)pending, key);
	}
	free(canon);
	return 0;
}

/* An email sink sends through the `mail:` section: a change there makes it another sink. */
static bool
same_mail(const struct np_alert_cfg *a, const struct np_alert_cfg *b)
{
	if (a->type != NP_SINK_EMAIL)
		return true;
	if (a->mail == NULL || b->mail == NULL)
		return a->mail == b->mail;
	return np_config_table_equal(np_config_mail_opts, a->mail, b->mail);
}

/* The sink of the old config that the new one describes the same way (kept, with its work). */
static ptrdiff_t
same_sink(struct dsink *const *old, size_t nold, const struct np_alert_cfg *a)
{
	char *key = np_sink_cfg_key(a);
	ptrdiff_t found = -1;
	for (size_t i = 0; key != NULL && i < nold && found < 0; i++)
		if (old[i] != NULL && old[i]->cfg != NULL && strcmp(old[i]->key, key) == 0 &&
		    np_config_table_equal(np_config_alert_opts, old[i]->cfg, a) &&
		    same_mail(old[i]->cfg, a))
			found = (ptrdiff_t)i;
	free(key);
	return found;
}

static struct dsink *
dsink_new(struct np_dispatch *d, const struct np_alert_cfg *a, char **cause)
{
	struct dsink *ds = np_xcalloc(1, sizeof(*ds));
	ds->d = d;
	ds->cfg = a;
	struct np_sink_cb cb = {delivered_cb, failed_cb, ready_cb, ds};
	ds->sink = np_sink_new(d->base, a, &cb, cause);
	if (ds->sink == NULL) {
		free(ds);
		return NULL;
	}
	ds->key = np_xstrdup(np_sink_key(ds->sink));
	ds->wake = evtimer_new(d->base, wake_cb, ds);
	ds->markev = event_new(d->base, -1, 0, mark_cb, ds);
	ds->last_expire_ms = np_mono_ms() - EXPIRE_EVERY_MS;
	return ds;
}

int
np_dispatch_set_config(struct np_dispatch *d, const struct np_config *cfg, char **cause)
{
	struct dsink **nv = cfg->nalerts ? np_xcalloc(cfg->nalerts, sizeof(*nv)) : NULL;
	ptrdiff_t *kept = cfg->nalerts ? np_xcalloc(cfg->nalerts, sizeof(*kept)) : NULL;
	struct dsink **old = d->v;
	size_t nold = d->n;
	for (size_t i = 0; i < cfg->nalerts; i++) {
		const struct np_alert_cfg *a = &cfg->alerts[i];
		kept[i] = same_sink(old, nold, a);
		if (kept[i] >= 0)
			continue;
		nv[i] = dsink_new(d, a, cause);
		if (nv[i] == NULL) {
			np_cause_prefix(cause, "%s:%d: alert sink",
			                cfg->path ? cfg->path : "config", a->line);
			for (size_t j = 0; j < i; j++)
				dsink_free(nv[j]);
			free(nv);
			free(kept);
			return -1;
		}
	}
	for (size_t i = 0; i < cfg->nalerts; i++)
		if (kept[i] >= 0) {
			nv[i] = old[kept[i]];
			nv[i]->cfg = &cfg->alerts[i];
			old[kept[i]] = NULL;
		}
	free(kept);
	free_sinks(old, nold);
	free(d->keys);
	d->v = nv;
	d->n = cfg->nalerts;
	d->max_age_ms = cfg->alerting.max_age_ms > 0 ? cfg->alerting.max_age_ms : 86400000;
	d->keys = d->n ? np_xcalloc(d->n, sizeof(*d->keys)) : NULL;
	for (size_t i = 0; i < d->n; i++)
		d->keys[i] = d->v[i]->key;
	struct adopt ad = {.d = d};
	char *why = NULL;
	if (np_store_outbox_sinks(d->st, adopt_cb, &ad, &why) == -1) {
		np_logf(&d->lg, LOG_ERR, "reading the outbox's sinks: %s", why);
		free(why);
	}
	for (size_t i = 0; i < d->n; i++)
		expire(d->v[i], true);
	if (ad.moved > 0)
		np_dispatch_kick(d);
	return 0;
}

struct np_dispatch *
np_dispatch_new(struct event_base *base, struct np_store *st, const struct np_config *cfg,
                const struct np_logger *lg, char **cause)
{
	struct np_dispatch *d = np_xcalloc(1, sizeof(*d));
	d->base = base;
	d->st = st;
	if (lg != NULL)
		d->lg = *lg;
	if (np_dispatch_set_config(d, cfg, cause) == -1) {
		free(d);
		return NULL;
	}
	return d;
}

void
np_dispatch_free(struct np_dispatch *d)
{
	if (d == NULL)
		return;
	free_sinks(d->v, d->n);
	free(d->keys);
	directs_free(d);
	free(d);
}

const char *const *
np_dispatch_keys(const struct np_dispatch *d, size_t *n)
{
	*n = d->n;
	return d->keys;
}

void
np_dispatch_kick(struct np_dispatch *d)
{
	for (size_t i = 0; i < d->n; i++) {
		struct dsink *ds = d->v[i];
		/* A sink in backoff waits for its timer. */
		if (ds->retry_ms == 0 && !evtimer_pending(ds->wake, NULL))
			send_next(ds);
	}
}

int64_t
np_dispatch_pending(struct np_dispatch *d)
{
	int64_t k = 0;
	for (size_t i = 0; i < d->n; i++) {
		int64_t c = np_store_outbox_count(d->st, d->v[i]->key);
		if (c > 0)
			k += c;
	}
	return k;
}

void
np_dispatch_each_sink(const struct np_dispatch *d, np_dispatch_sink_fn fn, void *arg)
{
	for (size_t i = 0; i < d->n; i++)
		fn(d->v[i]->key, d->v[i]->sent, arg);
}

bool
np_dispatch_busy(const struct np_dispatch *d)
{
	if (d->directs != NULL)
		return true;
	for (size_t i = 0; i < d->n; i++)
		if (ids_len(&d->v[i]->inflight) > 0 || ids_len(&d->v[i]->marks) > 0)
			return true;
	return false;
}

/*
 * Direct alerts (np_dispatch_direct): one entry per (alert, sink), found by sink key each try
 * so a reload that replaced the sinks is harmless. Sent ahead of the outbox's rows, with a
 * negative tag.
 */
struct direct {
	struct direct *next;
	struct np_dispatch *d;
	char *key;
	int64_t tag;
	bool sent;
	struct event *wake;
	unsigned tries;
	struct np_alert alert;
	char *strs[7];
};

static void
direct_unlink_free(struct direct *dr)
{
	struct direct **pp = &dr->d->directs;
	while (*pp != NULL && *pp != dr)
		pp = &(*pp)->next;
	if (*pp == dr)
		*pp = dr->next;
	if (dr->wake != NULL)
		event_free(dr->wake);
	for (size_t i = 0; i < sizeof(dr->strs) / sizeof(dr->strs[0]); i++)
		free(dr->strs[i]);
	free(dr->key);
	free(dr);
}

static void
directs_free(struct np_dispatch *d)
{
	while (d->directs != NULL)
		direct_unlink_free(d->directs);
}

static bool
direct_delivered(struct np_dispatch *d, int64_t tag)
{
	for (struct direct *dr = d->directs; dr != NULL; dr = dr->next)
		if (dr->tag == tag) {
			direct_unlink_free(dr);
			return true;
		}
	return false;
}

static void
direct_wake_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct direct *dr = arg;
	struct dsink *ds = dsink_by_key(dr->d, dr->key);
	if (ds == NULL) {
		direct_unlink_free(dr); /* the sink was removed by a reload */
		return;
	}
	directs_send(ds);
}

/* The sink's directs not sent yet go out first (each waits for its retry timer). */
static void
directs_send(struct dsink *ds)
{
	struct np_dispatch *d = ds->d;
	for (struct direct *dr = d->directs; dr != NULL; dr = dr->next) {
		if (dr->sent || strcmp(dr->key, ds->key) != 0 || evtimer_pending(dr->wake, NULL))
			continue;
		if (!np_sink_ready(ds->sink))
			return;
		char *why = NULL;
		if (np_sink_send(ds->sink, &dr->alert, dr->tag, &why) == -1) {
			np_logf(&d->lg, LOG_ERR, "alert sink %s: %s alert not delivered: %s",
			        dr->key, dr->alert.msgid, why);
			free(why);
			dr->sent = true; /* dropped below */
			dr->tries = DIRECT_TRIES;
			continue;
		}
		dr->sent = true;
	}
	struct direct *next;
	for (struct direct *dr = d->directs; dr != NULL; dr = next) {
		next = dr->next;
		if (dr->tries >= DIRECT_TRIES)
			direct_unlink_free(dr);
	}
}

static void
directs_failed(struct dsink *ds, const char *cause)
{
	struct np_dispatch *d = ds->d;
	struct direct *next;
	for (struct direct *dr = d->directs; dr != NULL; dr = next) {
		next = dr->next;
		if (!dr->sent || strcmp(dr->key, ds->key) != 0)
			continue;
		dr->sent = false;
		if (++dr->tries >= DIRECT_TRIES) {
			np_logf(&d->lg, LOG_ERR, "alert sink %s: %s alert not delivered: %s",
			        dr->key, dr->alert.msgid, cause != NULL ? cause : "send failed");
			direct_unlink_free(dr);
			continue;
		}
		arm(dr->wake, (int64_t)DIRECT_RETRY_MS << (dr->tries - 1));
	}
}

/* Makes *al a copy of *from whose strings are owned in strs (freed by the caller). */
static void
own_alert(struct np_alert *al, char *strs[7], const struct np_alert *from)
{
	const char *src[7] = {from->msgid,    from->device, from->interface, from->state,
	                      from->previous, from->source, from->message};
	for (size_t k = 0; k < 7; k++)
		strs[k] = np_xstrdup(src[k] != NULL ? src[k] : "");
	*al = *from;
	al->msgid = strs[0];
	al->device = strs[1];
	al->interface = strs[2];
	al->state = strs[3];
	al->previous = strs[4];
	al->source = strs[5];
	al->message = strs[6];
}

void
np_dispatch_direct(struct np_dispatch *d, const struct np_store_alert *a)
{
	int64_t now = np_wall_ms();
	for (size_t i = 0; i < d->n; i++) {
		struct direct *dr = np_xcalloc(1, sizeof(*dr));
		dr->d = d;
		dr->key = np_xstrdup(d->v[i]->key);
		dr->tag = -(++d->direct_seq);
		dr->wake = evtimer_new(d->base, direct_wake_cb, dr);
		struct np_alert al = {
		    .time_ms = now,
		    .msgid = a->msgid,
		    .severity = a->severity,
		    .device = a->device,
		    .interface = a->interface,
		    .state = a->state,
		    .previous = a->previous,
		    .source = a->source,
		    .since_s = a->since_s,
		    .outage_seconds = a->outage_seconds,
		    .message = a->message,
		};
		own_alert(&dr->alert, dr->strs, &al);
		dr->next = d->directs;
		d->directs = dr;
		directs_send(d->v[i]);
	}
}
