#include "report/status.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "report/json_doc.h"
#include "report/status_explain.h"
#include "util/cause.h"
#include "util/xmalloc.h"

static const char links_sql[] =
    "SELECT device, interface, state, since, sources, flapping FROM links"
    " WHERE ?1 IS NULL OR device = ?1 ORDER BY device, interface";
/* Sources observing a link: its series, and the ones named in links.sources. */
static const char link_sources_sql[] =
    "SELECT DISTINCT source FROM series WHERE device = ?1 AND interface = ?2 ORDER BY source";

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

/* The per-link "series" and "collectors" of --explain in JSON. */
static int
explain_json(const struct np_report_ctx *ctx, json_t *link, const char *device, const char *ifname,
             const json_t *sources, char **cause)
{
	sqlite3_stmt *v = NULL, *c = NULL, *s = NULL;
	json_t *series = json_array(), *cols = json_array(), *names = json_deep_copy(sources);
	int rc = -1;

	if (np_report_prepare(ctx->db, np_status_verdicts_sql, &v, cause) == -1 ||
	    np_report_prepare(ctx->db, np_status_collectors_sql, &c, cause) == -1 ||
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
			json_array_append_new(cols, np_status_collector_json(c, ctx->tz));
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

/*
 * An array of links; with explain, an object: the links (each with its series and
 * collectors) and every source's collector health, so failing sources show even with no
 * link.
 */
static char *
status_json(const struct np_report_ctx *ctx, const struct np_status_opts *o, char **cause)
{
	sqlite3_stmt *st = NULL;
	json_t *links = json_array(), *doc = NULL;
	char *res = NULL;
	int r;

	if (np_report_prepare(ctx->db, links_sql, &st, cause) == -1)
		goto out;
	np_report_bind_str(st, 1, o->device);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *l = json_object();
		json_t *sources = split_sources(np_report_text(st, 4));
		json_array_append_new(links, l);
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
	if (!o->explain) {
		res = np_json_doc(links, "links");
		goto out;
	}
	json_t *cols = np_status_collectors_json(ctx, cause);
	if (cols == NULL)
		goto out;
	doc = json_object();
	json_object_set(doc, "links", links);
	json_object_set_new(doc, "collectors", cols);
	res = np_json_doc(doc, NULL);
out:
	sqlite3_finalize(st);
	json_decref(links);
	json_decref(doc);
	return res;
}

static struct np_table *
links_table(const struct np_report_ctx *ctx, const struct np_status_opts *o, char **cause)
{
	sqlite3_stmt *st = NULL;
	struct np_table *t = np_table_new();
	int r;

	if (np_report_prepare(ctx->db, links_sql, &st, cause) == -1)
		goto fail;
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
		goto fail;
	}
	sqlite3_finalize(st);
	return t;
fail:
	sqlite3_finalize(st);
	np_table_free(t);
	return NULL;
}

static const char *const part_names[NP_STATUS_NPARTS] = {"links", "verdicts", "collectors",
                                                         "alert_sinks"};
/* Section titles in text. */
static const char *const part_titles[NP_STATUS_NPARTS] = {NULL, "verdicts", "collectors",
                                                          "alert sinks"};

const char *
np_status_part_name(enum np_status_part part)
{
	return part < NP_STATUS_NPARTS ? part_names[part] : NULL;
}

char *
np_report_status_part(const struct np_report_ctx *ctx, const struct np_status_opts *o,
                      enum np_status_part part, char **cause)
{
	if (part >= NP_STATUS_NPARTS || ctx->fmt == NP_FMT_JSON) {
		np_cause(cause, "a status table is text or CSV");
		return NULL;
	}
	struct np_table *t = part == NP_STATUS_LINKS ? links_table(ctx, o, cause)
	                                             : np_status_explain_table(ctx, o, part, cause);
	if (t == NULL)
		return NULL;
	char *s = np_table_render(t, ctx->fmt, ctx->tz);
	np_table_free(t);
	return s;
}

/* Text: the links, then with explain every other table as a "# title" section. */
static char *
status_text(const struct np_report_ctx *ctx, const struct np_status_opts *o, char **cause)
{
	struct np_buf b = {0};
	size_t n = o->explain ? NP_STATUS_NPARTS : 1;
	for (size_t i = 0; i < n; i++) {
		char *s = np_report_status_part(ctx, o, (enum np_status_part)i, cause);
		if (s == NULL) {
			np_buf_free(&b);
			return NULL;
		}
		if (part_titles[i] != NULL)
			np_buf_printf(&b, "\n# %s\n", part_titles[i]);
		np_buf_puts(&b, s);
		free(s);
	}
	return np_buf_take(&b);
}

char *
np_report_status(const struct np_report_ctx *ctx, const struct np_status_opts *o, char **cause)
{
	if (ctx->fmt == NP_FMT_JSON)
		return status_json(ctx, o, cause);
	if (ctx->fmt == NP_FMT_CSV && o->explain) {
		np_cause(cause, "CSV status --explain is four tables: one file each "
		                "(np_report_status_part)");
		return NULL;
	}
	return status_text(ctx, o, cause);
}
