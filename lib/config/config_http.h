#ifndef NP_CONFIG_CONFIG_HTTP_H
#define NP_CONFIG_CONFIG_HTTP_H
/*
 * `http:`: the daemon's HTTP listener (Prometheus /metrics, the status page and its JSON API).
 * Off unless the section is present; loopback by default. The table fills the fields, and
 * config_http.c checks what it cannot say (the listen address's form, cert and key together)
 * and warns about a listener off loopback without both TLS and authentication.
 */
#include <stdbool.h>
#include <stdint.h>

struct np_http_cfg {
	bool enabled;               /* the section is present */
	char *listen;               /* "ADDR:PORT" or "[V6ADDR]:PORT", numeric; 127.0.0.1:9479 */
	int max_connections;        /* open at once; 64 */
	int64_t request_timeout_ms; /* a whole request must arrive within it; 10s */
	int max_request_bytes;      /* headers and body; 8192 */
	char *basic_auth_file;      /* htpasswd lines (web/htpasswd.h); NULL: no authentication */
	char *cert_file, *key_file; /* TLS (both or neither); NULL: plain HTTP */
};

struct np_config;
struct np_config_ynode;
struct np_config_diag;

/* Its option table is np_config_http_opts (config_table.h). */
void np_config_http_check(struct np_config *cfg, const struct np_config_ynode *root,
                          struct np_config_diag *errs, struct np_config_diag *warns);
void np_config_http_free(struct np_config *cfg);

#endif
