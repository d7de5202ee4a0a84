/* The daemon's HTTP listener, as the config's `http:` section asks (d_web.h). */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"

#include "d_log.h"
#include "d_web.h"
#include "util/xmalloc.h"
#include "web/httpd.h"

struct d_web {
	struct event_base *base;
	struct d_web_ctx ctx;
	struct np_httpd *h;
	/* What the running listener was made with. */
	char *listen;
	struct np_httpd_cfg hc;
};

struct d_web *
d_web_new(struct event_base *base, const struct d_web_ctx *ctx)
{
	struct d_web *w = np_xcalloc(1, sizeof *w);
	w->base = base;
	w->ctx = *ctx;
	return w;
}

static bool
same(const struct d_web *w, const struct np_http_cfg *c)
{
	return w->h != NULL && strcmp(w->listen, c->listen) == 0 &&
	       w->hc.max_connections == (size_t)c->max_connections &&
	       w->hc.timeout_ms == c->request_timeout_ms &&
	       w->hc.max_request_bytes == (size_t)c->max_request_bytes;
}

/* What the page and /api read with: a read-only handle on the database, the zone. */
static int
readers(struct d_web *w, const struct np_config *cfg, char **cause)
{
	if (w->ctx.ro == NULL) {
		w->ctx.ro = np_store_open(cfg->database, NP_STORE_RDONLY, cause);
		if (w->ctx.ro == NULL)
			return -1;
	}
	char *why = NULL;
	struct np_tz *tz = cfg->timezone != NULL ? np_tz_load(NULL, cfg->timezone, &why) : NULL;
	if (cfg->timezone != NULL && tz == NULL) {
		/* The config was checked: a zone removed since then. */
		log_warnx("http: daemon.timezone: %s; the page shows UTC", why);
		free(why);
	}
	np_tz_free(w->ctx.tz);
	w->ctx.tz = tz != NULL ? tz : np_tz_utc();
	if (gethostname(w->ctx.host, sizeof w->ctx.host - 1) == -1)
		snprintf(w->ctx.host, sizeof w->ctx.host, "this host");
	return 0;
}

int
d_web_apply(struct d_web *w, const struct np_config *cfg, char **cause)
{
	w->ctx.cfg = cfg;
	const struct np_http_cfg *c = &cfg->http;
	if (!c->enabled) {
		if (w->h != NULL)
			log_info("http: listener on %s closed", w->listen);
		d_web_close(w);
		return 0;
	}
	if (readers(w, cfg, cause) == -1)
		return -1;
	if (same(w, c))
		return 0;
	/* The old listener goes first: a reload may keep the address and change a limit. */
	char *old = w->listen != NULL ? np_xstrdup(w->listen) : NULL;
	struct np_httpd_cfg oldhc = w->hc;
	d_web_close(w);
	struct np_httpd_cfg hc = {
	    .listen = c->listen,
	    .max_connections = (size_t)c->max_connections,
	    .timeout_ms = c->request_timeout_ms,
	    .max_request_bytes = (size_t)c->max_request_bytes,
	};
	w->h = np_httpd_new(w->base, &hc, d_web_routes, &w->ctx, &log_lib, cause);
	if (w->h == NULL && old != NULL) {
		/* Back to what ran before, if it can still be had. */
		oldhc.listen = old;
		char *why = NULL;
		w->h = np_httpd_new(w->base, &oldhc, d_web_routes, &w->ctx, &log_lib, &why);
		free(why);
		if (w->h != NULL) {
			w->listen = old;
			w->hc = oldhc;
			w->hc.listen = w->listen;
			return -1;
		}
	}
	free(old);
	if (w->h == NULL)
		return -1;
	w->listen = np_xstrdup(c->listen);
	w->hc = hc;
	w->hc.listen = w->listen;
	log_info("http: serving /metrics and the status page on %s (port %d)", w->listen,
	         np_httpd_port(w->h));
	return 0;
}

void
d_web_close(struct d_web *w)
{
	if (w == NULL)
		return;
	np_httpd_free(w->h);
	w->h = NULL;
	free(w->listen);
	w->listen = NULL;
}

void
d_web_free(struct d_web *w)
{
	if (w == NULL)
		return;
	d_web_close(w);
	np_store_close(w->ctx.ro);
	np_tz_free(w->ctx.tz);
	free(w);
}

int
d_web_port(const struct d_web *w)
{
	return w != NULL && w->h != NULL ? np_httpd_port(w->h) : 0;
}
