/*
 * Basic authentication: htpasswd lines (bcrypt and SHA-256 crypt, errors with their line),
 * verification, the Basic header's decoding, and the cache and rate limit that keep crypt(3)
 * off the loop.
 */
#include "testutil.h"

#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "web/auth.h"
#include "web/htpasswd.h"

static char *
hash_of(const char *prefix, const char *password)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	if (crypt_gensalt_rn(prefix, 4, NULL, 0, salt, sizeof salt) == NULL)
		fail_msg("crypt_gensalt_rn %s", prefix);
	struct crypt_data cd = {0};
	const char *h = crypt_rn(password, salt, &cd, (int)sizeof cd);
	assert_non_null(h);
	return np_xstrdup(h);
}

static struct np_htpasswd *
users(void)
{
	char *b = hash_of("$2b$", "s3cret"), *s = hash_of("$5$", "other pw");
	char *text = np_xasprintf("# scrapers\n\nprom:%s\r\n  ops:%s  \n", b, s);
	char *cause = NULL;
	struct np_htpasswd *h = np_htpasswd_parse("users", text, strlen(text), &cause);
	if (h == NULL)
		fail_msg("%s", cause);
	free(b);
	free(s);
	free(text);
	return h;
}

static void
test_parse_and_verify(void **state)
{
	(void)state;
	struct np_htpasswd *h = users();
	assert_int_equal(np_htpasswd_count(h), 2);
	assert_true(np_htpasswd_verify(h, "prom", "s3cret"));
	assert_false(np_htpasswd_verify(h, "prom", "s3cret "));
	assert_false(np_htpasswd_verify(h, "prom", "other pw"));
	assert_true(np_htpasswd_verify(h, "ops", "other pw"));
	assert_false(np_htpasswd_verify(h, "nobody", "s3cret"));
	np_htpasswd_free(h);
}

static void
test_parse_errors(void **state)
{
	(void)state;
	const char *text = "alice:$1$abc$def\n"
	                   "bob\n"
	                   "carol:plain\n"
	                   ":$5$salt$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ\n"
	                   "dave:$5$salt$abc\n"
	                   "dave:$5$salt$abc\n";
	char *cause = NULL;
	assert_null(np_htpasswd_parse("u.htpasswd", text, strlen(text), &cause));
	assert_string_equal(cause,
	                    "u.htpasswd:1: the hash must be bcrypt ($2b$...) or SHA-256 crypt "
	                    "($5$...)\n"
	                    "u.htpasswd:2: expected user:hash\n"
	                    "u.htpasswd:3: the hash must be bcrypt ($2b$...) or SHA-256 crypt "
	                    "($5$...)\n"
	                    "u.htpasswd:4: expected user:hash\n"
	                    "u.htpasswd:6: this user is already listed");
	free(cause);
	cause = NULL;
	assert_null(np_htpasswd_parse("e", "# none\n", 7, &cause));
	assert_string_equal(cause, "e: no user:hash line");
	free(cause);
}

static char *
basic(const char *user_pass)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(user_pass);
	char *out = np_xmalloc(6 + (n + 2) / 3 * 4 + 1), *o = out + sprintf(out, "Basic ");
	const unsigned char *p = (const unsigned char *)user_pass;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v =
		    p[i] << 16 | (i + 1 < n ? p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
		*o++ = tab[v >> 18 & 63];
		*o++ = tab[v >> 12 & 63];
		*o++ = i + 1 < n ? tab[v >> 6 & 63] : '=';
		*o++ = i + 2 < n ? tab[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

static void
test_decode(void **state)
{
	(void)state;
	char *u, *p;
	char *h = basic("prom:pa:ss");
	assert_true(np_auth_basic_decode(h, &u, &p));
	assert_string_equal(u, "prom");
	assert_string_equal(p, "pa:ss");
	free(u), free(p), free(h);
	h = basic("x:");
	assert_true(np_auth_basic_decode(h, &u, &p));
	assert_string_equal(p, "");
	free(u), free(p), free(h);
	const char *bad[] = {NULL,           "Bearer abc",     "Basic ",     "Basic cHJvbQ==",
	                     "Basic cHJvbQ", "Basic cH=vbQ==", "Basic ****", NULL};
	for (size_t i = 1; bad[i] != NULL; i++)
		assert_false(np_auth_basic_decode(bad[i], &u, &p));
	assert_false(np_auth_basic_decode(NULL, &u, &p));
}

static void
test_cache_and_rate(void **state)
{
	(void)state;
	struct np_auth *a = np_auth_new(users());
	char *good = basic("prom:s3cret"), *bad = basic("prom:guess"), *ops = basic("ops:other pw");
	int64_t t = 1000;
	assert_int_equal(np_auth_check(a, good, t), NP_AUTH_OK); /* one crypt run, remembered */
	assert_int_equal(np_auth_check(a, NULL, t), NP_AUTH_DENIED);
	/* Three more runs empty the budget of 4 a second; the fourth guess is turned away. */
	for (int i = 0; i < 3; i++)
		assert_int_equal(np_auth_check(a, bad, t), NP_AUTH_DENIED);
	assert_int_equal(np_auth_check(a, bad, t), NP_AUTH_BUSY);
	assert_int_equal(np_auth_check(a, ops, t), NP_AUTH_BUSY);
	/* Remembered credentials need no run: still let in. */
	assert_int_equal(np_auth_check(a, good, t), NP_AUTH_OK);
	/* A quarter of a second later one run is allowed again. */
	assert_int_equal(np_auth_check(a, ops, t + 250), NP_AUTH_OK);
	assert_int_equal(np_auth_check(a, bad, t + 250), NP_AUTH_BUSY);
	/* After 10 minutes they are checked again. */
	assert_int_equal(np_auth_check(a, good, t + 10 * 60 * 1000 + 1), NP_AUTH_OK);
	free(good), free(bad), free(ops);
	np_auth_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_and_verify),
	    cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_decode),
	    cmocka_unit_test(test_cache_and_rate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
