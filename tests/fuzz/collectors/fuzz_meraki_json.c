/*
 * Fuzz target for every Meraki JSON parser: the first byte picks the parser (its value mod 6:
 * 0 organizations, 1 networks, 2 devices, 3 device statuses, 4 VLANs, 5 clients), the rest is
 * the page. The parsers' promises are checked: a failed page adds nothing and says why; every
 * element kept has its required fields in range. VLANs and clients also go through the
 * per-network resolution and the grouping.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/meraki_match.h"
#include "collectors/meraki_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int ok)
{
	if (!ok)
		abort();
}

static void
check_tags(char *const *tags, size_t n)
{
	check((tags == NULL) == (n == 0));
	for (size_t i = 0; i < n; i++)
		check(tags[i] != NULL && tags[i][0] != '\0');
}

static void
check_rc(int rc, char *cause, size_t n, const struct np_meraki_skips *s)
{
	if (rc == -1)
		check(cause != NULL && n == 0 && s->skipped == 0);
	else
		check(rc == 0 && cause == NULL);
	check((s->skipped == 0) == (s->reason[0] == '\0'));
	free(cause);
}

static struct np_meraki_subnet fz_sn = {0x0a000000, 0xff000000};
static int fz_ids[] = {20};
static const char *const fz_names[] = {"guest", "Corp"};
static struct np_meraki_group fz_groups_v[] = {
    {.name = "a", .subnets = &fz_sn, .nsubnets = 1, .vlan_ids = fz_ids, .nvlan_ids = 1},
    {.name = "b", .vlan_names = fz_names, .nvlan_names = 2},
};
static const struct np_meraki_groups fz_groups = {fz_groups_v, 2, true};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	const char *body = (const char *)data + 1;
	size_t len = size - 1;
	char *cause = NULL;
	int rc;
	switch (data[0] % 6) {
	case 0: {
		struct np_meraki_orgs l = {0};
		rc = np_meraki_parse_orgs(body, len, &l, &cause);
		check_rc(rc, cause, l.n, &l.skips);
		for (size_t i = 0; i < l.n; i++)
			check(l.v[i].id != NULL && l.v[i].name != NULL);
		np_meraki_orgs_free(&l);
		break;
	}
	case 1: {
		struct np_meraki_nets l = {0};
		rc = np_meraki_parse_nets(body, len, &l, &cause);
		check_rc(rc, cause, l.n, &l.skips);
		for (size_t i = 0; i < l.n; i++) {
			check(l.v[i].id != NULL && l.v[i].name != NULL);
			check_tags(l.v[i].tags, l.v[i].ntags);
		}
		np_meraki_nets_free(&l);
		break;
	}
	case 2: {
		struct np_meraki_devices l = {0};
		rc = np_meraki_parse_devices(body, len, &l, &cause);
		check_rc(rc, cause, l.n, &l.skips);
		for (size_t i = 0; i < l.n; i++) {
			check(l.v[i].serial != NULL);
			check_tags(l.v[i].tags, l.v[i].ntags);
		}
		np_meraki_devices_free(&l);
		break;
	}
	case 3: {
		struct np_meraki_statuses l = {0};
		rc = np_meraki_parse_statuses(body, len, &l, &cause);
		check_rc(rc, cause, l.n, &l.skips);
		for (size_t i = 0; i < l.n; i++)
			check(l.v[i].serial != NULL && l.v[i].status <= NP_MERAKI_ST_DORMANT);
		np_meraki_statuses_free(&l);
		break;
	}
	case 4: {
		struct np_meraki_vlans l = {0};
		rc = np_meraki_parse_vlans(body, len, &l, &cause);
		check_rc(rc, cause, l.n, &l.skips);
		for (size_t i = 0; i < l.n; i++)
			check(l.v[i].id >= 0 && l.v[i].id <= 4095);
		struct np_meraki_resolved r;
		np_meraki_resolve(&fz_groups, &l, &r);
		check(r.n == 2 && r.nids[0] == 0 && r.nids[1] <= l.n);
		for (size_t i = 0; i < r.nids[1]; i++)
			check(r.ids[1][i] >= 0 && r.ids[1][i] <= 4095);
		np_meraki_resolved_free(&r);
		np_meraki_vlans_free(&l);
		break;
	}
	default: {
		struct np_meraki_clients l = {0};
		rc = np_meraki_parse_clients(body, len, &l, &cause);
		check_rc(rc, cause, l.n, &l.skips);
		for (size_t i = 0; i < l.n; i++) {
			const struct np_meraki_client *c = &l.v[i];
			check(c->vlan >= -1 && c->vlan <= 4095);
			check(!c->has_ip4 || c->ip != NULL);
			check(isfinite(c->sent_kb) && c->sent_kb >= 0 &&
			      c->sent_kb <= NP_MERAKI_USAGE_MAX);
			check(isfinite(c->recv_kb) && c->recv_kb >= 0 &&
			      c->recv_kb <= NP_MERAKI_USAGE_MAX);
			int g = np_meraki_classify(&fz_groups, NULL, c);
			check(g >= -1 && g <= 1);
			check((g == 0) == ((c->has_ip4 && (c->ip4 >> 24) == 10) || c->vlan == 20));
		}
		np_meraki_clients_free(&l);
		break;
	}
	}
	return 0;
}
