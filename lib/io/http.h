#ifndef NP_IO_HTTP_H
#define NP_IO_HTTP_H
/*
 * The HTTP engine shared by every HTTP API source (DESIGN §2): one libcurl multi handle driven
 * by the daemon's libevent loop through the multi-socket API (CURLMOPT_SOCKETFUNCTION and
 * TIMERFUNCTION; curl's docs/examples/hiperfifo.c). No easy_perform, no threads of ours, no
 * polling loop: a hung API holds only its own requests, never the loop or another source.
 *
 * Three layers:
 *  - np_http: the engine (one per daemon, one CURLM).
 *  - np_http_limiter: a token bucket shared by every client that names the same key (a vendor
 *    limit "per organization" is shared by all sources polling that organization).
 *  - np_http_client: one per source: TLS settings, auth headers, deadline, size cap, bounded
 *    concurrency, retries. Requests queue in the client until a slot and a token are free.
 *
 * Per request: a deadline (timeout_ms from the first attempt's start to the final answer,
 * retries included), TLS always verified (ca_file, or the system store; `insecure` only when
 * the user wrote it), gzip/deflate accepted, a response size cap, redirects followed by the
 * engine itself (at most 5) so that auth headers go only to the host (scheme, host and port)
 * of the original URL: curl keeps custom headers such as X-Cisco-Meraki-API-Key on any host.
 * 429 and 503 wait Retry-After (seconds or an HTTP date; capped at max_wait_ms), other 5xx and
 * transport errors wait an exponential backoff with jitter (0.5 s, 1 s, 2 s ...), at most
 * max_retries times and never past the deadline.
 *
 * Secrets: auth headers are never logged; with a debug logger, requests are logged as
 * "GET url -> status, bytes, ms" and the auth header values appear as "[redacted]".
 *
 * Every callback runs from the event loop, never from inside a call of this API, so a caller
 * may free its own state in a callback. lib/ rules: errors are -1/NULL with *cause.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/logcb.h"

struct event_base;
struct np_http;
struct np_http_client;
struct np_http_limiter;
struct np_http_call;

/* curl_global_init is done once, lazily, by the first np_http_new (not thread-safe: lib/ is
 * single-threaded). log may be NULL. */
struct np_http *np_http_new(struct event_base *base, const struct np_logger *log, char **cause);
/* Frees the engine; every client and limiter must have been freed before. */
void np_http_free(struct np_http *h);

/*
 * A token bucket shared by key: `rate` tokens per second, at most `burst` stored (the bucket
 * starts full). A second call with the same key returns the same limiter (reference counted;
 * the latest rate/burst win). Monotonic clock.
 */
struct np_http_limiter *np_http_limiter_get(struct np_http *h, const char *key, double rate,
                                            double burst);
void np_http_limiter_put(struct np_http_limiter *l);

struct np_http_client_cfg {
	const char *name;    /* for logs and causes: the source name */
	const char *ca_file; /* CA bundle; NULL = the system store */
	bool insecure;       /* no TLS verification (the config loader warns) */
	/* Headers sent to the original host only ("Authorization: Bearer ..."); never logged. */
	const char *const *auth_headers;
	size_t nauth;
	/* Other headers sent on every request ("Accept: application/json"). */
	const char *const *headers;
	size_t nheaders;
	int64_t timeout_ms;  /* per request, retries included; default 20 s */
	size_t max_body;     /* response bytes, after decompression; default 64 MiB */
	int max_concurrent;  /* requests in flight at once; default 4 */
	int max_retries;     /* default 5 */
	int64_t max_wait_ms; /* cap on one Retry-After wait; default 60 s */
	/* Optional: this client's own rate (its own bucket, besides any per-request limiter). */
	double rate, burst;
	/*
	 * A cookie jar of the client's own (a session cookie set by a login answer goes back on
	 * every later request of this client, and of no other client): libcurl's cookie engine
	 * on a share of the client's (CURL_LOCK_DATA_COOKIE), in memory only, never written out.
	 */
	bool cookies;
};

/* Copies everything it needs from cfg. */
struct np_http_client *np_http_client_new(struct np_http *h, const struct np_http_client_cfg *cfg,
                                          char **cause);
/* Cancels every request of the client (no callbacks) and frees it. */
void np_http_client_free(struct np_http_client *c);
/* Cancels every request of the client, without callbacks (a poll's deadline passed). */
void np_http_client_cancel_all(struct np_http_client *c);
/*
 * Empties the client's cookie jar (a new login starts a new session; requests already sent
 * keep what they carried). Nothing without `cookies`.
 */
void np_http_client_clear_cookies(struct np_http_client *c);

struct np_http_req {
	const char *url;
	const char *method; /* NULL = GET; "POST" */
	const char *body;   /* POST body, copied */
	size_t body_len;
	const char *content_type; /* for body; NULL = application/json */
	/* Also take a token here before each attempt (e.g. the organization's). May be NULL. */
	struct np_http_limiter *limiter;
	/*
	 * A 3xx answer is the answer, not followed: the call fails with the status and
	 * resp.location (an API that redirects an unauthenticated call to its login page).
	 */
	bool no_redirect;
};

struct np_http_resp {
	long status;      /* final HTTP status (2xx when ok == 0) */
	const char *body; /* NUL-terminated; valid during the callback only */
	size_t len;
	const char *next_url;     /* the Link header's rel="next" URL, verbatim; NULL if none */
	const char *url;          /* the URL that answered (after redirects) */
	int attempts;             /* 1 + retries */
	int64_t retry_after_ms;   /* on failure after 429/503: what the server last asked; else 0 */
	const char *content_type; /* the answer's Content-Type, verbatim; NULL if none */
	const char *location;     /* a 3xx answer's Location, verbatim; NULL if none */
};

/*
 * ok: 0 = a 2xx answer (r valid); -1 = failure: cause says the peer and why ("GET
 * https://host/path: HTTP 404", "...: timed out after 20 s", "...: TLS certificate ..."); r is
 * still valid for status/retry_after_ms/body (the error body, if any). cause is owned by the
 * engine (valid during the callback).
 */
typedef void (*np_http_cb)(void *arg, const struct np_http_resp *r, int ok, const char *cause);

/* Queues a request. Returns NULL with *cause only for a bad request (e.g. no URL). */
struct np_http_call *np_http_request(struct np_http_client *c, const struct np_http_req *rq,
                                     np_http_cb cb, void *arg, char **cause);
/* Cancels one request: its callback is not called. */
void np_http_cancel(struct np_http_call *call);

/* Counters for logs and bench: over the engine's lifetime. */
struct np_http_stats {
	uint64_t requests; /* attempts sent */
	uint64_t status_429;
	uint64_t retries;
	uint64_t redirects;
	uint64_t bytes_in;
};
void np_http_stats(const struct np_http *h, struct np_http_stats *out);

/*
 * Hands a prepared easy handle (any protocol: SMTP for mail) to the engine's multi handle; cb
 * gets curl's result code (CURLcode as int) when it ends; the caller then cleans the handle
 * up. For transfers that are not plain API requests. Returns -1 with *cause if it cannot.
 */
typedef void (*np_http_easy_cb)(void *arg, void *easy, int curl_code);
int np_http_add_easy(struct np_http *h, void *easy, np_http_easy_cb cb, void *arg, char **cause);
/* Removes a handle added by np_http_add_easy before it ended (no callback). */
void np_http_remove_easy(struct np_http *h, void *easy);

/*
 * Parses a Link header value (RFC 8288) and returns the target of rel="next" (also rel=next,
 * or a rel list containing next), verbatim, malloc'd; NULL if none or malformed. Pure.
 */
char *np_http_link_next(const char *value, size_t len);
/* Parses Retry-After: delta-seconds or an HTTP-date (relative to now_s). -1 if malformed. */
int64_t np_http_retry_after_ms(const char *value, int64_t now_s);

#endif
