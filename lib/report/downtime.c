#include "report/downtime.h"

#include <stdlib.h>
#include <string.h>

#include "report/buf.h"
#include "report/fmt.h"
#include "report/ival.h"
#include "util/cause.h"
#include "util/xmalloc.h"

static const char links_sql[] =
    "SELECT device, interface FROM links WHERE ?1 IS NULL OR device = ?1"
    " UNION SELECT device, interface FROM outages WHERE (?1 IS NULL OR device = ?1)"
    "   AND start < ?3 AND (end IS NULL OR end >= ?2)"
    " ORDER BY 1, 2";
/* Intervals of one link overlapping [?3, ?4); the same shape for outages and unobserved. */
static const char outages_sql[] = "SELECT start, end FROM outages WHERE device = ?1 AND"
                                  " interface = ?2 AND start < ?4 AND (end IS NULL OR end >= ?3)";
static const char unobserved_sql[] =
    "SELECT start, end FROM unobserved WHERE device = ?1 AND"
    " interface = ?2 AND start < ?4 AND (end IS NULL OR end >= ?3)";
static const char first_seen_sql[] =
    "SELECT MIN(t) FROM ("
    " SELECT MIN(first_seen) AS t FROM series WHERE device = ?1 AND interface = ?2"
    " UNION ALL SELECT MIN(time) FROM transitions WHERE device = ?1 AND interface = ?2"
    " UNION ALL SELECT MIN(start) FROM outages WHERE device = ?1 AND interface = ?2"
    " UNION ALL SELECT MIN(start) FROM unobserved WHERE device = ?1 AND interface = ?2"
    " UNION ALL SELECT since FROM links WHERE device = ?1 AND interface = ?2)";
static const char runs_sql[] = "SELECT started, last_alive FROM runs"
                               " WHERE started < ?2 AND last_alive >= ?1";
static const char runs_any_sql[] = "SELECT EXISTS (SELECT 1 FROM runs)";

struct stmts {
	sqlite3_stmt *links, *outages, *unobserved, *first, *runs, *runs_any;
};

static void
finalize(struct stmts *s)
{
	sqlite3_finalize(s->links);
	sqlite3_finalize(s->outages);
	sqlite3_finalize(s->unobserved);
	sqlite3_finalize(s->first);
	sqlite3_finalize(s->runs);
	sqlite3_finalize(s->runs_any);
}

/*
 * Reads a link's intervals overlapping [ws, we) into set (clipped, open ends = now) and
 * returns how many rows overlap; -1 on error.
 */
static int64_t
read_intervals(sqlite3 *db, sqlite3_stmt *st, const char *dev, const char *ifn, int64_t ws,
               int64_t we, int64_t now, struct np_ivset *set, char **cause)
{
	int64_t count = 0;
	int r;
	sqlite3_reset(st);
	np_report_bind_str(st, 1, dev);
	np_report_bind_str(st, 2, ifn);
	sqlite3_bind_int64(st, 3, ws);
	sqlite3_bind_int64(st, 4, we);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t a = sqlite3_column_int64(st, 0);
		bool open = sqlite3_column_type(st, 1) == SQLITE_NULL;
		int64_t b = open ? now : sqlite3_column_int64(st, 1);
		if (b > a ? b > ws : a >= ws)
			count++;
		np_ivset_add(set, a, b);
	}
	if (r != SQLITE_DONE)
		return np_report_sqlerr(db, "reading intervals", cause);
	np_ivset_norm(set);
	np_ivset_clip(set, ws, we);
	return count;
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

static int
compute_link(sqlite3 *db, struct stmts *s, const struct np_downtime *d, int64_t now,
             const struct np_ivset *runs, bool have_runs, struct np_downtime_link *l, char **cause)
{
	struct np_ivset down = {0}, stale = {0}, gaps = {0}, unobs = {0};
	int rc = -1, r;

	sqlite3_reset(s->first);
	np_report_bind_str(s->first, 1, l->device);
	np_report_bind_str(s->first, 2, l->interface);
	if ((r = sqlite3_step(s->first)) != SQLITE_ROW) {
		np_report_sqlerr(db, "reading first sighting", cause);
		goto out;
	}
	l->first_seen = sqlite3_column_type(s->first, 0) == SQLITE_NULL
	                    ? INT64_MIN
	                    : sqlite3_column_int64(s->first, 0);
	int64_t ls = l->first_seen > d->start ? l->first_seen : d->start, le = d->end;
	if (ls > le)
		ls = le;

	l->outages = read_intervals(db, s->outages, l->device, l->interface, d->start, d->end, now,
	                            &down, cause);
	if (l->outages == -1 || read_intervals(db, s->unobserved, l->device, l->interface, ls, le,
	                                       now, &stale, cause) == -1)
		goto out;
	if (have_runs)
		np_ivset_complement(runs, ls, le, &gaps);
	np_ivset_union(&stale, &gaps, &unobs);

	l->down = np_ivset_total(&down);
	l->unobserved = np_ivset_total(&unobs);
	l->observed = (le - ls) - l->unobserved;
	l->down_observed = l->down - np_ivset_overlap(&down, &unobs);
	availability(l->down_observed, l->observed, &l->has_availability, &l->availability);
	rc = 0;
out:
	np_ivset_free(&down);
	np_ivset_free(&stale);
	np_ivset_free(&gaps);
	np_ivset_free(&unobs);
	return rc;
}

int
np_downtime_compute(sqlite3 *db, const struct np_period *p, int64_t now, const char *device,
                    struct np_downtime *d, char **cause)
{
	struct stmts s = {0};
	struct np_ivset runs = {0};
	bool have_runs = false;
	size_t cap = 0;
	int r;

	memset(d, 0, sizeof(*d));
	d->start = p->start;
	d->end = p->end < now ? p->end : now;
	if (d->end < d->start)
		d->end = d->start;

	if (np_report_prepare(db, links_sql, &s.links, cause) == -1 ||
	    np_report_prepare(db, outages_sql, &s.outages, cause) == -1 ||
	    np_report_prepare(db, unobserved_sql, &s.unobserved, cause) == -1 ||
	    np_report_prepare(db, first_seen_sql, &s.first, cause) == -1 ||
	    np_report_prepare(db, runs_sql, &s.runs, cause) == -1 ||
	    np_report_prepare(db, runs_any_sql, &s.runs_any, cause) == -1)
		goto fail;

	if (sqlite3_step(s.runs_any) != SQLITE_ROW) {
		np_report_sqlerr(db, "reading runs", cause);
		goto fail;
	}
	have_runs = sqlite3_column_int(s.runs_any, 0) != 0;
	sqlite3_bind_int64(s.runs, 1, d->start);
	sqlite3_bind_int64(s.runs, 2, d->end);
	while ((r = sqlite3_step(s.runs)) == SQLITE_ROW)
		np_ivset_add(&runs, sqlite3_column_int64(s.runs, 0),
		             sqlite3_column_int64(s.runs, 1));
	if (r != SQLITE_DONE) {
		np_report_sqlerr(db, "reading runs", cause);
		goto fail;
	}
	np_ivset_norm(&runs);

	np_report_bind_str(s.links, 1, device);
	sqlite3_bind_int64(s.links, 2, d->start);
	sqlite3_bind_int64(s.links, 3, d->end);
	while ((r = sqlite3_step(s.links)) == SQLITE_ROW) {
		if (d->nlinks == cap) {
			cap = cap ? cap * 2 : 16;
			d->links = np_xreallocarray(d->links, cap, sizeof(*d->links));
		}
		struct np_downtime_link *l = &d->links[d->nlinks++];
		memset(l, 0, sizeof(*l));
		l->device = np_xstrdup(np_report_text(s.links, 0));
		l->interface = np_xstrdup(np_report_text(s.links, 1));
	}
	if (r != SQLITE_DONE) {
		np_report_sqlerr(db, "reading links", cause);
		goto fail;
	}
	for (size_t i = 0; i < d->nlinks; i++) {
		struct np_downtime_link *l = &d->links[i];
		if (compute_link(db, &s, d, now, &runs, have_runs, l, cause) == -1)
			goto fail;
		d->down += l->down;
		d->outages += l->outages;
		d->unobserved += l->unobserved;
		d->observed += l->observed;
		d->down_observed += l->down_observed;
	}
	availability(d->down_observed, d->observed, &d->has_availability, &d->availability);
	finalize(&s);
	np_ivset_free(&runs);
	return 0;
fail:
	finalize(&s);
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
	json_object_set_new(o, "total", total);
	char *s = np_json_dump(o);
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
