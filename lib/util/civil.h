#ifndef NP_UTIL_CIVIL_H
#define NP_UTIL_CIVIL_H
/*
 * Proleptic Gregorian calendar arithmetic on 64-bit day and second counts (days since
 * 1970-01-01), valid far beyond what any period can name. Pure; no libc time functions, so
 * nothing depends on the process's TZ.
 */
#include <stdbool.h>
#include <stdint.h>

struct np_civil {
	int64_t year;
	int mon;  /* 1-12 */
	int day;  /* 1-31 */
	int hour; /* 0-23 */
	int min;
	int sec;
};

bool np_civil_leap(int64_t year);
int np_civil_mdays(int64_t year, int mon);
int64_t np_civil_days(int64_t year, int mon, int day);
void np_civil_from_days(int64_t days, int64_t *year, int *mon, int *day);
/* 0 = Sunday ... 6 = Saturday. */
int np_civil_wday(int64_t days);
/* floor(a / b) for b > 0. */
int64_t np_civil_fdiv(int64_t a, int64_t b);
/* The Monday that starts the week of day `days`. */
int64_t np_civil_week_start(int64_t days);
/* The 1st of the month k months after the one holding day `days` (k < 0: before). */
int64_t np_civil_month_start(int64_t days, int k);

/* Seconds <-> broken-down time, both in the same (local or UTC) time scale. */
int64_t np_civil_to_secs(const struct np_civil *c);
void np_civil_from_secs(int64_t t, struct np_civil *c);

#endif
