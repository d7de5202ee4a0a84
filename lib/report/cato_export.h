#ifndef NP_REPORT_CATO_EXPORT_H
#define NP_REPORT_CATO_EXPORT_H
/*
 * `netpulse export cato-hourly|cato-summary`: the Cato "WAN App Stats Analyzer" outputs from
 * the stored hourly amounts (series kind "usage" with labels "application" and "user":
 * rx_bytes = downstream, tx_bytes = upstream), in real bytes and megabytes (MB = 10^6 bytes;
 * the original printed bytes per second labelled MB).
 *
 * Cells: per (amount start, application, user) the upstream and downstream bytes over the
 * period (an amount straddling an edge counts pro rata, usage_amount.h), summed over sources.
 * MB figures: bytes / 10^6 rounded half up to the decimals shown (exact: integer arithmetic).
 *
 * hourly CSV (CRLF, RFC 4180 quoting): hour,application,user_name,measure_type,bandwidth_mb;
 *   hour = the amount's start "YYYY-MM-DD HH:MM:SS" in the zone given; one row per measure
 *   (downstream, upstream) with bytes > 0; rows by (hour, application, user, measure),
 *   names compared bytewise (code points).
 * pivot CSV (CRLF): application,<user>_mb...,total_mb; users sorted bytewise; a cell = the
 *   application's upstream + downstream bytes of that user in MB, 3 decimals; rows by total
 *   descending, then application. A user named "total" is headed "total_mb (user)", so the
 *   last column stays the only "total_mb".
 * summary text/JSON: records (rows of the hourly CSV), total upstream, downstream and both;
 *   the top 10 applications and every user by bytes (descending, then name).
 */
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "report/period.h"
#include "report/table.h"
#include "util/tz.h"

struct np_cato_cell {
	int64_t hour; /* the amount's start, UTC seconds */
	char *app, *user;
	int64_t up, down;
};

struct np_cato {
	int64_t start, end;
	struct np_cato_cell *v; /* sorted by (hour, app, user), one per key */
	size_t n;
};

/* The window is [p->start, min(p->end, now)); source NULL = every source. */
int np_cato_load(sqlite3 *db, const struct np_period *p, int64_t now, const char *source,
                 struct np_cato *out, char **cause);
void np_cato_free(struct np_cato *c);
/* bytes / 10^6 with `decimals` (0-6) places, rounded half up: "1.235". buf >= 32. */
void np_cato_mb(int64_t bytes, int decimals, char *buf, size_t len);
char *np_cato_hourly_csv(const struct np_cato *c, const struct np_tz *tz);
char *np_cato_pivot_csv(const struct np_cato *c);
/* NP_FMT_TEXT or NP_FMT_JSON. */
char *np_cato_summary(const struct np_cato *c, enum np_format f, const struct np_tz *tz);

#endif
