#ifndef NP_IO_HTTP_INT_H
#define NP_IO_HTTP_INT_H
/*
 * Internal to the HTTP engine: the structures shared by http.c (the multi handle on the
 * loop), http_client.c (queues, slots, tokens, retries) and http_call.c (one attempt: the
 * easy handle, its answer, and what to do next).
 */
#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "io/http.h"
#include "io/http_limit.h"

struct event;

struct foreign {
	CURL *easy;
	np_http_easy_cb cb;
	void *arg;
	LIST_ENTRY(foreign) entry;
};

struct sockev;

struct np_http {
	struct event_base *base;
	const struct np_logger *log;
	CURLM *multi;
	struct event *timer;
	struct np_hmap *limiters;
	LIST_HEAD(, sockev) socks;
	LIST_HEAD(, foreign) foreign;
	int nclients;
	uint64_t rng;
	struct np_http_stats stats;
};

enum call_state {
	CALL_QUEUED,  /* in c->queue: waiting for a slot and tokens */
	CALL_RUNNING, /* an attempt is in the multi handle */
	CALL_WAITING, /* waiting out a backoff or Retry-After (c->waiting) */
};

struct np_http_call {
	struct np_http_client *c;
	TAILQ_ENTRY(np_http_call) entry;
	enum call_state st;

	char *orig_url, *url;
	char *origin; /* "scheme://host:port" of orig_url: where auth headers may go */
	char *method; /* "GET", "POST", ...; a 303 turns it into GET */
	char *body, *content_type;
	size_t body_len;
	struct np_http_limiter *limiter;
	bool no_redirect; /* a 3xx is the answer */
	np_http_cb cb;
	void *arg;

	int attempts, hops;
	bool started;        /* the first attempt started: the deadline runs */
	bool same_origin;    /* url is on orig_url's scheme, host and port: auth goes */
	bool hop;            /* the next start follows a redirect, not a new attempt */
	int64_t deadline_ms; /* monotonic */
	int64_t attempt_start_ms;
	struct event *timer;    /* backoff wait */
	struct event *deadline; /* the whole request's */

	/* The running or last attempt. */
	CURL *easy;
	struct curl_slist *hdrs;
	bool sent_auth;
	char errbuf[CURL_ERROR_SIZE];
	char *buf;
	size_t len, cap;
	bool too_big;
	char *link, *retry_after;
	char *ctype, *location; /* the answer's Content-Type and Location */
	long status;
	int64_t retry_after_ms;
	char *cause; /* of the last failed attempt */
};

TAILQ_HEAD(call_list, np_http_call);

struct np_http_client {
	struct np_http *h;
	char *name, *ca_file;
	bool insecure;
	char **auth, **headers;
	size_t nauth, nheaders;
	int64_t timeout_ms;
	size_t max_body;
	int max_concurrent, max_retries;
	int64_t max_wait_ms;
	bool has_bucket;
	struct np_tbucket bucket;
	CURLSH *share; /* the cookie jar (cfg.cookies); NULL without */

	struct call_list queue;   /* CALL_QUEUED, FIFO */
	struct call_list running; /* CALL_RUNNING */
	struct call_list waiting; /* CALL_WAITING */
	int nrunning;
	struct event *pump; /* starts what can start; also waits for a token */
};

/* http.c */
int np_http_multi_add(struct np_http *h, CURL *easy, char **cause);
void np_http_multi_remove(struct np_http *h, CURL *easy);
/* A uniform random number in [0, 1) from the engine's own generator. */
double np_http_random(struct np_http *h);

/* http_client.c */
/* Schedules the client's pump from the loop (never runs it here). */
void np_http_pump_soon(struct np_http_client *c);
/* Ends the call: unlinks and frees it, then calls its callback (last: the callback may free
 * the client). */
void np_http_call_finish(struct np_http_call *call, const struct np_http_resp *r, int ok,
                         const char *cause);
/* Back into the client's queue, at its head (it is older than anything queued); the last
 * attempt's easy handle is dropped, what it gathered kept (for a cause). */
void np_http_call_requeue(struct np_http_call *call);
/* Drops the attempt's easy handle, waits ms (backoff, Retry-After), then requeues. */
void np_http_call_wait(struct np_http_call *call, int64_t ms);
/* Fails the call with its last cause (or the deadline's). */
void np_http_call_fail(struct np_http_call *call, const char *cause);

/* http_call.c */
/* Starts one attempt (a slot and the tokens are taken). -1 with *cause if it cannot. */
int np_http_attempt_start(struct np_http_call *call, char **cause);
/* The multi handle says the attempt ended: retry, redirect, or finish. */
void np_http_attempt_done(struct np_http_call *call, CURLcode res);
/* Takes the attempt's easy handle out of the multi handle and frees it (cancel, deadline,
 * end); what the attempt gathered stays for the callback. */
void np_http_attempt_drop(struct np_http_call *call);
/* Frees what the last attempt gathered (body, headers, cause inputs). */
void np_http_attempt_reset(struct np_http_call *call);
/* "scheme://host:port" of an http(s) URL (curl's URL API; default ports filled in), or NULL
 * with *cause. */
char *np_http_origin(const char *url, char **cause);
/* "GET https://host/path: timed out after N ms" */
char *np_http_timeout_cause(const struct np_http_call *call);

#endif
