#include "collectors/meraki.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "collectors/meraki_conf.h"
#include "collectors/meraki_days.h"
#include "collectors/meraki_match.h"
#include "collectors/meraki_parse.h"
#include "io/http.h"
#include "util/cause.h"
#include "util/clock.h"
#include "util/hmap.h"
#include "util/str.h"
#include "util/tz.h"
#include "util/xmalloc.h"

/* Networks of one organization read at once (each reads its days back to back). */
#define NET_PARALLEL 4
/*
 * Requests go out evenly at 90 % of rate_limit, two at most at once: the organization's limit
 * is shared with every other app using it, and requests sent evenly arrive bunched (the first
 * wait on TLS handshakes, later ones reuse connections). Sent at exactly the server's own
 * bucket (10/s, burst 10) they drew 429s; paced so, the back-fill bench drew none.
 */
#define PACE_SHARE 0.9
#define PACE_BURST 2.0
/* One API request, retries and Retry-After waits included. */
#define MERAKI_REQUEST_MS 120000

struct mk;
struct poll;
struct org;
struct net;

enum kind { K_ORGS, K_NETS, K_DEVICES, K_STATUSES, K_VLANS, K_CLIENTS };

/* One paginated GET in flight: pages are parsed as they come, `Link: rel=next` followed. */
struct fetch {
	enum kind kind;
	void *owner; /* poll (K_ORGS), org (K_NETS..K_STATUSES) or net */
	struct np_http_limiter *lim;
	struct np_http_call *call;
	char *cause; /* on failure */
	long status;
	int64_t retry_after_ms;
};

struct net {
	struct org *org;
	size_t idx; /* in org->nets */
	struct fetch f;
	struct np_meraki_vlans vlans;
	struct np_meraki_resolved res;
	bool resolved;
	const struct np_tz *tz;
	int64_t bounds[NP_MERAKI_BOUNDS_MAX];
	size_t nb, bi;                 /* boundaries, the one being read */
	struct np_meraki_usage *since; /* nb x groups */
};

struct org {
	struct poll *p;
	size_t idx; /* in p->orgs */
	struct fetch f;
	struct np_http_limiter *lim;
	struct np_meraki_nets nets;
	struct np_meraki_devices devs;
	struct np_meraki_statuses sts;
	bool statuses_ok;
	bool *net_sel, *dev_sel;
	size_t next_net, running;
	bool in_next, again; /* org_next_nets is on the stack: a network may end inside it */
	struct net *jobs;    /* one per network (only selected ones are started) */
};

struct poll {
	struct mk *mk;
	int64_t now_s;
	struct fetch f;
	struct np_http_limiter *lim; /* the /organizations call's own bucket */
	struct np_meraki_orgs orgs;
	struct org *o;
	size_t norg, pending;
	size_t read;     /* parts read: organizations' statuses and networks' days */
	size_t failures; /* organizations and networks that failed */
	char *first_cause;
	int64_t retry_after_ms;
	bool complete;
};

struct mk {
	struct np_collector_ctx ctx;
	char *name;
	char *base; /* base_url without a trailing '/' */
	struct np_http_client *client;
	double rate;
	int64_t backfill_s;
	struct np_meraki_filter flt;
	struct np_meraki_groups grp;
	char *unmatched; /* NULL: dropped */
	size_t ngroups;  /* grp.n + (unmatched != NULL) */
	bool tz_network;
	struct np_tz *tz;      /* when !tz_network */
	struct np_hmap *zones; /* network time zones by name (NULL value: could not load) */
	struct np_batch batch;
	struct poll *p;
};

static void fetch_start(struct mk *mk, struct fetch *f, const char *url);
static void org_next_nets(struct org *o);
static void poll_part_done(struct poll *p);

/* Percent-encodes an id for a URL path (ids are opaque text). */
static char *
enc(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = np_xmalloc(strlen(s) * 3 + 1), *q = out;
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			*q++ = (char)c;
		} else {
			*q++ = '%';
			*q++ = hex[c >> 4];
			*q++ = hex[c & 15];
		}
	}
	*q = '\0';
	return out;
}

static void
note_failure(struct poll *p, const char *cause, int64_t retry_after_ms)
{
	p->failures++;
	if (p->first_cause == NULL)
		p->first_cause = np_xstrdup(cause);
	if (retry_after_ms > p->retry_after_ms)
		p->retry_after_ms = retry_after_ms;
}

static const char *
fetch_what(enum kind k)
{
	static const char *const what[] = {"organizations",   "networks", "devices",
	                                   "device statuses", "vlans",    "clients"};
	return what[k];
}

/* --- networks: VLANs, then one clients call per boundary, then the day amounts --- */

static const struct np_tz *
net_zone(struct mk *mk, const struct np_meraki_net *n)
{
	if (!mk->tz_network)
		return mk->tz;
	const char *name = n->time_zone != NULL ? n->time_zone : "UTC";
	size_t len = strlen(name);
	struct np_tz *tz = np_hmap_get(mk->zones, name, len);
	if (tz == NULL) {
		char *cause = NULL;
		tz = np_tz_load(NULL, name, &cause);
		if (tz == NULL) {
			char *esc = np_escape(n->name);
			np_logf(mk->ctx.log, LOG_WARNING,
			        "%s: network %s: timeZone: %s; days in UTC", mk->name, esc, cause);
			free(esc);
			free(cause);
			tz = np_tz_utc();
		}
		np_hmap_put(mk->zones, name, len, tz);
	}
	return tz;
}

static void
net_emit(struct net *nj)
{
	struct org *o = nj->org;
	struct mk *mk = o->p->mk;
	const struct np_meraki_net *n = &o->nets.v[nj->idx];
	size_t G = mk->ngroups, ndays = nj->nb - 1;
	struct np_meraki_day_bytes *out = np_xcalloc(ndays * G, sizeof(*out));
	size_t clamped = np_meraki_days_diff(nj->since, nj->nb, G, out);
	if (clamped > 0) {
		char reason[160];
		snprintf(reason, sizeof(reason),
		         "network %s: %zu day amounts below 0 clamped to 0 (traffic between calls)",
		         n->name, clamped);
		for (size_t i = 0; i < clamped; i++)
			np_batch_skip(&mk->batch, reason);
	}
	const char *org_name = o->p->orgs.v[o->idx].name;
	for (size_t i = 0; i < ndays; i++) {
		for (size_t g = 0; g < G; g++) {
			const char *gname = g < mk->grp.n ? mk->grp.v[g].name : mk->unmatched;
			struct np_obs *ob = np_batch_add(&mk->batch);
			np_obs_set_names(&mk->batch, ob, n->name, gname);
			np_obs_label(&mk->batch, ob, "organization", org_name);
			np_obs_label(&mk->batch, ob, "network", n->name);
			np_obs_label(&mk->batch, ob, "network_id", n->id);
			np_obs_label(&mk->batch, ob, "group", gname);
			np_obs_amount(ob, nj->bounds[i] * 1000, nj->bounds[i + 1] * 1000);
			np_obs_counter(ob, NP_C_RX_BYTES, out[i * G + g].rx_bytes);
			np_obs_counter(ob, NP_C_TX_BYTES, out[i * G + g].tx_bytes);
		}
	}
	free(out);
}

static void
net_free(struct net *nj)
{
	if (nj->f.call != NULL)
		np_http_cancel(nj->f.call);
	free(nj->f.cause);
	np_meraki_vlans_free(&nj->vlans);
	if (nj->resolved)
		np_meraki_resolved_free(&nj->res);
	free(nj->since);
	memset(nj, 0, sizeof(*nj));
}

static void
net_finish(struct net *nj, const char *cause, int64_t retry_after_ms)
{
	struct org *o = nj->org;
	struct poll *p = o->p;
	if (cause != NULL) {
		char reason[256];
		snprintf(reason, sizeof(reason), "network %s: %s", o->nets.v[nj->idx].name, cause);
		np_batch_skip(&p->mk->batch, reason);
		note_failure(p, cause, retry_after_ms);
	} else {
		p->read++;
	}
	net_free(nj);
	o->running--;
	org_next_nets(o);
}

static void
net_clients(struct net *nj)
{
	struct mk *mk = nj->org->p->mk;
	const struct np_meraki_net *n = &nj->org->nets.v[nj->idx];
	char *id = enc(n->id);
	char *url = np_xasprintf("%s/networks/%s/clients?t0=%lld&perPage=5000", mk->base, id,
	                         (long long)nj->bounds[nj->bi]);
	fetch_start(mk, &nj->f, url);
	free(url);
	free(id);
}

static void
net_days(struct net *nj)
{
	struct mk *mk = nj->org->p->mk;
	const struct np_meraki_net *n = &nj->org->nets.v[nj->idx];
	if (mk->grp.uses_vlans) {
		np_meraki_resolve(&mk->grp, &nj->vlans, &nj->res);
		nj->resolved = true;
	}
	nj->tz = net_zone(mk, n);
	int64_t mark_ms =
	    mk->ctx.amount_mark != NULL ? mk->ctx.amount_mark(mk->ctx.arg, n->name) : 0;
	int64_t mark_s = mark_ms > 0 ? (mark_ms + 999) / 1000 : 0;
	nj->nb = np_meraki_bounds(nj->org->p->now_s, nj->tz, mk->backfill_s, mark_s, nj->bounds);
	if (nj->nb == 0) {
		net_finish(nj, NULL, 0); /* nothing missing: read, nothing to store */
		return;
	}
	nj->since = np_xcalloc(nj->nb * mk->ngroups, sizeof(*nj->since));
	nj->bi = 0;
	nj->f.kind = K_CLIENTS;
	net_clients(nj);
}

static void
net_start(struct org *o, size_t idx)
{
	struct mk *mk = o->p->mk;
	struct net *nj = &o->jobs[idx];
	memset(nj, 0, sizeof(*nj));
	nj->org = o;
	nj->idx = idx;
	nj->f.owner = nj;
	nj->f.lim = o->lim;
	o->running++;
	if (!mk->grp.uses_vlans) {
		net_days(nj);
		return;
	}
	nj->f.kind = K_VLANS;
	char *id = enc(o->nets.v[idx].id);
	char *url = np_xasprintf("%s/networks/%s/appliance/vlans", mk->base, id);
	fetch_start(mk, &nj->f, url);
	free(url);
	free(id);
}

/* Adds one page of clients to the usage since the current boundary. */
static void
net_add_clients(struct net *nj, const struct np_meraki_clients *cl)
{
	struct mk *mk = nj->org->p->mk;
	struct np_meraki_usage *u = &nj->since[nj->bi * mk->ngroups];
	for (size_t i = 0; i < cl->n; i++) {
		int g = np_meraki_classify(&mk->grp, nj->resolved ? &nj->res : NULL, &cl->v[i]);
		if (g < 0) {
			if (mk->unmatched == NULL)
				continue;
			g = (int)mk->grp.n;
		}
		u[g].sent_kb += cl->v[i].sent_kb;
		u[g].recv_kb += cl->v[i].recv_kb;
	}
}

static void
net_fetched(struct net *nj, int ok)
{
	if (nj->f.kind == K_VLANS) {
		/* 400/404: the network has no appliance VLANs (no MX, or VLANs off). */
		if (ok != 0 && nj->f.status != 400 && nj->f.status != 404) {
			net_finish(nj, nj->f.cause, nj->f.retry_after_ms);
			return;
		}
		if (ok != 0)
			np_meraki_vlans_free(&nj->vlans);
		net_days(nj);
		return;
	}
	if (ok != 0) {
		net_finish(nj, nj->f.cause, nj->f.retry_after_ms);
		return;
	}
	if (++nj->bi < nj->nb) {
		net_clients(nj);
		return;
	}
	net_emit(nj);
	net_finish(nj, NULL, 0);
}

/* --- organizations: networks, devices, statuses, then the selected networks --- */

static void
org_free(struct org *o)
{
	if (o->jobs != NULL)
		for (size_t i = 0; i < o->nets.n; i++)
			if (o->jobs[i].org != NULL)
				net_free(&o->jobs[i]);
	free(o->jobs);
	if (o->f.call != NULL)
		np_http_cancel(o->f.call);
	free(o->f.cause);
	if (o->lim != NULL)
		np_http_limiter_put(o->lim);
	np_meraki_nets_free(&o->nets);
	np_meraki_devices_free(&o->devs);
	np_meraki_statuses_free(&o->sts);
	free(o->net_sel);
	free(o->dev_sel);
	memset(o, 0, sizeof(*o));
}

static void
org_get(struct org *o, enum kind k, const char *path)
{
	struct mk *mk = o->p->mk;
	char *id = enc(o->p->orgs.v[o->idx].id);
	char *url = np_xasprintf("%s/organizations/%s/%s?perPage=1000", mk->base, id, path);
	o->f.kind = k;
	fetch_start(mk, &o->f, url);
	free(url);
	free(id);
}

static void
org_done(struct org *o)
{
	struct poll *p = o->p;
	org_free(o);
	poll_part_done(p);
}

/*
 * Starts networks while there is room; the organization ends when none runs and none is left.
 * A network may end inside net_start (nothing missing, a request refused at once), which
 * calls back here: that nested call only asks the outer one to look again, so only the
 * outermost call can end (and free) the organization.
 */
static void
org_next_nets(struct org *o)
{
	if (o->in_next) {
		o->again = true;
		return;
	}
	o->in_next = true;
	do {
		o->again = false;
		while (o->running < NET_PARALLEL && o->next_net < o->nets.n) {
			size_t i = o->next_net++;
			if (o->net_sel[i])
				net_start(o, i);
		}
	} while (o->again);
	o->in_next = false;
	if (o->running == 0 && o->next_net >= o->nets.n)
		org_done(o); /* may end the poll and destroy everything: nothing after */
}

/* Link state of the selected devices, from the statuses. */
static void
org_links(struct org *o)
{
	struct mk *mk = o->p->mk;
	struct np_hmap *sel = np_hmap_new(), *netname = np_hmap_new();
	for (size_t i = 0; i < o->devs.n; i++)
		if (o->dev_sel[i])
			np_hmap_put(sel, o->devs.v[i].serial, strlen(o->devs.v[i].serial),
			            &o->devs.v[i]);
	for (size_t j = 0; j < o->nets.n; j++)
		np_hmap_put(netname, o->nets.v[j].id, strlen(o->nets.v[j].id), o->nets.v[j].name);
	const char *org_name = o->p->orgs.v[o->idx].name;
	for (size_t i = 0; i < o->sts.n; i++) {
		const struct np_meraki_status_entry *s = &o->sts.v[i];
		const struct np_meraki_device *d = np_hmap_get(sel, s->serial, strlen(s->serial));
		if (d == NULL)
			continue;
		enum np_link_obs state;
		switch (s->status) {
		case NP_MERAKI_ST_ONLINE:
		case NP_MERAKI_ST_ALERTING:
			state = NP_LINK_UP;
			break;
		case NP_MERAKI_ST_OFFLINE:
		case NP_MERAKI_ST_DORMANT:
			state = NP_LINK_DOWN;
			break;
		default: {
			char reason[160];
			snprintf(reason, sizeof(reason), "device %s: unknown status", s->serial);
			np_batch_skip(&mk->batch, reason);
			continue;
		}
		}
		const char *name = d->name != NULL && *d->name != '\0' ? d->name : d->serial;
		const char *net =
		    d->net_id != NULL ? np_hmap_get(netname, d->net_id, strlen(d->net_id)) : NULL;
		struct np_obs *ob = np_batch_add(&mk->batch);
		np_obs_set_names(&mk->batch, ob, name, "");
		np_obs_label(&mk->batch, ob, "organization", org_name);
		if (net != NULL)
			np_obs_label(&mk->batch, ob, "network", net);
		ob->link = state;
		ob->ever_up = NP_EVER_UNKNOWN;
	}
	np_hmap_free(sel, NULL);
	np_hmap_free(netname, NULL);
}

static void
org_fetched(struct org *o, int ok)
{
	struct poll *p = o->p;
	switch (o->f.kind) {
	case K_NETS:
	case K_DEVICES:
		if (ok != 0) {
			note_failure(p, o->f.cause, o->f.retry_after_ms);
			char reason[256];
			snprintf(reason, sizeof(reason), "organization %s: %s",
			         p->orgs.v[o->idx].name, o->f.cause);
			np_batch_skip(&p->mk->batch, reason);
			p->complete = false;
			org_done(o);
			return;
		}
		if (o->f.kind == K_NETS)
			org_get(o, K_DEVICES, "devices");
		else
			org_get(o, K_STATUSES, "devices/statuses");
		return;
	case K_STATUSES:
		if (ok != 0) {
			/* Statuses only feed link state: the networks' days are still read. */
			note_failure(p, o->f.cause, o->f.retry_after_ms);
			p->complete = false;
		} else {
			o->statuses_ok = true;
			p->read++;
		}
		break;
	default:
		return;
	}
	o->net_sel = np_xcalloc(o->nets.n ? o->nets.n : 1, sizeof(bool));
	o->dev_sel = np_xcalloc(o->devs.n ? o->devs.n : 1, sizeof(bool));
	np_meraki_select(&p->mk->flt, &o->nets, &o->devs, o->net_sel, o->dev_sel);
	if (o->statuses_ok)
		org_links(o);
	o->jobs = np_xcalloc(o->nets.n ? o->nets.n : 1, sizeof(*o->jobs));
	org_next_nets(o);
}

/* --- the poll --- */

static void
poll_free(struct poll *p)
{
	if (p->o != NULL)
		for (size_t i = 0; i < p->norg; i++)
			if (p->o[i].p != NULL)
				org_free(&p->o[i]);
	free(p->o);
	if (p->f.call != NULL)
		np_http_cancel(p->f.call);
	free(p->f.cause);
	if (p->lim != NULL)
		np_http_limiter_put(p->lim);
	np_meraki_orgs_free(&p->orgs);
	free(p->first_cause);
	free(p);
}

static void
poll_end(struct poll *p)
{
	struct mk *mk = p->mk;
	mk->p = NULL;
	if (p->read == 0 && p->failures > 0) {
		char *cause = np_xasprintf("%s: %s", mk->name, p->first_cause);
		int64_t ra = p->retry_after_ms;
		poll_free(p);
		mk->ctx.done(mk->ctx.arg, NULL, -1, cause, ra);
		return;
	}
	mk->batch.complete = p->complete;
	poll_free(p);
	mk->ctx.done(mk->ctx.arg, &mk->batch, 0, NULL, 0); /* may destroy mk: nothing after */
}

static void
poll_part_done(struct poll *p)
{
	if (--p->pending == 0)
		poll_end(p);
}

static void
orgs_fetched(struct poll *p, int ok)
{
	struct mk *mk = p->mk;
	if (ok != 0) {
		note_failure(p, p->f.cause, p->f.retry_after_ms);
		poll_end(p);
		return;
	}
	p->o = np_xcalloc(p->orgs.n ? p->orgs.n : 1, sizeof(*p->o));
	p->norg = p->orgs.n;
	p->complete = true;
	size_t *start = np_xcalloc(p->orgs.n ? p->orgs.n : 1, sizeof(*start)), nstart = 0;
	for (size_t i = 0; i < p->orgs.n; i++)
		if (np_meraki_filter_org(&mk->flt, &p->orgs.v[i]))
			start[nstart++] = i;
	if (nstart == 0) {
		free(start);
		poll_end(p); /* no organization matches the filter: an empty, complete batch */
		return;
	}
	p->pending = nstart;
	/* The last org_get may end the poll (a request refused at once): only locals after. */
	for (size_t k = 0; k < nstart; k++) {
		size_t i = start[k];
		struct org *o = &p->o[i];
		o->p = p;
		o->idx = i;
		o->f.owner = o;
		char *key = np_xasprintf("meraki:%s", p->orgs.v[i].id);
		o->lim = np_http_limiter_get(mk->ctx.http, key, mk->rate, PACE_BURST);
		free(key);
		o->f.lim = o->lim;
		org_get(o, K_NETS, "networks");
	}
	free(start);
}

/* --- HTTP --- */

static int
parse_page(struct fetch *f, const char *body, size_t len, char **cause)
{
	switch (f->kind) {
	case K_ORGS:
		return np_meraki_parse_orgs(body, len, &((struct poll *)f->owner)->orgs, cause);
	case K_NETS:
		return np_meraki_parse_nets(body, len, &((struct org *)f->owner)->nets, cause);
	case K_DEVICES:
		return np_meraki_parse_devices(body, len, &((struct org *)f->owner)->devs, cause);
	case K_STATUSES:
		return np_meraki_parse_statuses(body, len, &((struct org *)f->owner)->sts, cause);
	case K_VLANS:
		return np_meraki_parse_vlans(body, len, &((struct net *)f->owner)->vlans, cause);
	case K_CLIENTS: {
		struct np_meraki_clients cl = {0};
		int rc = np_meraki_parse_clients(body, len, &cl, cause);
		if (rc == 0)
			net_add_clients(f->owner, &cl);
		np_meraki_clients_free(&cl);
		return rc;
	}
	}
	return -1;
}

static struct mk *
fetch_mk(const struct fetch *f)
{
	switch (f->kind) {
	case K_ORGS:
		return ((const struct poll *)f->owner)->mk;
	case K_NETS:
	case K_DEVICES:
	case K_STATUSES:
		return ((const struct org *)f->owner)->p->mk;
	default:
		return ((const struct net *)f->owner)->org->p->mk;
	}
}

static void
fetch_end(struct fetch *f, int ok)
{
	switch (f->kind) {
	case K_ORGS:
		orgs_fetched(f->owner, ok);
		break;
	case K_NETS:
	case K_DEVICES:
	case K_STATUSES:
		org_fetched(f->owner, ok);
		break;
	default:
		net_fetched(f->owner, ok);
		break;
	}
}

static void
fetched(void *arg, const struct np_http_resp *r, int ok, const char *cause)
{
	struct fetch *f = arg;
	f->call = NULL;
	f->status = r != NULL ? r->status : 0;
	f->retry_after_ms = r != NULL ? r->retry_after_ms : 0;
	free(f->cause);
	f->cause = NULL;
	if (ok != 0) {
		f->cause = np_xstrdup(cause != NULL ? cause : "request failed");
		fetch_end(f, -1);
		return;
	}
	char *pcause = NULL;
	if (parse_page(f, r->body, r->len, &pcause) == -1) {
		f->cause = np_xasprintf("GET %s: %s", r->url != NULL ? r->url : fetch_what(f->kind),
		                        pcause);
		free(pcause);
		fetch_end(f, -1);
		return;
	}
	if (r->next_url != NULL) {
		fetch_start(fetch_mk(f), f, r->next_url);
		return;
	}
	fetch_end(f, 0);
}

static void
fetch_start(struct mk *mk, struct fetch *f, const char *url)
{
	struct np_http_req rq = {.url = url, .limiter = f->lim};
	char *cause = NULL;
	f->call = np_http_request(mk->client, &rq, fetched, f, &cause);
	if (f->call == NULL) {
		/* Only a bad request fails here: report it as this fetch's failure. */
		free(f->cause);
		f->cause = np_xasprintf("GET %s: %s", url, cause != NULL ? cause : "bad request");
		f->status = 0;
		f->retry_after_ms = 0;
		free(cause);
		fetch_end(f, -1);
	}
}

/* --- ops --- */

static void
zone_free(void *v)
{
	np_tz_free(v);
}

static void
mk_destroy(void *inst)
{
	struct mk *mk = inst;
	if (mk == NULL)
		return;
	if (mk->p != NULL)
		poll_free(mk->p);
	np_http_client_free(mk->client);
	np_meraki_filter_free(&mk->flt);
	np_meraki_groups_free(&mk->grp);
	np_tz_free(mk->tz);
	np_hmap_free(mk->zones, zone_free);
	np_batch_free(&mk->batch);
	free(mk->unmatched);
	free(mk->base);
	free(mk->name);
	free(mk);
}

static void *
mk_create(const struct np_collector_ctx *ctx, char **cause)
{
	const struct np_source_cfg *src = ctx->cfg;
	const struct np_meraki_conf *c = src->conf;
	if (ctx->http == NULL) {
		np_cause(cause, "%s: no HTTP engine", src->name);
		return NULL;
	}
	if (c == NULL || c->api_key == NULL) {
		np_cause(cause, "%s: no API key", src->name);
		return NULL;
	}
	char *auth[2] = {np_xasprintf("Authorization: Bearer %s", c->api_key),
	                 np_xasprintf("X-Cisco-Meraki-API-Key: %s", c->api_key)};
	const char *const headers[] = {"Accept: application/json"};
	struct np_http_client_cfg hc = {
	    .name = src->name,
	    .ca_file = c->ca_file,
	    .insecure = c->insecure,
	    .auth_headers = (const char *const *)auth,
	    .nauth = 2,
	    .headers = headers,
	    .nheaders = 1,
	    /* One request's deadline, retries included; the poll's own (src->timeout_ms) covers
	     * a whole back-fill. */
	    .timeout_ms = src->timeout_ms < MERAKI_REQUEST_MS ? src->timeout_ms : MERAKI_REQUEST_MS,
	};
	struct np_http_client *client = np_http_client_new(ctx->http, &hc, cause);
	/* The key's copies are the client's now: wipe ours. */
	for (size_t i = 0; i < 2; i++) {
		explicit_bzero(auth[i], strlen(auth[i]));
		free(auth[i]);
	}
	if (client == NULL) {
		np_cause_prefix(cause, "%s", src->name);
		return NULL;
	}
	struct mk *mk = np_xcalloc(1, sizeof(*mk));
	mk->ctx = *ctx;
	mk->ctx.cfg = NULL; /* valid during create only */
	mk->client = client;
	mk->name = np_xstrdup(src->name);
	const char *base = c->base_url != NULL ? c->base_url : NP_MERAKI_BASE_URL;
	size_t bl = strlen(base);
	while (bl > 0 && base[bl - 1] == '/')
		bl--;
	mk->base = np_xstrndup(base, bl);
	mk->rate = (c->rate_limit > 0 ? c->rate_limit : 10) * PACE_SHARE;
	mk->backfill_s = c->backfill_ms / 1000;
	np_meraki_filter_copy(&c->flt, &mk->flt);
	np_meraki_groups_copy(&c->grp, &mk->grp);
	mk->unmatched = c->unmatched_group != NULL ? np_xstrdup(c->unmatched_group) : NULL;
	mk->ngroups = mk->grp.n + (mk->unmatched != NULL);
	mk->tz_network = c->day_tz_network;
	if (!mk->tz_network) {
		mk->tz = c->tz != NULL ? np_tz_load(NULL, np_tz_name(c->tz), cause) : np_tz_utc();
		if (mk->tz == NULL) {
			np_cause_prefix(cause, "%s: day_tz", src->name);
			mk_destroy(mk);
			return NULL;
		}
	}
	mk->zones = np_hmap_new();
	np_batch_init(&mk->batch, src->name, 0);
	return mk;
}

static int
mk_poll(void *inst, char **cause)
{
	struct mk *mk = inst;
	if (mk->p != NULL) {
		np_cause(cause, "%s: a poll is still running", mk->name);
		return -1;
	}
	int64_t now_ms = np_wall_ms();
	np_batch_reset(&mk->batch, now_ms);
	struct poll *p = np_xcalloc(1, sizeof(*p));
	p->mk = mk;
	p->now_s = now_ms / 1000;
	p->f.kind = K_ORGS;
	p->f.owner = p;
	char *key = np_xasprintf("meraki-source:%s", mk->name);
	p->lim = np_http_limiter_get(mk->ctx.http, key, mk->rate, PACE_BURST);
	free(key);
	p->f.lim = p->lim;
	mk->p = p;
	char *url = np_xasprintf("%s/organizations", mk->base);
	fetch_start(mk, &p->f, url); /* a bad URL ends the poll through done, like any failure */
	free(url);
	return 0;
}

static void
mk_cancel(void *inst)
{
	struct mk *mk = inst;
	/* poll_free cancels each call it holds; then nothing of this client is left queued. */
	if (mk->p != NULL) {
		poll_free(mk->p);
		mk->p = NULL;
	}
	np_http_client_cancel_all(mk->client);
}

const struct np_collector_ops np_meraki_ops = {
    .type = "meraki",
    .options = np_meraki_options,
    .conf_size = sizeof(struct np_meraki_conf),
    .conf_check = np_meraki_conf_check,
    .conf_free = np_meraki_conf_free,
    .http = true,
    /* Usage comes in whole days; an hourly poll notices a new day within the hour. A 30-day
     * back-fill of a large organization takes minutes at 10 requests/s. */
    .default_interval_ms = 3600000,
    .default_timeout_ms = 1800000,
    .create = mk_create,
    .poll = mk_poll,
    .cancel = mk_cancel,
    .destroy = mk_destroy,
};
