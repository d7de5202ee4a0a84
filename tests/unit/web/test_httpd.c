/*
 * The HTTP listener over real loopback sockets: routing, methods, the handler's answer, the
 * request size limit and the connection cap. The client is a forked child with blocking
 * sockets; the parent runs the loop until the child reports.
 */
#include "testutil.h"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "web/httpd.h"

static void
hello(void *arg, const struct np_web_req *req, struct np_web_resp *resp)
{
	(*(int *)arg)++;
	resp->content_type = "text/x-test";
	resp->csp = "default-src 'none'";
	evbuffer_add_printf(resp->body, "hello %s q=%s%s\n", req->path, req->query,
	                    req->head ? " head" : "");
}

static const struct np_web_route routes[] = {{"/hello", hello}, {NULL, NULL}};

static int
connect_to(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd == -1 || connect(fd, (struct sockaddr *)&a, sizeof(a)) == -1)
		_exit(3);
	return fd;
}

/* Sends req (len bytes), reads the whole answer into out. */
static void
exchange(int port, const char *req, size_t len, char *out, size_t outsz)
{
	int fd = connect_to(port);
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(fd, req + off, len - off);
		if (n <= 0)
			break; /* the server closed on a refused request */
		off += (size_t)n;
	}
	shutdown(fd, SHUT_WR);
	size_t got = 0;
	ssize_t n;
	while (got + 1 < outsz && (n = read(fd, out + got, outsz - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	close(fd);
}

struct run {
	struct event_base *base;
	struct event *ev;
	char result[8192];
	size_t len;
};

static void
child_said(evutil_socket_t fd, short what, void *arg)
{
	struct run *r = arg;
	ssize_t n = read(fd, r->result + r->len, sizeof(r->result) - 1 - r->len);
	if (n <= 0) {
		r->result[r->len] = '\0';
		event_base_loopbreak(r->base);
		return;
	}
	r->len += (size_t)n;
}

/* Runs client(port, out fd) in a child while the parent serves; returns what it wrote. */
static void
serve_while(struct np_httpd *h, struct event_base *base, void (*client)(int, FILE *), struct run *r)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		FILE *out = fdopen(p[1], "w");
		client(np_httpd_port(h), out);
		fclose(out);
		_exit(0);
	}
	close(p[1]);
	memset(r, 0, sizeof(*r));
	r->base = base;
	r->ev = event_new(base, p[0], EV_READ | EV_PERSIST, child_said, r);
	event_add(r->ev, NULL);
	event_base_dispatch(base);
	event_free(r->ev);
	close(p[0]);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* The status line and the headers/body bits the tests look at, one line each. */
static void
report(FILE *out, const char *tag, const char *ans)
{
	const char *eol = strstr(ans, "\r\n");
	fprintf(out, "%s: %.*s\n", tag, eol != NULL ? (int)(eol - ans) : (int)strlen(ans), ans);
	const char *keys[] = {"Content-Type: ",
	                      "Content-Security-Policy: ",
	                      "X-Content-Type-Options: ",
	                      "Cache-Control: ",
	                      "Allow: ",
	                      "hello "};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *k = strstr(ans, keys[i]);
		if (k != NULL) {
			const char *e = strpbrk(k, "\r\n");
			fprintf(out, "%s  %.*s\n", tag, (int)(e != NULL ? e - k : (long)strlen(k)),
			        k);
		}
	}
}

static void
basic_client(int port, FILE *out)
{
	static char ans[4096];
	const char *g = "GET /hello?x=1 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
	exchange(port, g, strlen(g), ans, sizeof(ans));
	report(out, "get", ans);
	const char *hd = "HEAD /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
	exchange(port, hd, strlen(hd), ans, sizeof(ans));
	report(out, "head", ans);
	const char *nf = "GET /nope HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
	exchange(port, nf, strlen(nf), ans, sizeof(ans));
	report(out, "404", ans);
	const char *po =
	    "POST /hello HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nConnection: close\r\n\r\nab";
	exchange(port, po, strlen(po), ans, sizeof(ans));
	report(out, "post", ans);
}

static const struct np_httpd_cfg cfg = {
    .listen = "127.0.0.1:0", .max_connections = 4, .timeout_ms = 5000, .max_request_bytes = 16384};

static void
test_routes_and_methods(void **state)
{
	(void)state;
	struct event_base *base = event_base_new();
	int calls = 0;
	char *why = NULL;
	struct np_httpd *h = np_httpd_new(base, &cfg, routes, &calls, NULL, &why);
	assert_non_null(h);
	assert_true(np_httpd_port(h) > 0);
	struct run r;
	serve_while(h, base, basic_client, &r);
	printf("%s", r.result);
	assert_non_null(strstr(r.result, "get: HTTP/1.1 200 OK\n"));
	assert_non_null(strstr(r.result, "get  Content-Type: text/x-test\n"));
	assert_non_null(strstr(r.result, "get  Content-Security-Policy: default-src 'none'\n"));
	assert_non_null(strstr(r.result, "get  X-Content-Type-Options: nosniff\n"));
	assert_non_null(strstr(r.result, "get  Cache-Control: no-store\n"));
	assert_non_null(strstr(r.result, "get  hello /hello q=x=1\n"));
	assert_non_null(strstr(r.result, "head: HTTP/1.1 200 OK\n"));
	assert_null(strstr(r.result, "head  hello")); /* no body for HEAD */
	assert_non_null(strstr(r.result, "404: HTTP/1.1 404 Not Found\n"));
	assert_non_null(strstr(r.result, "post: HTTP/1.1 405 Method Not Allowed\n"));
	assert_non_null(strstr(r.result, "post  Allow: GET, HEAD\n"));
	assert_int_equal(calls, 2); /* GET and HEAD reached the handler, nothing else */
	np_httpd_free(h);
	event_base_free(base);
}

static void
big_client(int port, FILE *out)
{
	size_t n = 1024 * 1024;
	char *req = malloc(n + 256);
	int k = snprintf(req, 256,
	                 "GET /hello HTTP/1.1\r\nHost: t\r\nContent-Length: %zu\r\n"
	                 "Connection: close\r\n\r\n",
	                 n);
	memset(req + k, 'x', n);
	static char ans[4096];
	exchange(port, req, (size_t)k + n, ans, sizeof(ans));
	free(req);
	report(out, "big", ans);
	/* Headers alone over the limit. */
	size_t hn = 64 * 1024;
	char *hreq = malloc(hn + 256);
	k = snprintf(hreq, 256, "GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: ");
	memset(hreq + k, 'y', hn);
	memcpy(hreq + k + hn, "\r\n\r\n", 4);
	exchange(port, hreq, (size_t)k + hn + 4, ans, sizeof(ans));
	free(hreq);
	report(out, "bighdr", ans);
	const char *g = "GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
	exchange(port, g, strlen(g), ans, sizeof(ans));
	report(out, "after", ans);
}

static void
test_request_size_limit(void **state)
{
	(void)state;
	struct event_base *base = event_base_new();
	int calls = 0;
	char *why = NULL;
	struct np_httpd *h = np_httpd_new(base, &cfg, routes, &calls, NULL, &why);
	assert_non_null(h);
	struct run r;
	serve_while(h, base, big_client, &r);
	printf("%s", r.result);
	/* Refused (413) or cut: never handed to the handler. */
	assert_null(strstr(r.result, "big: HTTP/1.1 200"));
	assert_null(strstr(r.result, "bighdr: HTTP/1.1 200"));
	assert_non_null(strstr(r.result, "after: HTTP/1.1 200 OK\n"));
	assert_int_equal(calls, 1);
	np_httpd_free(h);
	event_base_free(base);
}

/* Opens more idle connections than the cap; reports how many the server holds. */
static void
cap_client(int port, FILE *out)
{
	int fds[10];
	for (int i = 0; i < 10; i++)
		fds[i] = connect_to(port); /* the kernel's backlog completes them all */
	fprintf(out, "opened 10\n");
	fflush(out);
	sleep(1);
	for (int i = 0; i < 10; i++)
		close(fds[i]);
	static char ans[4096];
	const char *g = "GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
	exchange(port, g, strlen(g), ans, sizeof(ans));
	report(out, "after", ans);
}

static struct np_httpd *cap_h;
static size_t cap_max;

static void
sample(evutil_socket_t fd, short what, void *arg)
{
	size_t c = np_httpd_connections(cap_h);
	if (c > cap_max)
		cap_max = c;
}

static void
test_connection_cap(void **state)
{
	(void)state;
	struct event_base *base = event_base_new();
	int calls = 0;
	char *why = NULL;
	cap_h = np_httpd_new(base, &cfg, routes, &calls, NULL, &why);
	assert_non_null(cap_h);
	struct event *tick = event_new(base, -1, EV_PERSIST, sample, NULL);
	struct timeval tv = {0, 20000};
	event_add(tick, &tv);
	struct run r;
	serve_while(cap_h, base, cap_client, &r);
	event_free(tick);
	printf("%s", r.result);
	assert_int_equal(cap_max, cfg.max_connections); /* reached, never passed */
	assert_non_null(strstr(r.result, "after: HTTP/1.1 200 OK\n"));
	np_httpd_free(cap_h);
	event_base_free(base);
}

/* Sends a request a byte every 100 ms; reports whether the server cut it before its end. */
static void
slow_client(int port, FILE *out)
{
	const char *g =
	    "GET /hello HTTP/1.1\r\nHost: t\r\nX-Pad: 0123456789012345678901234567890123"
	    "45678901234567890123456789\r\nConnection: close\r\n\r\n";
	int fd = connect_to(port);
	size_t i;
	for (i = 0; g[i] != '\0'; i++) {
		if (write(fd, g + i, 1) != 1)
			break;
		usleep(100000);
	}
	char buf[512];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	fprintf(out, "sent %zu of %zu, %s\n", i, strlen(g),
	        n > 0 && strstr(buf, " 200 ") != NULL ? "answered 200" : "not answered 200");
	close(fd);
}

static void
test_slow_client_cut(void **state)
{
	(void)state;
	struct event_base *base = event_base_new();
	int calls = 0;
	char *why = NULL;
	struct np_httpd_cfg c = cfg;
	c.timeout_ms = 1000; /* the request needs some 12 s at this pace */
	struct np_httpd *h = np_httpd_new(base, &c, routes, &calls, NULL, &why);
	assert_non_null(h);
	struct run r;
	serve_while(h, base, slow_client, &r);
	printf("%s", r.result);
	assert_non_null(strstr(r.result, "not answered 200"));
	assert_int_equal(calls, 0);
	np_httpd_free(h);
	event_base_free(base);
}

static void
test_bad_listen(void **state)
{
	(void)state;
	struct event_base *base = event_base_new();
	const char *bad[] = {"9479", "localhost:9479", "127.0.0.1:", "127.0.0.1:70000",
	                     "[::1]9479"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct np_httpd_cfg c = cfg;
		c.listen = bad[i];
		char *why = NULL;
		assert_null(np_httpd_new(base, &c, routes, NULL, NULL, &why));
		assert_non_null(strstr(why, "http.listen"));
		free(why);
	}
	event_base_free(base);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_routes_and_methods), cmocka_unit_test(test_request_size_limit),
	    cmocka_unit_test(test_connection_cap),     cmocka_unit_test(test_slow_client_cut),
	    cmocka_unit_test(test_bad_listen),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
