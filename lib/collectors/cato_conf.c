#include <stdlib.h>
#include <string.h>

#include "collectors/cato.h"
#include "config/config_table.h"
#include "util/str.h"

#define CONF(f) offsetof(struct np_cato_conf, f)
#define DAY_MS (24LL * 3600 * 1000)
/* appStatsTimeSeries' published limit per account (calls a minute). */
#define API_RATE 80

const struct np_config_opt np_cato_options[] = {
    {.name = "api_key",
     .type = NP_CFG_SECRET,
     .off = CONF(api_key),
     .flags = NP_CFG_F_SECRET_FORMS,
     .required = NP_CFG_ALL,
     .def_doc = "(required: api_key_file or api_key_env)",
     .help = "Cato API key (sent as x-api-key to base_url's host only)"},
    {.name = "account_id",
     .type = NP_CFG_TOKEN,
     .off = CONF(account_id),
     .max = 64,
     .required = NP_CFG_ALL,
     .def_doc = "(required)",
     .help = "the Cato account (accountID of the query)"},
    {.name = "base_url",
     .type = NP_CFG_STRING,
     .off = CONF(base_url),
     .def = NP_CATO_BASE_URL,
     .help = "GraphQL endpoint"},
    {.name = "ca_file",
     .type = NP_CFG_PATH,
     .flags = NP_CFG_F_READ,
     .off = CONF(ca_file),
     .def_doc = "(the system store)",
     .help = "CA bundle that verifies the API's certificate"},
    {.name = "backfill",
     .type = NP_CFG_DURATION,
     .off = CONF(backfill_ms),
     .min = 3600000,
     .max = 90 * DAY_MS,
     .def = "7d",
     .help = "hours missing at start are filled this far back"},
    {.name = "rate_limit",
     .type = NP_CFG_NUMBER,
     .off = CONF(rate_limit),
     .min = 0,
     .def = "80",
     .help = "calls a minute for the account (> 0; the API allows 80 for this query)"},
    {.name = NULL},
};

void
np_cato_conf_check(void *conf, const struct np_source_cfg *src, struct np_conf_report *r)
{
	(void)src;
	struct np_cato_conf *c = conf;
	const char *url = c->base_url != NULL ? c->base_url : NP_CATO_BASE_URL;
	if (strncmp(url, "https://", 8) != 0) {
		if (strncmp(url, "http://", 7) == 0)
			r->warning(r, "base_url", "plain http: the API key travels unencrypted");
		else
			r->error(r, "base_url", "not an http:// or https:// URL");
	}
	if (!(c->rate_limit > 0))
		r->error(r, "rate_limit", "must be above 0");
	else if (c->rate_limit > API_RATE)
		r->warning(
		    r, "rate_limit",
		    "above the API's %d calls a minute per account: expect rate-limit answers",
		    API_RATE);
	c->host = np_url_host(url);
}

void
np_cato_conf_free(void *conf)
{
	struct np_cato_conf *c = conf;
	free(c->host);
	c->host = NULL;
}
