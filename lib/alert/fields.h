#ifndef NP_ALERT_FIELDS_H
#define NP_ALERT_FIELDS_H
/* Syslog field helpers shared by the alert formatters (module-internal). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alert/alert.h"

/*
 * PRI = facility | severity. facility is shifted as in syslog.h; an invalid one (not a
 * multiple of 8, or above local7) is taken as LOG_USER, an invalid severity as LOG_WARNING.
 */
int np_syslog_pri(int facility, int severity);

/* "2026-12-01T08:00:00.123000Z" (UTC, microseconds). False if the year is outside 0..9999. */
bool np_time_rfc3339_us(int64_t time_ms, char *buf, size_t size);
/* "2026-12-01T08:00:00Z". False if the year is outside 0..9999. */
bool np_time_rfc3339_s(int64_t time_s, char *buf, size_t size);
/*
 * RFC 3164 TIMESTAMP, "Dec  1 08:00:00", in local time (TZ, else /etc/localtime) as §4.1.2
 * wants it. False when out of range.
 */
bool np_time_rfc3164(int64_t time_ms, char *buf, size_t size);

/* Length of the longest string SD value of a (device, interface, state, previous, source). */
size_t np_alert_longest_value(const struct np_alert *a);

struct np_textbuf;
/*
 * Appends ` link="device|interface|state|previous"` for every object of the JSON array
 * details (a group summary), values escaped as SD-PARAM values and cut at cap bytes each.
 * Malformed details add nothing.
 */
void np_alert_details_params(struct np_textbuf *t, const char *details, size_t cap);

#endif
