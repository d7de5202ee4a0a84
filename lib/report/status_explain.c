#include "report/status_explain.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/cause.h"
#include "util/xmalloc.h"

const char np_status_verdicts_sql[] =
    "SELECT s.device, s.interface, s.source, s.kind, v.verdict, v.count, v.last"
    " FROM verdicts v JOIN series s ON s.id = v.series"
    " WHERE v.verdict <> 'ok' AND (?1 IS NULL OR s.device = ?1)"
    "   AND (?2 IS NULL OR s.interface = ?2)"
    " ORDER BY s.device, s.interface, s.source, s.kind, v.verdict";
const char np_status_collectors_sql[] =
    "SELECT source, ok, since, failures, last_error, skipped, skip_reason FROM collectors"
    " WHERE ?1 IS NULL OR source = ?1 ORDER BY source";
static const char outbox_sinks_sql[] =
    "SELECT sink, count(*) FILTER (WHERE dead IS NULL), count(*) FILTER (WHERE dead IS NOT NULL)"
    " FROM outbox_sink WHERE delivered IS NULL GROUP BY sink ORDER BY sink";

json_t *
np_status_collector_json(sqlite3_stmt *st, const struct np_tz *tz)
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

/* "alert sinks": the configured sinks, then every other key with undelivered rows. */
static struct np_table *
sinks_table(const struct np_report_ctx *ctx, const struct np_status_opts *o, char **cause)
{
	sqlite3_stmt *st = NULL;
	struct np_table *t = np_table_new();
	char **keys = NULL;
	int64_t *counts = NULL, *dead = NULL;
	size_t n = 0, cap = 0;
	int r;
	bool ok = false;
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
	ok = true;
out:
	for (size_t j = 0; j < n; j++)
		free(keys[j]);
	free(keys);
	free(dead);
	free(counts);
	sqlite3_finalize(st);
	if (ok)
		return t;
	np_table_free(t);
	return NULL;
}

static struct np_table *
verdicts_table(const struct np_report_ctx *ctx, const struct np_status_opts *o, char **cause)
{
	sqlite3_stmt *st = NULL;
	struct np_table *t = np_table_new();
	int r;
	if (np_report_prepare(ctx->db, np_status_verdicts_sql, &st, cause) == -1)
		goto fail;
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
		goto fail;
	}
	sqlite3_finalize(st);
	return t;
fail:
	sqlite3_finalize(st);
	np_table_free(t);
	return NULL;
}

static struct np_table *
collectors_table(const struct np_report_ctx *ctx, char **cause)
{
	sqlite3_stmt *st = NULL;
	struct np_table *t = np_table_new();
	int r;
	if (np_report_prepare(ctx->db, np_status_collectors_sql, &st, cause) == -1)
		goto fail;
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
		goto fail;
	}
	sqlite3_finalize(st);
	return t;
fail:
	sqlite3_finalize(st);
	np_table_free(t);
	return NULL;
}

struct np_table *
np_status_explain_table(const struct np_report_ctx *ctx, const struct np_status_opts *o,
                        enum np_status_part part, char **cause)
{
	switch (part) {
	case NP_STATUS_VERDICTS:
		return verdicts_table(ctx, o, cause);
	case NP_STATUS_COLLECTORS:
		return collectors_table(ctx, cause);
	case NP_STATUS_SINKS:
		return sinks_table(ctx, o, cause);
	case NP_STATUS_LINKS:
	case NP_STATUS_NPARTS:
		break;
	}
	np_cause(cause, "no such status table");
	return NULL;
}

json_t *
np_status_collectors_json(const struct np_report_ctx *ctx, char **cause)
{
	sqlite3_stmt *st = NULL;
	if (np_report_prepare(ctx->db, np_status_collectors_sql, &st, cause) == -1)
		return NULL;
	sqlite3_bind_null(st, 1);
	json_t *a = json_array();
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(a, np_status_collector_json(st, ctx->tz));
	if (r != SQLITE_DONE) {
		np_report_sqlerr(ctx->db, "reading collectors", cause);
		json_decref(a);
		a = NULL;
	}
	sqlite3_finalize(st);
	return a;
}
