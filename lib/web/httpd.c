/* The daemon's HTTP listener (httpd.h). */
#include "web/httpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>

#include "util/cause.h"
#include "util/clock.h"
#include "util/xmalloc.h"
#include "web/auth.h"

/* An open connection: its bufferevent (we hold a reference) and when it is cut. */
struct conn {
	struct bufferevent *bev;
	int64_t deadline; /* monotonic ms: its request (or answer) must be done by then */
};

struct np_httpd {
	struct event_base *base;
	struct evhttp *http;
	struct evconnlistener *lev;
	const struct np_web_route *routes;
	void *arg;
	const struct np_logger *lg;
	struct conn *conns_v; /* the open connections (max_conns slots) */
	int64_t timeout_ms;
	size_t max_conns, conns;
	struct event *sweep;
	SSL_CTX *ssl;
	struct np_auth *auth;
	bool paused;
	int port;
};

/* "ADDR:PORT" or "[V6]:PORT" into a socket address. */
static int
parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len, char **cause)
{
	char host[64];
	const char *colon;
	const char *h = s;
	size_t hl;
	if (*s == '[') {
		const char *end = strchr(s, ']');
		if (end == NULL || end[1] != ':')
			goto bad;
		h = s + 1;
		hl = (size_t)(end - h);
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL)
			goto bad;
		hl = (size_t)(colon - s);
	}
	if (hl == 0 || hl >= sizeof(host))
		goto bad;
	memcpy(host, h, hl);
	host[hl] = '\0';
	char *endp;
	errno = 0;
	long port = strtol(colon + 1, &endp, 10);
	if (colon[1] == '\0' || *endp != '\0' || errno != 0 || port < 0 || port > 65535)
		goto bad;
	memset(ss, 0, sizeof(*ss));
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		*len = sizeof(*in4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*in6);
		return 0;
	}
bad:
	np_cause(cause,
	         "http.listen: \"%s\" is not ADDRESS:PORT (an IP address, [v6]:PORT for IPv6)", s);
	return -1;
}

/*
 * Connection tracking. libevent 2.1 has no evhttp_set_max_connections and tells nobody when a
 * server connection ends, so the listener holds a reference on every connection's bufferevent
 * (made in new_conn, evhttp_set_bevcb). evhttp frees a connection with bufferevent_free(),
 * which clears the callbacks it had set (synchronously, at accept); our reference keeps the
 * object (and its fd) until sweep() sees the cleared callbacks and drops it. sweep() runs
 * every SWEEP_MS and whenever the cap is reached, so a slot is free again at most SWEEP_MS
 * after the connection ends.
 */
#define SWEEP_MS 250

static void
sweep(struct np_httpd *h)
{
	size_t k = 0, cut = 0;
	int64_t now = np_mono_ms();
	for (size_t i = 0; i < h->conns; i++) {
		bufferevent_data_cb r, w;
		bufferevent_event_cb e;
		bufferevent_getcb(h->conns_v[i].bev, &r, &w, &e, NULL);
		if (r == NULL && w == NULL && e == NULL) {
			bufferevent_decref(
			    h->conns_v[i].bev); /* evhttp is done with it: closes its fd */
			continue;
		}
		if (now > h->conns_v[i].deadline) {
			/* evhttp's own timeout is per read: a byte a second would never end. */
			evutil_socket_t fd = bufferevent_getfd(h->conns_v[i].bev);
			if (fd != -1)
				shutdown(fd, SHUT_RDWR); /* evhttp reads the end and frees it */
			h->conns_v[i].deadline = INT64_MAX;
			cut++;
		}
		h->conns_v[k++] = h->conns_v[i];
	}
	if (cut > 0)
		np_logf(h->lg, LOG_INFO,
		        "http: cut %zu connection(s) that took longer than "
		        "http.request_timeout (%lld ms)",
		        cut, (long long)h->timeout_ms);
	h->conns = k;
	if (h->paused && h->conns < h->max_conns) {
		h->paused = false;
		evconnlistener_enable(h->lev);
		np_logf(h->lg, LOG_INFO, "http: accepting connections again (%zu open)", h->conns);
	}
}

static void
sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	sweep(arg);
}

/* Every connection's bufferevent; at the cap the listener stops accepting. */
static struct bufferevent *
new_conn(struct event_base *base, void *arg)
{
	struct np_httpd *h = arg;
	if (h->conns + 1 >= h->max_conns)
		sweep(h); /* the current one is not in the list yet: its callbacks are unset */
	struct bufferevent *bev;
	if (h->ssl != NULL) {
		SSL *ssl = SSL_new(h->ssl);
		if (ssl == NULL)
			return NULL;
		bev = bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
		                                     BEV_OPT_CLOSE_ON_FREE);
		if (bev == NULL) {
			SSL_free(ssl);
			return NULL;
		}
		/* A client that closes without close_notify (most do) ends the connection. */
		bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	} else {
		bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	}
	if (bev == NULL)
		return NULL;
	bufferevent_incref(bev);
	h->conns_v[h->conns++] = (struct conn){bev, np_mono_ms() + h->timeout_ms};
	if (h->conns >= h->max_conns && !h->paused) {
		h->paused = true;
		evconnlistener_disable(h->lev);
		np_logf(
		    h->lg, LOG_WARNING,
		    "http: %zu connections open (http.max_connections): not accepting more until "
		    "one closes",
		    h->conns);
	}
	return bev;
}

static void
answer(struct evhttp_request *req, int status, const char *ctype, const char *csp,
       struct evbuffer *body)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	evhttp_add_header(out, "Content-Type", ctype != NULL ? ctype : "text/plain; charset=utf-8");
	evhttp_add_header(out, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(out, "Cache-Control", "no-store");
	if (csp != NULL)
		evhttp_add_header(out, "Content-Security-Policy", csp);
	const char *reason = status == 200   ? "OK"
	                     : status == 400 ? "Bad Request"
	                     : status == 401 ? "Unauthorized"
	                     : status == 429 ? "Too Many Requests"
	                     : status == 404 ? "Not Found"
	                     : status == 405 ? "Method Not Allowed"
	                     : status == 503 ? "Service Unavailable"
	                                     : NULL;
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		/* What GET would send, without the body (evhttp 2.1 would send it). */
		char len[32];
		snprintf(len, sizeof(len), "%zu", evbuffer_get_length(body));
		evhttp_add_header(out, "Content-Length", len);
		evbuffer_drain(body, evbuffer_get_length(body));
	}
	evhttp_send_reply(req, status, reason, body);
}

static void
on_request(struct evhttp_request *req, void *arg)
{
	struct np_httpd *h = arg;
	struct evbuffer *body = evbuffer_new();
	if (body == NULL) {
		evhttp_send_error(req, 503, NULL);
		return;
	}
	/* A whole request arrived: its answer and the next request have a new deadline. */
	struct bufferevent *bev =
	    evhttp_connection_get_bufferevent(evhttp_request_get_connection(req));
	for (size_t i = 0; i < h->conns; i++)
		if (h->conns_v[i].bev == bev)
			h->conns_v[i].deadline = np_mono_ms() + h->timeout_ms;
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *raw = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	char *path = raw != NULL ? evhttp_uridecode(raw, 0, NULL) : NULL;
	enum np_auth_result ar = NP_AUTH_OK;
	if (h->auth != NULL)
		ar = np_auth_check(
		    h->auth,
		    evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization"),
		    np_mono_ms());
	if (ar == NP_AUTH_DENIED) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "WWW-Authenticate",
		                  "Basic realm=\"netpulse\", charset=\"UTF-8\"");
		evbuffer_add_printf(body, "authentication required\n");
		answer(req, 401, NULL, NULL, body);
	} else if (ar == NP_AUTH_BUSY) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "1");
		evbuffer_add_printf(body, "too many password checks: retry in a second\n");
		answer(req, 429, NULL, NULL, body);
	} else if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET, HEAD");
		evbuffer_add_printf(body, "only GET and HEAD\n");
		answer(req, 405, NULL, NULL, body);
	} else if (path == NULL) {
		evbuffer_add_printf(body, "bad request path\n");
		answer(req, 400, NULL, NULL, body);
	} else {
		const struct np_web_route *r = h->routes;
		while (r->path != NULL && strcmp(r->path, path) != 0)
			r++;
		if (r->path == NULL) {
			evbuffer_add_printf(body, "not found\n");
			answer(req, 404, NULL, NULL, body);
		} else {
			const char *q = evhttp_uri_get_query(uri);
			const char *accept =
			    evhttp_find_header(evhttp_request_get_input_headers(req), "Accept");
			struct np_web_req wr = {.path = path,
			                        .query = q != NULL ? q : "",
			                        .accept = accept != NULL ? accept : "",
			                        .head = cmd == EVHTTP_REQ_HEAD};
			struct np_web_resp resp = {.status = 200, .body = body};
			r->fn(h->arg, &wr, &resp);
			answer(req, resp.status, resp.content_type, resp.csp, body);
		}
	}
	free(path);
	evbuffer_free(body);
}

struct np_httpd *
np_httpd_new(struct event_base *base, const struct np_httpd_cfg *cfg,
             const struct np_web_route *routes, void *arg, const struct np_logger *lg, char **cause)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	if (parse_listen(cfg->listen, &ss, &sl, cause) == -1)
		return NULL;
	struct np_httpd *h = np_xcalloc(1, sizeof(*h));
	h->base = base;
	h->routes = routes;
	h->arg = arg;
	h->lg = lg;
	h->max_conns = cfg->max_connections > 0 ? cfg->max_connections : 1;
	h->conns_v = np_xcalloc(h->max_conns, sizeof(*h->conns_v));
	h->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 10000;
	h->ssl = cfg->ssl;
	h->auth = cfg->auth;
	h->http = evhttp_new(base);
	if (h->http == NULL) {
		np_cause(cause, "http: cannot create the listener");
		free(h->conns_v);
		free(h);
		return NULL;
	}
	h->lev = evconnlistener_new_bind(
	    base, NULL, NULL, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
	    128, (struct sockaddr *)&ss, (int)sl);
	if (h->lev == NULL) {
		np_cause(cause, "http.listen %s: cannot listen: %s", cfg->listen, strerror(errno));
		evhttp_free(h->http);
		free(h->conns_v);
		free(h);
		return NULL;
	}
	if (evhttp_bind_listener(h->http, h->lev) == NULL) {
		np_cause(cause, "http.listen %s: cannot bind the listener", cfg->listen);
		evconnlistener_free(h->lev);
		evhttp_free(h->http);
		free(h->conns_v);
		free(h);
		return NULL;
	}
	struct sockaddr_storage bound;
	socklen_t bl = sizeof(bound);
	if (getsockname(evconnlistener_get_fd(h->lev), (struct sockaddr *)&bound, &bl) == 0)
		h->port =
		    ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
		                                      : ((struct sockaddr_in *)&bound)->sin_port);
	evhttp_set_bevcb(h->http, new_conn, h);
	h->sweep = event_new(base, -1, EV_PERSIST, sweep_cb, h);
	struct timeval sw = {0, SWEEP_MS * 1000};
	event_add(h->sweep, &sw);
	evhttp_set_allowed_methods(h->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST |
	                                        EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	                                        EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
	evhttp_set_max_headers_size(h->http, (ev_ssize_t)cfg->max_request_bytes);
	evhttp_set_max_body_size(h->http, (ev_ssize_t)cfg->max_request_bytes);
	int64_t t = h->timeout_ms;
	struct timeval tv = {.tv_sec = t / 1000, .tv_usec = (t % 1000) * 1000};
	evhttp_set_timeout_tv(h->http, &tv);
	evhttp_set_gencb(h->http, on_request, h);
	return h;
}

void
np_httpd_free(struct np_httpd *h)
{
	if (h == NULL)
		return;
	event_free(h->sweep);
	evhttp_free(h->http); /* frees the bound listener and every connection */
	for (size_t i = 0; i < h->conns; i++)
		bufferevent_decref(h->conns_v[i].bev);
	free(h->conns_v);
	free(h);
}

int
np_httpd_port(const struct np_httpd *h)
{
	return h->port;
}

size_t
np_httpd_connections(const struct np_httpd *h)
{
	return h->conns;
}
