/* Interval amounts read for usage reports, and their pro rata shares (usage_amount.h). */
#include "report/usage_amount.h"

#include <stdlib.h>

#include "report/report.h"
#include "util/xmalloc.h"

/* Overlapping [?1, ?2): the key's start bounds the scan; end is checked per row. */
static const char amounts_sql[] =
    "SELECT series, start, end, rx_bytes, tx_bytes, rx_packets, tx_packets, rx_errors,"
    " tx_errors, rx_drops, tx_drops FROM amounts WHERE start < ?2 AND end > ?1"
    " ORDER BY series, start";

int
np_usage_amounts_load(sqlite3 *db, int64_t start, int64_t end, struct np_usage_amounts *out,
                      char **cause)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int r;
	out->v = NULL;
	out->n = 0;
	if (np_report_prepare(db, amounts_sql, &st, cause) == -1)
		return -1;
	sqlite3_bind_int64(st, 1, start);
	sqlite3_bind_int64(st, 2, end);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 64;
			out->v = np_xreallocarray(out->v, cap, sizeof(*out->v));
		}
		struct np_usage_amount *a = &out->v[out->n++];
		a->series = sqlite3_column_int64(st, 0);
		a->start = sqlite3_column_int64(st, 1);
		a->end = sqlite3_column_int64(st, 2);
		a->mask = 0;
		for (int i = 0; i < NP_AMOUNT_NCOUNTERS; i++) {
			a->c[i] = 0;
			/* A negative amount (a hand-edited row) counts as nothing, like NULL. */
			if (sqlite3_column_type(st, 3 + i) != SQLITE_INTEGER ||
			    sqlite3_column_int64(st, 3 + i) < 0)
				continue;
			a->c[i] = sqlite3_column_int64(st, 3 + i);
			a->mask |= 1u << i;
		}
	}
	if (r != SQLITE_DONE) {
		np_report_sqlerr(db, "reading interval amounts", cause);
		sqlite3_finalize(st);
		np_usage_amounts_free(out);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

void
np_usage_amounts_free(struct np_usage_amounts *a)
{
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

/* floor(v × x / len) for 0 <= x <= len, without overflow: v = q × len + r. */
static int64_t
upto(int64_t v, int64_t x, int64_t len)
{
	int64_t q = v / len, r = v % len;
	/* r × x < len²: exact in 64 bits while len < 3.0e9 s (95 years). */
	int64_t rx = len < 3000000000LL ? r * x / len : (int64_t)((long double)r * x / len);
	return q * x + rx;
}

int64_t
np_usage_share(int64_t v, int64_t s, int64_t e, int64_t a, int64_t b)
{
	if (e <= s || v <= 0)
		return 0;
	int64_t lo = a > s ? a : s, hi = b < e ? b : e;
	if (lo >= hi)
		return 0;
	return upto(v, hi - s, e - s) - upto(v, lo - s, e - s);
}
