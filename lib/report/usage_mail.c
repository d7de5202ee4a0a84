#include "report/usage_mail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/smtp.h"
#include "util/civil.h"
#include "util/xmalloc.h"

static void
local_date(const struct np_tz *tz, int64_t t, char out[32])
{
	struct np_civil c;
	np_civil_from_secs(np_tz_to_local(tz, t), &c);
	snprintf(out, 32, "%04lld-%02d-%02d", (long long)c.year, c.mon, c.day);
}

void
np_usage_mail_make(const struct np_usage *u, const struct np_tz *tz, struct np_usage_mail *out)
{
	char a[32], b[32];
	local_date(tz, u->start, a);
	/* The end is exclusive: the last day reported is the one of its previous second. */
	local_date(tz, u->end > u->start ? u->end - 1 : u->start, b);
	out->subject = np_xasprintf("Network usage report [%s to %s]", a, b);
	out->att_name = np_xasprintf("usage-%s-%s.csv", a, b);
	char *text = np_usage_render(u, NP_FMT_TEXT, tz, NULL);
	out->body = np_xasprintf("Usage report: %s to %s\n\n%s", a, b, text != NULL ? text : "");
	free(text);
	out->csv = np_usage_render(u, NP_FMT_CSV, tz, NULL);
	if (out->csv == NULL)
		out->csv = np_xstrdup("");
	out->csv_len = strlen(out->csv);
}

void
np_usage_mail_free(struct np_usage_mail *m)
{
	free(m->subject);
	free(m->body);
	free(m->csv);
	free(m->att_name);
	memset(m, 0, sizeof(*m));
}

char *
np_usage_mail_message(const struct np_usage *u, const struct np_tz *tz, const char *from,
                      const char *const *to, size_t nto, int64_t now, size_t *len, char **cause)
{
	struct np_usage_mail um;
	np_usage_mail_make(u, tz, &um);
	char unique[48];
	np_mail_unique(unique);
	struct np_mail m = {
	    .from = from,
	    .to = to,
	    .nto = nto,
	    .subject = um.subject,
	    .body = um.body,
	    .att_name = um.att_name,
	    .att_type = "text/csv",
	    .att = um.csv,
	    .att_len = um.csv_len,
	    .date = now,
	    .unique = unique,
	};
	char *msg = np_mail_build(&m, len, cause);
	np_usage_mail_free(&um);
	return msg;
}
