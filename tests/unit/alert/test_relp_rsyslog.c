/*
 * The RELP sink against a real rsyslogd with imrelp (Debian's rsyslog-relp) on 127.0.0.1,
 * started by the test on a free port: N alerts delivered exactly once each (the delivered
 * callbacks and rsyslogd's output file agree); the receiver ends an idle session (SIGTERM):
 * no failure, the next send reconnects to the restarted receiver; the receiver hung (SIGSTOP):
 * no delivered callback; killed (-9) while hung: failed; restarted: the resent alerts arrive,
 * and every alert id is in the output exactly once. Skips (77) without rsyslogd or imrelp.
 */
#include <dirent.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "testutil.h"

#include "alert/alert.h"
#include "alert/sink.h"
#include "util/xmalloc.h"

#define T0 1796112000LL /* 2026-12-01T08:00:00Z */
#define N_FIRST 300     /* over two windows of 128 */
#define N_HUNG 5

struct events {
	int64_t *delivered;
	int ndelivered;
	int nfailed;
	char *cause;
};

static void
cb_delivered(void *arg, int64_t tag)
{
	struct events *e = arg;
	e->delivered[e->ndelivered++] = tag;
}

static void
cb_failed(void *arg, const char *cause)
{
	struct events *e = arg;
	e->nfailed++;
	free(e->cause);
	e->cause = np_xstrdup(cause);
}

struct rsyslog {
	char *dir, *conf, *out;
	char port[16];
	pid_t pid;
};

static const char *
find_imrelp(void)
{
	static const char *const paths[] = {
	    "/usr/lib/x86_64-linux-gnu/rsyslog/imrelp.so",
	    "/usr/lib/aarch64-linux-gnu/rsyslog/imrelp.so",
	    "/usr/lib/rsyslog/imrelp.so",
	    "/usr/lib64/rsyslog/imrelp.so",
	};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (access(paths[i], R_OK) == 0)
			return paths[i];
	return NULL;
}

static const char *
find_rsyslogd(void)
{
	static const char *const paths[] = {"/usr/sbin/rsyslogd", "/sbin/rsyslogd"};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	return NULL;
}

/* A port nothing listens on now (the kernel's pick; rsyslogd binds it right after). */
static void
free_port(char *buf, size_t size)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	socklen_t sl = sizeof(sin);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	snprintf(buf, size, "%u", ntohs(sin.sin_port));
	close(fd);
}

static bool
listening(const char *port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sin = {.sin_family = AF_INET,
	                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	                          .sin_port = htons((uint16_t)atoi(port))};
	bool ok = connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
	close(fd);
	return ok;
}

static void
rsyslog_start(struct rsyslog *r)
{
	char *log = np_xasprintf("%s/rsyslogd.log", r->dir);
	char *pidf = np_xasprintf("%s/rsyslogd.pid", r->dir);
	unlink(pidf);
	r->pid = fork();
	assert_true(r->pid >= 0);
	if (r->pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl(find_rsyslogd(), "rsyslogd", "-n", "-f", r->conf, "-i", pidf, (char *)NULL);
		_exit(127);
	}
	/* Listening means the input is up; a probe's empty session is harmless to rsyslogd. */
	for (int i = 0; i < 1000 && !listening(r->port); i++) {
		int st;
		if (waitpid(r->pid, &st, WNOHANG) == r->pid)
			fail_msg("rsyslogd exited at start (see %s)", log);
		usleep(10000);
	}
	if (!listening(r->port))
		fail_msg("rsyslogd does not listen on %s (see %s)", r->port, log);
	free(log);
	free(pidf);
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
rsyslog_stop(struct rsyslog *r, int sig)
{
	if (r->pid <= 0)
		return;
	kill(r->pid, sig);
	if (sig == SIGSTOP) {
		for (int i = 0; i < 2000 && !all_stopped(r->pid); i++)
			usleep(1000);
		assert_true(all_stopped(r->pid));
	}
	if (sig == SIGKILL || sig == SIGTERM) {
		int st;
		waitpid(r->pid, &st, 0);
		r->pid = 0;
	}
}

/* How many lines of the output have id="id"; also the total of lines. */
static int
count_id(const struct rsyslog *r, int64_t id, int *lines)
{
	FILE *f = fopen(r->out, "r");
	if (f == NULL)
		return 0;
	char want[64];
	snprintf(want, sizeof(want), "[netpulse@32473 id=\"%lld\" ", (long long)id);
	char line[4096];
	int n = 0, total = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		total++;
		if (strstr(line, want) != NULL)
			n++;
	}
	fclose(f);
	if (lines != NULL)
		*lines = total;
	return n;
}

static int
out_lines(const struct rsyslog *r)
{
	int lines = 0;
	(void)count_id(r, -1, &lines);
	return lines;
}

struct world {
	struct event_base *base;
	struct np_sink *sink;
	struct events ev;
	struct np_alert_cfg cfg;
	struct rsyslog rs;
};

#define RUN_UNTIL(w, cond)                                                                         \
	do {                                                                                       \
		int spins_ = 0;                                                                    \
		while (!(cond)) {                                                                  \
			event_base_loop((w)->base, EVLOOP_NONBLOCK);                               \
			if (cond)                                                                  \
				break;                                                             \
			usleep(1000);                                                              \
			if (++spins_ > 30000)                                                      \
				fail_msg("timed out waiting for %s", #cond);                       \
		}                                                                                  \
	} while (0)

/* Turns the loop for about ms milliseconds (to see that nothing happens). */
static void
run_for(struct world *w, int ms)
{
	for (int i = 0; i < ms; i++) {
		event_base_loop(w->base, EVLOOP_NONBLOCK);
		usleep(1000);
	}
}

static void
send_alert(struct world *w, int64_t id)
{
	char msg[64];
	snprintf(msg, sizeof(msg), "relp test alert %lld", (long long)id);
	struct np_alert a = {
	    .id = id,
	    .time_ms = T0 * 1000 + id,
	    .msgid = "IFDOWN",
	    .severity = LOG_ERR,
	    .device = "172.16.16.2",
	    .interface = "eth0",
	    .state = "down",
	    .previous = "up",
	    .source = "fc-east",
	    .since_s = T0,
	    .outage_seconds = -1,
	    .message = msg,
	};
	char *cause = NULL;
	if (np_sink_send(w->sink, &a, id, &cause) != 0)
		fail_msg("send %lld: %s", (long long)id, cause);
}

/* Sends ids [from, to] as fast as the window lets them go. */
static void
send_range(struct world *w, int64_t from, int64_t to)
{
	for (int64_t id = from; id <= to; id++) {
		RUN_UNTIL(w, np_sink_ready(w->sink));
		send_alert(w, id);
	}
}

static void
test_rsyslog(void **state)
{
	if (find_rsyslogd() == NULL || find_imrelp() == NULL) {
		fprintf(stderr, "no rsyslogd with imrelp here\n");
		skip();
	}
	signal(SIGPIPE, SIG_IGN);
	struct world w;
	memset(&w, 0, sizeof(w));
	w.ev.delivered = np_xcalloc(N_FIRST + N_HUNG + 16, sizeof(int64_t));
	w.rs.dir = np_test_tmpdir();
	w.rs.conf = np_xasprintf("%s/rsyslog.conf", w.rs.dir);
	w.rs.out = np_xasprintf("%s/out.log", w.rs.dir);
	free_port(w.rs.port, sizeof(w.rs.port));
	FILE *f = fopen(w.rs.conf, "w");
	assert_non_null(f);
	fprintf(
	    f,
	    "global(workDirectory=\"%s\" maxMessageSize=\"64k\")\n"
	    "module(load=\"imrelp\")\n"
	    "template(name=\"Line\" type=\"string\" string=\"%%structured-data%% %%msg%%\\n\")\n"
	    "ruleset(name=\"r\") { action(type=\"omfile\" file=\"%s\" template=\"Line\") }\n"
	    "input(type=\"imrelp\" address=\"127.0.0.1\" port=\"%s\" ruleset=\"r\")\n",
	    w.rs.dir, w.rs.out, w.rs.port);
	fclose(f);
	rsyslog_start(&w.rs);

	w.base = event_base_new();
	w.cfg = (struct np_alert_cfg){
	    .type = NP_SINK_SYSLOG,
	    .proto = NP_SYSLOG_RELP,
	    .host = (char *)"127.0.0.1",
	    .port = w.rs.port,
	    .facility = LOG_DAEMON,
	    .format = (char *)"rfc5424",
	    .enterprise = 32473,
	    .hostname = (char *)"testhost",
	    .timeout_ms = 30000, /* the failure below must come from the kill, not a timeout */
	    .window = 128,
	};
	struct np_sink_cb cb = {cb_delivered, cb_failed, NULL, &w.ev};
	char *cause = NULL;
	w.sink = np_sink_new(w.base, &w.cfg, &cb, &cause);
	if (w.sink == NULL)
		fail_msg("np_sink_new: %s", cause);

	/* 1. N alerts: each delivered once, in order; rsyslogd wrote each once. */
	send_range(&w, 1, N_FIRST);
	RUN_UNTIL(&w, w.ev.ndelivered == N_FIRST || w.ev.nfailed > 0);
	if (w.ev.nfailed > 0)
		fail_msg("failed: %s", w.ev.cause);
	for (int i = 0; i < N_FIRST; i++)
		assert_int_equal(w.ev.delivered[i], i + 1);
	/* imrelp acknowledges once the message is queued; the file follows shortly. */
	RUN_UNTIL(&w, out_lines(&w.rs) >= N_FIRST);
	for (int64_t id = 1; id <= N_FIRST; id++)
		if (count_id(&w.rs, id, NULL) != 1)
			fail_msg("alert %lld is in rsyslogd's output %d times", (long long)id,
			         count_id(&w.rs, id, NULL));

	/* 2. The receiver ends the idle session (restart): no failure; the next send reconnects. */
	rsyslog_stop(&w.rs, SIGTERM);
	run_for(&w, 200);
	assert_int_equal(w.ev.nfailed, 0);
	rsyslog_start(&w.rs);
	send_range(&w, N_FIRST + 1, N_FIRST + 1);
	RUN_UNTIL(&w, w.ev.ndelivered == N_FIRST + 1 || w.ev.nfailed > 0);
	if (w.ev.nfailed > 0)
		fail_msg("failed after the receiver's restart: %s", w.ev.cause);
	assert_int_equal(w.ev.delivered[N_FIRST], N_FIRST + 1);

	/* 3. Hung receiver: alerts go out, nothing is acknowledged, nothing delivered. */
	rsyslog_stop(&w.rs, SIGSTOP);
	int64_t h0 = N_FIRST + 2, h1 = N_FIRST + 1 + N_HUNG;
	send_range(&w, h0, h1);
	run_for(&w, 1000);
	assert_int_equal(w.ev.ndelivered, N_FIRST + 1);
	assert_int_equal(w.ev.nfailed, 0);

	/* 4. Killed while hung: failed (connection reset), still nothing delivered. */
	rsyslog_stop(&w.rs, SIGKILL);
	RUN_UNTIL(&w, w.ev.nfailed == 1);
	if (strstr(w.ev.cause, "relp://127.0.0.1:") == NULL)
		fail_msg("the cause does not name the peer: %s", w.ev.cause);
	fprintf(stderr, "failed as expected: %s\n", w.ev.cause);
	assert_int_equal(w.ev.ndelivered, N_FIRST + 1);

	/* 5. Restarted: the owner resends the undelivered ones; they arrive, once each. */
	rsyslog_start(&w.rs);
	send_range(&w, h0, h1);
	RUN_UNTIL(&w, w.ev.ndelivered == N_FIRST + 1 + N_HUNG || w.ev.nfailed > 1);
	if (w.ev.nfailed > 1)
		fail_msg("failed after the restart: %s", w.ev.cause);
	for (int i = 0; i < N_FIRST + 1 + N_HUNG; i++)
		assert_int_equal(w.ev.delivered[i], i + 1);
	RUN_UNTIL(&w, out_lines(&w.rs) >= N_FIRST + 1 + N_HUNG);
	for (int64_t id = 1; id <= h1; id++)
		if (count_id(&w.rs, id, NULL) != 1)
			fail_msg("alert %lld is in rsyslogd's output %d times", (long long)id,
			         count_id(&w.rs, id, NULL));
	assert_int_equal(out_lines(&w.rs), N_FIRST + 1 + N_HUNG);

	np_sink_free(w.sink);
	event_base_free(w.base);
	rsyslog_stop(&w.rs, SIGTERM);
	free(w.ev.delivered);
	free(w.ev.cause);
	free(w.rs.dir);
	free(w.rs.conf);
	free(w.rs.out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rsyslog),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
