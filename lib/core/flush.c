/* See flush.h. */
#include "core/flush.h"

#include <string.h>

/*
 * 15 slots of 10 s: a poll every second writes closed rows at one poll in ten, a fifteenth of
 * the series each time, so fewer commits carry rows (each one writes whole pages) while no
 * poll does more than a fifteenth of the work.
 */
#define SPREAD_MS 150000
#define SPREAD_SLOTS 15

int
np_flush_row(const struct np_rollup_row *r, void *arg, char **cause)
{
	const struct np_flush_ctx *c = arg;
	return np_store_rollup(c->st, c->series, r, cause);
}

int64_t
np_flush_delay_ms(int64_t series, int64_t max_id)
{
	if (max_id < 1)
		max_id = 1;
	int64_t slot = series < 0        ? 0
	               : series > max_id ? SPREAD_SLOTS - 1
	                                 : series * SPREAD_SLOTS / (max_id + 1);
	/* From 10 s on: the poll at the boundary already moves every series to a new bucket. */
	return (slot + 1) * SPREAD_MS / SPREAD_SLOTS;
}

bool
np_flush_pending(const struct np_series *s)
{
	return s->v.acc.has_open || s->v.acc.has_closed;
}

/* The time of the series' latest counter reading (0 if none). */
static int64_t
latest_ms(const struct np_series *s)
{
	int64_t t = 0;
	for (int i = 0; i < NP_C_MAX; i++)
		if (s->v.c[i].primed && (t == 0 || s->v.c[i].last_ms > t))
			t = s->v.c[i].last_ms;
	return t;
}

int
np_flush_series(struct np_store *st, struct np_series *s, bool all, char **cause)
{
	struct np_accum *a = &s->v.acc;
	struct np_flush_ctx c = {.st = st, .series = s->id};
	if (a->has_closed && np_flush_row(&a->closed, &c, cause) == -1)
		return -1;
	if (all && a->has_open && np_flush_row(&a->open, &c, cause) == -1)
		return -1;

	int64_t t = latest_ms(s);
	if (t != 0) {
		struct np_baseline b;
		np_series_baseline(s, (1u << NP_C_MAX) - 1, t, &b);
		if (!all && a->has_open) {
			/* What the open row holds is not in the store: the baseline stops before
			 * it. */
			uint64_t wrap = s->v.bits == 32 ? 0xffffffffu : UINT64_MAX;
			for (int i = 0; i < NP_C_MAX; i++)
				if (b.mask & (1u << i))
					b.value[i] = (b.value[i] - a->open.c[i]) & wrap;
			b.time_ms = a->open_from_ms;
		}
		if (b.mask != 0 && np_store_baseline_save(st, s->id, &b, cause) == -1)
			return -1;
	}
	a->has_closed = false;
	if (all)
		a->has_open = false;
	return 0;
}
