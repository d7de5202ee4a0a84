/* The cato source's instance and poll (cato.h). */
#include "collectors/cato.h"

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "io/http.h"
#include "util/cause.h"
#include "util/clock.h"
#include "util/logcb.h"
#include "util/xmalloc.h"

/* One call's deadline, retries included (a day of a large account is tens of MB). */
#define REQUEST_MS 120000
#define MAX_BODY (256u << 20)
/*
 * Hours per call adapt to the account: jansson holds a whole answer (about 12 bytes of memory
 * per byte of text), so a call starts at 6 hours, doubles (up to 24) while answers stay under
 * SMALL_ANSWER and halves above BIG_ANSWER.
 */
#define FIRST_BUCKETS 6
#define SMALL_ANSWER (8u << 20)
#define BIG_ANSWER (48u << 20)

struct cato {
	struct np_collector_ctx ctx;
	struct np_http_client *client;
	struct np_http_limiter *lim;
	struct event *wait; /* an in-body rate limit's pause */
	char *name, *url, *account;
	int64_t backfill_s;
	int64_t mark_s; /* end of the last complete hour stored; -1 = ask the store */
	int buckets;    /* hours a call asks for (FIRST_BUCKETS .. NP_CATO_MAX_BUCKETS, or fewer) */
	struct np_batch batch;

	/* The poll in progress. */
	bool polling;
	struct np_http_call *call;
	int64_t now_s, cur_s, end_s, call_end_s;
	int rate_retries;
	size_t amounts;
};

static void next_call(struct cato *c);

static void
finish(struct cato *c, int ok, char *cause)
{
	if (ok == 0 && c->ctx.log != NULL)
		np_logf(c->ctx.log, LOG_DEBUG, "%s: %zu hourly amounts read", c->name, c->amounts);
	c->polling = false;
	c->call = NULL;
	np_batch_reset(&c->batch, c->now_s * 1000);
	c->batch.complete = false;
	c->ctx.done(c->ctx.arg, ok == 0 ? &c->batch : NULL, ok, cause, 0);
}

static void
fail(struct cato *c, const char *fmt, const char *detail)
{
	char *cause = np_xasprintf(fmt, c->url, detail);
	finish(c, -1, cause);
}

static void
log_msg(struct cato *c, int prio, const char *fmt, long long a, long long b)
{
	if (c->ctx.log != NULL)
		np_logf(c->ctx.log, prio, fmt, c->name, a, b);
}

static void
answered(void *arg, const struct np_http_resp *r, int ok, const char *cause)
{
	struct cato *c = arg;
	c->call = NULL;
	if (ok != 0) {
		if (r != NULL && (r->status == 401 || r->status == 403)) {
			char *d = np_xasprintf("HTTP %ld", r->status);
			fail(c, "%s: API key rejected (%s)", d);
			free(d);
			return;
		}
		finish(c, -1, np_xstrdup(cause != NULL ? cause : "request failed"));
		return;
	}
	np_batch_reset(&c->batch, c->now_s * 1000);
	struct np_cato_result res;
	char *why = NULL;
	if (np_cato_parse(r->body, r->len, c->cur_s, c->call_end_s, &c->batch, &res, &why) == -1) {
		fail(c, "%s: %s", why);
		free(why);
		return;
	}
	switch (res.answer) {
	case NP_CATO_RATE_LIMITED:
		free(res.message);
		if (++c->rate_retries > NP_CATO_RATE_RETRIES) {
			fail(c, "%s: %s", "still rate limited after 10 waits this poll");
			return;
		}
		log_msg(c, LOG_INFO, "%s: rate limited, waiting %lld ms (%lld this poll)",
		        (long long)res.wait_ms, (long long)c->rate_retries);
		struct timeval tv = {.tv_sec = res.wait_ms / 1000,
		                     .tv_usec = (res.wait_ms % 1000) * 1000};
		evtimer_add(c->wait, &tv);
		return;
	case NP_CATO_BAD_KEY:
		fail(c, "%s: API key rejected (%s)", res.message);
		free(res.message);
		return;
	case NP_CATO_ERROR:
		fail(c, "%s: GraphQL error: %s", res.message);
		free(res.message);
		return;
	case NP_CATO_OK:
		break;
	}
	if (res.granularity != NP_CATO_HOUR)
		log_msg(c, LOG_WARNING, "%s: buckets of %lld s, not an hour (%lld series)",
		        (long long)res.granularity, (long long)res.series);
	if (res.truncated > 0)
		log_msg(c, LOG_WARNING, "%s: %lld names cut to %lld bytes",
		        (long long)res.truncated, NP_NAME_MAX - 1);
	c->amounts += res.amounts;
	if (c->batch.n > 0)
		c->ctx.push(c->ctx.arg, &c->batch);
	c->rate_retries = 0;
	/* Complete hours only: the one holding now is read again by the next poll. */
	int64_t done_to =
	    c->call_end_s < c->end_s - NP_CATO_HOUR ? c->call_end_s : c->end_s - NP_CATO_HOUR;
	if (done_to > c->mark_s)
		c->mark_s = done_to;
	if (r->len > BIG_ANSWER && c->buckets > 1)
		c->buckets /= 2;
	else if (r->len < SMALL_ANSWER && c->buckets < NP_CATO_MAX_BUCKETS)
		c->buckets =
		    c->buckets * 2 < NP_CATO_MAX_BUCKETS ? c->buckets * 2 : NP_CATO_MAX_BUCKETS;
	c->cur_s = c->call_end_s;
	next_call(c);
}

static void
next_call(struct cato *c)
{
	if (c->cur_s >= c->end_s) {
		finish(c, 0, NULL);
		return;
	}
	int64_t n = (c->end_s - c->cur_s) / NP_CATO_HOUR;
	if (n > c->buckets)
		n = c->buckets;
	c->call_end_s = c->cur_s + n * NP_CATO_HOUR;
	char *body = np_cato_request_body(c->account, c->cur_s, c->call_end_s);
	struct np_http_req rq = {.url = c->url,
	                         .method = "POST",
	                         .body = body,
	                         .body_len = strlen(body),
	                         .limiter = c->lim};
	char *cause = NULL;
	c->call = np_http_request(c->client, &rq, answered, c, &cause);
	free(body);
	if (c->call == NULL) {
		fail(c, "%s: %s", cause != NULL ? cause : "bad request");
		free(cause);
	}
}

static void
waited(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	next_call(arg);
}

static void
cato_destroy(void *inst)
{
	struct cato *c = inst;
	if (c == NULL)
		return;
	if (c->wait != NULL)
		event_free(c->wait);
	np_http_client_free(c->client);
	if (c->lim != NULL)
		np_http_limiter_put(c->lim);
	np_batch_free(&c->batch);
	free(c->name);
	free(c->url);
	free(c->account);
	free(c);
}

static void *
cato_create(const struct np_collector_ctx *ctx, char **cause)
{
	const struct np_source_cfg *src = ctx->cfg;
	const struct np_cato_conf *cf = src->conf;
	if (ctx->http == NULL) {
		np_cause(cause, "%s: no HTTP engine", src->name);
		return NULL;
	}
	if (cf == NULL || cf->api_key == NULL || cf->account_id == NULL) {
		np_cause(cause, "%s: no API key or account", src->name);
		return NULL;
	}
	char *auth = np_xasprintf("x-api-key: %s", cf->api_key);
	const char *const auths[] = {auth};
	const char *const headers[] = {"Accept: application/json"};
	struct np_http_client_cfg hc = {
	    .name = src->name,
	    .ca_file = cf->ca_file,
	    .auth_headers = auths,
	    .nauth = 1,
	    .headers = headers,
	    .nheaders = 1,
	    .timeout_ms = src->timeout_ms < REQUEST_MS ? src->timeout_ms : REQUEST_MS,
	    .max_body = MAX_BODY,
	    .max_concurrent = 1,
	};
	struct np_http_client *client = np_http_client_new(ctx->http, &hc, cause);
	explicit_bzero(auth, strlen(auth));
	free(auth);
	if (client == NULL) {
		np_cause_prefix(cause, "%s", src->name);
		return NULL;
	}
	struct cato *c = np_xcalloc(1, sizeof(*c));
	c->ctx = *ctx;
	c->ctx.cfg = NULL; /* valid during create only */
	c->client = client;
	c->name = np_xstrdup(src->name);
	c->url = np_xstrdup(cf->base_url != NULL ? cf->base_url : NP_CATO_BASE_URL);
	c->account = np_xstrdup(cf->account_id);
	c->backfill_s = cf->backfill_ms / 1000;
	c->mark_s = -1;
	c->buckets = FIRST_BUCKETS;
	/* The API's limit is per account, shared by every source (and key) polling it. */
	char *key = np_xasprintf("cato-account:%s", cf->account_id);
	c->lim = np_http_limiter_get(ctx->http, key, cf->rate_limit / 60.0, 1);
	free(key);
	c->wait = evtimer_new(ctx->base, waited, c);
	np_batch_init(&c->batch, src->name, 0);
	return c;
}

static int
cato_poll(void *inst, char **cause)
{
	struct cato *c = inst;
	if (c->polling) {
		np_cause(cause, "%s: a poll is still running", c->name);
		return -1;
	}
	c->now_s = np_wall_ms() / 1000;
	if (c->mark_s < 0) {
		int64_t m =
		    c->ctx.amount_mark != NULL ? c->ctx.amount_mark(c->ctx.arg, NULL, NULL) : 0;
		/* The latest stored hour may be the one that was still growing: read it again. */
		c->mark_s = m > 0 ? m / 1000 - NP_CATO_HOUR : 0;
	}
	c->cur_s = np_cato_window_start(c->now_s, c->mark_s, c->backfill_s);
	c->end_s = np_cato_window_end(c->now_s);
	c->rate_retries = 0;
	c->amounts = 0;
	c->polling = true;
	next_call(c);
	return 0;
}

static void
cato_cancel(void *inst)
{
	struct cato *c = inst;
	if (c->call != NULL)
		np_http_cancel(c->call);
	c->call = NULL;
	evtimer_del(c->wait);
	c->polling = false;
}

static const char *
cato_peer(const void *conf)
{
	return ((const struct np_cato_conf *)conf)->host;
}

const struct np_collector_ops np_cato_ops = {
    .type = "cato",
    .options = np_cato_options,
    .conf_size = sizeof(struct np_cato_conf),
    .conf_check = np_cato_conf_check,
    .conf_free = np_cato_conf_free,
    .http = true,
    /* Hourly buckets; a 7-day back-fill is 7 calls at 80 a minute. */
    .default_interval_ms = 3600000,
    .default_timeout_ms = 1800000,
    .peer = cato_peer,
    .create = cato_create,
    .poll = cato_poll,
    .cancel = cato_cancel,
    .destroy = cato_destroy,
};
