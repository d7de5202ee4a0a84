/* netpulse usage --mail-to (c_mail.h) */
#include "c_mail.h"

#include <stdlib.h>
#include <string.h>

#include "io/smtp.h"
#include "report/usage_mail.h"
#include "util/xmalloc.h"
#include "mail_cfg.h"

#define MAX_RCPT 100

/* Splits "a@x, b@y" in place; CLI_OK or a usage error. */
static int
split(const struct cli *cli, char *spec, const char **to, size_t *nto)
{
	*nto = 0;
	for (char *p = spec, *tok; (tok = strsep(&p, ",")) != NULL;) {
		tok += strspn(tok, " \t");
		size_t n = strlen(tok);
		while (n > 0 && (tok[n - 1] == ' ' || tok[n - 1] == '\t'))
			tok[--n] = '\0';
		char *cause = NULL;
		if (np_mail_addr_check(tok, &cause) == -1) {
			int rc = cli_usage_error(cli, "--mail-to: %s", cause);
			free(cause);
			return rc;
		}
		if (*nto == MAX_RCPT)
			return cli_usage_error(cli, "--mail-to: at most %d addresses", MAX_RCPT);
		to[(*nto)++] = tok;
	}
	return CLI_OK;
}

int
cli_mail_usage(const struct cli *cli, const struct np_usage *u, const char *spec)
{
	const struct np_mail_cfg *mc = cli->cfg != NULL ? &cli->cfg->mail : NULL;
	if (mc == NULL || mc->server == NULL || mc->from == NULL)
		return cli_error("--mail-to needs a mail server: set mail.server and mail.from in "
		                 "the configuration (%s)",
		                 cli->config_path != NULL ? cli->config_path : "none was read");
	char *copy = np_xstrdup(spec);
	const char *to[MAX_RCPT];
	size_t nto;
	int rc = split(cli, copy, to, &nto);
	if (rc != CLI_OK) {
		free(copy);
		return rc;
	}
	char *cause = NULL;
	/* The configuration was read without secrets (setup()): the SMTP password needs them. */
	struct np_config *full = NULL;
	if (mc->user != NULL) {
		if ((full = np_config_load(cli->config_path, &cause)) == NULL) {
			rc = cli_error("--mail-to: %s", cause);
			free(cause);
			free(copy);
			return rc;
		}
		mc = &full->mail;
	}
	size_t len;
	char *msg = np_usage_mail_message(u, cli->tz, mc->from, to, nto, cli->now, &len, &cause);
	if (msg == NULL) {
		rc = cli_error("mailing the report: %s", cause);
	} else {
		struct np_smtp_cfg sc = mail_smtp_cfg(mc);
		if (np_smtp_send(&sc, mc->from, to, nto, msg, len, &cause) == -1)
			rc = cli_error("mailing the report: %s", cause);
	}
	free(cause);
	free(msg);
	free(copy);
	np_config_free(full);
	return rc;
}
