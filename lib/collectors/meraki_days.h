#ifndef NP_COLLECTORS_MERAKI_DAYS_H
#define NP_COLLECTORS_MERAKI_DAYS_H
/*
 * The days of the meraki source (MERAKI.md "Days"), pure. The API gives a client's usage
 * since an instant t0 until now; a day's usage is usage since its start minus usage since
 * the next day's start. Days are local days of a zone: their starts are local midnights
 * turned into UTC instants, so a DST day is 23 or 25 h long (the original subtracted 86400 s
 * and was an hour off on those days).
 *
 * All instants are UTC seconds.
 */
#include <stddef.h>
#include <stdint.h>

struct np_tz;

/* At most this many days are filled (the API's t0 reaches 31 days back; the oldest
 * midnight asked must be inside it). */
#define NP_MERAKI_BACKFILL_DAYS_MAX 30
#define NP_MERAKI_BOUNDS_MAX (NP_MERAKI_BACKFILL_DAYS_MAX + 1)

/* The start (local midnight, or the first instant of the day when midnight does not exist)
 * of the local day that contains t. */
int64_t np_meraki_day_start(const struct np_tz *tz, int64_t t);
/* The start of the local day after the one that starts at (or contains) t. */
int64_t np_meraki_day_next(const struct np_tz *tz, int64_t t);

/*
 * The boundaries B_0 < B_1 < ... < B_k of the complete days still to store, written to out;
 * returns k + 1, or 0 when no day is missing. today0 = the start of now's local day;
 * oldest = the start of the local day backfill_s / 86400 days before today (whole days,
 * capped at NP_MERAKI_BACKFILL_DAYS_MAX); mark_s = the end of the last stored day (0 =
 * none; ctx->amount_mark / 1000 rounded up). B_0 = max(oldest, mark rounded up to a day
 * start of this zone: a mark left by another zone never makes a stored day overlap a new
 * one), B_k = today0, each B_i+1 the day start after B_i. The running day is never included.
 */
size_t np_meraki_bounds(int64_t now_s, const struct np_tz *tz, int64_t backfill_s, int64_t mark_s,
                        int64_t out[NP_MERAKI_BOUNDS_MAX]);

/* Usage since one boundary of one group, summed in double over the clients. */
struct np_meraki_usage {
	double sent_kb, recv_kb;
};

/* One day's amounts of one group. rx = what the clients received, tx = what they sent. */
struct np_meraki_day_bytes {
	uint64_t rx_bytes, tx_bytes;
};

/* kB (1 kB = 1000 bytes, the API's unit) to bytes, rounded to nearest; negative gives 0,
 * beyond UINT64_MAX saturates. */
uint64_t np_meraki_kb_bytes(double kb);

/*
 * The day amounts of nb boundaries: since[i * ngroups + g] is group g's usage since B_i
 * (i < nb), and out[i * ngroups + g] (i < nb - 1) becomes since(B_i) - since(B_i+1) in bytes.
 * A difference below 0 (a client seen in the later window but not the earlier one, a counter
 * the API lowered) is clamped to 0; returns how many values (rx and tx counted apart) were
 * clamped. A difference that rounds to 0 bytes is 0 and not counted (sums of the same
 * clients in another order may differ in the last bits).
 */
size_t np_meraki_days_diff(const struct np_meraki_usage *since, size_t nb, size_t ngroups,
                           struct np_meraki_day_bytes *out);

#endif
