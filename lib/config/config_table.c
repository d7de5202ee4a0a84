/*
 * The option tables: the one place that names a configuration key. Defaults are written as
 * config text and parsed by the same code as the file, so help, conf/netpulse.yaml and the
 * structs cannot disagree.
 */
#include "config/config_table.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "config/config_links.h"
#include "config/config_maint.h"
#include "config/mail_table.h"
#include "util/xmalloc.h"

#define SEC 1000LL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)
/* Retention and durations have no useful upper bound beyond "a long time". */
#define CENTURY (36525 * DAY)

const struct np_config_choice np_config_alert_types[] = {
    {"syslog", NP_SINK_SYSLOG},     {"webhook", NP_SINK_WEBHOOK}, {"email", NP_SINK_EMAIL},
    {"journald", NP_SINK_JOURNALD}, {"stderr", NP_SINK_STDERR},   {NULL, 0},
};

static const struct np_config_choice log_levels[] = {
    {"err", NP_LOG_ERR},   {"warning", NP_LOG_WARNING}, {"notice", NP_LOG_NOTICE},
    {"info", NP_LOG_INFO}, {"debug", NP_LOG_DEBUG},     {NULL, 0},
};

static const struct np_config_choice facilities[] = {
    {"kern", LOG_KERN},     {"user", LOG_USER},         {"mail", LOG_MAIL},
    {"daemon", LOG_DAEMON}, {"auth", LOG_AUTH},         {"syslog", LOG_SYSLOG},
    {"lpr", LOG_LPR},       {"news", LOG_NEWS},         {"uucp", LOG_UUCP},
    {"cron", LOG_CRON},     {"authpriv", LOG_AUTHPRIV}, {"ftp", LOG_FTP},
    {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1},     {"local2", LOG_LOCAL2},
    {"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4},     {"local5", LOG_LOCAL5},
    {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},     {NULL, 0},
};

static const struct np_config_choice syslog_formats[] = {
    {"rfc5424", 0},
    {"rfc3164", 1},
    {NULL, 0},
};

#define CFG(f) offsetof(struct np_config, f)
#define ST(f) offsetof(struct np_state_cfg, f)
#define RET(f) offsetof(struct np_retention_cfg, f)
#define AL(f) offsetof(struct np_alert_cfg, f)
#define SRC(f) offsetof(struct np_config_source_build, f)

static const struct np_config_opt daemon_opts[] = {
    {.name = "database",
     .type = NP_CFG_PATH,
     .flags = NP_CFG_F_DATABASE,
     .off = CFG(database),
     .def = "/var/lib/netpulse/netpulse.db",
     .help = "SQLite database file"},
    {.name = "log_level",
     .type = NP_CFG_ENUM,
     .off = CFG(log_level),
     .choices = log_levels,
     .def = "info",
     .help = "least severe message logged"},
    {.name = "log",
     .type = NP_CFG_LOG,
     .off = CFG(log_target),
     .off2 = CFG(log_file),
     .def = "stderr",
     .help = "where the daemon logs: stderr, syslog, a file path, or a remote syslog "
             "server (udp://, tcp://, tls://, relp://host:port)"},
    {.name = "timezone",
     .type = NP_CFG_TOKEN,
     .off = CFG(timezone),
     .max = 64,
     .flags = NP_CFG_F_ZONE,
     .def_doc = "(unset)",
     .help = "IANA time zone of mailed reports and maintenance windows (unset: UTC) and "
             "of netpulse reports unless --tz is given (unset: TZ, else /etc/localtime)"},
    {.name = NULL},
};

static const struct np_config_opt defaults_opts[] = {
    {.name = "interval",
     .type = NP_CFG_DURATION,
     .off = CFG(interval_ms),
     .min = 100,
     .max = DAY,
     .def = "60s",
     .help = "poll interval of sources that set none"},
    {.name = "timeout",
     .type = NP_CFG_DURATION,
     .off = CFG(timeout_ms),
     .min = 100,
     .max = HOUR,
     .def = "20s",
     .help = "poll timeout of sources that set none"},
    {.name = NULL},
};

static const struct np_config_opt flap_opts[] = {
    {.name = "transitions",
     .type = NP_CFG_INT,
     .off = ST(flap_transitions),
     .min = 1,
     .max = 1000,
     .def = "5",
     .help = "more changes than this within window = flapping"},
    {.name = "window",
     .type = NP_CFG_DURATION,
     .off = ST(flap_window_ms),
     .min = SEC,
     .max = 7 * DAY,
     .def = "10m",
     .help = "flap detection window (and calm-down time)"},
    {.name = NULL},
};

static const struct np_config_opt state_opts[] = {
    {.name = "down_after",
     .type = NP_CFG_DURATION,
     .off = ST(down_after_ms),
     .max = DAY,
     .def = "0s",
     .help = "how long a link must look down before it is declared down"},
    {.name = "up_after",
     .type = NP_CFG_DURATION,
     .off = ST(up_after_ms),
     .max = DAY,
     .def = "0s",
     .help = "how long a link must look up before it is declared up"},
    {.name = "stale_after",
     .type = NP_CFG_DURATION_X,
     .off = ST(stale_after_ms),
     .off2 = ST(stale_after_x),
     .min = SEC,
     .max = 7 * DAY,
     .def = "3x",
     .help = "an observation is fresh this long (Nx = N times the source's interval)"},
    {.name = "alert_never_up",
     .flags = NP_CFG_F_GLOBAL,
     .type = NP_CFG_BOOL,
     .off = ST(alert_never_up),
     .def = "false",
     .help = "also alert IFDOWN for links never seen up"},
    {.name = "forget_after",
     .flags = NP_CFG_F_GLOBAL,
     .type = NP_CFG_DURATION,
     .off = ST(forget_after_ms),
     .max = 400 * DAY,
     .def = "7d",
     .help = "a link stale or removed this long leaves memory and status, its history stays "
             "in the database; a stale link that never alerted leaves at once"},
    {.name = "flap",
     .flags = NP_CFG_F_GLOBAL,
     .type = NP_CFG_SECTION,
     .sub = flap_opts,
     .help = "flapping detection (Nagios style)"},
    {.name = NULL},
};

static const struct np_config_opt retention_opts[] = {
    {.name = "raw",
     .type = NP_CFG_RETENTION,
     .off = RET(raw_ms),
     .min = HOUR,
     .max = CENTURY,
     .def = "2d",
     .help = "ignored: per-poll rows are no longer stored (the finest rollup is 5 minutes); "
             "accepted so older files load"},
    {.name = "rollup_5m",
     .type = NP_CFG_RETENTION,
     .off = RET(rollup_5m_ms),
     .min = HOUR,
     .max = CENTURY,
     .def = "14d",
     .help = "5-minute rollups"},
    {.name = "hourly",
     .type = NP_CFG_RETENTION,
     .off = RET(hourly_ms),
     .min = HOUR,
     .max = CENTURY,
     .def = "400d",
     .help = "hourly rollups"},
    {.name = "daily",
     .type = NP_CFG_RETENTION,
     .off = RET(daily_ms),
     .min = HOUR,
     .max = CENTURY,
     .def = "forever",
     .help = "daily rollups"},
    {.name = "transitions",
     .type = NP_CFG_RETENTION,
     .off = RET(transitions_ms),
     .min = HOUR,
     .max = CENTURY,
     .def = "forever",
     .help = "state transitions and outages"},
    {.name = NULL},
};

static const struct np_config_opt storage_opts[] = {
    {.name = "retention",
     .type = NP_CFG_SECTION,
     .off = CFG(retention),
     .sub = retention_opts,
     .help = "how long each table keeps rows"},
    {.name = NULL},
};

const struct np_config_opt np_config_alert_opts[] = {
    {.name = "type",
     .type = NP_CFG_ENUM,
     .off = AL(type),
     .choices = np_config_alert_types,
     .required = NP_CFG_ALL,
     .def_doc = "(required)",
     .help = "sink type"},
    {.name = "server",
     .type = NP_CFG_SERVER,
     .off = 0,
     .types = NP_CFG_ALERT_SYSLOG,
     .def_doc = "(local syslog)",
     .help = "remote syslog: udp://host:port, tcp://host:port, tls://host:port (RFC 5425), "
             "relp://host:port (acknowledged), host:port (udp), [v6]:port; port 514 if "
             "omitted (tls 6514, relp 2514)"},
    {.name = "facility",
     .types = NP_CFG_ALERT_SYSLOG | NP_CFG_ALERT_JOURNALD | NP_CFG_ALERT_STDERR,
     .type = NP_CFG_ENUM,
     .off = AL(facility),
     .choices = facilities,
     .def = "daemon",
     .help = "syslog facility (journald: SYSLOG_FACILITY)"},
    {.name = "format",
     .types = NP_CFG_ALERT_SYSLOG,
     .type = NP_CFG_CHOICE,
     .off = AL(format),
     .choices = syslog_formats,
     .def = "rfc5424",
     .help = "message format of a remote server"},
    {.name = "enterprise",
     .types = NP_CFG_ALERT_SYSLOG | NP_CFG_ALERT_STDERR,
     .type = NP_CFG_UINT32,
     .off = AL(enterprise),
     .min = 1,
     .max = 4294967295LL,
     .def = "32473",
     .help = "private enterprise number of the structured data id netpulse@N"},
    {.name = "hostname",
     .types = NP_CFG_ALERT_SYSLOG | NP_CFG_ALERT_WEBHOOK | NP_CFG_ALERT_EMAIL | NP_CFG_ALERT_STDERR,
     .type = NP_CFG_TOKEN,
     .off = AL(hostname),
     .max = 255,
     .def_doc = "(gethostname())",
     .help = "HOSTNAME field of the messages"},
    {.name = "socket",
     .types = NP_CFG_ALERT_SYSLOG | NP_CFG_ALERT_JOURNALD,
     .type = NP_CFG_PATH,
     .off = AL(socket),
     .def_doc = NP_LOCAL_LOG_SOCKET " (journald: " NP_JOURNAL_SOCKET ")",
     .help = "local syslog (no server): the system logger's datagram socket; journald: the "
             "journal's native socket"},
    {.name = "ca_file",
     .type = NP_CFG_PATH,
     .flags = NP_CFG_F_READ,
     .off = AL(ca_file),
     .types = NP_CFG_ALERT_SYSLOG | NP_CFG_ALERT_WEBHOOK,
     .def_doc = "(the system store)",
     .help = "tls:// and https:// webhooks: CA bundle the server's certificate is verified "
             "against (its name is checked too)"},
    {.name = "cert_file",
     .type = NP_CFG_PATH,
     .flags = NP_CFG_F_READ,
     .off = AL(cert_file),
     .types = NP_CFG_ALERT_SYSLOG | NP_CFG_ALERT_WEBHOOK,
     .def_doc = "(none)",
     .help = "tls://: client certificate (PEM) presented to the server, with key_file"},
    {.name = "key_file",
     .type = NP_CFG_PATH,
     .flags = NP_CFG_F_READ,
     .off = AL(key_file),
     .types = NP_CFG_ALERT_SYSLOG | NP_CFG_ALERT_WEBHOOK,
     .def_doc = "(none)",
     .help = "tls://: the client certificate's private key (PEM)"},
    {.name = "insecure",
     .type = NP_CFG_BOOL,
     .off = AL(insecure),
     .types = NP_CFG_ALERT_SYSLOG | NP_CFG_ALERT_WEBHOOK,
     .def = "false",
     .help = "tls:// and https://: do not verify the server's certificate (draws a warning)"},
    {.name = "timeout",
     .types = NP_CFG_ALERT_SYSLOG | NP_CFG_ALERT_WEBHOOK | NP_CFG_ALERT_EMAIL,
     .type = NP_CFG_DURATION,
     .off = AL(timeout_ms),
     .min = 100,
     .max = HOUR,
     .def = "10s",
     .help = "deadline of a connection, an acknowledgement or one delivery"},
    {.name = "confirm_after",
     .type = NP_CFG_DURATION,
     .off = AL(confirm_after_ms),
     .types = NP_CFG_ALERT_SYSLOG,
     .min = 0,
     .max = 10 * MIN,
     .def = "2s",
     .help = "tcp:// and tls://: an alert counts as delivered once the kernel sent it and the "
             "connection is still open this long after; a connection lost before re-sends it"},
    {.name = "window",
     .type = NP_CFG_INT,
     .off = AL(window),
     .types = NP_CFG_ALERT_SYSLOG,
     .min = 1,
     .max = 65535,
     .def = "128",
     .help = "relp://: alerts sent ahead of the receiver's acknowledgements"},
    {.name = "url",
     .type = NP_CFG_STRING,
     .off = AL(url),
     .types = NP_CFG_ALERT_WEBHOOK,
     .required = NP_CFG_ALERT_WEBHOOK,
     .def_doc = "(required)",
     .help = "webhook: the http:// or https:// address alerts are POSTed to as JSON"},
    {.name = "bearer_token",
     .type = NP_CFG_SECRET,
     .flags = NP_CFG_F_SECRET_FORMS,
     .off = AL(bearer_token),
     .types = NP_CFG_ALERT_WEBHOOK,
     .help = "webhook: sent as Authorization: Bearer; bearer_token_file or bearer_token_env, "
             "never in clear"},
    {.name = "to",
     .type = NP_CFG_STRINGS,
     .off = AL(to),
     .off2 = AL(nto),
     .types = NP_CFG_ALERT_EMAIL,
     .required = NP_CFG_ALERT_EMAIL,
     .max = 100,
     .def_doc = "(required)",
     .help = "email: recipients; the server, sender and credentials are the `mail:` section's"},
    {.name = "subject_prefix",
     .type = NP_CFG_STRING,
     .off = AL(subject_prefix),
     .types = NP_CFG_ALERT_EMAIL,
     .def = "[netpulse]",
     .help = "email: start of every subject"},
    {.name = NULL},
};

#define ALG(f) offsetof(struct np_alerting_cfg, f)

const struct np_config_opt np_config_alerting_opts[] = {
    {.name = "sinks",
     .type = NP_CFG_LIST,
     .sub = np_config_alert_opts,
     .help = "alert sinks; every alert goes to each"},
    {.name = "max_age",
     .type = NP_CFG_DURATION,
     .off = ALG(max_age_ms),
     .min = MIN,
     .max = CENTURY,
     .def = "24h",
     .help = "an alert a sink has not taken for this long becomes a dead letter "
             "(netpulse alerts --dead, --retry)"},
    {.name = "group_window",
     .type = NP_CFG_DURATION,
     .off = ALG(group_window_ms),
     .min = 0,
     .max = HOUR,
     .def = "0s",
     .help = "alerts of one source raised within this window go out as one summary (0: off)"},
    {.name = NULL},
};

const struct np_config_opt np_config_source_opts[] = {
    {.name = "name",
     .type = NP_CFG_NAME,
     .off = SRC(s.name),
     .max = 64,
     .required = NP_CFG_ALL,
     .def_doc = "(required)",
     .help = "unique name, used in series keys, reports and alerts"},
    {.name = "type",
     .type = NP_CFG_TOKEN,
     .off = SRC(s.type),
     .max = 64,
     .required = NP_CFG_ALL,
     .def_doc = "(required)",
     .help = "collector"},
    {.name = "interval",
     .type = NP_CFG_DURATION,
     .off = SRC(s.interval_ms),
     .min = 100,
     .max = DAY,
     .def_doc = "defaults.interval",
     .help = "poll interval"},
    {.name = "timeout",
     .type = NP_CFG_DURATION,
     .off = SRC(s.timeout_ms),
     .min = 100,
     .max = HOUR,
     .def_doc = "defaults.timeout",
     .help = "poll timeout"},
    {.name = "state",
     .type = NP_CFG_SECTION,
     .off = SRC(s.state),
     .sub = state_opts,
     .flags = NP_CFG_F_INHERIT,
     .def_doc = "the global state block",
     .help = "per-source overrides of the global state block"},
    {.name = "max_rate",
     .type = NP_CFG_NUMBER,
     .off = SRC(s.max_rate),
     .min = 0,
     .def = "0",
     .help = "bytes/s above which a delta is a spike (0 = the link speed only)"},
    {.name = "max_gap",
     .type = NP_CFG_DURATION_X,
     .off = SRC(s.max_gap_ms),
     .off2 = SRC(max_gap_x),
     .min = SEC,
     .max = 7 * DAY,
     .def = "3x",
     .help = "a longer gap between two samples is a gap verdict (Nx = N times the interval)"},
    {.name = "link_group",
     .type = NP_CFG_NAME,
     .off = SRC(s.link_group),
     .max = 64,
     .def_doc = "(none)",
     .help = "sources naming the same group watch the same links (Flow Collectors an "
             "exporter moves between): a link that looks down to one waits for the others' "
             "next batch before it is declared down"},
    {.name = NULL},
};

/* One entry, also in np_config_top. */
#define MAINT_ENTRY                                                                                \
	{                                                                                          \
		.name = "maintenance", .type = NP_CFG_MAPLIST, .off = CFG(maint),                  \
		.off2 = CFG(nmaint), .max = sizeof(struct np_maint_cfg),                           \
		.sub = np_config_maint_opts, .def_doc = "(none)",                                  \
		.help = "maintenance windows: alerts inside are recorded, not sent; the time is "  \
		        "left out of availability"                                                 \
	}

#define LINKS_ENTRY                                                                                \
	{                                                                                          \
		.name = "links", .type = NP_CFG_MAPLIST, .off = CFG(link_rules),                   \
		.off2 = CFG(nlink_rules), .max = sizeof(struct np_link_rule_cfg),                  \
		.sub = np_config_link_rule_opts, .def_doc = "(none)",                              \
		.help = "per-link overrides {source, device, interface, labels: alert, "           \
		        "severity, down_after}; the first match wins"                              \
	}

const struct np_config_opt np_config_maint_top[] = {
    MAINT_ENTRY,
    LINKS_ENTRY,
    {.name = NULL},
};

const struct np_config_opt np_config_top[] = {
    {.name = "daemon", .type = NP_CFG_SECTION, .sub = daemon_opts, .help = "the daemon"},
    {.name = "defaults",
     .type = NP_CFG_SECTION,
     .sub = defaults_opts,
     .help = "defaults of every source"},
    {.name = "state",
     .type = NP_CFG_SECTION,
     .off = CFG(state),
     .sub = state_opts,
     .help = "link-state engine"},
    {.name = "storage", .type = NP_CFG_SECTION, .sub = storage_opts, .help = "the database"},
    {.name = "alerts",
     .type = NP_CFG_LIST,
     .sub = np_config_alert_opts,
     .help = "alert sinks; every alert goes to each (or a mapping: sinks, max_age, "
             "group_window)"},
    {.name = "sources", .type = NP_CFG_LIST, .sub = np_config_source_opts, .help = "what to poll"},
    {.name = "mail",
     .type = NP_CFG_SECTION,
     .off = CFG(mail),
     .sub = np_config_mail_opts,
     .help = "the SMTP server reports are mailed through"},
    {.name = "reports",
     .type = NP_CFG_LIST,
     .sub = np_config_report_opts,
     .help = "reports mailed on a schedule"},
    {.name = "http",
     .type = NP_CFG_SECTION,
     .off = CFG(http),
     .sub = np_config_http_opts,
     .def_doc = "(off)",
     .help = "the HTTP listener: Prometheus /metrics, the status page, /api (off unless "
             "present)"},
    MAINT_ENTRY,
    LINKS_ENTRY,
    {.name = NULL},
};

const struct np_config_choice *
np_config_choice_find(const struct np_config_choice *c, const char *name)
{
	for (; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

char *
np_config_choice_list(const struct np_config_choice *c)
{
	char *out = np_xstrdup("");
	for (const struct np_config_choice *p = c; p->name != NULL; p++) {
		char *next = np_xasprintf("%s%s%s", out, p == c ? "" : ", ", p->name);
		free(out);
		out = next;
	}
	return out;
}
