/* The `stealthwatch` type's own configuration keys and the rules the table cannot say. */
#include <stddef.h>

#include "collectors/stealthwatch.h"
#include "config/config_table.h"

#define SC(f) offsetof(struct np_sw_conf, f)

const struct np_config_opt np_sw_options[] = {
    {.name = "host",
     .type = NP_CFG_TOKEN,
     .off = SC(host),
     .max = 253,
     .required = NP_CFG_ALL,
     .def_doc = "(required)",
     .help = "Flow Collector address"},
    {.name = "port",
     .type = NP_CFG_INT,
     .off = SC(port),
     .min = 1,
     .max = 65535,
     .def = "22",
     .help = "SSH port"},
    {.name = "user",
     .type = NP_CFG_STRING,
     .off = SC(user),
     .required = NP_CFG_ALL,
     .def_doc = "(required)",
     .help = "SSH user"},
    {.name = "identity_file",
     .type = NP_CFG_PATH,
     .flags = NP_CFG_F_READ,
     .off = SC(identity_file),
     .help = "SSH private key file"},
    {.name = "use_agent",
     .type = NP_CFG_BOOL,
     .off = SC(use_agent),
     .def = "false",
     .help = "authenticate with ssh-agent (SSH_AUTH_SOCK)"},
    {.name = "known_hosts",
     .type = NP_CFG_PATH,
     .flags = NP_CFG_F_READ,
     .off = SC(known_hosts),
     .required = NP_CFG_ALL,
     .def_doc = "(required)",
     .help = "OpenSSH known_hosts file: the host key is always verified"},
    {.name = "password",
     .type = NP_CFG_SECRET,
     .flags = NP_CFG_F_SECRET_FORMS,
     .off = SC(password),
     .help = "SSH password: password_file (one trailing newline is stripped) or password_env; "
             "never in clear"},
    {.name = "path",
     .type = NP_CFG_PATH,
     .off = SC(path),
     .def = NP_STEALTHWATCH_DEFAULT_PATH,
     .help = "exporter_device_stats.txt on the Flow Collector"},
    {.name = "max_file_size",
     .type = NP_CFG_INT,
     .off = SC(max_file_size),
     .min = 4096,
     .max = 1024 * 1024 * 1024,
     .def = "67108864",
     .help = "bytes; a larger file fails the poll before any of it is downloaded (64 MiB "
             "holds about 350k exporters)"},
    {.name = NULL},
};

void
np_sw_conf_check(void *conf, const struct np_source_cfg *src, struct np_conf_report *r)
{
	const struct np_sw_conf *c = conf;
	/* Judged on the keys given, so a bad value is not also "no way to authenticate". */
	if (!r->given(r, "identity_file") && !c->use_agent && !r->given(r, "password") &&
	    !r->given(r, "password_file") && !r->given(r, "password_env"))
		r->error(
		    r, NULL,
		    "source '%s' needs a way to authenticate: one of identity_file, use_agent: "
		    "true, password_file or password_env",
		    src->name != NULL ? src->name : "?");
}
