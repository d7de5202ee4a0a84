/*
 * GET / (the status page, web/page.h) and the JSON API: /api/status, /api/events
 * (?since=&state=&device=) and /api/downtime (?period=&device=) answer what `netpulse status
 * | events | downtime --format json` print, with the same defaults and the same errors (400,
 * as JSON). All of it through the read-only handle, never the writer's.
 */
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "d_web.h"
#include "report/downtime.h"
#include "report/events.h"
#include "report/period.h"
#include "report/report.h"
#include "report/status.h"
#include "util/clock.h"
#include "web/page.h"

#define JSON_TYPE "application/json"
#define PAGE_CSP                                                                                   \
	"default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; "     \
	"frame-ancestors 'none'"

static void
take(struct np_web_resp *resp, char *text)
{
	evbuffer_add(resp->body, text, strlen(text));
	free(text);
}

static void
error_json(struct np_web_resp *resp, int status, const char *why)
{
	json_t *j = json_pack("{s:i,s:s}", "version", 1, "error", why != NULL ? why : "error");
	char *s = json_dumps(j, JSON_INDENT(2));
	json_decref(j);
	resp->status = status;
	resp->content_type = JSON_TYPE;
	take(resp, s);
	evbuffer_add(resp->body, "\n", 1);
}

static struct np_report_ctx
report_ctx(const struct d_web_ctx *c)
{
	return (struct np_report_ctx){
	    .db = np_store_db(c->ro), .tz = c->tz, .now = np_wall_ms() / 1000, .fmt = NP_FMT_JSON};
}

/* Answers the report (JSON) or its error: 400 for what the query asked, 500 otherwise. */
static void
answer(struct np_web_resp *resp, char *out, char *cause, int status_on_error)
{
	if (out != NULL) {
		resp->content_type = JSON_TYPE;
		take(resp, out);
	} else {
		error_json(resp, status_on_error, cause);
	}
	free(cause);
}

void
d_page_handle(void *arg, const struct np_web_req *req, struct np_web_resp *resp)
{
	const struct d_web_ctx *c = arg;
	struct evkeyvalq q = {0};
	evhttp_parse_query_str(req->query, &q);
	struct np_page_in in = {.db = np_store_db(c->ro),
	                        .tz = c->tz,
	                        .now = np_wall_ms() / 1000,
	                        .period = evhttp_find_header(&q, "period"),
	                        .host = c->host};
	char *cause = NULL;
	char *page = np_page_render(&in, &cause);
	evhttp_clear_headers(&q);
	if (page == NULL) {
		resp->status = 500;
		evbuffer_add_printf(resp->body, "netpulse: %s\n", cause != NULL ? cause : "error");
		free(cause);
		return;
	}
	resp->content_type = "text/html; charset=utf-8";
	resp->csp = PAGE_CSP;
	take(resp, page);
}

void
d_api_status(void *arg, const struct np_web_req *req, struct np_web_resp *resp)
{
	(void)req;
	const struct d_web_ctx *c = arg;
	struct np_report_ctx ctx = report_ctx(c);
	struct np_status_opts o = {0};
	char *cause = NULL;
	char *out = np_report_status(&ctx, &o, &cause);
	answer(resp, out, cause, 500);
}

void
d_api_events(void *arg, const struct np_web_req *req, struct np_web_resp *resp)
{
	const struct d_web_ctx *c = arg;
	struct np_report_ctx ctx = report_ctx(c);
	struct evkeyvalq q = {0};
	evhttp_parse_query_str(req->query, &q);
	const char *since = evhttp_find_header(&q, "since");
	const char *state = evhttp_find_header(&q, "state");
	struct np_events_opts o = {.device = evhttp_find_header(&q, "device")};
	char *cause = NULL, *list = state != NULL ? strdup(state) : NULL;
	if (np_since_parse(since != NULL ? since : "24h", ctx.now, ctx.tz, &o.since, &cause) ==
	        -1 ||
	    (list != NULL && np_events_states_parse(list, &o, &cause) == -1)) {
		answer(resp, NULL, cause, 400);
	} else {
		char *out = np_report_events(&ctx, &o, &cause);
		answer(resp, out, cause, 500);
	}
	free(list);
	evhttp_clear_headers(&q);
}

void
d_api_downtime(void *arg, const struct np_web_req *req, struct np_web_resp *resp)
{
	const struct d_web_ctx *c = arg;
	struct np_report_ctx ctx = report_ctx(c);
	struct evkeyvalq q = {0};
	evhttp_parse_query_str(req->query, &q);
	const char *period = evhttp_find_header(&q, "period");
	struct np_period p;
	struct np_downtime d = {0};
	char *cause = NULL;
	if (np_period_parse(period != NULL ? period : "30d", ctx.now, ctx.tz, &p, &cause) == -1) {
		answer(resp, NULL, cause, 400);
	} else if (np_downtime_compute(ctx.db, &p, ctx.now, evhttp_find_header(&q, "device"), &d,
	                               &cause) == -1) {
		answer(resp, NULL, cause, 500);
	} else {
		answer(resp, np_downtime_render(&d, NP_FMT_JSON, ctx.tz), NULL, 500);
		np_downtime_free(&d);
	}
	evhttp_clear_headers(&q);
}
