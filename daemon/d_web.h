#ifndef NP_DAEMON_D_WEB_H
#define NP_DAEMON_D_WEB_H
/*
 * The daemon's HTTP side (`http:` in the config): the listener (d_web.c over lib/web/httpd.c)
 * and the handlers it routes to (d_web_routes.c): /metrics (d_metrics.c), the status page
 * and its JSON API (d_page.c). Every handler gets the same context: what the daemon holds in
 * memory. Handlers read it; they never write the store.
 */
#include <stdint.h>

#include "config/config.h"
#include "core/dispatch.h"
#include "core/pipeline.h"
#include "core/sched.h"
#include "web/web.h"

struct d_web_ctx {
	struct np_pipeline *pl;
	struct np_sched *sched;
	struct np_dispatch *disp;
	const struct np_config *cfg; /* the running config (updated on reload) */
	int64_t started_ms;          /* wall clock at start */
};

/* The routes, terminated by {NULL, NULL}; each fn gets the struct d_web_ctx as arg. */
extern const struct np_web_route d_web_routes[];

void d_metrics_handle(void *ctx, const struct np_web_req *req, struct np_web_resp *resp);
void d_page_handle(void *ctx, const struct np_web_req *req, struct np_web_resp *resp);
void d_api_status(void *ctx, const struct np_web_req *req, struct np_web_resp *resp);
void d_api_events(void *ctx, const struct np_web_req *req, struct np_web_resp *resp);
void d_api_downtime(void *ctx, const struct np_web_req *req, struct np_web_resp *resp);

#endif
