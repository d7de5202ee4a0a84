/* Sink construction and the one-send-in-flight rule; transports live in sink_*.c. */
#include "alert/sink.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alert/rfc3164.h"
#include "alert/sink_impl.h"
#include "util/cause.h"
#include "util/xmalloc.h"

#define DEFAULT_ENTERPRISE 32473
#define DEFAULT_TIMEOUT_MS 10000

static int
check_cfg(const struct np_alert_cfg *cfg, bool *rfc3164, char **cause)
{
	if (cfg == NULL) {
		np_cause(cause, "no alert configuration");
		return -1;
	}
	if (cfg->type != NP_SINK_SYSLOG) {
		np_cause(cause, "unsupported alert type %d", (int)cfg->type);
		return -1;
	}
	*rfc3164 = false;
	if (cfg->format != NULL && strcmp(cfg->format, "rfc3164") == 0)
		*rfc3164 = true;
	else if (cfg->format != NULL && cfg->format[0] != '\0' &&
	         strcmp(cfg->format, "rfc5424") != 0) {
		np_cause(cause, "unknown syslog format \"%s\" (expected rfc5424 or rfc3164)",
		         cfg->format);
		return -1;
	}
	if (cfg->proto != NP_SYSLOG_LOCAL && (cfg->host == NULL || cfg->host[0] == '\0')) {
		np_cause(cause, "syslog server without a host");
		return -1;
	}
	return 0;
}

struct np_sink *
np_sink_new(struct event_base *base, const struct np_alert_cfg *cfg, char **cause)
{
	bool rfc3164;
	if (check_cfg(cfg, &rfc3164, cause) == -1)
		return NULL;
	struct np_sink *s = np_xcalloc(1, sizeof(*s));
	s->base = base;
	s->rfc3164 = rfc3164;
	s->timeout_ms = DEFAULT_TIMEOUT_MS;
	const char *scheme = "local";
	switch (cfg->proto) {
	case NP_SYSLOG_LOCAL:
		s->ops = &np_sink_local_ops;
		s->max_len = 2048;
		break;
	case NP_SYSLOG_UDP:
		s->ops = &np_sink_udp_ops;
		scheme = "udp";
		/* RFC 5426 §3.2 (2048 is what every receiver must take), RFC 3164 §4.1 (1024). */
		s->max_len = rfc3164 ? 1024 : 2048;
		break;
	case NP_SYSLOG_TCP:
		s->ops = &np_sink_tcp_ops;
		scheme = "tcp";
		s->max_len = 8192; /* rsyslog's default maxMessageSize */
		break;
	default:
		free(s);
		np_cause(cause, "unsupported syslog protocol %d", (int)cfg->proto);
		return NULL;
	}
	s->key = np_sink_cfg_key(cfg);
	if (s->key == NULL) {
		np_cause(cause, "%s://%s:%s: not a syslog target", scheme, cfg->host,
		         cfg->port != NULL ? cfg->port : "514");
		free(s);
		return NULL;
	}
	if (cfg->proto == NP_SYSLOG_LOCAL) {
		if (cfg->socket != NULL)
			s->path = np_xstrdup(cfg->socket);
	} else {
		s->host = np_xstrdup(cfg->host);
		s->port = np_xstrdup(cfg->port != NULL && cfg->port[0] != '\0' ? cfg->port : "514");
	}
	if (cfg->hostname != NULL && cfg->hostname[0] != '\0') {
		s->hostname = np_xstrdup(cfg->hostname);
	} else {
		char hn[256];
		if (gethostname(hn, sizeof(hn)) == 0) {
			hn[sizeof(hn) - 1] = '\0';
			s->hostname = np_xstrdup(hn);
		}
	}
	s->hdr.facility = cfg->facility;
	s->hdr.hostname = s->hostname;
	s->hdr.app_name = "netpulse";
	s->hdr.procid = (long)getpid();
	/* IANA reserves enterprise 0, so 0 means "not configured". */
	s->hdr.enterprise = cfg->enterprise != 0 ? cfg->enterprise : DEFAULT_ENTERPRISE;
	if (s->ops->open(s, cause) == -1) {
		np_cause_prefix(cause, "%s", s->key);
		free(s->key);
		free(s->path);
		free(s->host);
		free(s->port);
		free(s->hostname);
		free(s);
		return NULL;
	}
	return s;
}

void
np_sink_free(struct np_sink *s)
{
	if (s == NULL)
		return;
	s->ops->close(s);
	free(s->key);
	free(s->path);
	free(s->host);
	free(s->port);
	free(s->hostname);
	free(s);
}

const char *
np_sink_key(const struct np_sink *s)
{
	return s->key;
}

void
np_sink_set_timeout(struct np_sink *s, int64_t timeout_ms)
{
	s->timeout_ms = timeout_ms > 0 ? timeout_ms : DEFAULT_TIMEOUT_MS;
}

int
np_sink_send(struct np_sink *s, const struct np_alert *a, np_sink_done_fn done, void *arg,
             char **cause)
{
	if (s->busy) {
		np_cause(cause, "%s: a send is already in flight", s->key);
		return -1;
	}
	s->busy = true;
	s->done = done;
	s->done_arg = arg;
	if (s->ops->send(s, a, cause) == -1) {
		s->busy = false;
		s->done = NULL;
		s->done_arg = NULL;
		np_cause_prefix(cause, "%s", s->key);
		return -1;
	}
	/* s may be gone already (done ran and freed it). */
	return 0;
}

int
np_sink_render(const struct np_sink *s, const struct np_alert *a, char *buf, size_t bufsize,
               char **cause)
{
	int n = s->rfc3164 ? np_rfc3164_format(a, &s->hdr, s->max_len, buf, bufsize)
	                   : np_rfc5424_format(a, &s->hdr, s->max_len, buf, bufsize);
	if (n < 0)
		np_cause(cause, "alert does not fit in %zu bytes", s->max_len);
	return n;
}

void
np_sink_finish(struct np_sink *s, int ok, const char *cause)
{
	np_sink_done_fn done = s->done;
	void *arg = s->done_arg;
	s->busy = false;
	s->done = NULL;
	s->done_arg = NULL;
	if (done != NULL)
		done(arg, ok, cause);
}
