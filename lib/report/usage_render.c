/* `netpulse usage` as text, CSV and JSON (usage.h computes it). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "report/json_doc.h"
#include "report/fmt.h"
#include "report/usage.h"
#include "util/cause.h"
#include "util/xmalloc.h"

enum what { W_COUNTER, W_AVG_RX, W_AVG_TX, W_PEAK_RX, W_PEAK_TX, W_GMIN, W_GAVG, W_GMAX };

struct col {
	const char *name; /* text header and --columns name */
	const char *base; /* rates: CSV/JSON name before "_bits_per_second" / "_bytes_per_second" */
	enum what what;
	int counter; /* W_COUNTER: index into counters[] */
	bool shown;  /* in the text table by default */
};

/* Every value column, in table order; their bits in the --columns mask follow this order. */
static const struct col cols[] = {
    {"rx_bytes", NULL, W_COUNTER, 0, true},
    {"tx_bytes", NULL, W_COUNTER, 1, true},
    {"rx_packets", NULL, W_COUNTER, 2, false},
    {"tx_packets", NULL, W_COUNTER, 3, false},
    {"rx_errors", NULL, W_COUNTER, 4, false},
    {"tx_errors", NULL, W_COUNTER, 5, false},
    {"rx_drops", NULL, W_COUNTER, 6, false},
    {"tx_drops", NULL, W_COUNTER, 7, false},
    {"avg_rx_rate", "avg_rx", W_AVG_RX, 0, true},
    {"avg_tx_rate", "avg_tx", W_AVG_TX, 0, true},
    {"peak_rx_rate", "peak_rx", W_PEAK_RX, 0, true},
    {"peak_tx_rate", "peak_tx", W_PEAK_TX, 0, true},
    {"gauge_min", NULL, W_GMIN, 0, false},
    {"gauge_avg", NULL, W_GAVG, 0, true},
    {"gauge_max", NULL, W_GMAX, 0, false},
};
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

static const char *const per_names[] = {
    [NP_PER_NONE] = NULL,   [NP_PER_HOUR] = "hour",   [NP_PER_DAY] = "day",
    [NP_PER_WEEK] = "week", [NP_PER_MONTH] = "month",
};

int
np_usage_columns_parse(const char *list, uint32_t *mask, char **cause)
{
	uint32_t m = 0;
	const char *p = list;
	for (;;) {
		size_t len = strcspn(p, ",");
		size_t i;
		for (i = 0; i < NCOLS; i++)
			if (strlen(cols[i].name) == len && strncmp(cols[i].name, p, len) == 0)
				break;
		if (i == NCOLS) {
			np_cause(
			    cause,
			    "unknown column \"%.*s\": expected rx_bytes, tx_bytes, rx_packets, "
			    "tx_packets, rx_errors, tx_errors, rx_drops, tx_drops, avg_rx_rate, "
			    "avg_tx_rate, peak_rx_rate, peak_tx_rate, gauge_min, gauge_avg or "
			    "gauge_max",
			    (int)len, p);
			return -1;
		}
		m |= 1u << i;
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	*mask = m;
	return 0;
}

static bool
is_gauge(const struct col *c)
{
	return c->what == W_GMIN || c->what == W_GAVG || c->what == W_GMAX;
}

/* The column's CSV/JSON name; rates say their unit. malloc'd. */
static char *
machine_name(const struct col *c, bool bytes)
{
	if (c->base == NULL)
		return np_xstrdup(c->name);
	return np_xasprintf("%s_%s_per_second", c->base, bytes ? "bytes" : "bits");
}

/* A rate in the chosen unit (the rows hold bytes per second). */
static double
rate(double bytes_per_s, bool bytes)
{
	return bytes ? bytes_per_s : bytes_per_s * 8;
}

static double
value(const struct np_usage_row *r, const struct col *c, bool bytes)
{
	switch (c->what) {
	case W_COUNTER:
		return (double)r->counters[c->counter];
	case W_AVG_RX:
		return rate(r->avg_rx, bytes);
	case W_AVG_TX:
		return rate(r->avg_tx, bytes);
	case W_PEAK_RX:
		return rate(r->peak_rx, bytes);
	case W_PEAK_TX:
		return rate(r->peak_tx, bytes);
	case W_GMIN:
		return r->gauge_min;
	case W_GAVG:
		return np_fmt_round(r->gauge_sum / (double)r->gauge_n, 3);
	case W_GMAX:
		return r->gauge_max;
	}
	return 0;
}

static json_t *
row_json(const struct np_usage *u, const struct np_usage_row *r, bool total, const struct np_tz *tz,
         bool bytes)
{
	json_t *o = json_object();
	if (!total && u->per != NP_PER_NONE) {
		json_object_set_new(o, "start", np_json_time(tz, r->start));
		json_object_set_new(o, "end", np_json_time(tz, r->end));
	}
	if (!total) {
		json_t *g = json_object();
		for (size_t k = 0; k < u->nkeys; k++)
			json_object_set_new(g, u->keys[k], np_json_str(r->key[k]));
		json_object_set_new(o, "group", g);
	}
	json_object_set_new(o, "series", json_integer((json_int_t)r->nseries));
	for (size_t i = 0; i < NCOLS; i++) {
		if (cols[i].what == W_COUNTER)
			json_object_set_new(o, cols[i].name,
			                    json_integer(r->counters[cols[i].counter]));
	}
	json_object_set_new(o, "secs", json_real(np_fmt_round(r->secs, 3)));
	for (size_t i = 0; i < NCOLS; i++) {
		if (cols[i].base == NULL)
			continue;
		char *name = machine_name(&cols[i], bytes);
		json_object_set_new(o, name, json_real(np_fmt_round(value(r, &cols[i], bytes), 3)));
		free(name);
	}
	if (r->has_gauge) {
		json_t *g = json_object();
		json_object_set_new(g, "min", json_real(r->gauge_min));
		json_object_set_new(g, "avg",
		                    json_real(np_fmt_round(r->gauge_sum / (double)r->gauge_n, 3)));
		json_object_set_new(g, "max", json_real(r->gauge_max));
		json_object_set_new(o, "gauge", g);
	} else {
		json_object_set_new(o, "gauge", json_null());
	}
	return o;
}

static char *
render_json(const struct np_usage *u, const struct np_tz *tz, bool bytes)
{
	json_t *o = json_object(), *period = json_object(), *keys = json_array();
	json_t *rows = json_array();
	json_object_set_new(period, "start", np_json_time(tz, u->start));
	json_object_set_new(period, "end", np_json_time(tz, u->end));
	json_object_set_new(period, "tz", json_string(np_tz_name(tz)));
	json_object_set_new(o, "period", period);
	for (size_t k = 0; k < u->nkeys; k++)
		json_array_append_new(keys, np_json_str(u->keys[k]));
	json_object_set_new(o, "group_by", keys);
	json_object_set_new(o, "per", np_json_str(per_names[u->per]));
	for (size_t i = 0; i < u->nrows; i++)
		json_array_append_new(rows, row_json(u, &u->rows[i], false, tz, bytes));
	json_object_set_new(o, "rows", rows);
	json_object_set_new(o, "total", row_json(u, &u->total, true, tz, bytes));
	char *s = np_json_doc(o, NULL);
	json_decref(o);
	return s;
}

static void
table_row(struct np_table *t, const struct np_usage *u, const struct np_usage_row *r, bool total,
          bool with_series, const bool *on, bool bytes)
{
	np_table_row(t);
	if (u->per != NP_PER_NONE) {
		if (total)
			np_table_null(t);
		else
			np_table_int(t, r->start);
	}
	for (size_t k = 0; k < u->nkeys; k++)
		np_table_str(t, total ? (k == 0 ? "total" : NULL) : r->key[k]);
	if (with_series)
		np_table_int(t, (int64_t)r->nseries);
	for (size_t i = 0; i < NCOLS; i++) {
		if (!on[i])
			continue;
		if (cols[i].what == W_COUNTER)
			np_table_int(t, r->counters[cols[i].counter]);
		else if (is_gauge(&cols[i]) && !r->has_gauge)
			np_table_null(t);
		else
			np_table_real(t, value(r, &cols[i], bytes));
	}
}

static enum np_col
col_type(const struct col *c, bool bytes)
{
	if (c->base != NULL)
		return bytes ? NP_COL_RATE : NP_COL_BITRATE;
	if (c->what == W_COUNTER)
		return c->counter < 2 ? NP_COL_BYTES : NP_COL_INT;
	return NP_COL_REAL;
}

char *
np_usage_render(const struct np_usage *u, enum np_format f, const struct np_tz *tz,
                const struct np_usage_view *view)
{
	static const struct np_usage_view defaults = {0};
	if (view == NULL)
		view = &defaults;
	if (f == NP_FMT_JSON)
		return render_json(u, tz, view->bytes);
	bool text = f == NP_FMT_TEXT;
	/*
	 * CSV keeps every column, for scripts. Text shows what a reader needs in 120 columns:
	 * the series count only when grouped, gauge columns only when there are gauges, the
	 * packet, error and drop counts and gauge min/max only with --all or --columns.
	 */
	bool with_series = !text || u->grouped, on[NCOLS];
	for (size_t i = 0; i < NCOLS; i++) {
		on[i] =
		    !text || (view->columns != 0 ? (view->columns >> i & 1) != 0 : cols[i].shown);
		if (text && is_gauge(&cols[i]) && !u->total.has_gauge)
			on[i] = false;
	}
	struct np_table *t = np_table_new();
	if (u->per != NP_PER_NONE)
		np_table_col(t, "start", NP_COL_TIME);
	for (size_t k = 0; k < u->nkeys; k++)
		np_table_col(t, u->keys[k], NP_COL_STR);
	if (with_series)
		np_table_col(t, "series", NP_COL_INT);
	for (size_t i = 0; i < NCOLS; i++) {
		if (!on[i])
			continue;
		char *name = text ? np_xstrdup(cols[i].name) : machine_name(&cols[i], view->bytes);
		np_table_col(t, name, col_type(&cols[i], view->bytes));
		free(name);
	}
	for (size_t i = 0; i < u->nrows; i++)
		table_row(t, u, &u->rows[i], false, with_series, on, view->bytes);
	table_row(t, u, &u->total, true, with_series, on, view->bytes);
	char *body = np_table_render(t, f, tz);
	np_table_free(t);
	if (!text)
		return body;
	char *line = np_report_period_line(tz, u->start, u->end);
	char *s = np_xasprintf("%s%s", line, body);
	free(line);
	free(body);
	return s;
}
