#ifndef NP_TEST_HTTP_TESTENV_H
#define NP_TEST_HTTP_TESTENV_H
/*
 * Shared by tests/unit/io/test_http*.c: a throwaway CA and server certificate made with
 * `openssl req` in a fresh temporary directory, the HTTPS peer tests/unit/io/http_peer.py on
 * 127.0.0.1 (ephemeral port read from the file it writes), its request log, and a loop driver.
 * Nothing waits for time: the loop runs until a condition holds (SIGALRM guards a hang).
 */
#include "testutil.h"

#include <event2/event.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "io/http.h"
#include "util/xmalloc.h"

struct henv {
	char *dir;
	char *ca, *other_ca; /* the server's CA; a CA that signed nothing the server has */
	int port;
	pid_t peer;
	struct event_base *base;
	struct np_http *h;
	char **lines; /* debug log lines */
	size_t nlines;
};

static struct henv E;

static inline void
h_sh(const char *cmd)
{
	int rc = system(cmd);
	if (rc != 0)
		fail_msg("command failed (%d): %s", rc, cmd);
}

static inline void
h_log(void *arg, int prio, const char *msg)
{
	E.lines = np_xreallocarray(E.lines, E.nlines + 1, sizeof(*E.lines));
	E.lines[E.nlines++] = np_xstrdup(msg);
}

static const struct np_logger h_logger = {h_log, NULL};

/* Runs the loop until *flag reaches want. */
static inline void
h_run_until(const int *flag, int want)
{
	while (*flag < want)
		event_base_loop(E.base, EVLOOP_ONCE);
}

static inline void
h_nap(void)
{
	struct timespec ts = {0, 10 * 1000 * 1000};
	nanosleep(&ts, NULL);
}

/* How many logged requests (ev "start") have a path starting with prefix. */
static inline int
h_count(const char *prefix)
{
	char *p = np_xasprintf("%s/requests.log", E.dir);
	FILE *f = fopen(p, "r");
	free(p);
	if (f == NULL)
		return 0;
	char line[4096], want[512];
	snprintf(want, sizeof(want), "\"path\": \"%s", prefix);
	int n = 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, "\"ev\": \"start\"") != NULL && strstr(line, want) != NULL)
			n++;
	fclose(f);
	return n;
}

/* Runs the loop (the requests progress) until the peer logged n requests to prefix. */
static inline void
h_wait_peer(const char *prefix, int n)
{
	while (h_count(prefix) < n) {
		event_base_loop(E.base, EVLOOP_NONBLOCK);
		h_nap(); /* polls the peer's state, not a sync by time */
	}
}

/* The peer's log, whole (malloc'd). */
static inline char *
h_peer_log(void)
{
	char *p = np_xasprintf("%s/requests.log", E.dir);
	char *s = np_test_read_file(p, NULL);
	free(p);
	return s;
}

static inline int
h_setup(void **state)
{
	/* A hang fails the test, not stalls ctest; generous for valgrind on a busy box. */
	alarm(600);
	E.dir = np_test_tmpdir();
	char *cmd = np_xasprintf(
	    "set -e; cd '%s'; exec 2>openssl.err >/dev/null;"
	    " for ca in ca other; do openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256"
	    " -nodes -keyout $ca.key -out $ca.pem -days 2 -subj /CN=np-test-$ca"
	    " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign,cRLSign; done;"
	    " openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout srv.key"
	    " -out srv.csr -subj /CN=127.0.0.1;"
	    " printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nbasicConstraints=CA:FALSE\\n"
	    "extendedKeyUsage=serverAuth\\n' >srv.ext;"
	    " openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2"
	    " -extfile srv.ext -out srv.pem",
	    E.dir);
	h_sh(cmd);
	free(cmd);
	E.ca = np_xasprintf("%s/ca.pem", E.dir);
	E.other_ca = np_xasprintf("%s/other.pem", E.dir);
	/* Beside this header (__FILE__ is absolute in a CMake build), wherever the clone is. */
	char *script = np_xstrdup(__FILE__);
	*strrchr(script, '/') = '\0';
	char *peer = np_xasprintf("%s/http_peer.py", script);
	free(script);
	script = peer;
	E.peer = fork();
	assert_true(E.peer >= 0);
	if (E.peer == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execlp("python3", "python3", script, E.dir, (char *)NULL);
		_exit(127);
	}
	free(script);
	char *portf = np_xasprintf("%s/port", E.dir);
	struct stat st;
	while (stat(portf, &st) == -1) {
		int status;
		if (waitpid(E.peer, &status, WNOHANG) == E.peer)
			fail_msg("http_peer.py exited (%d)", status);
		h_nap(); /* polls for the file the peer writes when it listens */
	}
	char *s = np_test_read_file(portf, NULL);
	E.port = atoi(s);
	free(s);
	free(portf);
	E.base = event_base_new();
	E.h = np_http_new(E.base, &h_logger, NULL);
	assert_non_null(E.h);
	return 0;
}

static inline int
h_teardown(void **state)
{
	np_http_free(E.h);
	if (E.base != NULL)
		event_base_free(E.base);
	if (E.peer > 0) {
		kill(E.peer, SIGTERM);
		waitpid(E.peer, NULL, 0);
	}
	char *cmd = np_xasprintf("rm -rf '%s'", E.dir);
	h_sh(cmd);
	free(cmd);
	for (size_t i = 0; i < E.nlines; i++)
		free(E.lines[i]);
	free(E.lines);
	free(E.dir);
	free(E.ca);
	free(E.other_ca);
	return 0;
}

/* What a request's callback saw. */
struct res {
	int done, ok, attempts, order;
	long status;
	char *body, *next, *url, *cause;
	size_t len;
	int64_t retry_after_ms;
};

static int h_order;

static inline void
h_res_free(struct res *r)
{
	free(r->body);
	free(r->next);
	free(r->url);
	free(r->cause);
	memset(r, 0, sizeof(*r));
}

static inline void
h_on_done(void *arg, const struct np_http_resp *r, int ok, const char *cause)
{
	struct res *o = arg;
	o->done++;
	o->order = ++h_order;
	o->ok = ok;
	o->status = r->status;
	o->attempts = r->attempts;
	o->retry_after_ms = r->retry_after_ms;
	o->len = r->len;
	o->body = np_xstrdup(r->body);
	o->next = r->next_url ? np_xstrdup(r->next_url) : NULL;
	o->url = r->url ? np_xstrdup(r->url) : NULL;
	o->cause = cause ? np_xstrdup(cause) : NULL;
}

static inline char *
h_url(const char *path)
{
	return np_xasprintf("https://127.0.0.1:%d%s", E.port, path);
}

/* One request to path on client c, run to its end. */
static inline void
h_get(struct np_http_client *c, const char *path, struct res *out)
{
	char *url = h_url(path);
	struct np_http_req rq = {.url = url};
	memset(out, 0, sizeof(*out));
	assert_non_null(np_http_request(c, &rq, h_on_done, out, NULL));
	assert_int_equal(out->done, 0); /* never from inside np_http_request */
	free(url);
	h_run_until(&out->done, 1);
}

static inline struct np_http_client *
h_client(struct np_http_client_cfg *cfg)
{
	if (cfg->name == NULL)
		cfg->name = "t";
	if (cfg->ca_file == NULL)
		cfg->ca_file = E.ca;
	struct np_http_client *c = np_http_client_new(E.h, cfg, NULL);
	assert_non_null(c);
	return c;
}

#endif
