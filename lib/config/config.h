#ifndef NP_CONFIG_CONFIG_H
#define NP_CONFIG_CONFIG_H
/*
 * Configuration (DESIGN §7). One YAML file is parsed into a fresh, immutable struct np_config;
 * on SIGHUP the daemon parses a new one aside and swaps only if it loaded without error.
 *
 * The grammar is described once, as option tables in config_table.c (name, type, range,
 * default, help); validation, defaults and `netpulsed --help-config` come from those tables.
 * All durations are milliseconds here. Every string is owned by the config.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config_http.h"
#include "config/config_mail.h"
#include "util/duration.h" /* np_duration_parse(): durations in the tables */

/* NP_LOG_REMOTE: daemon.log names a remote syslog target (log_sink). */
enum np_log_target { NP_LOG_STDERR, NP_LOG_SYSLOG, NP_LOG_FILE, NP_LOG_REMOTE };
enum np_log_level { NP_LOG_ERR, NP_LOG_WARNING, NP_LOG_NOTICE, NP_LOG_INFO, NP_LOG_DEBUG };

struct np_state_cfg {
	int64_t down_after_ms; /* default 0 */
	int64_t up_after_ms;   /* default 0 */
	/* stale_after: either an absolute duration or a multiple of the source's interval. */
	int64_t stale_after_ms;  /* 0 when given as a multiple */
	double stale_after_x;    /* default 3 (x interval); 0 when absolute */
	int flap_transitions;    /* default 5 */
	int64_t flap_window_ms;  /* default 10m */
	bool alert_never_up;     /* default false */
	int64_t forget_after_ms; /* default 7d: gone links leave memory (global only) */
};

/* Retention per table, in ms; -1 = forever. */
struct np_retention_cfg {
	int64_t raw_ms;         /* default 2d */
	int64_t rollup_5m_ms;   /* default 14d */
	int64_t hourly_ms;      /* default 400d */
	int64_t daily_ms;       /* default forever */
	int64_t transitions_ms; /* default forever */
};

/* The local system logger's socket, where a local syslog alert goes unless `socket:` says. */
#define NP_LOCAL_LOG_SOCKET "/dev/log"
/* systemd-journald's native protocol socket, where a journald alert goes unless `socket:` says. */
#define NP_JOURNAL_SOCKET "/run/systemd/journal/socket"

/* journald: native protocol with structured fields; stderr: one RFC 5424 line per alert. */
enum np_sink_type {
	NP_SINK_SYSLOG,
	NP_SINK_WEBHOOK,
	NP_SINK_EMAIL,
	NP_SINK_JOURNALD,
	NP_SINK_STDERR
};
/* tls: RFC 5425 (default port 6514); relp: acknowledged delivery (default port 2514). */
enum np_syslog_proto {
	NP_SYSLOG_LOCAL,
	NP_SYSLOG_UDP,
	NP_SYSLOG_TCP,
	NP_SYSLOG_TLS,
	NP_SYSLOG_RELP
};

struct np_alert_cfg {
	enum np_sink_type type;
	enum np_syslog_proto proto; /* LOCAL when no `server` is given */
	char *server;               /* "udp://host:port", "tcp://host:port" or "host:port" (udp) */
	char *host;                 /* parsed from server */
	char *port;                 /* parsed from server; default 514 */
	int facility;               /* LOG_DAEMON etc. (syslog.h values), default daemon */
	char *format;               /* "rfc5424" (default) or "rfc3164" */
	uint32_t enterprise;        /* SD-ID enterprise number, default 32473 */
	char *hostname;             /* HOSTNAME field override; default gethostname() */
	char *socket; /* local: the logger's datagram socket (NULL = /dev/log); journald: its socket
	               */
	/* TLS (tls://, webhook https://): CA bundle (NULL = system store), client cert + key. */
	char *ca_file, *cert_file, *key_file;
	bool insecure;            /* no certificate verification (the config warns) */
	int64_t timeout_ms;       /* connect / one delivery; default 10s */
	int64_t confirm_after_ms; /* tcp/tls: healthy this long after a write = delivered (2s) */
	int window;               /* relp: unacknowledged messages in flight, default 128 */
	char *url;                /* webhook: http(s)://… */
	char *bearer_token;       /* webhook: resolved from bearer_token_file / _env */
	char **to;                /* email: recipients (server etc. from the `mail:` section) */
	size_t nto;
	char *subject_prefix; /* email: default "[netpulse]" */
	/* email: the config's `mail:` section (server, from, credentials); borrowed, set by the
	 * loader. */
	const struct np_mail_cfg *mail;
	int line; /* config line of this entry, for messages */
};

/* `alerts:` as a mapping: { sinks: [...], max_age: 24h, group_window: 0s }. */
struct np_alerting_cfg {
	int64_t max_age_ms;      /* undelivered longer than this: dead letter; default 24h */
	int64_t group_window_ms; /* fold a source's alerts raised within it; 0 = off (default) */
};

/*
 * A maintenance window (`maintenance:` entry): one-off (start, end) or recurring (days, at,
 * duration), in timezone (NULL = daemon.timezone); scoped by source, device and interface
 * (POSIX EREs) and labels, each optional. Checked and compiled by np_maint_new (engine/maint.h).
 */
struct np_maint_cfg {
	char *name;
	char *start, *end; /* ISO 8601: local, or with a UTC offset */
	char **days;       /* mon..sun; none = every day */
	size_t ndays;
	char *at;            /* "HH:MM" local */
	int64_t duration_ms; /* recurring */
	char *timezone;
	char *source, *device, *interface;
	char **labels; /* "name=ERE", as `links:`: the link's label name must match (all) */
	size_t nlabels;
};

/*
 * A per-link override (`links:` entry): links matching source, device, interface and labels
 * (POSIX EREs; each optional) get these settings; the first matching entry wins. Compiled by
 * np_linkrules_new (engine/linkrules.h).
 */
struct np_link_rule_cfg {
	char *source, *device, *interface;
	char **labels; /* "name=ERE": the link's label name must match (all of them) */
	size_t nlabels;
	bool alert;            /* false: transitions recorded, alerts never sent */
	char *severity;        /* emerg .. debug; NULL = the alert's own */
	char *down_after;      /* a duration as written; NULL = the source's */
	int64_t down_after_ms; /* parsed by the loader; -1 = the source's */
};

struct np_source_cfg {
	char *name;
	char *type; /* "local", "stealthwatch", ... (collector registry key) */
	int line;   /* config line of this entry, for messages */
	/*
	 * The type's own parsed config (its collector's `options` table; opaque here) and the
	 * collector ops that describe it (const struct np_collector_ops *). Owned by the config.
	 */
	void *conf;
	const void *type_ops;
	/*
	 * Sources that watch the same links (Flow Collectors an exporter moves between) name the
	 * same group: a down look of one waits for the others (DESIGN §6). NULL = none.
	 */
	char *link_group;
	int64_t interval_ms;       /* default: defaults.interval (60s) */
	int64_t timeout_ms;        /* default: defaults.timeout (20s) */
	struct np_state_cfg state; /* global `state:` with per-source overrides applied */
	double max_rate;           /* bytes/s plausibility limit, 0 = from link speed only */
	int64_t max_gap_ms;        /* default 3 x interval */
};

/*
 * A file the daemon opens at run time, with where the config names it, so that
 * np_config_check_host (hostcheck.h) can report "file:line:column" for it.
 */
enum np_config_file_use {
	NP_CONFIG_FILE_READ,    /* read (a key, known_hosts, a CA bundle) */
	NP_CONFIG_FILE_DATABASE /* the database: its directory must be writable */
};
struct np_config_file {
	char *path;
	char *key; /* "'known_hosts' in source 'fc'" */
	int line, col;
	enum np_config_file_use use;
};

struct np_config {
	char *path;                    /* the file it was read from */
	char *database;                /* default /var/lib/netpulse/netpulse.db */
	enum np_log_level log_level;   /* default info */
	enum np_log_target log_target; /* daemon.log: "stderr" (default), "syslog", or a path */
	char *log_file;                /* NP_LOG_FILE: the path; NP_LOG_REMOTE: the URL */
	struct np_alert_cfg log_sink;  /* NP_LOG_REMOTE: the syslog target of daemon lines */
	char *timezone;                /* NULL = unset: UTC in the daemon, local in the CLI */
	int64_t interval_ms;           /* defaults.interval */
	int64_t timeout_ms;            /* defaults.timeout */
	struct np_state_cfg state;
	struct np_retention_cfg retention;
	struct np_alert_cfg *alerts;
	size_t nalerts;
	struct np_alerting_cfg alerting;
	struct np_maint_cfg *maint; /* maintenance windows */
	size_t nmaint;
	struct np_link_rule_cfg *link_rules; /* `links:` overrides */
	size_t nlink_rules;
	struct np_source_cfg *sources;
	size_t nsources;
	struct np_mail_cfg mail;       /* config_mail.h */
	struct np_http_cfg http;       /* config_http.h */
	struct np_report_cfg *reports; /* scheduled reports */
	size_t nreports;
	/* Paths the daemon opens, as the file names them (not the defaults). */
	struct np_config_file *files;
	size_t nfiles;
	/* Non-fatal findings (e.g. a world-readable file holding a clear secret). */
	char **warnings;
	size_t nwarnings;
};

/*
 * Parses a file. On any error returns NULL and sets *cause to every error found, one per line,
 * each "file:line:column: message" (OpenNTPD style: the file fails as a whole).
 */
struct np_config *np_config_load(const char *path, char **cause);
/*
 * NP_CONFIG_NO_SECRETS: every secret (K_file, K_env) is checked for its form but its file or
 * variable is not read and its field stays NULL. For readers that need the database, not the
 * keys (the CLI): a service's credentials are readable by the service alone.
 */
#define NP_CONFIG_NO_SECRETS 0x1u
struct np_config *np_config_load_flags(const char *path, unsigned flags, char **cause);
/* Same, from memory; `name` is used in messages in place of the file name. */
struct np_config *np_config_parse(const char *name, const char *text, size_t len, char **cause);
void np_config_free(struct np_config *cfg);
/* Frees what an alert sink entry owns (not a itself) and zeroes it. */
void np_config_alert_free(struct np_alert_cfg *a);

/* The source's effective stale_after in ms (absolute, or multiple of its interval). */
int64_t np_source_stale_after_ms(const struct np_source_cfg *s);
/* True when two source configs would poll identically (reload keeps the state of such). */
bool np_source_cfg_equal(const struct np_source_cfg *a, const struct np_source_cfg *b);

/*
 * Every option as text: key, type, default, help (from the option tables), for
 * `netpulsed --help-config`. malloc'd.
 */
char *np_config_help(void);

#endif
