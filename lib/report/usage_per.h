#ifndef NP_REPORT_USAGE_PER_H
#define NP_REPORT_USAGE_PER_H
/*
 * `usage --per hour|day|week|month`: the report's window cut at calendar edges in the
 * report's zone. Days, weeks (Monday first) and months start at local midnight (np_tz_to_utc:
 * a midnight a DST jump skips means the jump's instant), so a day is 23, 24 or 25 hours
 * long. Hours start on the local hour; where the offset changes inside an hour (DST), the
 * change is an edge too, so no hour is longer than 60 minutes. The first and last buckets are
 * clipped to the window: buckets never reach outside it.
 */
#include <stddef.h>
#include <stdint.h>

#include "util/tz.h"

enum np_usage_per { NP_PER_NONE, NP_PER_HOUR, NP_PER_DAY, NP_PER_WEEK, NP_PER_MONTH };

/* At most this many buckets in one report (an hourly report of about 11 years). */
#define NP_USAGE_PER_MAX 100000

/* "hour", "day", "week", "month"; 0, or -1 with a cause naming what is allowed. */
int np_usage_per_parse(const char *s, enum np_usage_per *out, char **cause);
/* The first calendar edge after t (UTC seconds). */
int64_t np_usage_per_next(enum np_usage_per per, const struct np_tz *tz, int64_t t);
/*
 * The edges of [start, end) cut per `per`: *edges = {start, e1, ..., end} (malloc'd, n + 1
 * entries); returns n, the number of buckets (0 if start >= end), or -1 with a cause when
 * there would be more than NP_USAGE_PER_MAX.
 */
long np_usage_per_edges(enum np_usage_per per, const struct np_tz *tz, int64_t start, int64_t end,
                        int64_t **edges, char **cause);

#endif
