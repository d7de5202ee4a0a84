/*
 * The daemon's HTTP listener, as the config's `http:` section asks (d_web.h): its TLS context
 * and its users are read at start and on every reload (a renewed certificate or a new password
 * takes effect with SIGHUP); what cannot be read leaves the running listener as it was.
 */
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "d_log.h"
#include "d_web.h"
#include "store/store.h"
#include "util/cause.h"
#include "util/xmalloc.h"
#include "web/auth.h"
#include "web/httpd.h"

struct d_web {
	struct event_base *base;
	struct d_web_ctx ctx;
	struct np_httpd *h;
	/* What the running listener was made with (hc.ssl and hc.auth are owned here). */
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

static SSL_CTX *
tls_context(const struct np_http_cfg *c, char **cause)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL) {
		np_cause(cause, "http: cannot create a TLS context");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	const char *what = NULL, *path = NULL;
	if (SSL_CTX_use_certificate_chain_file(ctx, c->cert_file) != 1)
		what = "http.cert_file", path = c->cert_file;
	else if (SSL_CTX_use_PrivateKey_file(ctx, c->key_file, SSL_FILETYPE_PEM) != 1)
		what = "http.key_file", path = c->key_file;
	else if (SSL_CTX_check_private_key(ctx) != 1)
		what = "http.key_file (does not match cert_file)", path = c->key_file;
	if (what != NULL) {
		char err[256];
		ERR_error_string_n(ERR_get_error(), err, sizeof err);
		ERR_clear_error();
		np_cause(cause, "%s %s: %s", what, path, err);
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static void
free_extras(struct np_httpd_cfg *hc)
{
	SSL_CTX_free(hc->ssl);
	np_auth_free(hc->auth);
	hc->ssl = NULL;
	hc->auth = NULL;
}

/* Nothing of the listener changes: same address and limits, no files to read again. */
static bool
same(const struct d_web *w, const struct np_http_cfg *c)
{
	return w->h != NULL && strcmp(w->listen, c->listen) == 0 &&
	       w->hc.max_connections == (size_t)c->max_connections &&
	       w->hc.timeout_ms == c->request_timeout_ms &&
	       w->hc.max_request_bytes == (size_t)c->max_request_bytes && w->hc.ssl == NULL &&
	       w->hc.auth == NULL && c->cert_file == NULL && c->basic_auth_file == NULL;
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
	struct np_httpd_cfg hc = {
	    .listen = c->listen,
	    .max_connections = (size_t)c->max_connections,
	    .timeout_ms = c->request_timeout_ms,
	    .max_request_bytes = (size_t)c->max_request_bytes,
	};
	if (c->cert_file != NULL && (hc.ssl = tls_context(c, cause)) == NULL)
		return -1;
	if (c->basic_auth_file != NULL) {
		struct np_htpasswd *users = np_htpasswd_load(c->basic_auth_file, cause);
		if (users == NULL) {
			free_extras(&hc);
			return -1;
		}
		hc.auth = np_auth_new(users);
	}
	/* The old listener goes first: a reload may keep the address and change a limit. */
	np_httpd_free(w->h);
	w->h = np_httpd_new(w->base, &hc, d_web_routes, &w->ctx, &log_lib, cause);
	if (w->h == NULL) {
		free_extras(&hc);
		if (w->listen != NULL) {
			/* Back to what ran before, if it can still be had. */
			char *why = NULL;
			w->h = np_httpd_new(w->base, &w->hc, d_web_routes, &w->ctx, &log_lib, &why);
			free(why);
		}
		if (w->h == NULL)
			d_web_close(w);
		return -1;
	}
	free_extras(&w->hc);
	free(w->listen);
	w->listen = np_xstrdup(c->listen);
	w->hc = hc;
	w->hc.listen = w->listen;
	log_info("http: serving /metrics, the status page and /api on %s://%s%s",
	         hc.ssl != NULL ? "https" : "http", w->listen,
	         hc.auth != NULL ? " (basic authentication)" : "");
	return 0;
}

void
d_web_close(struct d_web *w)
{
	if (w == NULL)
		return;
	np_httpd_free(w->h);
	w->h = NULL;
	free_extras(&w->hc);
	free(w->listen);
	w->listen = NULL;
	w->hc.listen = NULL;
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
