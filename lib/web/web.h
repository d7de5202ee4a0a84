#ifndef NP_WEB_WEB_H
#define NP_WEB_WEB_H
/*
 * What the daemon's HTTP listener (lib/web/httpd.c) and the pages it serves share: a request
 * reduced to what a handler needs, and the response the handler fills. Handlers run on the
 * daemon's loop and must be quick and bounded: they read the daemon's memory or a read-only
 * SQLite handle, never the writer's transaction, and never block.
 */
#include <stdbool.h>

struct evbuffer;

struct np_web_req {
	const char *path;   /* decoded path, without the query ("/metrics") */
	const char *query;  /* raw query string without '?', "" if none (never NULL) */
	const char *accept; /* the Accept header, "" if none (never NULL) */
	bool head;          /* a HEAD request: the listener sends the headers only */
};

struct np_web_resp {
	int status;               /* 200 unless the handler sets another */
	const char *content_type; /* static string; NULL = "text/plain; charset=utf-8" */
	const char *csp;          /* Content-Security-Policy value (static), NULL = none */
	struct evbuffer *body;    /* created by the listener; the handler appends */
};

typedef void (*np_web_fn)(void *arg, const struct np_web_req *req, struct np_web_resp *resp);

/* An exact path and its handler (GET and HEAD only; anything else is 405). */
struct np_web_route {
	const char *path;
	np_web_fn fn;
};

#endif
