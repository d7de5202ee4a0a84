#ifndef NP_REPORT_USAGE_MAIL_H
#define NP_REPORT_USAGE_MAIL_H
/*
 * A usage report as mail content: the subject "Network usage report [START to END]" (dates of
 * the first and last day, in tz), a text body (a title line, then the text report), and the
 * CSV report (exactly what `netpulse --format csv usage` prints) named usage-START-END.csv.
 */
#include <stddef.h>
#include <stdint.h>

#include "report/usage.h"

struct np_usage_mail {
	char *subject, *body, *csv, *att_name;
	size_t csv_len;
};

void np_usage_mail_make(const struct np_usage *u, const struct np_tz *tz,
                        struct np_usage_mail *out);
void np_usage_mail_free(struct np_usage_mail *m);
/*
 * The whole message (np_mail_build) of report u from `from` to `to`, dated `now`: the CLI's
 * --mail-to and the daemon's scheduled reports send the same thing. NULL with *cause.
 */
char *np_usage_mail_message(const struct np_usage *u, const struct np_tz *tz, const char *from,
                            const char *const *to, size_t nto, int64_t now, size_t *len,
                            char **cause);

#endif
