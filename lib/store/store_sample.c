/*
 * The write hot path: one raw row per series per poll and its share of the 5-minute rollup,
 * with statements prepared once and bound per row (DESIGN §10). Hourly and daily rollups are
 * folded from closed 5-minute buckets (fold_upto): per sample that is 2 statements, not 4.
 */
#include <math.h>
#include <string.h>

#include "engine/rollup.h"
#include "store/store_int.h"
#include "util/cause.h"

static int
write_raw(struct np_store *st, int64_t series, const struct np_sample *s, bool gauge, char **cause)
{
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_SAMPLE, cause);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, np_store_ms_to_s(s->to_ms));
	sqlite3_bind_int64(stmt, 2, series);
	sqlite3_bind_double(stmt, 3, (double)(s->to_ms - s->from_ms) / 1000.0);
	for (int c = 0; c < NP_C_MAX; c++) {
		if (s->mask & (1u << c))
			sqlite3_bind_int64(stmt, 4 + c, (sqlite3_int64)s->delta[c]);
		else
			sqlite3_bind_null(stmt, 4 + c);
	}
	if (gauge)
		sqlite3_bind_double(stmt, 12, s->gauge);
	else
		sqlite3_bind_null(stmt, 12);
	sqlite3_bind_int(stmt, 13, (int)s->verdict);
	if (np_store_exec_stmt(st, stmt, cause, "writing a sample") != 0)
		return -1;
	st->stats.raw_rows++;
	return 0;
}

/* How one sample falls into 5-minute buckets: parts [0, nc) carry counters, gi the gauge. */
struct split {
	size_t n, nc, gi;
};

/*
 * The 5-minute parts the interval covers (counters only if some counter is usable) plus the
 * gauge's bucket (that of to_ms), into st->parts / st->shares.
 */
static void
split_5m(struct np_store *st, const struct np_sample *s, bool gauge, struct split *sp)
{
	struct np_rollup_part *parts = st->parts;
	uint64_t *shares = st->shares;
	size_t n = 0;

	if (s->mask != 0) {
		n = np_rollup_split(s->from_ms, s->to_ms, 0, NP_BUCKET_5M, parts,
		                    NP_STORE_MAX_PARTS);
		for (int c = 0; c < NP_C_MAX; c++) {
			if (!(s->mask & (1u << c)))
				continue;
			uint64_t *sh = shares + (size_t)c * NP_STORE_MAX_PARTS;
			if (n == 1) {
				sh[0] = s->delta[c];
				continue;
			}
			/* Same interval, same buckets: only the shares differ per counter. */
			np_rollup_split(s->from_ms, s->to_ms, s->delta[c], NP_BUCKET_5M, parts, n);
			for (size_t i = 0; i < n; i++)
				sh[i] = parts[i].share;
		}
	}
	sp->nc = n;
	sp->gi = n;
	if (gauge) {
		int64_t gb = np_rollup_bucket(np_store_ms_to_s(s->to_ms), NP_BUCKET_5M);
		for (size_t i = 0; i < sp->nc; i++)
			if (parts[i].bucket_s == gb)
				sp->gi = i;
		if (sp->gi == sp->nc) {
			parts[n].bucket_s = gb;
			parts[n].secs = 0;
			parts[n].share = 0;
			n++;
		}
	}
	sp->n = n;
}

/* Adds part i of the split into one rollup table, in the bucket given. */
static int
upsert_part(struct np_store *st, enum np_stmt id, int64_t bucket, int64_t series,
            const struct np_sample *s, const struct split *sp, size_t i, bool gauge, double rate_rx,
            double rate_tx, char **cause)
{
	sqlite3_stmt *stmt = np_store_stmt(st, id, cause);
	if (stmt == NULL)
		return -1;
	bool counters = i < sp->nc;
	sqlite3_bind_int64(stmt, 1, bucket);
	sqlite3_bind_int64(stmt, 2, series);
	sqlite3_bind_double(stmt, 3, counters ? st->parts[i].secs : 0.0);
	for (int c = 0; c < NP_C_MAX; c++) {
		uint64_t v = 0;
		if (counters && (s->mask & (1u << c)))
			v = st->shares[(size_t)c * NP_STORE_MAX_PARTS + i];
		sqlite3_bind_int64(stmt, 4 + c, (sqlite3_int64)v);
	}
	sqlite3_bind_double(stmt, 12, counters ? rate_rx : 0.0);
	sqlite3_bind_double(stmt, 13, counters ? rate_tx : 0.0);
	if (gauge && i == sp->gi) {
		sqlite3_bind_double(stmt, 14, s->gauge);
		sqlite3_bind_double(stmt, 15, s->gauge);
		sqlite3_bind_double(stmt, 16, s->gauge);
		sqlite3_bind_int(stmt, 17, 1);
	} else {
		sqlite3_bind_null(stmt, 14);
		sqlite3_bind_null(stmt, 15);
		sqlite3_bind_double(stmt, 16, 0.0);
		sqlite3_bind_int(stmt, 17, 0);
	}
	if (np_store_exec_stmt(st, stmt, cause, "updating a rollup") != 0)
		return -1;
	st->stats.rollup_rows++;
	return 0;
}

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
	sqlite3_reset(stmt);
	st->fold_loaded = true;
	return 0;
}

/*
 * Folds the 5-minute buckets [fold_next, upto) into the hourly and daily rollups: two
 * set-based statements instead of two upserts per sample. The mark moves in the same
 * transaction, so a crash folds nothing twice and nothing never.
 */
static int
fold_upto(struct np_store *st, int64_t upto, char **cause)
{
	if (fold_load(st, cause) != 0)
		return -1;
	if (upto <= st->fold_next)
		return 0;
	static const enum np_stmt folds[] = {NP_S_FOLD_1H, NP_S_FOLD_1D};
	for (size_t k = 0; k < 2; k++) {
		sqlite3_stmt *stmt = np_store_stmt(st, folds[k], cause);
		if (stmt == NULL)
			return -1;
		sqlite3_bind_int64(stmt, 1, st->fold_next);
		sqlite3_bind_int64(stmt, 2, upto);
		if (np_store_exec_stmt(st, stmt, cause, "folding 5-minute rollups") != 0)
			return -1;
	}
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_FOLD_SET, cause);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, upto);
	if (np_store_exec_stmt(st, stmt, cause, "moving the rollup fold mark") != 0)
		return -1;
	st->fold_next = upto;
	return 0;
}

int
np_store_fold_all(struct np_store *st, char **cause)
{
	bool own = sqlite3_get_autocommit(st->db) != 0;
	if (own && np_store_begin(st, cause) != 0)
		return -1;
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_FOLD_LAST, cause);
	if (stmt == NULL)
		goto fail;
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		np_store_fail(st, rc, stmt, cause, "finding the last 5-minute bucket");
		goto fail;
	}
	bool any = sqlite3_column_type(stmt, 0) != SQLITE_NULL;
	int64_t last = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	if (any && fold_upto(st, last + NP_BUCKET_5M, cause) != 0)
		goto fail;
	if (own && np_store_commit(st, cause) != 0)
		goto fail;
	return 0;
fail:
	if (own)
		np_store_rollback(st);
	return -1;
}

int
np_store_sample(struct np_store *st, int64_t series, const struct np_sample *s, char **cause)
{
	if (s->to_ms < s->from_ms)
		return np_store_failx(st, SQLITE_MISUSE, cause,
		                      "series %lld: sample interval ends before it starts",
		                      (long long)series);
	for (int c = 0; c < NP_C_MAX; c++) {
		/* SQLite integers are signed 64-bit; no real counter moves 2^63 in one poll. */
		if ((s->mask & (1u << c)) && s->delta[c] > (uint64_t)INT64_MAX)
			return np_store_failx(
			    st, SQLITE_RANGE, cause,
			    "series %lld: %s delta %llu does not fit the database",
			    (long long)series, np_counter_names[c],
			    (unsigned long long)s->delta[c]);
	}
	/* NaN/inf would turn gauge_sum NULL; such a reading carries no gauge. */
	bool gauge = s->has_gauge && isfinite(s->gauge);

	uint64_t t0 = st->profile ? np_store_now_ns() : 0;
	if (write_raw(st, series, s, gauge, cause) != 0)
		return -1;
	uint64_t t1 = st->profile ? np_store_now_ns() : 0;

	double secs = (double)(s->to_ms - s->from_ms) / 1000.0;
	double rate_rx = 0, rate_tx = 0;
	if (secs > 0) {
		if (s->mask & (1u << NP_C_RX_BYTES))
			rate_rx = (double)s->delta[NP_C_RX_BYTES] / secs;
		if (s->mask & (1u << NP_C_TX_BYTES))
			rate_tx = (double)s->delta[NP_C_TX_BYTES] / secs;
	}
	if (s->mask != 0 || gauge) {
		struct split sp;
		split_5m(st, s, gauge, &sp);
		/* Buckets before the latest one this sample touches are closed: fold them first. */
		int64_t cur = st->parts[0].bucket_s;
		for (size_t i = 1; i < sp.n; i++)
			if (st->parts[i].bucket_s > cur)
				cur = st->parts[i].bucket_s;
		if (fold_upto(st, cur, cause) != 0)
			return -1;
		for (size_t i = 0; i < sp.n; i++) {
			int64_t b = st->parts[i].bucket_s;
			if (upsert_part(st, NP_S_ROLLUP_5M, b, series, s, &sp, i, gauge, rate_rx,
			                rate_tx, cause) != 0)
				return -1;
			/* Late data for a bucket already folded goes to the wider tables itself. */
			if (b < st->fold_next &&
			    (upsert_part(st, NP_S_ROLLUP_1H, np_rollup_bucket(b, NP_BUCKET_1H),
			                 series, s, &sp, i, gauge, rate_rx, rate_tx, cause) != 0 ||
			     upsert_part(st, NP_S_ROLLUP_1D, np_rollup_bucket(b, NP_BUCKET_1D),
			                 series, s, &sp, i, gauge, rate_rx, rate_tx, cause) != 0))
				return -1;
		}
	}
	if (st->profile) {
		uint64_t t2 = np_store_now_ns();
		st->stats.raw_ns += t1 - t0;
		st->stats.rollup_ns += t2 - t1;
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
