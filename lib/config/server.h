#ifndef NP_CONFIG_SERVER_H
#define NP_CONFIG_SERVER_H
/* The `server` of a syslog alert sink: "udp://host:port", "tcp://host:port", "host:port". */
#include "config/config.h"

#define NP_CONFIG_SYSLOG_PORT "514"

/*
 * Parses s into proto (UDP or TCP), host and port (both malloc'd; port defaults to 514).
 * Accepts an IPv6 address in brackets ("[::1]:514") and a scheme in any case. host and port
 * come out in one spelling per target: host in lower case (an IPv6 address in RFC 5952 form,
 * without brackets), port in decimal without leading zeros. Returns 0, or -1 leaving host
 * and port untouched.
 */
int np_config_server_parse(const char *s, enum np_syslog_proto *proto, char **host, char **port);

#endif
