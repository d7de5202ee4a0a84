/* Per-series rollup accumulation in memory: see accum.h. */
#include "core/accum.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

void
np_accum_scratch_init(struct np_accum_scratch *sc, size_t max)
{
	memset(sc, 0, sizeof(*sc));
	sc->limit = max;
}

/* Room for n parts (a long gap needs many; a poll needs one or two). */
static void
scratch_fit(struct np_accum_scratch *sc, size_t n)
{
	if (n <= sc->max)
		return;
	free(sc->parts);
	free(sc->shares);
	sc->max = n;
	sc->parts = np_xcalloc(n, sizeof(*sc->parts));
	sc->shares = np_xcalloc((size_t)NP_C_MAX * n, sizeof(*sc->shares));
}

void
np_accum_scratch_free(struct np_accum_scratch *sc)
{
	free(sc->parts);
	free(sc->shares);
	memset(sc, 0, sizeof(*sc));
}

static int64_t
bucket_of_ms(int64_t ms)
{
	/* floor, right for negative times too */
	int64_t s = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	return np_rollup_bucket(s, NP_BUCKET_5M);
}

static void
row_start(struct np_rollup_row *r, int64_t bucket)
{
	memset(r, 0, sizeof(*r));
	r->bucket_s = bucket;
}

/*
 * The row that takes data for `bucket` into *out, or NULL for data older than both held rows
 * (the caller emits it on its own). A newer bucket rotates: the open row becomes the closed
 * one, and a closed row still held is emitted first. -1 if that emit failed.
 */
static int
slot(struct np_accum *a, int64_t bucket, int64_t from_ms, np_accum_emit_fn emit, void *arg,
     int *emitted, struct np_rollup_row **out, char **cause)
{
	*out = NULL;
	if (!a->has_open || bucket == a->open.bucket_s) {
		if (!a->has_open) {
			row_start(&a->open, bucket);
			a->open_from_ms = from_ms;
			a->has_open = true;
		}
		*out = &a->open;
		return 0;
	}
	if (a->has_closed && bucket == a->closed.bucket_s) {
		*out = &a->closed;
		return 0;
	}
	if (bucket < a->open.bucket_s)
		return 0;
	if (a->has_closed) {
		if (emit(&a->closed, arg, cause) == -1)
			return -1;
		(*emitted)++;
	}
	a->closed = a->open;
	a->has_closed = true;
	row_start(&a->open, bucket);
	a->open_from_ms = from_ms;
	*out = &a->open;
	return 0;
}

static size_t
split(const struct np_sample *s, struct np_accum_scratch *sc, double rate[2])
{
	rate[0] = rate[1] = 0;
	if (s->mask == 0)
		return 0;
	int64_t span =
	    s->to_ms > s->from_ms
	        ? (bucket_of_ms(s->to_ms - 1) - bucket_of_ms(s->from_ms)) / NP_BUCKET_5M + 1
	        : 1;
	scratch_fit(sc, span < (int64_t)sc->limit ? (size_t)span : sc->limit);
	return np_rollup_split_counters(s->from_ms, s->to_ms, s->delta, s->mask, sc->parts,
	                                sc->shares, sc->max, rate);
}

int
np_accum_add(struct np_accum *a, const struct np_sample *s, struct np_accum_scratch *sc,
             np_accum_emit_fn emit, void *arg, char **cause)
{
	int emitted = 0;
	double rate[2];
	size_t n = split(s, sc, rate);
	double rate_rx = rate[0], rate_tx = rate[1];
	for (size_t i = 0; i < n; i++) {
		const struct np_rollup_part *pt = &sc->parts[i];
		int64_t from = pt->bucket_s * 1000 > s->from_ms ? pt->bucket_s * 1000 : s->from_ms;
		struct np_rollup_row late, *r;
		if (slot(a, pt->bucket_s, from, emit, arg, &emitted, &r, cause) == -1)
			return -1;
		if (r == NULL) {
			row_start(&late, pt->bucket_s);
			r = &late;
		}
		r->secs += pt->secs;
		for (int c = 0; c < NP_C_MAX; c++)
			if (s->mask & (1u << c))
				r->c[c] += sc->shares[(size_t)c * sc->max + i];
		if (rate_rx > r->peak_rx)
			r->peak_rx = rate_rx;
		if (rate_tx > r->peak_tx)
			r->peak_tx = rate_tx;
		if (r == &late) {
			if (emit(&late, arg, cause) == -1)
				return -1;
			emitted++;
		}
	}
	/* NaN/inf would turn gauge_sum NULL; such a reading carries no gauge. */
	if (s->has_gauge && isfinite(s->gauge)) {
		struct np_rollup_row late, *r;
		if (slot(a, bucket_of_ms(s->to_ms), s->to_ms, emit, arg, &emitted, &r, cause) == -1)
			return -1;
		if (r == NULL) {
			row_start(&late, bucket_of_ms(s->to_ms));
			np_rollup_row_gauge(&late, s->gauge);
			if (emit(&late, arg, cause) == -1)
				return -1;
			emitted++;
		} else {
			np_rollup_row_gauge(r, s->gauge);
		}
	}
	return emitted;
}
