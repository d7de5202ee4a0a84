/*
 * HTTP clients (one per source) and their requests' life: the FIFO queue, the bounded number
 * of attempts in flight, the tokens an attempt takes (the client's bucket and the request's
 * limiter), waits between attempts, the deadline, cancel. What one attempt does is in
 * http_call.c.
 */
#include "io/http_int.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "util/cause.h"
#include "util/clock.h"
#include "util/xmalloc.h"

#define DEF_TIMEOUT_MS 20000
#define DEF_MAX_BODY ((size_t)64 * 1024 * 1024)
#define DEF_MAX_CONCURRENT 4
#define DEF_MAX_RETRIES 5
#define DEF_MAX_WAIT_MS 60000

static void pump(evutil_socket_t fd, short what, void *arg);

static char **
copy_strings(const char *const *v, size_t n)
{
	if (n == 0)
		return NULL;
	char **out = np_xcalloc(n, sizeof(*out));
	for (size_t i = 0; i < n; i++)
		out[i] = np_xstrdup(v[i] != NULL ? v[i] : "");
	return out;
}

static void
free_strings(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

struct np_http_client *
np_http_client_new(struct np_http *h, const struct np_http_client_cfg *cfg, char **cause)
{
	if (h == NULL || cfg == NULL) {
		np_cause(cause, "no engine or no settings");
		return NULL;
	}
	if ((cfg->nauth > 0 && cfg->auth_headers == NULL) ||
	    (cfg->nheaders > 0 && cfg->headers == NULL)) {
		np_cause(cause, "header count without headers");
		return NULL;
	}
	for (size_t i = 0; i < cfg->nauth; i++)
		if (cfg->auth_headers[i] == NULL || strchr(cfg->auth_headers[i], ':') == NULL) {
			np_cause(cause, "auth header %zu is not \"Name: value\"", i + 1);
			return NULL;
		}
	struct np_http_client *c = np_xcalloc(1, sizeof(*c));
	c->h = h;
	c->name = np_xstrdup(cfg->name != NULL ? cfg->name : "http");
	c->ca_file = cfg->ca_file != NULL ? np_xstrdup(cfg->ca_file) : NULL;
	c->insecure = cfg->insecure;
	c->auth = copy_strings(cfg->auth_headers, cfg->nauth);
	c->nauth = cfg->nauth;
	c->headers = copy_strings(cfg->headers, cfg->nheaders);
	c->nheaders = cfg->nheaders;
	c->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : DEF_TIMEOUT_MS;
	c->max_body = cfg->max_body > 0 ? cfg->max_body : DEF_MAX_BODY;
	c->max_concurrent = cfg->max_concurrent > 0 ? cfg->max_concurrent : DEF_MAX_CONCURRENT;
	/* A zeroed cfg means the defaults; "no retries" is written as a negative count. */
	c->max_retries = cfg->max_retries > 0   ? cfg->max_retries
	                 : cfg->max_retries < 0 ? 0
	                                        : DEF_MAX_RETRIES;
	c->max_wait_ms = cfg->max_wait_ms > 0 ? cfg->max_wait_ms : DEF_MAX_WAIT_MS;
	if (cfg->rate > 0) {
		c->has_bucket = true;
		np_tbucket_init(&c->bucket, cfg->rate, cfg->burst > 0 ? cfg->burst : cfg->rate,
		                np_mono_ms());
	}
	if (cfg->cookies) {
		c->share = curl_share_init();
		if (c->share == NULL || curl_share_setopt(c->share, CURLSHOPT_SHARE,
		                                          CURL_LOCK_DATA_COOKIE) != CURLSHE_OK) {
			np_cause(cause, "%s: libcurl: cannot create a cookie jar", c->name);
			if (c->share != NULL)
				curl_share_cleanup(c->share);
			free(c->name);
			free(c->ca_file);
			free_strings(c->auth, c->nauth);
			free_strings(c->headers, c->nheaders);
			free(c);
			return NULL;
		}
	}
	TAILQ_INIT(&c->queue);
	TAILQ_INIT(&c->running);
	TAILQ_INIT(&c->waiting);
	c->pump = evtimer_new(h->base, pump, c);
	h->nclients++;
	return c;
}

static struct call_list *
list_of(struct np_http_call *call)
{
	struct np_http_client *c = call->c;
	return call->st == CALL_QUEUED    ? &c->queue
	       : call->st == CALL_RUNNING ? &c->running
	                                  : &c->waiting;
}

/* Takes the call out of its client (its slot is free again) and drops its easy handle; what
 * the last attempt gathered stays, for a callback. */
static void
detach(struct np_http_call *call)
{
	struct np_http_client *c = call->c;
	TAILQ_REMOVE(list_of(call), call, entry);
	if (call->st == CALL_RUNNING)
		c->nrunning--;
	np_http_pump_soon(c);
	np_http_attempt_drop(call);
	evtimer_del(call->timer);
	evtimer_del(call->deadline);
	call->c = NULL;
}

static void
destroy(struct np_http_call *call)
{
	np_http_attempt_reset(call);
	event_free(call->timer);
	event_free(call->deadline);
	np_http_limiter_put(call->limiter);
	free(call->orig_url);
	free(call->url);
	free(call->origin);
	free(call->method);
	if (call->body != NULL)
		explicit_bzero(call->body, call->body_len); /* a login's password */
	free(call->body);
	free(call->content_type);
	free(call->cause);
	free(call);
}

static void
call_free(struct np_http_call *call)
{
	detach(call);
	destroy(call);
}

void
np_http_client_cancel_all(struct np_http_client *c)
{
	if (c == NULL)
		return;
	struct np_http_call *call;
	while ((call = TAILQ_FIRST(&c->running)) != NULL)
		call_free(call);
	while ((call = TAILQ_FIRST(&c->waiting)) != NULL)
		call_free(call);
	while ((call = TAILQ_FIRST(&c->queue)) != NULL)
		call_free(call);
	evtimer_del(c->pump);
}

void
np_http_client_free(struct np_http_client *c)
{
	if (c == NULL)
		return;
	np_http_client_cancel_all(c);
	event_free(c->pump);
	/* Every easy handle is gone (cancel_all): the share is no longer in use. */
	if (c->share != NULL)
		curl_share_cleanup(c->share);
	c->h->nclients--;
	free(c->name);
	free(c->ca_file);
	free_strings(c->auth, c->nauth);
	free_strings(c->headers, c->nheaders);
	free(c);
}

void
np_http_client_clear_cookies(struct np_http_client *c)
{
	if (c == NULL || c->share == NULL)
		return;
	/* A handle of the share empties the share's jar ("ALL": every cookie, session or not). */
	CURL *e = curl_easy_init();
	if (e == NULL)
		return;
	curl_easy_setopt(e, CURLOPT_SHARE, c->share);
	curl_easy_setopt(e, CURLOPT_COOKIEFILE, "");
	curl_easy_setopt(e, CURLOPT_COOKIELIST, "ALL");
	curl_easy_cleanup(e);
}

void
np_http_cancel(struct np_http_call *call)
{
	if (call != NULL)
		call_free(call);
}

void
np_http_pump_soon(struct np_http_client *c)
{
	static const struct timeval now = {0, 0};
	evtimer_add(c->pump, &now);
}

static void
on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct np_http_call *call = arg;
	char *cause = np_http_timeout_cause(call);
	free(call->cause);
	call->cause = cause;
	np_http_call_fail(call, NULL);
}

static void
on_wait_over(evutil_socket_t fd, short what, void *arg)
{
	np_http_call_requeue(arg);
}

/* Starts what can start: in queue order, while a slot is free and the head's tokens are
 * there; otherwise waits on this same timer for the first token. */
static void
pump(evutil_socket_t fd, short what, void *arg)
{
	struct np_http_client *c = arg;
	struct np_http *h = c->h;
	struct np_http_call *call;
	while (c->nrunning < c->max_concurrent && (call = TAILQ_FIRST(&c->queue)) != NULL) {
		int64_t now = np_mono_ms();
		if (call->started && now >= call->deadline_ms) {
			np_http_pump_soon(c); /* the callback may free c: nothing after it */
			on_deadline(-1, 0, call);
			return;
		}
		int64_t wait = c->has_bucket ? np_tbucket_wait_ms(&c->bucket, now) : 0;
		if (call->limiter != NULL) {
			int64_t w = np_tbucket_wait_ms(&call->limiter->b, now);
			if (w > wait)
				wait = w;
		}
		if (wait > 0) {
			struct timeval tv = {wait / 1000, (wait % 1000) * 1000};
			evtimer_add(c->pump, &tv);
			return;
		}
		if (c->has_bucket)
			np_tbucket_take(&c->bucket, now);
		if (call->limiter != NULL)
			np_tbucket_take(&call->limiter->b, now);
		if (!call->started) {
			call->started = true;
			call->deadline_ms = now + c->timeout_ms;
			struct timeval tv = {c->timeout_ms / 1000, (c->timeout_ms % 1000) * 1000};
			evtimer_add(call->deadline, &tv);
		}
		TAILQ_REMOVE(&c->queue, call, entry);
		call->st = CALL_RUNNING;
		TAILQ_INSERT_TAIL(&c->running, call, entry);
		c->nrunning++;
		char *cause = NULL;
		if (np_http_attempt_start(call, &cause) == -1) {
			np_http_pump_soon(c);
			np_http_call_fail(call, cause);
			free(cause);
			return;
		}
		h->stats.requests++;
	}
}

void
np_http_call_finish(struct np_http_call *call, const struct np_http_resp *r, int ok,
                    const char *cause)
{
	/* r and cause point into the call: it is freed after the callback, but leaves its client
	 * before, so a cancel_all or client_free from the callback does not see it. */
	detach(call);
	call->cb(call->arg, r, ok, cause);
	destroy(call);
}

void
np_http_call_requeue(struct np_http_call *call)
{
	struct np_http_client *c = call->c;
	np_http_attempt_drop(call);
	TAILQ_REMOVE(list_of(call), call, entry);
	if (call->st == CALL_RUNNING)
		c->nrunning--;
	call->st = CALL_QUEUED;
	TAILQ_INSERT_HEAD(&c->queue, call, entry);
	np_http_pump_soon(c);
}

void
np_http_call_wait(struct np_http_call *call, int64_t ms)
{
	struct np_http_client *c = call->c;
	np_http_attempt_drop(call);
	TAILQ_REMOVE(list_of(call), call, entry);
	if (call->st == CALL_RUNNING) {
		c->nrunning--;
		np_http_pump_soon(c);
	}
	call->st = CALL_WAITING;
	TAILQ_INSERT_TAIL(&c->waiting, call, entry);
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
	evtimer_add(call->timer, &tv);
}

void
np_http_call_fail(struct np_http_call *call, const char *cause)
{
	if (cause != NULL) {
		free(call->cause);
		call->cause = np_xstrdup(cause);
	}
	struct np_http_resp r = {
	    .status = call->status,
	    .body = call->buf != NULL ? call->buf : "",
	    .len = call->len,
	    .url = call->url,
	    .attempts = call->attempts,
	    .retry_after_ms = call->retry_after_ms,
	    .content_type = call->ctype,
	    .location = call->location,
	};
	np_http_call_finish(call, &r, -1, call->cause != NULL ? call->cause : "failed");
}

struct np_http_call *
np_http_request(struct np_http_client *c, const struct np_http_req *rq, np_http_cb cb, void *arg,
                char **cause)
{
	if (c == NULL || rq == NULL || cb == NULL) {
		np_cause(cause, "no client, request or callback");
		return NULL;
	}
	if (rq->url == NULL || rq->url[0] == '\0') {
		np_cause(cause, "%s: request without a URL", c->name);
		return NULL;
	}
	const char *method = rq->method != NULL ? rq->method : "GET";
	for (const char *p = method; *p != '\0'; p++)
		if (*p < 'A' || *p > 'Z') {
			np_cause(cause, "%s: bad method", c->name);
			return NULL;
		}
	char *origin = np_http_origin(rq->url, cause);
	if (origin == NULL) {
		np_cause_prefix(cause, "%s", c->name);
		return NULL;
	}
	struct np_http_call *call = np_xcalloc(1, sizeof(*call));
	call->c = c;
	call->orig_url = np_xstrdup(rq->url);
	call->url = np_xstrdup(rq->url);
	call->origin = origin;
	call->same_origin = true;
	call->method = np_xstrdup(method[0] != '\0' ? method : "GET");
	if (rq->body != NULL) {
		call->body = np_xmalloc(rq->body_len + 1);
		memcpy(call->body, rq->body, rq->body_len);
		call->body[rq->body_len] = '\0';
		call->body_len = rq->body_len;
	}
	call->content_type =
	    np_xstrdup(rq->content_type != NULL ? rq->content_type : "application/json");
	call->no_redirect = rq->no_redirect;
	if (rq->limiter != NULL) {
		np_http_limiter_ref(rq->limiter);
		call->limiter = rq->limiter;
	}
	call->cb = cb;
	call->arg = arg;
	call->timer = evtimer_new(c->h->base, on_wait_over, call);
	call->deadline = evtimer_new(c->h->base, on_deadline, call);
	call->st = CALL_QUEUED;
	TAILQ_INSERT_TAIL(&c->queue, call, entry);
	np_http_pump_soon(c);
	return call;
}
