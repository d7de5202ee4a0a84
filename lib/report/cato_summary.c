/* The Cato summary: totals, top 10 applications, every user (cato_export.h). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "report/json_doc.h"
#include "report/avx_text.h"
#include "util/buf.h"
#include "report/cato_export.h"
#include "report/report.h"
#include "util/xmalloc.h"

#define TOP_APPS 10

struct agg {
	const char *name;
	int64_t up, down;
};

static int
by_name(const void *x, const void *y)
{
	return strcmp(((const struct agg *)x)->name, ((const struct agg *)y)->name);
}

static int
by_bytes(const void *x, const void *y)
{
	const struct agg *a = x, *b = y;
	int64_t ta = a->up + a->down, tb = b->up + b->down;
	if (ta != tb)
		return ta > tb ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* Sums per application (or user), by bytes descending then name; *n entries. */
static struct agg *
aggregate(const struct np_cato *c, bool user, size_t *n)
{
	struct agg *v = np_xcalloc(c->n ? c->n : 1, sizeof(*v));
	for (size_t i = 0; i < c->n; i++)
		v[i] = (struct agg){user ? c->v[i].user : c->v[i].app, c->v[i].up, c->v[i].down};
	qsort(v, c->n, sizeof(*v), by_name);
	size_t m = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (m > 0 && strcmp(v[m - 1].name, v[i].name) == 0) {
			v[m - 1].up += v[i].up;
			v[m - 1].down += v[i].down;
		} else {
			v[m++] = v[i];
		}
	}
	qsort(v, m, sizeof(*v), by_bytes);
	*n = m;
	return v;
}

static size_t
width(const char *s)
{
	size_t w = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
		w += (*p & 0xc0) != 0x80;
	return w;
}

static void
list_text(struct np_buf *b, const char *title, const struct agg *v, size_t n)
{
	char **names = np_xcalloc(n ? n : 1, sizeof(*names));
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		names[i] = np_avx_name(v[i].name, "(empty)");
		if (width(names[i]) > w)
			w = width(names[i]);
	}
	np_buf_printf(b, "\n%s\n", title);
	for (size_t i = 0; i < n; i++) {
		char mb[32];
		np_cato_mb(v[i].up + v[i].down, 2, mb, sizeof(mb));
		np_buf_printf(b, "  %3zu. %s", i + 1, names[i]);
		np_buf_pad(b, ' ', w - width(names[i]));
		np_buf_printf(b, "  %12s MB\n", mb);
		free(names[i]);
	}
	free(names);
}

static json_t *
list_json(const char *key, const struct agg *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, key, np_json_str(v[i].name));
		json_object_set_new(o, "upstream", json_integer(v[i].up));
		json_object_set_new(o, "downstream", json_integer(v[i].down));
		json_object_set_new(o, "bytes", json_integer(v[i].up + v[i].down));
		json_array_append_new(a, o);
	}
	return a;
}

char *
np_cato_summary(const struct np_cato *c, enum np_format f, const struct np_tz *tz)
{
	int64_t up = 0, down = 0, records = 0;
	size_t na, nu;
	for (size_t i = 0; i < c->n; i++) {
		up += c->v[i].up;
		down += c->v[i].down;
		records += (c->v[i].up > 0) + (c->v[i].down > 0);
	}
	struct agg *apps = aggregate(c, false, &na), *users = aggregate(c, true, &nu);
	size_t ntop = na < TOP_APPS ? na : TOP_APPS;
	char *out;
	if (f == NP_FMT_JSON) {
		json_t *o = json_object(), *period = json_object();
		json_object_set_new(period, "start", np_json_time(tz, c->start));
		json_object_set_new(period, "end", np_json_time(tz, c->end));
		json_object_set_new(period, "tz", json_string(np_tz_name(tz)));
		json_object_set_new(o, "period", period);
		json_object_set_new(o, "records", json_integer(records));
		json_object_set_new(o, "upstream", json_integer(up));
		json_object_set_new(o, "downstream", json_integer(down));
		json_object_set_new(o, "bytes", json_integer(up + down));
		json_object_set_new(o, "applications", list_json("application", apps, ntop));
		json_object_set_new(o, "users", list_json("user", users, nu));
		out = np_json_doc(o, NULL);
		json_decref(o);
	} else {
		struct np_buf b = {0};
		char *line = np_report_period_line(tz, c->start, c->end);
		char t[32], u[32], d[32];
		np_cato_mb(up + down, 2, t, sizeof(t));
		np_cato_mb(up, 2, u, sizeof(u));
		np_cato_mb(down, 2, d, sizeof(d));
		np_buf_puts(&b, line);
		free(line);
		np_buf_printf(&b,
		              "Total records:    %lld\nTotal bandwidth:  %s MB\n"
		              "Total upstream:   %s MB\nTotal downstream: %s MB\n",
		              (long long)records, t, u, d);
		char title[48];
		snprintf(title, sizeof(title), "Top %zu application%s (MB = 10^6 bytes):", ntop,
		         ntop == 1 ? "" : "s");
		list_text(&b, title, apps, ntop);
		list_text(&b, "Users:", users, nu);
		out = np_buf_take(&b);
	}
	free(apps);
	free(users);
	return out;
}
