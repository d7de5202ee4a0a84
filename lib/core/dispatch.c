#include "core/dispatch.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "alert/alert.h"
#include "alert/sink.h"
#include "util/cause.h"
#include "util/clock.h"
#include "util/xmalloc.h"

#define RETRY_MIN_MS 1000
#define RETRY_MAX_MS 60000
#define DIRECT_WAIT_MS 200   /* a direct alert waiting for the sink's send in flight */
#define DIRECT_RETRY_MS 2000 /* first retry of a direct alert the sink failed, doubling */
#define DIRECT_TRIES 4

struct dsink {
	struct np_dispatch *d;
	struct np_sink *sink;
	char *key;
	struct event *wake; /* retry timer, or a zero timeout to continue with the next row */
	bool busy;
	int64_t retry_ms; /* 0 = healthy */
	unsigned failures;
	int64_t current; /* outbox id in flight */
	/*
	 * Delivered, but the database refused to mark it (a full disk): its mark is retried
	 * before anything else is sent, and it is never sent again by this process.
	 */
	int64_t unmarked;
	/* The row in flight, owned copies. */
	struct np_alert alert;
	char *strs[7];
};

struct np_dispatch {
	struct event_base *base;
	struct np_store *st;
	struct np_logger lg;
	struct dsink **v;
	size_t n;
	const char **keys;
	struct direct *directs; /* np_dispatch_direct alerts not delivered yet */
};

static void send_next(struct dsink *ds);
static void directs_free(struct np_dispatch *d);

static void
wake_cb(evutil_socket_t fd, short what, void *arg)
{
	send_next(arg);
}

static void
clear_current(struct dsink *ds)
{
	for (size_t i = 0; i < sizeof(ds->strs) / sizeof(ds->strs[0]); i++) {
		free(ds->strs[i]);
		ds->strs[i] = NULL;
	}
	memset(&ds->alert, 0, sizeof(ds->alert));
	ds->current = 0;
}

static void
arm(struct event *ev, int64_t ms)
{
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
	evtimer_add(ev, &tv);
}

static void
later(struct dsink *ds, int64_t ms)
{
	arm(ds->wake, ms);
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

static void
sent_cb(void *arg, int ok, const char *cause)
{
	struct dsink *ds = arg;
	struct np_dispatch *d = ds->d;
	ds->busy = false;
	char *why = NULL;
	if (ok == 0) {
		if (np_store_outbox_done(d->st, ds->current, ds->key, np_wall_ms() / 1000, &why) ==
		    -1) {
			/* Only a restart before the mark succeeds can send it again. */
			np_logf(&d->lg, LOG_ERR,
			        "alert %lld to %s: delivered, but marking it failed: %s (retrying "
			        "the mark before sending anything else)",
			        (long long)ds->current, ds->key, why);
			free(why);
			ds->unmarked = ds->current;
			ds->retry_ms = 0;
			clear_current(ds);
			later(ds, backoff(ds));
			return;
		}
		if (ds->failures > 0)
			np_logf(&d->lg, LOG_NOTICE,
			        "alert sink %s: delivering again after %u failure(s)", ds->key,
			        ds->failures);
		ds->failures = 0;
		ds->retry_ms = 0;
		clear_current(ds);
		later(ds, 0);
		return;
	}
	if (np_store_outbox_attempt(d->st, ds->current, ds->key, &why) == -1)
		free(why);
	if (ds->failures++ == 0)
		np_logf(&d->lg, LOG_WARNING, "alert sink %s: %s (alerts stay queued; retrying)",
		        ds->key, cause != NULL ? cause : "send failed");
	clear_current(ds);
	later(ds, backoff(ds));
}

static int
row_cb(const struct np_outbox_row *r, void *arg)
{
	struct dsink *ds = arg;
	ds->current = r->id;
	struct np_alert al = {
	    .time_ms = r->created * 1000,
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
	};
	own_alert(&ds->alert, ds->strs, &al);
	return 0;
}

static void
send_next(struct dsink *ds)
{
	struct np_dispatch *d = ds->d;
	if (ds->busy)
		return;
	char *why = NULL;
	if (ds->unmarked != 0) {
		if (np_store_outbox_done(d->st, ds->unmarked, ds->key, np_wall_ms() / 1000, &why) ==
		    -1) {
			free(why);
			later(ds, backoff(ds));
			return;
		}
		np_logf(&d->lg, LOG_NOTICE, "alert %lld to %s: marked delivered",
		        (long long)ds->unmarked, ds->key);
		ds->unmarked = 0;
		ds->retry_ms = 0;
	}
	if (np_store_outbox_pending(d->st, ds->key, 1, row_cb, ds, &why) == -1) {
		np_logf(&d->lg, LOG_ERR, "alert sink %s: reading the outbox: %s", ds->key, why);
		free(why);
		later(ds, RETRY_MIN_MS);
		return;
	}
	if (ds->current == 0)
		return; /* nothing pending */
	ds->busy = true;
	if (np_sink_send(ds->sink, &ds->alert, sent_cb, ds, &why) == -1) {
		ds->busy = false;
		sent_cb(ds, -1, why);
		free(why);
	}
}

static void
dsink_free(struct dsink *ds)
{
	if (ds == NULL)
		return;
	np_sink_free(ds->sink);
	if (ds->wake != NULL)
		event_free(ds->wake);
	clear_current(ds);
	free(ds->key);
	free(ds);
}

static void
free_sinks(struct np_dispatch *d)
{
	for (size_t i = 0; i < d->n; i++)
		dsink_free(d->v[i]);
	free(d->v);
	free(d->keys);
	d->v = NULL;
	d->keys = NULL;
	d->n = 0;
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

int
np_dispatch_set_config(struct np_dispatch *d, const struct np_config *cfg, char **cause)
{
	struct dsink **nv = cfg->nalerts ? np_xcalloc(cfg->nalerts, sizeof(*nv)) : NULL;
	for (size_t i = 0; i < cfg->nalerts; i++) {
		struct np_sink *sk = np_sink_new(d->base, &cfg->alerts[i], cause);
		if (sk == NULL) {
			np_cause_prefix(cause, "%s:%d: alert sink",
			                cfg->path ? cfg->path : "config", cfg->alerts[i].line);
			for (size_t j = 0; j < i; j++)
				dsink_free(nv[j]);
			free(nv);
			return -1;
		}
		struct dsink *ds = np_xcalloc(1, sizeof(*ds));
		ds->d = d;
		ds->sink = sk;
		ds->key = np_xstrdup(np_sink_key(sk));
		ds->wake = evtimer_new(d->base, wake_cb, ds);
		nv[i] = ds;
	}
	free_sinks(d);
	d->v = nv;
	d->n = cfg->nalerts;
	d->keys = d->n ? np_xcalloc(d->n, sizeof(*d->keys)) : NULL;
	for (size_t i = 0; i < d->n; i++)
		d->keys[i] = d->v[i]->key;
	struct adopt ad = {.d = d};
	char *why = NULL;
	if (np_store_outbox_sinks(d->st, adopt_cb, &ad, &why) == -1) {
		np_logf(&d->lg, LOG_ERR, "reading the outbox's sinks: %s", why);
		free(why);
	}
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
	free_sinks(d);
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
		if (!ds->busy && ds->retry_ms == 0)
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

bool
np_dispatch_busy(const struct np_dispatch *d)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i]->busy)
			return true;
	return false;
}

/*
 * Direct alerts (np_dispatch_direct): one entry per (alert, sink), found by sink key each try
 * so a reload that replaced the sinks is harmless. While one is sent it holds the sink's busy
 * flag, so the outbox waits; its outbox delivery resumes when it is done.
 */
struct direct {
	struct direct *next;
	struct np_dispatch *d;
	char *key;
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

static void direct_try(struct direct *dr);

static void
direct_wake_cb(evutil_socket_t fd, short what, void *arg)
{
	direct_try(arg);
}

static void
direct_failed(struct direct *dr, const char *cause)
{
	if (++dr->tries >= DIRECT_TRIES) {
		np_logf(&dr->d->lg, LOG_ERR, "alert sink %s: %s alert not delivered: %s", dr->key,
		        dr->alert.msgid, cause != NULL ? cause : "send failed");
		direct_unlink_free(dr);
		return;
	}
	arm(dr->wake, (int64_t)DIRECT_RETRY_MS << (dr->tries - 1));
}

static void
direct_sent_cb(void *arg, int ok, const char *cause)
{
	struct direct *dr = arg;
	struct dsink *ds = dsink_by_key(dr->d, dr->key);
	if (ds != NULL) {
		ds->busy = false;
		/* Resume the outbox unless the sink sits in its own backoff. */
		if (ds->retry_ms == 0)
			later(ds, 0);
	}
	if (ok == 0)
		direct_unlink_free(dr);
	else
		direct_failed(dr, cause);
}

static void
direct_try(struct direct *dr)
{
	struct dsink *ds = dsink_by_key(dr->d, dr->key);
	if (ds == NULL) {
		direct_unlink_free(dr); /* the sink was removed by a reload */
		return;
	}
	if (ds->busy) {
		arm(dr->wake, DIRECT_WAIT_MS);
		return;
	}
	ds->busy = true;
	char *why = NULL;
	/* done may run (and free dr) before np_sink_send returns: dr is not touched after. */
	if (np_sink_send(ds->sink, &dr->alert, direct_sent_cb, dr, &why) == -1) {
		ds->busy = false;
		direct_failed(dr, why);
		free(why);
	}
}

void
np_dispatch_direct(struct np_dispatch *d, const struct np_store_alert *a)
{
	int64_t now = np_wall_ms();
	for (size_t i = 0; i < d->n; i++) {
		struct direct *dr = np_xcalloc(1, sizeof(*dr));
		dr->d = d;
		dr->key = np_xstrdup(d->v[i]->key);
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
		direct_try(dr);
	}
}
