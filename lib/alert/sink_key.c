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
	if (strcmp(key, "local") == 0 || strncmp(key, "local:", 6) == 0 ||
	    strcmp(key, "journald") == 0 || strncmp(key, "journald:", 9) == 0 ||
	    strcmp(key, "stderr") == 0 || strncmp(key, "webhook:", 8) == 0 ||
	    strncmp(key, "email:", 6) == 0)
		return np_xstrdup(key);
	/* The config's own parser of `server:` spells host and port the one way. */
	if (strstr(key, "://") == NULL)
		return NULL; /* every key names its scheme */
	enum np_syslog_proto proto;
	char *host, *port;
	if (np_config_server_parse(key, &proto, &host, &port) == -1)
		return NULL;
	bool v6 = strchr(host, ':') != NULL;
	char *out = np_xasprintf("%s://%s%s%s:%s", np_config_proto_scheme(proto), v6 ? "[" : "",
	                         host, v6 ? "]" : "", port);
	free(host);
	free(port);
	return out;
}

/* "email:a@x,b@y": the recipients in the order given. */
static char *
email_key(const struct np_alert_cfg *cfg)
{
	char *out = np_xstrdup("email:");
	for (size_t i = 0; i < cfg->nto; i++) {
		char *next = np_xasprintf("%s%s%s", out, i > 0 ? "," : "", cfg->to[i]);
		free(out);
		out = next;
	}
	return out;
}

char *
np_sink_cfg_key(const struct np_alert_cfg *cfg)
{
	if (cfg->type == NP_SINK_WEBHOOK)
		return cfg->url != NULL ? np_xasprintf("webhook:%s", cfg->url) : NULL;
	if (cfg->type == NP_SINK_EMAIL)
		return cfg->nto > 0 ? email_key(cfg) : NULL;
	if (cfg->type == NP_SINK_STDERR)
		return np_xstrdup("stderr");
	if (cfg->type == NP_SINK_JOURNALD)
		return cfg->socket != NULL && strcmp(cfg->socket, NP_JOURNAL_SOCKET) != 0
		           ? np_xasprintf("journald:%s", cfg->socket)
		           : np_xstrdup("journald");
	if (cfg->proto == NP_SYSLOG_LOCAL)
		return cfg->socket != NULL && strcmp(cfg->socket, NP_LOCAL_LOG_SOCKET) != 0
		           ? np_xasprintf("local:%s", cfg->socket)
		           : np_xstrdup("local");
	if (cfg->host == NULL || cfg->host[0] == '\0')
		return NULL;
	bool v6 = strchr(cfg->host, ':') != NULL;
	char *raw = np_xasprintf("%s://%s%s%s%s%s", np_config_proto_scheme(cfg->proto),
	                         v6 ? "[" : "", cfg->host, v6 ? "]" : "",
	                         cfg->port != NULL && cfg->port[0] != '\0' ? ":" : "",
	                         cfg->port != NULL ? cfg->port : "");
	char *key = np_sink_key_canonical(raw);
	free(raw);
	return key;
}
