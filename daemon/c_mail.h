#ifndef NP_DAEMON_C_MAIL_H
#define NP_DAEMON_C_MAIL_H
/* `netpulse usage --mail-to`: the computed report mailed instead of printed. */
#include "c_cli.h"
#include "report/usage.h"

/*
 * Mails u to the comma-separated addresses `to` through the configuration's mail: section
 * (blocking: this is the CLI). CLI_OK only when the server accepted the message; otherwise
 * the server and its reason are on stderr.
 */
int cli_mail_usage(const struct cli *cli, const struct np_usage *u, const char *to);

#endif
