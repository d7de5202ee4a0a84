/*
 * Property fuzzer for the store's write path: arbitrary sequences of samples (any interval
 * length, gaps beyond the part limit, times before 1970, gauges, NaN) and events must never
 * fail unexpectedly, and every rollup table must always sum to exactly the raw samples,
 * counter by counter, with matching seconds. abort() on any violation.
 *
 * Input: records of 24 bytes: i32 start (the first record: absolute UTC seconds; then a
 * non-negative offset after the previous end), u32 length (ms, at least 1 s so no two samples
 * share a second), u64 rx delta, u32 tx delta, u8 mask (1 rx, 2 tx, 4-8 state, 16 long
 * interval, 32.. verdict), u8 flags (1 gauge, 2 NaN gauge, 4 event, 8 series B, 16 with
 * sinks, 32.. alert kind), u16 gauge.
 */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int64_t
q_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK ||
	    sqlite3_step(stmt) != SQLITE_ROW) {
		fprintf(stderr, "query failed: %s: %s\n", sql, sqlite3_errmsg(db));
		abort();
	}
	int64_t v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

static double
q_double(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK ||
	    sqlite3_step(stmt) != SQLITE_ROW)
		abort();
	double v = sqlite3_column_double(stmt, 0);
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

static void
check_sums(sqlite3 *db)
{
	static const char *const sums[][4] = {
	    {"SELECT coalesce(sum(rx_bytes), 0) FROM samples",
	     "SELECT coalesce(sum(rx_bytes), 0) FROM rollup_5m",
	     "SELECT coalesce(sum(rx_bytes), 0) FROM rollup_1h",
	     "SELECT coalesce(sum(rx_bytes), 0) FROM rollup_1d"},
	    {"SELECT coalesce(sum(tx_bytes), 0) FROM samples",
	     "SELECT coalesce(sum(tx_bytes), 0) FROM rollup_5m",
	     "SELECT coalesce(sum(tx_bytes), 0) FROM rollup_1h",
	     "SELECT coalesce(sum(tx_bytes), 0) FROM rollup_1d"},
	    {"SELECT count(gauge) FROM samples", "SELECT coalesce(sum(gauge_n), 0) FROM rollup_5m",
	     "SELECT coalesce(sum(gauge_n), 0) FROM rollup_1h",
	     "SELECT coalesce(sum(gauge_n), 0) FROM rollup_1d"},
	};
	for (size_t r = 0; r < sizeof sums / sizeof sums[0]; r++) {
		int64_t want = q_int(db, sums[r][0]);
		for (int k = 1; k < 4; k++) {
			int64_t got = q_int(db, sums[r][k]);
			if (got != want) {
				fprintf(stderr, "%s = %lld but %s = %lld\n", sums[r][0],
				        (long long)want, sums[r][k], (long long)got);
				abort();
			}
		}
	}
	/* Rollup seconds = raw seconds of the samples that carried counters. */
	double secs = q_double(db, "SELECT coalesce(sum(secs), 0) FROM samples WHERE"
	                           " rx_bytes IS NOT NULL OR tx_bytes IS NOT NULL");
	static const char *const rs[] = {"SELECT coalesce(sum(secs), 0) FROM rollup_5m",
	                                 "SELECT coalesce(sum(secs), 0) FROM rollup_1h",
	                                 "SELECT coalesce(sum(secs), 0) FROM rollup_1d"};
	for (int k = 0; k < 3; k++) {
		double got = q_double(db, rs[k]);
		if (fabs(got - secs) > 1e-6 * (secs + 1)) {
			fprintf(stderr, "%s = %f, raw secs %f\n", rs[k], got, secs);
			abort();
		}
	}
	if (q_int(db, "SELECT count(*) FROM rollup_5m WHERE bucket % 300 != 0") != 0 ||
	    q_int(db, "SELECT count(*) FROM rollup_1h WHERE bucket % 3600 != 0") != 0 ||
	    q_int(db, "SELECT count(*) FROM rollup_1d WHERE bucket % 86400 != 0") != 0 ||
	    q_int(db, "SELECT count(*) FROM outages WHERE end IS NULL GROUP BY device, interface"
	              " HAVING count(*) > 1 UNION ALL SELECT 0") != 0)
		abort();
}

/*
 * One database for the whole run (opening one costs a migration): each input runs in a
 * transaction that is checked and then rolled back, so every input starts from the same two
 * empty series.
 */
static struct np_store *
store(void)
{
	static struct np_store *st;
	if (st != NULL)
		return st;
	char *cause = NULL;
	st = np_store_open(":memory:", 0, &cause);
	if (st == NULL) {
		fprintf(stderr, "open: %s\n", cause);
		abort();
	}
	if (np_store_series(st, "f", "dev", "a", NULL, NULL, 0, NULL) != 1 ||
	    np_store_series(st, "f", "dev", "b", NULL, "{\"k\":\"v\"}", 0, NULL) != 2)
		abort();
	return st;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *cause = NULL;
	struct np_store *st = store();
	const int64_t ids[2] = {1, 2};
	if (np_store_begin(st, &cause) != 0)
		abort();
	int64_t t_ms = 0;
	enum np_state state = NP_ST_UNKNOWN;
	for (size_t off = 0; off + 24 <= size && off < 24 * 64; off += 24) {
		const uint8_t *p = data + off;
		int32_t start = (int32_t)(uint32_t)rd(p, 4);
		if (off > 0)
			start = (int32_t)(((uint32_t)start & 0x7fffffff) % (10 * 86400));
		uint8_t mask = p[20], flags = p[21];
		/* Mask bit 4: up to 12 days (past the part limit, slow); else up to ~18 h. */
		uint32_t len =
		    1000 + ((uint32_t)rd(p + 4, 4) & (mask & 0x10 ? 0x3fffffff : 0x03ffffff));
		uint64_t rx = rd(p + 8, 8) & ((1ull << 40) - 1);
		uint64_t tx = rd(p + 16, 4);
		double g = (double)rd(p + 22, 2) / 7.0;
		struct np_sample s = {.from_ms = t_ms + (int64_t)start * 1000,
		                      .to_ms = t_ms + (int64_t)start * 1000 + (int64_t)len,
		                      .mask = mask & 3,
		                      .delta = {rx, tx},
		                      .gauge = (flags & 2) ? NAN : g,
		                      .has_gauge = (flags & 1) != 0,
		                      .verdict = (enum np_verdict)(mask >> 5)};
		t_ms = s.to_ms;
		if (np_store_sample(st, ids[(flags >> 3) & 1], &s, &cause) != 0) {
			fprintf(stderr, "sample: %s\n", cause);
			abort();
		}
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
			                   &cause) != 0) {
				fprintf(stderr, "event: %s\n", cause);
				abort();
			}
			state = to;
		}
	}
	/* Hourly/daily are folded from closed 5-minute buckets; fold the open ones too. Samples
	 * above come in any time order, so late data for folded buckets is exercised as well. */
	if (np_store_fold_all(st, &cause) != 0) {
		fprintf(stderr, "fold: %s\n", cause);
		abort();
	}
	check_sums(np_store_db(st));
	if (np_store_check(st, &cause) != 0) {
		fprintf(stderr, "check: %s\n", cause);
		abort();
	}
	np_store_rollback(st);
	return 0;
}
