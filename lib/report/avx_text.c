/* Text conventions of the original Aviatrix reports (avx_text.h). */
#include "report/avx_text.h"

#include <stdbool.h>
#include <stdio.h>

#include "util/civil.h"
#include "util/str.h"
#include "util/xmalloc.h"

void
np_avx_fmt(int64_t bytes, char buf[NP_AVX_FMT_MAX])
{
	double b = (double)bytes;
	if (bytes < 0)
		bytes = 0;
	if (bytes >= (1LL << 40))
		snprintf(buf, NP_AVX_FMT_MAX, "%.2f TB", b / (double)(1LL << 40));
	else if (bytes >= (1LL << 30))
		snprintf(buf, NP_AVX_FMT_MAX, "%.2f GB", b / (double)(1LL << 30));
	else if (bytes >= (1LL << 20))
		snprintf(buf, NP_AVX_FMT_MAX, "%.1f MB", b / (double)(1LL << 20));
	else if (bytes >= 1024)
		snprintf(buf, NP_AVX_FMT_MAX, "%.0f KB", b / 1024.0);
	else
		snprintf(buf, NP_AVX_FMT_MAX, "%lld B", (long long)bytes);
}

void
np_avx_rule(struct np_buf *b, char c)
{
	np_buf_pad(b, c, NP_AVX_RULE);
	np_buf_add(b, "\n", 1);
}

static void
add_date(struct np_buf *b, const struct np_tz *tz, int64_t t)
{
	int64_t y;
	int m, d;
	np_civil_from_days(np_tz_day(tz, t), &y, &m, &d);
	np_buf_printf(b, "%04lld-%02d-%02d", (long long)y, m, d);
}

void
np_avx_period(struct np_buf *b, const struct np_tz *tz, int64_t start, int64_t end)
{
	int64_t last = end > start ? end - 1 : start;
	np_buf_puts(b, "Period: ");
	add_date(b, tz, start);
	np_buf_puts(b, " to ");
	add_date(b, tz, last);
	/* Whole local days (a DST day has 23 or 25 hours) count as days; else seconds / 86400. */
	int64_t d0 = np_tz_day(tz, start), d1 = np_tz_day(tz, end);
	bool whole =
	    end > start && np_tz_midnight(tz, d0) == start && np_tz_midnight(tz, d1) == end;
	if (whole || (end - start) % 86400 == 0) {
		long long n = whole ? (long long)(d1 - d0) : (long long)((end - start) / 86400);
		np_buf_printf(b, " (%lld day%s)\n", n, n == 1 ? "" : "s");
	} else {
		np_buf_printf(b, " (%.1f days)\n", (double)(end - start) / 86400.0);
	}
}

char *
np_avx_name(const char *s, const char *empty)
{
	if (s == NULL || *s == '\0')
		return np_xstrdup(empty != NULL ? empty : "");
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return np_escape(s);
	}
	return np_xstrdup(s);
}
