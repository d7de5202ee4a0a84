/*
 * Meraki selection and grouping: filter terms, whole-token tags, model types, subnets
 * (host bits refused), first match wins, IP-less clients, and VLAN names resolved per network
 * (the original resolved them once, for every network).
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/meraki_match.h"

/* A fixture of tests/fixtures/meraki/. */
#define fixture(name, len) np_test_read_fixture("meraki", name, len)

static void
filter_ok(struct np_meraki_filter *f, const char *const *terms, size_t n)
{
	char *cause = NULL;
	if (np_meraki_filter_parse(terms, n, f, &cause) != 0)
		fail_msg("filter: %s", cause);
	assert_null(cause);
}

static void
filter_err(const char *term, const char *want)
{
	struct np_meraki_filter f;
	char *cause = NULL;
	const char *terms[] = {"org:x", term};
	assert_int_equal(np_meraki_filter_parse(terms, 2, &f, &cause), -1);
	assert_string_equal(cause, want);
	assert_null(f.org); /* freed on failure */
	free(cause);
}

static void
test_filter_parse(void **state)
{
	struct np_meraki_filter f;
	filter_ok(&f, NULL, 0);
	assert_int_equal(f.dtypes, NP_MERAKI_DT_MX);
	assert_null(f.org);
	assert_null(f.net);
	assert_null(f.tag);
	assert_null(f.dtag);
	np_meraki_filter_free(&f);

	const char *terms[] = {"ORG:Example Org A", "net:Branch 1", "Tag:branch", "dtag:a:b",
	                       "dtype:ALL"};
	filter_ok(&f, terms, 5);
	assert_string_equal(f.org, "Example Org A");
	assert_string_equal(f.net, "Branch 1");
	assert_string_equal(f.tag, "branch");
	assert_string_equal(f.dtag, "a:b"); /* the value is all after the first ':' */
	assert_int_equal(f.dtypes, NP_MERAKI_DT_ALL);
	np_meraki_filter_free(&f);

	const char *ms[] = {"dtype:ms"};
	filter_ok(&f, ms, 1);
	assert_int_equal(f.dtypes, NP_MERAKI_DT_MS);
	np_meraki_filter_free(&f);

	filter_err("org:y", "filter 'org:y': org given twice");
	filter_err("dtype:mz", "filter 'dtype:mz': dtype is one of mx, mr, ms, all");
	filter_err("site:x", "filter 'site:x': unknown label (org, net, tag, dtag, dtype)");
	filter_err("tag:", "filter 'tag:': expected label:value (org:, net:, tag:, dtag:, dtype:)");
	filter_err("branch", "filter 'branch': expected label:value (org:, net:, tag:, dtag:, "
	                     "dtype:)");
	struct np_meraki_filter g;
	char *cause = NULL;
	const char *twice[] = {"dtype:mx", "dtype:mr"};
	assert_int_equal(np_meraki_filter_parse(twice, 2, &g, &cause), -1);
	assert_string_equal(cause, "filter 'dtype:mr': dtype given twice");
	free(cause);
}

static void
test_filter_match(void **state)
{
	struct np_meraki_filter f;
	const char *terms[] = {"tag:branch", "dtag:edge"};
	filter_ok(&f, terms, 2);

	/* Whole tags: `branch` does not match `branch2`. */
	char *t_branch2[] = {"emea", "branch2"}, *t_branch[] = {"branch"};
	struct np_meraki_net n = {.id = "L_1", .name = "n", .tags = t_branch2, .ntags = 2};
	assert_false(np_meraki_filter_net(&f, &n));
	n.tags = t_branch;
	n.ntags = 1;
	assert_true(np_meraki_filter_net(&f, &n));
	n.tags = NULL; /* no tags (v0 null) */
	n.ntags = 0;
	assert_false(np_meraki_filter_net(&f, &n));

	/* dtype mx (the default here) = MX and Z, not MR; dtag whole too. */
	char *t_edge[] = {"edge"}, *t_edges[] = {"edges"};
	struct np_meraki_device d = {.serial = "S", .model = "MX64", .tags = t_edge, .ntags = 1};
	assert_true(np_meraki_filter_device(&f, &d));
	d.model = "Z3";
	assert_true(np_meraki_filter_device(&f, &d));
	d.model = "MR46";
	assert_false(np_meraki_filter_device(&f, &d));
	d.model = NULL;
	assert_false(np_meraki_filter_device(&f, &d));
	d.model = "MX250";
	d.tags = t_edges;
	assert_false(np_meraki_filter_device(&f, &d));
	d.tags = NULL;
	d.ntags = 0;
	assert_false(np_meraki_filter_device(&f, &d));
	np_meraki_filter_free(&f);

	const char *all[] = {"dtype:all", "org:Example Org A"};
	filter_ok(&f, all, 2);
	struct np_meraki_device sw = {.serial = "S", .model = "MS120-8"};
	assert_true(np_meraki_filter_device(&f, &sw));
	sw.model = "MV12"; /* cameras are never selected */
	assert_false(np_meraki_filter_device(&f, &sw));
	struct np_meraki_org oa = {.id = "1", .name = "Example Org A"};
	struct np_meraki_org ob = {.id = "2", .name = "Example Org AB"};
	assert_true(np_meraki_filter_org(&f, &oa));
	assert_false(np_meraki_filter_org(&f, &ob));
	np_meraki_filter_free(&f);
}

struct world {
	struct np_meraki_nets nets;
	struct np_meraki_devices devs;
	bool net_sel[8], dev_sel[8];
};

static void
world_load(struct world *w)
{
	memset(w, 0, sizeof(*w));
	size_t len;
	char *cause = NULL, *body = fixture("v1_organization_networks.json", &len);
	assert_int_equal(np_meraki_parse_nets(body, len, &w->nets, &cause), 0);
	free(body);
	body = fixture("v1_organization_devices.json", &len);
	assert_int_equal(np_meraki_parse_devices(body, len, &w->devs, &cause), 0);
	free(body);
	assert_int_equal(w->nets.n, 2);
	assert_int_equal(w->devs.n, 5);
}

static size_t
select_with(struct world *w, const char *const *terms, size_t n)
{
	struct np_meraki_filter f;
	filter_ok(&f, terms, n);
	size_t c = np_meraki_select(&f, &w->nets, &w->devs, w->net_sel, w->dev_sel);
	np_meraki_filter_free(&f);
	return c;
}

static void
test_select(void **state)
{
	struct world w;
	world_load(&w);
	/* dtype:mx: the MX64 of Branch 1 and the Z3 of HQ; not the MR, not the spare without a
	 * network, not the switch of a network not listed. */
	assert_int_equal(select_with(&w, NULL, 0), 2);
	assert_true(w.net_sel[0] && w.net_sel[1]);
	assert_true(w.dev_sel[0]);
	assert_false(w.dev_sel[1]);
	assert_true(w.dev_sel[2]);
	assert_false(w.dev_sel[3]);
	assert_false(w.dev_sel[4]);

	const char *hq[] = {"tag:hq"};
	assert_int_equal(select_with(&w, hq, 1), 1);
	assert_false(w.net_sel[0]);
	assert_true(w.net_sel[1]);
	assert_false(w.dev_sel[0]);
	assert_true(w.dev_sel[2]);

	/* A network without a selected device is dropped. */
	const char *mr_hq[] = {"dtype:mr", "net:HQ"};
	assert_int_equal(select_with(&w, mr_hq, 2), 0);
	assert_false(w.net_sel[0] || w.net_sel[1]);
	assert_false(w.dev_sel[1]);

	const char *mr[] = {"dtype:mr"};
	assert_int_equal(select_with(&w, mr, 1), 1);
	assert_true(w.net_sel[0]);
	assert_false(w.net_sel[1]);
	assert_true(w.dev_sel[1]);

	const char *edge[] = {"net:Branch 1", "dtag:edge"};
	assert_int_equal(select_with(&w, edge, 2), 1);
	assert_true(w.dev_sel[0]);
	assert_false(w.dev_sel[2]);
	np_meraki_nets_free(&w.nets);
	np_meraki_devices_free(&w.devs);
}

static void
subnet_err(const char *s, const char *want)
{
	struct np_meraki_subnet sn;
	char *cause = NULL;
	assert_int_equal(np_meraki_subnet_parse(s, &sn, &cause), -1);
	assert_string_equal(cause, want);
	free(cause);
}

static void
test_subnets(void **state)
{
	struct np_meraki_subnet s;
	char *cause = NULL;
	assert_int_equal(np_meraki_subnet_parse("10.10.0.0/16", &s, &cause), 0);
	assert_int_equal(s.addr, 0x0a0a0000);
	assert_int_equal(s.mask, 0xffff0000);
	assert_true(np_meraki_subnet_has(&s, 0x0a0affff));
	assert_false(np_meraki_subnet_has(&s, 0x0a0b0000));
	assert_int_equal(np_meraki_subnet_parse("0.0.0.0/0", &s, &cause), 0);
	assert_int_equal(s.mask, 0);
	assert_true(np_meraki_subnet_has(&s, 0xffffffff));
	assert_int_equal(np_meraki_subnet_parse("192.168.1.7/32", &s, &cause), 0);
	assert_true(np_meraki_subnet_has(&s, 0xc0a80107));
	assert_false(np_meraki_subnet_has(&s, 0xc0a80106));
	assert_null(cause);

	/* Host bits set: refused with the network the user probably meant (the original
	 * crashed). */
	subnet_err("10.0.0.1/8",
	           "subnet '10.0.0.1/8' has host bits set (the network is 10.0.0.0/8)");
	subnet_err("10.10.0.0", "subnet '10.10.0.0': expected an IPv4 subnet A.B.C.D/N");
	subnet_err("/8", "subnet '/8': expected an IPv4 subnet A.B.C.D/N");
	subnet_err("10.0.0.0/33", "subnet '10.0.0.0/33': the prefix length is not 0..32");
	subnet_err("10.0.0.0/", "subnet '10.0.0.0/': the prefix length is not 0..32");
	subnet_err("10.0.0.0/8x", "subnet '10.0.0.0/8x': the prefix length is not 0..32");
	subnet_err("10.0.0.0/0008", "subnet '10.0.0.0/0008': the prefix length is not 0..32");
	subnet_err(
	    "2001:db8::/32",
	    "subnet '2001:db8::/32': '2001:db8::' is not an IPv4 address (only IPv4 subnets)");
	subnet_err("10.0.0/8", "subnet '10.0.0/8': '10.0.0' is not an IPv4 address (only IPv4 "
	                       "subnets)");
}

/* Corporate: 10.10.0.0/16 or VLAN 20; Guest: VLAN named "guest" in the client's network. */
static struct np_meraki_subnet corp_sn = {0x0a0a0000, 0xffff0000};
static int corp_ids[] = {20};
static const char *const guest_names[] = {"guest"};
static struct np_meraki_group groups_v[] = {
    {.name = "Corporate", .subnets = &corp_sn, .nsubnets = 1, .vlan_ids = corp_ids, .nvlan_ids = 1},
    {.name = "Guest", .vlan_names = guest_names, .nvlan_names = 1},
};
static const struct np_meraki_groups groups = {groups_v, 2, true};

static struct np_meraki_client
client(const char *ip, int vlan)
{
	struct np_meraki_client c = {.vlan = vlan};
	if (ip != NULL) {
		unsigned a, b, cc, d;
		assert_int_equal(sscanf(ip, "%u.%u.%u.%u", &a, &b, &cc, &d), 4);
		c.ip4 = a << 24 | b << 16 | cc << 8 | d;
		c.has_ip4 = true;
	}
	return c;
}

static void
test_classify_first_match(void **state)
{
	struct np_meraki_vlan va[] = {{10, "corp", NULL}, {30, "guest", NULL}};
	struct np_meraki_vlans vlans = {va, 2, 2, {0}};
	struct np_meraki_resolved r;
	np_meraki_resolve(&groups, &vlans, &r);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.nids[0], 0);
	assert_int_equal(r.nids[1], 1);
	assert_int_equal(r.ids[1][0], 30);

	struct np_meraki_client c = client("10.10.1.1", 30);
	assert_int_equal(np_meraki_classify(&groups, &r, &c), 0); /* first match wins */
	c = client("192.168.50.7", 30);
	assert_int_equal(np_meraki_classify(&groups, &r, &c), 1);
	c = client("192.168.50.7", 20);
	assert_int_equal(np_meraki_classify(&groups, &r, &c), 0); /* vlan_ids */
	c = client("192.168.50.7", 10);
	assert_int_equal(np_meraki_classify(&groups, &r, &c), -1);
	/* IP-less clients: no subnet matches, the VLAN still may. */
	c = client(NULL, 20);
	assert_int_equal(np_meraki_classify(&groups, &r, &c), 0);
	c = client(NULL, 30);
	assert_int_equal(np_meraki_classify(&groups, &r, &c), 1);
	c = client(NULL, -1);
	assert_int_equal(np_meraki_classify(&groups, &r, &c), -1);
	c = client("10.10.0.5", -1);
	assert_int_equal(np_meraki_classify(&groups, &r, &c), 0);
	np_meraki_resolved_free(&r);

	/* No VLAN list (a network without VLANs): names resolve to nothing. */
	np_meraki_resolve(&groups, NULL, &r);
	c = client(NULL, 30);
	assert_int_equal(np_meraki_classify(&groups, &r, &c), -1);
	c = client(NULL, 20);
	assert_int_equal(np_meraki_classify(&groups, &r, &c), 0);
	np_meraki_resolved_free(&r);
}

static void
test_vlan_names_per_network(void **state)
{
	/* Two networks, the same VLAN name, different ids. */
	struct np_meraki_vlan va[] = {{30, "guest", NULL}, {31, "lab", NULL}};
	struct np_meraki_vlan vb[] = {{40, "guest", NULL}, {30, "cameras", NULL}};
	struct np_meraki_vlans la = {va, 2, 2, {0}}, lb = {vb, 2, 2, {0}};
	struct np_meraki_resolved ra, rb;
	np_meraki_resolve(&groups, &la, &ra);
	np_meraki_resolve(&groups, &lb, &rb);

	struct np_meraki_client c30 = client("192.168.0.9", 30), c40 = client("192.168.0.9", 40);
	assert_int_equal(np_meraki_classify(&groups, &ra, &c30), 1);
	assert_int_equal(np_meraki_classify(&groups, &ra, &c40), -1);
	assert_int_equal(np_meraki_classify(&groups, &rb, &c40), 1);
	assert_int_equal(np_meraki_classify(&groups, &rb, &c30), -1);
	/* Network A's resolution is not changed by resolving B after it. */
	assert_int_equal(ra.nids[1], 1);
	assert_int_equal(ra.ids[1][0], 30);
	assert_int_equal(rb.ids[1][0], 40);
	assert_null(groups_v[1].vlan_ids); /* nothing written into the shared groups */
	np_meraki_resolved_free(&ra);
	np_meraki_resolved_free(&rb);

	/* A name listed twice in one network's VLAN list gives both ids. */
	struct np_meraki_vlan vc[] = {{50, "guest", NULL}, {51, "guest", NULL}, {52, NULL, NULL}};
	struct np_meraki_vlans lc = {vc, 3, 3, {0}};
	struct np_meraki_resolved rc;
	np_meraki_resolve(&groups, &lc, &rc);
	assert_int_equal(rc.nids[1], 2);
	struct np_meraki_client c51 = client(NULL, 51), c52 = client(NULL, 52);
	assert_int_equal(np_meraki_classify(&groups, &rc, &c51), 1);
	assert_int_equal(np_meraki_classify(&groups, &rc, &c52), -1);
	np_meraki_resolved_free(&rc);
}

static void
test_copies(void **state)
{
	/* A collector keeps owned copies: they match alike and free on their own. */
	struct np_meraki_groups g;
	np_meraki_groups_copy(&groups, &g);
	assert_int_equal(g.n, 2);
	assert_true(g.uses_vlans);
	assert_ptr_not_equal(g.v[1].vlan_names, groups_v[1].vlan_names);
	assert_string_equal(g.v[1].vlan_names[0], "guest");
	assert_string_equal(g.v[0].name, "Corporate");
	struct np_meraki_vlan va[] = {{30, "guest", NULL}};
	struct np_meraki_vlans vl = {va, 1, 1, {0}};
	struct np_meraki_resolved r;
	np_meraki_resolve(&g, &vl, &r);
	struct np_meraki_client c = client(NULL, 30), d = client("10.10.9.9", -1);
	assert_int_equal(np_meraki_classify(&g, &r, &c), 1);
	assert_int_equal(np_meraki_classify(&g, &r, &d), 0);
	np_meraki_resolved_free(&r);
	np_meraki_groups_free(&g);

	struct np_meraki_filter f, fc;
	const char *terms[] = {"org:A", "dtag:x", "dtype:ms"};
	filter_ok(&f, terms, 3);
	np_meraki_filter_copy(&f, &fc);
	np_meraki_filter_free(&f);
	assert_string_equal(fc.org, "A");
	assert_string_equal(fc.dtag, "x");
	assert_null(fc.net);
	assert_int_equal(fc.dtypes, NP_MERAKI_DT_MS);
	np_meraki_filter_free(&fc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_filter_parse),
	    cmocka_unit_test(test_filter_match),
	    cmocka_unit_test(test_select),
	    cmocka_unit_test(test_subnets),
	    cmocka_unit_test(test_classify_first_match),
	    cmocka_unit_test(test_vlan_names_per_network),
	    cmocka_unit_test(test_copies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
