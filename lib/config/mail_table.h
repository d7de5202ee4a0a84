#ifndef NP_CONFIG_MAIL_TABLE_H
#define NP_CONFIG_MAIL_TABLE_H
/* The option tables of `mail:` and of a `reports:` entry (config_mail.c). */
#include "config/config_table.h"

extern const struct np_config_opt np_config_mail_opts[];
extern const struct np_config_opt np_config_report_opts[];

#endif
