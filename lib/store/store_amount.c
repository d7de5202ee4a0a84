/*
 * Interval amounts (table amounts, schema 5): usage a source reports already summed over an
 * interval. Stored as given, one row per (series, interval); a re-poll of the same interval
 * replaces the row so overlapping poll windows never double count. Reports spread an amount
 * over their buckets pro rata (report/usage_amount.c).
 */
#include "store/store_int.h"
#include "util/cause.h"

int
np_store_amount(struct np_store *st, int64_t series, int64_t start_s, int64_t end_s,
                const uint64_t counters[NP_C_MAX], uint32_t mask, char **cause)
{
	if (end_s <= start_s)
		return np_store_failx(st, SQLITE_MISUSE, cause,
		                      "an amount's interval must end after it starts (%lld..%lld)",
		                      (long long)start_s, (long long)end_s);
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_AMOUNT_PUT, cause);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, start_s);
	sqlite3_bind_int64(stmt, 2, series);
	sqlite3_bind_int64(stmt, 3, end_s);
	for (int c = 0; c < NP_C_MAX; c++) {
		if (!(mask & (1u << c))) {
			sqlite3_bind_null(stmt, 4 + c);
			continue;
		}
		/* An amount is a quantity, not a bit pattern: clamp rather than wrap negative. */
		uint64_t v = counters[c] > (uint64_t)INT64_MAX ? (uint64_t)INT64_MAX : counters[c];
		sqlite3_bind_int64(stmt, 4 + c, (sqlite3_int64)v);
	}
	return np_store_exec_stmt(st, stmt, cause, "storing an interval amount");
}

int
np_store_amount_mark(struct np_store *st, const char *source, const char *device,
                     const char *interface, int64_t *end_ms, char **cause)
{
	*end_ms = 0;
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_AMOUNT_MARK, cause);
	if (stmt == NULL)
		return -1;
	np_store_bind_text(stmt, 1, source);
	if (device != NULL)
		np_store_bind_text(stmt, 2, device);
	else
		sqlite3_bind_null(stmt, 2);
	if (interface != NULL)
		np_store_bind_text(stmt, 3, interface);
	else
		sqlite3_bind_null(stmt, 3);
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return np_store_fail(st, rc, stmt, cause, "reading the latest interval amount");
	if (rc == SQLITE_ROW && sqlite3_column_type(stmt, 0) == SQLITE_INTEGER)
		*end_ms = sqlite3_column_int64(stmt, 0) * 1000;
	sqlite3_reset(stmt);
	return 0;
}
