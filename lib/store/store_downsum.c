/*
 * Down time per link as the outages table holds it (np_store_outage_sums): what
 * netpulse_link_down_seconds_total starts from when the daemon starts, so that the counter
 * goes on from where the previous run left it. Read once at start-up: prepared per call.
 */
#include <sqlite3.h>

#include "store/store.h"
#include "util/cause.h"

int
np_store_outage_sums(struct np_store *st, np_outage_sum_fn fn, void *arg, char **cause)
{
	sqlite3 *db = np_store_db(st);
	sqlite3_stmt *stmt = NULL;
	const char *sql =
	    "SELECT device, interface,"
	    " coalesce(sum(CASE WHEN end IS NOT NULL THEN max(end - start, 0) END), 0),"
	    " coalesce(max(CASE WHEN end IS NULL THEN start END), 0)"
	    " FROM outages GROUP BY device, interface";
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		np_cause(cause, "reading outages: %s", sqlite3_errmsg(db));
		sqlite3_finalize(stmt);
		return -1;
	}
	int rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct np_outage_sum s = {
		    .device = (const char *)sqlite3_column_text(stmt, 0),
		    .interface = (const char *)sqlite3_column_text(stmt, 1),
		    .closed_s = sqlite3_column_int64(stmt, 2),
		    .open_start_s = sqlite3_column_int64(stmt, 3),
		};
		fn(&s, arg);
	}
	if (rc != SQLITE_DONE)
		np_cause(cause, "reading outages: %s", sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}
