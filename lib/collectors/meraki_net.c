/* The meraki collector: one network's VLANs, one clients call per day boundary, the day amounts. */
#include "collectors/meraki_int.h"

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

void
np_meraki_net_free(struct net *nj)
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
		np_meraki_note_failure(p, cause, retry_after_ms);
	} else {
		p->read++;
	}
	np_meraki_net_free(nj);
	o->running--;
	np_meraki_org_next_nets(o);
}

static void
net_clients(struct net *nj)
{
	struct mk *mk = nj->org->p->mk;
	const struct np_meraki_net *n = &nj->org->nets.v[nj->idx];
	char *id = np_url_encode(n->id);
	char *url = np_xasprintf("%s/networks/%s/clients?t0=%lld&perPage=5000", mk->base, id,
	                         (long long)nj->bounds[nj->bi]);
	np_meraki_fetch_start(mk, &nj->f, url);
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
	/* The oldest of the groups' marks: a group added (or renamed) since is filled back too;
	 * the others' days are read again and replaced, never added. */
	int64_t mark_ms = INT64_MAX;
	for (size_t g = 0; g < mk->ngroups; g++) {
		const char *gname = g < mk->grp.n ? mk->grp.v[g].name : mk->unmatched;
		int64_t m = mk->ctx.amount_mark != NULL
		                ? mk->ctx.amount_mark(mk->ctx.arg, n->name, gname)
		                : 0;
		if (m < mark_ms)
			mark_ms = m;
	}
	if (mark_ms == INT64_MAX)
		mark_ms = 0;
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

void
np_meraki_net_start(struct org *o, size_t idx)
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
	char *id = np_url_encode(o->nets.v[idx].id);
	char *url = np_xasprintf("%s/networks/%s/appliance/vlans", mk->base, id);
	np_meraki_fetch_start(mk, &nj->f, url);
	free(url);
	free(id);
}

/* Adds one page of clients to the usage since the current boundary. */
void
np_meraki_net_add_clients(struct net *nj, const struct np_meraki_clients *cl)
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

void
np_meraki_net_fetched(struct net *nj, int ok)
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
