#include "config/server.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/xmalloc.h"

/* 1..65535 in decimal; leading zeros say nothing ("0514" is 514). */
static bool
valid_port(const char *p, size_t len)
{
	while (len > 1 && *p == '0') {
		p++;
		len--;
	}
	if (len == 0 || len > 5)
		return false;
	long v = 0;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (p[i] - '0');
	}
	return v >= 1 && v <= 65535;
}

/* A DNS name or an IPv4 address: letters, digits, '-', '.', '_' (no ':' — that needs []). */
static bool
valid_hostname(const char *h, size_t len)
{
	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = h[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.' || c == '_'))
			return false;
	}
	return true;
}

int
np_config_server_parse(const char *s, enum np_syslog_proto *proto, char **host, char **port)
{
	enum np_syslog_proto pr = NP_SYSLOG_UDP;
	/* URL schemes and host names are case-insensitive (RFC 3986 §3.1, §3.2.2). */
	if (strncasecmp(s, "udp://", 6) == 0) {
		s += 6;
	} else if (strncasecmp(s, "tcp://", 6) == 0) {
		pr = NP_SYSLOG_TCP;
		s += 6;
	} else if (strncasecmp(s, "tls://", 6) == 0) {
		pr = NP_SYSLOG_TLS;
		s += 6;
	} else if (strncasecmp(s, "relp://", 7) == 0) {
		pr = NP_SYSLOG_RELP;
		s += 7;
	} else if (strstr(s, "://") != NULL) {
		return -1;
	}
	const char *h, *rest;
	size_t hlen;
	char *canon_host = NULL;
	if (*s == '[') {
		const char *close = strchr(s, ']');
		if (close == NULL)
			return -1;
		h = s + 1;
		hlen = (size_t)(close - h);
		char v6[INET6_ADDRSTRLEN + 1];
		struct in6_addr a;
		if (hlen == 0 || hlen >= sizeof(v6))
			return -1;
		memcpy(v6, h, hlen);
		v6[hlen] = '\0';
		if (inet_pton(AF_INET6, v6, &a) != 1)
			return -1;
		rest = close + 1;
		/* One spelling per address (RFC 5952), so a sink's key does not depend on it. */
		inet_ntop(AF_INET6, &a, v6, sizeof(v6));
		canon_host = np_xstrdup(v6);
	} else {
		h = s;
		const char *colon = strchr(s, ':');
		hlen = colon ? (size_t)(colon - s) : strlen(s);
		if (!valid_hostname(h, hlen))
			return -1;
		rest = s + hlen;
	}
	const char *p = pr == NP_SYSLOG_TLS    ? NP_CONFIG_TLS_PORT
	                : pr == NP_SYSLOG_RELP ? NP_CONFIG_RELP_PORT
	                                       : NP_CONFIG_SYSLOG_PORT;
	size_t plen = strlen(p);
	if (*rest == ':') {
		p = rest + 1;
		plen = strlen(p);
		if (!valid_port(p, plen)) {
			free(canon_host);
			return -1;
		}
	} else if (*rest != '\0') {
		free(canon_host);
		return -1;
	}
	*proto = pr;
	if (canon_host == NULL) {
		canon_host = np_xstrndup(h, hlen);
		for (char *c = canon_host; *c != '\0'; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
	}
	*host = canon_host;
	/* "0514" and "514" are one port. */
	long v = 0;
	for (size_t i = 0; i < plen; i++)
		v = v * 10 + (p[i] - '0');
	*port = np_xasprintf("%ld", v);
	return 0;
}

const char *
np_config_proto_scheme(enum np_syslog_proto proto)
{
	switch (proto) {
	case NP_SYSLOG_LOCAL:
		return "local";
	case NP_SYSLOG_UDP:
		return "udp";
	case NP_SYSLOG_TCP:
		return "tcp";
	case NP_SYSLOG_TLS:
		return "tls";
	case NP_SYSLOG_RELP:
		return "relp";
	}
	return "?";
}
