#include "collectors/meraki.h"

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

void
np_meraki_note_failure(struct poll *p, const char *cause, int64_t retry_after_ms)
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
			np_meraki_net_add_clients(f->owner, &cl);
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
		np_meraki_orgs_fetched(f->owner, ok);
		break;
	case K_NETS:
	case K_DEVICES:
	case K_STATUSES:
		np_meraki_org_fetched(f->owner, ok);
		break;
	default:
		np_meraki_net_fetched(f->owner, ok);
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
		np_meraki_fetch_start(fetch_mk(f), f, r->next_url);
		return;
	}
	fetch_end(f, 0);
}

void
np_meraki_fetch_start(struct mk *mk, struct fetch *f, const char *url)
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
		np_meraki_poll_free(mk->p);
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
	np_meraki_fetch_start(mk, &p->f,
	                      url); /* a bad URL ends the poll through done, like any failure */
	free(url);
	return 0;
}

static void
mk_cancel(void *inst)
{
	struct mk *mk = inst;
	/* poll_free cancels each call it holds; then nothing of this client is left queued. */
	if (mk->p != NULL) {
		np_meraki_poll_free(mk->p);
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
