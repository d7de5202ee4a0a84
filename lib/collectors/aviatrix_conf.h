#ifndef NP_COLLECTORS_AVIATRIX_CONF_H
#define NP_COLLECTORS_AVIATRIX_CONF_H
/*
 * The aviatrix source's own configuration (collector.h: ops->options, conf_size, conf_check,
 * conf_free): the option table, the struct the loader walks it into, and what conf_check
 * derives (the effective CoPilot URL, user and password after env_file, the peer host).
 * netpulsed.yaml(5) and conf/netpulse.yaml document the keys.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config_table.h"

struct np_source_cfg;
struct np_conf_report;

/* top_talkers: { interval, size } */
struct np_aviatrix_talkers_cfg {
	int64_t interval_ms;
	int size; /* 0 = off */
};

struct np_aviatrix_conf {
	/* Walked from np_aviatrix_options (freed by the loader). */
	char *base_url;
	char *username;
	char *password; /* from password_file / password_env; never logged */
	char *env_file;
	char *ca_file;
	bool insecure;
	int64_t backfill_ms;
	struct np_aviatrix_talkers_cfg top_talkers;

	/* Derived by np_aviatrix_conf_check (freed by np_aviatrix_conf_free). */
	char *url;  /* base URL without a trailing '/': base_url, else the env_file's */
	char *user; /* username, else the env_file's */
	char *pass; /* password, else the env_file's; wiped when freed */
	char *host; /* the URL's host (the peer COLLECTOR alerts name) */
};

extern const struct np_config_opt np_aviatrix_options[];

/*
 * Cross-key rules and derived values. Errors: env_file: the file does not read or parse
 * ("PATH:LINE: why"); base_url: none given (neither base_url nor the env_file's COPILOT_URL
 * / AVIATRIX_COPILOT_IP) or not http(s)://HOST...; username: none given; password_file: no
 * password (password_file, password_env or the env_file's PASSWORD); top_talkers: an
 * interval that does not divide a day. Warnings: insecure: true; base_url: plain http (the
 * password travels in clear); env_file: readable by others while it holds the password.
 */
void np_aviatrix_conf_check(void *conf, const struct np_source_cfg *src, struct np_conf_report *r);
/* Frees the derived fields only. */
void np_aviatrix_conf_free(void *conf);

#endif
