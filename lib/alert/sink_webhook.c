/*
 * Webhook alerts: each alert POSTed as JSON (alert_json.h) to the configured URL through the
 * HTTP engine (io/http.h), on the sink's event_base. One request in flight. An HTTP 2xx answer
 * is the receiver's acknowledgement: delivered(tag). Anything else (no connection, TLS,
 * timeout, a 3xx/4xx/5xx answer: its status and the start of its body) is failed(cause); the
 * owner sends the alert again after its backoff, so the engine itself does not retry.
 *
 * Authorization: Bearer <token> when configured, sent only to the URL's own origin (the
 * engine drops it on a redirect elsewhere) and never logged. TLS is verified (ca_file, or the
 * system store) unless `insecure`.
 *
 * The engine is the sink's own (one CURLM on the same loop): np_sink_new is not handed the
 * daemon's, and a sink must work wherever it is made (dispatcher, tests).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alert/alert_json.h"
#include "alert/sink_impl.h"
#include "io/http.h"
#include "util/cause.h"
#include "util/xmalloc.h"

/* An answer body is read for the cause's excerpt only; a 2xx answer may be bigger. */
#define MAX_ANSWER (1024 * 1024)

struct webhook {
	struct np_sink *s;
	struct np_http *http;
	struct np_http_client *client;
	char *url;
	char *auth;                /* "Authorization: Bearer ..."; NULL = none */
	struct np_http_call *call; /* the request in flight */
	int64_t tag;
};

static void
webhook_free(struct webhook *w)
{
	if (w == NULL)
		return;
	np_http_client_free(w->client); /* cancels the call in flight, without callback */
	np_http_free(w->http);
	if (w->auth != NULL)
		explicit_bzero(w->auth, strlen(w->auth));
	free(w->auth);
	free(w->url);
	free(w);
}

static int
webhook_open(struct np_sink *s, char **cause)
{
	const struct np_alert_cfg *cfg = s->cfg;
	const char *url = cfg->url;
	size_t skip = 0;
	if (url != NULL && strncasecmp(url, "http://", 7) == 0)
		skip = 7;
	else if (url != NULL && strncasecmp(url, "https://", 8) == 0)
		skip = 8;
	if (skip == 0 || strchr("/?#", url[skip]) != NULL) {
		np_cause(cause, "webhook url must be http://host... or https://host...");
		return -1;
	}
	if (cfg->bearer_token != NULL && strpbrk(cfg->bearer_token, "\r\n") != NULL) {
		np_cause(cause, "webhook bearer_token holds a line break");
		return -1;
	}
	struct webhook *w = np_xcalloc(1, sizeof(*w));
	w->s = s;
	w->url = np_xstrdup(url);
	/* No logger: a sink's failures reach the owner as causes (and daemon.log may itself
	 * be a sink). */
	w->http = np_http_new(s->base, NULL, cause);
	if (w->http == NULL) {
		webhook_free(w);
		return -1;
	}
	const char *auth[1];
	const char *hdrs[] = {"Accept: application/json, */*"};
	struct np_http_client_cfg cc = {
	    .name = s->key,
	    .ca_file = cfg->ca_file,
	    .insecure = cfg->insecure,
	    .headers = hdrs,
	    .nheaders = 1,
	    .timeout_ms = s->timeout_ms,
	    .max_body = MAX_ANSWER,
	    .max_concurrent = 1,
	    .max_retries = -1, /* none: the outbox retries, with its own backoff */
	};
	if (cfg->bearer_token != NULL && cfg->bearer_token[0] != '\0') {
		w->auth = np_xasprintf("Authorization: Bearer %s", cfg->bearer_token);
		auth[0] = w->auth;
		cc.auth_headers = auth;
		cc.nauth = 1;
	}
	w->client = np_http_client_new(w->http, &cc, cause);
	if (w->client == NULL) {
		webhook_free(w);
		return -1;
	}
	s->impl = w;
	return 0;
}

static void
webhook_close(struct np_sink *s)
{
	webhook_free(s->impl);
	s->impl = NULL;
}

static void
answered(void *arg, const struct np_http_resp *r, int ok, const char *cause)
{
	struct webhook *w = arg;
	w->call = NULL;
	if (ok == 0) {
		np_sink_delivered(w->s, w->tag);
		np_sink_wake(w->s);
	} else {
		/* The engine's cause names the method, URL, status and body excerpt. */
		np_sink_failed(w->s, cause != NULL ? cause : "webhook: request failed");
	}
}

static int
webhook_send(struct np_sink *s, const struct np_alert *a, int64_t tag, char **cause)
{
	struct webhook *w = s->impl;
	if (w->call != NULL) {
		np_cause(cause, "a request is in flight");
		return -1;
	}
	char *body = np_alert_json(a, s->hostname);
	struct np_http_req rq = {
	    .url = w->url,
	    .method = "POST",
	    .body = body,
	    .body_len = strlen(body),
	    .content_type = "application/json",
	};
	char *why = NULL;
	w->call = np_http_request(w->client, &rq, answered, w, &why);
	free(body);
	if (w->call == NULL) {
		/* Taken, and failed (the URL as libcurl reads it): the outbox keeps the alert,
		 * retried and dead after max_age, rather than skipped. */
		np_sink_failed(s, why != NULL ? why : "webhook: cannot make the request");
		free(why);
		return 0;
	}
	w->tag = tag;
	return 0;
}

static bool
webhook_ready(const struct np_sink *s)
{
	const struct webhook *w = s->impl;
	return w->call == NULL;
}

const struct sink_ops np_sink_webhook_ops = {
    .open = webhook_open,
    .close = webhook_close,
    .send = webhook_send,
    .ready = webhook_ready,
};
