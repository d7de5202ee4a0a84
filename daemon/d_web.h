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
#include "util/tz.h"
#include "web/web.h"

#include "web/srcstats.h"

struct d_web_ctx {
	struct np_pipeline *pl;
	struct np_sched *sched;
	struct np_dispatch *disp;
	const struct np_config *cfg; /* the running config (updated on reload) */
	struct np_srcstats *srcs;    /* poll figures per source (web/srcstats.h) */
	int64_t started_ms;          /* wall clock at start */
	/* The page and /api read through this handle, never the writer's (opened by d_web). */
	struct np_store *ro;
	struct np_tz *tz; /* daemon.timezone (UTC if unset) */
	char host[256];
};

/*
 * The listener as the config's `http:` asks (d_web.c): none without the section. Created at
 * start (a listen address that cannot be bound fails the start), changed on reload (a new
 * address that cannot be bound keeps the old listener: -1 with *cause), closed when the
 * daemon begins to stop.
 */
struct d_web;
struct event_base;
struct d_web *d_web_new(struct event_base *base, const struct d_web_ctx *ctx);
int d_web_apply(struct d_web *w, const struct np_config *cfg, char **cause);
void d_web_close(struct d_web *w);
void d_web_free(struct d_web *w);
/* The bound port (0 = no listener), for logs and tests. */
int d_web_port(const struct d_web *w);

/* The routes, terminated by {NULL, NULL}; each fn gets the struct d_web_ctx as arg. */
extern const struct np_web_route d_web_routes[];

void d_metrics_handle(void *ctx, const struct np_web_req *req, struct np_web_resp *resp);
void d_page_handle(void *ctx, const struct np_web_req *req, struct np_web_resp *resp);
void d_api_status(void *ctx, const struct np_web_req *req, struct np_web_resp *resp);
void d_api_events(void *ctx, const struct np_web_req *req, struct np_web_resp *resp);
void d_api_downtime(void *ctx, const struct np_web_req *req, struct np_web_resp *resp);

#endif
