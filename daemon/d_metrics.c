/* GET /metrics (web/metrics.h renders it). */
#include <event2/buffer.h>
#include <stdint.h>
#include <stdlib.h>

#include "d_web.h"
#include "util/clock.h"
#include "web/metrics.h"

static void
free_cb(const void *data, size_t len, void *extra)
{
	(void)len, (void)extra;
	free((void *)(uintptr_t)data);
}

void
d_metrics_handle(void *arg, const struct np_web_req *req, struct np_web_resp *resp)
{
	const struct d_web_ctx *c = arg;
	struct np_metrics_ctx mc = {
	    .pl = c->pl, .disp = c->disp, .srcs = c->srcs, .started_ms = c->started_ms};
	struct np_expo e = {.om = np_expo_wants_om(req->accept)};
	np_metrics_render(&mc, np_wall_ms(), np_mono_ms(), &e);
	resp->content_type = np_expo_content_type(&e);
	/* The buffer goes to the response as it is: no copy of a large scrape. */
	evbuffer_add_reference(resp->body, e.b.s, e.b.len, free_cb, NULL);
}
