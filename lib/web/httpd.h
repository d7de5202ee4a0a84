#ifndef NP_WEB_HTTPD_H
#define NP_WEB_HTTPD_H
/*
 * The daemon's HTTP listener: libevent's evhttp on the daemon's loop, bounded so that a slow
 * or hostile client never holds the loop or unbounded memory:
 * - at most max_connections at once: at the cap the listening socket stops accepting (the
 *   kernel's backlog holds the rest) until one closes;
 * - headers and body together at most max_request_bytes (a larger request is refused by
 *   evhttp, never buffered whole);
 * - a connection that has not sent a whole request within timeout_ms is closed (one byte a
 *   second never completes one).
 * GET and HEAD only (405 otherwise), exact paths (404 otherwise).
 */
#include <stddef.h>
#include <stdint.h>

#include "util/logcb.h"
#include "web/web.h"

struct event_base;
struct np_httpd;

struct ssl_ctx_st;
struct np_auth;

struct np_httpd_cfg {
	const char *listen; /* "ADDR:PORT" or "[V6]:PORT"; port 0 picks a free one */
	size_t max_connections;
	int64_t timeout_ms;
	size_t max_request_bytes;
	/* TLS on every connection (the handshake counts in timeout_ms); NULL: plain HTTP. */
	struct ssl_ctx_st *ssl;
	/* Basic authentication of every request (401 without, 429 when busy); NULL: none. */
	struct np_auth *auth;
};

/*
 * routes: terminated by {NULL, NULL}, must outlive the listener; each fn gets arg. cfg->ssl
 * and cfg->auth are borrowed: they must outlive the listener too.
 */
struct np_httpd *np_httpd_new(struct event_base *base, const struct np_httpd_cfg *cfg,
                              const struct np_web_route *routes, void *arg,
                              const struct np_logger *lg, char **cause);
void np_httpd_free(struct np_httpd *h);
/* The bound port (useful when cfg->listen asked for port 0). */
int np_httpd_port(const struct np_httpd *h);
/* Connections open now. */
size_t np_httpd_connections(const struct np_httpd *h);

#endif
