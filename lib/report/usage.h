#ifndef NP_REPORT_USAGE_H
#define NP_REPORT_USAGE_H
/*
 * `netpulse usage`: traffic per group of series over a period, from the rollups.
 *
 * Resolution: a rollup bucket counts when its start lies in [start, end), read from the
 * coarsest table that fits: rollup_1d for whole UTC days inside the window, rollup_1h for
 * whole hours at the edges, rollup_5m for the rest. So the window is in effect rounded up to
 * the 5-minute grid at both ends (a window ending now includes the bucket being filled); raw
 * samples are not read. Edges older than the rollup_5m retention (or the hourly one) find no
 * rows and are not counted: at most an hour (a day) at an edge of an old window.
 *
 * Groups: by default one row per (source, device, interface). group_by names keys: the
 * pseudo-labels source, device, interface, kind, or any key of series.labels (a JSON object);
 * a series without that label has a null value there. Per group: the sums of the counters;
 * avg_*_rate = the sum over its series of bytes / seconds covered (so a group of links shows
 * their combined rate); peak_*_rate = the highest per-poll rate of any of its series; gauge
 * min/avg/max over the gauge samples of its series (null if none). Rows are ordered by their
 * key values (nulls first); a total row covers every series.
 *
 * Interval amounts (table amounts: usage a source hands out per interval, e.g. Meraki days)
 * count beside the rollups, over the exact window (not rounded to 5 minutes): an amount that
 * straddles an edge counts pro rata by overlap seconds (usage_amount.h), and its overlap
 * seconds count as covered. Amounts have no peak rate.
 *
 * --per (opts.per): the window cut at calendar edges in opts.tz (usage_per.h); one row per
 * (bucket, group) with data in that bucket, ordered by bucket then key; each row's start and
 * end are its bucket's. The total row is the whole window's, as without --per.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/period.h"
#include "report/report.h"
#include "report/usage_per.h"

#define NP_USAGE_MAX_KEYS 8
#define NP_USAGE_NCOUNTERS 8 /* rx/tx bytes, packets, errors, drops (np_counter_names order) */

struct np_usage_opts {
	const char *source, *device; /* filters; NULL = all */
	const char *group_by[NP_USAGE_MAX_KEYS];
	size_t ngroup;          /* 0 = source, device, interface */
	enum np_usage_per per;  /* NP_PER_NONE: one row per group over the whole window */
	const struct np_tz *tz; /* calendar of --per; NULL = UTC */
};

struct np_usage_row {
	int64_t start, end;           /* the row's bucket (the window without --per) */
	char *key[NP_USAGE_MAX_KEYS]; /* NULL = the series has no such label */
	int64_t counters[NP_USAGE_NCOUNTERS];
	double secs; /* the most seconds covered by any of its series */
	double avg_rx, avg_tx, peak_rx, peak_tx;
	bool has_gauge;
	double gauge_min, gauge_max, gauge_sum;
	int64_t gauge_n;
	size_t nseries;
};

struct np_usage {
	int64_t start, end;
	const char *keys[NP_USAGE_MAX_KEYS]; /* the group keys (static or from opts) */
	size_t nkeys;
	bool grouped; /* keys came from group_by (text then shows the series count) */
	enum np_usage_per per;
	struct np_usage_row *rows;
	size_t nrows;
	struct np_usage_row total;
};

/* Splits "a,b,c" into opts->group_by (pointers into `spec`, which is modified). */
int np_usage_group_parse(char *spec, struct np_usage_opts *o, char **cause);
/* The window is [p->start, min(p->end, now)). */
int np_usage_compute(sqlite3 *db, const struct np_period *p, int64_t now,
                     const struct np_usage_opts *o, struct np_usage *out, char **cause);

/* One rollup read: buckets of `width` (NP_BUCKET_*) with start in [from, to). */
struct np_usage_seg {
	int64_t width, from, to;
};
#define NP_USAGE_MAX_SEGS 8
/* How [start, end) is read from the rollups (see above); returns the number of segments. */
size_t np_usage_segments(int64_t start, int64_t end, int64_t folded,
                         struct np_usage_seg out[NP_USAGE_MAX_SEGS]);
void np_usage_free(struct np_usage *u);

/*
 * How a usage report is shown (usage_render.c). Rates are bits per second unless `bytes`:
 * text prints "12.3 Mbit/s" (SI steps of 1000) or "1.5 MiB/s"; CSV and JSON print raw numbers
 * under names that say the unit, avg_rx_bits_per_second or avg_rx_bytes_per_second (and
 * avg_tx, peak_rx, peak_tx alike). Byte amounts are bytes in every unit. `columns` (bits in
 * the order of np_usage_columns_parse's names; 0 = the default) picks the text table's value
 * columns; by default rx/tx bytes, the four rates and gauge_avg, so a table fits 120
 * columns; CSV and JSON always carry every column.
 */
struct np_usage_view {
	bool bytes;
	uint32_t columns;
};
#define NP_USAGE_ALL_COLUMNS 0x7fffu
/* "rx_bytes,avg_rx_rate,...": the text column names, comma-separated, into a mask. */
int np_usage_columns_parse(const char *list, uint32_t *mask, char **cause);
/* view NULL = the defaults (bits, default columns). malloc'd. */
char *np_usage_render(const struct np_usage *u, enum np_format f, const struct np_tz *tz,
                      const struct np_usage_view *view);

#endif
