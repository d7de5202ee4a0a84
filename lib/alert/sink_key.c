/*
 * Sink keys: the name of a target in outbox_sink.sink. One spelling per target (scheme and host
 * in lower case, IPv6 in RFC 5952 form, the port explicit and without leading zeros), so that a
 * config that spells a server differently, or a key stored by an older version, still names
 * the same sink.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alert/sink.h"
#include "alert/sink_impl.h"
#include "util/xmalloc.h"

static char *
lower(const char *s, size_t len)
{
	char *out = np_xstrndup(s, len);
	for (char *c = out; *c != '\0'; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	return out;
}

/* Port text to a number in 1..65535, or 0. */
static long
port_number(const char *p)
{
	if (*p == '\0' || strspn(p, "0123456789") != strlen(p))
		return 0;
	while (p[0] == '0' && p[1] != '\0')
		p++;
	if (strlen(p) > 5)
		return 0;
	long v = strtol(p, NULL, 10);
	return v >= 1 && v <= 65535 ? v : 0;
}

char *
np_sink_key_canonical(const char *key)
{
	if (strcmp(key, "local") == 0 || strncmp(key, "local:", 6) == 0)
		return np_xstrdup(key);
	const char *scheme;
	if (strncasecmp(key, "udp://", 6) == 0)
		scheme = "udp";
	else if (strncasecmp(key, "tcp://", 6) == 0)
		scheme = "tcp";
	else
		return NULL;
	const char *h = key + 6, *rest;
	char *host;
	if (*h == '[') {
		const char *close = strchr(h, ']');
		char v6[INET6_ADDRSTRLEN + 1];
		struct in6_addr a;
		size_t len = close != NULL ? (size_t)(close - h - 1) : 0;
		if (len == 0 || len >= sizeof(v6))
			return NULL;
		memcpy(v6, h + 1, len);
		v6[len] = '\0';
		if (inet_pton(AF_INET6, v6, &a) != 1)
			return NULL;
		inet_ntop(AF_INET6, &a, v6, sizeof(v6));
		host = np_xasprintf("[%s]", v6);
		rest = close + 1;
	} else {
		size_t len = strcspn(h, ":/[]");
		if (len == 0)
			return NULL;
		host = lower(h, len);
		rest = h + len;
	}
	long port = 514;
	if (*rest == ':')
		port = port_number(rest + 1);
	else if (*rest != '\0')
		port = 0;
	if (port == 0) {
		free(host);
		return NULL;
	}
	char *out = np_xasprintf("%s://%s:%ld", scheme, host, port);
	free(host);
	return out;
}

char *
np_sink_cfg_key(const struct np_alert_cfg *cfg)
{
	if (cfg->proto == NP_SYSLOG_LOCAL)
		return cfg->socket != NULL && strcmp(cfg->socket, NP_SINK_LOCAL_SOCKET) != 0
		           ? np_xasprintf("local:%s", cfg->socket)
		           : np_xstrdup("local");
	if (cfg->host == NULL || cfg->host[0] == '\0')
		return NULL;
	bool v6 = strchr(cfg->host, ':') != NULL;
	char *raw = np_xasprintf("%s://%s%s%s:%s", cfg->proto == NP_SYSLOG_TCP ? "tcp" : "udp",
	                         v6 ? "[" : "", cfg->host, v6 ? "]" : "",
	                         cfg->port != NULL && cfg->port[0] != '\0' ? cfg->port : "514");
	char *key = np_sink_key_canonical(raw);
	free(raw);
	return key;
}
