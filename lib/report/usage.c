#include "report/usage.h"

#include <stdlib.h>
#include <string.h>

#include "engine/rollup.h"
#include "util/buf.h"
#include "report/usage_amount.h"
#include "util/civil.h"
#include "report/fmt.h"
#include "util/cause.h"
#include "util/xmalloc.h"

static const char series_sql[] =
    "SELECT id, source, device, interface, kind, labels FROM series"
    " WHERE (?1 IS NULL OR source = ?1) AND (?2 IS NULL OR device = ?2)"
    " AND kind NOT LIKE 'talker-%' ORDER BY id"; /* top talkers: `netpulse top` */
/*
 * The rows of one segment in key order (bucket, series), summed per series here: a GROUP BY
 * series would sort every row (the key starts with the bucket) and call one aggregate
 * function per column and row, ~10x the cost of the scan at 10k series over 30 days.
 */
#define ROLLUP_SQL(table)                                                                          \
	"SELECT series, secs, rx_bytes, tx_bytes, rx_packets, tx_packets, rx_errors, tx_errors,"   \
	" rx_drops, tx_drops, peak_rx, peak_tx, gauge_min, gauge_max, gauge_sum, gauge_n"          \
	" FROM " table " WHERE bucket >= ?1 AND bucket < ?2"

static const char *const pseudo[] = {"source", "device", "interface", "kind"};
static const char *const default_keys[] = {"source", "device", "interface"};

/* One series' sums over one segment (what SUM/MAX/MIN ... GROUP BY series gave per segment). */
struct part {
	bool seen;
	double secs, peak_rx, peak_tx;
	int64_t c[NP_USAGE_NCOUNTERS];
	bool has_gmin, has_gmax; /* a non-NULL gauge_min/gauge_max was read */
	double gmin, gmax, gsum;
	int64_t gn;
};

struct series {
	int64_t id;
	char *f[4]; /* source, device, interface, kind */
	json_t *labels;
	bool seen;
	int64_t c[NP_USAGE_NCOUNTERS];
	double secs, peak_rx, peak_tx;
	bool has_gauge;
	double gmin, gmax, gsum;
	int64_t gn;
	char *key[NP_USAGE_MAX_KEYS];
	struct part part;
};

static int64_t
ceil_to(int64_t t, int64_t w)
{
	return -np_civil_fdiv(-t, w) * w;
}

static int64_t
floor_to(int64_t t, int64_t w)
{
	return np_civil_fdiv(t, w) * w;
}

static void
seg(struct np_usage_seg *out, size_t *n, int64_t w, int64_t a, int64_t b)
{
	if (a < b)
		out[(*n)++] = (struct np_usage_seg){w, a, b};
}

/* [a, b) on the 5-minute grid: whole hours from rollup_1h, the rest from rollup_5m. */
static void
hours(struct np_usage_seg *out, size_t *n, int64_t a, int64_t b)
{
	int64_t h0 = ceil_to(a, NP_BUCKET_1H), h1 = floor_to(b, NP_BUCKET_1H);
	if (h0 >= h1) {
		seg(out, n, NP_BUCKET_5M, a, b);
		return;
	}
	seg(out, n, NP_BUCKET_5M, a, h0);
	seg(out, n, NP_BUCKET_1H, h0, h1);
	seg(out, n, NP_BUCKET_5M, h1, b);
}

size_t
np_usage_segments(int64_t start, int64_t end, int64_t folded,
                  struct np_usage_seg out[NP_USAGE_MAX_SEGS])
{
	size_t n = 0;
	int64_t a = ceil_to(start, NP_BUCKET_5M), b = ceil_to(end, NP_BUCKET_5M);
	if (a >= b)
		return 0;
	/* Buckets from `folded` on are not in rollup_1h/1d yet: read them at 5 minutes. */
	if (folded < b) {
		int64_t f = folded > a ? ceil_to(folded, NP_BUCKET_5M) : a;
		n = np_usage_segments(a, f, INT64_MAX, out);
		seg(out, &n, NP_BUCKET_5M, f, b);
		return n;
	}
	int64_t d0 = ceil_to(a, NP_BUCKET_1D), d1 = floor_to(b, NP_BUCKET_1D);
	if (d0 >= d1) {
		hours(out, &n, a, b);
		return n;
	}
	hours(out, &n, a, d0);
	seg(out, &n, NP_BUCKET_1D, d0, d1);
	hours(out, &n, d1, b);
	return n;
}

/* The store's fold mark: 5-minute buckets from there on are not in the hourly/daily tables. */
static int
fold_mark(sqlite3 *db, int64_t *out, char **cause)
{
	sqlite3_stmt *st = NULL;
	if (np_report_prepare(db, "SELECT next_5m FROM fold WHERE id = 1", &st, cause) == -1)
		return -1;
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE) {
		np_report_sqlerr(db, "reading the rollup fold mark", cause);
		return -1;
	}
	return 0;
}

int
np_usage_group_parse(char *spec, struct np_usage_opts *o, char **cause)
{
	char *p = spec, *tok;
	o->ngroup = 0;
	while ((tok = strsep(&p, ",")) != NULL) {
		if (*tok == '\0') {
			np_cause(cause, "invalid --group-by: empty label name");
			return -1;
		}
		if (o->ngroup == NP_USAGE_MAX_KEYS) {
			np_cause(cause, "invalid --group-by: more than %d labels",
			         NP_USAGE_MAX_KEYS);
			return -1;
		}
		o->group_by[o->ngroup++] = tok;
	}
	return 0;
}

/* The series' value for group key k (malloc'd), or NULL if it has none. */
static char *
key_value(const struct series *s, const char *k)
{
	for (size_t i = 0; i < 4; i++) {
		if (strcmp(k, pseudo[i]) == 0)
			return np_xstrdup(s->f[i]);
	}
	json_t *v = s->labels != NULL ? json_object_get(s->labels, k) : NULL;
	char b[NP_FMT_MAX];
	switch (v != NULL ? json_typeof(v) : JSON_NULL) {
	case JSON_STRING:
		return np_xstrdup(json_string_value(v));
	case JSON_INTEGER:
		return np_xasprintf("%lld", (long long)json_integer_value(v));
	case JSON_REAL:
		np_fmt_real(json_real_value(v), b);
		return np_xstrdup(b);
	case JSON_TRUE:
		return np_xstrdup("true");
	case JSON_FALSE:
		return np_xstrdup("false");
	case JSON_OBJECT:
	case JSON_ARRAY: {
		char *d = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
		char *r = np_xstrdup(d != NULL ? d : "");
		free(d);
		return r;
	}
	default:
		return NULL;
	}
}

/* The series with this id (v sorted by id); rows come in series order, so try after *hint. */
static struct series *
find_series(struct series *v, size_t n, int64_t id, size_t *hint)
{
	size_t h = *hint + 1 < n ? *hint + 1 : 0;
	if (n > 0 && v[h].id == id) {
		*hint = h;
		return &v[h];
	}
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].id == id) {
			*hint = mid;
			return &v[mid];
		}
		if (v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Wrapping sums: a corrupt row must not be undefined behaviour (SQLite's SUM failed on it). */
static int64_t
add64(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* One rollup row into the series' segment sums, as SUM, MAX and MIN would (NULLs skipped). */
static void
part_row(struct part *p, sqlite3_stmt *st)
{
	p->seen = true;
	p->secs += sqlite3_column_double(st, 1);
	for (int i = 0; i < NP_USAGE_NCOUNTERS; i++)
		p->c[i] = add64(p->c[i], sqlite3_column_int64(st, 2 + i));
	double prx = sqlite3_column_double(st, 10), ptx = sqlite3_column_double(st, 11);
	if (prx > p->peak_rx)
		p->peak_rx = prx;
	if (ptx > p->peak_tx)
		p->peak_tx = ptx;
	int64_t gn = sqlite3_column_int64(st, 15);
	double gsum = sqlite3_column_double(st, 14);
	if (gn == 0 && gsum == 0 && sqlite3_column_type(st, 12) == SQLITE_NULL &&
	    sqlite3_column_type(st, 13) == SQLITE_NULL)
		return; /* no gauge: the common case */
	if (sqlite3_column_type(st, 12) != SQLITE_NULL) {
		double v = sqlite3_column_double(st, 12);
		if (!p->has_gmin || v < p->gmin)
			p->gmin = v;
		p->has_gmin = true;
	}
	if (sqlite3_column_type(st, 13) != SQLITE_NULL) {
		double v = sqlite3_column_double(st, 13);
		if (!p->has_gmax || v > p->gmax)
			p->gmax = v;
		p->has_gmax = true;
	}
	p->gsum += gsum;
	p->gn = add64(p->gn, gn);
}

/* A segment's sums into the series' totals; clears them for the next segment. */
static void
add_part(struct series *s)
{
	struct part *p = &s->part;
	if (!p->seen)
		return;
	s->seen = true;
	s->secs += p->secs;
	for (int i = 0; i < NP_USAGE_NCOUNTERS; i++)
		s->c[i] = add64(s->c[i], p->c[i]);
	if (p->peak_rx > s->peak_rx)
		s->peak_rx = p->peak_rx;
	if (p->peak_tx > s->peak_tx)
		s->peak_tx = p->peak_tx;
	if (p->gn > 0) {
		/* A segment with gauge samples but no min (or max) counts it as 0, as before. */
		double mn = p->has_gmin ? p->gmin : 0, mx = p->has_gmax ? p->gmax : 0;
		if (!s->has_gauge || mn < s->gmin)
			s->gmin = mn;
		if (!s->has_gauge || mx > s->gmax)
			s->gmax = mx;
		s->has_gauge = true;
		s->gsum += p->gsum;
		s->gn += p->gn;
	}
	memset(p, 0, sizeof(*p));
}

static void
row_add(struct np_usage_row *r, const struct series *s)
{
	r->nseries++;
	for (int i = 0; i < NP_USAGE_NCOUNTERS; i++)
		r->counters[i] += s->c[i];
	if (s->secs > r->secs)
		r->secs = s->secs;
	if (s->secs > 0) {
		r->avg_rx += (double)s->c[0] / s->secs;
		r->avg_tx += (double)s->c[1] / s->secs;
	}
	if (s->peak_rx > r->peak_rx)
		r->peak_rx = s->peak_rx;
	if (s->peak_tx > r->peak_tx)
		r->peak_tx = s->peak_tx;
	if (s->has_gauge) {
		if (!r->has_gauge || s->gmin < r->gauge_min)
			r->gauge_min = s->gmin;
		if (!r->has_gauge || s->gmax > r->gauge_max)
			r->gauge_max = s->gmax;
		r->has_gauge = true;
		r->gauge_sum += s->gsum;
		r->gauge_n += s->gn;
	}
}

static int
keycmp(char *const *a, char *const *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (a[i] == NULL || b[i] == NULL) {
			if (a[i] != b[i])
				return a[i] == NULL ? -1 : 1;
			continue;
		}
		int c = strcmp(a[i], b[i]);
		if (c != 0)
			return c;
	}
	return 0;
}

/* qsort has no context argument: sort pointers, comparing all keys (NULL-padded). */
static int
series_cmp(const void *x, const void *y)
{
	const struct series *a = *(struct series *const *)x, *b = *(struct series *const *)y;
	int c = keycmp(a->key, b->key, NP_USAGE_MAX_KEYS);
	return c != 0 ? c : (a->id > b->id) - (a->id < b->id);
}

static void
free_series(struct series *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < 4; k++)
			free(v[i].f[k]);
		for (size_t k = 0; k < NP_USAGE_MAX_KEYS; k++)
			free(v[i].key[k]);
		json_decref(v[i].labels);
	}
	free(v);
}

/* Clears a series' sums for the next window; its names, labels and keys stay. */
static void
clear_sums(struct series *s)
{
	s->seen = false;
	memset(s->c, 0, sizeof(s->c));
	s->secs = s->peak_rx = s->peak_tx = 0;
	s->has_gauge = false;
	s->gmin = s->gmax = s->gsum = 0;
	s->gn = 0;
	memset(&s->part, 0, sizeof(s->part));
}

/* What one report reads, loaded once: series, the fold mark, the window's amounts. */
struct source {
	sqlite3 *db;
	struct series *v;
	size_t n, cap;
	int64_t folded;
	struct np_usage_amounts am;
};

static int
load_series(struct source *x, const struct np_usage_opts *o, char **cause)
{
	sqlite3_stmt *st = NULL;
	int r;
	if (np_report_prepare(x->db, series_sql, &st, cause) == -1)
		return -1;
	np_report_bind_str(st, 1, o->source);
	np_report_bind_str(st, 2, o->device);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (x->n == x->cap) {
			x->cap = x->cap ? x->cap * 2 : 64;
			x->v = np_xreallocarray(x->v, x->cap, sizeof(*x->v));
		}
		struct series *s = &x->v[x->n++];
		memset(s, 0, sizeof(*s));
		s->id = sqlite3_column_int64(st, 0);
		for (int k = 0; k < 4; k++)
			s->f[k] = np_xstrdup(np_report_text(st, 1 + k));
		s->labels = json_loads(np_report_text(st, 5), JSON_DECODE_ANY, NULL);
	}
	if (r != SQLITE_DONE)
		np_report_sqlerr(x->db, "reading series", cause);
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : -1;
}

/* Each amount's share of [a, b) into its series' sums, its overlap as seconds covered. */
static void
add_amounts(struct source *x, int64_t a, int64_t b)
{
	size_t hint = x->n;
	for (size_t i = 0; i < x->am.n; i++) {
		const struct np_usage_amount *m = &x->am.v[i];
		if (m->end <= a || m->start >= b)
			continue;
		struct series *s = find_series(x->v, x->n, m->series, &hint);
		if (s == NULL)
			continue; /* filtered out by --source/--device */
		s->seen = true;
		s->secs += (double)((m->end < b ? m->end : b) - (m->start > a ? m->start : a));
		for (int k = 0; k < NP_USAGE_NCOUNTERS; k++) {
			if (m->mask & (1u << k))
				s->c[k] =
				    add64(s->c[k], np_usage_share(m->c[k], m->start, m->end, a, b));
		}
	}
}

/* Every series' sums over [a, b): the rollup segments, then the amounts. */
static int
accumulate(struct source *x, int64_t a, int64_t b, char **cause)
{
	static const char *const rollup_sql[] = {ROLLUP_SQL("rollup_5m"), ROLLUP_SQL("rollup_1h"),
	                                         ROLLUP_SQL("rollup_1d")};
	for (size_t k = 0; k < x->n; k++)
		clear_sums(&x->v[k]);
	struct np_usage_seg segs[NP_USAGE_MAX_SEGS];
	size_t nseg = np_usage_segments(a, b, x->folded, segs);
	for (size_t i = 0; i < nseg; i++) {
		int t = segs[i].width == NP_BUCKET_5M ? 0 : segs[i].width == NP_BUCKET_1H ? 1 : 2;
		sqlite3_stmt *st = NULL;
		int r;
		if (np_report_prepare(x->db, rollup_sql[t], &st, cause) == -1)
			return -1;
		sqlite3_bind_int64(st, 1, segs[i].from);
		sqlite3_bind_int64(st, 2, segs[i].to);
		size_t hint = x->n;
		while ((r = sqlite3_step(st)) == SQLITE_ROW) {
			struct series *s =
			    find_series(x->v, x->n, sqlite3_column_int64(st, 0), &hint);
			if (s != NULL)
				part_row(&s->part, st);
		}
		if (r != SQLITE_DONE)
			np_report_sqlerr(x->db, "reading rollups", cause);
		sqlite3_finalize(st);
		if (r != SQLITE_DONE)
			return -1;
		for (size_t k = 0; k < x->n; k++)
			add_part(&x->v[k]);
	}
	add_amounts(x, a, b);
	return 0;
}

/*
 * The groups with data in the window just summed, as rows [a, b) of u in key order (order:
 * scratch for n pointers); into *total too unless NULL.
 */
static void
emit_rows(struct np_usage *u, struct source *x, struct series **order, size_t *cap, int64_t a,
          int64_t b, struct np_usage_row *total)
{
	size_t nseen = 0, first = u->nrows;
	for (size_t i = 0; i < x->n; i++) {
		if (x->v[i].seen)
			order[nseen++] = &x->v[i];
	}
	qsort(order, nseen, sizeof(*order), series_cmp);
	for (size_t i = 0; i < nseen; i++) {
		struct series *s = order[i];
		if (u->nrows == first ||
		    keycmp(u->rows[u->nrows - 1].key, s->key, NP_USAGE_MAX_KEYS) != 0) {
			if (u->nrows == *cap) {
				*cap = *cap ? *cap * 2 : 16;
				u->rows = np_xreallocarray(u->rows, *cap, sizeof(*u->rows));
			}
			struct np_usage_row *row = &u->rows[u->nrows++];
			memset(row, 0, sizeof(*row));
			row->start = a;
			row->end = b;
			for (size_t k = 0; k < u->nkeys; k++)
				row->key[k] = s->key[k] != NULL ? np_xstrdup(s->key[k]) : NULL;
		}
		row_add(&u->rows[u->nrows - 1], s);
		if (total != NULL)
			row_add(total, s);
	}
}

int
np_usage_compute(sqlite3 *db, const struct np_period *p, int64_t now, const struct np_usage_opts *o,
                 struct np_usage *u, char **cause)
{
	struct source x = {.db = db, .folded = INT64_MAX};
	struct series **order = NULL;
	int64_t *edges = NULL;
	size_t cap = 0;

	memset(u, 0, sizeof(*u));
	u->start = p->start;
	u->end = p->end < now ? p->end : now;
	if (u->end < u->start)
		u->end = u->start;
	u->per = o->per;
	u->total.start = u->start;
	u->total.end = u->end;
	if (o->ngroup == 0) {
		u->nkeys = 3;
		memcpy(u->keys, default_keys, sizeof(default_keys));
	} else {
		u->grouped = true;
		u->nkeys = o->ngroup;
		memcpy(u->keys, o->group_by, o->ngroup * sizeof(*u->keys));
	}
	if (load_series(&x, o, cause) == -1 || fold_mark(db, &x.folded, cause) == -1 ||
	    np_usage_amounts_load(db, u->start, u->end, &x.am, cause) == -1)
		goto fail;
	for (size_t i = 0; i < x.n; i++) {
		for (size_t k = 0; k < u->nkeys; k++)
			x.v[i].key[k] = key_value(&x.v[i], u->keys[k]);
	}
	order = np_xcalloc(x.n ? x.n : 1, sizeof(*order));

	if (o->per == NP_PER_NONE) {
		if (accumulate(&x, u->start, u->end, cause) == -1)
			goto fail;
		emit_rows(u, &x, order, &cap, u->start, u->end, &u->total);
	} else {
		/* The total is the whole window's (rates over all of it), as without --per. */
		if (accumulate(&x, u->start, u->end, cause) == -1)
			goto fail;
		for (size_t i = 0; i < x.n; i++) {
			if (x.v[i].seen)
				row_add(&u->total, &x.v[i]);
		}
		struct np_tz *utc = o->tz == NULL ? np_tz_utc() : NULL;
		long nb = np_usage_per_edges(o->per, o->tz != NULL ? o->tz : utc, u->start, u->end,
		                             &edges, cause);
		np_tz_free(utc);
		if (nb < 0)
			goto fail;
		for (long i = 0; i < nb; i++) {
			if (accumulate(&x, edges[i], edges[i + 1], cause) == -1)
				goto fail;
			emit_rows(u, &x, order, &cap, edges[i], edges[i + 1], NULL);
		}
	}
	if (u->rows == NULL)
		u->rows = np_xcalloc(1, sizeof(*u->rows));
	free(edges);
	free(order);
	free_series(x.v, x.n);
	np_usage_amounts_free(&x.am);
	return 0;
fail:
	free(edges);
	free(order);
	free_series(x.v, x.n);
	np_usage_amounts_free(&x.am);
	np_usage_free(u);
	return -1;
}

void
np_usage_free(struct np_usage *u)
{
	for (size_t i = 0; i < u->nrows; i++) {
		for (size_t k = 0; k < NP_USAGE_MAX_KEYS; k++)
			free(u->rows[i].key[k]);
	}
	free(u->rows);
	u->rows = NULL;
	u->nrows = 0;
}
