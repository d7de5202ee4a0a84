#ifndef NP_ALERT_ALERT_H
#define NP_ALERT_ALERT_H
/*
 * An alert as it leaves the outbox, and its RFC 5424 rendering (DESIGN §8):
 *   <PRI>1 TIMESTAMP HOSTNAME netpulse PROCID MSGID [netpulse@EN id="…" device="…"
 *   interface="…" state="…" previous="…" since="…" source="…" outage_seconds="…"]
 *   [links@EN link="device|interface|state|previous" …] MSG
 * id is the alert's outbox id (unique per database: a receiver de-duplicates a resend by it);
 * the links element only for a group summary (details), one link param per link.
 * SD values escaped per RFC 5424 §6.3.3 (", \ and ] get a backslash); header fields limited
 * to their RFC lengths (HOSTNAME 255, APP-NAME 48, PROCID 128, MSGID 32) and PRINTUSASCII.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct np_alert {
	int64_t id;        /* the outbox id; 0 = none (no id param) */
	int64_t time_ms;   /* TIMESTAMP: the alert's real time (UTC ms, printed as µs and Z) */
	const char *msgid; /* IFDOWN, IFUP, FLAPPING, FLAPSTOP, STALE, COLLECTOR */
	int severity;      /* LOG_ERR, LOG_NOTICE, LOG_WARNING (syslog.h) */
	const char *device, *interface, *state, *previous, *source;
	int64_t since_s;        /* printed as ISO 8601 UTC, e.g. 2026-12-01T08:00:00Z */
	int64_t outage_seconds; /* -1 = omit the parameter */
	const char *message;    /* MSG: one human sentence, UTF-8 */
	const char *details;    /* group summary: JSON array of {device, interface, state,
	                           previous, ...}; NULL = none */
	bool plain;             /* a daemon log line: no structured data (SD "-") */
};

struct np_syslog_header {
	int facility;         /* LOG_DAEMON etc. (already shifted, as in syslog.h) */
	const char *hostname; /* NULL or "" -> "-" */
	const char *app_name; /* "netpulse" */
	long procid;          /* <= 0 -> "-" */
	uint32_t enterprise;  /* 32473 by default */
};

/*
 * Renders one message into buf (NUL-terminated). Returns its length, or -1 if buf is too
 * small (then nothing useful is in buf). Over-long MSG is truncated at a UTF-8 boundary so the
 * whole message fits in max_len (0 = no limit besides bufsize).
 */
int np_rfc5424_format(const struct np_alert *a, const struct np_syslog_header *h, size_t max_len,
                      char *buf, size_t bufsize);

/* The human sentence for a link alert, e.g. "exporter 172.16.16.2 is DOWN (no NetFlow traffic
 * seen by fc-east, fc-west)" or "interface eth0 on host1 is UP again after 42s (seen by h)".
 * An empty interface means an exporter. outage_seconds < 0: no "after …". Other msgids
 * (COLLECTOR: the caller writes its own message) get a generic "MSGID: subject". malloc'd. */
char *np_alert_sentence(const char *msgid, const char *device, const char *interface,
                        const char *sources, int64_t outage_seconds);
/* The IFDOWN sentence of an interface the kernel deleted (alert_on_delete), e.g. "interface
 * wg0 on host1 is DOWN: deleted (seen by local)". malloc'd. */
char *np_alert_sentence_deleted(const char *device, const char *interface, const char *sources);

#endif
