/*
 * What a valid config needs from the host (hostcheck.h): files the daemon reads, a writable
 * database directory. Messages are compared whole, positions included: they are what a user
 * reads from `netpulsed --check-config`.
 */
#include "testutil.h"

#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config/config.h"
#include "config/hostcheck.h"
#include "util/xmalloc.h"

#define ALL (NP_CONFIG_CHECK_FILES | NP_CONFIG_CHECK_DATABASE)
#define NOBODY 65534

static char *dir;

static int
setup(void **state)
{
	(void)state;
	dir = np_test_tmpdir();
	/* Others may traverse it: the unreadable cases run as nobody when the test is root. */
	assert_int_equal(chmod(dir, 0711), 0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	char *cmd = np_xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(dir);
	return 0;
}

static void
touch(const char *name, mode_t mode)
{
	char *p = np_xasprintf("%s/%s", dir, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "x\n", 2), 2);
	close(fd);
	assert_int_equal(chmod(p, mode), 0);
	free(p);
}

/* `text` with @ replaced by the test's directory; NULL stays NULL. malloc'd. */
static char *
expand(const char *text)
{
	if (text == NULL)
		return NULL;
	char *out = np_xstrdup("");
	for (const char *s = text; *s != '\0'; s++) {
		char *next =
		    *s == '@' ? np_xasprintf("%s%s", out, dir) : np_xasprintf("%s%c", out, *s);
		free(out);
		out = next;
	}
	return out;
}

static struct np_config *
load(const char *body)
{
	char *text = expand(body), *cause = NULL;
	struct np_config *cfg = np_config_parse("t.yaml", text, strlen(text), &cause);
	if (cfg == NULL)
		fail_msg("not loaded: %s", cause);
	free(text);
	return cfg;
}

static void
expect(const char *body, unsigned what, const char *want_err, const char *want_warn)
{
	struct np_config *cfg = load(body);
	char *cause = NULL, *warn = NULL;
	int rc = np_config_check_host(cfg, what, &warn, &cause);
	char *e = expand(want_err), *w = expand(want_warn);
	if (e == NULL) {
		if (rc != 0)
			fail_msg("rejected: %s", cause);
	} else {
		assert_int_equal(rc, -1);
		assert_string_equal(cause, e);
	}
	if (w == NULL)
		assert_null(warn);
	else
		assert_string_equal(warn, w);
	free(e);
	free(w);
	free(cause);
	free(warn);
	np_config_free(cfg);
}

/*
 * As a user who is not root (root reads and writes everything): the check runs in a child as
 * nobody when the test is root.
 */
static void
expect_as_user(const char *body, const char *want_err)
{
	if (geteuid() != 0) {
		expect(body, ALL, want_err, NULL);
		return;
	}
	struct np_config *cfg = load(body);
	char *e = expand(want_err);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgroups(0, NULL) == -1 || setgid(NOBODY) == -1 || setuid(NOBODY) == -1)
			_exit(2);
		char *cause = NULL;
		int rc = np_config_check_host(cfg, ALL, NULL, &cause);
		bool ok = rc == -1 && cause != NULL && strcmp(cause, e) == 0;
		if (!ok)
			fprintf(stderr, "rc %d, cause:\n%s\nwanted:\n%s\n", rc,
			        cause != NULL ? cause : "(none)", e);
		/* valgrind checks the child's leaks at _exit too. */
		free(cause);
		free(e);
		np_config_free(cfg);
		_exit(ok ? 0 : 1);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	free(e);
	np_config_free(cfg);
}

#define SW(kh, id)                                                                                 \
	"daemon: { database: @/np.db }\n"                                                          \
	"sources:\n"                                                                               \
	"  - name: fc\n"                                                                           \
	"    type: stealthwatch\n"                                                                 \
	"    host: h\n"                                                                            \
	"    user: u\n"                                                                            \
	"    identity_file: " id "\n"                                                              \
	"    known_hosts: " kh "\n"

static void
test_ssh_files(void **state)
{
	(void)state;
	touch("kh", 0644);
	touch("id", 0600);
	expect(SW("@/kh", "@/id"), ALL, NULL, NULL);
	expect(SW("@/missing_kh", "@/id"), ALL,
	       "t.yaml:8:18: 'known_hosts' in source 'fc': cannot read @/missing_kh: No such file "
	       "or directory",
	       NULL);
	expect(SW("@/kh", "@/missing_id"), ALL,
	       "t.yaml:7:20: 'identity_file' in source 'fc': cannot read @/missing_id: No such "
	       "file or directory",
	       NULL);
	/* A directory is no known_hosts file. */
	expect(SW("@", "@/id"), ALL,
	       "t.yaml:8:18: 'known_hosts' in source 'fc': @ is not a regular file", NULL);
	/* Not asked for: not checked. */
	expect(SW("@/missing_kh", "@/id"), NP_CONFIG_CHECK_DATABASE, NULL, NULL);
}

static void
test_unreadable(void **state)
{
	(void)state;
	touch("kh", 0644);
	touch("secret_id", geteuid() == 0 ? 0600 : 0000);
	/* A directory its user may not write (root's, for nobody; 0555 for anyone). */
	char ro[4096]; /* not malloc'd: the forked child exits without freeing it */
	snprintf(ro, sizeof(ro), "%s/ro", dir);
	assert_int_equal(mkdir(ro, 0555), 0);
	expect_as_user("daemon: { database: @/ro/np.db }\n"
	               "sources:\n"
	               "  - { name: fc, type: stealthwatch, host: h, user: u,\n"
	               "      identity_file: @/secret_id, known_hosts: @/kh }\n",
	               "t.yaml:1:21: 'database' in daemon: directory @/ro is not writable: "
	               "Permission denied\n"
	               "t.yaml:4:22: 'identity_file' in source 'fc': cannot read @/secret_id: "
	               "Permission denied");
	assert_int_equal(chmod(ro, 0755), 0);
}

static void
test_ca_files(void **state)
{
	(void)state;
	touch("ca.pem", 0644);
	static const char ok[] =
	    "daemon: { database: @/np.db }\n"
	    "alerts:\n"
	    "  - { type: syslog, server: 'tls://logs.example.net:6514', ca_file: @/ca.pem }\n"
	    "  - { type: webhook, url: 'https://h.example.net/x', ca_file: @/ca.pem }\n"
	    "sources:\n"
	    "  - { name: m, type: meraki, api_key_env: HOME, ca_file: @/ca.pem }\n";
	expect(ok, ALL, NULL, NULL);
	expect("daemon: { database: @/np.db }\n"
	       "alerts:\n"
	       "  - { type: syslog, server: 'tls://logs.example.net:6514', ca_file: @/nope.pem }\n"
	       "  - { type: webhook, url: 'https://h.example.net/x', ca_file: @/no.pem }\n"
	       "sources:\n"
	       "  - { name: m, type: meraki, api_key_env: HOME, ca_file: @/none.pem }\n",
	       ALL,
	       "t.yaml:3:69: 'ca_file' in alert 1: cannot read @/nope.pem: No such file or "
	       "directory\n"
	       "t.yaml:4:63: 'ca_file' in alert 2: cannot read @/no.pem: No such file or "
	       "directory\n"
	       "t.yaml:6:58: 'ca_file' in source 'm': cannot read @/none.pem: No such file or "
	       "directory",
	       NULL);
}

static void
test_database(void **state)
{
	(void)state;
	static const char missing[] = "daemon: { database: @/no/such/dir/np.db }\nsources: []\n";
	expect("daemon: { database: @/np.db }\nsources: []\n", ALL, NULL, NULL);
	expect(missing, ALL,
	       "t.yaml:1:21: 'database' in daemon: directory @/no/such/dir: No such file or "
	       "directory",
	       NULL);
	/* Checked as another user than the daemon's: only a warning. */
	expect(missing, ALL | NP_CONFIG_CHECK_DB_WARN, NULL,
	       "t.yaml:1:21: 'database' in daemon: directory @/no/such/dir: No such file or "
	       "directory (checked as another user than the daemon's: a warning)");
	touch("plain", 0644);
	expect("daemon: { database: @/plain/np.db }\nsources: []\n", ALL,
	       "t.yaml:1:21: 'database' in daemon: @/plain is not a directory", NULL);
	/* The default path has no position: the message says it is the default. */
	struct np_config *cfg = load("sources: []\n");
	char *cause = NULL;
	struct stat st;
	if (stat("/var/lib/netpulse", &st) == -1) {
		assert_int_equal(np_config_check_host(cfg, ALL, NULL, &cause), -1);
		assert_string_equal(cause, "t.yaml: daemon.database (the default): directory "
		                           "/var/lib/netpulse: No such file or directory");
		free(cause);
	}
	np_config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_ssh_files, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unreadable, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ca_files, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_database, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
