/*
 * The write hot path: one raw row per series per poll and its share of the 5-minute, hourly
 * and daily rollups, all with statements prepared once and bound per row (DESIGN §10).
 */
#include <math.h>
#include <string.h>

#include "engine/rollup.h"
#include "store/store_int.h"
#include "util/cause.h"

static const struct {
	enum np_stmt stmt;
	int64_t width_s;
} widths[] = {
    {NP_S_ROLLUP_5M, NP_BUCKET_5M},
    {NP_S_ROLLUP_1H, NP_BUCKET_1H},
    {NP_S_ROLLUP_1D, NP_BUCKET_1D},
};

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

/*
 * One rollup width: the parts the interval covers (counters only if some counter is usable)
 * plus the gauge's bucket (that of to_ms), each upserted once.
 */
static int
write_rollup(struct np_store *st, int w, int64_t series, const struct np_sample *s, bool gauge,
             double rate_rx, double rate_tx, char **cause)
{
	struct np_rollup_part *parts = st->parts;
	uint64_t *shares = st->shares;
	int64_t width = widths[w].width_s;
	size_t n = 0;

	if (s->mask != 0) {
		n = np_rollup_split(s->from_ms, s->to_ms, 0, width, parts, NP_STORE_MAX_PARTS);
		for (int c = 0; c < NP_C_MAX; c++) {
			if (!(s->mask & (1u << c)))
				continue;
			uint64_t *sh = shares + (size_t)c * NP_STORE_MAX_PARTS;
			if (n == 1) {
				sh[0] = s->delta[c];
				continue;
			}
			/* Same interval, same buckets: only the shares differ per counter. */
			np_rollup_split(s->from_ms, s->to_ms, s->delta[c], width, parts, n);
			for (size_t i = 0; i < n; i++)
				sh[i] = parts[i].share;
		}
	}
	const size_t nc = n; /* parts [0, nc) carry counters; a gauge-only part may follow */
	size_t gi = n;
	if (gauge) {
		int64_t gb = np_rollup_bucket(np_store_ms_to_s(s->to_ms), width);
		for (size_t i = 0; i < nc; i++)
			if (parts[i].bucket_s == gb)
				gi = i;
		if (gi == nc) {
			parts[n].bucket_s = gb;
			parts[n].secs = 0;
			parts[n].share = 0;
			n++;
		}
	}

	sqlite3_stmt *stmt = np_store_stmt(st, widths[w].stmt, cause);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 2, series);
	for (size_t i = 0; i < n; i++) {
		bool counters = i < nc;
		sqlite3_bind_int64(stmt, 1, parts[i].bucket_s);
		sqlite3_bind_double(stmt, 3, counters ? parts[i].secs : 0.0);
		for (int c = 0; c < NP_C_MAX; c++) {
			uint64_t v = 0;
			if (counters && (s->mask & (1u << c)))
				v = shares[(size_t)c * NP_STORE_MAX_PARTS + i];
			sqlite3_bind_int64(stmt, 4 + c, (sqlite3_int64)v);
		}
		sqlite3_bind_double(stmt, 12, counters ? rate_rx : 0.0);
		sqlite3_bind_double(stmt, 13, counters ? rate_tx : 0.0);
		if (gauge && i == gi) {
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
	}
	return 0;
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
		for (int w = 0; w < 3; w++)
			if (write_rollup(st, w, series, s, gauge, rate_rx, rate_tx, cause) != 0)
				return -1;
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
