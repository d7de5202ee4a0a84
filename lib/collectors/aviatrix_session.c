/*
 * The aviatrix collector's requests and CoPilot session: a cookie set by POST /api/login
 * (the client's own jar), a login first when there is none, and one new login when a request
 * is answered as unauthenticated (401, 403, a redirect to the login page, or an HTML page
 * instead of JSON): the requests waiting for it are sent again; a second unauthenticated
 * answer in the same poll fails it.
 */
#include "collectors/aviatrix_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "collectors/aviatrix_query.h"
#include "util/cause.h"
#include "util/xmalloc.h"

static void on_http(void *arg, const struct np_http_resp *r, int ok, const char *cause);

void
np_avx_req_free(struct areq *q)
{
	TAILQ_REMOVE(&q->p->live, q, entry);
	if (q->call != NULL)
		np_http_cancel(q->call);
	if (q->body != NULL) {
		explicit_bzero(q->body, strlen(q->body));
		free(q->body);
	}
	free(q->url);
	free(q);
}

/* Sends q now, with the current session. -1: the poll ended (q and p are gone). */
static int
send_now(struct areq *q)
{
	struct apoll *p = q->p;
	struct avx *a = p->a;
	q->gen = a->gen;
	q->parked = false;
	struct np_http_req rq = {
	    .url = q->url,
	    .method = q->body != NULL ? "POST" : "GET",
	    .body = q->body,
	    .body_len = q->body != NULL ? strlen(q->body) : 0,
	    /* A redirect of an API call is the login page, not something to follow. */
	    .no_redirect = true,
	};
	char *cause = NULL;
	q->call = np_http_request(a->client, &rq, on_http, q, &cause);
	if (q->call == NULL) {
		np_avx_poll_fail(p, "%s", cause != NULL ? cause : "bad request");
		free(cause);
		return -1;
	}
	return 0;
}

static struct areq *
req_new(struct apoll *p, enum rkind kind, size_t idx, char *url, char *body)
{
	struct areq *q = np_xcalloc(1, sizeof(*q));
	q->p = p;
	q->kind = kind;
	q->idx = idx;
	q->url = url;
	q->body = body;
	TAILQ_INSERT_TAIL(&p->live, q, entry);
	return q;
}

static int
login(struct apoll *p)
{
	struct avx *a = p->a;
	p->logging_in = true;
	a->have_session = false;
	np_http_client_clear_cookies(a->client);
	struct areq *q = req_new(p, R_LOGIN, 0, np_xasprintf("%s/api/login", a->base),
	                         np_aviatrix_login_body(a->user, a->pass));
	return send_now(q);
}

int
np_avx_send(struct apoll *p, enum rkind kind, size_t idx, char *url, char *body)
{
	struct areq *q = req_new(p, kind, idx, url, body);
	if (p->a->have_session)
		return send_now(q);
	q->parked = true;
	return p->logging_in ? 0 : login(p);
}

/* Whether the answer is CoPilot's way of saying "log in first". */
static bool
unauthenticated(const struct np_http_resp *r, int ok)
{
	if (ok != 0) {
		if (r->status == 401 || r->status == 403)
			return true;
		return r->status >= 300 && r->status <= 399 && r->location != NULL &&
		       strcasestr(r->location, "login") != NULL;
	}
	if (r->content_type != NULL && strncasecmp(r->content_type, "text/html", 9) == 0)
		return true;
	const char *s = r->body;
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	return *s == '<';
}

static void
login_done(struct areq *q, const struct np_http_resp *r, int ok, const char *cause, bool unauth)
{
	struct apoll *p = q->p;
	struct avx *a = p->a;
	p->logging_in = false;
	if (ok != 0 || unauth) {
		if (r != NULL && r->retry_after_ms > p->retry_after_ms)
			p->retry_after_ms = r->retry_after_ms;
		char *why = ok != 0 ? np_xstrdup(cause != NULL ? cause : "failed")
		                    : np_xasprintf("POST %s: answered with a login page", q->url);
		np_avx_req_free(q);
		np_avx_poll_fail(p, "login failed: %s", why);
		free(why);
		return;
	}
	np_avx_req_free(q);
	a->have_session = true;
	a->gen++;
	struct areq *w, *next;
	for (w = TAILQ_FIRST(&p->live); w != NULL; w = next) {
		next = TAILQ_NEXT(w, entry);
		if (w->parked && send_now(w) == -1)
			return;
	}
}

static void
unauth_answer(struct areq *q)
{
	struct apoll *p = q->p;
	struct avx *a = p->a;
	if (q->gen < a->gen) {
		/* Sent before the latest login: once more with the new session. */
		send_now(q);
		return;
	}
	if (p->logging_in) {
		q->parked = true;
		return;
	}
	if (p->relogins >= 1) {
		a->have_session = false;
		np_avx_poll_fail(p, "%s: session rejected after a new login", a->base);
		return;
	}
	p->relogins++;
	q->parked = true;
	login(p);
}

static void
on_http(void *arg, const struct np_http_resp *r, int ok, const char *cause)
{
	struct areq *q = arg;
	q->call = NULL;
	bool unauth = r != NULL && unauthenticated(r, ok);
	if (q->kind == R_LOGIN) {
		login_done(q, r, ok, cause, unauth);
		return;
	}
	if (unauth) {
		unauth_answer(q);
		return;
	}
	np_avx_answer(q, r, ok, cause);
}
