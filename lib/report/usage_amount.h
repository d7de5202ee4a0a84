#ifndef NP_REPORT_USAGE_AMOUNT_H
#define NP_REPORT_USAGE_AMOUNT_H
/*
 * Interval amounts in usage reports (table amounts). An amount over [s, e) counts in a window
 * [a, b) pro rata by overlap: v × |[s, e) ∩ [a, b)| / (e - s), in whole units, rounded down
 * at each edge of the amount's own timeline (floor(v × (x - s) / (e - s)) at x = a and x = b),
 * so the shares of adjacent windows (the buckets of --per, a report and the next) add up to v
 * exactly. Counters the source did not give (NULL) count nothing.
 */
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#define NP_AMOUNT_NCOUNTERS 8 /* np_counter_names order */

struct np_usage_amount {
	int64_t series, start, end;
	int64_t c[NP_AMOUNT_NCOUNTERS];
	uint32_t mask; /* counters that are not NULL */
};

struct np_usage_amounts {
	struct np_usage_amount *v;
	size_t n;
};

/* Every amount overlapping [start, end), in (series, start) order. */
int np_usage_amounts_load(sqlite3 *db, int64_t start, int64_t end, struct np_usage_amounts *out,
                          char **cause);
void np_usage_amounts_free(struct np_usage_amounts *a);
/* The share of v (an amount over [s, e), v >= 0) that falls in [a, b). */
int64_t np_usage_share(int64_t v, int64_t s, int64_t e, int64_t a, int64_t b);

#endif
