#include "report/downtime.h"

#include <stdlib.h>
#include <string.h>

#include "report/json_doc.h"
#include "util/buf.h"
#include "report/fmt.h"
#include "report/ival.h"
#include "util/cause.h"
#include "util/xmalloc.h"

static const char links_sql[] =
    "SELECT device, interface FROM links WHERE ?1 IS NULL OR device = ?1"
    " UNION SELECT device, interface FROM outages WHERE (?1 IS NULL OR device = ?1)"
    "   AND start < ?3 AND (end IS NULL OR end >= ?2)"
    " ORDER BY 1, 2";
/*
 * Every link's first sighting in one pass per table (a per-link lookup would scan series
 * and transitions once per link: no index starts with device, interface there).
 */
static const char first_seen_sql[] =
    "SELECT device, interface, MIN(t) FROM ("
    " SELECT device, interface, MIN(first_seen) AS t FROM series"
    "  WHERE ?1 IS NULL OR device = ?1 GROUP BY device, interface"
    " UNION ALL SELECT device, interface, MIN(time) FROM transitions"
    "  WHERE ?1 IS NULL OR device = ?1 GROUP BY device, interface"
    " UNION ALL SELECT device, interface, MIN(start) FROM outages"
    "  WHERE ?1 IS NULL OR device = ?1 GROUP BY device, interface"
    " UNION ALL SELECT device, interface, MIN(start) FROM unobserved"
    "  WHERE ?1 IS NULL OR device = ?1 GROUP BY device, interface"
    " UNION ALL SELECT device, interface, since FROM links WHERE ?1 IS NULL OR device = ?1)"
    " GROUP BY device, interface ORDER BY device, interface";
/* Intervals overlapping [?2, ?3), in link order; the same shape for both tables. */
static const char outages_sql[] =
    "SELECT device, interface, start, end FROM outages WHERE (?1 IS NULL OR device = ?1)"
    " AND start < ?3 AND (end IS NULL OR end >= ?2) ORDER BY device, interface, start";
static const char unobserved_sql[] =
    "SELECT device, interface, start, end FROM unobserved WHERE (?1 IS NULL OR device = ?1)"
    " AND start < ?3 AND (end IS NULL OR end >= ?2) ORDER BY device, interface, start";
/*
 * Time inside maintenance windows, as netpulsed recorded it when it happened (core/maint_rec.h
 * says why not from the config of today).
 */
static const char maintenance_sql[] =
    "SELECT device, interface, start, end FROM maintenance WHERE (?1 IS NULL OR device = ?1)"
    " AND start < ?3 AND end > ?2 ORDER BY device, interface, start";
static const char maintenance_any_sql[] = "SELECT EXISTS (SELECT 1 FROM maintenance)";
static const char runs_sql[] = "SELECT started, last_alive FROM runs"
                               " WHERE started < ?2 AND last_alive >= ?1";
static const char runs_any_sql[] = "SELECT EXISTS (SELECT 1 FROM runs)";

/* Per-link intervals while the rows are distributed. */
struct work {
	struct np_ivset down, stale, maint;
};

/* Link order = SQLite's BINARY collation on (device, interface) = strcmp. */
static int
link_cmp(const struct np_downtime_link *l, sqlite3_stmt *st)
{
	int c = strcmp(l->device, np_report_text(st, 0));
	return c != 0 ? c : strcmp(l->interface, np_report_text(st, 1));
}

/*
 * Walks rows ordered like d->links, calling fn with the link each row belongs to (rows of
 * links not listed are skipped). Returns -1 on an SQL error.
 */
static int
distribute(sqlite3 *db, sqlite3_stmt *st, struct np_downtime *d, struct work *w,
           int (*fn)(sqlite3_stmt *, struct np_downtime_link *, struct work *, void *), void *arg,
           const char *what, char **cause)
{
	size_t k = 0;
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int c = 1;
		while (k < d->nlinks && (c = link_cmp(&d->links[k], st)) < 0)
			k++;
		if (k == d->nlinks)
			break;
		if (c == 0 && fn(st, &d->links[k], &w[k], arg) == -1)
			return -1;
	}
	if (r != SQLITE_DONE && r != SQLITE_ROW)
		return np_report_sqlerr(db, what, cause);
	return 0;
}

static int
take_first_seen(sqlite3_stmt *st, struct np_downtime_link *l, struct work *w, void *arg)
{
	(void)w;
	(void)arg;
	if (sqlite3_column_type(st, 2) != SQLITE_NULL)
		l->first_seen = sqlite3_column_int64(st, 2);
	return 0;
}

struct iv_arg {
	int64_t ws, now;
	enum { IV_OUTAGES, IV_UNOBSERVED, IV_MAINT } kind;
};

static int
take_interval(sqlite3_stmt *st, struct np_downtime_link *l, struct work *w, void *arg)
{
	const struct iv_arg *a = arg;
	int64_t s = sqlite3_column_int64(st, 2);
	bool open = sqlite3_column_type(st, 3) == SQLITE_NULL;
	int64_t e = open ? a->now : sqlite3_column_int64(st, 3);
	if (a->kind == IV_OUTAGES) {
		/* Overlapping the window; one of zero length inside it counts too. */
		if (e > s ? e > a->ws : s >= a->ws)
			l->outages++;
		np_ivset_add(&w->down, s, e);
	} else if (a->kind == IV_UNOBSERVED) {
		np_ivset_add(&w->stale, s, e);
	} else {
		np_ivset_add(&w->maint, s, e);
	}
	return 0;
}

static void
availability(int64_t down_observed, int64_t observed, bool *has, double *v)
{
	*has = observed > 0;
	*v = 0;
	if (!*has)
		return;
	*v = 1.0 - (double)down_observed / (double)observed;
	if (*v < 0)
		*v = 0;
}

/* s minus m within [a, b), in place (both normalized). */
static void
subtract(struct np_ivset *s, const struct np_ivset *m, int64_t a, int64_t b)
{
	if (m->n == 0)
		return;
	struct np_ivset out = {0}, not_s = {0}, u = {0};
	np_ivset_complement(s, a, b, &not_s);
	np_ivset_union(&not_s, m, &u);
	np_ivset_complement(&u, a, b, &out); /* s and not m */
	np_ivset_free(s);
	*s = out;
	np_ivset_free(&not_s);
	np_ivset_free(&u);
}

static void
compute_link(const struct np_downtime *d, const struct np_ivset *runs, bool have_runs,
             struct np_downtime_link *l, struct work *w)
{
	struct np_ivset gaps = {0}, unobs = {0}, m = {0};
	int64_t ls = l->first_seen > d->start ? l->first_seen : d->start, le = d->end;
	if (ls > le)
		ls = le;
	np_ivset_norm(&w->down);
	np_ivset_clip(&w->down, d->start, d->end);
	np_ivset_norm(&w->stale);
	np_ivset_clip(&w->stale, ls, le);
	if (have_runs)
		np_ivset_complement(runs, ls, le, &gaps);
	np_ivset_union(&w->stale, &gaps, &unobs);
	/* Overlapping windows count once; clipped to the link's part of the period. */
	np_ivset_norm(&w->maint);
	np_ivset_clip(&w->maint, ls, le);
	struct np_ivset none = {0};
	np_ivset_union(&w->maint, &none, &m);
	/* Maintenance time is neither down nor unobserved nor observed. */
	subtract(&w->down, &m, d->start, d->end);
	subtract(&unobs, &m, ls, le);

	l->maintenance = np_ivset_total(&m);
	l->down = np_ivset_total(&w->down);
	l->unobserved = np_ivset_total(&unobs);
	l->observed = (le - ls) - l->unobserved - l->maintenance;
	l->down_observed = l->down - np_ivset_overlap(&w->down, &unobs);
	availability(l->down_observed, l->observed, &l->has_availability, &l->availability);
	np_ivset_free(&gaps);
	np_ivset_free(&unobs);
	np_ivset_free(&m);
}

static int
prepare_bound(sqlite3 *db, const char *sql, sqlite3_stmt **st, const char *device, int64_t ws,
              int64_t we, char **cause)
{
	if (np_report_prepare(db, sql, st, cause) == -1)
		return -1;
	np_report_bind_str(*st, 1, device);
	sqlite3_bind_int64(*st, 2, ws);
	sqlite3_bind_int64(*st, 3, we);
	return 0;
}

int
np_downtime_compute(sqlite3 *db, const struct np_period *p, int64_t now, const char *device,
                    struct np_downtime *d, char **cause)
{
	sqlite3_stmt *st = NULL;
	struct np_ivset runs = {0};
	struct work *w = NULL;
	bool have_runs = false;
	size_t cap = 0;
	int r;

	memset(d, 0, sizeof(*d));
	d->start = p->start;
	d->end = p->end < now ? p->end : now;
	if (d->end < d->start)
		d->end = d->start;

	if (np_report_prepare(db, runs_any_sql, &st, cause) == -1)
		goto fail;
	if (sqlite3_step(st) != SQLITE_ROW) {
		np_report_sqlerr(db, "reading runs", cause);
		goto fail;
	}
	have_runs = sqlite3_column_int(st, 0) != 0;
	sqlite3_finalize(st);
	if (np_report_prepare(db, maintenance_any_sql, &st, cause) == -1)
		goto fail;
	if (sqlite3_step(st) != SQLITE_ROW) {
		np_report_sqlerr(db, "reading maintenance", cause);
		goto fail;
	}
	d->maint = sqlite3_column_int(st, 0) != 0;
	sqlite3_finalize(st);
	if (np_report_prepare(db, runs_sql, &st, cause) == -1)
		goto fail;
	sqlite3_bind_int64(st, 1, d->start);
	sqlite3_bind_int64(st, 2, d->end);
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		np_ivset_add(&runs, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1));
	if (r != SQLITE_DONE) {
		np_report_sqlerr(db, "reading runs", cause);
		goto fail;
	}
	np_ivset_norm(&runs);
	sqlite3_finalize(st);

	if (prepare_bound(db, links_sql, &st, device, d->start, d->end, cause) == -1)
		goto fail;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (d->nlinks == cap) {
			cap = cap ? cap * 2 : 16;
			d->links = np_xreallocarray(d->links, cap, sizeof(*d->links));
		}
		struct np_downtime_link *l = &d->links[d->nlinks++];
		memset(l, 0, sizeof(*l));
		l->device = np_xstrdup(np_report_text(st, 0));
		l->interface = np_xstrdup(np_report_text(st, 1));
		l->first_seen = INT64_MIN;
	}
	if (r != SQLITE_DONE) {
		np_report_sqlerr(db, "reading links", cause);
		goto fail;
	}
	sqlite3_finalize(st);
	w = np_xcalloc(d->nlinks ? d->nlinks : 1, sizeof(*w));

	struct iv_arg out = {d->start, now, IV_OUTAGES}, unobs = {d->start, now, IV_UNOBSERVED},
	              maint = {d->start, now, IV_MAINT};
	if (np_report_prepare(db, first_seen_sql, &st, cause) == -1)
		goto fail;
	np_report_bind_str(st, 1, device);
	if (distribute(db, st, d, w, take_first_seen, NULL, "reading first sightings", cause) == -1)
		goto fail;
	sqlite3_finalize(st);
	if (prepare_bound(db, outages_sql, &st, device, d->start, d->end, cause) == -1 ||
	    distribute(db, st, d, w, take_interval, &out, "reading outages", cause) == -1)
		goto fail;
	sqlite3_finalize(st);
	if (prepare_bound(db, unobserved_sql, &st, device, d->start, d->end, cause) == -1 ||
	    distribute(db, st, d, w, take_interval, &unobs, "reading unobserved", cause) == -1)
		goto fail;
	sqlite3_finalize(st);
	st = NULL;
	if (d->maint) {
		if (prepare_bound(db, maintenance_sql, &st, device, d->start, d->end, cause) ==
		        -1 ||
		    distribute(db, st, d, w, take_interval, &maint, "reading maintenance", cause) ==
		        -1)
			goto fail;
		sqlite3_finalize(st);
		st = NULL;
	}

	for (size_t i = 0; i < d->nlinks; i++) {
		struct np_downtime_link *l = &d->links[i];
		compute_link(d, &runs, have_runs, l, &w[i]);
		d->down += l->down;
		d->maintenance += l->maintenance;
		d->outages += l->outages;
		d->unobserved += l->unobserved;
		d->observed += l->observed;
		d->down_observed += l->down_observed;
	}
	availability(d->down_observed, d->observed, &d->has_availability, &d->availability);
	for (size_t i = 0; i < d->nlinks; i++) {
		np_ivset_free(&w[i].down);
		np_ivset_free(&w[i].stale);
		np_ivset_free(&w[i].maint);
	}
	free(w);
	np_ivset_free(&runs);
	return 0;
fail:
	sqlite3_finalize(st);
	if (w != NULL) {
		for (size_t i = 0; i < d->nlinks; i++) {
			np_ivset_free(&w[i].down);
			np_ivset_free(&w[i].stale);
			np_ivset_free(&w[i].maint);
		}
	}
	free(w);
	np_ivset_free(&runs);
	np_downtime_free(d);
	return -1;
}

void
np_downtime_free(struct np_downtime *d)
{
	for (size_t i = 0; i < d->nlinks; i++) {
		free(d->links[i].device);
		free(d->links[i].interface);
	}
	free(d->links);
	d->links = NULL;
	d->nlinks = 0;
}

static json_t *
json_avail(bool has, double v)
{
	return has ? json_real(np_fmt_round(v, 6)) : json_null();
}

static char *
render_json(const struct np_downtime *d, const struct np_tz *tz)
{
	json_t *o = json_object(), *period = json_object(), *links = json_array();
	json_t *total = json_object();
	json_object_set_new(period, "start", np_json_time(tz, d->start));
	json_object_set_new(period, "end", np_json_time(tz, d->end));
	json_object_set_new(period, "tz", json_string(np_tz_name(tz)));
	json_object_set_new(o, "period", period);
	for (size_t i = 0; i < d->nlinks; i++) {
		const struct np_downtime_link *l = &d->links[i];
		json_t *j = json_object();
		json_object_set_new(j, "device", np_json_str(l->device));
		json_object_set_new(j, "interface", np_json_str(l->interface));
		json_object_set_new(j, "down_seconds", json_integer(l->down));
		json_object_set_new(j, "outages", json_integer(l->outages));
		json_object_set_new(j, "unobserved_seconds", json_integer(l->unobserved));
		json_object_set_new(j, "availability",
		                    json_avail(l->has_availability, l->availability));
		json_object_set_new(j, "observed_seconds", json_integer(l->observed));
		json_object_set_new(j, "maintenance_seconds", json_integer(l->maintenance));
		json_array_append_new(links, j);
	}
	json_object_set_new(o, "links", links);
	json_object_set_new(total, "links", json_integer((json_int_t)d->nlinks));
	json_object_set_new(total, "down_seconds", json_integer(d->down));
	json_object_set_new(total, "availability",
	                    json_avail(d->has_availability, d->availability));
	json_object_set_new(total, "outages", json_integer(d->outages));
	json_object_set_new(total, "unobserved_seconds", json_integer(d->unobserved));
	json_object_set_new(total, "observed_seconds", json_integer(d->observed));
	json_object_set_new(total, "maintenance_seconds", json_integer(d->maintenance));
	json_object_set_new(o, "total", total);
	char *s = np_json_doc(o, NULL);
	json_decref(o);
	return s;
}

char *
np_downtime_render(const struct np_downtime *d, enum np_format f, const struct np_tz *tz)
{
	if (f == NP_FMT_JSON)
		return render_json(d, tz);
	bool text = f == NP_FMT_TEXT;
	struct np_table *t = np_table_new();
	np_table_col(t, "device", NP_COL_STR);
	np_table_col(t, "interface", NP_COL_STR);
	np_table_col(t, text ? "down" : "down_seconds", NP_COL_DURATION);
	np_table_col(t, "outages", NP_COL_INT);
	np_table_col(t, text ? "unobserved" : "unobserved_seconds", NP_COL_DURATION);
	np_table_col(t, "availability", NP_COL_RATIO);
	if (d->maint)
		np_table_col(t, text ? "maintenance" : "maintenance_seconds", NP_COL_DURATION);
	for (size_t i = 0; i <= d->nlinks; i++) {
		const struct np_downtime_link *l = i < d->nlinks ? &d->links[i] : NULL;
		np_table_row(t);
		if (l != NULL) {
			np_table_str(t, l->device);
			np_table_str(t, l->interface);
		} else {
			char *n = np_xasprintf("%zu link%s", d->nlinks, d->nlinks == 1 ? "" : "s");
			np_table_str(t, "total");
			np_table_str(t, text ? n : NULL);
			free(n);
		}
		np_table_int(t, l ? l->down : d->down);
		np_table_int(t, l ? l->outages : d->outages);
		np_table_int(t, l ? l->unobserved : d->unobserved);
		if (l ? l->has_availability : d->has_availability)
			np_table_real(t, l ? l->availability : d->availability);
		else
			np_table_null(t);
		if (d->maint)
			np_table_int(t, l ? l->maintenance : d->maintenance);
	}
	char *body = np_table_render(t, f, tz);
	np_table_free(t);
	if (!text)
		return body;
	char *line = np_report_period_line(tz, d->start, d->end);
	char *s = np_xasprintf("%s%s", line, body);
	free(line);
	free(body);
	return s;
}
