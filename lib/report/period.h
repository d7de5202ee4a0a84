#ifndef NP_REPORT_PERIOD_H
#define NP_REPORT_PERIOD_H
/*
 * Report periods and durations, as users type them (DESIGN §8):
 *
 *   duration   util/duration.h's grammar, whole seconds: "30d", "12h", "1h30m" -> [now - d, now)
 *   keyword    today, yesterday, this-week, last-week (ISO weeks, Monday first), this-month,
 *              last-month, this-year, last-year                      -> whole local days
 *   date       2026-10-01 (that day), 2026-10 (that month)
 *   range      A..B where A, B are dates (B inclusive: up to the end of that day), months
 *              (B inclusive) or datetimes 2026-10-01T00:00[:SS][Z|+HH:MM] (B exclusive);
 *              an empty B means now
 *
 * Calendar forms are read in the given zone; a local time skipped by a DST jump means the
 * jump's instant, one that occurs twice the earlier instant. Results are UTC seconds, [start,
 * end). Errors name the input and say what was expected.
 */
#include <stdint.h>

#include "util/tz.h"

struct np_period {
	int64_t start, end; /* UTC seconds, end exclusive; start < end */
};

#define NP_DURATION_MAX_S (200LL * 366 * 86400)

/* now_s must be a plausible time (|now_s| < 2^40, about 34,000 years). */
int np_period_parse(const char *spec, int64_t now_s, const struct np_tz *tz, struct np_period *out,
                    char **cause);
/* Duration only (the same grammar as above), in seconds, 0 <= d <= NP_DURATION_MAX_S. */
int np_duration_parse_s(const char *spec, int64_t *secs, char **cause);
/*
 * A "since": a duration back from now_s, a time (as np_time_parse) or a period's start
 * (today, this-week, ...). The cause names the input and the forms expected.
 */
int np_since_parse(const char *spec, int64_t now_s, const struct np_tz *tz, int64_t *since,
                   char **cause);
/* A date (its midnight) or a datetime, in tz unless it carries Z or an offset. */
int np_time_parse(const char *spec, const struct np_tz *tz, int64_t *t, char **cause);

#endif
