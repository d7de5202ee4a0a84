/*
 * Every error is "file:line:column: message" and all of a file's errors come back together.
 * Messages are compared whole: they are what a user reads.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "util/xmalloc.h"
#include "collectors/local.h"

static void
expect_errors_len(const char *text, size_t len, const char *want)
{
	char *cause = NULL;
	struct np_config *cfg = np_config_parse("t.yaml", text, len, &cause);
	if (cfg != NULL) {
		np_config_free(cfg);
		fail_msg("accepted:\n%s", text);
	}
	assert_non_null(cause);
	assert_string_equal(cause, want);
	free(cause);
}

static void
expect_errors(const char *text, const char *want)
{
	expect_errors_len(text, strlen(text), want);
}

#define SW_HEAD                                                                                    \
	"sources:\n"                                                                               \
	"  - name: fc\n"                                                                           \
	"    type: stealthwatch\n"                                                                 \
	"    host: h\n"                                                                            \
	"    user: u\n"                                                                            \
	"    known_hosts: /k\n"

static void
test_unknown_key(void **state)
{
	expect_errors(
	    "sources:\n  - name: x\n    type: local\n    intervall: 5s\n",
	    "t.yaml:4:5: unknown key 'intervall' in source 'x' (did you mean 'interval'?)");
	expect_errors("colour: red\n", "t.yaml:1:1: unknown key 'colour' at the top level");
	expect_errors(
	    "sourcs: []\n",
	    "t.yaml:1:1: unknown key 'sourcs' at the top level (did you mean 'sources'?)");
	expect_errors("state:\n  flap: { windw: 5m }\n",
	              "t.yaml:2:11: unknown key 'windw' in state.flap (did you mean 'window'?)");
	expect_errors("daemon:\n  databse: /x\n",
	              "t.yaml:2:3: unknown key 'databse' in daemon (did you mean 'database'?)");
	/* A suggestion only among the keys valid for the entry's type. */
	expect_errors("sources:\n  - { name: x, type: local, hots: h }\n",
	              "t.yaml:2:29: unknown key 'hots' in source 'x'");
	expect_errors("sources:\n  - { name: x, type: stealthwatch, hots: h, user: u,"
	              " known_hosts: /k, use_agent: true }\n",
	              "t.yaml:2:5: missing required key 'host' in source 'x'\n"
	              "t.yaml:2:36: unknown key 'hots' in source 'x' (did you mean 'host'?)");
	expect_errors("alerts:\n  - { type: syslog, sever: x }\n",
	              "t.yaml:2:21: unknown key 'sever' in alert 1 (did you mean 'server'?)");
	expect_errors("sources:\n  - name: x\n    type: local\n    state: { down_afer: 1s }\n",
	              "t.yaml:4:14: unknown key 'down_afer' in source 'x' state (did you mean "
	              "'down_after'?)");
	/* Flap detection and alert_never_up are engine-wide: per source they are refused. */
	expect_errors("sources:\n  - name: x\n    type: local\n"
	              "    state: { up_after: 1s, flap: { window: 5m }, alert_never_up: true }\n",
	              "t.yaml:4:34: 'state.flap' cannot be set per source (source 'x'): set it in "
	              "the top-level state section\n"
	              "t.yaml:4:66: 'state.alert_never_up' cannot be set per source (source 'x'): "
	              "set it in the top-level state section");
	/* So is forget_after (links are forgotten engine-wide). */
	expect_errors("sources:\n  - name: x\n    type: local\n"
	              "    state: { forget_after: 1d }\n",
	              "t.yaml:4:28: 'state.forget_after' cannot be set per source (source 'x'): "
	              "set it in the top-level state section");
	expect_errors(
	    "state: { forget_after: 401d }\n",
	    "t.yaml:1:24: bad value for 'forget_after' in state: expected a duration from 0 to "
	    "400d, got '401d'");
}

static void
test_bad_type(void **state)
{
	expect_errors("defaults:\n  interval: [1, 2]\n",
	              "t.yaml:2:13: bad value for 'interval' in defaults: expected a duration like "
	              "30s, 5m, 2h, got a list");
	expect_errors("sources:\n  - { name: x, type: local, netlink: maybe }\n",
	              "t.yaml:2:38: bad value for 'netlink' in source 'x': expected true or false, "
	              "got 'maybe'");
	expect_errors("sources:\n  - { name: x, type: local, netlink: yes }\n",
	              "t.yaml:2:38: bad value for 'netlink' in source 'x': expected true or false, "
	              "got 'yes'");
	expect_errors(
	    SW_HEAD "    use_agent: true\n    port: ssh\n",
	    "t.yaml:8:11: bad value for 'port' in source 'fc': expected an integer from 1 "
	    "to 65535, got 'ssh'");
	expect_errors("state: 5\n",
	              "t.yaml:1:8: bad value for 'state' at the top level: expected a mapping, got "
	              "'5'");
	expect_errors("state:\n  flap: [1]\n",
	              "t.yaml:2:9: bad value for 'flap' in state: expected a mapping, got a list");
	expect_errors("sources: { a: 1 }\n",
	              "t.yaml:1:10: bad value for 'sources' at the top level: expected a list, got "
	              "a mapping");
	expect_errors("alerts: syslog\n",
	              "t.yaml:1:9: bad value for 'alerts' at the top level: expected a list, got "
	              "'syslog'");
	expect_errors("sources:\n  - just a string\n  - [a]\n",
	              "t.yaml:2:5: source 1: expected a mapping, got 'just a string'\n"
	              "t.yaml:3:5: source 2: expected a mapping, got a list");
	expect_errors("- a\n", "t.yaml:1:1: expected a mapping of sections (daemon, defaults, "
	                       "state, storage, alerts, sources) at the top level, got a list");
	expect_errors("just text\n", "t.yaml:1:1: expected a mapping of sections (daemon, "
	                             "defaults, state, storage, alerts, sources) at the top "
	                             "level, got 'just text'");
	expect_errors("daemon:\n  log_level: verbose\n  log: sterr\n  database:\n",
	              "t.yaml:2:14: bad value for 'log_level' in daemon: expected one of err, "
	              "warning, notice, info, debug, got 'verbose'\n"
	              "t.yaml:3:8: bad value for 'log' in daemon: expected stderr, syslog, a file "
	              "path containing '/' or a syslog server like tcp://host:port, got 'sterr'\n"
	              "t.yaml:4:12: bad value for 'database' in daemon: expected a non-empty "
	              "string, got nothing");
	expect_errors("daemon: { timezone: \"Europe/Some Where\" }\n",
	              "t.yaml:1:21: bad value for 'timezone' in daemon: expected a name of at most "
	              "64 printable characters without spaces, got 'Europe/Some Where'");
	/* Well-formed is not enough: a zone the system lacks fails every report later. */
	expect_errors("daemon: { timezone: Mars/Olympus_Mons }\nsources: []\n",
	              "t.yaml:1:21: bad value for 'timezone' in daemon: unknown time zone "
	              "\"Mars/Olympus_Mons\" (/usr/share/zoneinfo/Mars/Olympus_Mons: No such file "
	              "or directory)");
	expect_errors("daemon: { timezone: ../../etc/passwd }\nsources: []\n",
	              "t.yaml:1:21: bad value for 'timezone' in daemon: invalid time zone name "
	              "\"../../etc/passwd\"");
	expect_errors("sources:\n  - { name: \"bad name\", type: local }\n",
	              "t.yaml:2:13: bad value for 'name' in source 'bad name': expected a name of "
	              "at most 64 letters, digits or . _ - : @, got 'bad name'");
	expect_errors(
	    "sources:\n  - { name: x, type: local, max_rate: -1 }\n",
	    "t.yaml:2:39: bad value for 'max_rate' in source 'x': expected a number >= 0, "
	    "got '-1'");
	expect_errors(
	    "sources:\n  - { name: x, type: local, max_rate: 0x10 }\n",
	    "t.yaml:2:39: bad value for 'max_rate' in source 'x': expected a number >= 0, "
	    "got '0x10'");
	expect_errors(SW_HEAD "    password_env: 1BAD\n",
	              "t.yaml:7:19: bad value for 'password_env' in source 'fc': expected an "
	              "environment variable name (letters, digits, _), got '1BAD'");
	expect_errors(
	    "alerts:\n  - { type: syslog, enterprise: 0, hostname: \"my host\","
	    " format: rfc9999 }\n",
	    "t.yaml:2:33: bad value for 'enterprise' in alert 1: expected an integer from "
	    "1 to 4294967295, got '0'\n"
	    "t.yaml:2:46: bad value for 'hostname' in alert 1: expected a name of at most "
	    "255 printable characters without spaces, got 'my host'\n"
	    "t.yaml:2:65: bad value for 'format' in alert 1: expected one of rfc5424, "
	    "rfc3164, got 'rfc9999'");
}

static void
test_bad_duration(void **state)
{
	expect_errors("defaults: { interval: abc }\n",
	              "t.yaml:1:23: bad value for 'interval' in defaults: expected a duration like "
	              "30s, 5m, 2h, got 'abc'");
	expect_errors("defaults: { interval: 30 }\n",
	              "t.yaml:1:23: bad value for 'interval' in defaults: expected a duration like "
	              "30s, 5m, 2h, got '30'");
	expect_errors("defaults: { timeout: 10ms }\n",
	              "t.yaml:1:22: bad value for 'timeout' in defaults: expected a duration from "
	              "100ms to 1h, got '10ms'");
	expect_errors("state: { stale_after: 0.5x }\n",
	              "t.yaml:1:23: bad value for 'stale_after' in state: expected a multiple from "
	              "1x to 1000x, got '0.5x'");
	expect_errors("state: { stale_after: soon }\n",
	              "t.yaml:1:23: bad value for 'stale_after' in state: expected a duration like "
	              "30s, 5m, 2h or a multiple of the interval like 3x, got 'soon'");
	expect_errors("state: { down_after: forever }\n",
	              "t.yaml:1:22: bad value for 'down_after' in state: expected a duration like "
	              "30s, 5m, 2h, got 'forever'");
	expect_errors("storage:\n  retention: { raw: never }\n",
	              "t.yaml:2:21: bad value for 'raw' in storage.retention: expected a duration "
	              "like 2d, 400d or 'forever', got 'never'");
	expect_errors("storage:\n  retention: { raw: 10m }\n",
	              "t.yaml:2:21: bad value for 'raw' in storage.retention: expected a duration "
	              "from 1h to 36525d, got '10m'");
	expect_errors("sources:\n  - { name: x, type: local, interval: 5 m }\n",
	              "t.yaml:2:39: bad value for 'interval' in source 'x': expected a duration "
	              "like 30s, 5m, 2h, got '5 m'");
}

static void
test_missing_required_key(void **state)
{
	expect_errors("sources:\n  - name: fc\n    type: stealthwatch\n    use_agent: true\n",
	              "t.yaml:2:5: missing required key 'host' in source 'fc'\n"
	              "t.yaml:2:5: missing required key 'user' in source 'fc'\n"
	              "t.yaml:2:5: missing required key 'known_hosts' in source 'fc'");
	expect_errors("sources:\n  - { type: local }\n",
	              "t.yaml:2:5: missing required key 'name' in source 1");
	expect_errors("sources:\n  - { name: x }\n",
	              "t.yaml:2:5: missing required key 'type' in source 'x'");
	expect_errors("alerts:\n  - facility: daemon\n",
	              "t.yaml:2:5: missing required key 'type' in alert 1");
	/* An unknown type: the common keys are still checked. */
	expect_errors("sources:\n  - { name: x, type: nosuch, interval: x }\n",
	              "t.yaml:2:22: bad value for 'type' in source 'x': expected one of local, "
	              "stealthwatch, meraki, aviatrix, cato, got 'nosuch'\n"
	              "t.yaml:2:40: bad value for 'interval' in source 'x': expected a duration "
	              "like 30s, 5m, 2h, got 'x'");
	expect_errors(SW_HEAD,
	              "t.yaml:2:5: source 'fc' needs a way to authenticate: one of identity_file, "
	              "use_agent: true, password_file or password_env");
	expect_errors(SW_HEAD "    use_agent: false\n",
	              "t.yaml:2:5: source 'fc' needs a way to authenticate: one of identity_file, "
	              "use_agent: true, password_file or password_env");
}

static void
test_key_on_wrong_type(void **state)
{
	expect_errors("sources:\n  - name: x\n    type: local\n    host: foo\n",
	              "t.yaml:4:5: key 'host' is not valid for a source of type local");
	expect_errors(SW_HEAD "    use_agent: true\n    netlink: false\n    exclude: [a]\n",
	              "t.yaml:8:5: key 'netlink' is not valid for a source of type stealthwatch\n"
	              "t.yaml:9:5: key 'exclude' is not valid for a source of type stealthwatch");
	/* The type may come after the key. */
	expect_errors("sources:\n  - { name: x, port: 22, type: local }\n",
	              "t.yaml:2:16: key 'port' is not valid for a source of type local");
}

static void
test_duplicates(void **state)
{
	expect_errors(
	    "sources:\n"
	    "  - { name: a, type: local }\n"
	    "  - { name: b, type: local }\n"
	    "  - { name: a, type: local }\n",
	    "t.yaml:4:13: duplicate source name 'a' (first defined at line 2, column 13)");
	expect_errors(
	    "sources:\n  - name: x\n    type: local\n    interval: 5s\n    interval: 6s\n",
	    "t.yaml:5:5: duplicate key 'interval' in source 'x' (first at line 4, column "
	    "5)");
	expect_errors(
	    "daemon: {}\ndaemon: {}\n",
	    "t.yaml:2:1: duplicate key 'daemon' at the top level (first at line 1, column "
	    "1)");
	expect_errors("state:\n  flap: { window: 1m, window: 2m }\n",
	              "t.yaml:2:23: duplicate key 'window' in state.flap (first at line 2, column "
	              "11)");
}

static void
test_bad_regex(void **state)
{
	expect_errors("sources:\n  - name: x\n    type: local\n    exclude: [\"^ok$\", \"(\"]\n",
	              "t.yaml:4:23: bad value for 'exclude' in source 'x': invalid regular "
	              "expression '(': Unmatched ( or \\(");
	expect_errors("sources:\n  - name: x\n    type: local\n    include: \"a{2,1}\"\n",
	              "t.yaml:4:14: bad value for 'include' in source 'x': invalid regular "
	              "expression 'a{2,1}': Invalid content of \\{\\}");
	expect_errors("sources:\n  - name: x\n    type: local\n    include: [[a]]\n",
	              "t.yaml:4:15: bad value for 'include' in source 'x': expected a regular "
	              "expression, got a list");
	expect_errors("sources:\n  - name: x\n    type: local\n    include: { a: b }\n",
	              "t.yaml:4:14: bad value for 'include' in source 'x': expected a list of "
	              "regular expressions, got a mapping");
}

/* What a pattern may cost is bounded before regcomp runs (issue #12: a{1,10000} stalled). */
static void
test_regex_cost_limits(void **state)
{
	expect_errors("sources:\n  - { name: x, type: local, include: [\"a{1,10000}\"] }\n",
	              "t.yaml:2:39: bad value for 'include' in source 'x': regular expression "
	              "'a{1,10000}' repeats something 10000 times; a repetition count may be at "
	              "most 255");
	expect_errors("sources:\n  - { name: x, type: local, exclude: \"x{256}\" }\n",
	              "t.yaml:2:38: bad value for 'exclude' in source 'x': regular expression "
	              "'x{256}' repeats something 256 times; a repetition count may be at most "
	              "255");
	/* Each bound is small, their product is not. */
	expect_errors("sources:\n  - { name: x, type: local, include: [\"(a{1,200}){1,200}\"] }\n",
	              "t.yaml:2:39: bad value for 'include' in source 'x': regular expression "
	              "'(a{1,200}){1,200}' is too costly to compile: written out, its "
	              "repetitions come to 40201 elements; at most 1000 are allowed (nest fewer "
	              "or smaller {m,n})");
	expect_errors("sources:\n  - { name: x, type: local, include: "
	              "[\"(((a*){1,10}){1,10}){1,10}\"] }\n",
	              "t.yaml:2:39: bad value for 'include' in source 'x': regular expression "
	              "'(((a*){1,10}){1,10}){1,10}' is too costly to compile: written out, its "
	              "repetitions come to 2111 elements; at most 1000 are allowed (nest fewer "
	              "or smaller {m,n})");
	/* glibc reads {,n} as {0,n}: found by fuzz_config as an out-of-memory. */
	expect_errors("sources:\n  - { name: x, type: local, include: [\"(a{,200}){,200}\"] }\n",
	              "t.yaml:2:39: bad value for 'include' in source 'x': regular expression "
	              "'(a{,200}){,200}' is too costly to compile: written out, its "
	              "repetitions come to 40201 elements; at most 1000 are allowed (nest fewer "
	              "or smaller {m,n})");
	char pat[258];
	memset(pat, 'a', 257);
	pat[257] = '\0';
	char *text = np_xasprintf("sources:\n  - { name: x, type: local, include: [%s] }\n", pat);
	expect_errors(text, "t.yaml:2:39: bad value for 'include' in source 'x': regular "
	                    "expression 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	                    "aaa...' is 257 bytes long; at most 256 are allowed");
	free(text);
	/* Each pattern within the limit, the list together not. */
	expect_errors(
	    "sources:\n  - { name: x, type: local, include: [\"a{1,255}b{1,255}c{1,255}\","
	    " \"a{1,255}b{1,255}c{1,255}\", \"a{1,255}b{1,255}c{1,255}\"] }\n",
	    "t.yaml:2:95: bad value for 'include' in source 'x': the regular "
	    "expressions of this list come to 2304 elements written out; at most 2000 "
	    "are allowed in one list");
	/* The same patterns at the limit are accepted (and compiled once here to check). */
	/*
	 * A repetition of something that already repeats is refused whatever its size: the last
	 * one, 190 elements written out, was found by fuzz_config still compiling after 20 min.
	 */
	static const char *const nested[] = {"(a*)*", "a**", "(a+){2,3}", "(x|y?)+",
	                                     "((a*){1,9}){1,10}*"};
	for (size_t i = 0; i < sizeof(nested) / sizeof(nested[0]); i++) {
		char *t = np_xasprintf(
		    "sources:\n  - { name: x, type: local, include: [\"%s\"] }\n", nested[i]);
		char *want = np_xasprintf(
		    "t.yaml:2:39: bad value for 'include' in source 'x': regular expression '%s' "
		    "repeats something that already repeats (as in (a*)* or (a+){2,3}); such "
		    "nesting "
		    "can take regcomp minutes, write the pattern without it",
		    nested[i]);
		expect_errors(t, want);
		free(want);
		free(t);
	}
	const char *okt =
	    "sources:\n  - { name: x, type: local, include: [\"a{1,255}b{1,255}c{1,255}\","
	    " \"^(eth|en|wl)[0-9a-z]+$\", \"[[:alpha:]]{1,255}\", \"x{2,}\"] }\n";
	char *cause = NULL;
	struct np_config *c = np_config_parse("t.yaml", okt, strlen(okt), &cause);
	if (c == NULL)
		fail_msg("%s", cause);
	assert_int_equal(((const struct np_local_conf *)c->sources[0].conf)->ninclude, 4);
	np_config_free(c);
}

/* A file that would monitor nothing is an error unless it says `sources: []`. */
static void
test_nothing_to_monitor(void **state)
{
	expect_errors("", "t.yaml:1:1: the file is empty: no sources to monitor (write "
	                  "`sources: []` to run with none)");
	expect_errors(" \n  \n", "t.yaml:1:1: the file is empty: no sources to monitor (write "
	                         "`sources: []` to run with none)");
	expect_errors("# only comments\n", "t.yaml:1:1: no `sources:` section: nothing to "
	                                   "monitor (write `sources: []` to run with none)");
	expect_errors("daemon: { database: /x.db }\nalerts: []\n",
	              "t.yaml:1:1: no `sources:` section: nothing to monitor (write `sources: "
	              "[]` to run with none)");
	/* A file cut short after the key: the daemon must not apply "no sources". */
	expect_errors("daemon: { database: /x.db }\nsources:\n",
	              "t.yaml:2:9: `sources:` has no entries: nothing to monitor (write "
	              "`sources: []` to run with none)");
	expect_errors("sources: ~\n", "t.yaml:1:10: `sources:` has no entries: nothing to "
	                              "monitor (write `sources: []` to run with none)");
	expect_errors("sources: []\nalerts:\n",
	              "t.yaml:2:8: `alerts:` has no entries (write `alerts: []` for none, or "
	              "leave the key out)");
	/* Other errors come without the reminder. */
	expect_errors("colour: red\n", "t.yaml:1:1: unknown key 'colour' at the top level");
}

/* Two entries for one target would share outbox rows: refused, whatever the spelling. */
static void
test_alert_targets(void **state)
{
	expect_errors("sources: []\nalerts:\n  - { type: syslog, server: \"udp://h:514\" }\n"
	              "  - { type: syslog, server: \"UDP://H\" }\n",
	              "t.yaml:4:5: alert 2 sends to the same target as the alert at line 3 "
	              "(UDP://H); one entry per target");
	expect_errors("sources: []\nalerts:\n  - { type: syslog, server: \"[::1]:0514\" }\n"
	              "  - { type: syslog, server: \"udp://[0:0::1]:514\" }\n",
	              "t.yaml:4:5: alert 2 sends to the same target as the alert at line 3 "
	              "(udp://[0:0::1]:514); one entry per target");
	expect_errors("sources: []\nalerts:\n  - { type: syslog }\n"
	              "  - { type: syslog, facility: local0 }\n",
	              "t.yaml:4:5: alert 2 sends to the same target as the alert at line 3 "
	              "(local syslog); one entry per target");
	expect_errors("sources: []\nalerts:\n  - { type: syslog }\n"
	              "  - { type: syslog, socket: /dev/log }\n",
	              "t.yaml:4:5: alert 2 sends to the same target as the alert at line 3 "
	              "(local syslog); one entry per target");
	expect_errors("sources: []\nalerts:\n  - { type: syslog, server: \"h\", socket: /s }\n",
	              "t.yaml:3:42: keys 'server' and 'socket' cannot be used together in alert "
	              "1 (socket is the local logger's)");
	expect_errors("sources: []\nalerts:\n  - { type: journald }\n"
	              "  - { type: journald, socket: /run/systemd/journal/socket }\n",
	              "t.yaml:4:5: alert 2 sends to the same target as the alert at line 3 "
	              "(journald); one entry per target");
	expect_errors("sources: []\nalerts:\n  - { type: stderr }\n  - { type: stderr }\n",
	              "t.yaml:4:5: alert 2 sends to the same target as the alert at line 3 "
	              "(stderr); one entry per target");
	/* udp and tcp to one host are two targets; so are two local sockets, and a syslog and a
	 * journald socket. */
	const char *okt = "sources: []\nalerts:\n  - { type: syslog, server: \"udp://h\" }\n"
	                  "  - { type: syslog, server: \"tcp://h\" }\n  - { type: syslog }\n"
	                  "  - { type: syslog, socket: /run/other.sock }\n"
	                  "  - { type: journald }\n  - { type: journald, socket: /run/j.sock }\n"
	                  "  - { type: stderr }\n";
	char *cause = NULL;
	struct np_config *c = np_config_parse("t.yaml", okt, strlen(okt), &cause);
	if (c == NULL)
		fail_msg("%s", cause);
	assert_int_equal(c->nalerts, 7);
	assert_int_equal(c->alerts[4].type, NP_SINK_JOURNALD);
	assert_null(c->alerts[4].socket);
	assert_string_equal(c->alerts[5].socket, "/run/j.sock");
	assert_int_equal(c->alerts[6].type, NP_SINK_STDERR);
	np_config_free(c);
	/* A syslog server's keys are not a journald sink's. */
	expect_errors("sources: []\nalerts:\n  - { type: journald, server: \"udp://h\" }\n",
	              "t.yaml:3:23: key 'server' is not valid for a alert of type journald");
}

static void
test_bad_server(void **state)
{
	expect_errors("alerts:\n  - { type: syslog, server: \"ftp://x:21\" }\n",
	              "t.yaml:2:29: bad value for 'server' in alert 1: expected a syslog server "
	              "like udp://host:port, tcp://host:port, tls://host:port, relp://host:port, "
	              "host:port or [v6addr]:port, got 'ftp://x:21'");
	expect_errors("alerts:\n  - { type: syslog }\n  - { type: syslog, server: \"h:0\" }\n",
	              "t.yaml:3:29: bad value for 'server' in alert 2: expected a syslog server "
	              "like udp://host:port, tcp://host:port, tls://host:port, relp://host:port, "
	              "host:port or [v6addr]:port, got "
	              "'h:0'");
	expect_errors("alerts:\n  - { type: syslog, server: \"::1\" }\n",
	              "t.yaml:2:29: bad value for 'server' in alert 1: expected a syslog server "
	              "like udp://host:port, tcp://host:port, tls://host:port, relp://host:port, "
	              "host:port or [v6addr]:port, got "
	              "'::1'");
	expect_errors(
	    "sources: []\nmaintenance:\n  - { at: \"02:30\", duration: 1h, days: [mon, "
	    "funday] }\n",
	    "t.yaml:3:40: maintenance 1: unknown day \"funday\" (mon, tue, wed, thu, fri, "
	    "sat, sun)");
	expect_errors("maintenance:\n  - { start: \"2026-12-01T10:00\" }\n",
	              "t.yaml:2:5: maintenance 1: end: expected YYYY-MM-DDTHH:MM[:SS] with an "
	              "optional UTC offset (Z, +01:00), got \"\"");
	/* Every bad entry is said, a bad down_after hiding no bad regex. */
	expect_errors("links:\n  - { device: \"sw(\", alert: false }\n  - { down_after: soon }\n"
	              "  - { interface: \"[z-a]\" }\n",
	              "t.yaml:2:15: links 1: bad regular expression \"sw(\": Unmatched ( or \\(\n"
	              "t.yaml:3:19: links 2: down_after: expected a duration like 30s or 5m, got "
	              "\"soon\"\n"
	              "t.yaml:4:18: links 3: bad regular expression \"[z-a]\": Invalid range end");
	expect_errors("links:\n  - { device: \"sw(\", alert: false }\n",
	              "t.yaml:2:15: links 1: bad regular expression \"sw(\": Unmatched ( or \\(");
	expect_errors("links:\n  - { labels: [\"site=^dc1$\", \"nope\"], alert: false }\n",
	              "t.yaml:2:15: links 1: expected NAME=REGEX, got \"nope\"");
	expect_errors("links:\n  - { labels: [\"site=(\"] }\n",
	              "t.yaml:2:15: links 1: bad regular expression \"(\": Unmatched ( or \\(");
	expect_errors("alerts:\n  - { type: pager }\n",
	              "t.yaml:2:13: bad value for 'type' in alert 1: expected one of syslog, "
	              "webhook, email, journald, stderr, got 'pager'");
	expect_errors("alerts:\n  - { type: email }\n",
	              "t.yaml:2:1: an email alert needs the `mail:` section (server, from)\n"
	              "t.yaml:2:5: missing required key 'to' in alert 1");
	expect_errors("alerts:\n  - { type: webhook, url: \"ftp://x\" }\n",
	              "t.yaml:2:27: bad value for 'url': expected an http:// or https:// address");
	expect_errors("alerts: { max_age: 10s, sinks: [] }\n",
	              "t.yaml:1:20: bad value for 'max_age' in alerts: expected a duration from 1m "
	              "to 36525d, got '10s'");
	expect_errors(
	    "alerts:\n  - { type: syslog, facility: local9 }\n",
	    "t.yaml:2:31: bad value for 'facility' in alert 1: expected one of kern, user, "
	    "mail, daemon, auth, syslog, lpr, news, uucp, cron, authpriv, ftp, local0, "
	    "local1, local2, local3, local4, local5, local6, local7, got 'local9'");
}

static void
test_yaml_syntax_error(void **state)
{
	expect_errors("a: [\n b",
	              "t.yaml:3:1: YAML syntax error: did not find expected ',' or ']' (while "
	              "parsing a flow sequence at line 1, column 4)");
	expect_errors("daemon:\n  database: /x\n log: stderr\n",
	              "t.yaml:3:2: YAML syntax error: did not find expected key (while parsing a "
	              "block mapping at line 1, column 1)");
	expect_errors("daemon:\n\tdatabase: /x\n",
	              "t.yaml:2:1: YAML syntax error: found character that cannot start any token "
	              "(while scanning for the next token at line 2, column 1)");
	expect_errors("daemon: { database: \"/x }\n",
	              "t.yaml:2:1: YAML syntax error: found unexpected end of stream (while "
	              "scanning a quoted scalar at line 1, column 21)");
	/* Invalid UTF-8: libyaml reports a byte offset, turned into line:column. */
	expect_errors("daemon:\n  database: /x\xff\n",
	              "t.yaml:2:15: YAML syntax error: invalid leading UTF-8 octet");
	expect_errors("x: &a 1\ny: *a\n",
	              "t.yaml:1:1: unknown key 'x' at the top level\n"
	              "t.yaml:1:4: anchors and aliases are not supported (anchor 'a')\n"
	              "t.yaml:2:1: unknown key 'y' at the top level\n"
	              "t.yaml:2:4: anchors and aliases are not supported (alias 'a')");
	expect_errors("daemon: {}\n---\ndaemon: {}\n",
	              "t.yaml:2:1: only one YAML document is allowed in a config file");
	expect_errors("? [a]\n: 1\n", "t.yaml:1:3: a mapping key must be a plain value");
	expect_errors_len("daemon: { database: \"/x\\0y\" }\n", 30,
	                  "t.yaml:1:21: a value contains a NUL byte\n"
	                  "t.yaml:1:21: bad value for 'database' in daemon: expected a non-empty "
	                  "string, got ''");
	/* Nesting is bounded (the walkers and free() recurse). */
	char deep[200];
	memset(deep, '[', 100);
	memset(deep + 100, ']', 100);
	expect_errors_len(deep, sizeof(deep), "t.yaml:1:33: nested deeper than 32 levels");
}

static void
test_secret_errors(void **state)
{
	unsetenv("NP_SURELY_UNSET_PW");
	expect_errors(SW_HEAD "    password_env: NP_SURELY_UNSET_PW\n",
	              "t.yaml:7:19: bad value for 'password_env' in source 'fc': environment "
	              "variable NP_SURELY_UNSET_PW is not set");
	setenv("NP_EMPTY_PW", "", 1);
	expect_errors(SW_HEAD "    password_env: NP_EMPTY_PW\n",
	              "t.yaml:7:19: bad value for 'password_env' in source 'fc': environment "
	              "variable NP_EMPTY_PW is empty");
	unsetenv("NP_EMPTY_PW");
	expect_errors(SW_HEAD "    password_file: /nonexistent/pw\n",
	              "t.yaml:7:20: bad value for 'password_file' in source 'fc': cannot open "
	              "/nonexistent/pw: No such file or directory");
	expect_errors(SW_HEAD "    password_file: /tmp\n",
	              "t.yaml:7:20: bad value for 'password_file' in source 'fc': /tmp is not a "
	              "regular file");
	char *dir = np_test_tmpdir();
	char *empty = np_xasprintf("%s/empty", dir);
	FILE *f = fopen(empty, "w");
	fputs("\n", f);
	fclose(f);
	char *text = np_xasprintf(SW_HEAD "    password_file: %s\n", empty);
	char *want = np_xasprintf("t.yaml:7:20: bad value for 'password_file' in source 'fc': "
	                          "%s is empty",
	                          empty);
	expect_errors(text, want);
	unlink(empty);
	rmdir(dir);
	free(text);
	free(want);
	free(empty);
	free(dir);
	expect_errors(SW_HEAD "    password: a\n    password_env: B\n",
	              "t.yaml:8:19: keys 'password' and 'password_env' in source 'fc' cannot be "
	              "used together");
}

/* The cato source's own rules, at their keys. */
static void
test_cato(void **state)
{
	(void)state;
	expect_errors("sources:\n"
	              "  - name: c\n"
	              "    type: cato\n"
	              "    api_key_env: K\n"
	              "    rate_limit: 0\n"
	              "    base_url: ftp://x\n",
	              "t.yaml:2:5: missing required key 'account_id' in source 'c'\n"
	              "t.yaml:4:18: bad value for 'api_key_env' in source 'c': environment "
	              "variable K is not set\n"
	              "t.yaml:5:17: must be above 0\n"
	              "t.yaml:6:15: not an http:// or https:// URL");
}

/* A secret given in clear never shows up in a message, whatever else is wrong. */
static void
test_secret_never_in_messages(void **state)
{
	static const char *const texts[] = {
	    SW_HEAD "    password: Hunter2-secret\n    pasword: Hunter2-secret\n",
	    SW_HEAD "    password: Hunter2-secret\n    password: Hunter2-secret\n",
	    SW_HEAD "    password: Hunter2-secret\n    password_file: /nonexistent\n",
	    SW_HEAD "    password: Hunter2-secret\n    port: ssh\n",
	    "sources:\n  - { name: l, type: local, password: Hunter2-secret }\n",
	    "sources:\n  - { name: l, type: meraki, password: Hunter2-secret }\n",
	    "sources:\n  - { name: c, type: cato, account_id: 1, api_key: Hunter2-secret }\n",
	    SW_HEAD "    password: [Hunter2-secret]\n",
	    SW_HEAD "    password: { Hunter2-secret: 1 }\n",
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		char *cause = NULL;
		struct np_config *cfg =
		    np_config_parse("t.yaml", texts[i], strlen(texts[i]), &cause);
		assert_null(cfg);
		assert_non_null(cause);
		if (strstr(cause, "Hunter2") != NULL)
			fail_msg("secret in message %zu:\n%s", i, cause);
		free(cause);
	}
}

static void
test_all_errors_together(void **state)
{
	expect_errors("daemon:\n"
	              "  log_level: loud\n"
	              "defaults: { interval: abc, timeout: 10ms }\n"
	              "alerts:\n"
	              "  - { type: syslog, server: \"ftp://x\" }\n"
	              "sources:\n"
	              "  - name: x\n"
	              "    type: local\n"
	              "    intervall: 5s\n"
	              "    host: foo\n"
	              "    exclude: [\"(\"]\n"
	              "  - name: x\n"
	              "    type: stealthwatch\n"
	              "    use_agent: true\n"
	              "sourcs: []\n",
	              "t.yaml:2:14: bad value for 'log_level' in daemon: expected one of err, "
	              "warning, notice, info, debug, got 'loud'\n"
	              "t.yaml:3:23: bad value for 'interval' in defaults: expected a duration like "
	              "30s, 5m, 2h, got 'abc'\n"
	              "t.yaml:3:37: bad value for 'timeout' in defaults: expected a duration from "
	              "100ms to 1h, got '10ms'\n"
	              "t.yaml:5:29: bad value for 'server' in alert 1: expected a syslog server "
	              "like udp://host:port, tcp://host:port, tls://host:port, relp://host:port, "
	              "host:port or [v6addr]:port, got "
	              "'ftp://x'\n"
	              "t.yaml:9:5: unknown key 'intervall' in source 'x' (did you mean "
	              "'interval'?)\n"
	              "t.yaml:10:5: key 'host' is not valid for a source of type local\n"
	              "t.yaml:11:15: bad value for 'exclude' in source 'x': invalid regular "
	              "expression '(': Unmatched ( or \\(\n"
	              "t.yaml:12:5: missing required key 'host' in source 'x'\n"
	              "t.yaml:12:5: missing required key 'user' in source 'x'\n"
	              "t.yaml:12:5: missing required key 'known_hosts' in source 'x'\n"
	              "t.yaml:12:11: duplicate source name 'x' (first defined at line 7, column "
	              "11)\n"
	              "t.yaml:15:1: unknown key 'sourcs' at the top level (did you mean "
	              "'sources'?)");
}

static void
test_many_errors_are_capped(void **state)
{
	char *text = np_xstrdup("");
	for (int i = 0; i < 60; i++) {
		char *next = np_xasprintf("%sk%d: 1\n", text, i);
		free(text);
		text = next;
	}
	char *cause = NULL;
	assert_null(np_config_parse("t.yaml", text, strlen(text), &cause));
	size_t lines = 1;
	for (const char *p = cause; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 51);
	assert_non_null(strstr(cause, "t.yaml:1:1: unknown key 'k0' at the top level\n"));
	assert_non_null(strstr(cause, "t.yaml:50:1: unknown key 'k49' at the top level\n"));
	assert_null(strstr(cause, "'k50'"));
	assert_non_null(strstr(cause, "\nt.yaml: 10 more errors not shown"));
	free(cause);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_unknown_key),
	    cmocka_unit_test(test_bad_type),
	    cmocka_unit_test(test_bad_duration),
	    cmocka_unit_test(test_missing_required_key),
	    cmocka_unit_test(test_key_on_wrong_type),
	    cmocka_unit_test(test_duplicates),
	    cmocka_unit_test(test_bad_regex),
	    cmocka_unit_test(test_bad_server),
	    cmocka_unit_test(test_regex_cost_limits),
	    cmocka_unit_test(test_nothing_to_monitor),
	    cmocka_unit_test(test_alert_targets),
	    cmocka_unit_test(test_yaml_syntax_error),
	    cmocka_unit_test(test_secret_errors),
	    cmocka_unit_test(test_cato),
	    cmocka_unit_test(test_secret_never_in_messages),
	    cmocka_unit_test(test_all_errors_together),
	    cmocka_unit_test(test_many_errors_are_capped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
