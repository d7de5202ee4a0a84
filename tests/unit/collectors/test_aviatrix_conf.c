/*
 * The aviatrix source's env_file parser (strict: export, one pair of quotes, errors with
 * file:line) and conf_check on structs filled by hand (as the loader's walk fills them):
 * precedence of explicit keys over env_file, derived URL and peer host, errors and warnings.
 */
#include "testutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "collectors/aviatrix_conf.h"
#include "collectors/aviatrix_env.h"
#include "collectors/collector.h"
#include "util/xmalloc.h"

static int
parse(const char *text, struct np_aviatrix_env *e, char **cause)
{
	return np_aviatrix_env_parse(text, strlen(text), "t.env", e, cause);
}

static void
test_env_ok(void **state)
{
	struct np_aviatrix_env e;
	char *cause = NULL;
	/* One pair of quotes stripped, the outer one: what is inside stays. */
	assert_int_equal(parse("PASSWORD=\"p'a ss\"\"\"\n", &e, &cause), 0);
	assert_string_equal(e.pass, "p'a ss\"\"");
	np_aviatrix_env_free(&e);
	assert_int_equal(parse("# CoPilot\n"
	                       "\n"
	                       "  export COPILOT_URL = https://copilot.example.net/  \r\n"
	                       "USERNAME='admin'\n"
	                       "PASSWORD=\"p'a ss\"\n"
	                       "OTHER=ignored=too\n"
	                       "EMPTY=",
	                       &e, &cause),
	                 0);
	assert_null(cause);
	assert_string_equal(e.url, "https://copilot.example.net/");
	assert_string_equal(e.user, "admin");
	assert_string_equal(e.pass, "p'a ss");
	np_aviatrix_env_free(&e);

	/* AVIATRIX_* win over the plain spelling, wherever they are; empty values are absent. */
	assert_int_equal(parse("USERNAME=u1\nAVIATRIX_USERNAME=u2\nPASSWORD=p1\n"
	                       "AVIATRIX_PASSWORD=\nAVIATRIX_COPILOT_IP=10.1.2.3\n"
	                       "COPILOT_URL=http://other\nVALUE='a \"quoted\" word'\n",
	                       &e, NULL),
	                 0);
	assert_string_equal(e.url, "10.1.2.3");
	assert_string_equal(e.user, "u2");
	assert_string_equal(e.pass, "p1");
	np_aviatrix_env_free(&e);

	/* Nothing at all. */
	assert_int_equal(parse("", &e, NULL), 0);
	assert_null(e.url);
	assert_null(e.user);
	assert_null(e.pass);
	/* A value with '=' and '#' inside is kept as is. */
	assert_int_equal(parse("PASSWORD=a=b#c", &e, NULL), 0);
	assert_string_equal(e.pass, "a=b#c");
	np_aviatrix_env_free(&e);
}

static void
env_fails(const char *text, const char *want)
{
	struct np_aviatrix_env e;
	char *cause = NULL;
	assert_int_equal(
	    np_aviatrix_env_parse(text, strlen(text) + (text[0] == 'N'), "/x/t.env", &e, &cause),
	    -1);
	assert_non_null(cause);
	if (strcmp(cause, want) != 0)
		fail_msg("got '%s', want '%s'", cause, want);
	free(cause);
	assert_null(e.pass);
}

static void
test_env_errors(void **state)
{
	env_fails("# c\nCOPILOT_URL\n", "/x/t.env:2: no '=' (expected KEY=VALUE)");
	env_fails("1KEY=v\n", "/x/t.env:1: bad key (letters, digits and _, not first a digit)");
	env_fails("=v\n", "/x/t.env:1: bad key (letters, digits and _, not first a digit)");
	env_fails("MY KEY=v\n", "/x/t.env:1: bad key (letters, digits and _, not first a digit)");
	env_fails("\n\nPASSWORD=\"abc\n", "/x/t.env:3: PASSWORD: unmatched double quote");
	env_fails("PASSWORD='abc\"\n", "/x/t.env:1: PASSWORD: unmatched single quote");
	env_fails("PASSWORD=\"\n", "/x/t.env:1: PASSWORD: unmatched double quote");
	env_fails("PASSWORD=\"a\" # comment\n", "/x/t.env:1: PASSWORD: unmatched double quote");
	env_fails("USERNAME=a\nPASSWORD=b\nexport USERNAME=c\n",
	          "/x/t.env:3: USERNAME given twice (first at line 1)");
	/* "N...": the length includes the terminating NUL. */
	env_fails("N=1\nX=2", "/x/t.env:2: a NUL byte");
}

static void
test_url_normalize(void **state)
{
	const char *cases[][2] = {
	    {"10.1.2.3", "https://10.1.2.3"},
	    {"copilot.example.net:8443/", "https://copilot.example.net:8443"},
	    {"https://copilot//", "https://copilot"},
	    {"HTTP://copilot/base/", "HTTP://copilot/base"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *u = np_aviatrix_url_normalize(cases[i][0]);
		assert_string_equal(u, cases[i][1]);
		free(u);
	}
}

/* --- conf_check --- */

struct rec {
	struct np_conf_report r;
	char errors[8][256];
	size_t nerr;
	char warnings[8][256];
	size_t nwarn;
	const char *given[4];
};

static void
add(char (*l)[256], size_t *n, const char *key, const char *fmt, va_list ap)
{
	assert_true(*n < 8);
	int k = snprintf(l[*n], 256, "%s: ", key ? key : "(entry)");
	vsnprintf(l[*n] + k, 256 - (size_t)k, fmt, ap);
	(*n)++;
}

static void
rec_error(struct np_conf_report *r, const char *key, const char *fmt, ...)
{
	struct rec *x = r->impl;
	va_list ap;
	va_start(ap, fmt);
	add(x->errors, &x->nerr, key, fmt, ap);
	va_end(ap);
}

static void
rec_warning(struct np_conf_report *r, const char *key, const char *fmt, ...)
{
	struct rec *x = r->impl;
	va_list ap;
	va_start(ap, fmt);
	add(x->warnings, &x->nwarn, key, fmt, ap);
	va_end(ap);
}

static bool
rec_given(struct np_conf_report *r, const char *key)
{
	struct rec *x = r->impl;
	for (size_t i = 0; i < 4 && x->given[i] != NULL; i++)
		if (strcmp(x->given[i], key) == 0)
			return true;
	return false;
}

static void
rec_init(struct rec *x)
{
	memset(x, 0, sizeof(*x));
	x->r = (struct np_conf_report){rec_error, rec_warning, rec_given, x, false};
}

static void
base(struct np_aviatrix_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->base_url = "https://copilot.example.net/";
	c->username = "admin";
	c->password = "pw";
	c->backfill_ms = 86400000;
	c->top_talkers.interval_ms = 3600000;
	c->top_talkers.size = 100;
}

static char *
write_env(const char *dir, const char *text, int mode)
{
	char *p = np_xasprintf("%s/copilot.env", dir);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(p, (mode_t)mode);
	return p;
}

static void
test_conf(void **state)
{
	struct np_aviatrix_conf c;
	struct rec x;
	base(&c);
	rec_init(&x);
	np_aviatrix_conf_check(&c, NULL, &x.r);
	assert_int_equal(x.nerr, 0);
	assert_int_equal(x.nwarn, 0);
	assert_string_equal(c.url, "https://copilot.example.net");
	assert_string_equal(c.host, "copilot.example.net");
	assert_string_equal(c.user, "admin");
	assert_string_equal(c.pass, "pw");
	np_aviatrix_conf_free(&c);
	assert_null(c.url);

	/* Nothing given: one error per missing thing. */
	memset(&c, 0, sizeof(c));
	rec_init(&x);
	np_aviatrix_conf_check(&c, NULL, &x.r);
	assert_int_equal(x.nerr, 3);
	assert_string_equal(x.errors[0],
	                    "base_url: missing: base_url (or COPILOT_URL in env_file)");
	assert_string_equal(x.errors[1], "username: missing: username (or USERNAME in env_file)");
	assert_string_equal(x.errors[2], "password_file: missing: password_file, password_env (or "
	                                 "PASSWORD in env_file)");
	np_aviatrix_conf_free(&c);

	/* Bad URL, plain http, insecure, an interval that does not divide a day, [v6]:port. */
	base(&c);
	c.base_url = "ftp://x";
	c.insecure = true;
	c.top_talkers.interval_ms = 7 * 60000;
	rec_init(&x);
	np_aviatrix_conf_check(&c, NULL, &x.r);
	assert_int_equal(x.nerr, 2);
	assert_string_equal(x.errors[0], "base_url: not an http:// or https:// URL");
	assert_string_equal(x.errors[1],
	                    "top_talkers: interval must divide a day (e.g. 5m, 15m, 1h, 1d)");
	assert_int_equal(x.nwarn, 1);
	assert_string_equal(x.warnings[0], "insecure: TLS certificate verification is off");
	np_aviatrix_conf_free(&c);
	base(&c);
	c.base_url = "http://[fd00::5]:8443/";
	rec_init(&x);
	np_aviatrix_conf_check(&c, NULL, &x.r);
	assert_int_equal(x.nerr, 0);
	assert_string_equal(x.warnings[0],
	                    "base_url: plain http: the password travels unencrypted");
	assert_string_equal(c.host, "fd00::5");
	np_aviatrix_conf_free(&c);
}

static void
test_conf_env_file(void **state)
{
	char *dir = np_test_tmpdir();
	struct np_aviatrix_conf c;
	struct rec x;

	/* Only env_file: everything from it (AVIATRIX_* first). */
	char *path = write_env(dir,
	                       "export AVIATRIX_COPILOT_IP=10.9.8.7\nCOPILOT_URL=https://no\n"
	                       "AVIATRIX_USERNAME=envuser\nAVIATRIX_PASSWORD='env pw'\n",
	                       0600);
	memset(&c, 0, sizeof(c));
	c.env_file = path;
	rec_init(&x);
	np_aviatrix_conf_check(&c, NULL, &x.r);
	assert_int_equal(x.nerr, 0);
	assert_int_equal(x.nwarn, 0);
	assert_string_equal(c.url, "https://10.9.8.7");
	assert_string_equal(c.host, "10.9.8.7");
	assert_string_equal(c.user, "envuser");
	assert_string_equal(c.pass, "env pw");
	np_aviatrix_conf_free(&c);

	/* Explicit keys win over env_file; a readable file with a password used draws a warning. */
	chmod(path, 0644);
	base(&c);
	c.password = NULL;
	c.env_file = path;
	rec_init(&x);
	np_aviatrix_conf_check(&c, NULL, &x.r);
	assert_int_equal(x.nerr, 0);
	assert_string_equal(c.url, "https://copilot.example.net");
	assert_string_equal(c.user, "admin");
	assert_string_equal(c.pass, "env pw");
	assert_int_equal(x.nwarn, 1);
	char *want = np_xasprintf(
	    "env_file: %s holds the password and others can read it (chmod 600)", path);
	assert_string_equal(x.warnings[0], want);
	free(want);
	np_aviatrix_conf_free(&c);
	free(path);

	/* A bad line: file:line, and no "missing" errors on top of it. */
	path = write_env(dir, "COPILOT_URL=https://c\nUSERNAME=u\nPASSWORD=\"oops\n", 0600);
	memset(&c, 0, sizeof(c));
	c.env_file = path;
	rec_init(&x);
	np_aviatrix_conf_check(&c, NULL, &x.r);
	assert_int_equal(x.nerr, 1);
	want = np_xasprintf("env_file: %s:3: PASSWORD: unmatched double quote", path);
	assert_string_equal(x.errors[0], want);
	free(want);
	np_aviatrix_conf_free(&c);

	/* An env_file without a password, and no password_file. */
	free(write_env(dir, "COPILOT_URL=https://c\nUSERNAME=u\n", 0600));
	rec_init(&x);
	np_aviatrix_conf_check(&c, NULL, &x.r);
	assert_int_equal(x.nerr, 1);
	assert_string_equal(x.errors[0], "password_file: missing: password_file, password_env (or "
	                                 "PASSWORD in env_file)");
	np_aviatrix_conf_free(&c);
	free(path);

	/* A file that does not exist. */
	char *gone = np_xasprintf("%s/none.env", dir);
	c.env_file = gone;
	rec_init(&x);
	np_aviatrix_conf_check(&c, NULL, &x.r);
	assert_int_equal(x.nerr, 1);
	want = np_xasprintf("env_file: %s: No such file or directory", gone);
	assert_string_equal(x.errors[0], want);
	free(want);
	np_aviatrix_conf_free(&c);
	free(gone);

	char *cmd = np_xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_env_ok),        cmocka_unit_test(test_env_errors),
	    cmocka_unit_test(test_url_normalize), cmocka_unit_test(test_conf),
	    cmocka_unit_test(test_conf_env_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
