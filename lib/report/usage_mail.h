#ifndef NP_REPORT_USAGE_MAIL_H
#define NP_REPORT_USAGE_MAIL_H
/*
 * A usage report as mail content: the subject "Network usage report [START to END]" (dates of
 * the first and last day, in tz), a text body (a title line, then the text report), and the
 * CSV report (exactly what `netpulse --format csv usage` prints) named usage-START-END.csv.
 */
#include <stddef.h>

#include "report/usage.h"

struct np_usage_mail {
	char *subject, *body, *csv, *att_name;
	size_t csv_len;
};

void np_usage_mail_make(const struct np_usage *u, const struct np_tz *tz,
                        struct np_usage_mail *out);
void np_usage_mail_free(struct np_usage_mail *m);

#endif
