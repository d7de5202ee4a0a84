/* Cato hourly and pivot CSV exports from the stored amounts (cato_export.h). */
#include "report/cato_export.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util/buf.h"
#include "report/report.h"
#include "report/usage_amount.h"
#include "util/civil.h"
#include "util/xmalloc.h"

static const char cato_sql[] =
    "SELECT s.id, s.labels, a.start, a.end, a.rx_bytes, a.tx_bytes FROM series s"
    " JOIN amounts a ON a.series = s.id WHERE s.kind = 'usage'"
    " AND (?1 IS NULL OR s.source = ?1) AND a.start < ?3 AND a.end > ?2";

static int64_t
col(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) != SQLITE_INTEGER)
		return 0;
	int64_t v = sqlite3_column_int64(st, i);
	return v > 0 ? v : 0;
}

static int
cell_cmp(const void *x, const void *y)
{
	const struct np_cato_cell *a = x, *b = y;
	if (a->hour != b->hour)
		return a->hour < b->hour ? -1 : 1;
	int c = strcmp(a->app, b->app);
	return c != 0 ? c : strcmp(a->user, b->user);
}

int
np_cato_load(sqlite3 *db, const struct np_period *p, int64_t now, const char *source,
             struct np_cato *c, char **cause)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int64_t last = -1;
	char *app = NULL, *user = NULL; /* of series `last`; NULL: not a Cato series */
	int r;
	memset(c, 0, sizeof(*c));
	c->start = p->start;
	c->end = p->end < now ? p->end : now;
	if (c->end < c->start)
		c->end = c->start;
	if (np_report_prepare(db, cato_sql, &st, cause) == -1)
		return -1;
	np_report_bind_str(st, 1, source);
	sqlite3_bind_int64(st, 2, c->start);
	sqlite3_bind_int64(st, 3, c->end);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_int64(st, 0) != last) {
			last = sqlite3_column_int64(st, 0);
			free(app);
			free(user);
			app = user = NULL;
			json_t *l = json_loads(np_report_text(st, 1), 0, NULL);
			json_t *a = json_object_get(l, "application"),
			       *u = json_object_get(l, "user");
			if (json_is_string(a) && json_is_string(u)) {
				app = np_xstrdup(json_string_value(a));
				user = np_xstrdup(json_string_value(u));
			}
			json_decref(l);
		}
		if (app == NULL)
			continue; /* a usage series of another source type (Meraki) */
		int64_t s = sqlite3_column_int64(st, 2), e = sqlite3_column_int64(st, 3);
		int64_t down = np_usage_share(col(st, 4), s, e, c->start, c->end);
		int64_t up = np_usage_share(col(st, 5), s, e, c->start, c->end);
		if (c->n == cap) {
			cap = cap ? cap * 2 : 256;
			c->v = np_xreallocarray(c->v, cap, sizeof(*c->v));
		}
		c->v[c->n++] =
		    (struct np_cato_cell){s, np_xstrdup(app), np_xstrdup(user), up, down};
	}
	free(app);
	free(user);
	if (r != SQLITE_DONE) {
		np_report_sqlerr(db, "reading Cato amounts", cause);
		sqlite3_finalize(st);
		np_cato_free(c);
		return -1;
	}
	sqlite3_finalize(st);
	/* One cell per (hour, application, user): sources with the same names add up. */
	if (c->n > 0) /* qsort(NULL, 0, ...) is undefined */
		qsort(c->v, c->n, sizeof(*c->v), cell_cmp);
	size_t m = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (m > 0 && cell_cmp(&c->v[m - 1], &c->v[i]) == 0) {
			c->v[m - 1].up += c->v[i].up;
			c->v[m - 1].down += c->v[i].down;
			free(c->v[i].app);
			free(c->v[i].user);
			continue;
		}
		c->v[m++] = c->v[i];
	}
	c->n = m;
	return 0;
}

void
np_cato_free(struct np_cato *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].app);
		free(c->v[i].user);
	}
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

void
np_cato_mb(int64_t bytes, int decimals, char *buf, size_t len)
{
	int64_t unit = 1;
	if (decimals < 0)
		decimals = 0;
	if (decimals > 6)
		decimals = 6;
	for (int i = decimals; i < 6; i++)
		unit *= 10;
	uint64_t b = bytes > 0 ? (uint64_t)bytes : 0;
	uint64_t q = b / (uint64_t)unit + (b % (uint64_t)unit >= (uint64_t)unit / 2 && unit > 1);
	uint64_t scale = 1;
	for (int i = 0; i < decimals; i++)
		scale *= 10;
	if (decimals == 0)
		snprintf(buf, len, "%llu", (unsigned long long)q);
	else
		snprintf(buf, len, "%llu.%0*llu", (unsigned long long)(q / scale), decimals,
		         (unsigned long long)(q % scale));
}

static void
crlf_row(struct np_buf *b, const char *const *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			np_buf_add(b, ",", 1);
		np_csv_field(b, f[i]);
	}
	np_buf_add(b, "\r\n", 2);
}

char *
np_cato_hourly_csv(const struct np_cato *c, const struct np_tz *tz)
{
	struct np_buf b = {0};
	const char *head[] = {"hour", "application", "user_name", "measure_type", "bandwidth_mb"};
	crlf_row(&b, head, 5);
	for (size_t i = 0; i < c->n; i++) {
		const struct np_cato_cell *x = &c->v[i];
		struct np_civil t;
		char hour[40], mb[32];
		np_civil_from_secs(np_tz_to_local(tz, x->hour), &t);
		snprintf(hour, sizeof(hour), "%04lld-%02d-%02d %02d:%02d:%02d", (long long)t.year,
		         t.mon, t.day, t.hour, t.min, t.sec);
		/* "downstream" < "upstream": the measure order of the sort. */
		const int64_t v[2] = {x->down, x->up};
		const char *m[2] = {"downstream", "upstream"};
		for (int k = 0; k < 2; k++) {
			if (v[k] <= 0)
				continue;
			np_cato_mb(v[k], 3, mb, sizeof(mb));
			const char *row[] = {hour, x->app, x->user, m[k], mb};
			crlf_row(&b, row, 5);
		}
	}
	return np_buf_take(&b);
}

static int
strp_cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/*
 * The sorted distinct names of one field of the cells with bytes (pointers into c): like the
 * original, which pivoted its non-zero hourly rows, an application or user without a byte in
 * the period has no row or column.
 */
static char **
names(const struct np_cato *c, bool user, size_t *n)
{
	char **v = np_xcalloc(c->n ? c->n : 1, sizeof(*v));
	size_t k = 0;
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].up + c->v[i].down > 0)
			v[k++] = user ? c->v[i].user : c->v[i].app;
	qsort(v, k, sizeof(*v), strp_cmp);
	size_t m = 0;
	for (size_t i = 0; i < k; i++) {
		if (m == 0 || strcmp(v[m - 1], v[i]) != 0)
			v[m++] = v[i];
	}
	*n = m;
	return v;
}

static size_t
index_of(char **v, size_t n, const char *s)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(v[mid], s);
		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return n; /* not reached: every name is in v */
}

struct pivot_row {
	const char *app;
	const int64_t *cells;
	int64_t total;
};

static int
pivot_cmp(const void *x, const void *y)
{
	const struct pivot_row *a = x, *b = y;
	if (a->total != b->total)
		return a->total > b->total ? -1 : 1;
	return strcmp(a->app, b->app);
}

char *
np_cato_pivot_csv(const struct np_cato *c)
{
	struct np_buf b = {0};
	size_t na, nu;
	char **apps = names(c, false, &na), **users = names(c, true, &nu);
	int64_t *m = np_xcalloc(na * nu > 0 ? na * nu : 1, sizeof(*m));
	struct pivot_row *rows = np_xcalloc(na ? na : 1, sizeof(*rows));
	for (size_t i = 0; i < c->n; i++) {
		if (c->v[i].up + c->v[i].down == 0)
			continue;
		size_t a = index_of(apps, na, c->v[i].app), u = index_of(users, nu, c->v[i].user);
		m[a * nu + u] += c->v[i].up + c->v[i].down;
	}
	np_csv_field(&b, "application");
	for (size_t u = 0; u < nu; u++) {
		char *h = strcmp(users[u], "total") == 0 ? np_xstrdup("total_mb (user)")
		                                         : np_xasprintf("%s_mb", users[u]);
		np_buf_add(&b, ",", 1);
		np_csv_field(&b, h);
		free(h);
	}
	np_buf_puts(&b, ",total_mb\r\n");
	for (size_t a = 0; a < na; a++) {
		rows[a].app = apps[a];
		rows[a].cells = &m[a * nu];
		for (size_t u = 0; u < nu; u++)
			rows[a].total += m[a * nu + u];
	}
	qsort(rows, na, sizeof(*rows), pivot_cmp);
	for (size_t a = 0; a < na; a++) {
		char mb[32];
		np_csv_field(&b, rows[a].app);
		for (size_t u = 0; u < nu; u++) {
			np_cato_mb(rows[a].cells[u], 3, mb, sizeof(mb));
			np_buf_printf(&b, ",%s", mb);
		}
		np_cato_mb(rows[a].total, 3, mb, sizeof(mb));
		np_buf_printf(&b, ",%s\r\n", mb);
	}
	free(rows);
	free(m);
	free(apps);
	free(users);
	return np_buf_take(&b);
}
