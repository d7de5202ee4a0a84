#include "report/events.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "report/json_doc.h"
#include "util/cause.h"

static const char events_sql[] =
    "SELECT time, device, interface, state, previous, source, outage_seconds, alert, flapping,"
    " alert_id"
    " FROM transitions WHERE time >= ?1 AND time <= ?2 AND (?3 IS NULL OR device = ?3)"
    " AND (?4 IS NULL OR state IN (?4, ?5, ?6, ?7))"
    " ORDER BY time DESC, id DESC";

char *
np_report_events(const struct np_report_ctx *ctx, const struct np_events_opts *o, char **cause)
{
	sqlite3_stmt *st = NULL;
	struct np_table *t = NULL;
	json_t *arr = NULL;
	char *res = NULL;
	int r;

	if (np_report_prepare(ctx->db, events_sql, &st, cause) == -1)
		return NULL;
	sqlite3_bind_int64(st, 1, o->since);
	sqlite3_bind_int64(st, 2, ctx->now);
	np_report_bind_str(st, 3, o->device);
	for (size_t i = 0; i < NP_EVENTS_MAX_STATES; i++)
		np_report_bind_str(st, 4 + (int)i, i < o->nstates ? o->states[i] : NULL);

	if (ctx->fmt == NP_FMT_JSON) {
		arr = json_array();
	} else {
		t = np_table_new();
		np_table_col(t, "time", NP_COL_TIME);
		np_table_col(t, "device", NP_COL_STR);
		np_table_col(t, "interface", NP_COL_STR);
		np_table_col(t, "state", NP_COL_STR);
		np_table_col(t, "previous", NP_COL_STR);
		np_table_col(t, "source", NP_COL_STR);
		np_table_col(t, ctx->fmt == NP_FMT_TEXT ? "outage" : "outage_seconds",
		             NP_COL_DURATION);
		np_table_col(t, "alert", NP_COL_STR);
		np_table_col(t, "alert_id", NP_COL_INT);
	}
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t time = sqlite3_column_int64(st, 0);
		bool has_outage = sqlite3_column_type(st, 6) != SQLITE_NULL;
		bool has_alert = sqlite3_column_type(st, 7) != SQLITE_NULL;
		/* The id in the alert's structured data (id="N"); none when no sink took it. */
		bool has_id = sqlite3_column_type(st, 9) != SQLITE_NULL;
		if (arr != NULL) {
			json_t *e = json_object();
			json_object_set_new(e, "time", np_json_time(ctx->tz, time));
			json_object_set_new(e, "device", np_json_str(np_report_text(st, 1)));
			json_object_set_new(e, "interface", np_json_str(np_report_text(st, 2)));
			json_object_set_new(e, "state", np_json_str(np_report_text(st, 3)));
			json_object_set_new(e, "previous", np_json_str(np_report_text(st, 4)));
			json_object_set_new(e, "source", np_json_str(np_report_text(st, 5)));
			json_object_set_new(e, "outage_seconds",
			                    has_outage ? json_integer(sqlite3_column_int64(st, 6))
			                               : json_null());
			json_object_set_new(e, "alert",
			                    np_json_str(has_alert ? np_report_text(st, 7) : NULL));
			json_object_set_new(e, "flapping", json_boolean(sqlite3_column_int(st, 8)));
			json_object_set_new(e, "alert_id",
			                    has_id ? json_integer(sqlite3_column_int64(st, 9))
			                           : json_null());
			json_array_append_new(arr, e);
			continue;
		}
		np_table_row(t);
		np_table_int(t, time);
		for (int i = 1; i <= 5; i++)
			np_table_str(t, np_report_text(st, i));
		if (has_outage)
			np_table_int(t, sqlite3_column_int64(st, 6));
		else
			np_table_null(t);
		np_table_str(t, has_alert ? np_report_text(st, 7) : NULL);
		if (has_id)
			np_table_int(t, sqlite3_column_int64(st, 9));
		else
			np_table_null(t);
	}
	if (r != SQLITE_DONE)
		np_report_sqlerr(ctx->db, "reading transitions", cause);
	else if (arr != NULL)
		res = np_json_doc(arr, "events");
	else
		res = np_table_render(t, ctx->fmt, ctx->tz);
	sqlite3_finalize(st);
	np_table_free(t);
	json_decref(arr);
	return res;
}

static const char *const states[] = {"up", "down", "stale", "removed", "unknown"};

int
np_events_states_parse(char *list, struct np_events_opts *o, char **cause)
{
	char *p = list, *tok;
	while ((tok = strsep(&p, ",")) != NULL) {
		size_t i;
		for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
			if (strcmp(tok, states[i]) == 0)
				break;
		if (i == sizeof(states) / sizeof(states[0])) {
			np_cause(
			    cause,
			    "invalid state \"%s\": expected up, down, stale, removed or unknown "
			    "(or a comma-separated list)",
			    tok);
			return -1;
		}
		if (o->nstates < NP_EVENTS_MAX_STATES)
			o->states[o->nstates++] = states[i];
	}
	return 0;
}
