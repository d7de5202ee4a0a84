/* `netpulse egress`: Aviatrix spoke internal/egress bytes (egress.h). */
#include "report/egress.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "report/avx_text.h"
#include "util/buf.h"
#include "report/report.h"
#include "report/usage.h"
#include "util/cause.h"
#include "util/xmalloc.h"

const char *const np_egress_attr_names[NP_EA_N] = {
    "gateway", "account", "vpc", "vpc_id", "region", "cloud", "transit", "group",
};

/* The original CSV's names of the attributes. */

/* The eth0 series of gateways; SQL orders by (source, device) as strcmp does. */
static const char gw_sql[] =
    "SELECT source, device, labels FROM series WHERE interface = 'eth0' AND kind = 'if'"
    " AND (?1 IS NULL OR source = ?1) ORDER BY source, device";

struct gw {
	char *source, *device;
	char *attr[NP_EA_N];
};

/* One gateway's figures in one bucket. */
struct gwrow {
	int64_t start, end;
	size_t gw;
	const char *key[NP_EA_N]; /* the group keys' values (pointers into gw), NULL after */
	const char *name;         /* the gateway label */
	struct np_egress_sums s;
};

struct work {
	struct gw *gw;
	size_t ngw;
	struct gwrow *r;
	size_t nr, cap;
	const enum np_egress_attr *keys;
	size_t nkeys;
};

int
np_egress_group_parse(const char *spec, struct np_egress_opts *o, char **cause)
{
	const char *p = spec;
	o->nkeys = 0;
	for (;;) {
		size_t len = strcspn(p, ",");
		size_t k;
		for (k = 0; k < NP_EA_N; k++) {
			if (strlen(np_egress_attr_names[k]) == len &&
			    strncmp(p, np_egress_attr_names[k], len) == 0)
				break;
		}
		if (k == NP_EA_N) {
			np_cause(cause,
			         "invalid --group-by \"%.*s\": expected account, region, cloud, "
			         "transit, vpc, vpc_id, group or gateway",
			         (int)len, p);
			return -1;
		}
		for (size_t i = 0; i < o->nkeys; i++) {
			if (o->keys[i] == (enum np_egress_attr)k) {
				np_cause(cause, "invalid --group-by: \"%s\" given twice",
				         np_egress_attr_names[k]);
				return -1;
			}
		}
		o->keys[o->nkeys++] = (enum np_egress_attr)k;
		if (p[len] == '\0')
			return 0;
		p += len + 1;
	}
}

void
np_egress_apply(struct np_egress_sums *s)
{
	int64_t tun = s->internal_rx + s->internal_tx;
	s->egress_rx = s->eth0_rx - tun;
	s->egress_tx = s->eth0_tx - tun;
	s->floored = s->egress_rx < 0 || s->egress_tx < 0;
	if (s->egress_rx < 0)
		s->egress_rx = 0;
	if (s->egress_tx < 0)
		s->egress_tx = 0;
	s->total = s->internal_rx + s->internal_tx + s->egress_rx + s->egress_tx;
}

static void
sums_add(struct np_egress_sums *a, const struct np_egress_sums *b)
{
	a->eth0_rx += b->eth0_rx;
	a->eth0_tx += b->eth0_tx;
	a->internal_rx += b->internal_rx;
	a->internal_tx += b->internal_tx;
	a->egress_rx += b->egress_rx;
	a->egress_tx += b->egress_tx;
	a->total += b->total;
	a->floored = a->floored || b->floored;
}

static int
load_gateways(sqlite3 *db, const char *source, struct work *w, char **cause)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int r;
	if (np_report_prepare(db, gw_sql, &st, cause) == -1)
		return -1;
	np_report_bind_str(st, 1, source);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *l = json_loads(np_report_text(st, 2), 0, NULL);
		json_t *g = json_object_get(l, "gateway");
		if (!json_is_string(g)) {
			json_decref(l);
			continue; /* an eth0 of another kind of source */
		}
		if (w->ngw == cap) {
			cap = cap ? cap * 2 : 16;
			w->gw = np_xreallocarray(w->gw, cap, sizeof(*w->gw));
		}
		struct gw *x = &w->gw[w->ngw++];
		x->source = np_xstrdup(np_report_text(st, 0));
		x->device = np_xstrdup(np_report_text(st, 1));
		for (size_t k = 0; k < NP_EA_N; k++) {
			json_t *v = json_object_get(l, np_egress_attr_names[k]);
			x->attr[k] = np_xstrdup(json_is_string(v) ? json_string_value(v) : "");
		}
		json_decref(l);
	}
	if (r != SQLITE_DONE)
		np_report_sqlerr(db, "reading gateways", cause);
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : -1;
}

static struct gw *
find_gw(struct work *w, const char *source, const char *device)
{
	size_t lo = 0, hi = w->ngw;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(w->gw[mid].source, source);
		if (c == 0)
			c = strcmp(w->gw[mid].device, device);
		if (c == 0)
			return &w->gw[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* One source's interface sums per bucket into w->r (rows of one gateway are adjacent). */
static int
read_source(sqlite3 *db, const struct np_period *p, int64_t now, const char *source,
            const struct np_egress_opts *o, struct work *w, char **cause)
{
	struct np_usage_opts uo = {.source = source, .per = o->per, .tz = o->tz};
	struct np_usage u;
	uo.group_by[0] = "device";
	uo.group_by[1] = "interface";
	uo.group_by[2] = "kind";
	uo.ngroup = 3;
	if (np_usage_compute(db, p, now, &uo, &u, cause) == -1)
		return -1;
	for (size_t i = 0; i < u.nrows; i++) {
		const struct np_usage_row *ur = &u.rows[i];
		const char *dev = ur->key[0], *ifn = ur->key[1], *kind = ur->key[2];
		if (dev == NULL || ifn == NULL || kind == NULL || strcmp(kind, "if") != 0)
			continue;
		bool eth0 = strcmp(ifn, "eth0") == 0;
		if (!eth0 && strncmp(ifn, "tun-", 4) != 0)
			continue;
		struct gw *g = find_gw(w, source, dev);
		if (g == NULL)
			continue;
		size_t gi = (size_t)(g - w->gw);
		struct gwrow *r = w->nr > 0 ? &w->r[w->nr - 1] : NULL;
		if (r == NULL || r->gw != gi || r->start != ur->start) {
			if (w->nr == w->cap) {
				w->cap = w->cap ? w->cap * 2 : 64;
				w->r = np_xreallocarray(w->r, w->cap, sizeof(*w->r));
			}
			r = &w->r[w->nr++];
			memset(r, 0, sizeof(*r));
			r->start = ur->start;
			r->end = ur->end;
			r->gw = gi;
		}
		if (eth0) {
			r->s.eth0_rx += ur->counters[0];
			r->s.eth0_tx += ur->counters[1];
		} else {
			r->s.internal_rx += ur->counters[0];
			r->s.internal_tx += ur->counters[1];
		}
	}
	np_usage_free(&u);
	return 0;
}

static int
cmp_bucket_gw(const void *x, const void *y)
{
	const struct gwrow *a = x, *b = y;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return (a->gw > b->gw) - (a->gw < b->gw);
}

/* Same bucket and group; key[] holds nkeys values and a NULL after them. */
static int
keycmp(const struct gwrow *a, const struct gwrow *b)
{
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	for (size_t k = 0; k < NP_EA_N && a->key[k] != NULL; k++) {
		int c = strcmp(a->key[k], b->key[k]);
		if (c != 0)
			return c;
	}
	return 0;
}

static int
cmp_group(const void *x, const void *y)
{
	const struct gwrow *a = x, *b = y;
	int c = keycmp(a, b);
	if (c != 0)
		return c;
	c = strcmp(a->name, b->name);
	return c != 0 ? c : (a->gw > b->gw) - (a->gw < b->gw);
}

/* Rows from the per-gateway figures sorted by (bucket, keys, gateway). */
static void
build_rows(struct work *w, struct np_egress *e)
{
	e->rows = np_xcalloc(w->nr ? w->nr : 1, sizeof(*e->rows));
	for (size_t i = 0; i < w->nr;) {
		size_t j = i;
		while (j < w->nr && keycmp(&w->r[i], &w->r[j]) == 0)
			j++;
		struct np_egress_row *row = &e->rows[e->nrows++];
		const struct gw *g0 = &w->gw[w->r[i].gw];
		row->start = w->r[i].start;
		row->end = w->r[i].end;
		for (size_t k = 0; k < w->nkeys; k++)
			row->key[k] = np_xstrdup(g0->attr[w->keys[k]]);
		for (size_t a = 0; a < NP_EA_N; a++) {
			bool same = true;
			for (size_t m = i + 1; m < j && same; m++)
				same = strcmp(w->gw[w->r[m].gw].attr[a], g0->attr[a]) == 0;
			row->attr[a] = same ? np_xstrdup(g0->attr[a]) : NULL;
		}
		row->gateways = np_xcalloc(j - i + 1, sizeof(char *));
		for (size_t m = i; m < j; m++) {
			row->gateways[m - i] = np_xstrdup(w->gw[w->r[m].gw].attr[NP_EA_GATEWAY]);
			sums_add(&row->s, &w->r[m].s);
		}
		row->s.gateways = j - i;
		sums_add(&e->total, &row->s);
		i = j;
	}
}

static void
free_work(struct work *w)
{
	for (size_t i = 0; i < w->ngw; i++) {
		free(w->gw[i].source);
		free(w->gw[i].device);
		for (size_t k = 0; k < NP_EA_N; k++)
			free(w->gw[i].attr[k]);
	}
	free(w->gw);
	free(w->r);
}

int
np_egress_compute(sqlite3 *db, const struct np_period *p, int64_t now,
                  const struct np_egress_opts *o, struct np_egress *e, char **cause)
{
	struct work w = {0};
	memset(e, 0, sizeof(*e));
	e->start = p->start;
	e->end = p->end < now ? p->end : now;
	if (e->end < e->start)
		e->end = e->start;
	e->per = o->per;
	if (o->nkeys == 0) {
		e->keys[0] = NP_EA_GATEWAY;
		e->nkeys = 1;
	} else {
		memcpy(e->keys, o->keys, o->nkeys * sizeof(*o->keys));
		e->nkeys = o->nkeys;
	}
	w.keys = e->keys;
	w.nkeys = e->nkeys;
	if (load_gateways(db, o->source, &w, cause) == -1)
		goto fail;
	/* One usage read per source (gw is ordered by source): never other sources' series. */
	for (size_t i = 0; i < w.ngw; i++) {
		if (i > 0 && strcmp(w.gw[i].source, w.gw[i - 1].source) == 0)
			continue;
		if (read_source(db, p, now, w.gw[i].source, o, &w, cause) == -1)
			goto fail;
	}
	if (w.nr > 0) /* qsort(NULL, 0, ...) is undefined */
		qsort(w.r, w.nr, sizeof(*w.r), cmp_bucket_gw);
	bool *seen = np_xcalloc(w.ngw ? w.ngw : 1, sizeof(bool));
	for (size_t i = 0; i < w.nr; i++) {
		np_egress_apply(&w.r[i].s);
		if (!seen[w.r[i].gw])
			e->total.gateways++;
		seen[w.r[i].gw] = true;
	}
	free(seen);
	for (size_t i = 0; i < w.nr; i++) {
		const struct gw *g = &w.gw[w.r[i].gw];
		for (size_t k = 0; k < w.nkeys; k++)
			w.r[i].key[k] = g->attr[w.keys[k]];
		w.r[i].name = g->attr[NP_EA_GATEWAY];
	}
	if (w.nr > 0) /* qsort(NULL, 0, ...) is undefined */
		qsort(w.r, w.nr, sizeof(*w.r), cmp_group);
	size_t ngw = e->total.gateways;
	build_rows(&w, e);
	e->total.gateways = ngw;
	free_work(&w);
	return 0;
fail:
	free_work(&w);
	np_egress_free(e);
	return -1;
}

void
np_egress_free(struct np_egress *e)
{
	for (size_t i = 0; i < e->nrows; i++) {
		struct np_egress_row *r = &e->rows[i];
		for (size_t k = 0; k < NP_EA_N; k++) {
			free(r->key[k]);
			free(r->attr[k]);
		}
		for (size_t g = 0; r->gateways != NULL && r->gateways[g] != NULL; g++)
			free(r->gateways[g]);
		free(r->gateways);
	}
	free(e->rows);
	e->rows = NULL;
	e->nrows = 0;
}
