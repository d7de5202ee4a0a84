#ifndef NP_REPORT_SCHEDULE_H
#define NP_REPORT_SCHEDULE_H
/*
 * When scheduled reports are due: weekly on Mondays, monthly on the 1st, at a local time of
 * day in a zone. Pure (time passed in). DST: a local time skipped by a spring-forward jump
 * means the jump's instant, one that occurs twice the earlier instant (np_tz_to_utc), so each
 * day has exactly one such instant.
 */
#include <stdint.h>

#include "util/tz.h"

enum np_schedule_kind { NP_SCHEDULE_WEEKLY, NP_SCHEDULE_MONTHLY };

/* The latest due instant <= now (UTC seconds). */
int64_t np_schedule_prev(enum np_schedule_kind kind, int at_min, const struct np_tz *tz,
                         int64_t now);
/* The first due instant > now. */
int64_t np_schedule_next(enum np_schedule_kind kind, int at_min, const struct np_tz *tz,
                         int64_t now);

#endif
