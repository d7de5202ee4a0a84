#include "collectors/meraki_days.h"

#include <math.h>

#include "util/civil.h"
#include "util/tz.h"

#define DAY_S 86400

int64_t
np_meraki_day_start(const struct np_tz *tz, int64_t t)
{
	return np_tz_midnight(tz, np_tz_day(tz, t));
}

int64_t
np_meraki_day_next(const struct np_tz *tz, int64_t t)
{
	return np_tz_midnight(tz, np_tz_day(tz, t) + 1);
}

size_t
np_meraki_bounds(int64_t now_s, const struct np_tz *tz, int64_t backfill_s, int64_t mark_s,
                 int64_t out[NP_MERAKI_BOUNDS_MAX])
{
	int64_t today = np_tz_day(tz, now_s);
	int64_t today0 = np_tz_midnight(tz, today);
	int64_t days = backfill_s > 0 ? backfill_s / DAY_S : 0;
	if (days > NP_MERAKI_BACKFILL_DAYS_MAX)
		days = NP_MERAKI_BACKFILL_DAYS_MAX;
	int64_t first = np_tz_midnight(tz, today - days);
	if (mark_s > 0) {
		int64_t m = np_meraki_day_start(tz, mark_s);
		if (m != mark_s)
			m = np_meraki_day_next(tz, mark_s);
		if (m > first)
			first = m;
	}
	size_t n = 0;
	for (int64_t b = first; b < today0 && n < NP_MERAKI_BOUNDS_MAX - 1;
	     b = np_meraki_day_next(tz, b))
		out[n++] = b;
	if (n > 0)
		out[n++] = today0;
	return n;
}

/* Bytes rounded to nearest (halves up); below half a byte (and NaN) 0, saturated at 2^64. */
static uint64_t
round_bytes(double b)
{
	if (!(b >= 0.5))
		return 0;
	if (b >= 18446744073709551616.0)
		return UINT64_MAX;
	/* From 2^63 on doubles are multiples of 2048: + 0.5 never rounds up to 2^64. */
	return (uint64_t)(b + 0.5);
}

uint64_t
np_meraki_kb_bytes(double kb)
{
	return round_bytes(kb * 1000.0);
}

/* One clamped difference: bytes of since_i - since_next; *clamped counts a real negative. */
static uint64_t
diff(double since_i, double since_next, size_t *clamped)
{
	double b = (since_i - since_next) * 1000.0;
	if (b < -0.5)
		(*clamped)++;
	return round_bytes(b);
}

size_t
np_meraki_days_diff(const struct np_meraki_usage *since, size_t nb, size_t ngroups,
                    struct np_meraki_day_bytes *out)
{
	size_t clamped = 0;
	for (size_t i = 0; i + 1 < nb; i++) {
		for (size_t g = 0; g < ngroups; g++) {
			const struct np_meraki_usage *a = &since[i * ngroups + g];
			const struct np_meraki_usage *b = &since[(i + 1) * ngroups + g];
			struct np_meraki_day_bytes *o = &out[i * ngroups + g];
			o->rx_bytes = diff(a->recv_kb, b->recv_kb, &clamped);
			o->tx_bytes = diff(a->sent_kb, b->sent_kb, &clamped);
		}
	}
	return clamped;
}
