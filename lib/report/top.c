/* `netpulse top`: FlowIQ top talkers summed over a period (top.h). */
#include "report/json_doc.h"
#include "report/top.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "report/avx_text.h"
#include "util/buf.h"
#include "report/report.h"
#include "report/usage_amount.h"
#include "util/cause.h"
#include "util/addr.h"
#include "util/xmalloc.h"

static const char top_sql[] =
    "SELECT s.device, a.start, a.end, a.rx_bytes FROM series s JOIN amounts a"
    " ON a.series = s.id WHERE s.kind = ?1 AND (?2 IS NULL OR s.source = ?2)"
    " AND a.start < ?4 AND a.end > ?3 AND a.rx_bytes > 0";

int
np_top_dir_parse(const char *s, enum np_top_dir *d, char **cause)
{
	if (strcmp(s, "dst") == 0)
		*d = NP_TOP_DST;
	else if (strcmp(s, "src") == 0)
		*d = NP_TOP_SRC;
	else {
		np_cause(cause, "invalid --direction \"%s\": expected dst or src", s);
		return -1;
	}
	return 0;
}

static int
by_ip(const void *x, const void *y)
{
	return np_addr_cmp(((const struct np_top_row *)x)->ip, ((const struct np_top_row *)y)->ip);
}

static int
by_bytes(const void *x, const void *y)
{
	const struct np_top_row *a = x, *b = y;
	if (a->bytes != b->bytes)
		return a->bytes > b->bytes ? -1 : 1;
	return np_addr_cmp(a->ip, b->ip);
}

int
np_top_compute(sqlite3 *db, const struct np_period *p, int64_t now, const char *source,
               enum np_top_dir dir, size_t n, struct np_top *t, char **cause)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int r;
	memset(t, 0, sizeof(*t));
	t->start = p->start;
	t->end = p->end < now ? p->end : now;
	if (t->end < t->start)
		t->end = t->start;
	t->dir = dir;
	if (np_report_prepare(db, top_sql, &st, cause) == -1)
		return -1;
	sqlite3_bind_text(st, 1, dir == NP_TOP_DST ? "talker-dst" : "talker-src", -1,
	                  SQLITE_STATIC);
	np_report_bind_str(st, 2, source);
	sqlite3_bind_int64(st, 3, t->start);
	sqlite3_bind_int64(st, 4, t->end);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t v = np_usage_share(sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 1),
		                           sqlite3_column_int64(st, 2), t->start, t->end);
		if (v <= 0)
			continue;
		if (t->nrows == cap) {
			cap = cap ? cap * 2 : 64;
			t->rows = np_xreallocarray(t->rows, cap, sizeof(*t->rows));
		}
		t->rows[t->nrows].ip = np_xstrdup(np_report_text(st, 0));
		t->rows[t->nrows++].bytes = v;
	}
	if (r != SQLITE_DONE) {
		np_report_sqlerr(db, "reading top talkers", cause);
		sqlite3_finalize(st);
		np_top_free(t);
		return -1;
	}
	sqlite3_finalize(st);
	/* Sum per address (over intervals and sources), then rank. */
	if (t->nrows > 0) /* qsort(NULL, 0, ...) is undefined */
		qsort(t->rows, t->nrows, sizeof(*t->rows), by_ip);
	size_t m = 0;
	for (size_t i = 0; i < t->nrows; i++) {
		if (m > 0 && strcmp(t->rows[m - 1].ip, t->rows[i].ip) == 0) {
			t->rows[m - 1].bytes += t->rows[i].bytes;
			free(t->rows[i].ip);
			continue;
		}
		t->rows[m++] = t->rows[i];
	}
	t->nrows = m;
	if (t->nrows > 0) /* qsort(NULL, 0, ...) is undefined */
		qsort(t->rows, t->nrows, sizeof(*t->rows), by_bytes);
	for (size_t i = n; i < t->nrows; i++)
		free(t->rows[i].ip);
	if (t->nrows > n)
		t->nrows = n;
	if (t->rows == NULL)
		t->rows = np_xcalloc(1, sizeof(*t->rows));
	return 0;
}

void
np_top_free(struct np_top *t)
{
	for (size_t i = 0; i < t->nrows; i++)
		free(t->rows[i].ip);
	free(t->rows);
	t->rows = NULL;
	t->nrows = 0;
}

static char *
render_text(const struct np_top *t, const struct np_tz *tz)
{
	struct np_buf b = {0};
	np_avx_rule(&b, '=');
	np_buf_puts(&b, "FlowIQ Top Talkers Report\n");
	np_avx_period(&b, tz, t->start, t->end);
	np_avx_rule(&b, '=');
	np_buf_printf(&b, "\nTOP %zu %s\n", t->nrows,
	              t->dir == NP_TOP_DST ? "DESTINATIONS (Egress)"
	                                   : "SOURCES (Internal \xe2\x86\x92 Egress)");
	np_avx_rule(&b, '-');
	for (size_t i = 0; i < t->nrows; i++) {
		char f[NP_AVX_FMT_MAX];
		char *ip = np_avx_name(t->rows[i].ip, "");
		np_avx_fmt(t->rows[i].bytes, f);
		np_buf_printf(&b, "  %3zu. %-24s %12s\n", i + 1, ip, f);
		free(ip);
	}
	np_buf_puts(&b, "\nMethod: FlowIQ field_agg (bidirectional, CIDR-based egress filter)\n"
	                "Tip: paste any IP into the FlowIQ filter bar to drill down\n");
	np_avx_rule(&b, '=');
	return np_buf_take(&b);
}

static char *
render_csv(const struct np_top *t)
{
	struct np_buf b = {0};
	np_buf_puts(&b, "rank,ip,bytes\n");
	for (size_t i = 0; i < t->nrows; i++) {
		np_buf_printf(&b, "%zu,", i + 1);
		np_csv_field(&b, t->rows[i].ip);
		np_buf_printf(&b, ",%lld\n", (long long)t->rows[i].bytes);
	}
	return np_buf_take(&b);
}

static char *
render_json(const struct np_top *t, const struct np_tz *tz)
{
	json_t *o = json_object(), *period = json_object(), *rows = json_array();
	json_object_set_new(period, "start", np_json_time(tz, t->start));
	json_object_set_new(period, "end", np_json_time(tz, t->end));
	json_object_set_new(period, "tz", json_string(np_tz_name(tz)));
	json_object_set_new(o, "period", period);
	json_object_set_new(o, "direction", json_string(t->dir == NP_TOP_DST ? "dst" : "src"));
	for (size_t i = 0; i < t->nrows; i++) {
		json_t *r = json_object();
		json_object_set_new(r, "ip", np_json_str(t->rows[i].ip));
		json_object_set_new(r, "bytes", json_integer(t->rows[i].bytes));
		json_array_append_new(rows, r);
	}
	json_object_set_new(o, "rows", rows);
	char *s = np_json_doc(o, NULL);
	json_decref(o);
	return s;
}

char *
np_top_render(const struct np_top *t, enum np_format f, const struct np_tz *tz)
{
	struct np_tz *utc = tz == NULL ? np_tz_utc() : NULL;
	const struct np_tz *z = tz != NULL ? tz : utc;
	char *s = f == NP_FMT_JSON  ? render_json(t, z)
	          : f == NP_FMT_CSV ? render_csv(t)
	                            : render_text(t, z);
	np_tz_free(utc);
	return s;
}
