/*
 * Parsers of the CoPilot answers (synthetic fixtures, tests/fixtures/aviatrix/SOURCES.md):
 * gateways (type, state, attributes), routes (tunnels and their state), performance (samples
 * sorted and de-duplicated, reals, the no-samples mode), field_agg; bodies that fail whole.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/aviatrix_parse.h"

#define fixture(name, len) np_test_read_fixture("aviatrix", name, len)

#define PARSE_OK(fn, name, list)                                                                   \
	do {                                                                                       \
		size_t len_;                                                                       \
		char *cause_ = NULL, *body_ = fixture(name, &len_);                                \
		if (fn(body_, len_, list, &cause_) != 0)                                           \
			fail_msg("%s: %s", name, cause_);                                          \
		assert_null(cause_);                                                               \
		free(body_);                                                                       \
	} while (0)

#define PARSE_FAIL(fn, text, list, want)                                                           \
	do {                                                                                       \
		char *cause_ = NULL;                                                               \
		assert_int_equal(fn(text, strlen(text), list, &cause_), -1);                       \
		assert_non_null(cause_);                                                           \
		if (strstr(cause_, want) == NULL)                                                  \
			fail_msg("cause '%s' lacks '%s'", cause_, want);                           \
		free(cause_);                                                                      \
	} while (0)

static void
test_gateways(void **state)
{
	struct np_aviatrix_gws l = {0};
	PARSE_OK(np_aviatrix_parse_gateways, "gateways.json", &l);
	assert_int_equal(l.n, 5);
	assert_int_equal(l.skips.skipped, 3);
	assert_string_equal(l.skips.reason,
	                    "gateways: element 5: 'gw_name' is not a non-empty string");

	const struct np_aviatrix_gw *g = &l.v[0];
	assert_string_equal(g->name, "spoke-aws-1");
	assert_string_equal(g->type, "spoke");
	assert_true(g->spoke);
	assert_string_equal(g->account, "aws-prod");
	assert_string_equal(g->vpc_id, "vpc-0a1b2c3d~~prod-vpc");
	assert_string_equal(g->vpc_name, "prod-vpc");
	assert_string_equal(g->region, "us-east-1");
	assert_string_equal(g->cloud, "AWS");
	assert_string_equal(g->transit, "transit-east");
	assert_string_equal(g->group, "spoke-aws-1");
	assert_int_equal(g->state, NP_AVIATRIX_UP);

	g = &l.v[1]; /* "Spoke", gw_state "Down" */
	assert_string_equal(g->name, "spoke-aws-1-hagw");
	assert_true(g->spoke);
	assert_int_equal(g->state, NP_AVIATRIX_DOWN);

	g = &l.v[2]; /* gw_type SPOKE, status running, no transit or group */
	assert_true(g->spoke);
	assert_string_equal(g->type, "spoke");
	assert_int_equal(g->state, NP_AVIATRIX_UP);
	assert_string_equal(g->transit, "");
	assert_string_equal(g->group, "");

	g = &l.v[3]; /* null and non-string attributes are "", unknown state none */
	assert_string_equal(g->vpc_name, "");
	assert_string_equal(g->region, "");
	assert_string_equal(g->cloud, "Azure ARM");
	assert_int_equal(g->state, NP_AVIATRIX_NONE);

	g = &l.v[4];
	assert_string_equal(g->name, "transit-east");
	assert_false(g->spoke);
	np_aviatrix_gws_free(&l);

	PARSE_FAIL(np_aviatrix_parse_gateways, "[]", &l, "\"results\" array");
	PARSE_FAIL(np_aviatrix_parse_gateways, "{\"results\": {}}", &l, "\"results\" array");
	PARSE_FAIL(np_aviatrix_parse_gateways, "<html>", &l, "gateways: not JSON");
	assert_int_equal(l.n, 0);
}

static void
test_routes(void **state)
{
	struct np_aviatrix_routes l = {0};
	PARSE_OK(np_aviatrix_parse_routes, "routes.json", &l);
	/* spoke-aws-1 (twice, merged), spoke-gcp, spoke-none; spoke-azure and 42 skipped. */
	assert_int_equal(l.n, 3);
	assert_int_equal(l.skips.skipped, 3);
	const struct np_aviatrix_route_gw *g = np_aviatrix_routes_find(&l, "spoke-aws-1");
	assert_non_null(g);
	assert_int_equal(g->ntun, 3);
	assert_string_equal(g->tun[0].name, "tun-AB12CD34-0");
	assert_int_equal(g->tun[0].state, NP_AVIATRIX_UP); /* one up is enough */
	assert_int_equal(g->tun[0].up, 2);
	assert_int_equal(g->tun[0].down, 1);
	assert_string_equal(g->tun[1].name, "tun-EF56AB78-1");
	assert_int_equal(g->tun[1].state, NP_AVIATRIX_DOWN); /* all down */
	assert_string_equal(g->tun[2].name, "tun-99999999-2");
	assert_int_equal(g->tun[2].state, NP_AVIATRIX_UP);

	g = np_aviatrix_routes_find(&l, "spoke-gcp");
	assert_int_equal(g->ntun, 1);
	/* A route without status: neither all down nor any up. */
	assert_int_equal(g->tun[0].state, NP_AVIATRIX_NONE);

	g = np_aviatrix_routes_find(&l, "spoke-none");
	assert_non_null(g);
	assert_int_equal(g->ntun, 0);
	assert_null(np_aviatrix_routes_find(&l, "spoke-azure"));
	np_aviatrix_routes_free(&l);

	PARSE_FAIL(np_aviatrix_parse_routes, "{\"results\": []}", &l, "routes: not a JSON array");
	PARSE_OK(np_aviatrix_parse_routes, "routes.json", &l);
	np_aviatrix_routes_free(&l);
}

static const struct np_aviatrix_iface *
iface(const struct np_aviatrix_perf *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].name, name) == 0)
			return &p->v[i];
	return NULL;
}

static void
test_perf_samples(void **state)
{
	struct np_aviatrix_perf l = {0};
	PARSE_OK(np_aviatrix_parse_perf, "performance.json", &l);
	assert_int_equal(l.n, 3); /* eth1 and lo ignored */
	assert_int_equal(l.skips.skipped, 2);
	assert_string_equal(l.skips.reason,
	                    "performance: tun-AB12CD34-0 tx_bytes: sample 1 is not [time, count]");

	const struct np_aviatrix_iface *f = iface(&l, "eth0");
	const struct np_aviatrix_metric *rx = &f->m[NP_AVIATRIX_RX], *tx = &f->m[NP_AVIATRIX_TX];
	assert_true(rx->has_samples);
	assert_int_equal(rx->n, 3);
	assert_int_equal(rx->s[0].ts_ms, 1762012800000);
	assert_int_equal(rx->s[0].v, 1000);
	assert_int_equal(rx->s[2].v, 9000);
	assert_true(rx->has_now);
	assert_int_equal(rx->now, 9000);
	/* Sorted by time. */
	assert_int_equal(tx->n, 3);
	assert_int_equal(tx->s[1].ts_ms, 1762013100000);
	assert_int_equal(tx->s[1].v, 4000);
	assert_int_equal(tx->s[2].v, 8000);

	f = iface(&l, "tun-AB12CD34-0");
	rx = &f->m[NP_AVIATRIX_RX];
	tx = &f->m[NP_AVIATRIX_TX];
	/* 1.7620128E12 is a time; of two samples at one time the last given wins. */
	assert_int_equal(rx->n, 3);
	assert_int_equal(rx->s[0].ts_ms, 1762012800000);
	assert_int_equal(rx->s[1].ts_ms, 1762013100000);
	assert_int_equal(rx->s[1].v, 250010);
	assert_true(rx->has_now); /* no last: max */
	assert_int_equal(rx->now, 500010);
	assert_int_equal(tx->n, 2);
	assert_int_equal(tx->s[1].v, 300020);

	f = iface(&l, "tun-NEW00000-9");
	assert_non_null(f);
	assert_true(f->m[0].has_samples);
	assert_int_equal(f->m[0].n, 0);
	assert_false(f->m[0].has_now);
	np_aviatrix_perf_free(&l);
}

static void
test_perf_nosamples(void **state)
{
	struct np_aviatrix_perf l = {0};
	PARSE_OK(np_aviatrix_parse_perf, "performance_nosamples.json", &l);
	assert_int_equal(l.n, 2);
	const struct np_aviatrix_iface *f = iface(&l, "eth0");
	assert_false(f->m[NP_AVIATRIX_RX].has_samples);
	assert_int_equal(f->m[NP_AVIATRIX_RX].now, 850); /* last before max */
	assert_true(f->m[NP_AVIATRIX_TX].has_now);
	assert_true(f->m[NP_AVIATRIX_TX].now == 18446744073709549568ULL);
	f = iface(&l, "tun-11111111-0");
	assert_false(f->m[NP_AVIATRIX_RX].has_now);
	assert_int_equal(f->m[NP_AVIATRIX_TX].now, 6);
	np_aviatrix_perf_free(&l);

	/* An empty answer: no interfaces, not a failure. */
	assert_int_equal(np_aviatrix_parse_perf("[]", 2, &l, NULL), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(np_aviatrix_parse_perf("[{}]", 4, &l, NULL), 0);
	assert_int_equal(l.n, 0);
	PARSE_FAIL(np_aviatrix_parse_perf, "{}", &l, "performance: not a JSON array");
	PARSE_FAIL(np_aviatrix_parse_perf, "[1]", &l, "element 0 is not an object");
	PARSE_FAIL(np_aviatrix_parse_perf, "[{\"interfaces\": []}]", &l, "\"interfaces\" object");
}

static void
test_field_agg(void **state)
{
	struct np_aviatrix_talkers l = {0};
	PARSE_OK(np_aviatrix_parse_field_agg, "field_agg_dst_out.json", &l);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.skips.skipped, 4);
	assert_string_equal(l.v[0].key, "23.185.0.3");
	assert_true(l.v[0].bytes == 26889267504ULL);
	assert_true(l.v[1].bytes == 15756893421ULL);
	assert_string_equal(l.v[2].key, "2001:db8::1"); /* canonical */
	assert_string_equal(l.v[3].key, "8.8.8.8");
	np_aviatrix_talkers_free(&l);
	PARSE_FAIL(np_aviatrix_parse_field_agg, "{\"value\": {}}", &l, "\"value\" array");
	PARSE_FAIL(np_aviatrix_parse_field_agg, "[]", &l, "field_agg:");
	/* Not an address: kept as it is. */
	const char *other = "{\"value\": [{\"key\": \"other\", \"value\": 5}]}";
	assert_int_equal(np_aviatrix_parse_field_agg(other, strlen(other), &l, NULL), 0);
	assert_string_equal(l.v[0].key, "other");
	np_aviatrix_talkers_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_gateways),     cmocka_unit_test(test_routes),
	    cmocka_unit_test(test_perf_samples), cmocka_unit_test(test_perf_nosamples),
	    cmocka_unit_test(test_field_agg),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
