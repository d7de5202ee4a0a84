/*
 * The TLS syslog sink (RFC 5425) against a real rsyslogd (imtcp with the gtls stream driver)
 * on 127.0.0.1, with a CA, server and client certificates made here by the openssl CLI:
 * alerts arrive as exactly the rendered text and are delivered in order; a certificate for
 * another name, from another CA, or a missing client certificate is refused with a cause that
 * says so and nothing is delivered; insecure: true delivers anyway; a receiver hung (SIGSTOP)
 * and killed (SIGKILL) within confirm_after fails what it had not confirmed, and the re-sent
 * alerts arrive after its restart; an idle connection the receiver closed is replaced quietly;
 * a peer that never answers the handshake times out; bad key files fail np_sink_new.
 * Skipped (77) without rsyslogd, its gtls driver or the openssl CLI.
 */
#include <dirent.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#include "alert/alert.h"
#include "alert/sink.h"
#include "alert/sink_impl.h"
#include "util/xmalloc.h"

#define T0 1796112000LL /* 2026-12-01T08:00:00Z */
#define MAXMSG 64

static char *dir;                /* certificates, configs, logs */
static bool can_run;             /* rsyslogd with gtls and the openssl CLI are here */
static const char *cannot = "?"; /* else why not */
static int instances;            /* rsyslogd runs so far (file names) */
static pid_t running[32]; /* rsyslogd processes not stopped yet (a failed test leaves some) */

struct rsyslog {
	pid_t pid;
	int port;
	char raw[512]; /* what it received: one %rawmsg% per line */
};

struct owner {
	int64_t delivered[MAXMSG];
	int ndelivered;
	int failed;
	char *cause;
	int woke;
};

static void
on_delivered(void *arg, int64_t tag)
{
	struct owner *o = arg;
	assert_true(o->ndelivered < MAXMSG);
	o->delivered[o->ndelivered++] = tag;
}

static void
on_failed(void *arg, const char *cause)
{
	struct owner *o = arg;
	o->failed++;
	free(o->cause);
	o->cause = np_xstrdup(cause != NULL ? cause : "");
}

static void
on_ready(void *arg)
{
	((struct owner *)arg)->woke++;
}

static int __attribute__((format(printf, 1, 2))) sh(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *cmd = NULL;
	assert_true(vasprintf(&cmd, fmt, ap) >= 0);
	va_end(ap);
	int rc = system(cmd);
	if (rc != 0)
		print_message("exit status %d: %s\n", rc, cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

/* NAME.pem/.key: CN and subjectAltName SAN, signed by CA (NULL: self-signed). */
static int
mkcert(const char *name, const char *cn, const char *san, const char *ca)
{
	const char *key = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
	if (ca == NULL)
		return sh("cd %s && openssl req -x509 %s -keyout %s.key -out %s.pem -days 2 "
		          "-subj '/CN=%s' -addext 'subjectAltName=%s' >/dev/null 2>&1",
		          dir, key, name, name, cn, san);
	return sh("cd %s && openssl req %s -keyout %s.key -out %s.csr -subj '/CN=%s' "
	          ">/dev/null 2>&1 && printf 'subjectAltName=%s\\n' >%s.ext && "
	          "openssl x509 -req -in %s.csr -CA %s.pem -CAkey %s.key -CAcreateserial "
	          "-out %s.pem -days 2 -extfile %s.ext >/dev/null 2>&1",
	          dir, key, name, name, cn, san, name, name, ca, ca, name, name);
}

static int
group_setup(void **state)
{
	dir = np_test_tmpdir();
	signal(SIGPIPE, SIG_IGN); /* as netpulsed does: SSL_write may meet a closed socket */
	cannot = "needs rsyslogd and the openssl CLI";
	if (sh("command -v rsyslogd >/dev/null && command -v openssl >/dev/null") != 0)
		return 0;
	cannot = "the openssl CLI failed to make the test certificates";
	/* ca: the test CA; ca2: another one; srv: localhost + 127.0.0.1; wrong: another name. */
	if (sh("cd %s && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
	       "-keyout ca.key -out ca.pem -days 2 -subj '/CN=netpulse test CA' >/dev/null 2>&1 "
	       "&& openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
	       "-keyout ca2.key -out ca2.pem -days 2 -subj '/CN=other CA' >/dev/null 2>&1",
	       dir) != 0 ||
	    mkcert("srv", "localhost", "DNS:localhost,IP:127.0.0.1", "ca") != 0 ||
	    mkcert("wrong", "wrong.example", "DNS:wrong.example,IP:192.0.2.1", "ca") != 0 ||
	    mkcert("cli", "netpulse client", "DNS:client.example", "ca") != 0 ||
	    mkcert("self", "localhost", "DNS:localhost,IP:127.0.0.1", NULL) != 0 ||
	    sh("cd %s && openssl pkey -in cli.key -aes256 -passout pass:secret -out enc.key "
	       ">/dev/null 2>&1",
	       dir) != 0)
		return 0;
	/* The gtls driver must load (Debian's rsyslog-gnutls). */
	FILE *f;
	char path[600];
	snprintf(path, sizeof(path), "%s/check.conf", dir);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f,
	        "global(DefaultNetstreamDriver=\"gtls\" DefaultNetstreamDriverCAFile=\"%s/ca.pem\" "
	        "DefaultNetstreamDriverCertFile=\"%s/srv.pem\" "
	        "DefaultNetstreamDriverKeyFile=\"%s/srv.key\")\n"
	        "module(load=\"imtcp\" StreamDriver.Name=\"gtls\" StreamDriver.Mode=\"1\" "
	        "StreamDriver.AuthMode=\"anon\")\n"
	        "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"6514\")\n"
	        "action(type=\"omfile\" file=\"%s/check.log\")\n",
	        dir, dir, dir, dir);
	fclose(f);
	cannot = "rsyslogd cannot load its gtls driver (rsyslog-gnutls)";
	/* -N1 checks the config but loads a stream driver only when it listens: look for it. */
	can_run = sh("rsyslogd -N1 -f %s >/dev/null 2>&1", path) == 0 &&
	          sh("for f in /usr/lib/*/rsyslog/lmnsd_gtls.so /usr/lib*/rsyslog/lmnsd_gtls.so; "
	             "do [ -e \"$f\" ] && exit 0; done; exit 1") == 0;
	return 0;
}

static int
group_teardown(void **state)
{
	for (size_t i = 0; i < sizeof(running) / sizeof(running[0]); i++)
		if (running[i] > 0) {
			kill(running[i], SIGKILL);
			waitpid(running[i], NULL, 0);
		}
	if (dir != NULL)
		(void)sh("rm -rf %s", dir);
	free(dir);
	return 0;
}

static int
free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	socklen_t len = sizeof(sin);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	close(fd);
	return ntohs(sin.sin_port);
}

static bool
port_open(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET,
	                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	                          .sin_port = htons((uint16_t)port)};
	bool ok = connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
	close(fd);
	return ok;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/*
 * rsyslogd presenting CERT (srv, wrong, self) on 127.0.0.1:port (0: a free one), AUTHMODE
 * "anon" or "x509/certvalid" (a client certificate from the test CA required), writing what
 * it receives to r->raw (kept from a previous run on the same port when append).
 */
static void
rs_start(struct rsyslog *r, const char *cert, const char *authmode, int port)
{
	int n = ++instances;
	char conf[600], work[600], pidf[600], logf[600];
	r->port = port != 0 ? port : free_port();
	if (port == 0)
		snprintf(r->raw, sizeof(r->raw), "%s/raw-%d.log", dir, n);
	snprintf(conf, sizeof(conf), "%s/rs-%d.conf", dir, n);
	snprintf(work, sizeof(work), "%s/work-%d", dir, n);
	snprintf(pidf, sizeof(pidf), "%s/rs-%d.pid", dir, n);
	snprintf(logf, sizeof(logf), "%s/rsyslogd-%d.log", dir, n);
	assert_int_equal(mkdir(work, 0700), 0);
	FILE *f = fopen(conf, "w");
	assert_non_null(f);
	fprintf(f,
	        "global(workDirectory=\"%s\" maxMessageSize=\"64k\"\n"
	        "  DefaultNetstreamDriver=\"gtls\" DefaultNetstreamDriverCAFile=\"%s/ca.pem\"\n"
	        "  DefaultNetstreamDriverCertFile=\"%s/%s.pem\"\n"
	        "  DefaultNetstreamDriverKeyFile=\"%s/%s.key\")\n"
	        "module(load=\"imtcp\" StreamDriver.Name=\"gtls\" StreamDriver.Mode=\"1\"\n"
	        "  StreamDriver.AuthMode=\"%s\")\n"
	        "template(name=\"Raw\" type=\"string\" string=\"%%rawmsg%%\\n\")\n"
	        "ruleset(name=\"r\") { action(type=\"omfile\" file=\"%s\" template=\"Raw\") }\n"
	        "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"%d\" ruleset=\"r\")\n",
	        work, dir, dir, cert, dir, cert, authmode, r->raw, r->port);
	fclose(f);
	r->pid = fork();
	assert_true(r->pid >= 0);
	for (size_t i = 0; r->pid > 0 && i < sizeof(running) / sizeof(running[0]); i++)
		if (running[i] == 0) {
			running[i] = r->pid;
			break;
		}
	if (r->pid == 0) {
		int fd = open(logf, O_WRONLY | O_CREAT | O_APPEND, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
		execlp("rsyslogd", "rsyslogd", "-n", "-f", conf, "-i", pidf, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 300 && !port_open(r->port); i++)
		sleep_ms(100);
	assert_true(port_open(r->port));
}

/* Whether every thread of pid is stopped (kill returns before they all are). */
static bool
all_stopped(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	if (d == NULL)
		return false;
	bool all = true;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL && all) {
		if (e->d_name[0] == '.')
			continue;
		char stat[384], buf[512];
		snprintf(stat, sizeof(stat), "%s/%s/stat", path, e->d_name);
		FILE *f = fopen(stat, "r");
		if (f == NULL)
			continue;
		size_t len = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[len] = '\0';
		const char *close = strrchr(buf, ')'); /* "tid (comm) S ..." */
		all = close != NULL && (close[2] == 'T' || close[2] == 't');
		n++;
	}
	closedir(d);
	return all && n > 0;
}

static void
rs_stop(struct rsyslog *r, int sig)
{
	if (r->pid <= 0)
		return;
	kill(r->pid, sig);
	if (sig == SIGSTOP) {
		for (int i = 0; i < 5000 && !all_stopped(r->pid); i++)
			sleep_ms(1);
		assert_true(all_stopped(r->pid));
		return;
	}
	if (sig != SIGKILL && sig != SIGTERM)
		kill(r->pid, SIGKILL);
	kill(r->pid, SIGCONT);
	int st;
	waitpid(r->pid, &st, 0);
	for (size_t i = 0; i < sizeof(running) / sizeof(running[0]); i++)
		if (running[i] == r->pid)
			running[i] = 0;
	r->pid = 0;
}

/* Lines of what rsyslogd wrote so far; *lines (malloc'd, one string) split in place. */
static int
rs_lines(const struct rsyslog *r, char **text, char **lines, int max)
{
	FILE *f = fopen(r->raw, "r");
	*text = NULL;
	if (f == NULL)
		return 0;
	size_t cap = 0;
	ssize_t len = getdelim(text, &cap, '\0', f);
	fclose(f);
	if (len <= 0)
		return 0;
	int n = 0;
	for (char *p = *text, *nl; n < max && (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		*nl = '\0';
		lines[n++] = p;
	}
	return n;
}

static int
rs_count(const struct rsyslog *r)
{
	char *text, *lines[MAXMSG];
	int n = rs_lines(r, &text, lines, MAXMSG);
	free(text);
	return n;
}

static struct np_alert_cfg
cfg_for(char *host, int port)
{
	static char portbuf[16];
	snprintf(portbuf, sizeof(portbuf), "%d", port);
	struct np_alert_cfg c = {
	    .type = NP_SINK_SYSLOG,
	    .proto = NP_SYSLOG_TLS,
	    .host = host,
	    .port = portbuf,
	    .facility = LOG_DAEMON,
	    .format = (char *)"rfc5424",
	    .enterprise = 32473,
	    .hostname = (char *)"testhost",
	    .timeout_ms = 10000,
	    .confirm_after_ms = 200,
	};
	return c;
}

static char *
path_of(const char *name)
{
	return np_xasprintf("%s/%s", dir, name);
}

static struct np_alert
alert(int64_t id, char *msgbuf, size_t size)
{
	snprintf(msgbuf, size, "exporter 172.16.16.%d is DOWN (test alert %d)", (int)id % 250,
	         (int)id);
	struct np_alert a = {
	    .id = id,
	    .time_ms = T0 * 1000 + id,
	    .msgid = "IFDOWN",
	    .severity = LOG_ERR,
	    .device = "172.16.16.2",
	    .interface = "",
	    .state = "down",
	    .previous = "up",
	    .source = "fc-east",
	    .since_s = T0,
	    .outage_seconds = -1,
	    .message = msgbuf,
	};
	return a;
}

static void
on_guard(evutil_socket_t fd, short what, void *arg)
{
	*(bool *)arg = true;
}

/* Runs the loop until *count >= n (or 30 s passed: then the caller's assertion fails). */
static void
run_until(struct event_base *base, const int *count, int n)
{
	bool expired = false;
	struct event *guard = evtimer_new(base, on_guard, &expired);
	struct timeval tv = {.tv_sec = 30};
	evtimer_add(guard, &tv);
	while (*count < n && !expired)
		event_base_loop(base, EVLOOP_ONCE);
	event_free(guard);
}

/* Runs the loop for ms (to let things happen that must not change the outcome). */
static void
run_for(struct event_base *base, int ms)
{
	bool expired = false;
	struct event *guard = evtimer_new(base, on_guard, &expired);
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
	evtimer_add(guard, &tv);
	while (!expired)
		event_base_loop(base, EVLOOP_ONCE);
	event_free(guard);
}

/* Runs the loop until the receiver wrote n lines (at most 30 s). */
static void
wait_lines(struct event_base *base, const struct rsyslog *r, int n)
{
	for (int i = 0; i < 300 && rs_count(r) < n; i++)
		run_for(base, 100);
	assert_int_equal(rs_count(r), n);
}

/* Sends tags first..first+n-1 as the dispatcher would: each when the sink is ready. */
static void
send_range(struct event_base *base, struct np_sink *s, struct owner *o, int64_t first, int n)
{
	int failed = o->failed;
	for (int64_t tag = first; tag < first + n; tag++) {
		for (int i = 0; i < 3000 && !np_sink_ready(s) && o->failed == failed; i++)
			run_for(base, 10);
		assert_true(np_sink_ready(s));
		char msg[128], *cause = NULL;
		struct np_alert a = alert(tag, msg, sizeof(msg));
		assert_int_equal(np_sink_send(s, &a, tag, &cause), 0);
		assert_null(cause);
	}
}

static struct np_sink *
sink_new(struct event_base *base, const struct np_alert_cfg *cfg, struct owner *o)
{
	struct np_sink_cb cb = {
	    .delivered = on_delivered, .failed = on_failed, .ready = on_ready, .arg = o};
	char *cause = NULL;
	struct np_sink *s = np_sink_new(base, cfg, &cb, &cause);
	if (s == NULL)
		fail_msg("np_sink_new: %s", cause);
	return s;
}

/* The receiver's lines from the skip-th on are exactly the rendered alerts first.., in order. */
static void
expect_lines(const struct rsyslog *r, struct np_sink *s, int skip, int64_t first, int n)
{
	char *text, *lines[MAXMSG];
	assert_true(rs_lines(r, &text, lines, MAXMSG) >= skip + n);
	for (int i = 0; i < n; i++) {
		char msg[128], want[8192];
		struct np_alert a = alert(first + i, msg, sizeof(msg));
		assert_true(np_sink_render(s, &a, want, sizeof(want), NULL) > 0);
		assert_string_equal(lines[skip + i], want);
	}
	free(text);
}

static void
expect_received(const struct rsyslog *r, struct np_sink *s, int64_t first, int n)
{
	assert_int_equal(rs_count(r), n);
	expect_lines(r, s, 0, first, n);
}

static void
expect_refused(char *host, const char *cert, const char *ca, const char *what)
{
	if (!can_run) {
		print_message("%s\n", cannot);
		skip();
	}
	struct rsyslog r = {0};
	rs_start(&r, cert, "anon", 0);
	struct event_base *base = event_base_new();
	struct owner o = {0};
	struct np_alert_cfg cfg = cfg_for(host, r.port);
	cfg.ca_file = path_of(ca);
	struct np_sink *s = sink_new(base, &cfg, &o);
	send_range(base, s, &o, 1, 1);
	run_until(base, &o.failed, 1);
	assert_int_equal(o.failed, 1);
	assert_int_equal(o.ndelivered, 0);
	char *peer = np_xasprintf("tls://%s:%d: ", host, r.port);
	if (strncmp(o.cause, peer, strlen(peer)) != 0 || strstr(o.cause, what) == NULL)
		fail_msg("cause \"%s\", expected \"%s…%s…\"", o.cause, peer, what);
	print_message("refused: %s\n", o.cause);
	/* The handshake failed: not one byte of the alert went out. */
	assert_int_equal(rs_count(&r), 0);
	/* A failure is not a dead end: the sink takes the next send (and reconnects). */
	assert_true(np_sink_ready(s));
	free(peer);
	np_sink_free(s);
	event_base_free(base);
	free(cfg.ca_file);
	free(o.cause);
	rs_stop(&r, SIGTERM);
}

static void
test_delivered_exact_text(void **state)
{
	if (!can_run) {
		print_message("%s\n", cannot);
		skip();
	}
	struct rsyslog r = {0};
	rs_start(&r, "srv", "anon", 0);
	struct event_base *base = event_base_new();
	struct owner o = {0};
	struct np_alert_cfg cfg = cfg_for("127.0.0.1", r.port); /* an IP SAN is checked */
	cfg.ca_file = path_of("ca.pem");
	struct np_sink *s = sink_new(base, &cfg, &o);
	char key[64];
	snprintf(key, sizeof(key), "tls://127.0.0.1:%d", r.port);
	assert_string_equal(np_sink_key(s), key);
	send_range(base, s, &o, 1, 20);
	run_until(base, &o.ndelivered, 20);
	assert_int_equal(o.failed, 0);
	assert_int_equal(o.ndelivered, 20);
	for (int i = 0; i < 20; i++)
		assert_int_equal(o.delivered[i], i + 1);
	wait_lines(base, &r, 20);
	expect_received(&r, s, 1, 20);
	np_sink_free(s);
	event_base_free(base);
	free(cfg.ca_file);
	rs_stop(&r, SIGTERM);
}

static void
test_client_certificate(void **state)
{
	if (!can_run) {
		print_message("%s\n", cannot);
		skip();
	}
	struct rsyslog r = {0};
	rs_start(&r, "srv", "x509/certvalid", 0);
	struct event_base *base = event_base_new();
	struct owner o = {0};
	/* By name: SNI and the DNS SAN; localhost may be ::1 first (refused): the next address. */
	struct np_alert_cfg cfg = cfg_for("localhost", r.port);
	cfg.ca_file = path_of("ca.pem");
	cfg.cert_file = path_of("cli.pem");
	cfg.key_file = path_of("cli.key");
	struct np_sink *s = sink_new(base, &cfg, &o);
	send_range(base, s, &o, 1, 3);
	run_until(base, &o.ndelivered, 3);
	assert_int_equal(o.failed, 0);
	assert_int_equal(o.ndelivered, 3);
	wait_lines(base, &r, 3);
	expect_received(&r, s, 1, 3);
	np_sink_free(s);

	/* Without one the receiver hangs up: failed, nothing delivered, nothing received. */
	struct owner o2 = {0};
	free(cfg.cert_file);
	free(cfg.key_file);
	cfg.cert_file = cfg.key_file = NULL;
	cfg.confirm_after_ms = 5000;
	s = sink_new(base, &cfg, &o2);
	send_range(base, s, &o2, 4, 1);
	run_until(base, &o2.failed, 1);
	assert_int_equal(o2.failed, 1);
	assert_int_equal(o2.ndelivered, 0);
	print_message("no client certificate: %s\n", o2.cause);
	assert_non_null(strstr(o2.cause, "tls://localhost:"));
	assert_non_null(strstr(o2.cause, "asked for a client certificate"));
	assert_int_equal(rs_count(&r), 3);
	np_sink_free(s);
	event_base_free(base);
	free(cfg.ca_file);
	free(o2.cause);
	rs_stop(&r, SIGTERM);
}

static void
test_hostname_mismatch(void **state)
{
	expect_refused("localhost", "wrong", "ca.pem",
	               "certificate verify failed: hostname mismatch");
}

static void
test_ip_mismatch(void **state)
{
	expect_refused("127.0.0.1", "wrong", "ca.pem",
	               "certificate verify failed: IP address mismatch");
}

static void
test_wrong_ca(void **state)
{
	expect_refused("127.0.0.1", "srv", "ca2.pem",
	               "certificate verify failed: unable to get local issuer certificate");
}

static void
test_self_signed(void **state)
{
	expect_refused("127.0.0.1", "self", "ca.pem",
	               "certificate verify failed: self-signed certificate");
}

static void
test_insecure_delivers(void **state)
{
	if (!can_run) {
		print_message("%s\n", cannot);
		skip();
	}
	struct rsyslog r = {0};
	rs_start(&r, "wrong", "anon", 0); /* wrong name */
	struct event_base *base = event_base_new();
	struct owner o = {0};
	struct np_alert_cfg cfg = cfg_for("127.0.0.1", r.port);
	cfg.ca_file = path_of("ca2.pem"); /* and the wrong CA */
	cfg.insecure = true;
	struct np_sink *s = sink_new(base, &cfg, &o);
	send_range(base, s, &o, 1, 2);
	run_until(base, &o.ndelivered, 2);
	assert_int_equal(o.failed, 0);
	assert_int_equal(o.ndelivered, 2);
	wait_lines(base, &r, 2);
	expect_received(&r, s, 1, 2);
	np_sink_free(s);
	event_base_free(base);
	free(cfg.ca_file);
	rs_stop(&r, SIGTERM);
}

/*
 * SIGSTOP: the receiver's kernel still takes the bytes (the send queue drains), so only the
 * grace stands between them and "delivered". SIGKILL within it: the connection is reset, the
 * owner hears failed and nothing delivered; after a restart the re-sent alerts arrive.
 */
static void
test_hung_then_killed_resent(void **state)
{
	if (!can_run) {
		print_message("%s\n", cannot);
		skip();
	}
	struct rsyslog r = {0};
	rs_start(&r, "srv", "anon", 0);
	struct event_base *base = event_base_new();
	struct owner o = {0};
	struct np_alert_cfg cfg = cfg_for("127.0.0.1", r.port);
	cfg.ca_file = path_of("ca.pem");
	cfg.confirm_after_ms = 60000;
	struct np_sink *s = sink_new(base, &cfg, &o);
	/* Connected and one alert through first (the handshake needs a living receiver). */
	send_range(base, s, &o, 1, 1);
	wait_lines(base, &r, 1);
	rs_stop(&r, SIGSTOP);
	send_range(base, s, &o, 2, 5);
	run_for(base, 500); /* the confirmation polls run; the grace is far away */
	assert_int_equal(o.ndelivered, 0);
	assert_int_equal(o.failed, 0);
	rs_stop(&r, SIGKILL);
	run_until(base, &o.failed, 1);
	assert_int_equal(o.failed, 1);
	assert_int_equal(o.ndelivered, 0);
	print_message("killed: %s\n", o.cause);
	assert_null(strstr(o.cause, "client certificate")); /* it was asked for, not needed */
	char *peer = np_xasprintf("tls://127.0.0.1:%d: ", r.port);
	assert_memory_equal(o.cause, peer, strlen(peer));
	free(peer);
	assert_int_equal(rs_count(&r), 1); /* 2..6 died in its socket buffer */

	/* The owner sends everything again (1..6) once the receiver is back. */
	rs_start(&r, "srv", "anon", r.port);
	send_range(base, s, &o, 1, 6);
	wait_lines(base, &r, 7);
	/* 1 twice (a duplicate by id: it was not confirmed yet), then 1..6 in order. */
	expect_lines(&r, s, 0, 1, 1);
	expect_lines(&r, s, 1, 1, 6);
	np_sink_free(s);
	event_base_free(base);
	free(cfg.ca_file);
	free(o.cause);
	rs_stop(&r, SIGTERM);
}

/* A receiver restart while nothing is in flight is no failure: the next send reconnects. */
static void
test_idle_close_reconnects(void **state)
{
	if (!can_run) {
		print_message("%s\n", cannot);
		skip();
	}
	struct rsyslog r = {0};
	rs_start(&r, "srv", "anon", 0);
	struct event_base *base = event_base_new();
	struct owner o = {0};
	struct np_alert_cfg cfg = cfg_for("127.0.0.1", r.port);
	cfg.ca_file = path_of("ca.pem");
	struct np_sink *s = sink_new(base, &cfg, &o);
	send_range(base, s, &o, 1, 1);
	run_until(base, &o.ndelivered, 1);
	assert_int_equal(o.ndelivered, 1);
	rs_stop(&r, SIGTERM);
	run_for(base, 300);
	assert_int_equal(o.failed, 0);
	rs_start(&r, "srv", "anon", r.port);
	send_range(base, s, &o, 2, 1);
	run_until(base, &o.ndelivered, 2);
	assert_int_equal(o.failed, 0);
	assert_int_equal(o.ndelivered, 2);
	assert_int_equal(o.delivered[1], 2);
	wait_lines(base, &r, 2);
	expect_received(&r, s, 1, 2);
	np_sink_free(s);
	event_base_free(base);
	free(cfg.ca_file);
	rs_stop(&r, SIGTERM);
}

/* Puts a copy of FROM in place of TO (a new file, as a renewal tool writes it). */
static void
replace_file(const char *from, const char *to)
{
	assert_int_equal(sh("cd %s && cp %s %s.new && mv %s.new %s", dir, from, to, to, to), 0);
}

/*
 * Client certificate files replaced on disk are taken at the next connection: the receiver
 * refuses a certificate it does not trust, a replacement key that does not match fails with
 * that cause, and the right pair is delivered, all without a new sink.
 */
static void
test_rotated_files_taken_at_reconnect(void **state)
{
	if (!can_run) {
		print_message("%s\n", cannot);
		skip();
	}
	struct rsyslog r = {0};
	rs_start(&r, "srv", "x509/certvalid", 0);
	replace_file("self.pem", "rot.pem"); /* not from the receiver's CA */
	replace_file("self.key", "rot.key");
	struct event_base *base = event_base_new();
	struct owner o = {0};
	struct np_alert_cfg cfg = cfg_for("127.0.0.1", r.port);
	cfg.ca_file = path_of("ca.pem");
	cfg.cert_file = path_of("rot.pem");
	cfg.key_file = path_of("rot.key");
	cfg.confirm_after_ms = 5000;
	struct np_sink *s = sink_new(base, &cfg, &o);
	send_range(base, s, &o, 1, 1);
	run_until(base, &o.failed, 1);
	assert_int_equal(o.failed, 1);
	assert_int_equal(o.ndelivered, 0);
	print_message("untrusted client certificate: %s\n", o.cause);

	replace_file("cli.pem", "rot.pem");
	replace_file("srv.key", "rot.key"); /* half-renewed: the key is not the certificate's */
	send_range(base, s, &o, 1, 1);
	run_until(base, &o.failed, 2);
	assert_int_equal(o.failed, 2);
	if (strstr(o.cause, "does not match") == NULL)
		fail_msg("cause \"%s\", expected \"…does not match…\"", o.cause);
	print_message("half-renewed: %s\n", o.cause);

	replace_file("cli.key", "rot.key");
	s->confirm_after_ms = 200; /* (the sink's copy of confirm_after) */
	send_range(base, s, &o, 1, 2);
	run_until(base, &o.ndelivered, 2);
	assert_int_equal(o.failed, 2);
	assert_int_equal(o.ndelivered, 2);
	wait_lines(base, &r, 2);
	expect_received(&r, s, 1, 2);
	np_sink_free(s);
	event_base_free(base);
	free(cfg.ca_file);
	free(cfg.cert_file);
	free(cfg.key_file);
	free(o.cause);
	rs_stop(&r, SIGTERM);
}

/* A peer that takes the connection and never answers the ClientHello: a timeout. */
static void
test_handshake_timeout(void **state)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fd, 4), 0);
	socklen_t len = sizeof(sin);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	struct event_base *base = event_base_new();
	struct owner o = {0};
	struct np_alert_cfg cfg = cfg_for("127.0.0.1", ntohs(sin.sin_port));
	cfg.insecure = true;
	cfg.timeout_ms = 300;
	struct np_sink *s = sink_new(base, &cfg, &o);
	send_range(base, s, &o, 1, 1);
	run_until(base, &o.failed, 1);
	assert_int_equal(o.failed, 1);
	assert_int_equal(o.ndelivered, 0);
	assert_non_null(strstr(o.cause, "TLS handshake timed out after 300 ms"));
	np_sink_free(s);
	event_base_free(base);
	free(o.cause);
	close(fd);
}

static void
expect_cfg_error(struct np_alert_cfg *cfg, const char *what)
{
	struct event_base *base = event_base_new();
	char *cause = NULL;
	struct np_sink_cb cb = {0};
	assert_null(np_sink_new(base, cfg, &cb, &cause));
	assert_non_null(cause);
	if (strstr(cause, what) == NULL)
		fail_msg("cause \"%s\", expected \"…%s…\"", cause, what);
	free(cause);
	event_base_free(base);
}

static void
test_bad_files(void **state)
{
	if (!can_run) {
		print_message("%s\n", cannot);
		skip();
	} /* needs the certificates */
	struct np_alert_cfg cfg = cfg_for("127.0.0.1", 6514);
	cfg.ca_file = (char *)"/nonexistent/ca.pem";
	expect_cfg_error(&cfg, "ca_file /nonexistent/ca.pem: ");
	cfg.ca_file = path_of("ca.pem");
	cfg.cert_file = path_of("cli.pem");
	expect_cfg_error(&cfg, "needs both cert_file and key_file");
	cfg.key_file = path_of("srv.key");
	expect_cfg_error(&cfg, "does not match");
	free(cfg.key_file);
	cfg.key_file = path_of("nonexistent.key");
	expect_cfg_error(&cfg, "key_file ");
	free(cfg.key_file);
	cfg.key_file = path_of("enc.key");
	expect_cfg_error(&cfg, "is encrypted");
	free(cfg.ca_file);
	free(cfg.cert_file);
	free(cfg.key_file);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_delivered_exact_text),
	    cmocka_unit_test(test_client_certificate),
	    cmocka_unit_test(test_hostname_mismatch),
	    cmocka_unit_test(test_ip_mismatch),
	    cmocka_unit_test(test_wrong_ca),
	    cmocka_unit_test(test_self_signed),
	    cmocka_unit_test(test_insecure_delivers),
	    cmocka_unit_test(test_hung_then_killed_resent),
	    cmocka_unit_test(test_idle_close_reconnects),
	    cmocka_unit_test(test_rotated_files_taken_at_reconnect),
	    cmocka_unit_test(test_handshake_timeout),
	    cmocka_unit_test(test_bad_files),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
