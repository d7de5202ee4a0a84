/* The status page (page.h). */
#include "web/page.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/downtime.h"
#include "report/events.h"
#include "report/fmt.h"
#include "report/period.h"
#include "report/report.h"
#include "report/status.h"
#include "util/cause.h"
#include "util/hmap.h"
#include "util/promtext.h"
#include "util/xmalloc.h"

#define CHART_BUCKETS 24 /* two hours of 5-minute buckets */
#define BUCKET_S 300
#define MAX_EVENTS 20

const char *const np_page_periods[] = {"24h", "1h", "7d", "30d", "this-month", "last-month", NULL};

/* Text as HTML: & < > " ' escaped (in element content and in quoted attributes alike). */
static void
esc(struct np_buf *b, const char *s)
{
	const char *run = s;
	for (; *s != '\0'; s++) {
		const char *e = *s == '&'    ? "&amp;"
		                : *s == '<'  ? "&lt;"
		                : *s == '>'  ? "&gt;"
		                : *s == '"'  ? "&quot;"
		                : *s == '\'' ? "&#39;"
		                             : NULL;
		if (e == NULL)
			continue;
		np_buf_add(b, run, (size_t)(s - run));
		np_buf_puts(b, e);
		run = s + 1;
	}
	np_buf_add(b, run, (size_t)(s - run));
}

struct traffic {
	double rx[CHART_BUCKETS], tx[CHART_BUCKETS]; /* bits/s per bucket */
	bool any;
};

/* Bytes per 5-minute bucket of the last two hours, per link, from rollup_5m. */
static int
load_traffic(sqlite3 *db, int64_t now, struct np_hmap *out, char **cause)
{
	int64_t first = (now / BUCKET_S - CHART_BUCKETS) * BUCKET_S;
	sqlite3_stmt *st;
	if (np_report_prepare(db,
	                      "SELECT s.device, s.interface, r.bucket, sum(r.rx_bytes), "
	                      "sum(r.tx_bytes) FROM rollup_5m r JOIN series s ON s.id = r.series "
	                      "WHERE r.bucket >= ?1 GROUP BY s.device, s.interface, r.bucket",
	                      &st, cause) == -1)
		return -1;
	sqlite3_bind_int64(st, 1, first);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		size_t kl;
		char *k = np_hmap_key2(np_report_text(st, 0), np_report_text(st, 1), &kl);
		struct traffic *t = np_hmap_get(out, k, kl);
		if (t == NULL) {
			t = np_xcalloc(1, sizeof *t);
			np_hmap_put(out, k, kl, t);
		}
		free(k);
		int64_t i = (sqlite3_column_int64(st, 2) - first) / BUCKET_S;
		if (i >= 0 && i < CHART_BUCKETS) {
			t->rx[i] = (double)sqlite3_column_int64(st, 3) * 8 / BUCKET_S;
			t->tx[i] = (double)sqlite3_column_int64(st, 4) * 8 / BUCKET_S;
			t->any = true;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return np_report_sqlerr(db, "reading traffic for the page", cause);
	return 0;
}

/* A 120x28 chart of rx (filled) and tx (line), scaled to the larger peak; numbers only. */
static void
chart(struct np_buf *b, const struct traffic *t)
{
	if (t == NULL || !t->any) {
		np_buf_puts(b, "<span class=\"none\">no data</span>");
		return;
	}
	double peak = 0;
	for (int i = 0; i < CHART_BUCKETS; i++) {
		peak = t->rx[i] > peak ? t->rx[i] : peak;
		peak = t->tx[i] > peak ? t->tx[i] : peak;
	}
	char top[NP_FMT_MAX];
	np_fmt_bitrate(peak, top);
	np_buf_puts(b, "<svg class=\"chart\" width=\"120\" height=\"28\" viewBox=\"0 0 120 28\" "
	               "role=\"img\"><title>peak ");
	esc(b, top);
	np_buf_puts(b, " (rx filled, tx line)</title><polygon class=\"rx\" points=\"0,28");
	for (int i = 0; i < CHART_BUCKETS; i++)
		np_buf_printf(b, " %.1f,%.1f", i * 120.0 / (CHART_BUCKETS - 1),
		              peak > 0 ? 28 - t->rx[i] / peak * 26 : 28);
	np_buf_puts(b, " 120,28\"/><polyline class=\"tx\" points=\"");
	for (int i = 0; i < CHART_BUCKETS; i++)
		np_buf_printf(b, "%s%.1f,%.1f", i ? " " : "", i * 120.0 / (CHART_BUCKETS - 1),
		              peak > 0 ? 28 - t->tx[i] / peak * 26 : 28);
	np_buf_puts(b, "\"/></svg> <span class=\"peak\">");
	esc(b, top);
	np_buf_puts(b, "</span>");
}

static int
state_rank(const char *s)
{
	static const char *const order[] = {"down", "stale", "unknown", "removed", "up"};
	for (int i = 0; i < 5; i++)
		if (strcmp(s, order[i]) == 0)
			return i;
	return 5;
}

static const char *
jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s != NULL ? s : "";
}

static int
cmp_links(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int r = state_rank(jstr(x, "state")) - state_rank(jstr(y, "state"));
	if (r == 0)
		r = strcmp(jstr(x, "device"), jstr(y, "device"));
	if (r == 0)
		r = strcmp(jstr(x, "interface"), jstr(y, "interface"));
	return r;
}

static const char style[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}"
    "h1{font-size:1.4em;margin:0 0 .3em}h2{font-size:1.1em;margin:1.5em 0 .4em}"
    "table{border-collapse:collapse}td,th{padding:.25em .7em;text-align:left;"
    "border-bottom:1px solid #ddd;vertical-align:middle}th{font-weight:600}"
    "td.num{text-align:right;font-variant-numeric:tabular-nums}"
    ".state{font-weight:700;text-transform:uppercase;font-size:.85em}"
    "tr.down .state{color:#fff;background:#c62828}tr.up .state{color:#2e7d32}"
    "tr.stale .state,tr.unknown .state{color:#8d6e00}tr.removed .state{color:#777}"
    ".sum{color:#555}.none{color:#999}.peak{color:#555;font-size:.85em}"
    "svg.chart .rx{fill:#90caf9}svg.chart .tx{fill:none;stroke:#e65100;stroke-width:1.2}"
    "form{margin:.5em 0}";

static void
links_table(struct np_buf *b, json_t **v, size_t n, const struct np_hmap *down,
            const struct np_hmap *traffic, const char *period)
{
	np_buf_puts(b, "<h2>Links</h2>\n<table id=\"links\"><thead><tr><th>State</th>"
	               "<th>Device</th><th>Interface</th><th>Since</th><th>Down (");
	esc(b, period);
	np_buf_puts(b, ")</th><th>Availability</th><th>Traffic, last 2 h</th><th>Seen by</th>"
	               "</tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < n; i++) {
		const char *state = jstr(v[i], "state");
		size_t kl;
		char *k = np_hmap_key2(jstr(v[i], "device"), jstr(v[i], "interface"), &kl);
		const struct np_downtime_link *dl = np_hmap_get(down, k, kl);
		const struct traffic *t = np_hmap_get(traffic, k, kl);
		free(k);
		np_buf_puts(b, "<tr class=\"");
		esc(b, state);
		np_buf_puts(b, "\"><td class=\"state\">");
		esc(b, state);
		if (json_is_true(json_object_get(v[i], "flapping")))
			np_buf_puts(b, " (flapping)");
		np_buf_puts(b, "</td><td class=\"device\">");
		esc(b, jstr(v[i], "device"));
		np_buf_puts(b, "</td><td class=\"interface\">");
		esc(b, jstr(v[i], "interface"));
		np_buf_puts(b, "</td><td>");
		esc(b, jstr(v[i], "since"));
		char f[NP_FMT_MAX] = "";
		if (dl != NULL)
			np_fmt_duration(dl->down, f);
		np_buf_puts(b, "</td><td class=\"num\">");
		esc(b, f);
		f[0] = '\0';
		if (dl != NULL && dl->has_availability)
			np_fmt_percent(dl->availability, f);
		np_buf_puts(b, "</td><td class=\"num\">");
		esc(b, f[0] ? f : "–");
		np_buf_puts(b, "</td><td>");
		chart(b, t);
		np_buf_puts(b, "</td><td>");
		json_t *srcs = json_object_get(v[i], "sources");
		for (size_t j = 0; j < json_array_size(srcs); j++) {
			if (j > 0)
				np_buf_puts(b, ", ");
			const char *src = json_string_value(json_array_get(srcs, j));
			esc(b, src != NULL ? src : "");
		}
		np_buf_puts(b, "</td></tr>\n");
	}
	np_buf_puts(b, "</tbody></table>\n");
}

static void
events_table(struct np_buf *b, const json_t *events)
{
	size_t n = json_array_size(events);
	np_buf_puts(b, "<h2>Last events</h2>\n");
	if (n == 0) {
		np_buf_puts(b, "<p class=\"none\">No state change in the last 24 hours.</p>\n");
		return;
	}
	np_buf_puts(b, "<table id=\"events\"><thead><tr><th>Time</th><th>Device</th>"
	               "<th>Interface</th><th>Change</th><th>Outage</th><th>Alert</th>"
	               "</tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < n && i < MAX_EVENTS; i++) {
		const json_t *e = json_array_get(events, n - 1 - i); /* newest first */
		np_buf_puts(b, "<tr class=\"");
		esc(b, jstr(e, "state"));
		np_buf_puts(b, "\"><td>");
		esc(b, jstr(e, "time"));
		np_buf_puts(b, "</td><td>");
		esc(b, jstr(e, "device"));
		np_buf_puts(b, "</td><td>");
		esc(b, jstr(e, "interface"));
		np_buf_puts(b, "</td><td>");
		esc(b, jstr(e, "previous"));
		np_buf_puts(b, " → ");
		esc(b, jstr(e, "state"));
		np_buf_puts(b, "</td><td class=\"num\">");
		json_t *o = json_object_get(e, "outage_seconds");
		if (json_is_integer(o)) {
			char f[NP_FMT_MAX];
			np_fmt_duration(json_integer_value(o), f);
			esc(b, f);
		}
		np_buf_puts(b, "</td><td>");
		esc(b, jstr(e, "alert"));
		np_buf_puts(b, "</td></tr>\n");
	}
	np_buf_puts(b, "</tbody></table>\n");
}

static json_t *
report_json(char *text, const char *key, char **cause)
{
	if (text == NULL)
		return NULL;
	json_error_t err;
	json_t *doc = json_loads(text, 0, &err);
	free(text);
	if (doc == NULL || !json_is_array(json_object_get(doc, key))) {
		np_cause(cause, "page: the %s report is not the expected JSON", key);
		json_decref(doc);
		return NULL;
	}
	return doc;
}

char *
np_page_render(const struct np_page_in *in, char **cause)
{
	const char *period = np_page_periods[0];
	for (size_t i = 0; np_page_periods[i] != NULL; i++)
		if (in->period != NULL && strcmp(in->period, np_page_periods[i]) == 0)
			period = np_page_periods[i];
	struct np_report_ctx ctx = {.db = in->db, .tz = in->tz, .now = in->now, .fmt = NP_FMT_JSON};
	struct np_status_opts so = {0};
	struct np_events_opts eo = {.since = in->now - 86400};
	struct np_period p;
	struct np_downtime dt = {0};
	struct np_hmap *down = np_hmap_new(), *traffic = np_hmap_new();
	json_t *status = NULL, *events = NULL;
	char *out = NULL;
	if ((status = report_json(np_report_status(&ctx, &so, cause), "links", cause)) == NULL ||
	    (events = report_json(np_report_events(&ctx, &eo, cause), "events", cause)) == NULL ||
	    np_period_parse(period, in->now, in->tz, &p, cause) == -1 ||
	    np_downtime_compute(in->db, &p, in->now, NULL, &dt, cause) == -1 ||
	    load_traffic(in->db, in->now, traffic, cause) == -1)
		goto done;
	for (size_t i = 0; i < dt.nlinks; i++) {
		size_t kl;
		char *k = np_hmap_key2(dt.links[i].device, dt.links[i].interface, &kl);
		np_hmap_put(down, k, kl, &dt.links[i]);
		free(k);
	}
	json_t *links = json_object_get(status, "links");
	size_t n = json_array_size(links);
	json_t **v = np_xcalloc(n + 1, sizeof *v);
	size_t counts[6] = {0};
	for (size_t i = 0; i < n; i++) {
		v[i] = json_array_get(links, i);
		counts[state_rank(jstr(v[i], "state"))]++;
	}
	qsort(v, n, sizeof *v, cmp_links);

	struct np_buf b = {0};
	np_buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	                "<meta name=\"viewport\" content=\"width=device-width\">"
	                "<title>netpulse: ");
	esc(&b, in->host);
	np_buf_puts(&b, "</title><style>");
	np_buf_puts(&b, style);
	np_buf_puts(&b, "</style></head>\n<body>\n<h1>netpulse on ");
	esc(&b, in->host);
	np_buf_puts(&b, "</h1>\n<p class=\"sum\" id=\"summary\">");
	np_buf_printf(&b, "%zu links: %zu down, %zu up, %zu stale, %zu removed", n, counts[0],
	              counts[4], counts[1], counts[3]);
	np_buf_puts(&b, " · ");
	char when[NP_TZ_ISO_MAX];
	np_tz_iso(in->tz, in->now, when);
	esc(&b, when);
	np_buf_puts(&b, " (");
	esc(&b, np_tz_name(in->tz));
	np_buf_puts(&b, ")</p>\n<form method=\"get\" action=\"/\"><label>Downtime over "
	                "<select name=\"period\">");
	for (size_t i = 0; np_page_periods[i] != NULL; i++) {
		np_buf_puts(&b, "<option");
		if (np_page_periods[i] == period)
			np_buf_puts(&b, " selected");
		np_buf_puts(&b, ">");
		esc(&b, np_page_periods[i]);
		np_buf_puts(&b, "</option>");
	}
	np_buf_puts(&b, "</select></label> <button type=\"submit\">Show</button></form>\n");
	links_table(&b, v, n, down, traffic, period);
	events_table(&b, json_object_get(events, "events"));
	np_buf_puts(&b, "<p class=\"sum\">The same as JSON: <a href=\"/api/status\">status</a>, "
	                "<a href=\"/api/events?since=24h\">events</a>, <a href=\"/api/downtime?"
	                "period=");
	esc(&b, period);
	np_buf_puts(&b, "\">downtime</a>; Prometheus: <a href=\"/metrics\">/metrics</a>. Traffic "
	                "charts show closed 5-minute buckets.</p>\n</body></html>\n");
	free(v);
	out = np_buf_take(&b);
done:
	json_decref(status);
	json_decref(events);
	np_downtime_free(&dt);
	np_hmap_free(down, NULL);
	np_hmap_free(traffic, free);
	return out;
}
