/* Sink construction and the queue of reports to the owner; transports live in sink_*.c. */
#include "alert/sink.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alert/rfc3164.h"
#include "alert/sink_impl.h"
#include "util/cause.h"
#include "util/xmalloc.h"

#define DEFAULT_ENTERPRISE 32473
#define DEFAULT_TIMEOUT_MS 10000

enum { REPORT_DELIVERED, REPORT_FAILED, REPORT_READY };

static int
check_cfg(const struct np_alert_cfg *cfg, bool *rfc3164, char **cause)
{
	if (cfg == NULL) {
		np_cause(cause, "no alert configuration");
		return -1;
	}
	*rfc3164 = false;
	if (cfg->type != NP_SINK_SYSLOG)
		return 0;
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

static void flush_cb(evutil_socket_t fd, short what, void *arg);

/* The transport of cfg, its key's scheme and its message size limit. */
static int
pick_ops(struct np_sink *s, const struct np_alert_cfg *cfg, char **cause)
{
	switch (cfg->type) {
	case NP_SINK_WEBHOOK:
		s->ops = &np_sink_webhook_ops;
		return 0;
	case NP_SINK_EMAIL:
		s->ops = &np_sink_email_ops;
		return 0;
	case NP_SINK_JOURNALD:
		s->ops = &np_sink_journald_ops;
		return 0;
	case NP_SINK_STDERR:
		s->ops = &np_sink_stderr_ops;
		s->max_len = 4095; /* with its newline, one write of at most PIPE_BUF: atomic */
		return 0;
	case NP_SINK_SYSLOG:
		break;
	}
	switch (cfg->proto) {
	case NP_SYSLOG_LOCAL:
		s->ops = &np_sink_local_ops;
		s->max_len = 2048;
		return 0;
	case NP_SYSLOG_UDP:
		s->ops = &np_sink_udp_ops;
		/* RFC 5426 §3.2 (2048 is what every receiver must take), RFC 3164 §4.1 (1024). */
		s->max_len = s->rfc3164 ? 1024 : 2048;
		return 0;
	case NP_SYSLOG_TCP:
		s->ops = &np_sink_tcp_ops;
		s->max_len = 8192; /* rsyslog's default maxMessageSize */
		return 0;
	case NP_SYSLOG_RELP:
		s->ops = &np_sink_relp_ops;
		s->max_len = 8192; /* imrelp's maxDataSize: rsyslog's default maxMessageSize */
		return 0;
	case NP_SYSLOG_TLS:
		s->ops = &np_sink_tls_ops;
		s->max_len = 8192; /* rsyslog's default maxMessageSize */
		return 0;
	}
	np_cause(cause, "unsupported syslog protocol %d", (int)cfg->proto);
	return -1;
}

static void
sink_strings_free(struct np_sink *s)
{
	free(s->key);
	free(s->path);
	free(s->host);
	free(s->port);
	free(s->hostname);
}

struct np_sink *
np_sink_new(struct event_base *base, const struct np_alert_cfg *cfg, const struct np_sink_cb *cb,
            char **cause)
{
	bool rfc3164;
	if (check_cfg(cfg, &rfc3164, cause) == -1)
		return NULL;
	struct np_sink *s = np_xcalloc(1, sizeof(*s));
	s->base = base;
	s->cfg = cfg;
	if (cb != NULL)
		s->cb = *cb;
	s->rfc3164 = rfc3164;
	s->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : DEFAULT_TIMEOUT_MS;
	s->confirm_after_ms = cfg->confirm_after_ms;
	s->window = cfg->window > 0 ? cfg->window : 128;
	if (pick_ops(s, cfg, cause) == -1) {
		free(s);
		return NULL;
	}
	s->key = np_sink_cfg_key(cfg);
	if (s->key == NULL) {
		np_cause(cause, "%s: not an alert target",
		         cfg->url != NULL      ? cfg->url
		         : cfg->server != NULL ? cfg->server
		                               : "?");
		free(s);
		return NULL;
	}
	if (cfg->proto == NP_SYSLOG_LOCAL) {
		if (cfg->socket != NULL)
			s->path = np_xstrdup(cfg->socket);
	} else if (cfg->host != NULL) {
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
	s->flush = event_new(base, -1, 0, flush_cb, s);
	if (s->flush == NULL || s->ops->open(s, cause) == -1) {
		if (s->flush == NULL)
			np_cause(cause, "cannot create an event");
		np_cause_prefix(cause, "%s", s->key);
		if (s->flush != NULL)
			event_free(s->flush);
		sink_strings_free(s);
		free(s);
		return NULL;
	}
	s->cfg = NULL;
	return s;
}

static void
reports_clear(struct sink_report *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(r[i].cause);
}

void
np_sink_free(struct np_sink *s)
{
	if (s == NULL)
		return;
	if (s->alive != NULL)
		*s->alive = false;
	s->ops->close(s);
	event_free(s->flush);
	reports_clear(s->reports, s->nreports);
	free(s->reports);
	sink_strings_free(s);
	free(s);
}

const char *
np_sink_key(const struct np_sink *s)
{
	return s->key;
}

bool
np_sink_ready(struct np_sink *s)
{
	bool r = s->ops->ready == NULL || s->ops->ready(s);
	if (!r)
		s->want_ready = true; /* the transport's next np_sink_wake reaches the owner */
	return r;
}

int
np_sink_send(struct np_sink *s, const struct np_alert *a, int64_t tag, char **cause)
{
	if (!np_sink_ready(s)) {
		np_cause(cause, "%s: not ready for another alert", s->key);
		return -1;
	}
	if (s->ops->send(s, a, tag, cause) == -1) {
		np_cause_prefix(cause, "%s", s->key);
		return -1;
	}
	return 0;
}

static void
report(struct np_sink *s, int kind, int64_t tag, const char *cause)
{
	if (s->nreports == s->capreports) {
		s->capreports = s->capreports ? s->capreports * 2 : 16;
		s->reports = np_xreallocarray(s->reports, s->capreports, sizeof(*s->reports));
	}
	s->reports[s->nreports++] = (struct sink_report){
	    .kind = kind, .tag = tag, .cause = cause != NULL ? np_xstrdup(cause) : NULL};
	event_active(s->flush, EV_TIMEOUT, 1);
}

void
np_sink_delivered(struct np_sink *s, int64_t tag)
{
	report(s, REPORT_DELIVERED, tag, NULL);
}

void
np_sink_failed(struct np_sink *s, const char *cause)
{
	report(s, REPORT_FAILED, 0, cause != NULL ? cause : "send failed");
}

void
np_sink_wake(struct np_sink *s)
{
	if (!s->want_ready || (s->ops->ready != NULL && !s->ops->ready(s)))
		return;
	s->want_ready = false;
	report(s, REPORT_READY, 0, NULL);
}

/* Runs the queued reports; the owner may free the sink in any callback (alive says so). */
static void
flush_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct np_sink *s = arg;
	struct sink_report *r = s->reports;
	size_t n = s->nreports;
	s->reports = NULL;
	s->nreports = s->capreports = 0;
	bool alive = true;
	s->alive = &alive;
	size_t i;
	for (i = 0; i < n && alive; i++) {
		const struct np_sink_cb *cb = &s->cb;
		switch (r[i].kind) {
		case REPORT_DELIVERED:
			if (cb->delivered != NULL)
				cb->delivered(cb->arg, r[i].tag);
			break;
		case REPORT_FAILED:
			if (cb->failed != NULL)
				cb->failed(cb->arg, r[i].cause);
			break;
		default:
			if (cb->ready != NULL)
				cb->ready(cb->arg);
			break;
		}
	}
	if (alive)
		s->alive = NULL;
	reports_clear(r, n);
	free(r);
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
