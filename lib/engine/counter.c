#include "engine/counter.h"

const char *const np_verdict_names[NP_V_MAX] = {
    "first", "ok", "wrap32", "wrap64", "reset", "spike", "gap", "clock",
};

/*
 * Is `delta` units over `elapsed_ms` a believable amount? A delta above INT64_MAX never is,
 * whatever the limit: no link moves 2^63 units between two polls, it is a driver's all-ones
 * placeholder, and the store could not hold it. Below that, with no limit known everything is.
 * delta / (elapsed / 1000) <= max_rate * 105 / 100, multiplied out so that no inexact
 * division (1.05 is not exact in binary) decides a rate exactly at the limit.
 */
static bool
plausible(const struct np_counter_params *p, uint64_t delta, int64_t elapsed_ms)
{
	if (delta > (uint64_t)INT64_MAX)
		return false;
	if (p->max_rate <= 0)
		return true;
	if (elapsed_ms <= 0)
		return false;
	return (double)delta * 100000.0 <= p->max_rate * 105.0 * (double)elapsed_ms;
}

static struct np_counter_result
result(enum np_verdict v, uint64_t delta, int64_t from_ms, int64_t to_ms)
{
	struct np_counter_result r = {
	    .verdict = v, .delta = delta, .from_ms = from_ms, .to_ms = to_ms};
	return r;
}

/* The interval counted by a value that dropped: a wrap of the counter's width, or a reset. */
static struct np_counter_result
dropped(const struct np_counter_state *st, const struct np_counter_params *p, uint64_t value,
        int64_t time_ms)
{
	int64_t elapsed = time_ms - st->last_ms;
	bool is32 = p->bits == 32 && st->last <= UINT32_MAX;
	uint64_t wrap;
	uint64_t quarter;
	if (is32) {
		wrap = ((uint64_t)UINT32_MAX - st->last) + value + 1;
		quarter = (uint64_t)1 << 30;
	} else if (p->bits == 32) {
		/* A "32-bit" counter above 2^32-1 cannot have wrapped at 2^32: reset. */
		wrap = UINT64_MAX;
		quarter = 0;
	} else {
		/* (2^64 - 1 - last) + value + 1, computed modulo 2^64 (value < last). */
		wrap = value - st->last;
		quarter = (uint64_t)1 << 62;
	}
	bool wrap_ok = p->max_rate > 0 ? plausible(p, wrap, elapsed) : wrap < quarter;
	if (quarter != 0 && wrap_ok)
		return result(is32 ? NP_V_WRAP32 : NP_V_WRAP64, wrap, st->last_ms, time_ms);
	return result(NP_V_RESET, plausible(p, value, elapsed) ? value : 0, st->last_ms, time_ms);
}

struct np_counter_result
np_counter_update(struct np_counter_state *st, const struct np_counter_params *p, uint64_t value,
                  int64_t time_ms, uint64_t epoch)
{
	struct np_counter_result r;

	if (!st->primed) {
		r = result(NP_V_FIRST, 0, time_ms, time_ms);
	} else if (epoch != 0 && st->epoch != 0 && epoch != st->epoch) {
		/* Restarted, whatever the values say; with no time elapsed nothing is countable. */
		if (time_ms > st->last_ms)
			r = result(NP_V_RESET,
			           plausible(p, value, time_ms - st->last_ms) ? value : 0,
			           st->last_ms, time_ms);
		else
			r = result(NP_V_RESET, 0, time_ms, time_ms);
	} else if (time_ms <= st->last_ms) {
		/* from == to so nobody spreads a zero delta over a negative interval. */
		r = result(NP_V_CLOCK, 0, time_ms, time_ms);
	} else if (value >= st->last) {
		uint64_t delta = value - st->last;
		int64_t elapsed = time_ms - st->last_ms;
		if (!plausible(p, delta, elapsed))
			r = result(NP_V_SPIKE, 0, st->last_ms, time_ms);
		else if (p->max_gap_ms > 0 && elapsed > p->max_gap_ms)
			r = result(NP_V_GAP, delta, st->last_ms, time_ms);
		else
			r = result(NP_V_OK, delta, st->last_ms, time_ms);
	} else {
		r = dropped(st, p, value, time_ms);
	}

	st->last = value;
	st->last_ms = time_ms;
	if (epoch != 0)
		st->epoch = epoch;
	st->primed = true;
	return r;
}
