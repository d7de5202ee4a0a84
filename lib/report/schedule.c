#include "report/schedule.h"

#include "util/civil.h"

/* The due instant of the period (week or month) holding local day `days`. */
static int64_t
due_in(enum np_schedule_kind kind, int at_min, const struct np_tz *tz, int64_t days)
{
	int64_t first;
	if (kind == NP_SCHEDULE_WEEKLY) {
		/* np_civil_wday: 0 = Sunday; Monday starts the week. */
		first = days - (np_civil_wday(days) + 6) % 7;
	} else {
		int64_t y;
		int m, d;
		np_civil_from_days(days, &y, &m, &d);
		first = np_civil_days(y, m, 1);
	}
	return np_tz_to_utc(tz, first * 86400 + (int64_t)at_min * 60);
}

/* The local day of the next period's start after the one holding `days`. */
static int64_t
next_period(enum np_schedule_kind kind, int64_t days)
{
	if (kind == NP_SCHEDULE_WEEKLY)
		return days - (np_civil_wday(days) + 6) % 7 + 7;
	int64_t y;
	int m, d;
	np_civil_from_days(days, &y, &m, &d);
	return m == 12 ? np_civil_days(y + 1, 1, 1) : np_civil_days(y, m + 1, 1);
}

static int64_t
prev_period(enum np_schedule_kind kind, int64_t days)
{
	if (kind == NP_SCHEDULE_WEEKLY)
		return days - (np_civil_wday(days) + 6) % 7 - 7;
	int64_t y;
	int m, d;
	np_civil_from_days(days, &y, &m, &d);
	return m == 1 ? np_civil_days(y - 1, 12, 1) : np_civil_days(y, m - 1, 1);
}

int64_t
np_schedule_prev(enum np_schedule_kind kind, int at_min, const struct np_tz *tz, int64_t now)
{
	int64_t days = np_civil_fdiv(np_tz_to_local(tz, now), 86400);
	int64_t t = due_in(kind, at_min, tz, days);
	return t <= now ? t : due_in(kind, at_min, tz, prev_period(kind, days));
}

int64_t
np_schedule_next(enum np_schedule_kind kind, int at_min, const struct np_tz *tz, int64_t now)
{
	int64_t days = np_civil_fdiv(np_tz_to_local(tz, now), 86400);
	int64_t t = due_in(kind, at_min, tz, days);
	return t > now ? t : due_in(kind, at_min, tz, next_period(kind, days));
}
