#include "report/status.h"

#include <stdlib.h>
#include <string.h>

#include "report/json_doc.h"
#include "report/buf.h"
#include "util/cause.h"
#include "util/xmalloc.h"

static const char links_sql[] =
    "SELECT device, interface, state, since, sources, flapping FROM links"
    " WHERE ?1 IS NULL OR device = ?1 ORDER BY device, interface";
static const char verdicts_sql[] =
    "SELECT s.device, s.interface, s.source, s.kind, v.verdict, v.count, v.last"
    " FROM verdicts v JOIN series s ON s.id = v.series"
    " WHERE v.verdict <> 'ok' AND (?1 IS NULL OR s.device = ?1)"
    "   AND (?2 IS NULL OR s.interface = ?2)"
    " ORDER BY s.device, s.interface, s.source, s.kind, v.verdict";
static const char collectors_sql[] =
    "SELECT source, ok, since, failures, last_error, skipped, skip_reason FROM collectors"
    " WHERE ?1 IS NULL OR source = ?1 ORDER BY source";
/* Sources observing a link: its series, and the ones named in links.sources. */
static const char link_sources_sql[] =
    "SELECT DISTINCT source FROM series WHERE device = ?1 AND interface = ?2 ORDER BY source";

static const char outbox_sinks_sql[] =
    "SELECT sink, count(*) FILTER (WHERE dead IS NULL), count(*) FILTER (WHERE dead IS NOT NULL)"
    " FROM outbox_sink WHERE delivered IS NULL GROUP BY sink ORDER BY sink";

/* Splits "a,b" into a JSON array of names (empty names skipped). */
static json_t *
split_sources(const char *s)
{
	json_t *a = json_array();
	char *copy = np_xstrdup(s), *p = copy, *tok;
	while ((tok = strsep(&p, ",")) != NULL) {
		if (*tok != '\0')
			json_array_append_new(a, np_json_str(tok));
	}
	free(copy);
	return a;
}

static bool
json_has_str(const json_t *a, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
	{
		if (strcmp(json_string_value(v), s) == 0)
			return true;
	}
	return false;
}

static json_t *
collector_json(sqlite3_stmt *st, const struct np_tz *tz)
{
	json_t *o = json_object();
	json_object_set_new(o, "source", np_json_str(np_report_text(st, 0)));
	json_object_set_new(o, "ok", json_boolean(sqlite3_column_int(st, 1) != 0));
	json_object_set_new(o, "since", np_json_time(tz, sqlite3_column_int64(st, 2)));
	json_object_set_new(o, "failures", json_integer(sqlite3_column_int64(st, 3)));
	json_object_set_new(o, "last_error", np_json_str(np_report_text(st, 4)));
	json_object_set_new(o, "skipped", json_integer(sqlite3_column_int64(st, 5)));
	json_object_set_new(o, "skip_reason", np_json_str(np_report_text(st, 6)));
	return o;
}

/* The per-link "series" and "collectors" of --explain in JSON. */
static int
explain_json(const struct np_report_ctx *ctx, json_t *link, const char *device, const char *ifname,
             const json_t *sources, char **cause)
{
	sqlite3_stmt *v = NULL, *c = NULL, *s = NULL;
	json_t *series = json_array(), *cols = json_array(), *names = json_deep_copy(sources);
	int rc = -1;

	if (np_report_prepare(ctx->db, verdicts_sql, &v, cause) == -1 ||
	    np_report_prepare(ctx->db, collectors_sql, &c, cause) == -1 ||
	    np_report_prepare(ctx->db, link_sources_sql, &s, cause) == -1)
		goto out;
	np_report_bind_str(v, 1, device);
	np_report_bind_str(v, 2, ifname);
	json_t *cur = NULL;
	char *cur_key = NULL;
	int r;
	while ((r = sqlite3_step(v)) == SQLITE_ROW) {
		char *key = np_xasprintf("%s\x1f%s", np_report_text(v, 2), np_report_text(v, 3));
		if (cur_key == NULL || strcmp(key, cur_key) != 0) {
			cur = json_object();
			json_object_set_new(cur, "source", np_json_str(np_report_text(v, 2)));
			json_object_set_new(cur, "kind", np_json_str(np_report_text(v, 3)));
			json_object_set_new(cur, "verdicts", json_object());
			json_array_append_new(series, cur);
			free(cur_key);
			cur_key = key;
		} else {
			free(key);
		}
		json_object_set_new(json_object_get(cur, "verdicts"), np_report_text(v, 4),
		                    json_integer(sqlite3_column_int64(v, 5)));
	}
	free(cur_key);
	if (r != SQLITE_DONE) {
		np_report_sqlerr(ctx->db, "reading verdicts", cause);
		goto out;
	}
	np_report_bind_str(s, 1, device);
	np_report_bind_str(s, 2, ifname);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (!json_has_str(names, np_report_text(s, 0)))
			json_array_append_new(names, np_json_str(np_report_text(s, 0)));
	}
	if (r != SQLITE_DONE) {
		np_report_sqlerr(ctx->db, "reading series", cause);
		goto out;
	}
	size_t i;
	json_t *name;
	json_array_foreach(names, i, name)
	{
		sqlite3_reset(c);
		np_report_bind_str(c, 1, json_string_value(name));
		while ((r = sqlite3_step(c)) == SQLITE_ROW)
			json_array_append_new(cols, collector_json(c, ctx->tz));
		if (r != SQLITE_DONE) {
			np_report_sqlerr(ctx->db, "reading collectors", cause);
			goto out;
		}
	}
	json_object_set(link, "series", series);
	json_object_set(link, "collectors", cols);
	rc = 0;
out:
	json_decref(series);
	json_decref(cols);
	json_decref(names);
	sqlite3_finalize(v);
	sqlite3_finalize(c);
	sqlite3_finalize(s);
	return rc;
}

static char *
status_json(const struct np_report_ctx *ctx, const struct np_status_opts *o, char **cause)
{
	sqlite3_stmt *st = NULL;
	json_t *out = json_array();
	char *res = NULL;
	int r;

	if (np_report_prepare(ctx->db, links_sql, &st, cause) == -1)
		goto out;
	np_report_bind_str(st, 1, o->device);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *l = json_object();
		json_t *sources = split_sources(np_report_text(st, 4));
		json_array_append_new(out, l);
		json_object_set_new(l, "device", np_json_str(np_report_text(st, 0)));
		json_object_set_new(l, "interface", np_json_str(np_report_text(st, 1)));
		json_object_set_new(l, "state", np_json_str(np_report_text(st, 2)));
		json_object_set_new(l, "since", np_json_time(ctx->tz, sqlite3_column_int64(st, 3)));
		json_object_set_new(l, "sources", sources);
		json_object_set_new(l, "flapping", json_boolean(sqlite3_column_int(st, 5) != 0));
		if (o->explain && explain_json(ctx, l, np_report_text(st, 0), np_report_text(st, 1),
		                               sources, cause) == -1)
			goto out;
	}
	if (r != SQLITE_DONE) {
		np_report_sqlerr(ctx->db, "reading links", cause);
		goto out;
	}
	res = np_json_doc(out, "links");
out:
	sqlite3_finalize(st);
	json_decref(out);
	return res;
}

/* Renders one query's rows as a table section. */
static void
section(const struct np_report_ctx *ctx, struct np_buf *b, const char *title,
        const struct np_table *t)
{
	char *s = np_table_render(t, ctx->fmt, ctx->tz);
	if (title != NULL)
		np_buf_printf(b, "\n# %s\n", title);
	np_buf_puts(b, s);
	free(s);
}

static bool
is_configured(const struct np_status_opts *o, const char *key)
{
	for (size_t i = 0; i < o->nsinks; i++)
		if (strcmp(o->sinks[i], key) == 0)
			return true;
	return false;
}

/* One row of "# alert sinks" for a key with pending rows that no configured sink has. */
static void
unconfigured_row(struct np_table *t, const struct np_status_opts *o, const char *key,
                 int64_t pending)
{
	np_table_row(t);
	np_table_str(t, key);
	np_table_int(t, pending);
	if (!o->sinks_known) {
		np_table_str(t, NULL);
		np_table_str(t, "no configuration read");
		return;
	}
	np_table_str(t, "no");
	char *canon = o->canonical != NULL ? o->canonical(key) : NULL;
	char *note;
	if (canon != NULL && is_configured(o, canon))
		note = np_xasprintf("%lld alert(s) pending for sink %s, the same target as %s: "
		                    "they move there at the next start or reload",
		                    (long long)pending, key, canon);
	else
		note = np_xasprintf("%lld alert(s) pending for sink %s, which is no longer "
		                    "configured",
		                    (long long)pending, key);
	np_table_str(t, note);
	free(note);
	free(canon);
}

/* "# alert sinks": the configured sinks, then every other key with undelivered rows. */
static int
sinks_section(const struct np_report_ctx *ctx, const struct np_status_opts *o, struct np_buf *b,
              char **cause)
{
	sqlite3_stmt *st = NULL;
	struct np_table *t = np_table_new();
	char **keys = NULL;
	int64_t *counts = NULL, *dead = NULL;
	size_t n = 0, cap = 0;
	int r, rc = -1;
	if (np_report_prepare(ctx->db, outbox_sinks_sql, &st, cause) == -1)
		goto out;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			keys = np_xreallocarray(keys, cap, sizeof(*keys));
			counts = np_xreallocarray(counts, cap, sizeof(*counts));
			dead = np_xreallocarray(dead, cap, sizeof(*dead));
		}
		keys[n] = np_xstrdup(np_report_text(st, 0));
		dead[n] = sqlite3_column_int64(st, 2);
		counts[n++] = sqlite3_column_int64(st, 1);
	}
	if (r != SQLITE_DONE) {
		np_report_sqlerr(ctx->db, "reading the outbox", cause);
		goto out;
	}
	np_table_col(t, "sink", NP_COL_STR);
	np_table_col(t, "pending", NP_COL_INT);
	np_table_col(t, "configured", NP_COL_STR);
	np_table_col(t, "note", NP_COL_STR);
	for (size_t i = 0; i < o->nsinks; i++) {
		int64_t pending = 0, ndead = 0;
		for (size_t j = 0; j < n; j++)
			if (strcmp(keys[j], o->sinks[i]) == 0) {
				pending = counts[j];
				ndead = dead[j];
			}
		np_table_row(t);
		np_table_str(t, o->sinks[i]);
		np_table_int(t, pending);
		np_table_str(t, "yes");
		char *note = ndead > 0 ? np_xasprintf("%lld dead letter(s): netpulse alerts --dead",
		                                      (long long)ndead)
		                       : NULL;
		np_table_str(t, note);
		free(note);
	}
	for (size_t j = 0; j < n; j++)
		if (!is_configured(o, keys[j]))
			unconfigured_row(t, o, keys[j], counts[j]);
	section(ctx, b, "alert sinks", t);
	rc = 0;
out:
	for (size_t j = 0; j < n; j++)
		free(keys[j]);
	free(keys);
	free(dead);
	free(counts);
	sqlite3_finalize(st);
	np_table_free(t);
	return rc;
}

static char *
status_table(const struct np_report_ctx *ctx, const struct np_status_opts *o, char **cause)
{
	sqlite3_stmt *st = NULL;
	struct np_table *t = np_table_new();
	struct np_buf b = {0};
	char *res = NULL;
	int r;

	if (np_report_prepare(ctx->db, links_sql, &st, cause) == -1)
		goto out;
	np_table_col(t, "device", NP_COL_STR);
	np_table_col(t, "interface", NP_COL_STR);
	np_table_col(t, "state", NP_COL_STR);
	np_table_col(t, "since", NP_COL_TIME);
	np_table_col(t, "sources", NP_COL_STR);
	np_table_col(t, "flapping", NP_COL_STR);
	np_report_bind_str(st, 1, o->device);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		np_table_row(t);
		np_table_str(t, np_report_text(st, 0));
		np_table_str(t, np_report_text(st, 1));
		np_table_str(t, np_report_text(st, 2));
		np_table_int(t, sqlite3_column_int64(st, 3));
		np_table_str(t, sqlite3_column_bytes(st, 4) > 0 ? np_report_text(st, 4) : NULL);
		np_table_str(t, sqlite3_column_int(st, 5) ? "yes" : "no");
	}
	if (r != SQLITE_DONE) {
		np_report_sqlerr(ctx->db, "reading links", cause);
		goto out;
	}
	section(ctx, &b, NULL, t);
	if (!o->explain) {
		res = np_buf_take(&b);
		goto out;
	}

	sqlite3_finalize(st);
	np_table_free(t);
	t = np_table_new();
	if (np_report_prepare(ctx->db, verdicts_sql, &st, cause) == -1)
		goto out;
	np_report_bind_str(st, 1, o->device);
	np_table_col(t, "device", NP_COL_STR);
	np_table_col(t, "interface", NP_COL_STR);
	np_table_col(t, "source", NP_COL_STR);
	np_table_col(t, "kind", NP_COL_STR);
	np_table_col(t, "verdict", NP_COL_STR);
	np_table_col(t, "count", NP_COL_INT);
	np_table_col(t, "last", NP_COL_TIME);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		np_table_row(t);
		for (int i = 0; i < 5; i++)
			np_table_str(t, np_report_text(st, i));
		np_table_int(t, sqlite3_column_int64(st, 5));
		np_table_int(t, sqlite3_column_int64(st, 6));
	}
	if (r != SQLITE_DONE) {
		np_report_sqlerr(ctx->db, "reading verdicts", cause);
		goto out;
	}
	section(ctx, &b, "verdicts", t);

	sqlite3_finalize(st);
	np_table_free(t);
	t = np_table_new();
	if (np_report_prepare(ctx->db, collectors_sql, &st, cause) == -1)
		goto out;
	sqlite3_bind_null(st, 1);
	np_table_col(t, "source", NP_COL_STR);
	np_table_col(t, "ok", NP_COL_STR);
	np_table_col(t, "since", NP_COL_TIME);
	np_table_col(t, "failures", NP_COL_INT);
	np_table_col(t, "last_error", NP_COL_STR);
	np_table_col(t, "skipped", NP_COL_INT);
	np_table_col(t, "skip_reason", NP_COL_STR);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		np_table_row(t);
		np_table_str(t, np_report_text(st, 0));
		np_table_str(t, sqlite3_column_int(st, 1) ? "yes" : "no");
		np_table_int(t, sqlite3_column_int64(st, 2));
		np_table_int(t, sqlite3_column_int64(st, 3));
		np_table_str(t, sqlite3_column_bytes(st, 4) > 0 ? np_report_text(st, 4) : NULL);
		np_table_int(t, sqlite3_column_int64(st, 5));
		np_table_str(t, sqlite3_column_bytes(st, 6) > 0 ? np_report_text(st, 6) : NULL);
	}
	if (r != SQLITE_DONE) {
		np_report_sqlerr(ctx->db, "reading collectors", cause);
		goto out;
	}
	section(ctx, &b, "collectors", t);
	if (sinks_section(ctx, o, &b, cause) == -1)
		goto out;
	res = np_buf_take(&b);
out:
	np_buf_free(&b);
	sqlite3_finalize(st);
	np_table_free(t);
	return res;
}

char *
np_report_status(const struct np_report_ctx *ctx, const struct np_status_opts *o, char **cause)
{
	if (ctx->fmt == NP_FMT_JSON)
		return status_json(ctx, o, cause);
	return status_table(ctx, o, cause);
}
