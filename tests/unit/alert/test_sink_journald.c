/*
 * The journald sink against a datagram socket standing in for journald (issue #10): the
 * native protocol's fields, the length-prefixed form of a value with a newline, a missing
 * journal as a failed send, and an entry too large for one datagram passed as a sealed memfd.
 * The stderr sink: one RFC 5424 line per alert on fd 2; /dev/null there is a failed send.
 */
#include <event2/event.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "testutil.h"

#include "alert/alert.h"
#include "alert/journal.h"
#include "alert/sink.h"
#include "util/xmalloc.h"

#define T0 1796112000LL /* 2026-12-01T08:00:00Z */

struct result {
	int delivered, failed;
	char *cause;
};

static void
cb_delivered(void *arg, int64_t tag)
{
	struct result *r = arg;
	assert_true(tag > 0);
	r->delivered++;
}

static void
cb_failed(void *arg, const char *cause)
{
	struct result *r = arg;
	r->failed++;
	free(r->cause);
	r->cause = strdup(cause);
}

/* Sends a and runs the loop until the sink reported (reports always come from the loop). */
static void
send_one(struct event_base *base, struct np_sink *s, const struct np_alert *a, struct result *r)
{
	int before = r->delivered + r->failed;
	static int64_t tag;
	char *why = NULL;
	assert_int_equal(np_sink_send(s, a, ++tag, &why), 0);
	while (r->delivered + r->failed == before)
		event_base_loop(base, EVLOOP_ONCE);
}

static struct np_alert
alert(void)
{
	struct np_alert a = {
	    .id = 42,
	    .time_ms = T0 * 1000 + 250,
	    .msgid = "IFDOWN",
	    .severity = LOG_ERR,
	    .device = "sw1",
	    .interface = "eth0",
	    .state = "down",
	    .previous = "up",
	    .source = "fc-east",
	    .since_s = T0,
	    .outage_seconds = -1,
	    .message = "interface eth0 on sw1 is DOWN (seen by fc-east)",
	};
	return a;
}

/* One field of a native-protocol entry, parsed independently of the sink. */
struct jfield {
	char name[64];
	char *value;
	size_t len;
	bool binary; /* sent in the length-prefixed form */
};

/* Parses buf into f (at most max); the number of fields, or -1 if malformed. */
static int
jparse(const char *buf, size_t len, struct jfield *f, int max)
{
	size_t i = 0;
	int n = 0;
	while (i < len) {
		if (n == max)
			return -1;
		size_t k = i;
		while (k < len && buf[k] != '=' && buf[k] != '\n')
			k++;
		if (k == len || k - i == 0 || k - i >= sizeof(f[n].name))
			return -1;
		memcpy(f[n].name, buf + i, k - i);
		f[n].name[k - i] = '\0';
		if (buf[k] == '=') {
			const char *nl = memchr(buf + k + 1, '\n', len - k - 1);
			if (nl == NULL)
				return -1;
			f[n].len = (size_t)(nl - (buf + k + 1));
			f[n].value = np_xstrndup(buf + k + 1, f[n].len);
			f[n].binary = false;
			i = (size_t)(nl - buf) + 1;
		} else {
			if (len - k - 1 < 8)
				return -1;
			uint64_t vl = 0;
			for (int b = 7; b >= 0; b--)
				vl = vl << 8 | (unsigned char)buf[k + 1 + b];
			size_t at = k + 9;
			if (vl > len - at || len - at - vl < 1 || buf[at + vl] != '\n')
				return -1;
			f[n].len = (size_t)vl;
			f[n].value = np_xstrndup(buf + at, f[n].len);
			f[n].binary = true;
			i = at + vl + 1;
		}
		n++;
	}
	return n;
}

static void
jfree(struct jfield *f, int n)
{
	for (int i = 0; i < n; i++)
		free(f[i].value);
}

static const struct jfield *
jget(const struct jfield *f, int n, const char *name)
{
	const struct jfield *found = NULL;
	for (int i = 0; i < n; i++)
		if (strcmp(f[i].name, name) == 0) {
			assert_null(found); /* each field once */
			found = &f[i];
		}
	return found;
}

static void
assert_field(const struct jfield *f, int n, const char *name, const char *value)
{
	const struct jfield *x = jget(f, n, name);
	if (x == NULL)
		fail_msg("field %s missing", name);
	assert_string_equal(x->value, value);
	assert_int_equal(x->len, strlen(value));
}

static int
bind_unix(const char *path)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	assert_true(strlen(path) < sizeof(sun.sun_path));
	strcpy(sun.sun_path, path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

/* One datagram: its bytes (malloc'd), and a descriptor passed with it in *passed (or -1). */
static char *
recv_entry(int fd, size_t *len, int *passed)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	assert_int_equal(poll(&p, 1, 20000), 1);
	size_t cap = 1 << 20;
	char *buf = np_xmalloc(cap);
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = {.iov_base = buf, .iov_len = cap};
	struct msghdr mh = {.msg_iov = &iov,
	                    .msg_iovlen = 1,
	                    .msg_control = ctl.b,
	                    .msg_controllen = sizeof(ctl.b)};
	ssize_t r = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	assert_true(r >= 0);
	*len = (size_t)r;
	*passed = -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(passed, CMSG_DATA(c), sizeof(int));
	return buf;
}

static struct np_alert_cfg
journald_cfg(char *path)
{
	struct np_alert_cfg c = {.type = NP_SINK_JOURNALD,
	                         .proto = NP_SYSLOG_LOCAL,
	                         .facility = LOG_LOCAL3,
	                         .socket = path};
	return c;
}

static void
test_journald_fields(void **state)
{
	char *dir = np_test_tmpdir();
	char *path = np_xasprintf("%s/journal.sock", dir);
	struct event_base *base = event_base_new();
	struct result r = {0};
	struct np_sink_cb cb = {cb_delivered, cb_failed, NULL, &r};
	struct np_alert_cfg c = journald_cfg(path);
	char *cause = NULL;
	struct np_sink *s = np_sink_new(base, &c, &cb, &cause);
	assert_non_null(s);
	char *key = np_xasprintf("journald:%s", path);
	assert_string_equal(np_sink_key(s), key);

	/* No journal yet: a failed send (the row stays in the outbox), not a delivered one. */
	struct np_alert a = alert();
	send_one(base, s, &a, &r);
	assert_int_equal(r.failed, 1);
	assert_int_equal(r.delivered, 0);
	char *want = np_xasprintf("%s: No such file or directory", path);
	assert_string_equal(r.cause, want);
	free(want);

	int fd = bind_unix(path);
	send_one(base, s, &a, &r);
	assert_int_equal(r.delivered, 1);
	size_t len;
	int passed;
	char *buf = recv_entry(fd, &len, &passed);
	assert_int_equal(passed, -1);
	struct jfield f[32];
	int n = jparse(buf, len, f, 32);
	assert_int_equal(n, 13);
	assert_field(f, n, "MESSAGE", "interface eth0 on sw1 is DOWN (seen by fc-east)");
	assert_field(f, n, "PRIORITY", "3");
	assert_field(f, n, "SYSLOG_FACILITY", "19");
	assert_field(f, n, "SYSLOG_IDENTIFIER", "netpulse");
	assert_field(f, n, "NETPULSE_MSGID", "IFDOWN");
	assert_field(f, n, "NETPULSE_ALERT_ID", "42");
	assert_field(f, n, "NETPULSE_DEVICE", "sw1");
	assert_field(f, n, "NETPULSE_INTERFACE", "eth0");
	assert_field(f, n, "NETPULSE_STATE", "down");
	assert_field(f, n, "NETPULSE_PREVIOUS", "up");
	assert_field(f, n, "NETPULSE_SOURCE", "fc-east");
	assert_field(f, n, "NETPULSE_SINCE", "2026-12-01T08:00:00Z");
	assert_field(f, n, "NETPULSE_TIME", "2026-12-01T08:00:00.250000Z");
	assert_null(jget(f, n, "NETPULSE_OUTAGE_SECONDS"));
	assert_null(jget(f, n, "NETPULSE_DETAILS"));
	for (int i = 0; i < n; i++)
		assert_false(f[i].binary);
	jfree(f, n);
	free(buf);

	/* Values with newlines (names come from outside) go length-prefixed, byte for byte. */
	a.device = "sw\n1";
	a.message = "two\nlines";
	a.outage_seconds = 42;
	a.details = "[{\"device\":\"sw1\"}]";
	a.severity = LOG_NOTICE;
	send_one(base, s, &a, &r);
	assert_int_equal(r.delivered, 2);
	buf = recv_entry(fd, &len, &passed);
	static const char dev[] = "NETPULSE_DEVICE\n\x04\0\0\0\0\0\0\0sw\n1\n";
	assert_non_null(memmem(buf, len, dev, sizeof(dev) - 1));
	n = jparse(buf, len, f, 32);
	assert_int_equal(n, 15);
	assert_field(f, n, "NETPULSE_DEVICE", "sw\n1");
	assert_true(jget(f, n, "NETPULSE_DEVICE")->binary);
	assert_field(f, n, "MESSAGE", "two\nlines");
	assert_true(jget(f, n, "MESSAGE")->binary);
	assert_field(f, n, "PRIORITY", "5");
	assert_field(f, n, "NETPULSE_OUTAGE_SECONDS", "42");
	assert_field(f, n, "NETPULSE_DETAILS", "[{\"device\":\"sw1\"}]");
	assert_false(jget(f, n, "NETPULSE_DETAILS")->binary);
	jfree(f, n);
	free(buf);

	np_sink_free(s);
	close(fd);
	unlink(path);
	rmdir(dir);
	free(r.cause);
	free(key);
	free(path);
	free(dir);
	event_base_free(base);
}

/* An entry larger than a datagram may be (EMSGSIZE) goes in a sealed memfd, as journald takes. */
static void
test_journald_memfd(void **state)
{
	char *dir = np_test_tmpdir();
	char *path = np_xasprintf("%s/journal.sock", dir);
	int fd = bind_unix(path);
	int sndbuf = 0;
	socklen_t sl = sizeof(sndbuf);
	int probe = socket(AF_UNIX, SOCK_DGRAM, 0);
	assert_int_equal(getsockopt(probe, SOL_SOCKET, SO_SNDBUF, &sndbuf, &sl), 0);
	close(probe);
	struct event_base *base = event_base_new();
	struct result r = {0};
	struct np_sink_cb cb = {cb_delivered, cb_failed, NULL, &r};
	struct np_alert_cfg c = journald_cfg(path);
	struct np_sink *s = np_sink_new(base, &c, &cb, NULL);
	assert_non_null(s);

	/* details bigger than the send buffer: one datagram cannot carry the entry. */
	size_t big = (size_t)sndbuf + 65536;
	char *details = np_xmalloc(big + 1);
	memset(details, 'x', big);
	details[0] = '[';
	details[big - 1] = ']';
	details[big] = '\0';
	struct np_alert a = alert();
	a.details = details;
	send_one(base, s, &a, &r);
	assert_int_equal(r.failed, 0);
	assert_int_equal(r.delivered, 1);
	size_t len;
	int passed;
	char *buf = recv_entry(fd, &len, &passed);
	assert_int_equal(len, 0); /* the datagram itself is empty */
	assert_true(passed >= 0);
	int seals = fcntl(passed, F_GET_SEALS);
	assert_int_equal(seals & (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL),
	                 F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
	off_t size = lseek(passed, 0, SEEK_END);
	assert_true(size > (off_t)big);
	char *entry = np_xmalloc((size_t)size);
	assert_int_equal(pread(passed, entry, (size_t)size, 0), size);
	struct jfield f[32];
	int n = jparse(entry, (size_t)size, f, 32);
	assert_int_equal(n, 14);
	assert_field(f, n, "NETPULSE_DETAILS", details);
	assert_field(f, n, "NETPULSE_MSGID", "IFDOWN");
	jfree(f, n);
	free(entry);
	close(passed);
	free(buf);
	free(details);
	np_sink_free(s);
	close(fd);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
	event_base_free(base);
}

/* Without socket: the journal's own socket, and the plain key. */
static void
test_journald_default_key(void **state)
{
	struct np_alert_cfg c = journald_cfg(NULL);
	char *k = np_sink_cfg_key(&c);
	assert_string_equal(k, "journald");
	free(k);
	c.socket = (char *)"/run/systemd/journal/socket";
	k = np_sink_cfg_key(&c);
	assert_string_equal(k, "journald");
	free(k);
	k = np_sink_key_canonical("journald:/tmp/j.sock");
	assert_string_equal(k, "journald:/tmp/j.sock");
	free(k);
	struct np_alert_cfg e = {.type = NP_SINK_STDERR, .proto = NP_SYSLOG_LOCAL};
	k = np_sink_cfg_key(&e);
	assert_string_equal(k, "stderr");
	free(k);
	k = np_sink_key_canonical("stderr");
	assert_string_equal(k, "stderr");
	free(k);
}

static void
test_stderr_lines(void **state)
{
	int saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	int p[2];
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(dup2(p[1], STDERR_FILENO), STDERR_FILENO);
	close(p[1]);

	struct event_base *base = event_base_new();
	struct result r = {0};
	struct np_sink_cb cb = {cb_delivered, cb_failed, NULL, &r};
	struct np_alert_cfg c = {.type = NP_SINK_STDERR,
	                         .proto = NP_SYSLOG_LOCAL,
	                         .facility = LOG_DAEMON,
	                         .hostname = (char *)"testhost"};
	struct np_sink *s = np_sink_new(base, &c, &cb, NULL);
	assert_non_null(s);
	assert_string_equal(np_sink_key(s), "stderr");
	struct np_alert a = alert();
	send_one(base, s, &a, &r);
	assert_int_equal(r.delivered, 1);
	char got[8192];
	ssize_t n = read(p[0], got, sizeof(got) - 1);
	assert_true(n > 0);
	got[n] = '\0';
	close(p[0]);
	char *want = np_xasprintf(
	    "<27>1 2026-12-01T08:00:00.250000Z testhost netpulse %ld IFDOWN [netpulse@32473 "
	    "id=\"42\" device=\"sw1\" interface=\"eth0\" state=\"down\" previous=\"up\" "
	    "since=\"2026-12-01T08:00:00Z\" source=\"fc-east\"] interface eth0 on sw1 is DOWN "
	    "(seen by fc-east)\n",
	    (long)getpid());
	assert_string_equal(got, want);
	free(want);

	/* A detached daemon's stderr is /dev/null: not delivered. */
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	assert_true(null >= 0);
	assert_int_equal(dup2(null, STDERR_FILENO), STDERR_FILENO);
	close(null);
	send_one(base, s, &a, &r);
	assert_int_equal(r.failed, 1);
	assert_string_equal(r.cause, "stderr is /dev/null (a detached daemon has no stderr)");

	/* A reader that went away (EPIPE; the daemon ignores SIGPIPE): not delivered. */
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(dup2(p[1], STDERR_FILENO), STDERR_FILENO);
	close(p[1]);
	close(p[0]);
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	send_one(base, s, &a, &r);
	signal(SIGPIPE, old);
	assert_int_equal(r.failed, 2);
	assert_string_equal(r.cause, "writing to stderr: Broken pipe");

	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	np_sink_free(s);
	free(r.cause);
	event_base_free(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_journald_fields),
	    cmocka_unit_test(test_journald_memfd),
	    cmocka_unit_test(test_journald_default_key),
	    cmocka_unit_test(test_stderr_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
