/* np_http_link_next (RFC 8288) and np_http_retry_after_ms (RFC 9110 §10.2.3): exact values. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "io/http.h"

static void
expect_next(const char *value, const char *want)
{
	char *got = np_http_link_next(value, strlen(value));
	if (want == NULL) {
		if (got != NULL)
			fail_msg("%s: expected no next, got %s", value, got);
		return;
	}
	if (got == NULL)
		fail_msg("%s: expected %s, got none", value, want);
	assert_string_equal(got, want);
	free(got);
}

static void
test_link_meraki(void **state)
{
	/* The header of the Meraki sample (fixtures/seed-samples/meraki_usagestats/synthetic). */
	expect_next("<https://api.meraki.com/api/v1/networks/L_100000000000000001/clients?perPage=3"
	            "&timespan=86400&startingAfter=a000000>; rel=first, "
	            "<https://api.meraki.com/api/v1/networks/L_100000000000000001/clients?perPage=3"
	            "&timespan=86400&startingAfter=kaaaa03>; rel=next, "
	            "<https://api.meraki.com/api/v1/networks/L_100000000000000001/clients?perPage=3"
	            "&timespan=86400&endingBefore=zzzzzzz>; rel=last",
	            "https://api.meraki.com/api/v1/networks/L_100000000000000001/clients?perPage=3"
	            "&timespan=86400&startingAfter=kaaaa03");
}

static void
test_link_forms(void **state)
{
	expect_next("<https://h/p?a=1>; rel=\"next\"", "https://h/p?a=1");
	expect_next("<https://h/p?a=1>;rel=next", "https://h/p?a=1");
	expect_next("<https://h/n>; REL=\"prev NEXT\"", "https://h/n");
	expect_next("<https://h/n>; rel=\"next\\\"\"", NULL); /* rel is next" */
	expect_next("<https://h/x>; title=\"a, b; rel=next\"; rel=prev, <https://h/n>; rel=next",
	            "https://h/n");
	/* Opaque tokens stay exactly as sent: no decoding, no re-encoding. */
	expect_next("<https://h/p?startingAfter=a%2Fb%3D%3D&x=%7E>; rel=next",
	            "https://h/p?startingAfter=a%2Fb%3D%3D&x=%7E");
	expect_next("</relative?page=2>; rel=next", "/relative?page=2");
	/* The first rel counts; a later one is ignored (RFC 8288 §3.3). */
	expect_next("<https://h/a>; rel=prev; rel=next", NULL);
	expect_next("<https://h/a>; rel=next, <https://h/b>; rel=next", "https://h/a");
	expect_next("  , <https://h/a> ; rel = next ,", "https://h/a");
	expect_next("<https://h/a>; rel=nextpage", NULL);
	expect_next("<https://h/a>; rel=prev", NULL);
	expect_next("", NULL);
}

static void
test_link_malformed(void **state)
{
	expect_next("https://h/a; rel=next", NULL);
	expect_next("<https://h/a; rel=next", NULL);
	expect_next("<https://h/a b>; rel=next", NULL);
	expect_next("<https://h/a>; rel=\"next", NULL);
	expect_next("<https://h/a> rel=next", NULL);
	expect_next("<https://h/a>; =next", NULL);
	expect_next("<https://h/a>; rel=", NULL);
	expect_next("<>; rel=next", NULL);
	/* A bad element anywhere makes the whole value malformed. */
	expect_next("<https://h/a>; rel=next, garbage", NULL);
	/* Length is honoured: a NUL or bytes past len are not read. */
	const char v[] = "<https://h/a>; rel=next";
	assert_null(np_http_link_next(v, 10));
	char *got = np_http_link_next(v, strlen(v));
	assert_string_equal(got, "https://h/a");
	free(got);
	assert_null(np_http_link_next("<https://h/\0a>; rel=next", 24));
}

static void
test_retry_after(void **state)
{
	assert_int_equal(np_http_retry_after_ms("2", 0), 2000);
	assert_int_equal(np_http_retry_after_ms(" 0 ", 0), 0);
	assert_int_equal(np_http_retry_after_ms("120", 5), 120000);
	assert_int_equal(np_http_retry_after_ms("", 0), -1);
	assert_int_equal(np_http_retry_after_ms("1.5", 0), -1);
	assert_int_equal(np_http_retry_after_ms("-1", 0), -1);
	assert_int_equal(np_http_retry_after_ms("12a", 0), -1);
	/* Huge values saturate instead of overflowing. */
	assert_true(np_http_retry_after_ms("99999999999999999999999", 0) > 86400000LL * 365);
	/* 784111777 = Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110's example), in all three forms. */
	int64_t t = 784111777;
	assert_int_equal(np_http_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", t - 30), 30000);
	assert_int_equal(np_http_retry_after_ms("Sunday, 06-Nov-94 08:49:37 GMT", t - 30), 30000);
	assert_int_equal(np_http_retry_after_ms("Sun Nov  6 08:49:37 1994", t - 30), 30000);
	assert_int_equal(np_http_retry_after_ms("Wed, 01 Jan 2031 00:00:00 GMT", 1924991999), 1000);
	/* A date in the past: retry now. */
	assert_int_equal(np_http_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", t + 100), 0);
	assert_int_equal(np_http_retry_after_ms("Sun, 31 Feb 1994 08:49:37 GMT", 0), -1);
	assert_int_equal(np_http_retry_after_ms("Sun, 06 Nov 1994 08:49:37 UTC", 0), -1);
	assert_int_equal(np_http_retry_after_ms("Sun, 06 Xyz 1994 08:49:37 GMT", 0), -1);
	assert_int_equal(np_http_retry_after_ms("Sun, 06 Nov 1994 25:49:37 GMT", 0), -1);
	assert_int_equal(np_http_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT x", 0), -1);
	assert_int_equal(np_http_retry_after_ms(NULL, 0), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_link_meraki),
	    cmocka_unit_test(test_link_forms),
	    cmocka_unit_test(test_link_malformed),
	    cmocka_unit_test(test_retry_after),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
