#ifndef NP_DAEMON_MAIL_CFG_H
#define NP_DAEMON_MAIL_CFG_H
/* The SMTP settings of the config's `mail:` section, for the CLI (--mail-to) and the daemon. */
#include "config/config_mail.h"
#include "io/smtp.h"

static inline struct np_smtp_cfg
mail_smtp_cfg(const struct np_mail_cfg *mc)
{
	struct np_smtp_cfg sc = {
	    .server = mc->server,
	    .user = mc->user,
	    .password = mc->password,
	    .ca_file = mc->ca_file,
	    .insecure = mc->insecure,
	    .timeout_ms = mc->timeout_ms,
	};
	return sc;
}

#endif
