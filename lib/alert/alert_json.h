#ifndef NP_ALERT_ALERT_JSON_H
#define NP_ALERT_ALERT_JSON_H
/*
 * The JSON form of an alert (the webhook body), one object with fixed keys (more may be added):
 *   {"id": 42, "time": "2026-12-01T08:00:00.123000Z", "msgid": "IFDOWN", "severity": "err",
 *    "device": "sw1", "interface": "eth0", "state": "down", "previous": "up",
 *    "since": "2026-12-01T08:00:00Z", "source": "local", "outage_seconds": null,
 *    "message": "interface eth0 on sw1 is DOWN (seen by local)", "host": "np1",
 *    "details": [ {...}, ... ]}
 * id: the outbox id (null when 0); time: the alert's time, RFC 3339 UTC with microseconds;
 * severity: the syslog keyword (emerg alert crit err warning notice info debug); since: RFC
 * 3339 UTC seconds (null when unknown); outage_seconds: null when none; host: the sending
 * host (null if not given); details: only for a group summary (the per-link array as stored;
 * a text that is not a JSON array is kept as a string). Absent strings are null; strings that
 * are not UTF-8 have each ill-formed byte replaced by U+FFFD, so the text is always valid JSON.
 * Pure: no clock, no globals.
 */
#include "alert/alert.h"

/* The alert as compact JSON text (one line, no trailing newline). malloc'd; never NULL. */
char *np_alert_json(const struct np_alert *a, const char *host);
/* The syslog keyword of a severity ("err"); an invalid one is "warning" (as its PRI). */
const char *np_severity_name(int severity);

#endif
