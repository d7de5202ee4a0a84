#include "report/period.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/civil.h"
#include "util/cause.h"
#include "util/duration.h"
#include "util/xmalloc.h"

#define PERIOD_HELP                                                                                \
	"expected a duration (30d, 12h, 90m, 1h30m), today, yesterday, this-week, last-week, "     \
	"this-month, last-month, this-year, last-year, YYYY-MM-DD, YYYY-MM, or a range A..B of "   \
	"dates or YYYY-MM-DDTHH:MM[:SS] times"

int
np_duration_parse_s(const char *spec, int64_t *secs, char **cause)
{
	int64_t ms;
	if (np_duration_parse(spec, &ms) == -1) {
		/* The grammar's own overflow, or digits and units that parse as far as it goes. */
		np_cause(cause,
		         "invalid duration \"%s\": expected e.g. 30s, 10m, 12h, 30d, 2w or 1h30m",
		         spec);
		return -1;
	}
	if (ms % 1000 != 0) {
		np_cause(cause, "invalid duration \"%s\": not a whole number of seconds", spec);
		return -1;
	}
	if (ms / 1000 > NP_DURATION_MAX_S) {
		np_cause(cause, "invalid duration \"%s\": longer than 200 years", spec);
		return -1;
	}
	*secs = ms / 1000;
	return 0;
}

/* Exactly n digits at p; -1 if not. */
static int
digits(const char *p, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

enum point_kind { PT_MONTH, PT_DATE, PT_TIME };

struct point {
	enum point_kind kind;
	struct np_civil c;
	bool has_off; /* explicit Z / +HH:MM */
	int32_t off;
};

/* Parses a whole string [s, e) as a month, date or datetime. */
static int
parse_point(const char *s, const char *e, struct point *pt)
{
	size_t len = (size_t)(e - s);
	memset(pt, 0, sizeof(*pt));
	pt->c.day = 1;
	if (len < 7 || s[4] != '-')
		return -1;
	int y = digits(s, 4), m = digits(s + 5, 2);
	if (y < 0 || m < 1 || m > 12)
		return -1;
	pt->c.year = y;
	pt->c.mon = m;
	pt->kind = PT_MONTH;
	if (len == 7)
		return 0;
	if (len < 10 || s[7] != '-')
		return -1;
	int d = digits(s + 8, 2);
	if (d < 1 || d > np_civil_mdays(y, m))
		return -1;
	pt->c.day = d;
	pt->kind = PT_DATE;
	if (len == 10)
		return 0;
	if (len < 16 || s[10] != 'T' || s[13] != ':')
		return -1;
	int hh = digits(s + 11, 2), mm = digits(s + 14, 2), ss = 0;
	const char *p = s + 16;
	if (hh < 0 || hh > 23 || mm < 0 || mm > 59)
		return -1;
	if (p < e && *p == ':') {
		if (e - p < 3 || (ss = digits(p + 1, 2)) < 0 || ss > 59)
			return -1;
		p += 3;
	}
	pt->c.hour = hh;
	pt->c.min = mm;
	pt->c.sec = ss;
	pt->kind = PT_TIME;
	if (p == e)
		return 0;
	if (*p == 'Z' && p + 1 == e) {
		pt->has_off = true;
		return 0;
	}
	if ((*p == '+' || *p == '-') && e - p == 6 && p[3] == ':') {
		int oh = digits(p + 1, 2), om = digits(p + 4, 2);
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return -1;
		pt->has_off = true;
		pt->off = (*p == '-' ? -1 : 1) * (oh * 3600 + om * 60);
		return 0;
	}
	return -1;
}

/* The instant a point starts (end = false) or ends (end = true: dates/months inclusive). */
static int64_t
point_instant(const struct point *pt, bool end, const struct np_tz *tz)
{
	struct np_civil c = pt->c;
	if (end && pt->kind == PT_MONTH) {
		c.year += c.mon == 12;
		c.mon = c.mon % 12 + 1;
	}
	int64_t local = np_civil_to_secs(&c);
	if (end && pt->kind == PT_DATE)
		local += 86400;
	if (pt->has_off)
		return local - pt->off;
	return np_tz_to_utc(tz, local);
}

static int
keyword(const char *spec, int64_t now, const struct np_tz *tz, struct np_period *out)
{
	int64_t today = np_tz_day(tz, now), d0, d1;
	int64_t y;
	int m, d;
	np_civil_from_days(today, &y, &m, &d);

	if (strcmp(spec, "today") == 0) {
		d0 = today;
		d1 = today + 1;
	} else if (strcmp(spec, "yesterday") == 0) {
		d0 = today - 1;
		d1 = today;
	} else if (strcmp(spec, "this-week") == 0) {
		d0 = np_civil_week_start(today);
		d1 = d0 + 7;
	} else if (strcmp(spec, "last-week") == 0) {
		d1 = np_civil_week_start(today);
		d0 = d1 - 7;
	} else if (strcmp(spec, "this-month") == 0) {
		d0 = np_civil_month_start(today, 0);
		d1 = np_civil_month_start(today, 1);
	} else if (strcmp(spec, "last-month") == 0) {
		d0 = np_civil_month_start(today, -1);
		d1 = np_civil_month_start(today, 0);
	} else if (strcmp(spec, "this-year") == 0) {
		d0 = np_civil_days(y, 1, 1);
		d1 = np_civil_days(y + 1, 1, 1);
	} else if (strcmp(spec, "last-year") == 0) {
		d0 = np_civil_days(y - 1, 1, 1);
		d1 = np_civil_days(y, 1, 1);
	} else {
		return -1;
	}
	out->start = np_tz_midnight(tz, d0);
	out->end = np_tz_midnight(tz, d1);
	return 0;
}

int
np_period_parse(const char *spec, int64_t now_s, const struct np_tz *tz, struct np_period *out,
                char **cause)
{
	struct np_period p;
	int64_t secs;

	if (spec[0] == '\0') {
		np_cause(cause, "empty period: " PERIOD_HELP);
		return -1;
	}
	if (isdigit((unsigned char)spec[0]) && np_duration_parse_s(spec, &secs, NULL) == 0) {
		if (secs == 0) {
			np_cause(cause, "invalid period \"%s\": empty", spec);
			return -1;
		}
		*out = (struct np_period){now_s - secs, now_s};
		return 0;
	}
	if (keyword(spec, now_s, tz, &p) == 0) {
		*out = p;
		return 0;
	}
	const char *dots = strstr(spec, ".."), *e = spec + strlen(spec);
	struct point a, b;
	bool reversed = false;
	if (dots == NULL) {
		if (parse_point(spec, e, &a) == -1 || a.kind == PT_TIME)
			goto bad;
		p.start = point_instant(&a, false, tz);
		p.end = point_instant(&a, true, tz);
	} else {
		if (parse_point(spec, dots, &a) == -1)
			goto bad;
		p.start = point_instant(&a, false, tz);
		if (dots + 2 == e) {
			p.end = now_s;
		} else {
			if (parse_point(dots + 2, e, &b) == -1)
				goto bad;
			p.end = point_instant(&b, true, tz);
			reversed = point_instant(&b, false, tz) < p.start;
		}
	}
	if (p.end <= p.start) {
		np_cause(cause, "invalid period \"%s\": %s", spec,
		         p.end == p.start && !reversed ? "it is empty"
		                                       : "it ends before it starts");
		return -1;
	}
	*out = p;
	return 0;
bad:
	np_cause(cause, "invalid period \"%s\": " PERIOD_HELP, spec);
	return -1;
}

int
np_time_parse(const char *spec, const struct np_tz *tz, int64_t *t, char **cause)
{
	struct point pt;
	if (parse_point(spec, spec + strlen(spec), &pt) == -1 || pt.kind == PT_MONTH) {
		np_cause(cause, "invalid time \"%s\": expected YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]",
		         spec);
		return -1;
	}
	*t = point_instant(&pt, false, tz);
	return 0;
}

int
np_since_parse(const char *spec, int64_t now_s, const struct np_tz *tz, int64_t *since,
               char **cause)
{
	int64_t d;
	struct np_period p;
	if (np_duration_parse_s(spec, &d, NULL) == 0) {
		*since = now_s - d;
	} else if (np_time_parse(spec, tz, since, NULL) == 0) {
		/* taken */
	} else if (np_period_parse(spec, now_s, tz, &p, NULL) == 0) {
		*since = p.start;
	} else {
		np_cause(cause,
		         "invalid since \"%s\": expected a duration (10m, 2h, 7d, 1h30m), a time "
		         "(YYYY-MM-DD[THH:MM[:SS]][Z|+HH:MM]) or a period's start (today, "
		         "this-week, ...)",
		         spec);
		return -1;
	}
	return 0;
}
