#ifndef NP_ALERT_JOURNAL_H
#define NP_ALERT_JOURNAL_H
/*
 * An alert as one entry of systemd-journald's native protocol (systemd.io/JOURNAL_NATIVE_
 * PROTOCOL): "FIELD=value\n" per field, or, for a value with a newline in it, "FIELD\n", the
 * value's length as 64-bit little endian, the value and "\n". Fields:
 *   MESSAGE (the alert's sentence), PRIORITY, SYSLOG_FACILITY, SYSLOG_IDENTIFIER=netpulse,
 *   NETPULSE_MSGID, NETPULSE_ALERT_ID (when the alert has an id), NETPULSE_DEVICE,
 *   NETPULSE_INTERFACE, NETPULSE_STATE, NETPULSE_PREVIOUS, NETPULSE_SOURCE, NETPULSE_SINCE
 *   (ISO 8601 UTC), NETPULSE_OUTAGE_SECONDS (when known), NETPULSE_TIME (the alert's real
 *   time, RFC 3339 with microseconds: journald dates the entry when it receives it, which for
 *   a resend is later), NETPULSE_DETAILS (a group summary's JSON array of links).
 */
#include <stddef.h>

#include "alert/alert.h"

/* The entry for a (facility as in syslog.h); malloc'd, its length in *len (no NUL counted). */
char *np_journal_format(const struct np_alert *a, int facility, size_t *len);

#endif
