#ifndef NP_REPORT_AVX_TEXT_H
#define NP_REPORT_AVX_TEXT_H
/*
 * The text conventions of the original Aviatrix reports (spoke_bandwidth_report.py,
 * flowiq_top_talkers.py), kept by `netpulse egress` and `netpulse top`:
 *
 * fmt: binary units with SI-looking labels, as the originals printed them:
 *   >= 2^40  bytes / 2^40, 2 decimals, " TB"      >= 2^30  bytes / 2^30, 2 decimals, " GB"
 *   >= 2^20  bytes / 2^20, 1 decimal,  " MB"      >= 1024  bytes / 1024, 0 decimals, " KB"
 *   else     the integer, " B"
 * (correct decimal rounding of the binary double, ties to even: what Python's format and
 * glibc's printf both do; so 1048575 bytes is "1024 KB", as in the original).
 *
 * Rules: 70 '=' at the top and bottom, 70 '-' between sections. Period line:
 * "Period: <first day> to <last day> (<n> days)", days in the report's zone, the last day
 * being the one holding the period's last second; n whole when the period is whole days.
 */
#include <stdint.h>

#include "util/buf.h"
#include "util/tz.h"

#define NP_AVX_RULE 70
#define NP_AVX_FMT_MAX 32

/* Negative values (never produced by the reports) print as "0 B". */
void np_avx_fmt(int64_t bytes, char buf[NP_AVX_FMT_MAX]);
/* A rule of 70 c and a newline. */
void np_avx_rule(struct np_buf *b, char c);
/* The Period line and its newline. */
void np_avx_period(struct np_buf *b, const struct np_tz *tz, int64_t start, int64_t end);
/* A name from a device or an API for a text line: as is, or escaped if it holds control
 * characters (np_escape); "" as `empty` (NULL: ""). malloc'd. */
char *np_avx_name(const char *s, const char *empty);

#endif
