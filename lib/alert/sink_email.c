/*
 * Email alerts: one mail per alert through the `mail:` section's SMTP server (io/smtp.h),
 * sent by libcurl on an HTTP engine's multi handle on the sink's event_base (np_http_add_easy,
 * as the daemon's scheduled reports do): nothing blocks the loop. One mail in flight; the
 * server's acceptance of the message (250 after DATA) is delivered(tag); any other end
 * (connection, TLS, AUTH, a refused recipient, timeout) is failed(cause) with the server's
 * last reply, and the owner sends the mail again after its backoff.
 *
 * Subject: "<subject_prefix> <MSGID> <device> <interface>" (no interface for an exporter).
 * Body: the alert's sentence, then one "name: value" line per field. Message-ID is made from
 * the alert's id, time and host, so a resend of the same alert carries the same Message-ID
 * and a mail system can tell it is one message.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "alert/alert_json.h"
#include "alert/fields.h"
#include "alert/sink_impl.h"
#include "alert/textbuf.h"
#include "config/config_mail.h"
#include "io/http.h"
#include "io/smtp.h"
#include "util/cause.h"
#include "util/xmalloc.h"

#define DEFAULT_PREFIX "[netpulse]"

struct email {
	struct np_sink *s;
	struct np_http *http;
	char *server, *from, *user, *password, *ca_file;
	bool insecure;
	int64_t timeout_ms;
	char **to;
	size_t nto;
	char *prefix;
	struct np_smtp_job *job; /* the mail in flight */
	int64_t tag;
};

static void
email_free(struct email *e)
{
	if (e == NULL)
		return;
	if (e->job != NULL) {
		np_http_remove_easy(e->http, np_smtp_job_easy(e->job));
		np_smtp_job_free(e->job);
	}
	np_http_free(e->http);
	if (e->password != NULL)
		explicit_bzero(e->password, strlen(e->password));
	free(e->password);
	free(e->server);
	free(e->from);
	free(e->user);
	free(e->ca_file);
	for (size_t i = 0; i < e->nto; i++)
		free(e->to[i]);
	free(e->to);
	free(e->prefix);
	free(e);
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? np_xstrdup(s) : NULL;
}

static int
email_open(struct np_sink *s, char **cause)
{
	const struct np_alert_cfg *cfg = s->cfg;
	const struct np_mail_cfg *mc = cfg->mail;
	if (mc == NULL || mc->server == NULL || mc->from == NULL) {
		np_cause(cause, "an email alert needs the `mail:` section (server, from)");
		return -1;
	}
	if (cfg->nto == 0) {
		np_cause(cause, "an email alert needs `to`");
		return -1;
	}
	if (np_mail_addr_check(mc->from, cause) == -1)
		return -1;
	for (size_t i = 0; i < cfg->nto; i++)
		if (np_mail_addr_check(cfg->to[i], cause) == -1)
			return -1;
	struct email *e = np_xcalloc(1, sizeof(*e));
	e->s = s;
	e->server = np_xstrdup(mc->server);
	e->from = np_xstrdup(mc->from);
	e->user = dup_or_null(mc->user);
	e->password = dup_or_null(mc->password);
	e->ca_file = dup_or_null(mc->ca_file);
	e->insecure = mc->insecure;
	e->timeout_ms = mc->timeout_ms;
	e->to = np_xcalloc(cfg->nto, sizeof(*e->to));
	for (size_t i = 0; i < cfg->nto; i++)
		e->to[e->nto++] = np_xstrdup(cfg->to[i]);
	e->prefix = np_xstrdup(cfg->subject_prefix != NULL ? cfg->subject_prefix : DEFAULT_PREFIX);
	e->http = np_http_new(s->base, NULL, cause);
	if (e->http == NULL) {
		email_free(e);
		return -1;
	}
	s->impl = e;
	return 0;
}

static void
email_close(struct np_sink *s)
{
	email_free(s->impl);
	s->impl = NULL;
}

/* s for a header or a body line: control characters become spaces, ill-formed UTF-8 '?'. */
static char *
clean(const char *s)
{
	if (s == NULL)
		return np_xstrdup("");
	size_t n = strlen(s);
	char *out = np_xmalloc(n + 1), *o = out;
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		size_t l = np_utf8_len(p + i, n - i);
		if (l == 0) {
			*o++ = '?';
			i++;
		} else if (l == 1 && (p[i] < 0x20 || p[i] == 0x7f)) {
			*o++ = ' ';
			i++;
		} else if (l == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0) {
			*o++ = ' '; /* C1 controls (NEL among them) */
			i += 2;
		} else {
			memcpy(o, s + i, l);
			o += l;
			i += l;
		}
	}
	*o = '\0';
	return out;
}

struct text {
	char *s;
};

static void
addf(struct text *t, const char *name, const char *value)
{
	if (value == NULL || value[0] == '\0')
		return;
	char *v = clean(value);
	char *next = np_xasprintf("%s%-15s %s\n", t->s, name, v);
	free(v);
	free(t->s);
	t->s = next;
}

/* The per-link lines of a group summary ("link: sw1 eth0 stale (was up)"). */
static void
add_details(struct text *t, const char *details)
{
	json_t *d = json_loads(details, 0, NULL);
	if (d == NULL || !json_is_array(d)) {
		addf(t, "details:", details);
		json_decref(d);
		return;
	}
	size_t i;
	json_t *v;
	json_array_foreach(d, i, v)
	{
		const char *dev = json_string_value(json_object_get(v, "device"));
		const char *ifc = json_string_value(json_object_get(v, "interface"));
		const char *st = json_string_value(json_object_get(v, "state"));
		const char *pr = json_string_value(json_object_get(v, "previous"));
		char *line =
		    np_xasprintf("%s%s%s %s%s%s%s", dev != NULL ? dev : "?",
		                 ifc != NULL && ifc[0] != '\0' ? " " : "", ifc != NULL ? ifc : "",
		                 st != NULL ? st : "?", pr != NULL ? " (was " : "",
		                 pr != NULL ? pr : "", pr != NULL ? ")" : "");
		addf(t, "link:", line);
		free(line);
	}
	json_decref(d);
}

static char *
body_of(const struct np_alert *a, const char *host)
{
	struct text t = {.s = clean(a->message != NULL ? a->message : a->msgid)};
	char *s = np_xasprintf("%s\n\n", t.s);
	free(t.s);
	t.s = s;
	char buf[64];
	if (a->id > 0) {
		snprintf(buf, sizeof(buf), "%lld", (long long)a->id);
		addf(&t, "alert id:", buf);
	}
	if (np_time_rfc3339_us(a->time_ms, buf, sizeof(buf)))
		addf(&t, "time:", buf);
	addf(&t, "msgid:", a->msgid);
	addf(&t, "severity:", np_severity_name(a->severity));
	addf(&t, "device:", a->device);
	addf(&t, "interface:", a->interface);
	addf(&t, "state:", a->state);
	addf(&t, "previous:", a->previous);
	if (a->since_s >= 0 && np_time_rfc3339_s(a->since_s, buf, sizeof(buf)))
		addf(&t, "since:", buf);
	addf(&t, "source:", a->source);
	if (a->outage_seconds >= 0) {
		snprintf(buf, sizeof(buf), "%lld", (long long)a->outage_seconds);
		addf(&t, "outage_seconds:", buf);
	}
	addf(&t, "host:", host);
	if (a->details != NULL)
		add_details(&t, a->details);
	return t.s;
}

static char *
subject_of(const struct email *e, const struct np_alert *a)
{
	const char *ifc = a->interface != NULL ? a->interface : "";
	char *raw =
	    np_xasprintf("%s %s %s%s%s", e->prefix, a->msgid != NULL ? a->msgid : "-",
	                 a->device != NULL ? a->device : "-", ifc[0] != '\0' ? " " : "", ifc);
	char *s = clean(raw);
	free(raw);
	return s;
}

/* Letters and digits only (np_mail.unique): the same for every send of one alert. */
static void
unique_of(const struct np_alert *a, const char *host, char out[64])
{
	if (a->id <= 0) {
		np_mail_unique(out);
		return;
	}
	uint32_t h = 2166136261u; /* FNV-1a of the host: ids are unique per database only */
	for (const char *p = host != NULL ? host : ""; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	snprintf(out, 64, "npa%lldt%llxh%08x", (long long)a->id,
	         (unsigned long long)(a->time_ms < 0 ? 0 : a->time_ms), (unsigned)h);
}

static void
sent(void *arg, void *easy, int curl_code)
{
	struct email *e = arg;
	struct np_smtp_job *j = e->job;
	e->job = NULL;
	char *why = NULL;
	int rc = np_smtp_job_result(j, curl_code, &why);
	np_smtp_job_free(j);
	if (rc == 0) {
		np_sink_delivered(e->s, e->tag);
		np_sink_wake(e->s);
	} else {
		np_sink_failed(e->s, why != NULL ? why : "mail not accepted");
	}
	free(why);
}

static int
email_send(struct np_sink *s, const struct np_alert *a, int64_t tag, char **cause)
{
	struct email *e = s->impl;
	if (e->job != NULL) {
		np_cause(cause, "a mail is in flight");
		return -1;
	}
	char unique[64];
	unique_of(a, s->hostname, unique);
	char *subject = subject_of(e, a);
	char *body = body_of(a, s->hostname);
	struct np_mail m = {
	    .from = e->from,
	    .to = (const char *const *)e->to,
	    .nto = e->nto,
	    .subject = subject,
	    .body = body,
	    .date = a->time_ms / 1000,
	    .unique = unique,
	};
	size_t len;
	char *msg = np_mail_build(&m, &len, cause);
	free(subject);
	free(body);
	if (msg == NULL)
		return -1; /* this alert cannot be a mail: no send would do better */
	struct np_smtp_cfg sc = {
	    .server = e->server,
	    .user = e->user,
	    .password = e->password,
	    .ca_file = e->ca_file,
	    .insecure = e->insecure,
	    .timeout_ms = e->timeout_ms,
	};
	char *why = NULL;
	e->job = np_smtp_job_new(&sc, e->from, (const char *const *)e->to, e->nto, msg, len, &why);
	free(msg);
	if (e->job != NULL &&
	    np_http_add_easy(e->http, np_smtp_job_easy(e->job), sent, e, &why) == -1) {
		np_smtp_job_free(e->job);
		e->job = NULL;
	}
	e->tag = tag;
	if (e->job == NULL) {
		/* Taken, and failed: the owner retries later (a refusal here would drop it). */
		np_sink_failed(s, why != NULL ? why : "cannot start the mail");
	}
	free(why);
	return 0;
}

static bool
email_ready(const struct np_sink *s)
{
	const struct email *e = s->impl;
	return e->job == NULL;
}

const struct sink_ops np_sink_email_ops = {
    .open = email_open,
    .close = email_close,
    .send = email_send,
    .ready = email_ready,
};
