/* `mail:` and `reports:` (lib/config/config_mail.c): values, defaults, secrets, errors. */
#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "util/xmalloc.h"

#define SRC "sources: []\n"

static struct np_config *
ok(const char *text)
{
	char *cause = NULL;
	struct np_config *cfg = np_config_parse("t.yaml", text, strlen(text), &cause);
	if (cfg == NULL)
		fail_msg("config rejected:\n%s", cause);
	return cfg;
}

static void
err(const char *text, const char *want)
{
	char *cause = NULL;
	struct np_config *cfg = np_config_parse("t.yaml", text, strlen(text), &cause);
	if (cfg != NULL)
		fail_msg("config accepted, expected: %s", want);
	if (strstr(cause, want) == NULL)
		fail_msg("got:\n%s\nexpected: %s", cause, want);
	free(cause);
}

static void
test_no_mail(void **state)
{
	struct np_config *c = ok(SRC);
	assert_null(c->mail.server);
	assert_null(c->mail.from);
	assert_int_equal(c->mail.timeout_ms, 60000);
	assert_false(c->mail.insecure);
	assert_int_equal(c->nreports, 0);
	np_config_free(c);
}

static void
test_full(void **state)
{
	setenv("NP_TEST_SMTP_PW", "s3cret", 1);
	struct np_config *c = ok(SRC "mail:\n"
	                             "  server: smtp://mail.example.net:587\n"
	                             "  from: netpulse@example.net\n"
	                             "  user: np\n"
	                             "  password_env: NP_TEST_SMTP_PW\n"
	                             "  ca_file: /etc/ca.pem\n"
	                             "  timeout: 30s\n"
	                             "reports:\n"
	                             "  - name: weekly\n"
	                             "    schedule: weekly\n"
	                             "    to: [a@example.net, b@example.org]\n"
	                             "  - name: monthly\n"
	                             "    schedule: monthly\n"
	                             "    at: \"23:59\"\n"
	                             "    period: 30d\n"
	                             "    to: c@example.net\n"
	                             "    group_by: [source, site]\n"
	                             "    source: meraki\n"
	                             "    per: day\n");
	assert_string_equal(c->mail.server, "smtp://mail.example.net:587");
	assert_string_equal(c->mail.from, "netpulse@example.net");
	assert_string_equal(c->mail.user, "np");
	assert_string_equal(c->mail.password, "s3cret");
	assert_string_equal(c->mail.ca_file, "/etc/ca.pem");
	assert_int_equal(c->mail.timeout_ms, 30000);
	assert_int_equal(c->nreports, 2);
	const struct np_report_cfg *w = &c->reports[0], *m = &c->reports[1];
	assert_string_equal(w->name, "weekly");
	assert_string_equal(w->report, "usage");
	assert_int_equal(w->schedule, NP_REPORT_WEEKLY);
	assert_string_equal(w->period, "last-week");
	assert_string_equal(w->at, "06:00");
	assert_int_equal(w->at_min, 360);
	assert_int_equal(w->nto, 2);
	assert_string_equal(w->to[0], "a@example.net");
	assert_string_equal(w->to[1], "b@example.org");
	assert_int_equal(w->ngroup_by, 0);
	assert_null(w->source);
	assert_null(w->per);
	assert_int_equal(m->schedule, NP_REPORT_MONTHLY);
	assert_string_equal(m->period, "30d");
	assert_int_equal(m->at_min, 23 * 60 + 59);
	assert_int_equal(m->nto, 1);
	assert_string_equal(m->to[0], "c@example.net");
	assert_int_equal(m->ngroup_by, 2);
	assert_string_equal(m->group_by[1], "site");
	assert_string_equal(m->source, "meraki");
	assert_string_equal(m->per, "day");
	np_config_free(c);
	c = ok(SRC "mail: {server: smtp://m.example.net, from: a@example.net}\n"
	           "reports: [{name: m, schedule: monthly, to: [x@example.net]}]\n");
	assert_string_equal(c->reports[0].period, "last-month");
	assert_null(c->mail.user);
	assert_null(c->mail.password);
	np_config_free(c);
	unsetenv("NP_TEST_SMTP_PW");
}

static void
test_password_file_and_insecure(void **state)
{
	char *dir = np_test_tmpdir();
	char *path = np_xasprintf("%s/pw", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("from-file\n", f);
	fclose(f);
	char *text = np_xasprintf(SRC "mail:\n  server: smtps://m.example.net:465\n"
	                              "  from: a@example.net\n  user: u\n  password_file: %s\n"
	                              "  insecure: true\n",
	                          path);
	struct np_config *c = ok(text);
	assert_string_equal(c->mail.password, "from-file");
	assert_true(c->mail.insecure);
	/* "no sources configured", then this one. */
	assert_int_equal(c->nwarnings, 2);
	assert_string_equal(c->warnings[1], "t.yaml:7:13: mail.insecure: the mail server's TLS "
	                                    "certificate is not verified");
	np_config_free(c);
	unlink(path);
	rmdir(dir);
	free(text);
	free(path);
	free(dir);
}

static void
test_errors(void **state)
{
	err(SRC "mail:\n  server: smtp://m.example.net\n  from: a@example.net\n  user: u\n"
	        "  password: hunter2\n",
	    "t.yaml:6:13: mail: a password in clear is not accepted");
	err(SRC "mail:\n  server: smtp://m.example.net\n  from: a@example.net\n  user: u\n",
	    "t.yaml:5:9: mail: 'user' needs password_file or password_env");
	err(SRC "mail:\n  server: smtp://m.example.net\n  from: a@example.net\n"
	        "  password_env: HOME\n",
	    "t.yaml:5:17: mail: a password needs 'user'");
	err(SRC "mail:\n  server: http://m.example.net\n  from: a@example.net\n",
	    "t.yaml:3:11: bad value for 'server' in mail: expected smtp://host[:port]");
	err(SRC "mail:\n  server: smtp://u:p@m.example.net\n  from: a@example.net\n",
	    "t.yaml:3:11: bad value for 'server' in mail");
	err(SRC "mail:\n  server: smtp://m.example.net\n",
	    "t.yaml:3:3: missing required key 'from' in mail");
	err(SRC "mail:\n  server: smtp://m.example.net\n  from: nobody\n",
	    "t.yaml:4:9: bad value for 'from' in mail");
	err(SRC "mail:\n  servr: smtp://m.example.net\n",
	    "t.yaml:3:3: unknown key 'servr' in mail (did you mean 'server'?)");
	err(SRC "reports: [{name: w, schedule: weekly, to: [a@example.net]}]\n",
	    "t.yaml:2:10: reports need a mail server: set mail.server and mail.from");
	const char *mail = SRC "mail: {server: smtp://m.example.net, from: a@example.net}\n";
	char *t;
	t = np_xasprintf("%sreports: [{name: w, schedule: weekly, at: '6:00', to: [a@x.net]}]\n",
	                 mail);
	err(t, "t.yaml:3:43: bad value for 'at' in report 'w': expected a time of day HH:MM");
	free(t);
	t = np_xasprintf("%sreports: [{name: w, schedule: weekly, to: [a@x.net, 'b c@x']}]\n",
	                 mail);
	err(t, "t.yaml:3:53: bad value for 'to' in report 'w': expected addresses like "
	       "name@example.net, got 'b c@x'");
	free(t);
	t = np_xasprintf("%sreports: [{name: w, schedule: weekly}]\n", mail);
	err(t, "missing required key 'to' in report 'w'");
	free(t);
	t = np_xasprintf("%sreports: [{name: w, schedule: daily, to: a@x.net}]\n", mail);
	err(t, "bad value for 'schedule' in report 'w': expected one of weekly, monthly");
	free(t);
	t = np_xasprintf("%sreports: [{name: w, schedule: weekly, to: a@x.net, per: year}]\n",
	                 mail);
	err(t, "bad value for 'per' in report 'w'");
	free(t);
	t = np_xasprintf("%sreports:\n  - {name: w, schedule: weekly, to: a@x.net}\n"
	                 "  - {name: w, schedule: monthly, to: a@x.net}\n",
	                 mail);
	err(t, "t.yaml:5:12: duplicate report name 'w' (first defined at line 4)");
	free(t);
	t = np_xasprintf("%sreports: [{name: w, schedule: weekly, to: a@x.net, group_by: [a, b, c, "
	                 "d, e, f, g, h, i]}]\n",
	                 mail);
	err(t, "bad value for 'group_by' in report 'w': expected a list of 1 to 8 label names");
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_no_mail),
	    cmocka_unit_test(test_full),
	    cmocka_unit_test(test_password_file_and_insecure),
	    cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
