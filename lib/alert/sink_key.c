/*
 * Sink keys: the name of a target in outbox_sink.sink. One spelling per target (scheme and host
 * in lower case, IPv6 in RFC 5952 form, the port explicit and without leading zeros), so that a
 * config that spells a server differently, or a key stored by an older version, still names
 * the same sink.
 */
#include <stdlib.h>
#include <string.h>

#include "alert/sink.h"
#include "alert/sink_impl.h"
#include "config/server.h"
#include "util/xmalloc.h"

char *
np_sink_key_canonical(const char *key)
{
	if (strcmp(key, "local") == 0 || strncmp(key, "local:", 6) == 0)
		return np_xstrdup(key);
	/* The config's own parser of `server:` spells host and port the one way. */
	if (strstr(key, "://") == NULL)
		return NULL; /* every key names its scheme */
	enum np_syslog_proto proto;
	char *host, *port;
	if (np_config_server_parse(key, &proto, &host, &port) == -1)
		return NULL;
	bool v6 = strchr(host, ':') != NULL;
	char *out = np_xasprintf("%s://%s%s%s:%s", proto == NP_SYSLOG_TCP ? "tcp" : "udp",
	                         v6 ? "[" : "", host, v6 ? "]" : "", port);
	free(host);
	free(port);
	return out;
}

char *
np_sink_cfg_key(const struct np_alert_cfg *cfg)
{
	if (cfg->proto == NP_SYSLOG_LOCAL)
		return cfg->socket != NULL && strcmp(cfg->socket, NP_LOCAL_LOG_SOCKET) != 0
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
