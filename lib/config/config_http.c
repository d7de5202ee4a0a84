/* `http:` (config_http.h): its option table and the checks the table cannot make. */
#include "config/config_http.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/config_table.h"
#include "config/diag.h"
#include "config/ydoc.h"

#define SEC 1000LL
#define HT(f) offsetof(struct np_http_cfg, f)

const struct np_config_opt np_config_http_opts[] = {
    {.name = "listen",
     .type = NP_CFG_STRING,
     .off = HT(listen),
     .def = "127.0.0.1:9479",
     .help = "address and port of /metrics, the status page and /api: ADDR:PORT or "
             "[V6ADDR]:PORT, numeric (off loopback: use basic_auth_file and cert_file)"},
    {.name = "max_connections",
     .type = NP_CFG_INT,
     .off = HT(max_connections),
     .min = 1,
     .max = 10000,
     .def = "64",
     .help = "connections open at once; more wait in the kernel's backlog"},
    {.name = "request_timeout",
     .type = NP_CFG_DURATION,
     .off = HT(request_timeout_ms),
     .min = 100,
     .max = 300 * SEC,
     .def = "10s",
     .help = "a connection that has not sent a whole request within it is closed"},
    {.name = "max_request_bytes",
     .type = NP_CFG_INT,
     .off = HT(max_request_bytes),
     .min = 1024,
     .max = 1048576,
     .def = "8192",
     .help = "largest request (headers and body); a larger one is refused"},
    {.name = "basic_auth_file",
     .type = NP_CFG_PATH,
     .flags = NP_CFG_F_READ,
     .off = HT(basic_auth_file),
     .def_doc = "(none: no authentication)",
     .help = "users allowed in, one user:hash per line, bcrypt or SHA-256 crypt (htpasswd "
             "-B, openssl passwd -5); read again on reload"},
    {.name = "cert_file",
     .type = NP_CFG_PATH,
     .flags = NP_CFG_F_READ,
     .off = HT(cert_file),
     .def_doc = "(none: plain HTTP)",
     .help = "TLS certificate chain (PEM), with key_file; read again on reload"},
    {.name = "key_file",
     .type = NP_CFG_PATH,
     .flags = NP_CFG_F_READ,
     .off = HT(key_file),
     .def_doc = "(none)",
     .help = "TLS private key (PEM) of cert_file"},
    {.name = NULL},
};

/*
 * Whether s is HOST:PORT with a numeric IPv4 HOST or a bracketed numeric IPv6 one and a port
 * in 1..65535; *loopback says whether HOST is 127.0.0.0/8 or ::1.
 */
static bool
listen_ok(const char *s, bool *loopback)
{
	const char *colon = strrchr(s, ':');
	if (colon == NULL || colon == s)
		return false;
	char host[64];
	size_t hl = (size_t)(colon - s);
	bool v6 = s[0] == '[';
	if (v6) {
		if (hl < 3 || s[hl - 1] != ']')
			return false;
		s++;
		hl -= 2;
	}
	if (hl == 0 || hl >= sizeof host)
		return false;
	memcpy(host, s, hl);
	host[hl] = '\0';
	const char *p = colon + 1;
	if (*p == '\0' || strspn(p, "0123456789") != strlen(p) || strlen(p) > 5)
		return false;
	long port = strtol(p, NULL, 10);
	if (port < 1 || port > 65535)
		return false;
	if (v6) {
		struct in6_addr a;
		if (inet_pton(AF_INET6, host, &a) != 1)
			return false;
		*loopback = IN6_IS_ADDR_LOOPBACK(&a);
	} else {
		struct in_addr a;
		if (inet_pton(AF_INET, host, &a) != 1)
			return false;
		*loopback = (ntohl(a.s_addr) >> 24) == 127;
	}
	return true;
}

void
np_config_http_check(struct np_config *cfg, const struct np_config_ynode *root,
                     struct np_config_diag *errs, struct np_config_diag *warns)
{
	const struct np_config_ynode *sect = np_config_ydoc_get(root, "http");
	cfg->http.enabled = sect != NULL;
	if (sect == NULL || cfg->http.listen == NULL)
		return;
	const struct np_config_ynode *at = np_config_ydoc_get(sect, "listen");
	if (at == NULL)
		at = sect;
	bool loopback = false;
	if (!listen_ok(cfg->http.listen, &loopback)) {
		np_config_diag_add(errs, at->line, at->col,
		                   "http.listen \"%s\": expected ADDR:PORT or [V6ADDR]:PORT with a "
		                   "numeric address and a port from 1 to 65535",
		                   cfg->http.listen);
		return;
	}
	const struct np_http_cfg *h = &cfg->http;
	if ((h->cert_file == NULL) != (h->key_file == NULL)) {
		const struct np_config_ynode *k =
		    np_config_ydoc_get(sect, h->cert_file != NULL ? "cert_file" : "key_file");
		np_config_diag_add(errs, k->line, k->col,
		                   "http: cert_file and key_file go together");
		return;
	}
	const char *what = NULL;
	if (h->cert_file == NULL && h->basic_auth_file == NULL)
		what = "neither TLS nor authentication: anyone who reaches it reads the daemon's "
		       "state; set cert_file, key_file and basic_auth_file, or restrict access "
		       "(firewall)";
	else if (h->cert_file == NULL)
		what = "no TLS: passwords and the daemon's state cross the network in clear; set "
		       "cert_file and key_file";
	else if (h->basic_auth_file == NULL)
		what = "no authentication: anyone who reaches it reads the daemon's state; set "
		       "basic_auth_file, or restrict access (firewall)";
	if (!loopback && what != NULL)
		np_config_diag_add(warns, at->line, at->col,
		                   "http.listen %s is not loopback and has %s", cfg->http.listen,
		                   what);
}

void
np_config_http_free(struct np_config *cfg)
{
	np_config_table_free(np_config_http_opts, &cfg->http);
}
