#ifndef NP_CONFIG_SERVER_H
#define NP_CONFIG_SERVER_H
/*
 * The `server` of a syslog alert sink: "udp://host:port", "tcp://host:port", "tls://host:port",
 * "relp://host:port", "host:port" (udp).
 */
#include "config/config.h"

#define NP_CONFIG_SYSLOG_PORT "514"
#define NP_CONFIG_TLS_PORT "6514"  /* RFC 5425 */
#define NP_CONFIG_RELP_PORT "2514" /* rsyslog's imrelp examples */

/* The scheme of proto ("udp", "tcp", "tls", "relp"; "local"). */
const char *np_config_proto_scheme(enum np_syslog_proto proto);

/*
 * Parses s into proto, host and port (both malloc'd; the port defaults to 514, tls 6514, relp
 * 2514).
 * Accepts an IPv6 address in brackets ("[::1]:514") and a scheme in any case. host and port
 * come out in one spelling per target: host in lower case (an IPv6 address in RFC 5952 form,
 * without brackets), port in decimal without leading zeros. Returns 0, or -1 leaving host
 * and port untouched.
 */
int np_config_server_parse(const char *s, enum np_syslog_proto *proto, char **host, char **port);

#endif
