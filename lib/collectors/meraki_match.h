#ifndef NP_COLLECTORS_MERAKI_MATCH_H
#define NP_COLLECTORS_MERAKI_MATCH_H
/*
 * What the meraki source selects and how it groups clients (MERAKI.md), pure.
 *
 * Filters: the original script's terms, "label:value", label case-insensitive, each label at
 * most once: org:NAME (exact organization name), net:NAME (exact network name), tag:T (the
 * network has tag T: a whole tag, case-sensitive, so `branch` does not match `branch2`),
 * dtag:T (the device has tag T, likewise), dtype:mx|mr|ms|all (the device model's prefix,
 * case-insensitive: mx = MX and Z (teleworker), mr = MR, ms = MS, all = the four). The value is
 * everything after the first ':' (names may contain ':'). Without a dtype term: dtype:mx.
 * Unlike the original, an unknown label, an unknown dtype, an empty value and a repeated label
 * are errors (the original fell back to mx silently).
 *
 * Groups: per client, groups in config order, the first that matches wins: the client's IPv4
 * address is in one of the group's subnets, or its VLAN equals one of vlan_ids, or equals the
 * id of a VLAN of the client's own network whose name is one of vlan_names. The names are
 * resolved per network into a separate np_meraki_resolved (nothing shared is written, unlike
 * the original, where the first network's resolution stuck for every later one).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/meraki_parse.h"

enum {
	NP_MERAKI_DT_MX = 0x1, /* MX and Z models */
	NP_MERAKI_DT_MR = 0x2,
	NP_MERAKI_DT_MS = 0x4,
	NP_MERAKI_DT_ALL = 0x7,
};

struct np_meraki_filter {
	char *org, *net, *tag, *dtag; /* NULL = any */
	unsigned dtypes;              /* NP_MERAKI_DT_* bits */
};

/* Parses n terms (n = 0: dtype:mx alone). -1 with *cause naming the bad term. */
int np_meraki_filter_parse(const char *const *terms, size_t n, struct np_meraki_filter *f,
                           char **cause);
void np_meraki_filter_free(struct np_meraki_filter *f);

bool np_meraki_filter_org(const struct np_meraki_filter *f, const struct np_meraki_org *o);
/* org:, net: and tag: (the device condition is np_meraki_select's). */
bool np_meraki_filter_net(const struct np_meraki_filter *f, const struct np_meraki_net *n);
/* dtag: and dtype:. */
bool np_meraki_filter_device(const struct np_meraki_filter *f, const struct np_meraki_device *d);

/*
 * One organization's selection: dev_sel[i] = devices->v[i] passes the device terms and sits in
 * a network that passes the network terms; net_sel[j] = nets->v[j] passes them and holds at
 * least one selected device. Returns the number of selected networks (0: drop the org). The
 * arrays are the caller's, of nets->n and devices->n entries.
 */
size_t np_meraki_select(const struct np_meraki_filter *f, const struct np_meraki_nets *nets,
                        const struct np_meraki_devices *devices, bool *net_sel, bool *dev_sel);

/* An IPv4 subnet in host byte order: addr has no host bits. */
struct np_meraki_subnet {
	uint32_t addr, mask;
};

/*
 * Parses "A.B.C.D/N" (N 0..32). A subnet with host bits set ("10.0.0.1/8") is refused, not
 * masked: the user probably meant something else, and the error says what the network would
 * be. A bare address, IPv6, or anything else is refused too. -1 with *cause.
 */
int np_meraki_subnet_parse(const char *s, struct np_meraki_subnet *out, char **cause);

static inline bool
np_meraki_subnet_has(const struct np_meraki_subnet *s, uint32_t ip4)
{
	return (ip4 & s->mask) == s->addr;
}

/* One group, ready to match. Names point into the config (borrowed) unless copied. */
struct np_meraki_group {
	const char *name;
	struct np_meraki_subnet *subnets;
	size_t nsubnets;
	int *vlan_ids;
	size_t nvlan_ids;
	const char *const *vlan_names;
	size_t nvlan_names;
	/* Owned storage of name and vlan_names in a copy (np_meraki_groups_copy); else NULL. */
	char *own_name;
	char **own_vlan_names;
};

struct np_meraki_groups {
	struct np_meraki_group *v;
	size_t n;
	bool uses_vlans; /* a group has vlan_ids or vlan_names: the VLAN lists are needed */
};

void np_meraki_groups_free(struct np_meraki_groups *g);
/* Deep copies that own every string (a collector outlives the config it was made from). */
void np_meraki_groups_copy(const struct np_meraki_groups *src, struct np_meraki_groups *dst);
void np_meraki_filter_copy(const struct np_meraki_filter *src, struct np_meraki_filter *dst);

/* The VLAN ids that a network's VLAN list gives each group's vlan_names. */
struct np_meraki_resolved {
	int **ids; /* ids[g]: nids[g] VLAN ids of group g in this network */
	size_t *nids;
	size_t n; /* = the groups' count */
};

/*
 * Resolves every group's vlan_names against one network's VLAN list (vlans may be NULL or
 * empty: a network without VLANs, whose names then resolve to nothing). The result belongs to
 * that network only; free it with np_meraki_resolved_free.
 */
void np_meraki_resolve(const struct np_meraki_groups *g, const struct np_meraki_vlans *vlans,
                       struct np_meraki_resolved *out);
void np_meraki_resolved_free(struct np_meraki_resolved *r);

/*
 * The index of the first group that matches client c of the network r was resolved for, or
 * -1 when none does (the caller's unmatched group, or drop). r may be NULL when no group uses
 * vlan_names.
 */
int np_meraki_classify(const struct np_meraki_groups *g, const struct np_meraki_resolved *r,
                       const struct np_meraki_client *c);

#endif
