#include "collectors/meraki_conf.h"

#include <stdlib.h>
#include <string.h>

#include "collectors/collector.h"
#include "config/config_table.h"
#include "model/obs.h"
#include "util/tz.h"
#include "util/xmalloc.h"

#define DAY_MS (24LL * 3600 * 1000)
#define CONF(f) offsetof(struct np_meraki_conf, f)
#define GROUP(f) offsetof(struct np_meraki_group_cfg, f)
/* The API's documented limit per organization (requests/s). */
#define API_RATE 10

static const struct np_config_opt group_opts[] = {
    {.name = "name",
     .type = NP_CFG_STRING,
     .off = GROUP(name),
     .required = NP_CFG_ALL,
     .def_doc = "(required)",
     .help = "the group: the series' interface and `group` label"},
    {.name = "subnets",
     .type = NP_CFG_STRINGS,
     .off = GROUP(subnets),
     .off2 = GROUP(nsubnets),
     .max = 1024,
     .def_doc = "(none)",
     .help = "IPv4 subnets A.B.C.D/N (no host bits set) of the group's clients"},
    {.name = "vlan_ids",
     .type = NP_CFG_STRINGS,
     .off = GROUP(vlan_ids),
     .off2 = GROUP(nvlan_ids),
     .max = 4094,
     .def_doc = "(none)",
     .help = "VLAN ids (1-4094) of the group's clients"},
    {.name = "vlan_names",
     .type = NP_CFG_STRINGS,
     .off = GROUP(vlan_names),
     .off2 = GROUP(nvlan_names),
     .max = 256,
     .def_doc = "(none)",
     .help = "VLAN names, resolved to ids in each network's own VLAN list"},
    {.name = NULL},
};

const struct np_config_opt np_meraki_options[] = {
    {.name = "api_key",
     .type = NP_CFG_SECRET,
     .off = CONF(api_key),
     .flags = NP_CFG_F_SECRET_FORMS,
     .required = NP_CFG_ALL,
     .def_doc = "(required: api_key_file or api_key_env)",
     .help = "Dashboard API key (sent as Authorization: Bearer and X-Cisco-Meraki-API-Key)"},
    {.name = "base_url",
     .type = NP_CFG_STRING,
     .off = CONF(base_url),
     .def = NP_MERAKI_BASE_URL,
     .help = "API base URL"},
    {.name = "ca_file",
     .type = NP_CFG_PATH,
     .flags = NP_CFG_F_READ,
     .off = CONF(ca_file),
     .def_doc = "(the system store)",
     .help = "CA bundle that verifies the API's certificate"},
    {.name = "insecure",
     .type = NP_CFG_BOOL,
     .off = CONF(insecure),
     .def = "false",
     .help = "skip TLS certificate verification (warned at load)"},
    {.name = "backfill",
     .type = NP_CFG_DURATION,
     .off = CONF(backfill_ms),
     .min = DAY_MS,
     .max = 30 * DAY_MS,
     .def = "30d",
     .help = "days missing at start are filled this far back, in whole days (the API keeps "
             "31 days)"},
    {.name = "day_tz",
     .type = NP_CFG_STRING,
     .off = CONF(day_tz),
     .def = "UTC",
     .help = "what a day is: UTC, an IANA zone, or `network` (each network's timeZone)"},
    {.name = "rate_limit",
     .type = NP_CFG_NUMBER,
     .off = CONF(rate_limit),
     .min = 0,
     .def = "10",
     .help = "requests per second per organization (> 0; the API allows 10)"},
    {.name = "filter",
     .type = NP_CFG_STRINGS,
     .off = CONF(filter),
     .off2 = CONF(nfilter),
     .max = 5,
     .def_doc = "[dtype:mx]",
     .help = "org:NAME, net:NAME, tag:T, dtag:T, dtype:mx|mr|ms|all (mx = MX and Z models), "
             "each at most once; without dtype: dtype:mx"},
    {.name = "groups",
     .type = NP_CFG_MAPLIST,
     .off = CONF(groups),
     .off2 = CONF(ngroups),
     .max = sizeof(struct np_meraki_group_cfg),
     .sub = group_opts,
     .def_doc = "(none: every client is unmatched)",
     .help = "user groups {name, subnets, vlan_ids, vlan_names}; per client the first group "
             "that matches wins"},
    {.name = "unmatched",
     .type = NP_CFG_STRING,
     .off = CONF(unmatched),
     .def = "unmatched",
     .help = "group of the clients no group matches; `drop` ignores them"},
    {.name = NULL},
};

static void
check_groups(struct np_meraki_conf *c, struct np_conf_report *r)
{
	struct np_meraki_groups *g = &c->grp;
	g->v = c->ngroups ? np_xcalloc(c->ngroups, sizeof(*g->v)) : NULL;
	g->n = c->ngroups;
	for (size_t i = 0; i < c->ngroups; i++) {
		const struct np_meraki_group_cfg *gc = &c->groups[i];
		struct np_meraki_group *gr = &g->v[i];
		gr->name = gc->name;
		if (gc->nsubnets + gc->nvlan_ids + gc->nvlan_names == 0)
			r->error(r, "groups", "group '%s' has no subnets, vlan_ids or vlan_names",
			         gc->name);
		if (strlen(gc->name) >= NP_NAME_MAX)
			r->error(r, "groups", "group '%.20s...' is longer than %d bytes", gc->name,
			         NP_NAME_MAX - 1);
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->groups[j].name, gc->name) == 0)
				r->error(r, "groups", "group '%s' is named twice", gc->name);
		if (c->unmatched_group != NULL && strcmp(gc->name, c->unmatched_group) == 0)
			r->error(r, "groups",
			         "group '%s' has the name of the unmatched clients' group (set "
			         "`unmatched` to another name)",
			         gc->name);

		gr->subnets = gc->nsubnets ? np_xcalloc(gc->nsubnets, sizeof(*gr->subnets)) : NULL;
		for (size_t k = 0; k < gc->nsubnets; k++) {
			char *cause = NULL;
			if (np_meraki_subnet_parse(gc->subnets[k], &gr->subnets[gr->nsubnets],
			                           &cause) == 0)
				gr->nsubnets++;
			else
				r->error(r, "groups", "group '%s': %s", gc->name, cause);
			free(cause);
		}
		gr->vlan_ids =
		    gc->nvlan_ids ? np_xcalloc(gc->nvlan_ids, sizeof(*gr->vlan_ids)) : NULL;
		for (size_t k = 0; k < gc->nvlan_ids; k++) {
			int id = np_meraki_vlan_id(gc->vlan_ids[k]);
			if (id >= 1 && id <= 4094)
				gr->vlan_ids[gr->nvlan_ids++] = id;
			else
				r->error(r, "groups", "group '%s': VLAN id '%s' is not 1..4094",
				         gc->name, gc->vlan_ids[k]);
		}
		gr->vlan_names = (const char *const *)gc->vlan_names;
		gr->nvlan_names = gc->nvlan_names;
		if (gc->nvlan_ids + gc->nvlan_names > 0)
			g->uses_vlans = true;
	}
}

void
np_meraki_conf_check(void *conf, const struct np_source_cfg *src, struct np_conf_report *r)
{
	struct np_meraki_conf *c = conf;
	char *cause = NULL;

	/* A missing key is the walker's "missing required key" (api_key is required). */
	if (c->base_url != NULL && strncmp(c->base_url, "https://", 8) != 0) {
		if (strncmp(c->base_url, "http://", 7) == 0)
			r->warning(r, "base_url", "plain http: the API key travels unencrypted");
		else
			r->error(r, "base_url", "not an http:// or https:// URL");
	}
	if (c->insecure)
		r->warning(r, "insecure", "TLS certificate verification is off");
	if (!(c->rate_limit > 0))
		r->error(r, "rate_limit", "must be above 0");
	else if (c->rate_limit > API_RATE)
		r->warning(r, "rate_limit",
		           "above the API's %d requests/s per organization: expect 429 answers",
		           API_RATE);

	const char *zone = c->day_tz != NULL ? c->day_tz : "UTC";
	if (strcmp(zone, "network") == 0) {
		c->day_tz_network = true;
	} else if ((c->tz = np_tz_load(NULL, zone, &cause)) == NULL) {
		r->error(r, "day_tz", "%s", cause);
		free(cause);
		cause = NULL;
	}

	if (np_meraki_filter_parse((const char *const *)c->filter, c->nfilter, &c->flt, &cause) ==
	    -1) {
		r->error(r, "filter", "%s", cause);
		free(cause);
		cause = NULL;
		/* The derived filter stays the default (dtype:mx): conf_free and equality safe. */
		c->flt.dtypes = NP_MERAKI_DT_MX;
	}

	const char *unmatched = c->unmatched != NULL ? c->unmatched : "unmatched";
	c->drop_unmatched = strcmp(unmatched, NP_MERAKI_UNMATCHED_DROP) == 0;
	c->unmatched_group = c->drop_unmatched ? NULL : unmatched;
	if (c->drop_unmatched && c->ngroups == 0)
		r->error(r, "unmatched", "drop without any group would store nothing");
	check_groups(c, r);
}

void
np_meraki_conf_free(void *conf)
{
	struct np_meraki_conf *c = conf;
	np_meraki_filter_free(&c->flt);
	np_meraki_groups_free(&c->grp);
	np_tz_free(c->tz);
	c->tz = NULL;
	c->day_tz_network = false;
	c->drop_unmatched = false;
	c->unmatched_group = NULL;
}
