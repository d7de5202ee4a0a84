#include "report/schedule.h"

#include "util/civil.h"

/* The due instant of the period (week or month) holding local day `days`. */
static int64_t
due_in(enum np_schedule_kind kind, int at_min, const struct np_tz *tz, int64_t days)
{
	int64_t first =
	    kind == NP_SCHEDULE_WEEKLY ? np_civil_week_start(days) : np_civil_month_start(days, 0);
	return np_tz_to_utc(tz, first * 86400 + (int64_t)at_min * 60);
}

/* The first local day of the period `k` periods after the one holding `days`. */
static int64_t
period_start(enum np_schedule_kind kind, int64_t days, int k)
{
	if (kind == NP_SCHEDULE_WEEKLY)
		return np_civil_week_start(days) + 7 * k;
	return np_civil_month_start(days, k);
}

int64_t
np_schedule_prev(enum np_schedule_kind kind, int at_min, const struct np_tz *tz, int64_t now)
{
	int64_t days = np_tz_day(tz, now);
	int64_t t = due_in(kind, at_min, tz, days);
	return t <= now ? t : due_in(kind, at_min, tz, period_start(kind, days, -1));
}

int64_t
np_schedule_next(enum np_schedule_kind kind, int at_min, const struct np_tz *tz, int64_t now)
{
	int64_t days = np_tz_day(tz, now);
	int64_t t = due_in(kind, at_min, tz, days);
	return t > now ? t : due_in(kind, at_min, tz, period_start(kind, days, 1));
}
