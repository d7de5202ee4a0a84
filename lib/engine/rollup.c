#include "engine/rollup.h"

#include <stdbool.h>

/* Division rounding towards minus infinity (C rounds towards zero). */
static int64_t
floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

int64_t
np_rollup_bucket(int64_t t_s, int64_t width_s)
{
	if (width_s <= 0)
		return t_s;
	return floordiv(t_s, width_s) * width_s;
}

static int64_t
max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

static int64_t
min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

size_t
np_rollup_split(int64_t from_ms, int64_t to_ms, uint64_t delta, int64_t width_s,
                struct np_rollup_part *out, size_t max)
{
	if (max == 0 || width_s <= 0)
		return 0;
	int64_t width_ms = width_s * 1000;

	if (to_ms <= from_ms) {
		/* Empty (or backwards) interval: a point at to_ms. */
		out[0].bucket_s = floordiv(to_ms, width_ms) * width_s;
		out[0].secs = 0;
		out[0].share = delta;
		return 1;
	}

	/* Buckets are half-open [b, b + width): an interval ending on a boundary stops before. */
	int64_t first = floordiv(from_ms, width_ms);
	int64_t last = floordiv(to_ms - 1, width_ms);
	uint64_t span = (uint64_t)(last - first) + 1;
	size_t n = span > max ? max : (size_t)span;
	/* Buckets before `kept` are merged into the first part written. */
	int64_t kept = last - (int64_t)n + 1;
	uint64_t total = (uint64_t)(to_ms - from_ms);
	uint64_t given = 0;

	for (size_t i = 0; i < n; i++) {
		int64_t b = kept + (int64_t)i;
		int64_t lo = i == 0 ? from_ms : b * width_ms;
		int64_t hi = min64(to_ms, (b + 1) * width_ms);
		lo = max64(lo, from_ms);
		uint64_t in = (uint64_t)(hi - lo);
		out[i].bucket_s = b * width_s;
		out[i].secs = (double)in / 1000.0;
		if (i + 1 == n) {
			out[i].share = delta - given;
		} else {
			/* 128-bit product: delta * ms can exceed 2^64. */
			out[i].share = (uint64_t)((unsigned __int128)delta * in / total);
			given += out[i].share;
		}
	}
	return n;
}

void
np_rollup_row_gauge(struct np_rollup_row *r, double g)
{
	if (r->gauge_n == 0 || g < r->gauge_min)
		r->gauge_min = g;
	if (r->gauge_n == 0 || g > r->gauge_max)
		r->gauge_max = g;
	r->gauge_sum += g;
	r->gauge_n++;
}

void
np_rollup_row_merge(struct np_rollup_row *a, const struct np_rollup_row *b)
{
	a->secs += b->secs;
	for (int i = 0; i < NP_C_MAX; i++)
		a->c[i] += b->c[i];
	if (b->peak_rx > a->peak_rx)
		a->peak_rx = b->peak_rx;
	if (b->peak_tx > a->peak_tx)
		a->peak_tx = b->peak_tx;
	if (b->gauge_n > 0) {
		if (a->gauge_n == 0 || b->gauge_min < a->gauge_min)
			a->gauge_min = b->gauge_min;
		if (a->gauge_n == 0 || b->gauge_max > a->gauge_max)
			a->gauge_max = b->gauge_max;
		a->gauge_sum += b->gauge_sum;
		a->gauge_n += b->gauge_n;
	}
}

size_t
np_rollup_split_counters(int64_t from_ms, int64_t to_ms, const uint64_t delta[NP_C_MAX],
                         uint32_t mask, struct np_rollup_part *parts, uint64_t *shares, size_t max,
                         double rate[2])
{
	rate[0] = rate[1] = 0;
	if (mask == 0)
		return 0;
	double secs = (double)(to_ms - from_ms) / 1000.0;
	if (secs > 0) {
		if (mask & (1u << NP_C_RX_BYTES))
			rate[0] = (double)delta[NP_C_RX_BYTES] / secs;
		if (mask & (1u << NP_C_TX_BYTES))
			rate[1] = (double)delta[NP_C_TX_BYTES] / secs;
	}
	size_t n = np_rollup_split(from_ms, to_ms, 0, NP_BUCKET_5M, parts, max);
	/*
	 * The same shares np_rollup_split gives each counter (floor of the part's share of the
	 * time, the remainder to the last part), from the parts' own times: one division per
	 * part and counter, none for a counter that did not move.
	 */
	uint64_t in[2];
	uint64_t total = to_ms > from_ms ? (uint64_t)(to_ms - from_ms) : 0;
	bool two = n == 2 && total > 0;
	if (two) {
		int64_t edge = parts[1].bucket_s * 1000;
		in[0] = (uint64_t)(edge - (from_ms > parts[0].bucket_s * 1000
		                               ? from_ms
		                               : parts[0].bucket_s * 1000));
		in[1] = total - in[0];
	}
	for (int c = 0; c < NP_C_MAX; c++) {
		if (!(mask & (1u << c)))
			continue;
		uint64_t *sh = shares + (size_t)c * max;
		if (n == 1 || delta[c] == 0) {
			for (size_t i = 0; i < n; i++)
				sh[i] = 0;
			sh[n - 1] = delta[c];
			continue;
		}
		if (two) {
			sh[0] = (uint64_t)((unsigned __int128)delta[c] * in[0] / total);
			sh[1] = delta[c] - sh[0];
			continue;
		}
		np_rollup_split(from_ms, to_ms, delta[c], NP_BUCKET_5M, parts, n);
		for (size_t i = 0; i < n; i++)
			sh[i] = parts[i].share;
	}
	return n;
}
