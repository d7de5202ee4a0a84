/*
 * Rollup rows: a 5-minute row is written once its bucket closes (the pipeline holds the open
 * one in memory); a row for an hour or day already folded (store_fold.c) also goes into the
 * wider tables, so nothing written late is missing from them.
 */
#include <math.h>
#include <string.h>

#include "engine/rollup.h"
#include "store/store_int.h"
#include "util/cause.h"
#include "util/xmalloc.h"

static int
upsert(struct np_store *st, enum np_stmt id, int64_t bucket, int64_t series,
       const struct np_rollup_row *r, char **cause)
{
	sqlite3_stmt *stmt = np_store_stmt(st, id, cause);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, bucket);
	sqlite3_bind_int64(stmt, 2, series);
	sqlite3_bind_double(stmt, 3, r->secs);
	for (int c = 0; c < NP_C_MAX; c++)
		sqlite3_bind_int64(stmt, 4 + c, (sqlite3_int64)r->c[c]);
	sqlite3_bind_double(stmt, 12, r->peak_rx);
	sqlite3_bind_double(stmt, 13, r->peak_tx);
	if (r->gauge_n > 0) {
		sqlite3_bind_double(stmt, 14, r->gauge_min);
		sqlite3_bind_double(stmt, 15, r->gauge_max);
	} else {
		sqlite3_bind_null(stmt, 14);
		sqlite3_bind_null(stmt, 15);
	}
	sqlite3_bind_double(stmt, 16, r->gauge_sum);
	sqlite3_bind_int64(stmt, 17, r->gauge_n);
	return np_store_exec_stmt(st, stmt, cause, "writing a rollup row");
}

int
np_store_rollup_wide(struct np_store *st, int64_t series, const struct np_rollup_row *r,
                     int64_t bucket_s, char **cause)
{
	if (upsert(st, NP_S_ROLLUP_1H, np_rollup_bucket(bucket_s, NP_BUCKET_1H), series, r,
	           cause) != 0)
		return -1;
	return upsert(st, NP_S_ROLLUP_1D, np_rollup_bucket(bucket_s, NP_BUCKET_1D), series, r,
	              cause);
}

int
np_store_rollup(struct np_store *st, int64_t series, const struct np_rollup_row *r, char **cause)
{
	for (int c = 0; c < NP_C_MAX; c++)
		/* SQLite integers are signed 64-bit; no real counter moves 2^63 in one bucket. */
		if (r->c[c] > (uint64_t)INT64_MAX)
			return np_store_failx(
			    st, SQLITE_RANGE, cause,
			    "series %lld: %s delta %llu does not fit the database",
			    (long long)series, np_counter_names[c], (unsigned long long)r->c[c]);
	/* NaN/inf would turn a sum NULL. */
	if (!isfinite(r->secs) || !isfinite(r->peak_rx) || !isfinite(r->peak_tx) ||
	    !isfinite(r->gauge_sum))
		return np_store_failx(st, SQLITE_RANGE, cause,
		                      "series %lld: a rollup value is not a finite number",
		                      (long long)series);
	uint64_t t0 = st->profile ? np_store_now_ns() : 0;
	if (upsert(st, NP_S_ROLLUP_5M, r->bucket_s, series, r, cause) != 0)
		return -1;
	st->stats.rollup_rows++;
	int f = np_store_folded(st, r->bucket_s, series, cause);
	if (f == -1)
		return -1;
	if (f == 1) {
		if (np_store_rollup_wide(st, series, r, r->bucket_s, cause) != 0)
			return -1;
		st->stats.wide_rows += 2;
	}
	if (st->profile)
		st->stats.rollup_ns += np_store_now_ns() - t0;
	return 0;
}

int
np_store_sample(struct np_store *st, int64_t series, const struct np_sample *s, char **cause)
{
	if (s->to_ms < s->from_ms)
		return np_store_failx(st, SQLITE_MISUSE, cause,
		                      "series %lld: sample interval ends before it starts",
		                      (long long)series);
	for (int c = 0; c < NP_C_MAX; c++)
		if ((s->mask & (1u << c)) && s->delta[c] > (uint64_t)INT64_MAX)
			return np_store_failx(
			    st, SQLITE_RANGE, cause,
			    "series %lld: %s delta %llu does not fit the database",
			    (long long)series, np_counter_names[c],
			    (unsigned long long)s->delta[c]);
	if (st->parts == NULL) { /* only tools and tests write samples: allocated on first use */
		st->parts = np_xcalloc(NP_STORE_MAX_PARTS, sizeof *st->parts);
		st->shares = np_xcalloc((size_t)NP_C_MAX * NP_STORE_MAX_PARTS, sizeof *st->shares);
	}
	struct np_rollup_part *parts = st->parts;
	double rate[2];
	size_t n = np_rollup_split_counters(s->from_ms, s->to_ms, s->delta, s->mask, parts,
	                                    st->shares, NP_STORE_MAX_PARTS, rate);
	double rx = rate[0], tx = rate[1];
	bool gauge = s->has_gauge && isfinite(s->gauge);
	int64_t gb = np_rollup_bucket(np_store_ms_to_s(s->to_ms), NP_BUCKET_5M);
	for (size_t i = 0; i < n; i++) {
		struct np_rollup_row r = {.bucket_s = parts[i].bucket_s,
		                          .secs = parts[i].secs,
		                          .peak_rx = rx,
		                          .peak_tx = tx};
		for (int c = 0; c < NP_C_MAX; c++)
			if (s->mask & (1u << c))
				r.c[c] = st->shares[(size_t)c * NP_STORE_MAX_PARTS + i];
		if (gauge && r.bucket_s == gb) {
			np_rollup_row_gauge(&r, s->gauge);
			gauge = false;
		}
		if (np_store_rollup(st, series, &r, cause) != 0)
			return -1;
	}
	if (gauge) {
		struct np_rollup_row r = {.bucket_s = gb};
		np_rollup_row_gauge(&r, s->gauge);
		if (np_store_rollup(st, series, &r, cause) != 0)
			return -1;
	}
	st->stats.samples++;
	return 0;
}

int
np_store_verdict(struct np_store *st, int64_t series, enum np_verdict v, int64_t now_s,
                 char **cause)
{
	if ((unsigned)v >= NP_V_MAX)
		return np_store_failx(st, SQLITE_MISUSE, cause, "bad verdict %d", (int)v);
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_VERDICT, cause);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, series);
	np_store_bind_text(stmt, 2, np_verdict_names[v]);
	sqlite3_bind_int64(stmt, 3, now_s);
	return np_store_exec_stmt(st, stmt, cause, "counting a verdict");
}

int
np_store_note(struct np_store *st, int64_t series, const char *name, int64_t count, int64_t now_s,
              char **cause)
{
	if (name == NULL || *name == '\0')
		return np_store_failx(st, SQLITE_MISUSE, cause, "note without a name");
	/* A note must not collide with a verdict's row (its count means something else). */
	for (int v = 0; v < NP_V_MAX; v++)
		if (strcmp(name, np_verdict_names[v]) == 0)
			return np_store_failx(st, SQLITE_MISUSE, cause,
			                      "note name '%s' is a verdict name", name);
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_NOTE, cause);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, series);
	np_store_bind_text(stmt, 2, name);
	sqlite3_bind_int64(stmt, 3, count);
	sqlite3_bind_int64(stmt, 4, now_s);
	return np_store_exec_stmt(st, stmt, cause, "recording a note");
}
