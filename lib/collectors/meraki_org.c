/* The meraki collector: organizations (networks, devices, statuses, links) and the poll's end. */
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

/* --- organizations: networks, devices, statuses, then the selected networks --- */

static void poll_part_done(struct poll *p);

static void
org_free(struct org *o)
{
	if (o->jobs != NULL)
		for (size_t i = 0; i < o->nets.n; i++)
			if (o->jobs[i].org != NULL)
				np_meraki_net_free(&o->jobs[i]);
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
	char *id = np_url_encode(o->p->orgs.v[o->idx].id);
	char *url = np_xasprintf("%s/organizations/%s/%s?perPage=1000", mk->base, id, path);
	o->f.kind = k;
	np_meraki_fetch_start(mk, &o->f, url);
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
void
np_meraki_org_next_nets(struct org *o)
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
				np_meraki_net_start(o, i);
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

void
np_meraki_org_fetched(struct org *o, int ok)
{
	struct poll *p = o->p;
	switch (o->f.kind) {
	case K_NETS:
	case K_DEVICES:
		if (ok != 0) {
			np_meraki_note_failure(p, o->f.cause, o->f.retry_after_ms);
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
			np_meraki_note_failure(p, o->f.cause, o->f.retry_after_ms);
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
	np_meraki_org_next_nets(o);
}

/* --- the poll --- */

void
np_meraki_poll_free(struct poll *p)
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
		np_meraki_poll_free(p);
		mk->ctx.done(mk->ctx.arg, NULL, -1, cause, ra);
		return;
	}
	mk->batch.complete = p->complete;
	np_meraki_poll_free(p);
	mk->ctx.done(mk->ctx.arg, &mk->batch, 0, NULL, 0); /* may destroy mk: nothing after */
}

static void
poll_part_done(struct poll *p)
{
	if (--p->pending == 0)
		poll_end(p);
}

void
np_meraki_orgs_fetched(struct poll *p, int ok)
{
	struct mk *mk = p->mk;
	if (ok != 0) {
		np_meraki_note_failure(p, p->f.cause, p->f.retry_after_ms);
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
