/*
 * Property fuzzer for the store's write path: arbitrary sequences of samples and rollup rows
 * (any interval length, gaps beyond the part limit, times before 1970, going back in time,
 * gauges, NaN), events, and paced fold steps at arbitrary clocks in between (so rows arrive
 * for hours already folded, or for a pass half done) must never fail unexpectedly, and:
 *  - after a fold (the first 12 of an input, then at the end), each hourly/daily row is
 *    exactly the sum of the 5-minute rows of its bucket and series that the fold marks call
 *    folded, and every folded 5-minute row is in one (nothing missing, nothing doubled);
 *  - after np_store_fold_all, every rollup table holds exactly what was written, series by
 *    series (totals kept here: there is no raw table): counters, seconds, gauge count, sum and
 *    extremes, peak rates.
 * abort() on any violation.
 *
 * Input: records of 24 bytes:
 *   i32 start: the first record's is absolute UTC seconds; then an offset after the previous
 *       end, forward (bit 31 clear: up to 10 days) or back (bit 31 set: up to 2 days)
 *   u32 length (ms, at least 1 s)
 *   u64: bits 0-39 rx delta; bits 40-47 fold step control c; bits 48-63 fold step amount k
 *   u32 tx delta
 *   u8 mask: 1 rx, 2 tx, 4-8 state, 16 long interval, 32 a fold step after the record,
 *       64 np_store_fold_all after the record, 128 written as one rollup row (np_store_rollup,
 *       the pipeline's path: the bucket of `start`) instead of np_store_sample
 *   u8 flags: 1 gauge, 2 NaN gauge, 4 event, 8 series B, 16 with sinks, 32.. alert kind
 *   u16 gauge
 * The fold step's clock is the record's end plus, by c & 3: (k % 1200) - 600 s, k s, 16k s,
 * or -16k s; its elapsed time is (c >> 2)^2 * 40 - 40 ms (short steps fold one series id).
 */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rollup.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NSERIES 2

/* What was written to one series, as the rollups must hold it. */
struct expect {
	uint64_t rx, tx;
	double secs, gauge_sum, peak_rx, peak_tx, gauge_min, gauge_max;
	int64_t gauge_n;
};

static void
die(const char *what, const char *detail)
{
	fprintf(stderr, "%s: %s\n", what, detail != NULL ? detail : "?");
	abort();
}

static int64_t
q_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK ||
	    sqlite3_step(stmt) != SQLITE_ROW)
		die(sql, sqlite3_errmsg(db));
	int64_t v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

static uint64_t
rd(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static bool
near(double got, double want)
{
	return fabs(got - want) <= 1e-6 * (fabs(want) + 1);
}

/*
 * The fold invariant, for the hourly and daily tables: the wider rows are exactly the sums of
 * the 5-minute rows the fold marks call folded (store_fold.c: np_store_folded), grouped by
 * wider bucket and series; a set comparison both ways, so nothing is missing, doubled or extra.
 */
static void
check_folded(sqlite3 *db)
{
	static const char *const tables[][2] = {{"rollup_1h", "3600"}, {"rollup_1d", "86400"}};
	char sql[1024];
	for (size_t t = 0; t < 2; t++) {
		const char *tb = tables[t][0], *w = tables[t][1];
		snprintf(
		    sql, sizeof sql,
		    "WITH f AS (SELECT r.bucket - ((r.bucket %% %s) + %s) %% %s, r.series,"
		    " sum(r.rx_bytes), sum(r.tx_bytes), sum(r.gauge_n) FROM rollup_5m r, fold m"
		    " WHERE r.bucket < m.next_5m OR (r.bucket < m.pass_end AND r.series <"
		    " m.cursor) GROUP BY 1, 2), h AS (SELECT bucket, series, rx_bytes, tx_bytes,"
		    " gauge_n FROM %s) SELECT (SELECT count(*) FROM (SELECT * FROM f EXCEPT"
		    " SELECT * FROM h)) + (SELECT count(*) FROM (SELECT * FROM h EXCEPT SELECT *"
		    " FROM f))",
		    w, w, w, tb);
		if (q_int(db, sql) != 0)
			die("fold invariant", tb);
	}
	if (q_int(db, "SELECT count(*) FROM fold WHERE pass_end < next_5m OR cursor < 0 OR"
	              " (pass_end = next_5m AND cursor != 0)") != 0)
		die("fold marks", "inconsistent");
}

/* After np_store_fold_all: every table holds exactly what was written, series by series. */
static void
check_totals(sqlite3 *db, const struct expect *want)
{
	static const char *const tables[] = {"rollup_5m", "rollup_1h", "rollup_1d"};
	for (size_t t = 0; t < 3; t++) {
		for (int s = 0; s < NSERIES; s++) {
			char sql[512];
			snprintf(sql, sizeof sql,
			         "SELECT coalesce(sum(rx_bytes), 0), coalesce(sum(tx_bytes), 0),"
			         " coalesce(sum(secs), 0), coalesce(sum(gauge_n), 0),"
			         " coalesce(sum(gauge_sum), 0), coalesce(max(peak_rx), 0),"
			         " coalesce(max(peak_tx), 0), min(gauge_min), max(gauge_max)"
			         " FROM %s WHERE series = %d",
			         tables[t], s + 1);
			sqlite3_stmt *stmt = NULL;
			if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK ||
			    sqlite3_step(stmt) != SQLITE_ROW)
				die(sql, sqlite3_errmsg(db));
			const struct expect *e = &want[s];
			uint64_t rx = (uint64_t)sqlite3_column_int64(stmt, 0);
			uint64_t tx = (uint64_t)sqlite3_column_int64(stmt, 1);
			int64_t gn = sqlite3_column_int64(stmt, 3);
			bool ok = rx == e->rx && tx == e->tx && gn == e->gauge_n &&
			          near(sqlite3_column_double(stmt, 2), e->secs) &&
			          near(sqlite3_column_double(stmt, 4), e->gauge_sum) &&
			          sqlite3_column_double(stmt, 5) == e->peak_rx &&
			          sqlite3_column_double(stmt, 6) == e->peak_tx;
			if (e->gauge_n > 0)
				ok = ok && sqlite3_column_double(stmt, 7) == e->gauge_min &&
				     sqlite3_column_double(stmt, 8) == e->gauge_max;
			else
				ok = ok && sqlite3_column_type(stmt, 7) == SQLITE_NULL &&
				     sqlite3_column_type(stmt, 8) == SQLITE_NULL;
			if (!ok) {
				fprintf(
				    stderr,
				    "%s series %d: rx %llu/%llu tx %llu/%llu secs %f/%f gauge_n "
				    "%lld/%lld gauge_sum %f/%f peak %f/%f %f/%f\n",
				    tables[t], s + 1, (unsigned long long)rx,
				    (unsigned long long)e->rx, (unsigned long long)tx,
				    (unsigned long long)e->tx, sqlite3_column_double(stmt, 2),
				    e->secs, (long long)gn, (long long)e->gauge_n,
				    sqlite3_column_double(stmt, 4), e->gauge_sum,
				    sqlite3_column_double(stmt, 5), e->peak_rx,
				    sqlite3_column_double(stmt, 6), e->peak_tx);
				abort();
			}
			sqlite3_finalize(stmt);
		}
	}
	/* Everything is folded: no pass in progress, no 5-minute row past the mark. */
	if (q_int(db, "SELECT count(*) FROM fold WHERE pass_end != next_5m OR cursor != 0") != 0 ||
	    q_int(db,
	          "SELECT count(*) FROM rollup_5m WHERE bucket >= (SELECT next_5m FROM fold)") != 0)
		die("fold_all", "left something unfolded");
	if (q_int(db, "SELECT count(*) FROM rollup_5m WHERE bucket % 300 != 0") != 0 ||
	    q_int(db, "SELECT count(*) FROM rollup_1h WHERE bucket % 3600 != 0") != 0 ||
	    q_int(db, "SELECT count(*) FROM rollup_1d WHERE bucket % 86400 != 0") != 0 ||
	    q_int(db, "SELECT count(*) FROM outages WHERE end IS NULL GROUP BY device, interface"
	              " HAVING count(*) > 1 UNION ALL SELECT 0") != 0)
		die("rollup buckets or outages", "misaligned or doubled");
}

/*
 * One database for the whole run (opening one costs a migration): each input runs in a
 * transaction that is checked and then rolled back, so every input starts from the same two
 * empty series and the same fold marks.
 */
static struct np_store *
store(void)
{
	static struct np_store *st;
	if (st != NULL)
		return st;
	char *cause = NULL;
	st = np_store_open(":memory:", 0, &cause);
	if (st == NULL)
		die("open", cause);
	if (np_store_series(st, "f", "dev", "a", NULL, NULL, 0, NULL) != 1 ||
	    np_store_series(st, "f", "dev", "b", NULL, "{\"k\":\"v\"}", 0, NULL) != 2)
		abort();
	return st;
}

/* Adds what a record writes to the expected totals (the store's own arithmetic). */
static void
expect_add(struct expect *e, const struct np_sample *s)
{
	double secs = (double)(s->to_ms - s->from_ms) / 1000.0;
	if (s->mask != 0) {
		e->secs += secs;
		if (secs > 0) {
			double rx = (s->mask & 1) ? (double)s->delta[NP_C_RX_BYTES] / secs : 0;
			double tx = (s->mask & 2) ? (double)s->delta[NP_C_TX_BYTES] / secs : 0;
			e->peak_rx = rx > e->peak_rx ? rx : e->peak_rx;
			e->peak_tx = tx > e->peak_tx ? tx : e->peak_tx;
		}
	}
	if (s->mask & 1)
		e->rx += s->delta[NP_C_RX_BYTES];
	if (s->mask & 2)
		e->tx += s->delta[NP_C_TX_BYTES];
	if (s->has_gauge && isfinite(s->gauge)) {
		if (e->gauge_n == 0 || s->gauge < e->gauge_min)
			e->gauge_min = s->gauge;
		if (e->gauge_n == 0 || s->gauge > e->gauge_max)
			e->gauge_max = s->gauge;
		e->gauge_sum += s->gauge;
		e->gauge_n++;
	}
}

/* The record as one closed rollup row, as the pipeline writes it (core/accum.h). */
static int
write_row(struct np_store *st, int64_t series, const struct np_sample *s, char **cause)
{
	double secs = (double)(s->to_ms - s->from_ms) / 1000.0;
	struct np_rollup_row r = {
	    .bucket_s = np_rollup_bucket(floor_div(s->from_ms, 1000), NP_BUCKET_5M),
	    .secs = s->mask != 0 ? secs : 0,
	    .c = {s->delta[NP_C_RX_BYTES] * (s->mask & 1),
	          s->delta[NP_C_TX_BYTES] * (s->mask >> 1)},
	};
	if (s->mask != 0 && secs > 0) {
		r.peak_rx = (s->mask & 1) ? (double)s->delta[NP_C_RX_BYTES] / secs : 0;
		r.peak_tx = (s->mask & 2) ? (double)s->delta[NP_C_TX_BYTES] / secs : 0;
	}
	if (s->has_gauge && isfinite(s->gauge))
		np_rollup_row_gauge(&r, s->gauge);
	return np_store_rollup(st, series, &r, cause);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *cause = NULL;
	struct np_store *st = store();
	sqlite3 *db = np_store_db(st);
	struct expect want[NSERIES];
	memset(want, 0, sizeof want);
	if (np_store_begin(st, &cause) != 0)
		die("begin", cause);
	int64_t t_ms = 0;
	enum np_state state = NP_ST_UNKNOWN;
	/* The invariant is checked after the first folds of an input (it costs a scan). */
	int checks = 12;
	for (size_t off = 0; off + 24 <= size && off < 24 * 64; off += 24) {
		const uint8_t *p = data + off;
		uint32_t raw_start = (uint32_t)rd(p, 4);
		int64_t start = (int32_t)raw_start;
		if (off > 0)
			start = (raw_start & 0x80000000u)
			            ? -(int64_t)((raw_start & 0x7fffffff) % (2 * 86400))
			            : (int64_t)((raw_start & 0x7fffffff) % (10 * 86400));
		uint8_t mask = p[20], flags = p[21];
		/* Mask bit 4: up to 12 days (past the part limit, slow); else up to ~18 h. */
		uint32_t len =
		    1000 + ((uint32_t)rd(p + 4, 4) & (mask & 0x10 ? 0x3fffffff : 0x03ffffff));
		uint64_t rx = rd(p + 8, 8) & ((1ull << 40) - 1);
		uint8_t c = p[13];
		int64_t k = (int64_t)rd(p + 14, 2);
		uint64_t tx = rd(p + 16, 4);
		double g = (double)rd(p + 22, 2) / 7.0;
		struct np_sample s = {.from_ms = t_ms + start * 1000,
		                      .to_ms = t_ms + start * 1000 + (int64_t)len,
		                      .mask = mask & 3,
		                      .delta = {rx, tx},
		                      .gauge = (flags & 2) ? NAN : g,
		                      .has_gauge = (flags & 1) != 0};
		t_ms = s.to_ms;
		int idx = (flags >> 3) & 1;
		int rc = (mask & 0x80) ? write_row(st, idx + 1, &s, &cause)
		                       : np_store_sample(st, idx + 1, &s, &cause);
		if (rc != 0)
			die("write", cause);
		expect_add(&want[idx], &s);
		if (flags & 4) {
			enum np_state to = (enum np_state)((mask >> 2) & 3);
			struct np_ls_event ev = {.device = "dev",
			                         .interface = "a",
			                         .transition = to != state,
			                         .from = state,
			                         .to = to,
			                         .time_ms = t_ms,
			                         .alert =
			                             (enum np_alert_kind)((flags >> 5) % NP_AL_MAX),
			                         .outage_ms = (int64_t)(p[22]) * 1000 - 1,
			                         .sources = "f"};
			const char *sinks[] = {"x", "y"};
			if (np_store_event(st, &ev, "m", 3, sinks, (flags >> 4) & 1 ? 2 : 0,
			                   &cause) != 0)
				die("event", cause);
			state = to;
		}
		if (mask & 0x20) {
			static const int64_t scale[4] = {0, 1, 16, -16};
			int64_t now_s = floor_div(t_ms, 1000) +
			                ((c & 3) == 0 ? k % 1200 - 600 : k * scale[c & 3]);
			int64_t elapsed = (int64_t)(c >> 2) * (c >> 2) * 40 - 40;
			if (np_store_fold_step(st, now_s, elapsed, &cause) != 0)
				die("fold step", cause);
			if (checks-- > 0)
				check_folded(db);
		}
		if (mask & 0x40) {
			if (np_store_fold_all(st, &cause) != 0)
				die("fold all", cause);
			if (checks-- > 0)
				check_folded(db);
		}
	}
	/* Fold everything written, then every table must hold exactly what was written. */
	if (np_store_fold_all(st, &cause) != 0)
		die("fold all", cause);
	check_folded(db);
	check_totals(db, want);
	if (np_store_check(st, &cause) != 0)
		die("check", cause);
	np_store_rollback(st);
	return 0;
}
