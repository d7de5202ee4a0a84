/*
 * One attempt of an HTTP request: the easy handle's settings (TLS, gzip, timeout, headers:
 * auth only to the original origin), the answer gathered under the size cap, and what the
 * end means: done, a redirect to follow, a wait and a retry, or a failure with a cause that
 * names the peer and the reason.
 */
#include "io/http_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "util/cause.h"
#include "util/clock.h"
#include "util/logcb.h"
#include "util/str.h"
#include "util/xmalloc.h"

#define MAX_HOPS 5
#define BACKOFF_BASE_MS 500
#define SNIPPET 160

char *
np_http_origin(const char *url, char **cause)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *out = NULL;
	if (u == NULL) {
		np_cause(cause, "out of memory");
		return NULL;
	}
	CURLUcode rc = curl_url_set(u, CURLUPART_URL, url, 0);
	if (rc != CURLUE_OK) {
		np_cause(cause, "bad URL: %s", curl_url_strerror(rc));
		goto out;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcasecmp(scheme, "https") != 0 && strcasecmp(scheme, "http") != 0)) {
		np_cause(cause, "bad URL: not http or https");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || host[0] == '\0' ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
		np_cause(cause, "bad URL: no host");
		goto out;
	}
	/* Scheme and host names are case-insensitive (RFC 3986 §6.2.2.1). */
	for (char *p = scheme; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	for (char *p = host; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	out = np_xasprintf("%s://%s:%s", scheme, host, port);
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return out;
}

void
np_http_attempt_drop(struct np_http_call *call)
{
	if (call->easy != NULL) {
		np_http_multi_remove(call->c->h, call->easy);
		curl_easy_cleanup(call->easy);
		call->easy = NULL;
	}
	curl_slist_free_all(call->hdrs);
	call->hdrs = NULL;
}

void
np_http_attempt_reset(struct np_http_call *call)
{
	free(call->buf);
	free(call->link);
	free(call->retry_after);
	free(call->ctype);
	free(call->location);
	call->buf = call->link = call->retry_after = call->ctype = call->location = NULL;
	call->len = call->cap = 0;
	call->too_big = false;
	call->status = 0;
	call->errbuf[0] = '\0';
}

char *
np_http_timeout_cause(const struct np_http_call *call)
{
	return np_xasprintf("%s %s: timed out after %lld ms", call->method, call->url,
	                    (long long)call->c->timeout_ms);
}

static size_t
on_body(char *data, size_t size, size_t n, void *arg)
{
	struct np_http_call *call = arg;
	size_t len = size * n;
	if (len > call->c->max_body - call->len) {
		/* Returning less than len aborts the transfer (CURLE_WRITE_ERROR). */
		call->too_big = true;
		return 0;
	}
	if (call->len + len + 1 > call->cap) {
		size_t cap = call->cap ? call->cap : 4096;
		while (cap < call->len + len + 1)
			cap *= 2;
		call->buf = np_xreallocarray(call->buf, cap, 1);
		call->cap = cap;
	}
	memcpy(call->buf + call->len, data, len);
	call->len += len;
	call->buf[call->len] = '\0';
	return len;
}

/* Whether the header line is "name: ..."; *value = the trimmed value. */
static bool
header_is(const char *line, size_t len, const char *name, char **value)
{
	size_t n = strlen(name);
	if (len <= n || strncasecmp(line, name, n) != 0 || line[n] != ':')
		return false;
	const char *v = line + n + 1, *end = line + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*value = np_xstrndup(v, (size_t)(end - v));
	return true;
}

static size_t
on_header(char *data, size_t size, size_t n, void *arg)
{
	struct np_http_call *call = arg;
	size_t len = size * n;
	char *v;
	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		/* A new response (after a 100 Continue): its headers only. */
		free(call->link);
		free(call->retry_after);
		free(call->ctype);
		free(call->location);
		call->link = call->retry_after = call->ctype = call->location = NULL;
	} else if (header_is(data, len, "Content-Type", &v)) {
		free(call->ctype);
		call->ctype = v;
	} else if (header_is(data, len, "Location", &v)) {
		free(call->location);
		call->location = v;
	} else if (header_is(data, len, "Link", &v)) {
		/* Several Link fields are one comma-separated list (RFC 9110 §5.3). */
		if (call->link != NULL) {
			char *both = np_xasprintf("%s, %s", call->link, v);
			free(call->link);
			free(v);
			v = both;
		}
		call->link = v;
	} else if (header_is(data, len, "Retry-After", &v)) {
		free(call->retry_after);
		call->retry_after = v;
	}
	return len;
}

static void
add_header(struct np_http_call *call, const char *line)
{
	struct curl_slist *l = curl_slist_append(call->hdrs, line);
	if (l == NULL)
		abort(); /* out of memory, as np_xmalloc */
	call->hdrs = l;
}

int
np_http_attempt_start(struct np_http_call *call, char **cause)
{
	struct np_http_client *c = call->c;
	np_http_attempt_reset(call);
	if (call->hop)
		call->hop = false;
	else
		call->attempts++;
	call->attempt_start_ms = np_mono_ms();
	int64_t left = call->deadline_ms - call->attempt_start_ms;
	if (left < 1)
		left = 1;
	CURL *e = curl_easy_init();
	if (e == NULL) {
		np_cause(cause, "%s %s: libcurl: cannot create a handle", call->method, call->url);
		return -1;
	}
	call->easy = e;
	curl_easy_setopt(e, CURLOPT_URL, call->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, call);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, call->errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)left);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "netpulse/" NP_VERSION);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, call);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, call);
	if (c->ca_file != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, c->ca_file);
	if (c->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (c->share != NULL) {
		/* "" turns the cookie engine on without reading a file; the jar is the share's. */
		curl_easy_setopt(e, CURLOPT_SHARE, c->share);
		curl_easy_setopt(e, CURLOPT_COOKIEFILE, "");
	}
	for (size_t i = 0; i < c->nheaders; i++)
		add_header(call, c->headers[i]);
	call->sent_auth = call->same_origin && c->nauth > 0;
	if (call->sent_auth)
		for (size_t i = 0; i < c->nauth; i++)
			add_header(call, c->auth[i]);
	if (strcmp(call->method, "GET") == 0) {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	} else {
		if (call->body != NULL) {
			char *ct = np_xasprintf("Content-Type: %s", call->content_type);
			add_header(call, ct);
			free(ct);
			curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
			                 (curl_off_t)call->body_len);
			curl_easy_setopt(e, CURLOPT_POSTFIELDS, call->body);
		}
		/* No 100-continue round trip: the APIs answer at once. */
		add_header(call, "Expect:");
		if (strcmp(call->method, "POST") != 0 || call->body == NULL)
			curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, call->method);
		if (call->body == NULL && strcmp(call->method, "HEAD") == 0)
			curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	}
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, call->hdrs);
	if (np_http_multi_add(c->h, e, cause) == -1) {
		np_cause_prefix(cause, "%s %s", call->method, call->url);
		return -1;
	}
	return 0;
}

/* One debug line per attempt; auth header values never appear, only their names. */
static void
log_attempt(struct np_http_call *call, CURLcode res)
{
	const struct np_logger *lg = call->c->h->log;
	if (lg == NULL || lg->fn == NULL)
		return;
	struct np_http_client *c = call->c;
	char *url = np_escape(call->url);
	char auth[512] = "";
	if (call->sent_auth)
		for (size_t i = 0; i < c->nauth; i++) {
			size_t n = (size_t)(strchr(c->auth[i], ':') - c->auth[i]);
			size_t at = strlen(auth);
			snprintf(auth + at, sizeof(auth) - at, "%s%.*s: [redacted]",
			         at == 0 ? "; sent " : ", ", (int)n, c->auth[i]);
		}
	long long ms = (long long)(np_mono_ms() - call->attempt_start_ms);
	if (res == CURLE_OK) {
		np_logf(lg, LOG_DEBUG, "%s: %s %s -> %ld, %zu bytes, %lld ms%s", c->name,
		        call->method, url, call->status, call->len, ms, auth);
	} else {
		char *err = np_escape(call->errbuf[0] ? call->errbuf : curl_easy_strerror(res));
		np_logf(lg, LOG_DEBUG, "%s: %s %s -> %s, %lld ms%s", c->name, call->method, url,
		        err, ms, auth);
		free(err);
	}
	free(url);
}

static char *
http_cause(struct np_http_call *call)
{
	if (call->len == 0)
		return np_xasprintf("%s %s: HTTP %ld", call->method, call->url, call->status);
	char cut[SNIPPET + 1];
	size_t n = call->len < SNIPPET ? call->len : SNIPPET;
	memcpy(cut, call->buf, n);
	cut[n] = '\0';
	char *esc = np_escape(cut);
	char *s = np_xasprintf("%s %s: HTTP %ld (%s%s)", call->method, call->url, call->status, esc,
	                       call->len > SNIPPET ? "..." : "");
	free(esc);
	return s;
}

static void
fail(struct np_http_call *call, char *cause)
{
	free(call->cause);
	call->cause = cause;
	if (call->attempts > 1) {
		call->cause = np_xasprintf("%s (%d attempts)", cause, call->attempts);
		free(cause);
	}
	np_http_call_fail(call, NULL);
}

/* Another attempt after wait_ms if retries and time are left; else the failure. */
static void
retry(struct np_http_call *call, int64_t wait_ms, char *cause)
{
	struct np_http_client *c = call->c;
	if (wait_ms < 0) {
		int k = call->attempts - 1;
		double base = (double)BACKOFF_BASE_MS * (double)(1LL << (k < 30 ? k : 30));
		wait_ms = (int64_t)(base * (0.75 + 0.5 * np_http_random(c->h)));
		if (wait_ms > c->max_wait_ms)
			wait_ms = c->max_wait_ms;
	}
	if (call->attempts > c->max_retries || np_mono_ms() + wait_ms >= call->deadline_ms) {
		fail(call, cause);
		return;
	}
	free(call->cause);
	call->cause = cause;
	c->h->stats.retries++;
	np_http_call_wait(call, wait_ms);
}

static bool
transient(CURLcode res)
{
	switch (res) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_HTTP3:
		return true;
	default:
		return false;
	}
}

static void
redirect(struct np_http_call *call)
{
	struct np_http_client *c = call->c;
	char *to = NULL;
	curl_easy_getinfo(call->easy, CURLINFO_REDIRECT_URL, &to);
	if (to == NULL) {
		fail(call, np_xasprintf("%s %s: HTTP %ld without a Location", call->method,
		                        call->url, call->status));
		return;
	}
	if (++call->hops > MAX_HOPS) {
		fail(call, np_xasprintf("%s %s: more than %d redirects", call->method,
		                        call->orig_url, MAX_HOPS));
		return;
	}
	char *why = NULL;
	char *origin = np_http_origin(to, &why);
	if (origin == NULL) {
		char *esc = np_escape(to);
		fail(call,
		     np_xasprintf("%s %s: redirect to %s: %s", call->method, call->url, esc, why));
		free(esc);
		free(why);
		return;
	}
	call->same_origin = strcmp(origin, call->origin) == 0;
	free(origin);
	free(call->url);
	call->url = np_xstrdup(to);
	if (call->status == 303 && strcmp(call->method, "GET") != 0) {
		free(call->method);
		call->method = np_xstrdup("GET");
		if (call->body != NULL)
			explicit_bzero(call->body, call->body_len);
		free(call->body);
		call->body = NULL;
		call->body_len = 0;
	}
	c->h->stats.redirects++;
	call->hop = true;
	np_http_call_requeue(call);
}

void
np_http_attempt_done(struct np_http_call *call, CURLcode res)
{
	struct np_http_client *c = call->c;
	curl_easy_getinfo(call->easy, CURLINFO_RESPONSE_CODE, &call->status);
	c->h->stats.bytes_in += call->len;
	log_attempt(call, res);
	if (res != CURLE_OK) {
		if (call->too_big) {
			fail(call, np_xasprintf("%s %s: response larger than %zu bytes",
			                        call->method, call->url, c->max_body));
		} else if (res == CURLE_OPERATION_TIMEDOUT) {
			fail(call, np_http_timeout_cause(call));
		} else {
			char *cause =
			    np_xasprintf("%s %s: %s", call->method, call->url,
			                 call->errbuf[0] ? call->errbuf : curl_easy_strerror(res));
			if (transient(res))
				retry(call, -1, cause);
			else
				fail(call, cause);
		}
		return;
	}
	long st = call->status;
	if (st >= 200 && st <= 299) {
		char *next =
		    call->link != NULL ? np_http_link_next(call->link, strlen(call->link)) : NULL;
		struct np_http_resp r = {
		    .status = st,
		    .body = call->buf != NULL ? call->buf : "",
		    .len = call->len,
		    .next_url = next,
		    .url = call->url,
		    .attempts = call->attempts,
		    .content_type = call->ctype,
		};
		/* The callback may free the client: next is ours until it returns. */
		np_http_call_finish(call, &r, 0, NULL);
		free(next);
		return;
	}
	if (st == 301 || st == 302 || st == 303 || st == 307 || st == 308) {
		if (!call->no_redirect) {
			redirect(call);
			return;
		}
		char *esc = np_escape(call->location != NULL ? call->location : "(no Location)");
		fail(call, np_xasprintf("%s %s: HTTP %ld to %s", call->method, call->url, st, esc));
		free(esc);
		return;
	}
	if (st == 429)
		c->h->stats.status_429++;
	if (st == 429 || st == 503) {
		int64_t ra = call->retry_after != NULL
		                 ? np_http_retry_after_ms(call->retry_after, np_wall_ms() / 1000)
		                 : -1;
		call->retry_after_ms = ra >= 0 ? ra : 0;
		retry(call, ra >= 0 && ra > c->max_wait_ms ? c->max_wait_ms : ra, http_cause(call));
		return;
	}
	if (st >= 500)
		retry(call, -1, http_cause(call));
	else
		fail(call, http_cause(call));
}
