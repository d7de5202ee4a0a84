/* The aviatrix collector: ops (create, poll, cancel, destroy) and what lives between polls. */
#include "collectors/aviatrix.h"

#include "collectors/aviatrix_int.h"

#include <stdlib.h>
#include <string.h>

#include "collectors/aviatrix_conf.h"
#include "io/http.h"
#include "util/cause.h"
#include "util/clock.h"
#include "util/hmap.h"
#include "util/xmalloc.h"

static void
gwstate_free(void *v)
{
	struct gwstate *g = v;
	for (size_t i = 0; i < g->ntun; i++)
		free(g->tun[i]);
	free(g->tun);
	free(g);
}

static void
wipe_free(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static void
avx_destroy(void *inst)
{
	struct avx *a = inst;
	if (a == NULL)
		return;
	if (a->p != NULL)
		np_avx_poll_free(a->p);
	np_http_client_free(a->client);
	np_hmap_free(a->gws, gwstate_free);
	np_batch_free(&a->batch);
	np_batch_free(&a->samples);
	free(a->name);
	free(a->base);
	free(a->user);
	wipe_free(a->pass);
	free(a);
}

static void *
avx_create(const struct np_collector_ctx *ctx, char **cause)
{
	const struct np_source_cfg *src = ctx->cfg;
	const struct np_aviatrix_conf *c = src->conf;
	if (ctx->http == NULL) {
		np_cause(cause, "%s: no HTTP engine", src->name);
		return NULL;
	}
	if (c == NULL || c->url == NULL || c->user == NULL || c->pass == NULL) {
		np_cause(cause, "%s: no CoPilot URL, user or password", src->name);
		return NULL;
	}
	const char *const headers[] = {"Accept: application/json"};
	struct np_http_client_cfg hc = {
	    .name = src->name,
	    .ca_file = c->ca_file,
	    .insecure = c->insecure,
	    .headers = headers,
	    .nheaders = 1,
	    .timeout_ms = src->timeout_ms < AVX_REQUEST_MS ? src->timeout_ms : AVX_REQUEST_MS,
	    .max_concurrent = 4,
	    .cookies = true,
	};
	struct np_http_client *client = np_http_client_new(ctx->http, &hc, cause);
	if (client == NULL) {
		np_cause_prefix(cause, "%s", src->name);
		return NULL;
	}
	struct avx *a = np_xcalloc(1, sizeof(*a));
	a->ctx = *ctx;
	a->ctx.cfg = NULL; /* valid during create only */
	a->client = client;
	a->name = np_xstrdup(src->name);
	a->base = np_xstrdup(c->url);
	a->user = np_xstrdup(c->user);
	a->pass = np_xstrdup(c->pass);
	a->backfill_ms = c->backfill_ms;
	a->tt_interval_ms = c->top_talkers.interval_ms;
	a->tt_size = c->top_talkers.size;
	a->gws = np_hmap_new();
	np_batch_init(&a->batch, src->name, 0);
	np_batch_init(&a->samples, src->name, 0);
	return a;
}

static int
avx_poll(void *inst, char **cause)
{
	struct avx *a = inst;
	if (a->p != NULL) {
		np_cause(cause, "%s: a poll is still running", a->name);
		return -1;
	}
	int64_t now = np_wall_ms();
	np_batch_reset(&a->batch, now);
	struct apoll *p = np_xcalloc(1, sizeof(*p));
	p->a = a;
	p->now_ms = now;
	TAILQ_INIT(&p->live);
	a->p = p;
	np_avx_poll_start(p); /* a request refused at once ends the poll through done */
	return 0;
}

static void
avx_cancel(void *inst)
{
	struct avx *a = inst;
	if (a->p != NULL) {
		np_avx_poll_free(a->p);
		a->p = NULL;
	}
	np_http_client_cancel_all(a->client);
}

static const char *
avx_peer(const void *conf)
{
	return ((const struct np_aviatrix_conf *)conf)->host;
}

const struct np_collector_ops np_aviatrix_ops = {
    .type = "aviatrix",
    .options = np_aviatrix_options,
    .conf_size = sizeof(struct np_aviatrix_conf),
    .conf_check = np_aviatrix_conf_check,
    .conf_free = np_aviatrix_conf_free,
    .http = true,
    /* Samples come every 5 minutes; a poll of a large CoPilot with a day's back-fill takes
     * minutes. */
    .default_interval_ms = 300000,
    .default_timeout_ms = 240000,
    .peer = avx_peer,
    .create = avx_create,
    .poll = avx_poll,
    .cancel = avx_cancel,
    .destroy = avx_destroy,
};
