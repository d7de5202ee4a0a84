#ifndef NP_CONFIG_CONFIG_MAIL_H
#define NP_CONFIG_CONFIG_MAIL_H
/*
 * The `mail:` section (the SMTP server reports are sent through) and the `reports:` list
 * (scheduled reports, DESIGN §7). Loaded by config_mail.c; the tables are in mail_table.h.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct np_mail_cfg {
	char *server;   /* smtp://host[:port] (STARTTLS) or smtps://host[:port]; NULL = none */
	char *from;     /* envelope and header sender */
	char *user;     /* NULL = no AUTH */
	char *password; /* resolved from password_file / password_env; never logged */
	char *ca_file;  /* NULL = the system store */
	bool insecure;  /* no TLS verification (draws a warning) */
	int64_t timeout_ms;
};

enum np_report_schedule { NP_REPORT_WEEKLY, NP_REPORT_MONTHLY };

struct np_report_cfg {
	char *name;
	char *report; /* "usage" */
	char *period; /* the CLI's period syntax; default last-week / last-month by schedule */
	int schedule; /* enum np_report_schedule */
	char *at;     /* "HH:MM" as written */
	int at_min;   /* minutes after local midnight (daemon.timezone) */
	char **to;
	size_t nto;
	char **group_by;
	size_t ngroup_by;
	char *source; /* NULL = every source */
	char *per;    /* hour|day|week|month; NULL = no time buckets */
	int line;
};

struct np_config;
struct np_config_ynode;
struct np_config_diag;

/* After the top-level walk filled cfg->mail: checks it, resolves its secret, loads reports. */
void np_config_mail_load(struct np_config *cfg, const struct np_config_ynode *root,
                         struct np_config_diag *errs, struct np_config_diag *warns);
void np_config_mail_free(struct np_config *cfg);

#endif
