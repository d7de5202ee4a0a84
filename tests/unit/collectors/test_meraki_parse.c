/*
 * Parsers of the Meraki API answers: every synthetic sample (v0 and v1 shapes), pages that
 * accumulate, elements skipped and counted, pages that fail as a whole.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/meraki_parse.h"

/* A fixture of tests/fixtures/meraki/. */
#define fixture(name, len) np_test_read_fixture("meraki", name, len)

#define PARSE_OK(fn, name, list)                                                                   \
	do {                                                                                       \
		size_t len_;                                                                       \
		char *cause_ = NULL, *body_ = fixture(name, &len_);                                \
		if (fn(body_, len_, list, &cause_) != 0)                                           \
			fail_msg("%s: %s", name, cause_);                                          \
		assert_null(cause_);                                                               \
		free(body_);                                                                       \
	} while (0)

static void
test_orgs(void **state)
{
	struct np_meraki_orgs l = {0};
	PARSE_OK(np_meraki_parse_orgs, "v1_organizations.json", &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].id, "500001");
	assert_string_equal(l.v[0].name, "Example Org A");
	assert_string_equal(l.v[1].id, "500002");
	assert_string_equal(l.v[1].name, "Example Org B");
	/* A second page appends. */
	PARSE_OK(np_meraki_parse_orgs, "v1_organizations.json", &l);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[3].name, "Example Org B");
	assert_int_equal(l.skips.skipped, 0);

	/* A failed page leaves the list as it was. */
	size_t len;
	char *cause = NULL, *body = fixture("not_array.json", &len);
	assert_int_equal(np_meraki_parse_orgs(body, len, &l, &cause), -1);
	assert_string_equal(cause, "organizations: not a JSON array");
	assert_int_equal(l.n, 4);
	free(cause);
	free(body);

	/* Integer ids (old answers) and a missing name (the id). */
	cause = NULL;
	const char *old = "[{\"id\": 123, \"name\": null}, {\"id\": 7.5}]";
	assert_int_equal(np_meraki_parse_orgs(old, strlen(old), &l, &cause), 0);
	assert_int_equal(l.n, 5);
	assert_string_equal(l.v[4].id, "123");
	assert_string_equal(l.v[4].name, "123");
	assert_int_equal(l.skips.skipped, 1);
	assert_string_equal(l.skips.reason, "organizations: element 1: 'id' is not a string");
	np_meraki_orgs_free(&l);
	assert_null(l.v);
	assert_int_equal(l.n, 0);
}

static void
test_nets_v1_v0(void **state)
{
	struct np_meraki_nets l = {0};
	PARSE_OK(np_meraki_parse_nets, "v1_organization_networks.json", &l);
	assert_int_equal(l.n, 2);
	const struct np_meraki_net *n = &l.v[0];
	assert_string_equal(n->id, "L_100000000000000001");
	assert_string_equal(n->name, "Branch 1");
	assert_string_equal(n->org_id, "500001");
	assert_string_equal(n->time_zone, "Europe/Berlin");
	assert_int_equal(n->ntags, 2);
	assert_string_equal(n->tags[0], "branch");
	assert_string_equal(n->tags[1], "emea");
	assert_int_equal(l.v[1].ntags, 1);
	assert_string_equal(l.v[1].tags[0], "hq");
	assert_string_equal(l.v[1].time_zone, "America/New_York");
	np_meraki_nets_free(&l);

	/* v0: tags as one space-separated string (or null). */
	PARSE_OK(np_meraki_parse_nets, "v0_organization_networks.json", &l);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].ntags, 2);
	assert_string_equal(l.v[0].tags[0], "branch");
	assert_string_equal(l.v[0].tags[1], "emea");
	assert_int_equal(l.v[1].ntags, 0);
	assert_null(l.v[1].tags);
	assert_string_equal(l.v[1].name, "HQ");
	assert_int_equal(l.skips.skipped, 0);
	np_meraki_nets_free(&l);
}

static void
test_nets_bad_elements(void **state)
{
	struct np_meraki_nets l = {0};
	PARSE_OK(np_meraki_parse_nets, "bad_networks.json", &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].id, "L_1");
	assert_string_equal(l.v[1].id, "L_5");
	assert_string_equal(l.v[1].name, "L_5"); /* no name: the id */
	assert_null(l.v[1].org_id);
	assert_null(l.v[1].time_zone);
	assert_int_equal(l.v[1].ntags, 2);
	assert_string_equal(l.v[1].tags[0], "x");
	assert_string_equal(l.v[1].tags[1], "y");
	assert_int_equal(l.skips.skipped, 4);
	assert_string_equal(l.skips.reason, "networks: element 1: not an object");
	np_meraki_nets_free(&l);

	size_t len;
	char *cause = NULL, *body = fixture("truncated.json", &len);
	assert_int_equal(np_meraki_parse_nets(body, len, &l, &cause), -1);
	assert_non_null(strstr(cause, "networks: not JSON: line 1"));
	assert_int_equal(l.n, 0);
	free(cause);
	free(body);

	cause = NULL;
	assert_int_equal(np_meraki_parse_nets("", 0, &l, &cause), -1);
	assert_non_null(strstr(cause, "networks: not JSON"));
	free(cause);

	/* The body need not be NUL-terminated: only len bytes are read. */
	cause = NULL;
	assert_int_equal(np_meraki_parse_nets("[]garbage", 2, &l, &cause), 0);
	assert_int_equal(l.n, 0);
	assert_null(cause);
}

static void
test_devices(void **state)
{
	struct np_meraki_devices l = {0};
	PARSE_OK(np_meraki_parse_devices, "v1_network_devices.json", &l);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].serial, "QAAA-BBBB-0001");
	assert_string_equal(l.v[0].name, "branch1-mx");
	assert_string_equal(l.v[0].model, "MX68");
	assert_string_equal(l.v[0].net_id, "L_100000000000000001");
	assert_int_equal(l.v[0].ntags, 1);
	assert_string_equal(l.v[0].tags[0], "statsmachine");
	assert_null(l.v[1].name);
	assert_int_equal(l.v[1].ntags, 0);
	assert_string_equal(l.v[2].model, "Z3");
	assert_null(l.v[2].product_type);
	np_meraki_devices_free(&l);

	PARSE_OK(np_meraki_parse_devices, "v1_organization_devices.json", &l);
	assert_int_equal(l.n, 5);
	assert_string_equal(l.v[0].product_type, "appliance");
	assert_int_equal(l.v[0].ntags, 2);
	assert_string_equal(l.v[0].tags[1], "edge");
	assert_null(l.v[3].net_id);
	assert_int_equal(l.v[4].ntags, 2); /* a v0-style string */
	assert_string_equal(l.v[4].tags[0], "core");
	assert_string_equal(l.v[4].tags[1], "access");
	assert_int_equal(l.skips.skipped, 0);
	np_meraki_devices_free(&l);
}

static void
test_statuses(void **state)
{
	struct np_meraki_statuses l = {0};
	PARSE_OK(np_meraki_parse_statuses, "v1_device_statuses.json", &l);
	assert_int_equal(l.n, 5);
	assert_string_equal(l.v[0].serial, "QAAA-BBBB-0001");
	assert_string_equal(l.v[0].name, "branch1-mx");
	assert_string_equal(l.v[0].net_id, "L_100000000000000001");
	assert_string_equal(l.v[0].product_type, "appliance");
	assert_int_equal(l.v[0].status, NP_MERAKI_ST_ONLINE);
	assert_null(l.v[1].name);
	assert_int_equal(l.v[1].status, NP_MERAKI_ST_ALERTING);
	assert_int_equal(l.v[2].status, NP_MERAKI_ST_OFFLINE);
	assert_int_equal(l.v[3].status, NP_MERAKI_ST_DORMANT);
	assert_int_equal(l.v[4].status, NP_MERAKI_ST_UNKNOWN);
	np_meraki_statuses_free(&l);

	const char *bad = "[{\"name\": \"x\", \"status\": \"online\"}, {\"serial\": \"S\"}]";
	char *cause = NULL;
	assert_int_equal(np_meraki_parse_statuses(bad, strlen(bad), &l, &cause), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].status, NP_MERAKI_ST_UNKNOWN);
	assert_int_equal(l.skips.skipped, 1);
	assert_string_equal(l.skips.reason, "device statuses: element 0: 'serial' is not a string");
	np_meraki_statuses_free(&l);
}

static void
test_vlans(void **state)
{
	struct np_meraki_vlans l = {0};
	PARSE_OK(np_meraki_parse_vlans, "v1_appliance_vlans.json", &l);
	PARSE_OK(np_meraki_parse_vlans, "v0_vlans.json", &l);
	assert_int_equal(l.n, 4);
	/* v1 string ids and v0 integer ids read alike. */
	assert_int_equal(l.v[0].id, 10);
	assert_string_equal(l.v[0].name, "Corp");
	assert_string_equal(l.v[0].subnet, "10.10.0.0/24");
	assert_int_equal(l.v[1].id, 20);
	assert_string_equal(l.v[1].name, "Guest");
	assert_int_equal(l.v[2].id, 10);
	assert_int_equal(l.v[3].id, 20);
	assert_string_equal(l.v[3].subnet, "192.168.50.0/24");
	np_meraki_vlans_free(&l);

	const char *bad =
	    "[{\"id\": \"ten\"}, {\"id\": 4096}, {\"id\": \"-1\"}, {\"id\": \"4095\"}]";
	char *cause = NULL;
	assert_int_equal(np_meraki_parse_vlans(bad, strlen(bad), &l, &cause), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].id, 4095);
	assert_null(l.v[0].name);
	assert_int_equal(l.skips.skipped, 3);
	assert_string_equal(l.skips.reason, "vlans: element 0: 'id' is not a VLAN id (0..4095)");
	np_meraki_vlans_free(&l);
}

static void
test_clients(void **state)
{
	struct np_meraki_clients l = {0};
	PARSE_OK(np_meraki_parse_clients, "v1_device_clients.json", &l);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].id, "kaaaa01");
	assert_string_equal(l.v[0].mac, "02:11:00:00:00:01");
	assert_string_equal(l.v[0].ip, "10.10.0.21");
	assert_true(l.v[0].has_ip4);
	assert_int_equal(l.v[0].ip4, 0x0a0a0015);
	assert_int_equal(l.v[0].vlan, 10);
	assert_true(l.v[0].sent_kb == 1536.5);
	assert_true(l.v[0].recv_kb == 20480.0);
	assert_int_equal(l.v[1].vlan, 20);
	/* The IP-less client: kept, matches no subnet and no VLAN. */
	assert_null(l.v[2].ip);
	assert_false(l.v[2].has_ip4);
	assert_int_equal(l.v[2].vlan, -1);
	assert_true(l.v[2].sent_kb == 10.0);
	assert_true(l.v[2].recv_kb == 3.0);
	np_meraki_clients_free(&l);

	PARSE_OK(np_meraki_parse_clients, "v0_device_clients.json", &l);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].vlan, 10); /* v0: a number */
	assert_int_equal(l.v[1].ip4, 0xc0a83207);
	np_meraki_clients_free(&l);

	PARSE_OK(np_meraki_parse_clients, "v1_network_clients.json", &l);
	assert_int_equal(l.n, 4);
	assert_true(l.v[0].recv_kb == 20480.25);
	assert_int_equal(l.v[1].vlan, 20);
	assert_true(l.v[1].sent_kb == 64.0);
	assert_false(l.v[2].has_ip4);
	/* An IPv6 text in `ip`: kept as text, not IPv4. */
	assert_string_equal(l.v[3].ip, "2001:db8::4");
	assert_false(l.v[3].has_ip4);
	assert_int_equal(l.v[3].vlan, -1);
	assert_true(l.v[3].sent_kb == 0.001);
	assert_int_equal(l.skips.skipped, 0);
	np_meraki_clients_free(&l);
}

static void
test_clients_bad_elements(void **state)
{
	struct np_meraki_clients l = {0};
	PARSE_OK(np_meraki_parse_clients, "bad_clients.json", &l);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].id, "c1");
	assert_int_equal(l.v[0].vlan, 7);
	assert_string_equal(l.v[1].id, "c6");
	assert_null(l.v[1].ip); /* a number is no address */
	assert_false(l.v[1].has_ip4);
	assert_int_equal(l.v[1].vlan, -1); /* 4096 */
	assert_true(l.v[1].sent_kb == 0.5);
	assert_string_equal(l.v[2].id, "c7");
	assert_int_equal(l.v[2].vlan, -1); /* 3.5 */
	assert_int_equal(l.skips.skipped, 4);
	assert_string_equal(l.skips.reason,
	                    "clients: element 1: 'usage.sent' is not a number of kB");
	np_meraki_clients_free(&l);
}

static void
test_vlan_id(void **state)
{
	assert_int_equal(np_meraki_vlan_id("0"), 0);
	assert_int_equal(np_meraki_vlan_id("20"), 20);
	assert_int_equal(np_meraki_vlan_id("4095"), 4095);
	assert_int_equal(np_meraki_vlan_id("4096"), -1);
	assert_int_equal(np_meraki_vlan_id("00020"), -1);
	assert_int_equal(np_meraki_vlan_id(""), -1);
	assert_int_equal(np_meraki_vlan_id(NULL), -1);
	assert_int_equal(np_meraki_vlan_id("1a"), -1);
	assert_int_equal(np_meraki_vlan_id("+1"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_orgs),
	    cmocka_unit_test(test_nets_v1_v0),
	    cmocka_unit_test(test_nets_bad_elements),
	    cmocka_unit_test(test_devices),
	    cmocka_unit_test(test_statuses),
	    cmocka_unit_test(test_vlans),
	    cmocka_unit_test(test_clients),
	    cmocka_unit_test(test_clients_bad_elements),
	    cmocka_unit_test(test_vlan_id),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
