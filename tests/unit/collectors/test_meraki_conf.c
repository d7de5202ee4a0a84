/*
 * The meraki source's conf_check on structs filled by hand (as the loader's walk would fill
 * them): derived filter, groups and day zone, and every error and warning it reports.
 */
#include "testutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/collector.h"
#include "collectors/meraki_conf.h"
#include "util/tz.h"

struct rec {
	struct np_conf_report r;
	char errors[8][256];
	size_t nerr;
	char warnings[8][256];
	size_t nwarn;
};

static void
add(char (*list)[256], size_t *n, const char *key, const char *fmt, va_list ap)
{
	assert_true(*n < 8);
	int k = snprintf(list[*n], 256, "%s: ", key ? key : "(entry)");
	vsnprintf(list[*n] + k, 256 - (size_t)k, fmt, ap);
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

static char *filter_all[] = {"dtype:all"};
static char *corp_subnets[] = {"10.10.0.0/16", "172.16.0.0/12"};
static char *corp_ids[] = {"20"};
static char *guest_names[] = {"guest"};

static struct np_meraki_group_cfg two_groups[2];

/* A valid config: what the walk gives for the example. */
static void
base(struct np_meraki_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->api_key = "secret";
	c->base_url = NP_MERAKI_BASE_URL;
	c->backfill_ms = 30LL * 86400000;
	c->day_tz = "UTC";
	c->rate_limit = 10;
	c->filter = filter_all;
	c->nfilter = 1;
	two_groups[0] = (struct np_meraki_group_cfg){.name = "Corporate",
	                                             .subnets = corp_subnets,
	                                             .nsubnets = 2,
	                                             .vlan_ids = corp_ids,
	                                             .nvlan_ids = 1};
	two_groups[1] = (struct np_meraki_group_cfg){
	    .name = "Guest", .vlan_names = guest_names, .nvlan_names = 1};
	c->groups = two_groups;
	c->ngroups = 2;
	c->unmatched = "unmatched";
}

static void
check(struct np_meraki_conf *c, struct rec *x)
{
	memset(x, 0, sizeof(*x));
	x->r.error = rec_error;
	x->r.warning = rec_warning;
	x->r.impl = x;
	struct np_source_cfg src = {.name = "meraki", .type = "meraki", .conf = c};
	np_meraki_conf_check(c, &src, &x->r);
}

static void
test_valid(void **state)
{
	struct np_meraki_conf c;
	struct rec x;
	base(&c);
	c.day_tz = "Europe/Zurich";
	check(&c, &x);
	assert_int_equal(x.nerr, 0);
	assert_int_equal(x.nwarn, 0);
	assert_int_equal(c.flt.dtypes, NP_MERAKI_DT_ALL);
	assert_non_null(c.tz);
	assert_string_equal(np_tz_name(c.tz), "Europe/Zurich");
	assert_false(c.day_tz_network);
	assert_false(c.drop_unmatched);
	assert_string_equal(c.unmatched_group, "unmatched");
	assert_int_equal(c.grp.n, 2);
	assert_true(c.grp.uses_vlans);
	const struct np_meraki_group *g = &c.grp.v[0];
	assert_string_equal(g->name, "Corporate");
	assert_int_equal(g->nsubnets, 2);
	assert_int_equal(g->subnets[0].addr, 0x0a0a0000);
	assert_int_equal(g->subnets[1].mask, 0xfff00000);
	assert_int_equal(g->nvlan_ids, 1);
	assert_int_equal(g->vlan_ids[0], 20);
	assert_int_equal(c.grp.v[1].nvlan_names, 1);
	assert_string_equal(c.grp.v[1].vlan_names[0], "guest");
	np_meraki_conf_free(&c);
	assert_null(c.tz);
	assert_null(c.grp.v);

	/* day_tz: network; no filter: dtype:mx; unmatched: drop; subnets only: no VLAN calls. */
	base(&c);
	c.day_tz = "network";
	c.nfilter = 0;
	c.filter = NULL;
	c.unmatched = "drop";
	two_groups[0].nvlan_ids = 0;
	c.ngroups = 1;
	check(&c, &x);
	assert_int_equal(x.nerr, 0);
	assert_true(c.day_tz_network);
	assert_null(c.tz);
	assert_int_equal(c.flt.dtypes, NP_MERAKI_DT_MX);
	assert_true(c.drop_unmatched);
	assert_null(c.unmatched_group);
	assert_false(c.grp.uses_vlans);
	np_meraki_conf_free(&c);
}

static void
test_errors(void **state)
{
	struct np_meraki_conf c;
	struct rec x;

	base(&c);
	c.base_url = "ftp://api.meraki.com";
	c.rate_limit = 0;
	c.day_tz = "Mars/Olympus";
	check(&c, &x);
	assert_int_equal(x.nerr, 3);
	assert_string_equal(x.errors[0], "base_url: not an http:// or https:// URL");
	assert_string_equal(x.errors[1], "rate_limit: must be above 0");
	assert_non_null(strstr(x.errors[2], "day_tz: "));
	assert_non_null(strstr(x.errors[2], "Mars/Olympus"));
	np_meraki_conf_free(&c);

	char *bad_filter[] = {"dtype:mx", "tag:a", "tag:b"};
	base(&c);
	c.filter = bad_filter;
	c.nfilter = 3;
	check(&c, &x);
	assert_int_equal(x.nerr, 1);
	assert_string_equal(x.errors[0], "filter: filter 'tag:b': tag given twice");
	assert_int_equal(c.flt.dtypes, NP_MERAKI_DT_MX);
	np_meraki_conf_free(&c);

	char *host_bits[] = {"10.0.0.1/8"}, *bad_ids[] = {"5000", "0", "x"};
	struct np_meraki_group_cfg groups[] = {
	    {.name = "A", .subnets = host_bits, .nsubnets = 1, .vlan_ids = bad_ids, .nvlan_ids = 3},
	    {.name = "Empty"},
	    {.name = "A", .vlan_names = guest_names, .nvlan_names = 1},
	    {.name = "unmatched", .subnets = corp_subnets, .nsubnets = 1},
	};
	base(&c);
	c.groups = groups;
	c.ngroups = 4;
	check(&c, &x);
	assert_int_equal(x.nerr, 7);
	assert_string_equal(x.errors[0], "groups: group 'A': subnet '10.0.0.1/8' has host bits set "
	                                 "(the network is 10.0.0.0/8)");
	assert_string_equal(x.errors[1], "groups: group 'A': VLAN id '5000' is not 1..4094");
	assert_string_equal(x.errors[2], "groups: group 'A': VLAN id '0' is not 1..4094");
	assert_string_equal(x.errors[3], "groups: group 'A': VLAN id 'x' is not 1..4094");
	assert_string_equal(x.errors[4], "groups: group 'Empty' has no subnets, vlan_ids or "
	                                 "vlan_names");
	assert_string_equal(x.errors[5], "groups: group 'A' is named twice");
	assert_string_equal(x.errors[6], "groups: group 'unmatched' has the name of the unmatched "
	                                 "clients' group (set `unmatched` to another name)");
	assert_int_equal(c.grp.n, 4);
	assert_int_equal(c.grp.v[0].nsubnets, 0);
	assert_int_equal(c.grp.v[0].nvlan_ids, 0);
	np_meraki_conf_free(&c);

	base(&c);
	c.ngroups = 0;
	c.groups = NULL;
	c.unmatched = "drop";
	check(&c, &x);
	assert_int_equal(x.nerr, 1);
	assert_string_equal(x.errors[0], "unmatched: drop without any group would store nothing");
	np_meraki_conf_free(&c);
}

static void
test_warnings(void **state)
{
	struct np_meraki_conf c;
	struct rec x;
	base(&c);
	c.insecure = true;
	c.rate_limit = 20;
	c.base_url = "http://127.0.0.1:8080/api/v1";
	check(&c, &x);
	assert_int_equal(x.nerr, 0);
	assert_int_equal(x.nwarn, 3);
	assert_string_equal(x.warnings[0], "base_url: plain http: the API key travels unencrypted");
	assert_string_equal(x.warnings[1], "insecure: TLS certificate verification is off");
	assert_string_equal(x.warnings[2], "rate_limit: above the API's 10 requests/s per "
	                                   "organization: expect 429 answers");
	np_meraki_conf_free(&c);
}

static void
test_table(void **state)
{
	/* Every key of MERAKI.md, once, and the secret takes its _file/_env forms. */
	static const char *const keys[] = {"api_key",  "base_url", "ca_file",    "insecure",
	                                   "backfill", "day_tz",   "rate_limit", "filter",
	                                   "groups",   "unmatched"};
	size_t n = 0;
	for (const struct np_config_opt *o = np_meraki_options; o->name != NULL; o++, n++)
		assert_string_equal(o->name, keys[n]);
	assert_int_equal(n, sizeof(keys) / sizeof(keys[0]));
	assert_int_equal(np_meraki_options[0].type, NP_CFG_SECRET);
	assert_true(np_meraki_options[0].flags & NP_CFG_F_SECRET_FORMS);
	assert_int_equal(np_meraki_options[8].type, NP_CFG_MAPLIST);
	assert_int_equal(np_meraki_options[8].max, sizeof(struct np_meraki_group_cfg));
	assert_int_equal(np_meraki_options[4].max, 30LL * 86400000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_warnings),
	    cmocka_unit_test(test_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
