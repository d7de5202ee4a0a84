/*
 * np_ssh against a real OpenSSH sshd that this test starts on 127.0.0.1 (own config, own
 * ed25519 host key, key-only auth; TESTING.md §1), plus a peer that accepts and never speaks.
 * Needs root and /usr/sbin/sshd; skipped otherwise. The sshd dies with the test
 * (PR_SET_PDEATHSIG) and is stopped by PID in the group teardown.
 *
 * NP_SSH_LOOP (default 500) and NP_SSH_RECONNECTS (default 20) size the leak loop.
 */
#include "testutil.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io/ssh.h"
#include "util/xmalloc.h"

#define SSHD "/usr/sbin/sshd"

struct env {
	char *dir;
	int port;
	pid_t sshd;
	char *fp;        /* SHA256:... of the sshd host key */
	char *client;    /* authorized private key */
	char *stranger;  /* a key sshd does not know */
	char *kh_good;   /* [127.0.0.1]:port with the right key */
	char *kh_hashed; /* same, hashed (ssh-keygen -H) */
	char *kh_wrong;  /* [127.0.0.1]:port with another ed25519 key */
	char *kh_other;  /* only another host */
	char *kh_bare;   /* "127.0.0.1 key" without the port: not OpenSSH's name for it */
	char *kh_revoked;
	char *small, *fixture, *big, *empty;
	char *log;
};

static struct env E;
static int g_order;

static size_t sshd_children(pid_t *out, size_t max);

static char *
path(const char *name)
{
	return np_xasprintf("%s/%s", E.dir, name);
}

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
sh(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *cmd = np_xvasprintf(fmt, ap);
	va_end(ap);
	int rc = system(cmd);
	if (rc != 0)
		fail_msg("command failed (%d): %s", rc, cmd);
	free(cmd);
}

static char *
slurp_cmd(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	char buf[1024];
	size_t n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = '\0';
	pclose(p);
	return np_xstrdup(buf);
}

static void
write_file(const char *p, const char *data, size_t len)
{
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static int
free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

static bool
port_open(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET,
	                         .sin_port = htons((uint16_t)port),
	                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	bool ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

static size_t
count_in_log(const char *needle)
{
	size_t len, n = 0;
	char *log = np_test_read_file(E.log, &len);
	for (const char *p = log; (p = strstr(p, needle)) != NULL; p++)
		n++;
	free(log);
	return n;
}

/* sshd logs asynchronously from its own processes: poll (bounded) for a count. */
static size_t
wait_log_count(const char *needle, size_t want)
{
	size_t n = 0;
	for (int i = 0; i < 200 && (n = count_in_log(needle)) < want; i++)
		usleep(25000);
	return n;
}

static int
group_setup(void **state)
{
	if (geteuid() != 0 || access(SSHD, X_OK) != 0) {
		print_message("test_ssh: needs root and " SSHD "; skipped\n");
		return 0;
	}
	E.dir = np_test_tmpdir();
	E.port = free_port();
	mkdir("/run/sshd", 0755);
	sh("cd %s && ssh-keygen -q -t ed25519 -N '' -f host -C host && "
	   "ssh-keygen -q -t ed25519 -N '' -f wronghost -C wronghost && "
	   "ssh-keygen -q -t ed25519 -N '' -f client -C client && "
	   "ssh-keygen -q -t ed25519 -N '' -f stranger -C stranger && "
	   "cp client.pub authorized_keys && chmod 600 authorized_keys",
	   E.dir);
	char *cmd = np_xasprintf("ssh-keygen -lf %s/host.pub", E.dir);
	char *fp = slurp_cmd(cmd);
	free(cmd);
	char *sp = strstr(fp, "SHA256:");
	assert_non_null(sp);
	E.fp = np_xstrndup(sp, strcspn(sp, " "));
	free(fp);

	E.client = path("client");
	E.stranger = path("stranger");
	E.kh_good = path("kh_good");
	E.kh_hashed = path("kh_hashed");
	E.kh_wrong = path("kh_wrong");
	E.kh_other = path("kh_other");
	E.kh_bare = path("kh_bare");
	E.kh_revoked = path("kh_revoked");
	sh("cd %s && echo '# test known_hosts' > kh_good && "
	   "echo \"[127.0.0.1]:%d $(cut -d' ' -f1,2 host.pub)\" >> kh_good && "
	   "cp kh_good kh_hashed && ssh-keygen -q -H -f kh_hashed 2>/dev/null && "
	   "grep -q '^|1|' kh_hashed && "
	   "echo \"[127.0.0.1]:%d $(cut -d' ' -f1,2 wronghost.pub)\" > kh_wrong && "
	   "echo \"[127.0.0.2]:%d $(cut -d' ' -f1,2 host.pub)\" > kh_other && "
	   "echo \"@cert-authority * $(cut -d' ' -f1,2 host.pub)\" >> kh_other && "
	   "echo \"127.0.0.1 $(cut -d' ' -f1,2 host.pub)\" > kh_bare && "
	   "cp kh_good kh_revoked && echo \"@revoked * $(cut -d' ' -f1,2 host.pub)\" >> "
	   "kh_revoked",
	   E.dir, E.port, E.port, E.port);

	/* Payloads: text, a real capture, 8 MiB of every byte value, and nothing. */
	E.small = path("small.txt");
	write_file(E.small, "hello from sftp test\n", 21);
	E.fixture = np_test_fixture("fc_device_stats/exporter_device_stats_example.txt");
	E.big = path("big.bin");
	size_t blen = 8u << 20;
	char *b = np_xmalloc(blen);
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < blen; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		b[i] = (char)(x >> 24);
	}
	write_file(E.big, b, blen);
	free(b);
	E.empty = path("empty.txt");
	write_file(E.empty, "", 0);

	char *cfg = path("sshd_config");
	char *text =
	    np_xasprintf("Port %d\nListenAddress 127.0.0.1\nHostKey %s/host\n"
	                 "PidFile %s/sshd.pid\nAuthorizedKeysFile %s/authorized_keys\n"
	                 "PubkeyAuthentication yes\nPasswordAuthentication no\n"
	                 "KbdInteractiveAuthentication no\nUsePAM no\n"
	                 "PermitRootLogin prohibit-password\nStrictModes no\n"
	                 "Subsystem sftp internal-sftp\nLogLevel VERBOSE\nMaxStartups 50\n",
	                 E.port, E.dir, E.dir, E.dir);
	write_file(cfg, text, strlen(text));
	free(text);
	E.log = path("sshd.log");
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		int fd = open(E.log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 1);
		dup2(fd, 2);
		execl(SSHD, SSHD, "-D", "-e", "-f", cfg, (char *)NULL);
		_exit(127);
	}
	E.sshd = pid;
	free(cfg);
	for (int i = 0; i < 400 && !port_open(E.port); i++)
		usleep(25000);
	if (!port_open(E.port))
		fail_msg("sshd did not start; see %s", E.log);
	return 0;
}

static int
group_teardown(void **state)
{
	if (E.sshd > 0) {
		/* Its per-connection processes too, in case a test stopped them (SIGSTOP). */
		pid_t kids[64];
		size_t n = sshd_children(kids, 64);
		for (size_t i = 0; i < n; i++) {
			kill(kids[i], SIGCONT);
			kill(kids[i], SIGTERM);
		}
		kill(E.sshd, SIGTERM);
		waitpid(E.sshd, NULL, 0);
	}
	if (E.dir != NULL) {
		char *cmd = np_xasprintf("rm -rf %s", E.dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", E.dir);
		free(cmd);
	}
	free(E.dir);
	free(E.fp);
	free(E.client);
	free(E.stranger);
	free(E.kh_good);
	free(E.kh_hashed);
	free(E.kh_wrong);
	free(E.kh_other);
	free(E.kh_bare);
	free(E.kh_revoked);
	free(E.small);
	free(E.fixture);
	free(E.big);
	free(E.empty);
	free(E.log);
	return 0;
}

#define NEED_SSHD()                                                                                \
	do {                                                                                       \
		if (E.sshd <= 0)                                                                   \
			skip();                                                                    \
	} while (0)

/* ---- running fetches ---- */

struct result {
	bool done;
	int ok;
	char *data;
	size_t len;
	char *cause;
	int order;
	struct np_ssh *again; /* fetch E.small again from inside the callback */
};

static void
on_done(void *arg, int ok, const char *data, size_t len, const char *cause)
{
	struct result *r = arg;
	assert_false(r->done); /* exactly once */
	r->done = true;
	r->ok = ok;
	r->len = len;
	r->data = np_xmalloc(len + 1);
	if (ok == 0) {
		assert_null(cause);
		memcpy(r->data, data, len);
	} else {
		assert_null(data);
		assert_non_null(cause);
	}
	r->data[len] = '\0';
	r->cause = cause != NULL ? np_xstrdup(cause) : NULL;
	r->order = ++g_order;
}

static void
result_clear(struct result *r)
{
	free(r->data);
	free(r->cause);
	memset(r, 0, sizeof(*r));
}

static void
guard_cb(evutil_socket_t fd, short what, void *arg)
{
	fail_msg("test_ssh: a fetch did not finish within 120 s");
}

/* Runs the loop until every result is done (bounded by a 120 s guard). */
static void
run(struct event_base *base, struct result *const *rs, size_t n)
{
	struct event *guard = evtimer_new(base, guard_cb, NULL);
	struct timeval tv = {120, 0};
	evtimer_add(guard, &tv);
	for (;;) {
		size_t left = 0;
		for (size_t i = 0; i < n; i++)
			left += !rs[i]->done;
		if (left == 0)
			break;
		assert_int_equal(event_base_loop(base, EVLOOP_ONCE), 0);
	}
	event_free(guard);
}

static struct np_ssh_params
params(const char *kh)
{
	return (struct np_ssh_params){.host = "127.0.0.1",
	                              .port = E.port,
	                              .user = "root",
	                              .identity_file = E.client,
	                              .known_hosts = kh,
	                              .timeout_ms = 30000};
}

static struct np_ssh *
new_ssh(struct event_base *base, const struct np_ssh_params *p)
{
	char *cause = NULL;
	struct np_ssh *s = np_ssh_new(base, p, &cause);
	if (s == NULL)
		fail_msg("np_ssh_new: %s", cause);
	return s;
}

static void
fetch(struct event_base *base, struct np_ssh *s, const char *file, size_t max, struct result *r)
{
	char *cause = NULL;
	if (np_ssh_fetch(s, file, max, on_done, r, &cause) != 0)
		fail_msg("np_ssh_fetch: %s", cause);
	assert_false(r->done); /* never called from inside np_ssh_fetch */
	struct result *rs[] = {r};
	run(base, rs, 1);
}

/* One fetch with a fresh np_ssh; returns the result (caller clears it). */
static void
fetch_once(const struct np_ssh_params *p, const char *file, size_t max, struct result *r)
{
	struct event_base *base = event_base_new();
	struct np_ssh *s = new_ssh(base, p);
	fetch(base, s, file, max, r);
	np_ssh_free(s);
	event_base_free(base);
}

/* On an unexpected failure, sshd's side of the story helps. */
static void
dump_sshd_log(void)
{
	char *cmd = np_xasprintf("tail -n 40 %s >&2", E.log);
	if (system(cmd) != 0)
		fprintf(stderr, "(no sshd log)\n");
	free(cmd);
}

static void
expect_file(const struct result *r, const char *file)
{
	if (r->ok != 0) {
		dump_sshd_log();
		fail_msg("fetch of %s failed: %s", file, r->cause);
	}
	size_t len;
	char *want = np_test_read_file(file, &len);
	assert_int_equal(r->len, len);
	assert_memory_equal(r->data, want, len);
	free(want);
}

static void
expect_cause(const struct result *r, const char *needle)
{
	assert_int_equal(r->ok, -1);
	if (strstr(r->cause, needle) == NULL)
		fail_msg("cause \"%s\" lacks \"%s\"", r->cause, needle);
}

/* ---- tests ---- */

static void
test_fetch_ok(void **state)
{
	NEED_SSHD();
	struct np_ssh_params p = params(E.kh_good);
	struct result r = {0};
	fetch_once(&p, E.fixture, 1 << 20, &r);
	expect_file(&r, E.fixture);
	result_clear(&r);
	fetch_once(&p, E.big, 64u << 20, &r); /* 8 MiB, every byte value, NULs included */
	expect_file(&r, E.big);
	result_clear(&r);
	fetch_once(&p, E.empty, 1 << 20, &r);
	assert_int_equal(r.ok, 0);
	assert_int_equal(r.len, 0);
	result_clear(&r);
	p.known_hosts = E.kh_hashed; /* hashed names match too */
	fetch_once(&p, E.small, 1 << 20, &r);
	expect_file(&r, E.small);
	result_clear(&r);
}

static void
test_session_reuse(void **state)
{
	NEED_SSHD();
	struct event_base *base = event_base_new();
	struct np_ssh_params p = params(E.kh_good);
	struct np_ssh *s = new_ssh(base, &p);
	size_t before = count_in_log("Accepted publickey for root");
	struct result r1 = {0}, r2 = {0};
	fetch(base, s, E.fixture, 1 << 20, &r1);
	expect_file(&r1, E.fixture);
	assert_true(np_ssh_connected(s));
	fetch(base, s, E.small, 1 << 20, &r2);
	expect_file(&r2, E.small);
	assert_int_equal(np_ssh_connections(s), 1);
	/* sshd saw exactly one login for the two fetches. */
	assert_int_equal(wait_log_count("Accepted publickey for root", before + 1), before + 1);
	usleep(200000);
	assert_int_equal(count_in_log("Accepted publickey for root"), before + 1);

	/* A fetch while one runs is refused. */
	struct result r3 = {0};
	char *cause = NULL;
	assert_int_equal(np_ssh_fetch(s, E.small, 100, on_done, &r3, &cause), 0);
	assert_int_equal(np_ssh_fetch(s, E.small, 100, on_done, &r3, &cause), -1);
	assert_string_equal(cause, "ssh: a fetch is already running");
	free(cause);
	struct result *rs[] = {&r3};
	run(base, rs, 1);
	expect_file(&r3, E.small);

	result_clear(&r1);
	result_clear(&r2);
	result_clear(&r3);
	np_ssh_free(s);
	event_base_free(base);
}

static void
test_host_key_mismatch(void **state)
{
	NEED_SSHD();
	size_t before = count_in_log("Accepted publickey");
	struct np_ssh_params p = params(E.kh_wrong);
	struct result r = {0};
	fetch_once(&p, E.small, 1 << 20, &r);
	char *want = np_xasprintf("host key mismatch for [127.0.0.1]:%d: the server presented "
	                          "ssh-ed25519 %s, known_hosts %s lists a different ssh-ed25519 "
	                          "key (possible man-in-the-middle; refused)",
	                          E.port, E.fp, E.kh_wrong);
	assert_string_equal(r.cause, want);
	free(want);
	result_clear(&r);
	/* Refused before authenticating: the untrusted server never saw our key accepted. */
	usleep(100000);
	assert_int_equal(count_in_log("Accepted publickey"), before);
}

static void
test_host_key_unknown(void **state)
{
	NEED_SSHD();
	size_t before = count_in_log("Accepted publickey");
	struct np_ssh_params p = params(E.kh_other);
	struct result r = {0};
	fetch_once(&p, E.small, 1 << 20, &r);
	/* (the @cert-authority line cannot be used: libssh2 has no certificates) */
	char *want = np_xasprintf("host key for [127.0.0.1]:%d not found in known_hosts %s; 1 "
	                          "line(s) of it could not be used: the server presented "
	                          "ssh-ed25519 %s (refused; add the key once its fingerprint is "
	                          "verified)",
	                          E.port, E.kh_other, E.fp);
	assert_string_equal(r.cause, want);
	free(want);
	result_clear(&r);

	/* OpenSSH names a non-22 port "[host]:port"; a bare-host entry does not vouch for it. */
	p.known_hosts = E.kh_bare;
	fetch_once(&p, E.small, 1 << 20, &r);
	expect_cause(&r, "not found in known_hosts");
	expect_cause(&r, E.fp);
	result_clear(&r);

	p.known_hosts = E.kh_revoked;
	fetch_once(&p, E.small, 1 << 20, &r);
	expect_cause(&r, "is marked @revoked");
	expect_cause(&r, E.fp);
	result_clear(&r);

	char *missing = path("no_such_known_hosts");
	p.known_hosts = missing;
	fetch_once(&p, E.small, 1 << 20, &r);
	expect_cause(&r, "cannot read known_hosts");
	result_clear(&r);
	free(missing);
	usleep(100000);
	assert_int_equal(count_in_log("Accepted publickey"), before);

	/* known_hosts is required up front. */
	char *cause = NULL;
	p.known_hosts = NULL;
	assert_null(np_ssh_new(NULL, &p, &cause));
	assert_string_equal(cause, "ssh: known_hosts is required (host keys are always verified)");
	free(cause);
}

static void
test_connection_refused(void **state)
{
	NEED_SSHD();
	struct np_ssh_params p = params(E.kh_good);
	p.port = free_port();
	struct result r = {0};
	fetch_once(&p, E.small, 1 << 20, &r);
	assert_string_equal(r.cause, "connect: Connection refused");
	result_clear(&r);
}

static void
test_auth_failures(void **state)
{
	NEED_SSHD();
	struct np_ssh_params p = params(E.kh_good);
	p.identity_file = E.stranger;
	struct result r = {0};
	fetch_once(&p, E.small, 1 << 20, &r);
	char *want = np_xasprintf("authentication as root failed (publickey %s: ", E.stranger);
	expect_cause(&r, want);
	expect_cause(&r, "; server offers: publickey)");
	free(want);
	result_clear(&r);

	char *missing = path("no_such_key");
	p.identity_file = missing;
	fetch_once(&p, E.small, 1 << 20, &r);
	want = np_xasprintf("publickey %s: ", missing);
	expect_cause(&r, want);
	free(want);
	result_clear(&r);
	free(missing);

	p.identity_file = NULL; /* nothing configured that the server offers */
	p.password = "secret";
	fetch_once(&p, E.small, 1 << 20, &r);
	assert_string_equal(r.cause, "no usable authentication method for root (configured: "
	                             "password; server offers: publickey)");
	assert_null(strstr(r.cause, "secret"));
	result_clear(&r);
}

static void
test_remote_file_errors(void **state)
{
	NEED_SSHD();
	struct np_ssh_params p = params(E.kh_good);
	struct result r = {0};
	char *missing = path("missing.txt");
	fetch_once(&p, missing, 1 << 20, &r);
	char *want = np_xasprintf("cannot open %s: no such file (SFTP status 2)", missing);
	assert_string_equal(r.cause, want);
	free(want);
	free(missing);
	result_clear(&r);

	fetch_once(&p, E.fixture, 100, &r);
	want = np_xasprintf("%s is 3362 bytes, over the limit of 100", E.fixture);
	assert_string_equal(r.cause, want);
	free(want);
	result_clear(&r);
	fetch_once(&p, E.fixture, 3362, &r); /* exactly the size is fine */
	expect_file(&r, E.fixture);
	result_clear(&r);
}

/*
 * The size limit: a file over it is refused by the size the server tells, before one byte
 * is downloaded; a file that turns out longer than it while being read (a /proc file: its
 * size says 0) stops the read one byte over the limit.
 */
static void
test_size_limit(void **state)
{
	NEED_SSHD();
	struct event_base *base = event_base_new();
	struct np_ssh_params p = params(E.kh_good);
	p.limit_name = "max_file_size";
	struct np_ssh *s = new_ssh(base, &p);
	struct result r = {0};
	fetch(base, s, E.big, 1u << 20, &r);
	char *want = np_xasprintf("%s is 8388608 bytes, over max_file_size 1048576", E.big);
	assert_int_equal(r.ok, -1);
	assert_string_equal(r.cause, want);
	free(want);
	assert_int_equal(np_ssh_bytes_read(s), 0);
	result_clear(&r);

	/* The same np_ssh reads a file within the limit (exactly at it, too). */
	fetch(base, s, E.fixture, 3362, &r);
	expect_file(&r, E.fixture);
	assert_int_equal(np_ssh_bytes_read(s), 3362);
	result_clear(&r);

	/* /proc/net/netstat says 0 bytes and holds about 4 KB (SFTP cannot read a FIFO). */
	char tmp[4096];
	size_t plen = 0;
	FILE *pf = fopen("/proc/net/netstat", "r");
	assert_non_null(pf);
	for (size_t n; (n = fread(tmp, 1, sizeof(tmp), pf)) > 0;)
		plen += n;
	fclose(pf);
	assert_true(plen > 1000);
	fetch(base, s, "/proc/net/netstat", 1000, &r);
	assert_int_equal(r.ok, -1);
	assert_string_equal(r.cause,
	                    "/proc/net/netstat grew past max_file_size 1000 while being read");
	assert_int_equal(np_ssh_bytes_read(s), 3362 + 1001);
	result_clear(&r);
	/* Within the limit, such a file is read whole. */
	fetch(base, s, "/proc/net/netstat", 1 << 20, &r);
	assert_int_equal(r.ok, 0);
	assert_true(r.len > 1000);
	result_clear(&r);
	np_ssh_free(s);
	event_base_free(base);
}

/* A listener that accepts (in the kernel backlog) and never speaks. */
static int
stalled_peer(int *port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

/* The stalled fetch hits its deadline; a fetch to the good sshd completes meanwhile. */
static void
test_stalled_peer_does_not_block(void **state)
{
	NEED_SSHD();
	int port, lfd = stalled_peer(&port);
	struct event_base *base = event_base_new();
	struct np_ssh_params ps = params(E.kh_good);
	ps.port = port;
	ps.timeout_ms = 8000;
	struct np_ssh *stalled = new_ssh(base, &ps);
	struct np_ssh_params pg = params(E.kh_good);
	struct np_ssh *good = new_ssh(base, &pg);
	struct result rs = {0}, rg = {0};
	assert_int_equal(np_ssh_fetch(stalled, E.small, 1 << 20, on_done, &rs, NULL), 0);
	assert_int_equal(np_ssh_fetch(good, E.fixture, 1 << 20, on_done, &rg, NULL), 0);
	struct result *all[] = {&rs, &rg};
	run(base, all, 2);
	expect_file(&rg, E.fixture);
	assert_string_equal(rs.cause,
	                    "timed out after 8000 ms (SSH handshake, no answer from the server)");
	assert_true(rg.order < rs.order); /* the good one finished first */
	assert_false(np_ssh_connected(stalled));
	result_clear(&rs);
	result_clear(&rg);

	/* Cancel: no callback, and the np_ssh is usable again. */
	assert_int_equal(np_ssh_fetch(stalled, E.small, 1 << 20, on_done, &rs, NULL), 0);
	struct timeval tv = {0, 200000};
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
	np_ssh_cancel(stalled);
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
	assert_false(rs.done);
	np_ssh_free(stalled);

	/* Cancel a fetch on a kept session while the server is frozen (SIGSTOP), then fetch
	 * again: the cancelled session is dropped and a new one made. */
	pid_t kids[32];
	size_t nk = sshd_children(kids, 32);
	assert_true(nk >= 1);
	for (size_t i = 0; i < nk; i++)
		kill(kids[i], SIGSTOP);
	uint64_t conns = np_ssh_connections(good);
	assert_int_equal(np_ssh_fetch(good, E.big, 64u << 20, on_done, &rg, NULL), 0);
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
	assert_false(rg.done);
	np_ssh_cancel(good);
	assert_false(np_ssh_connected(good));
	for (size_t i = 0; i < nk; i++)
		kill(kids[i], SIGCONT);
	fetch(base, good, E.small, 1 << 20, &rg);
	expect_file(&rg, E.small);
	assert_int_equal(np_ssh_connections(good), conns + 1);
	result_clear(&rg);

	np_ssh_free(good);
	event_base_free(base);
	close(lfd);
}

/* pids of every descendant of sshd (its per-connection processes). */
static size_t
sshd_children(pid_t *out, size_t max)
{
	size_t n = 0;
	pid_t parents[64] = {E.sshd};
	size_t np = 1;
	for (size_t pass = 0; pass < 4; pass++) {
		DIR *d = opendir("/proc");
		struct dirent *de;
		while ((de = readdir(d)) != NULL) {
			pid_t pid = atoi(de->d_name), ppid = 0;
			if (pid <= 0)
				continue;
			char f[64], buf[512];
			snprintf(f, sizeof(f), "/proc/%d/stat", pid);
			FILE *fp = fopen(f, "r");
			if (fp == NULL)
				continue;
			size_t len = fread(buf, 1, sizeof(buf) - 1, fp);
			fclose(fp);
			buf[len] = '\0';
			char *rp = strrchr(buf, ')');
			if (rp == NULL || sscanf(rp + 2, "%*c %d", &ppid) != 1)
				continue;
			bool known = false, parent = false;
			for (size_t i = 0; i < n; i++)
				known |= out[i] == pid;
			for (size_t i = 0; i < np; i++)
				parent |= parents[i] == ppid;
			if (!known && parent && n < max && np < 64) {
				out[n++] = pid;
				parents[np++] = pid;
			}
		}
		closedir(d);
	}
	return n;
}

/* The kept session dies while idle (sshd's side killed): the next fetch reconnects. */
static void
test_reconnect_after_peer_drop(void **state)
{
	NEED_SSHD();
	struct event_base *base = event_base_new();
	struct np_ssh_params p = params(E.kh_good);
	struct np_ssh *s = new_ssh(base, &p);
	struct result r = {0};
	fetch(base, s, E.small, 1 << 20, &r);
	expect_file(&r, E.small);
	result_clear(&r);
	pid_t kids[32];
	size_t n = sshd_children(kids, 32);
	assert_true(n >= 1);
	for (size_t i = 0; i < n; i++)
		kill(kids[i], SIGKILL);
	for (int i = 0; i < 200 && sshd_children(kids, 32) > 0; i++)
		usleep(25000);
	fetch(base, s, E.fixture, 1 << 20, &r);
	expect_file(&r, E.fixture);
	assert_int_equal(np_ssh_connections(s), 2);
	result_clear(&r);
	np_ssh_free(s);
	event_base_free(base);
}

static void
test_agent(void **state)
{
	NEED_SSHD();
	if (access("/usr/bin/ssh-agent", X_OK) != 0)
		skip();
	char *sock = path("agent.sock");
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		int fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		dup2(fd, 2);
		execl("/usr/bin/ssh-agent", "ssh-agent", "-D", "-a", sock, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200 && access(sock, F_OK) != 0; i++)
		usleep(25000);
	sh("SSH_AUTH_SOCK=%s ssh-add -q %s 2>/dev/null", sock, E.client);
	char *old = getenv("SSH_AUTH_SOCK") ? np_xstrdup(getenv("SSH_AUTH_SOCK")) : NULL;
	setenv("SSH_AUTH_SOCK", sock, 1);

	struct np_ssh_params p = params(E.kh_good);
	p.identity_file = E.stranger; /* refused first, then the agent's key is accepted */
	p.use_agent = true;
	struct result r = {0};
	fetch_once(&p, E.small, 1 << 20, &r);
	expect_file(&r, E.small);
	result_clear(&r);

	if (old != NULL)
		setenv("SSH_AUTH_SOCK", old, 1);
	else
		unsetenv("SSH_AUTH_SOCK");
	free(old);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	free(sock);
}

static long
rss_kb(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f != NULL) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static void
on_done_again(void *arg, int ok, const char *data, size_t len, const char *cause)
{
	struct result *r = arg;
	on_done(arg, ok, data, len, cause);
	/* Starting the next fetch from inside the callback is allowed. */
	if (r->again != NULL && ok == 0) {
		struct np_ssh *s = r->again;
		r->again = NULL;
		r->done = false;
		free(r->data);
		free(r->cause);
		r->data = r->cause = NULL;
		assert_int_equal(np_ssh_fetch(s, E.small, 1 << 20, on_done, r, NULL), 0);
	}
}

/* Many fetches on one session, and many sessions: nothing may grow (valgrind/LSan check
 * the heap; RSS is printed). */
static void
test_many_fetches(void **state)
{
	NEED_SSHD();
	int loops = getenv("NP_SSH_LOOP") ? atoi(getenv("NP_SSH_LOOP")) : 500;
	int reconnects = getenv("NP_SSH_RECONNECTS") ? atoi(getenv("NP_SSH_RECONNECTS")) : 20;
	struct event_base *base = event_base_new();
	struct np_ssh_params p = params(E.kh_good);
	struct np_ssh *s = new_ssh(base, &p);
	size_t want_len;
	char *want = np_test_read_file(E.fixture, &want_len);
	long rss0 = 0;
	for (int i = 0; i < loops; i++) {
		struct result r = {0};
		fetch(base, s, E.fixture, 1 << 20, &r);
		assert_int_equal(r.ok, 0);
		assert_int_equal(r.len, want_len);
		assert_memory_equal(r.data, want, want_len);
		result_clear(&r);
		if (i == 9)
			rss0 = rss_kb();
	}
	assert_int_equal(np_ssh_connections(s), 1);
	long rss1 = rss_kb();

	struct result r = {.again = s};
	char *cause = NULL;
	assert_int_equal(np_ssh_fetch(s, E.fixture, 1 << 20, on_done_again, &r, &cause), 0);
	struct result *rs[] = {&r};
	run(base, rs, 1);
	expect_file(&r, E.small);
	result_clear(&r);
	np_ssh_free(s);

	for (int i = 0; i < reconnects; i++) {
		s = new_ssh(base, &p);
		fetch(base, s, E.small, 1 << 20, &r);
		expect_file(&r, E.small);
		result_clear(&r);
		if (i % 2 == 0) { /* and failures: a refused key */
			struct np_ssh_params q = params(E.kh_wrong);
			struct np_ssh *t = new_ssh(base, &q);
			fetch(base, t, E.small, 1 << 20, &r);
			assert_int_equal(r.ok, -1);
			result_clear(&r);
			np_ssh_free(t);
		}
		np_ssh_free(s);
	}
	print_message("test_ssh: %d fetches on one session: RSS %ld kB after 10, %ld kB after "
	              "%d; then %d reconnects: RSS %ld kB\n",
	              loops, rss0, rss1, loops, reconnects, rss_kb());
	free(want);
	event_base_free(base);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fetch_ok),
	    cmocka_unit_test(test_session_reuse),
	    cmocka_unit_test(test_host_key_mismatch),
	    cmocka_unit_test(test_host_key_unknown),
	    cmocka_unit_test(test_connection_refused),
	    cmocka_unit_test(test_auth_failures),
	    cmocka_unit_test(test_remote_file_errors),
	    cmocka_unit_test(test_size_limit),
	    cmocka_unit_test(test_stalled_peer_does_not_block),
	    cmocka_unit_test(test_reconnect_after_peer_drop),
	    cmocka_unit_test(test_agent),
	    cmocka_unit_test(test_many_fetches),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
