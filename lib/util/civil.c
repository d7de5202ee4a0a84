#include "util/civil.h"

/* Howard Hinnant's days_from_civil / civil_from_days, on int64. */

bool
np_civil_leap(int64_t year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int
np_civil_mdays(int64_t year, int mon)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (mon < 1 || mon > 12)
		return 0;
	return mon == 2 && np_civil_leap(year) ? 29 : mdays[mon - 1];
}

int64_t
np_civil_fdiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

int64_t
np_civil_days(int64_t year, int mon, int day)
{
	int64_t y = year - (mon <= 2);
	int64_t era = np_civil_fdiv(y, 400);
	int64_t yoe = y - era * 400;
	int64_t mp = (mon + 9) % 12; /* March = 0 */
	int64_t doy = (153 * mp + 2) / 5 + day - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
np_civil_from_days(int64_t days, int64_t *year, int *mon, int *day)
{
	int64_t z = days + 719468;
	int64_t era = np_civil_fdiv(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int d = (int)(doy - (153 * mp + 2) / 5 + 1);
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = yoe + era * 400 + (m <= 2);
	*mon = m;
	*day = d;
}

int
np_civil_wday(int64_t days)
{
	/* 1970-01-01 was a Thursday (4). */
	int64_t w = (days + 4) % 7;
	return (int)(w < 0 ? w + 7 : w);
}

int64_t
np_civil_to_secs(const struct np_civil *c)
{
	return np_civil_days(c->year, c->mon, c->day) * 86400 + c->hour * 3600 + c->min * 60 +
	       c->sec;
}

void
np_civil_from_secs(int64_t t, struct np_civil *c)
{
	int64_t days = np_civil_fdiv(t, 86400);
	int64_t rem = t - days * 86400;
	np_civil_from_days(days, &c->year, &c->mon, &c->day);
	c->hour = (int)(rem / 3600);
	c->min = (int)(rem / 60 % 60);
	c->sec = (int)(rem % 60);
}

int64_t
np_civil_week_start(int64_t days)
{
	return days - (np_civil_wday(days) + 6) % 7; /* wday 0 is Sunday */
}

int64_t
np_civil_month_start(int64_t days, int k)
{
	int64_t y;
	int m, d;
	np_civil_from_days(days, &y, &m, &d);
	int64_t months = y * 12 + (m - 1) + k;
	int64_t y2 = np_civil_fdiv(months, 12);
	return np_civil_days(y2, (int)(months - y2 * 12) + 1, 1);
}
