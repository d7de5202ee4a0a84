/*
 * Counter baselines (table baselines, schema 3): the last reading of each series' counters,
 * written in the batch's transaction with the deltas it produced, so that after a restart or
 * between two `--once` runs the next reading is judged against it like any other (gap, reset,
 * clock and spike rules) instead of starting over as "first".
 *
 * Readings and epochs are uint64; SQLite integers are signed 64-bit, so the bit pattern is
 * stored (a reading above 2^63 - 1, e.g. a driver's all-ones, reads back unchanged).
 */
#include <string.h>

#include "store/store_int.h"
#include "util/cause.h"

int
np_store_baseline_save(struct np_store *st, int64_t series, const struct np_baseline *b,
                       char **cause)
{
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_BASELINE_SAVE, cause);
	if (stmt == NULL)
		return -1;
	uint32_t mask = b->mask & ((1u << NP_C_MAX) - 1);
	sqlite3_bind_int64(stmt, 1, series);
	sqlite3_bind_int64(stmt, 2, b->time_ms);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)b->epoch);
	sqlite3_bind_int64(stmt, 4, (sqlite3_int64)mask);
	for (int c = 0; c < NP_C_MAX; c++) {
		if (mask & (1u << c))
			sqlite3_bind_int64(stmt, 5 + c, (sqlite3_int64)b->value[c]);
		else
			sqlite3_bind_null(stmt, 5 + c);
	}
	return np_store_exec_stmt(st, stmt, cause, "saving a counter baseline");
}

int
np_store_baseline_load(struct np_store *st, int64_t series, struct np_baseline *b, char **cause)
{
	memset(b, 0, sizeof *b);
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_BASELINE_LOAD, cause);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, series);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(stmt);
		return 0;
	}
	if (rc != SQLITE_ROW)
		return np_store_fail(st, rc, stmt, cause, "loading a counter baseline");
	b->time_ms = sqlite3_column_int64(stmt, 0);
	b->epoch = (uint64_t)sqlite3_column_int64(stmt, 1);
	uint32_t mask = (uint32_t)sqlite3_column_int64(stmt, 2) & ((1u << NP_C_MAX) - 1);
	for (int c = 0; c < NP_C_MAX; c++) {
		/* A counter the mask names but whose column is NULL is not held (hand-edited row).
		 */
		if (!(mask & (1u << c)) || sqlite3_column_type(stmt, 3 + c) != SQLITE_INTEGER)
			continue;
		b->value[c] = (uint64_t)sqlite3_column_int64(stmt, 3 + c);
		b->mask |= 1u << c;
	}
	sqlite3_reset(stmt);
	return 1;
}
