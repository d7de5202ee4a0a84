#ifndef NP_ALERT_RFC3164_H
#define NP_ALERT_RFC3164_H
/*
 * Renderings for receivers without structured data: local syslog(3) and RFC 3164 (BSD
 * syslog). The SD parameters travel at the end of the text, quoted and escaped as RFC 5424
 * SD values (", \ and ] get a backslash), control characters replaced by a space.
 */
#include <stddef.h>

#include "alert/alert.h"

/*
 * "IFDOWN: <message> [device="…" interface="…" state="…" previous="…" since="…" source="…"
 * outage_seconds="…"]" (outage_seconds omitted when -1). The message is truncated at a UTF-8
 * boundary so the whole text fits max_len (0 = bufsize only); long values are cut as in
 * np_rfc5424_format. Returns the length, or -1 if even the bracket part does not fit.
 */
int np_alert_flat(const struct np_alert *a, size_t max_len, char *buf, size_t bufsize);

/*
 * "<PRI>Mmm dd hh:mm:ss HOSTNAME TAG[PROCID]: <np_alert_flat text>". The TIMESTAMP is the
 * host's local time, as RFC 3164 §4.1.2 has it (the format has no zone field); TAG is app_name cut
 * to 32 alphanumeric characters. Returns the length or -1, as np_rfc5424_format.
 */
int np_rfc3164_format(const struct np_alert *a, const struct np_syslog_header *h, size_t max_len,
                      char *buf, size_t bufsize);
/*
 * The form syslog(3) writes to the local logger's socket: "<PRI>Mmm dd hh:mm:ss
 * TAG[PROCID]: <np_alert_flat text>", local time and no HOSTNAME. Returns as above.
 */
int np_rfc3164_local_format(const struct np_alert *a, const struct np_syslog_header *h,
                            size_t max_len, char *buf, size_t bufsize);

#endif
