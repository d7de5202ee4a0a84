/*
 * Hourly and daily rollups, folded from the 5-minute rows one closed hour at a time and, inside
 * that hour, a slice of series ids per step (np_store_fold_step, called in every batch's
 * transaction), so that no poll pays for every link at once. fold.next_5m: 5-minute buckets
 * before it are folded for every series; [next_5m, pass_end) is the hour being folded, done
 * for the series ids below fold.cursor. The marks move in the transaction that folds, so a
 * crash folds nothing twice and nothing never; a row written for a bucket already folded goes
 * to the wider tables itself (np_store_folded, store_rollup.c).
 */
#include <stdlib.h>
#include <string.h>

#include "engine/rollup.h"
#include "store/store_int.h"
#include "util/cause.h"
#include "util/xmalloc.h"

/* An hour is folded this long after it ends: its last 5-minute rows are written by then. */
#define FOLD_DELAY_S 300
/* One pass over every series takes about this long (steps paced by the time between them). */
#define FOLD_SPREAD_MS 120000

static int
fold_load(struct np_store *st, char **cause)
{
	if (st->fold_loaded)
		return 0;
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_FOLD_GET, cause);
	if (stmt == NULL)
		return -1;
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			return np_store_failx(st, SQLITE_CORRUPT, cause, "the fold row is missing");
		return np_store_fail(st, rc, stmt, cause, "reading the rollup fold mark");
	}
	st->fold_next = sqlite3_column_int64(stmt, 0);
	st->fold_end = sqlite3_column_int64(stmt, 1);
	st->fold_cursor = sqlite3_column_int64(stmt, 2);
	sqlite3_reset(stmt);
	if (st->fold_end < st->fold_next)
		st->fold_end = st->fold_next;
	st->fold_loaded = true;
	return 0;
}

static int
fold_save(struct np_store *st, char **cause)
{
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_FOLD_SET, cause);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, st->fold_next);
	sqlite3_bind_int64(stmt, 2, st->fold_end);
	sqlite3_bind_int64(stmt, 3, st->fold_cursor);
	return np_store_exec_stmt(st, stmt, cause, "moving the rollup fold mark");
}

int
np_store_folded(struct np_store *st, int64_t bucket, int64_t series, char **cause)
{
	if (fold_load(st, cause) != 0)
		return -1;
	return bucket < st->fold_next || (bucket < st->fold_end && series < st->fold_cursor);
}

/* One integer from a statement without parameters (NULL -> *isnull). */
static int
query_int(struct np_store *st, enum np_stmt id, int64_t arg, int64_t *out, bool *isnull,
          char **cause)
{
	sqlite3_stmt *stmt = np_store_stmt(st, id, cause);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, arg);
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW)
		return np_store_fail(st, rc, stmt, cause, "reading the rollup fold state");
	*isnull = sqlite3_column_type(stmt, 0) == SQLITE_NULL;
	*out = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return 0;
}

/*
 * Starts folding [fold_next, min(upto, end of fold_next's hour)). Returns 1 if there is a pass
 * to run, 0 if nothing is left before upto (the mark moved there), -1 on error.
 */
static int
pass_start(struct np_store *st, int64_t upto, char **cause)
{
	int64_t first;
	bool none;
	/* Skip what holds no row (a new database starts at the smallest integer). */
	if (query_int(st, NP_S_FOLD_FIRST, st->fold_next, &first, &none, cause) != 0)
		return -1;
	if (none || first >= upto) {
		st->fold_next = st->fold_end = upto > st->fold_next ? upto : st->fold_next;
		st->fold_cursor = 0;
		return 0;
	}
	if (first > st->fold_next)
		st->fold_next = first;
	int64_t hour_end = np_rollup_bucket(st->fold_next, NP_BUCKET_1H) + NP_BUCKET_1H;
	st->fold_end = upto < hour_end ? upto : hour_end;
	st->fold_cursor = 0;
	return 1;
}

/* Series ids folded per statement (the sums are gathered in an array this long). */
#define SLICE_MAX 4096

/*
 * Folds the series ids [cursor, hi) of the pass into the hourly and daily tables: one read of
 * their 5-minute rows (in key order: bucket, then series), summed here per series, then one
 * upsert per series and table. Cheaper than INSERT ... SELECT ... GROUP BY, which sorts.
 */
static int
fold_slice(struct np_store *st, int64_t hi, char **cause)
{
	int64_t hour = np_rollup_bucket(st->fold_next, NP_BUCKET_1H);
	while (st->fold_cursor < hi) {
		int64_t lo = st->fold_cursor;
		int64_t end = hi - lo > SLICE_MAX ? lo + SLICE_MAX : hi;
		size_t n = (size_t)(end - lo);
		if (n > st->fold_cap) {
			free(st->fold_sum);
			st->fold_sum = np_xcalloc(n, sizeof(*st->fold_sum));
			st->fold_cap = n;
		}
		struct np_rollup_row *sum = st->fold_sum;
		memset(sum, 0, n * sizeof(*sum));
		sqlite3_stmt *stmt = np_store_stmt(st, NP_S_FOLD_READ, cause);
		if (stmt == NULL)
			return -1;
		sqlite3_bind_int64(stmt, 1, st->fold_next);
		sqlite3_bind_int64(stmt, 2, st->fold_end);
		sqlite3_bind_int64(stmt, 3, lo);
		sqlite3_bind_int64(stmt, 4, end);
		sqlite3_bind_int64(stmt, 5, hour);
		int rc;
		while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
			int64_t id = sqlite3_column_int64(stmt, 0);
			if (id < lo || id >= end)
				continue;
			struct np_rollup_row r = {.secs = sqlite3_column_double(stmt, 1)};
			for (int c = 0; c < NP_C_MAX; c++)
				r.c[c] = (uint64_t)sqlite3_column_int64(stmt, 2 + c);
			r.peak_rx = sqlite3_column_double(stmt, 10);
			r.peak_tx = sqlite3_column_double(stmt, 11);
			r.gauge_min = sqlite3_column_double(stmt, 12);
			r.gauge_max = sqlite3_column_double(stmt, 13);
			r.gauge_sum = sqlite3_column_double(stmt, 14);
			r.gauge_n = (uint32_t)sqlite3_column_int64(stmt, 15);
			np_rollup_row_merge(&sum[id - lo], &r);
			/* a row with no gauge reading still marks the series as present */
			sum[id - lo].bucket_s = 1;
		}
		if (rc != SQLITE_DONE)
			return np_store_fail(st, rc, stmt, cause,
			                     "reading 5-minute rollups to fold");
		sqlite3_reset(stmt);
		for (int64_t i = 0; i < end - lo; i++) {
			if (sum[i].bucket_s == 0)
				continue;
			if (np_store_rollup_wide(st, lo + i, &sum[i], hour, cause) != 0)
				return -1;
			st->stats.fold_rows += 2;
		}
		st->fold_cursor = end;
	}
	/* A big slice (fold_all, a backlog) does not keep its memory. */
	if (st->fold_cap > 256) {
		free(st->fold_sum);
		st->fold_sum = NULL;
		st->fold_cap = 0;
	}
	return 0;
}

/* Runs the pass up to `budget` series ids (INT64_MAX: to its end); ends it if done. */
static int
pass_run(struct np_store *st, int64_t budget, int64_t maxid, char **cause)
{
	int64_t hi = budget > maxid + 1 - st->fold_cursor ? maxid + 1 : st->fold_cursor + budget;
	if (hi > st->fold_cursor && fold_slice(st, hi, cause) != 0)
		return -1;
	if (st->fold_cursor > maxid) {
		st->fold_next = st->fold_end;
		st->fold_cursor = 0;
	}
	return 0;
}

/* The largest series id (0 if none). */
static int
max_id(struct np_store *st, int64_t *out, char **cause)
{
	bool none;
	return query_int(st, NP_S_FOLD_MAXID, 0, out, &none, cause);
}

static bool
in_pass(const struct np_store *st)
{
	return st->fold_end > st->fold_next;
}

int
np_store_fold_step(struct np_store *st, int64_t now_s, int64_t elapsed_ms, char **cause)
{
	if (fold_load(st, cause) != 0)
		return -1;
	int64_t upto = np_rollup_bucket(now_s - FOLD_DELAY_S, NP_BUCKET_1H);
	if (!in_pass(st)) {
		if (upto <= st->fold_next)
			return 0;
		int r = pass_start(st, upto, cause);
		if (r <= 0)
			return r == 0 ? fold_save(st, cause) : -1;
	}
	int64_t maxid;
	if (max_id(st, &maxid, cause) != 0)
		return -1;
	if (elapsed_ms < 1)
		elapsed_ms = 1;
	/* A share of the series proportional to the time since the last step... */
	int64_t budget = (maxid + 1) * (elapsed_ms > FOLD_SPREAD_MS ? FOLD_SPREAD_MS : elapsed_ms) /
	                     FOLD_SPREAD_MS +
	                 1;
	/* ... more when hours are waiting (after downtime), so the backlog drains. */
	int64_t behind = (upto - st->fold_next) / NP_BUCKET_1H;
	if (behind > 1)
		budget *= behind < 24 ? behind : 24;
	if (pass_run(st, budget, maxid, cause) != 0)
		return -1;
	return fold_save(st, cause);
}

int
np_store_fold_all(struct np_store *st, char **cause)
{
	bool own = sqlite3_get_autocommit(st->db) != 0;
	if (own && np_store_begin(st, cause) != 0)
		return -1;
	if (fold_load(st, cause) != 0)
		goto fail;
	int64_t last;
	bool none;
	if (query_int(st, NP_S_FOLD_LAST, 0, &last, &none, cause) != 0)
		goto fail;
	if (!none) {
		int64_t upto = last + NP_BUCKET_5M;
		for (;;) {
			if (!in_pass(st)) {
				if (upto <= st->fold_next)
					break;
				int r = pass_start(st, upto, cause);
				if (r == -1)
					goto fail;
				if (r == 0)
					break;
			}
			int64_t maxid;
			if (max_id(st, &maxid, cause) != 0 ||
			    pass_run(st, INT64_MAX, maxid, cause) != 0)
				goto fail;
		}
		if (fold_save(st, cause) != 0)
			goto fail;
	}
	if (own && np_store_commit(st, cause) != 0)
		goto fail;
	return 0;
fail:
	if (own)
		np_store_rollback(st);
	return -1;
}
