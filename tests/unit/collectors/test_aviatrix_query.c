/*
 * What the aviatrix source sends: Lucene quoting (a gateway name with '"' and '\'), the spokes
 * term and the two direction queries, the field_agg URL (encoding, gte/lte), the performance
 * and login bodies, the time format; and the top-N merge of both directions.
 */
#include "testutil.h"
#include "util/str.h"
#include "util/addr.h"

#include <stdlib.h>
#include <string.h>

#include "collectors/aviatrix_parse.h"
#include "collectors/aviatrix_query.h"
#include "collectors/aviatrix_talkers.h"
#include "util/xmalloc.h"

#define INTERNAL                                                                                   \
	"(\"10.0.0.0/8\" OR \"172.16.0.0/12\" OR \"192.168.0.0/16\" OR \"100.64.0.0/10\" OR "      \
	"\"fc00::/7\")"

static void
test_lucene(void **state)
{
	char *q = np_aviatrix_lucene_quote("gw \"x\\y\"");
	assert_string_equal(q, "\"gw \\\"x\\\\y\\\"\"");
	free(q);
	q = np_aviatrix_lucene_quote("");
	assert_string_equal(q, "\"\"");
	free(q);

	const char *names[] = {"gw-1", "we\"ird\\gw"};
	char *t = np_aviatrix_spokes_term(names, 2);
	assert_string_equal(t, "netflow.gw_name:(\"gw-1\" OR \"we\\\"ird\\\\gw\")");
	char *out = np_aviatrix_talker_query(NP_AVIATRIX_OUT, t);
	assert_string_equal(out, "(netflow.src_addr:" INTERNAL " AND NOT netflow.dst_addr:" INTERNAL
	                         ") AND netflow.gw_name:(\"gw-1\" OR \"we\\\"ird\\\\gw\")");
	char *in = np_aviatrix_talker_query(NP_AVIATRIX_IN, t);
	assert_string_equal(in, "(NOT netflow.src_addr:" INTERNAL " AND netflow.dst_addr:" INTERNAL
	                        ") AND netflow.gw_name:(\"gw-1\" OR \"we\\\"ird\\\\gw\")");
	free(out);
	free(in);
	free(t);
	t = np_aviatrix_spokes_term(names, 1);
	assert_string_equal(t, "netflow.gw_name:(\"gw-1\")");
	free(t);
}

static void
test_time_and_url(void **state)
{
	char b[40];
	np_aviatrix_time(1762012800000, b, sizeof(b));
	assert_string_equal(b, "2025-11-01T16:00:00.000Z");
	np_aviatrix_time(1762016399999, b, sizeof(b));
	assert_string_equal(b, "2025-11-01T16:59:59.999Z");
	np_aviatrix_time(-1, b, sizeof(b));
	assert_string_equal(b, "1969-12-31T23:59:59.999Z");

	char *e = np_url_encode("a b/\"c\"[]:+~");
	assert_string_equal(e, "a%20b%2F%22c%22%5B%5D%3A%2B~");
	free(e);

	char *u = np_aviatrix_field_agg_url("https://h:1", "netflow.dst_addr", "x:\"a b\"",
	                                    1762012800000, 1762016400000, 300);
	assert_string_equal(u, "https://h:1/api/flowiq/field_agg?field=netflow.dst_addr"
	                       "&metric=bytes&query_string=x%3A%22a%20b%22"
	                       "&date_range%5Btime_zone%5D=%2B00%3A00"
	                       "&date_range%5Bgte%5D=2025-11-01T16%3A00%3A00.000Z"
	                       "&date_range%5Blte%5D=2025-11-01T16%3A59%3A59.999Z"
	                       "&interval=1d&size=300");
	free(u);
}

static void
test_bodies(void **state)
{
	char *b = np_aviatrix_perf_body("gw \"1\"", 1762012800123, 1762016400999);
	assert_string_equal(b, "[{\"gatewayName\":\"gw \\\"1\\\"\",\"systemMetrics\":[],"
	                       "\"interfaceMetrics\":[\"rx_bytes\",\"tx_bytes\"],"
	                       "\"start\":\"2025-11-01T16:00:00.000Z\","
	                       "\"end\":\"2025-11-01T17:00:00.000Z\",\"perInterfaceStats\":true,"
	                       "\"samples\":true}]");
	free(b);
	b = np_aviatrix_login_body("admin", "p\"a\\s\ns");
	assert_string_equal(b, "{\"username\": \"admin\", \"password\": \"p\\\"a\\\\s\\u000as\"}");
	free(b);
}

static struct np_aviatrix_talkers
list(size_t n, const char *const *keys, const uint64_t *bytes)
{
	struct np_aviatrix_talkers l = {0};
	l.v = np_xcalloc(n, sizeof(*l.v));
	l.n = l.cap = n;
	for (size_t i = 0; i < n; i++) {
		l.v[i].key = np_xstrdup(keys[i]);
		l.v[i].bytes = bytes[i];
	}
	return l;
}

static void
test_merge(void **state)
{
	/* dst side: dst_addr under OUT + src_addr under IN. */
	const char *k1[] = {"23.185.0.3", "2001:db8::1", "8.8.8.8", "10.0.0.1", "47.91.64.21"};
	const uint64_t b1[] = {1000, 700, 500, 400, 100};
	const char *k2[] = {"47.91.64.21", "2001:db8::1", "9.9.9.9", "8.8.4.4", "::1"};
	const uint64_t b2[] = {950, 300, 500, 500, 5};
	struct np_aviatrix_talkers l1 = list(5, k1, b1), l2 = list(5, k2, b2);
	const struct np_aviatrix_talkers *ls[] = {&l1, &l2};
	struct np_aviatrix_top *top = NULL;
	size_t n = np_aviatrix_top_merge(ls, 2, 100, &top);
	assert_int_equal(n, 8);
	/* 47.91.64.21 = 1050 and 2001:db8::1 = 1000 (both directions summed); ties of bytes by
	 * address, IPv4 before IPv6, numerically (8.8.4.4 < 8.8.8.8 < 9.9.9.9). */
	const char *want[] = {"47.91.64.21", "23.185.0.3", "2001:db8::1", "8.8.4.4",
	                      "8.8.8.8",     "9.9.9.9",    "10.0.0.1",    "::1"};
	const uint64_t wb[] = {1050, 1000, 1000, 500, 500, 500, 400, 5};
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(top[i].ip, want[i]);
		assert_true(top[i].bytes == wb[i]);
	}
	np_aviatrix_top_free(top, n);
	/* The first size only. */
	n = np_aviatrix_top_merge(ls, 2, 3, &top);
	assert_int_equal(n, 3);
	assert_string_equal(top[2].ip, "2001:db8::1");
	np_aviatrix_top_free(top, n);
	/* Saturating sum. */
	const char *k3[] = {"1.2.3.4"};
	const uint64_t b3[] = {UINT64_MAX - 1}, b4[] = {5};
	struct np_aviatrix_talkers l3 = list(1, k3, b3), l4 = list(1, k3, b4);
	const struct np_aviatrix_talkers *ls2[] = {&l3, &l4};
	n = np_aviatrix_top_merge(ls2, 2, 10, &top);
	assert_int_equal(n, 1);
	assert_true(top[0].bytes == UINT64_MAX);
	np_aviatrix_top_free(top, n);
	/* Nothing at all. */
	struct np_aviatrix_talkers empty = {0};
	const struct np_aviatrix_talkers *ls3[] = {&empty};
	n = np_aviatrix_top_merge(ls3, 1, 10, &top);
	assert_int_equal(n, 0);
	np_aviatrix_top_free(top, n);

	assert_true(np_addr_cmp("9.0.0.0", "10.0.0.0") < 0);
	assert_true(np_addr_cmp("255.0.0.0", "::") < 0);
	assert_true(np_addr_cmp("fe80::1", "2001::1") > 0);
	assert_true(np_addr_cmp("::1", "host") < 0);
	assert_int_equal(np_addr_cmp("1.1.1.1", "1.1.1.1"), 0);
	np_aviatrix_talkers_free(&l1);
	np_aviatrix_talkers_free(&l2);
	np_aviatrix_talkers_free(&l3);
	np_aviatrix_talkers_free(&l4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lucene),
	    cmocka_unit_test(test_time_and_url),
	    cmocka_unit_test(test_bodies),
	    cmocka_unit_test(test_merge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
