/* Loading configs: shipped files, defaults, overrides, alerts, secrets, reload equality. */
#include "testutil.h"

#include <fcntl.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "config/config.h"
#include "config/credpath.h"
#include "config/config_table.h"
#include "config/value.h"
#include "util/xmalloc.h"
#include "collectors/local.h"
#include "collectors/stealthwatch.h"

#define LC(s) ((const struct np_local_conf *)(s)->conf)
#define SWC(s) ((const struct np_sw_conf *)(s)->conf)

static struct np_config *
ok(const char *text)
{
	char *cause = NULL;
	struct np_config *cfg = np_config_parse("t.yaml", text, strlen(text), &cause);
	if (cfg == NULL)
		fail_msg("config rejected:\n%s", cause);
	assert_null(cause);
	return cfg;
}

static char *
src_path(const char *rel)
{
	const char *src = getenv("NP_SRC");
	return np_xasprintf("%s/%s", src ? src : ".", rel);
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

/* The documented defaults, checked one by one (the tables are the source; this pins them). */
static void
assert_global_defaults(const struct np_config *c)
{
	assert_string_equal(c->database, "/var/lib/netpulse/netpulse.db");
	assert_int_equal(c->log_level, NP_LOG_INFO);
	assert_int_equal(c->log_target, NP_LOG_STDERR);
	assert_null(c->log_file);
	assert_null(c->timezone); /* unset: the CLI takes the local zone */
	assert_int_equal(c->interval_ms, 60000);
	assert_int_equal(c->timeout_ms, 20000);
	assert_int_equal(c->state.down_after_ms, 0);
	assert_int_equal(c->state.up_after_ms, 0);
	assert_int_equal(c->state.stale_after_ms, 0);
	assert_true(c->state.stale_after_x == 3.0);
	assert_int_equal(c->state.flap_transitions, 5);
	assert_int_equal(c->state.flap_window_ms, 600000);
	assert_false(c->state.alert_never_up);
	assert_int_equal(c->state.forget_after_ms, 7LL * 86400000);
	assert_int_equal(c->retention.raw_ms, 2LL * 86400000);
	assert_int_equal(c->retention.rollup_5m_ms, 14LL * 86400000);
	assert_int_equal(c->retention.hourly_ms, 400LL * 86400000);
	assert_int_equal(c->retention.daily_ms, -1);
	assert_int_equal(c->retention.transitions_ms, -1);
}

static void
test_no_sources_is_all_defaults(void **state)
{
	/* Running with nothing to monitor is asked for in so many words. */
	struct np_config *c = ok("sources: []\n");
	assert_string_equal(c->path, "t.yaml");
	assert_global_defaults(c);
	assert_int_equal(c->nalerts, 0);
	assert_int_equal(c->nsources, 0);
	assert_int_equal(c->nwarnings, 1);
	assert_string_equal(c->warnings[0], "t.yaml:1:1: no sources configured");
	np_config_free(c);

	/* Comments, and empty sections, are the same thing. */
	c = ok("# nothing\ndaemon:\nstate: {}\nalerts: []\nsources: []\n");
	assert_global_defaults(c);
	assert_int_equal(c->nalerts, 0);
	assert_int_equal(c->nsources, 0);
	np_config_free(c);
}

/* The shipped local sources skip the loopback and the usual virtual interfaces: regexes
 * (a glob such as "br-*" would also skip "bridge0" or "broadcom0"). */
static const char *const shipped_exclude[] = {"^lo$", "^veth", "^docker", "^br-", "^virbr", "^tap"};

static bool
excluded(const struct np_source_cfg *s, const char *name)
{
	for (size_t i = 0; i < LC(s)->nexclude; i++) {
		regex_t re;
		assert_int_equal(regcomp(&re, LC(s)->exclude[i], REG_EXTENDED | REG_NOSUB), 0);
		bool m = regexec(&re, name, 0, NULL, 0) == 0;
		regfree(&re);
		if (m)
			return true;
	}
	return false;
}

static void
assert_shipped_exclude(const struct np_source_cfg *s)
{
	size_t n = sizeof(shipped_exclude) / sizeof(shipped_exclude[0]);
	assert_int_equal(LC(s)->nexclude, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(LC(s)->exclude[i], shipped_exclude[i]);
	const char *skip[] = {"lo", "veth1a2b3c", "docker0", "br-0123abcd", "virbr0", "tap0"};
	const char *keep[] = {"eth0",  "enp3s0",  "wlan0", "wg0",       "tun0",
	                      "bond0", "bridge0", "lo0",   "broadcom0", "ens5"};
	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (!excluded(s, skip[i]))
			fail_msg("%s is not excluded", skip[i]);
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (excluded(s, keep[i]))
			fail_msg("%s is excluded", keep[i]);
	assert_int_equal(LC(s)->nalert_on_delete, 0); /* off by default */
}

static void
test_shipped_local_yaml(void **state)
{
	char *path = src_path("conf/local.yaml"), *cause = NULL;
	struct np_config *c = np_config_load(path, &cause);
	if (c == NULL)
		fail_msg("%s", cause);
	assert_string_equal(c->path, path);
	assert_string_equal(c->database, "./var/netpulse.db");
	assert_int_equal(c->log_target, NP_LOG_STDERR);
	assert_int_equal(c->nwarnings, 0);
	/* `make run`: alerts in the terminal, whatever logger the machine has (issue #10). */
	assert_int_equal(c->nalerts, 1);
	assert_int_equal(c->alerts[0].type, NP_SINK_STDERR);
	assert_null(c->alerts[0].server);
	assert_int_equal(c->nsources, 1);
	const struct np_source_cfg *s = &c->sources[0];
	assert_string_equal(s->name, "this-host");
	assert_string_equal(s->type, "local");
	assert_int_equal(s->interval_ms, 10000);
	assert_int_equal(s->max_gap_ms, 30000);
	assert_int_equal(np_source_stale_after_ms(s), 30000);
	assert_int_equal(LC(s)->ninclude, 0);
	assert_shipped_exclude(s);
	assert_true(LC(s)->netlink);
	np_config_free(c);
	free(path);
}

static void
test_shipped_netpulse_yaml(void **state)
{
	char *path = src_path("conf/netpulse.yaml"), *cause = NULL;
	struct np_config *c = np_config_load(path, &cause);
	if (c == NULL)
		fail_msg("%s", cause);
	/* The file claims to show every default: it must load to exactly the defaults. */
	assert_global_defaults(c);
	assert_int_equal(c->nwarnings, 0);
	/* The systemd unit's config: alerts to the journal, with their fields. */
	assert_int_equal(c->nalerts, 1);
	assert_int_equal(c->alerts[0].type, NP_SINK_JOURNALD);
	assert_int_equal(c->alerts[0].facility, LOG_DAEMON);
	assert_null(c->alerts[0].socket);
	assert_int_equal(c->nsources, 1);

	assert_shipped_exclude(&c->sources[0]);
	struct np_config *d = ok("sources: [{name: this-host, type: local, exclude: ['^lo$', "
	                         "'^veth', '^docker', '^br-', '^virbr', '^tap']}]");
	c->sources[0].line = d->sources[0].line;
	assert_true(np_source_cfg_equal(&c->sources[0], &d->sources[0]));
	np_config_free(d);
	np_config_free(c);
	free(path);
}

/* The image's config: no /dev/log and no journald in a container, so alerts go to stderr. */
static void
test_shipped_container_yaml(void **state)
{
	char *path = src_path("conf/container.yaml"), *cause = NULL;
	struct np_config *c = np_config_load(path, &cause);
	if (c == NULL)
		fail_msg("%s", cause);
	assert_int_equal(c->nwarnings, 0);
	assert_string_equal(c->database, "/var/lib/netpulse/netpulse.db");
	assert_int_equal(c->log_target, NP_LOG_STDERR);
	assert_int_equal(c->nalerts, 1);
	assert_int_equal(c->alerts[0].type, NP_SINK_STDERR);
	/* The sources of the host's default config, as the image had before. */
	struct np_config *d = ok("sources: [{name: this-host, type: local, exclude: ['^lo$']}]");
	assert_int_equal(c->nsources, 1);
	c->sources[0].line = d->sources[0].line;
	assert_true(np_source_cfg_equal(&c->sources[0], &d->sources[0]));
	np_config_free(d);
	np_config_free(c);
	free(path);
}

/* Every key of the tables is shown in conf/netpulse.yaml (possibly commented out). */
static void
check_keys_in(const struct np_config_opt *opts, const char *text, const char *where)
{
	for (const struct np_config_opt *o = opts; o->name != NULL; o++) {
		/* A secret is documented by its _file form. */
		const char *sfx = (o->flags & NP_CFG_F_SECRET_FORMS) ? "_file" : "";
		char *needle = np_xasprintf(" %s%s:", o->name, sfx);
		char *needle2 = np_xasprintf("\n%s%s:", o->name, sfx);
		if (strstr(text, needle) == NULL && strstr(text, needle2) == NULL)
			fail_msg("conf/netpulse.yaml does not mention %s.%s", where, o->name);
		free(needle);
		free(needle2);
		if (o->sub != NULL)
			check_keys_in(o->sub, text, o->name);
	}
}

static void
test_shipped_netpulse_yaml_mentions_every_key(void **state)
{
	char *path = src_path("conf/netpulse.yaml");
	char *text = np_test_read_file(path, NULL);
	check_keys_in(np_config_top, text, "(top)");
	check_keys_in(np_config_alerting_opts, text, "alerts");
	for (size_t i = 0; np_collectors[i] != NULL; i++)
		if (np_collectors[i]->options != NULL)
			check_keys_in(np_collectors[i]->options, text, np_collectors[i]->type);
	free(text);
	free(path);
}

/* Every default in the tables parses with its own type (a typo there would be silent). */
static void
check_defaults(const struct np_config_opt *opts)
{
	for (const struct np_config_opt *o = opts; o->name != NULL; o++) {
		if (o->sub != NULL) {
			check_defaults(o->sub);
			continue;
		}
		if (o->def == NULL)
			continue;
		/* Big enough for any section's struct; the fields are freed below by type. */
		union {
			struct np_config cfg;
			struct np_config_source_build src;
			struct np_alert_cfg alert;
			char pad[4096];
		} base;
		memset(&base, 0, sizeof(base));
		char *why = NULL;
		if (np_config_value_default(o, &base, &why) != 0)
			fail_msg("default '%s' of %s: %s", o->def, o->name, why);
		if (o->type == NP_CFG_STRING || o->type == NP_CFG_PATH || o->type == NP_CFG_TOKEN ||
		    o->type == NP_CFG_NAME || o->type == NP_CFG_CHOICE)
			free(*(char **)(void *)((char *)&base + o->off));
	}
}

static void
test_table_defaults_parse(void **state)
{
	check_defaults(np_config_top);
}

static void
test_source_defaults(void **state)
{
	struct np_config *c = ok("sources:\n"
	                         "  - { name: a, type: local }\n"
	                         "  - name: b\n"
	                         "    type: stealthwatch\n"
	                         "    host: fc1.example.net\n"
	                         "    user: root\n"
	                         "    known_hosts: /etc/netpulse/known_hosts\n"
	                         "    use_agent: true\n");
	assert_int_equal(c->nsources, 2);
	assert_int_equal(c->nwarnings, 0);
	const struct np_source_cfg *a = &c->sources[0], *b = &c->sources[1];
	assert_int_equal(a->line, 2);
	assert_int_equal(a->interval_ms, 60000);
	assert_int_equal(a->timeout_ms, 20000);
	assert_true(a->max_rate == 0.0);
	assert_int_equal(a->max_gap_ms, 180000);
	assert_int_equal(np_source_stale_after_ms(a), 180000);
	assert_int_equal(a->state.flap_transitions, 5);
	assert_int_equal(LC(a)->ninclude, 0);
	assert_null(LC(a)->include);
	assert_int_equal(LC(a)->nexclude, 0);
	assert_true(LC(a)->netlink);
	assert_string_equal(LC(a)->proc_path, "/proc/self/net/dev");
	assert_string_equal(LC(a)->sys_path, "/sys/class/net");
	/* Each type's keys live in its own config. */
	assert_ptr_equal(a->type_ops, &np_local_ops);
	assert_ptr_equal(b->type_ops, &np_stealthwatch_ops);

	assert_int_equal(b->line, 3);
	assert_string_equal(b->type, "stealthwatch");
	assert_string_equal(SWC(b)->host, "fc1.example.net");
	assert_int_equal(SWC(b)->port, 22);
	assert_string_equal(SWC(b)->user, "root");
	assert_string_equal(SWC(b)->known_hosts, "/etc/netpulse/known_hosts");
	assert_null(SWC(b)->identity_file);
	assert_true(SWC(b)->use_agent);
	assert_string_equal(SWC(b)->path, "/lancope/var/sw/today/data/exporter_device_stats.txt");
	assert_null(SWC(b)->password);
	np_config_free(c);
}

static void
test_overrides(void **state)
{
	struct np_config *c =
	    ok("daemon:\n"
	       "  database: /tmp/x.db\n"
	       "  log_level: debug\n"
	       "  log: /var/log/netpulse.log\n"
	       "  timezone: Europe/Paris\n"
	       "defaults: { interval: 30s, timeout: 1500ms }\n"
	       "state:\n"
	       "  down_after: 1m\n"
	       "  up_after: 5s\n"
	       "  stale_after: 10m\n"
	       "  alert_never_up: true\n"
	       "  forget_after: 36h\n"
	       "  flap: { transitions: 7, window: 1h30m }\n"
	       "storage:\n"
	       "  retention: { raw: 1d, rollup_5m: 7d, hourly: forever, daily: 3650d,"
	       " transitions: 90d }\n"
	       "sources:\n"
	       "  - name: inherit\n"
	       "    type: local\n"
	       "  - name: own\n"
	       "    type: local\n"
	       "    interval: 10s\n"
	       "    timeout: 2s\n"
	       "    max_rate: 1.25e9\n"
	       "    max_gap: 2x\n"
	       "    include: '^eth'\n"
	       "    exclude: ['^lo$', '^docker']\n"
	       "    netlink: false\n"
	       "    proc_path: /tmp/proc-net-dev\n"
	       "    sys_path: /tmp/sys-class-net\n"
	       "    state: { down_after: 30s, up_after: 2s, stale_after: 2x }\n"
	       "  - name: gap\n"
	       "    type: local\n"
	       "    max_gap: 5m\n");
	assert_string_equal(c->database, "/tmp/x.db");
	assert_int_equal(c->log_level, NP_LOG_DEBUG);
	assert_int_equal(c->log_target, NP_LOG_FILE);
	assert_string_equal(c->log_file, "/var/log/netpulse.log");
	assert_string_equal(c->timezone, "Europe/Paris");
	assert_int_equal(c->interval_ms, 30000);
	assert_int_equal(c->timeout_ms, 1500);
	assert_int_equal(c->state.down_after_ms, 60000);
	assert_int_equal(c->state.up_after_ms, 5000);
	assert_int_equal(c->state.stale_after_ms, 600000);
	assert_true(c->state.stale_after_x == 0.0);
	assert_true(c->state.alert_never_up);
	assert_int_equal(c->state.flap_transitions, 7);
	assert_int_equal(c->state.flap_window_ms, 5400000);
	assert_int_equal(c->state.forget_after_ms, 36LL * 3600000);
	assert_int_equal(c->retention.raw_ms, 86400000);
	assert_int_equal(c->retention.rollup_5m_ms, 7LL * 86400000);
	assert_int_equal(c->retention.hourly_ms, -1);
	assert_int_equal(c->retention.daily_ms, 3650LL * 86400000);
	assert_int_equal(c->retention.transitions_ms, 90LL * 86400000);

	const struct np_source_cfg *in = &c->sources[0], *own = &c->sources[1],
	                           *gap = &c->sources[2];
	/* Inherited: defaults and the whole global state block. */
	assert_int_equal(in->interval_ms, 30000);
	assert_int_equal(in->timeout_ms, 1500);
	assert_int_equal(in->max_gap_ms, 90000);
	assert_int_equal(in->state.down_after_ms, 60000);
	assert_int_equal(in->state.up_after_ms, 5000);
	assert_int_equal(np_source_stale_after_ms(in), 600000);
	assert_true(in->state.alert_never_up);
	assert_int_equal(in->state.flap_transitions, 7);
	assert_int_equal(in->state.flap_window_ms, 5400000);

	assert_int_equal(own->interval_ms, 10000);
	assert_int_equal(own->timeout_ms, 2000);
	assert_true(own->max_rate == 1.25e9);
	assert_int_equal(own->max_gap_ms, 20000);
	assert_int_equal(LC(own)->ninclude, 1);
	assert_string_equal(LC(own)->include[0], "^eth");
	assert_int_equal(LC(own)->nexclude, 2);
	assert_string_equal(LC(own)->exclude[0], "^lo$");
	assert_string_equal(LC(own)->exclude[1], "^docker");
	assert_false(LC(own)->netlink);
	assert_string_equal(LC(own)->proc_path, "/tmp/proc-net-dev");
	assert_string_equal(LC(own)->sys_path, "/tmp/sys-class-net");
	/* A per-source state block overrides only the keys it gives. */
	assert_int_equal(own->state.down_after_ms, 30000);
	assert_int_equal(own->state.up_after_ms, 2000);
	assert_int_equal(own->state.stale_after_ms, 0);
	assert_true(own->state.stale_after_x == 2.0);
	assert_int_equal(np_source_stale_after_ms(own), 20000);
	assert_true(own->state.alert_never_up);
	assert_int_equal(own->state.flap_transitions, 7); /* flap settings are global */
	assert_int_equal(own->state.flap_window_ms, 5400000);

	assert_int_equal(gap->max_gap_ms, 300000);
	np_config_free(c);

	c = ok("daemon: { log: syslog, log_level: err }\nsources: []\n");
	assert_int_equal(c->log_target, NP_LOG_SYSLOG);
	assert_int_equal(c->log_level, NP_LOG_ERR);
	assert_null(c->log_file);
	np_config_free(c);
}

static void
test_alerts(void **state)
{
	struct np_config *c =
	    ok("alerts:\n"
	       "  - { type: syslog, facility: daemon }\n"
	       "  - { type: syslog, server: \"udp://127.0.0.1:5514\", format: rfc5424,"
	       " enterprise: 9, hostname: myhost }\n"
	       "  - { type: syslog, server: \"tcp://logs.example.net:6514\", facility: local3,"
	       " format: rfc3164 }\n"
	       "  - { type: syslog, server: \"[::1]\" }\n"
	       "  - { type: syslog, server: \"logs:1514\", facility: local7 }\n"
	       "  - { type: syslog, server: \"TCP://Logs.Example.NET:06515\" }\n"
	       "  - { type: syslog, socket: /run/np/log }\n"
	       "  - { type: syslog, server: \"[0:0:0:0:0:0:0:1]:1514\" }\n"
	       "sources: []\n");
	assert_int_equal(c->nalerts, 8);
	const struct np_alert_cfg *a = c->alerts;
	assert_int_equal(a[0].line, 2);
	assert_int_equal(a[0].type, NP_SINK_SYSLOG);
	assert_int_equal(a[0].proto, NP_SYSLOG_LOCAL);
	assert_null(a[0].server);
	assert_null(a[0].host);
	assert_null(a[0].port);
	assert_int_equal(a[0].facility, LOG_DAEMON);
	assert_string_equal(a[0].format, "rfc5424");
	assert_int_equal(a[0].enterprise, 32473);
	assert_null(a[0].hostname);

	assert_int_equal(a[1].proto, NP_SYSLOG_UDP);
	assert_string_equal(a[1].server, "udp://127.0.0.1:5514");
	assert_string_equal(a[1].host, "127.0.0.1");
	assert_string_equal(a[1].port, "5514");
	assert_int_equal(a[1].enterprise, 9);
	assert_string_equal(a[1].hostname, "myhost");

	assert_int_equal(a[2].proto, NP_SYSLOG_TCP);
	assert_string_equal(a[2].host, "logs.example.net");
	assert_string_equal(a[2].port, "6514");
	assert_int_equal(a[2].facility, LOG_LOCAL3);
	assert_string_equal(a[2].format, "rfc3164");

	assert_int_equal(a[3].proto, NP_SYSLOG_UDP);
	assert_string_equal(a[3].host, "::1");
	assert_string_equal(a[3].port, "514");

	assert_int_equal(a[4].proto, NP_SYSLOG_UDP);
	assert_string_equal(a[4].host, "logs");
	assert_string_equal(a[4].port, "1514");
	assert_int_equal(a[4].facility, LOG_LOCAL7);
	assert_null(a[4].socket);

	/* One spelling per target: scheme and host in any case, port with leading zeros. */
	assert_int_equal(a[5].proto, NP_SYSLOG_TCP);
	assert_string_equal(a[5].server, "TCP://Logs.Example.NET:06515");
	assert_string_equal(a[5].host, "logs.example.net");
	assert_string_equal(a[5].port, "6515");

	assert_int_equal(a[6].proto, NP_SYSLOG_LOCAL);
	assert_string_equal(a[6].socket, "/run/np/log");

	assert_string_equal(a[7].host, "::1");
	assert_string_equal(a[7].port, "1514");
	np_config_free(c);
}

static void
test_password_file_and_env(void **state)
{
	char *dir = np_test_tmpdir();
	char *pw = np_xasprintf("%s/pw", dir), *pw2 = np_xasprintf("%s/pw2", dir);
	write_file(pw, "s3cret\n", 0600);
	write_file(pw2, "two\n\n", 0600);
	char *text = np_xasprintf("sources:\n"
	                          "  - { name: f, type: stealthwatch, host: h, user: u,"
	                          " known_hosts: /k, password_file: %s }\n"
	                          "  - { name: g, type: stealthwatch, host: h, user: u,"
	                          " known_hosts: /k, password_file: %s }\n"
	                          "  - { name: e, type: stealthwatch, host: h, user: u,"
	                          " known_hosts: /k, password_env: NP_TEST_PW }\n",
	                          pw, pw2);
	setenv("NP_TEST_PW", "from-env", 1);
	struct np_config *c = ok(text);
	assert_string_equal(SWC(&c->sources[0])->password, "s3cret");
	/* Exactly one trailing newline is stripped. */
	assert_string_equal(SWC(&c->sources[1])->password, "two\n");
	assert_string_equal(SWC(&c->sources[2])->password, "from-env");
	/* From memory there is no file mode to judge: no warning. */
	assert_int_equal(c->nwarnings, 0);
	np_config_free(c);
	unsetenv("NP_TEST_PW");
	unlink(pw);
	unlink(pw2);
	rmdir(dir);
	free(text);
	free(pw);
	free(pw2);
	free(dir);
}

static void
test_clear_password_refused(void **state)
{
	char *dir = np_test_tmpdir();
	char *path = np_xasprintf("%s/netpulse.yaml", dir);
	const char *text = "sources:\n"
	                   "  - name: fc\n"
	                   "    type: stealthwatch\n"
	                   "    host: h\n"
	                   "    user: u\n"
	                   "    known_hosts: /k\n"
	                   "    password: Hunter2-secret\n";
	write_file(path, text, 0600);
	char *cause = NULL;
	assert_null(np_config_load(path, &cause));
	char *want = np_xasprintf("%s:7:15: source 'fc': a password in clear is not accepted; put "
	                          "it in a file (password_file, e.g. a systemd credential) or the "
	                          "environment (password_env)",
	                          path);
	assert_string_equal(cause, want);
	assert_null(strstr(cause, "Hunter2")); /* the secret is never echoed */
	free(cause);
	free(want);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
}

/*
 * NP_CONFIG_NO_SECRETS (the CLI): credentials that are not there (a service's
 * /run/credentials, an unset variable) do not stop the file from loading; their fields stay
 * NULL. The form is still checked. Without the flag the same file fails.
 */
static void
test_load_no_secrets(void **state)
{
	char *dir = np_test_tmpdir();
	char *path = np_xasprintf("%s/netpulse.yaml", dir);
	const char *good = "daemon: { database: /var/lib/netpulse/netpulse.db }\n"
	                   "mail: { server: smtp://m.example.net, from: a@example.net, user: u,\n"
	                   "        password_file: /nonexistent/credentials/smtp }\n"
	                   "sources:\n"
	                   "  - { name: f, type: stealthwatch, host: h, user: u, known_hosts: /k,\n"
	                   "      password_file: /nonexistent/credentials/fc }\n"
	                   "  - { name: e, type: stealthwatch, host: h, user: u, known_hosts: /k,\n"
	                   "      password_env: NP_TEST_UNSET_PW }\n"
	                   "  - { name: a, type: aviatrix,\n"
	                   "      env_file: /nonexistent/credentials/copilot.env }\n";
	unsetenv("NP_TEST_UNSET_PW");
	write_file(path, good, 0600);
	char *cause = NULL;
	assert_null(np_config_load(path, &cause));
	assert_non_null(strstr(cause, "cannot open /nonexistent/credentials/fc"));
	assert_non_null(strstr(cause, "/nonexistent/credentials/copilot.env"));
	free(cause);
	cause = NULL;
	struct np_config *c = np_config_load_flags(path, NP_CONFIG_NO_SECRETS, &cause);
	if (c == NULL)
		fail_msg("%s", cause);
	assert_string_equal(c->database, "/var/lib/netpulse/netpulse.db");
	assert_int_equal(c->nsources, 3);
	assert_null(SWC(&c->sources[0])->password);
	assert_null(SWC(&c->sources[1])->password);
	assert_string_equal(c->mail.user, "u");
	assert_null(c->mail.password);
	np_config_free(c);

	/* The form is checked all the same: both forms, or a bad variable name, fail. */
	const char *bad = "sources:\n"
	                  "  - { name: f, type: stealthwatch, host: h, user: u, known_hosts: /k,\n"
	                  "      password_file: /x, password_env: X }\n"
	                  "  - { name: e, type: stealthwatch, host: h, user: u, known_hosts: /k,\n"
	                  "      password_env: \"not a name\" }\n";
	write_file(path, bad, 0600);
	assert_null(np_config_load_flags(path, NP_CONFIG_NO_SECRETS, &cause));
	assert_non_null(strstr(cause, "keys 'password_file' and 'password_env' in source 'f' "
	                              "cannot be used together"));
	assert_non_null(strstr(cause, "bad value for 'password_env' in source 'e'"));
	free(cause);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
}

/* ${CREDENTIALS_DIRECTORY} in paths: replaced when set (and absolute), else kept as written. */
static void
test_credentials_directory(void **state)
{
	char *dir = np_test_tmpdir();
	char *pw = np_xasprintf("%s/pw", dir), *kh = np_xasprintf("%s/kh", dir);
	write_file(pw, "s3cret\n", 0600);
	const char *text = "sources:\n"
	                   "  - name: f\n"
	                   "    type: stealthwatch\n"
	                   "    host: h\n"
	                   "    user: u\n"
	                   "    known_hosts: ${CREDENTIALS_DIRECTORY}/kh\n"
	                   "    password_file: \"${CREDENTIALS_DIRECTORY}/pw\"\n";
	setenv("CREDENTIALS_DIRECTORY", dir, 1);
	struct np_config *c = ok(text);
	assert_string_equal(SWC(&c->sources[0])->known_hosts, kh);
	assert_string_equal(SWC(&c->sources[0])->password, "s3cret");
	np_config_free(c);

	char *x = np_config_credpath("a${CREDENTIALS_DIRECTORY}b${CREDENTIALS_DIRECTORY}");
	char *want = np_xasprintf("a%sb%s", dir, dir);
	assert_string_equal(x, want);
	free(x);
	free(want);
	x = np_config_credpath("${CREDENTIALS_DIRECTORY}");
	assert_string_equal(x, dir);
	free(x);
	/* Only that spelling of only that variable. */
	x = np_config_credpath("$CREDENTIALS_DIRECTORY/k ${HOME}/k");
	assert_string_equal(x, "$CREDENTIALS_DIRECTORY/k ${HOME}/k");
	free(x);
	/* A relative value is not a credentials directory. */
	setenv("CREDENTIALS_DIRECTORY", "rel", 1);
	x = np_config_credpath("${CREDENTIALS_DIRECTORY}/k");
	assert_string_equal(x, "${CREDENTIALS_DIRECTORY}/k");
	free(x);

	/* Unset (a shell, not the service): kept, and the secret's error says why. */
	unsetenv("CREDENTIALS_DIRECTORY");
	char *cause = NULL;
	assert_null(np_config_parse("t.yaml", text, strlen(text), &cause));
	assert_non_null(strstr(cause, "cannot open ${CREDENTIALS_DIRECTORY}/pw: No such file or "
	                              "directory (CREDENTIALS_DIRECTORY is not set: systemd sets "
	                              "it for a service with LoadCredential=)"));
	free(cause);
	unlink(pw);
	rmdir(dir);
	free(pw);
	free(kh);
	free(dir);
}

static void
test_load_missing_file(void **state)
{
	char *cause = NULL;
	assert_null(np_config_load("/nonexistent/netpulse.yaml", &cause));
	assert_string_equal(cause, "/nonexistent/netpulse.yaml: No such file or directory");
	free(cause);
	/* cause is optional */
	assert_null(np_config_load("/nonexistent/netpulse.yaml", NULL));
	assert_null(np_config_parse("x", "daemon: 1", 9, NULL));
}

static const char equal_base[] = "sources:\n"
                                 "  - name: l\n"
                                 "    type: local\n"
                                 "    include: [a, b]\n"
                                 "    exclude: [c]\n"
                                 "  - name: s\n"
                                 "    type: stealthwatch\n"
                                 "    host: h\n"
                                 "    user: u\n"
                                 "    known_hosts: /k\n"
                                 "    identity_file: /id\n"
                                 "    password_env: NP_EQ_A\n";

/* Each edit changes one thing a source polls with. */
static const char *const equal_edits[][2] = {
    {"name: l\n", "name: l2\n"},
    {"type: local\n", "type: local\n    interval: 61s\n"},
    {"type: local\n", "type: local\n    timeout: 21s\n"},
    {"type: local\n", "type: local\n    max_rate: 1\n"},
    {"type: local\n", "type: local\n    max_gap: 4x\n"},
    {"type: local\n", "type: local\n    max_gap: 180001ms\n"},
    {"type: local\n", "type: local\n    netlink: false\n"},
    {"type: local\n", "type: local\n    proc_path: /p\n"},
    {"type: local\n", "type: local\n    sys_path: /s\n"},
    {"type: local\n", "type: local\n    state: { down_after: 1s }\n"},
    {"type: local\n", "type: local\n    state: { up_after: 1s }\n"},
    {"type: local\n", "type: local\n    state: { stale_after: 4x }\n"},
    {"type: local\n", "type: local\n    state: { stale_after: 3m }\n"},
    {"include: [a, b]", "include: [a]"},
    {"include: [a, b]", "include: [a, c]"},
    {"include: [a, b]", "include: [b, a]"},
    {"exclude: [c]", "exclude: []"},
    {"host: h", "host: h2"},
    {"user: u", "user: u2"},
    {"known_hosts: /k", "known_hosts: /k2"},
    {"identity_file: /id", "identity_file: /id2"},
    {"identity_file: /id", "identity_file: /id\n    use_agent: true"},
    {"identity_file: /id", "identity_file: /id\n    port: 2222"},
    {"identity_file: /id", "identity_file: /id\n    path: /other"},
    {"identity_file: /id", "identity_file: /id\n    max_file_size: 4096"},
    {"password_env: NP_EQ_A", "password_env: NP_EQ_B"},
};

static char *
edit(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	assert_non_null(at);
	return np_xasprintf("%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
}

static void
test_source_cfg_equal(void **state)
{
	setenv("NP_EQ_A", "p", 1);
	setenv("NP_EQ_B", "q", 1);
	struct np_config *a = ok(equal_base), *b = ok(equal_base);
	for (size_t i = 0; i < a->nsources; i++)
		assert_true(np_source_cfg_equal(&a->sources[i], &b->sources[i]));
	assert_false(np_source_cfg_equal(&a->sources[0], &a->sources[1]));
	np_config_free(b);

	/* Moving a source down the file (its line) changes nothing. */
	char *moved = np_xasprintf("# a comment\n\n%s", equal_base);
	b = ok(moved);
	assert_int_not_equal(a->sources[0].line, b->sources[0].line);
	assert_true(np_source_cfg_equal(&a->sources[0], &b->sources[0]));
	assert_true(np_source_cfg_equal(&a->sources[1], &b->sources[1]));
	np_config_free(b);
	free(moved);

	/* Giving a default explicitly changes nothing either. */
	char *explicit = edit(equal_base, "type: local\n", "type: local\n    interval: 60s\n");
	b = ok(explicit);
	assert_true(np_source_cfg_equal(&a->sources[0], &b->sources[0]));
	np_config_free(b);
	free(explicit);

	for (size_t i = 0; i < sizeof(equal_edits) / sizeof(equal_edits[0]); i++) {
		const char *from = equal_edits[i][0];
		/* Edits of the stealthwatch entry: search after its name. */
		const char *start =
		    strstr(from, "type: local") || strstr(from, "clude") || strstr(from, "name: l")
		        ? equal_base
		        : strstr(equal_base, "name: s");
		char *t = edit(start, from, equal_edits[i][1]);
		char *full = start == equal_base
		                 ? t
		                 : np_xasprintf("%.*s%s", (int)(start - equal_base), equal_base, t);
		b = ok(full);
		size_t k = start == equal_base ? 0 : 1;
		if (np_source_cfg_equal(&a->sources[k], &b->sources[k]))
			fail_msg("edit %zu (%s -> %s) not seen as a change", i, from,
			         equal_edits[i][1]);
		assert_true(np_source_cfg_equal(&a->sources[1 - k], &b->sources[1 - k]));
		np_config_free(b);
		if (full != t)
			free(full);
		free(t);
	}
	np_config_free(a);
}

static void
test_help(void **state)
{
	char *h = np_config_help();
	assert_non_null(strstr(h, "\ndaemon.database "));
	assert_non_null(strstr(h, "/var/lib/netpulse/netpulse.db"));
	assert_non_null(strstr(h, "\nstate.flap.window "));
	assert_non_null(strstr(h, "\nstorage.retention.daily "));
	assert_non_null(strstr(h, "\nalerts[].server "));
	assert_non_null(strstr(h, "\nsources[].known_hosts "));
	assert_non_null(strstr(h, "\nsources[] of type stealthwatch:\n"));
	assert_non_null(strstr(h, "\nsources[].password "));
	assert_non_null(strstr(h, "give password_file: a file, or password_env"));
	assert_non_null(strstr(h, "\nsources[].link_group "));
	assert_non_null(strstr(h, "\nsources[].state.down_after         duration           "
	                          "state.down_after\n"));
	assert_non_null(strstr(h,
	                       "\ndefaults.interval                  duration           60s\n"
	                       "                                   poll interval of sources that "
	                       "set none\n"));
	free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_no_sources_is_all_defaults),
	    cmocka_unit_test(test_shipped_local_yaml),
	    cmocka_unit_test(test_shipped_netpulse_yaml),
	    cmocka_unit_test(test_shipped_container_yaml),
	    cmocka_unit_test(test_shipped_netpulse_yaml_mentions_every_key),
	    cmocka_unit_test(test_table_defaults_parse),
	    cmocka_unit_test(test_source_defaults),
	    cmocka_unit_test(test_overrides),
	    cmocka_unit_test(test_alerts),
	    cmocka_unit_test(test_password_file_and_env),
	    cmocka_unit_test(test_clear_password_refused),
	    cmocka_unit_test(test_load_no_secrets),
	    cmocka_unit_test(test_credentials_directory),
	    cmocka_unit_test(test_load_missing_file),
	    cmocka_unit_test(test_source_cfg_equal),
	    cmocka_unit_test(test_help),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
