#include "collectors/aviatrix_conf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "collectors/aviatrix_env.h"
#include "collectors/collector.h"
#include "config/config_table.h"
#include "util/str.h"
#include "util/xmalloc.h"

#define MIN_MS (60LL * 1000)
#define DAY_MS (24LL * 3600 * 1000)
#define CONF(f) offsetof(struct np_aviatrix_conf, f)
#define TT(f) offsetof(struct np_aviatrix_talkers_cfg, f)

static const struct np_config_opt talkers_opts[] = {
    {.name = "interval",
     .type = NP_CFG_DURATION,
     .off = TT(interval_ms),
     .min = 5 * MIN_MS,
     .max = DAY_MS,
     .def = "1h",
     .help = "top talkers are stored per interval of this length on the UTC grid (5m to 1d, "
             "dividing a day)"},
    {.name = "size",
     .type = NP_CFG_INT,
     .off = TT(size),
     .min = 0,
     .max = 10000,
     .def = "100",
     .help = "addresses kept per interval and direction; 0 turns top talkers off"},
    {.name = NULL},
};

const struct np_config_opt np_aviatrix_options[] = {
    {.name = "base_url",
     .type = NP_CFG_STRING,
     .off = CONF(base_url),
     .def_doc = "(required, or COPILOT_URL in env_file)",
     .help = "CoPilot URL (https://HOST)"},
    {.name = "username",
     .type = NP_CFG_STRING,
     .off = CONF(username),
     .def_doc = "(required, or USERNAME in env_file)",
     .help = "CoPilot (Controller) user"},
    {.name = "password",
     .type = NP_CFG_SECRET,
     .off = CONF(password),
     .flags = NP_CFG_F_SECRET_FORMS,
     .def_doc = "(required: password_file, password_env, or PASSWORD in env_file)",
     .help = "the user's password; never logged"},
    {.name = "env_file",
     .type = NP_CFG_PATH,
     .off = CONF(env_file),
     .def_doc = "(none)",
     .help = "a .env file with COPILOT_URL, USERNAME, PASSWORD (or AVIATRIX_COPILOT_IP, "
             "AVIATRIX_USERNAME, AVIATRIX_PASSWORD); the keys above win over it"},
    {.name = "ca_file",
     .type = NP_CFG_PATH,
     .flags = NP_CFG_F_READ,
     .off = CONF(ca_file),
     .def_doc = "(the system store)",
     .help = "CA bundle that verifies CoPilot's certificate"},
    {.name = "insecure",
     .type = NP_CFG_BOOL,
     .off = CONF(insecure),
     .def = "false",
     .help = "skip TLS certificate verification (warned at load)"},
    {.name = "backfill",
     .type = NP_CFG_DURATION,
     .off = CONF(backfill_ms),
     .min = 0,
     .max = 30 * DAY_MS,
     .def = "24h",
     .help = "samples and top talkers missing at start are read this far back (0 to 30d)"},
    {.name = "top_talkers",
     .type = NP_CFG_SECTION,
     .off = CONF(top_talkers),
     .sub = talkers_opts,
     .help = "FlowIQ top talkers of the spoke gateways"},
    {.name = NULL},
};

static void
wipe_free(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

void
np_aviatrix_conf_check(void *conf, const struct np_source_cfg *src, struct np_conf_report *r)
{
	struct np_aviatrix_conf *c = conf;
	struct np_aviatrix_env env = {0};
	bool env_ok = false;
	/* env_file holds the password: without secrets it is not read (nor its keys required). */
	if (c->env_file != NULL && !r->no_secrets) {
		char *cause = NULL;
		if (np_aviatrix_env_read(c->env_file, &env, &cause) == -1) {
			r->error(r, "env_file", "%s", cause);
			free(cause);
		} else {
			env_ok = true;
			struct stat st;
			if (env.pass != NULL && c->password == NULL &&
			    stat(c->env_file, &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)))
				r->warning(
				    r, "env_file",
				    "%s holds the password and others can read it (chmod 600)",
				    c->env_file);
		}
	}
	const char *url = c->base_url != NULL ? c->base_url : env.url;
	if (url != NULL) {
		c->url = np_aviatrix_url_normalize(url);
		if (c->base_url != NULL && strncasecmp(c->base_url, "https://", 8) != 0 &&
		    strncasecmp(c->base_url, "http://", 7) != 0)
			r->error(r, "base_url", "not an http:// or https:// URL");
		else if (strncasecmp(c->url, "http://", 7) == 0)
			r->warning(r, "base_url", "plain http: the password travels unencrypted");
		c->host = np_url_host(c->url);
		if (c->host[0] == '\0')
			r->error(r, c->base_url != NULL ? "base_url" : "env_file", "no host in %s",
			         c->url);
	} else if (!r->given(r, "base_url") && (c->env_file == NULL || env_ok)) {
		r->error(r, "base_url", "missing: base_url (or COPILOT_URL in env_file)");
	}
	const char *user = c->username != NULL ? c->username : env.user;
	if (user != NULL)
		c->user = np_xstrdup(user);
	else if (!r->given(r, "username") && (c->env_file == NULL || env_ok))
		r->error(r, "username", "missing: username (or USERNAME in env_file)");
	const char *pass = c->password != NULL ? c->password : env.pass;
	if (pass != NULL)
		c->pass = np_xstrdup(pass);
	else if (!r->given(r, "password_file") && !r->given(r, "password_env") &&
	         (c->env_file == NULL || env_ok))
		r->error(r, "password_file",
		         "missing: password_file, password_env (or PASSWORD in env_file)");
	np_aviatrix_env_free(&env);

	if (c->insecure)
		r->warning(r, "insecure", "TLS certificate verification is off");
	if (c->top_talkers.interval_ms > 0 && DAY_MS % c->top_talkers.interval_ms != 0)
		r->error(r, "top_talkers", "interval must divide a day (e.g. 5m, 15m, 1h, 1d)");
}

void
np_aviatrix_conf_free(void *conf)
{
	struct np_aviatrix_conf *c = conf;
	free(c->url);
	free(c->user);
	wipe_free(c->pass);
	free(c->host);
	c->url = c->user = c->pass = c->host = NULL;
}
