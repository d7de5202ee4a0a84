#ifndef NP_COLLECTORS_MERAKI_CONF_H
#define NP_COLLECTORS_MERAKI_CONF_H
/*
 * The meraki source's own configuration (collector.h: ops->options, conf_size, conf_check,
 * conf_free): the option table, the struct the loader walks it into, and the derived values
 * conf_check adds (parsed filter terms, subnets, VLAN ids, the day zone). MERAKI.md lists the
 * keys; conf/netpulse.yaml documents them.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/meraki_match.h"
#include "config/config_table.h"

struct np_source_cfg;
struct np_conf_report;
struct np_tz;

#define NP_MERAKI_BASE_URL "https://api.meraki.com/api/v1"
#define NP_MERAKI_UNMATCHED_DROP "drop"

/* One element of `groups:` as walked (NP_CFG_MAPLIST of these). */
struct np_meraki_group_cfg {
	char *name;
	char **subnets; /* "A.B.C.D/N" */
	size_t nsubnets;
	char **vlan_ids; /* decimal text: YAML integers reach the walker as scalars */
	size_t nvlan_ids;
	char **vlan_names;
	size_t nvlan_names;
};

struct np_meraki_conf {
	/* Walked from np_meraki_options (freed by the loader). */
	char *api_key; /* from api_key_file / api_key_env; never logged */
	char *base_url;
	char *ca_file;
	bool insecure;
	int64_t backfill_ms;
	char *day_tz; /* "UTC", an IANA name, or "network" */
	double rate_limit;
	char **filter;
	size_t nfilter;
	struct np_meraki_group_cfg *groups;
	size_t ngroups;
	char *unmatched;

	/* Derived by np_meraki_conf_check (freed by np_meraki_conf_free). */
	struct np_meraki_filter flt;
	struct np_meraki_groups grp; /* names borrowed from groups[] */
	bool day_tz_network;         /* each network's own timeZone */
	struct np_tz *tz;            /* the day zone, NULL when day_tz_network */
	bool drop_unmatched;         /* unmatched: drop */
	const char *unmatched_group; /* the unmatched clients' group; NULL when dropped */
};

extern const struct np_config_opt np_meraki_options[];

/*
 * Cross-key rules and derived values. Errors (each through r->error, at the key named):
 * api_key_file: neither api_key_file nor api_key_env given; base_url: not http(s)://...;
 * day_tz: a zone that does not load; rate_limit: not > 0; filter: a bad term
 * (np_meraki_filter_parse); groups: a group without subnets, vlan_ids or vlan_names, a
 * repeated group name or one equal to `unmatched`, a bad subnet (host bits set are an error,
 * see np_meraki_subnet_parse), a VLAN id not 1..4094. Warnings: insecure: true; rate_limit
 * above the API's 10/s per organization. The derived fields are set even after errors (what
 * parsed), so np_meraki_conf_free is always safe.
 */
void np_meraki_conf_check(void *conf, const struct np_source_cfg *src, struct np_conf_report *r);
/* Frees the derived fields only. */
void np_meraki_conf_free(void *conf);

#endif
