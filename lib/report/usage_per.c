/* Calendar buckets for `usage --per` (usage_per.h). */
#include "report/usage_per.h"

#include <stdlib.h>
#include <string.h>

#include "util/cause.h"
#include "util/civil.h"
#include "util/xmalloc.h"

int
np_usage_per_parse(const char *s, enum np_usage_per *out, char **cause)
{
	static const char *const names[] = {"hour", "day", "week", "month"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum np_usage_per)(NP_PER_HOUR + (int)i);
			return 0;
		}
	}
	np_cause(cause, "invalid --per \"%s\": expected hour, day, week or month", s);
	return -1;
}

/* The first instant after t whose offset differs from t's, if it comes before `limit`. */
static int64_t
offset_change(const struct np_tz *tz, int64_t t, int64_t limit)
{
	int32_t off = np_tz_offset(tz, t);
	if (np_tz_offset(tz, limit - 1) == off)
		return limit;
	int64_t lo = t, hi = limit - 1; /* offset(lo) == off, offset(hi) != off */
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;
		if (np_tz_offset(tz, mid) == off)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

int64_t
np_usage_per_next(enum np_usage_per per, const struct np_tz *tz, int64_t t)
{
	int64_t local = np_tz_to_local(tz, t);
	if (per == NP_PER_HOUR) {
		/* On the hour as the clock shows it now, unless the clock changes first. */
		int64_t next = t + 3600 - (local - np_civil_fdiv(local, 3600) * 3600);
		return offset_change(tz, t, next);
	}
	int64_t day = np_civil_fdiv(local, 86400);
	int64_t target = per == NP_PER_DAY    ? day + 1
	                 : per == NP_PER_WEEK ? np_civil_week_start(day) + 7
	                                      : np_civil_month_start(day, 1);
	int64_t next = np_tz_midnight(tz, target);
	/* Never stuck: a zone with a jump over midnight in the data cannot move backwards. */
	return next > t ? next : t + 1;
}

long
np_usage_per_edges(enum np_usage_per per, const struct np_tz *tz, int64_t start, int64_t end,
                   int64_t **edges, char **cause)
{
	*edges = NULL;
	if (start >= end)
		return 0;
	size_t n = 0, cap = 16;
	int64_t *e = np_xreallocarray(NULL, cap, sizeof(*e));
	e[0] = start;
	for (int64_t t = start; t < end;) {
		if (n == NP_USAGE_PER_MAX) {
			free(e);
			np_cause(cause,
			         "more than %d buckets: use a coarser --per or a shorter --period",
			         NP_USAGE_PER_MAX);
			return -1;
		}
		int64_t next = np_usage_per_next(per, tz, t);
		t = next < end ? next : end;
		if (n + 2 > cap) {
			cap *= 2;
			e = np_xreallocarray(e, cap, sizeof(*e));
		}
		e[++n] = t;
	}
	*edges = e;
	return (long)n;
}
