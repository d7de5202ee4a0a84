/*
 * Token buckets for the HTTP engine. The arithmetic takes the time as an argument (the engine
 * passes the monotonic clock), so a unit test checks it to the token.
 */
#include "io/http_limit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/http.h"
#include "util/hmap.h"
#include "util/xmalloc.h"

/* Slack for floating-point sums: 0.1 + 0.9 of a token is a token. */
#define EPS 1e-9

static void
refill(struct np_tbucket *b, int64_t now_ms)
{
	if (now_ms > b->last_ms) {
		if (b->rate > 0) {
			b->tokens += (double)(now_ms - b->last_ms) * b->rate / 1000.0;
			if (b->tokens > b->burst)
				b->tokens = b->burst;
		}
		b->last_ms = now_ms;
	}
}

void
np_tbucket_init(struct np_tbucket *b, double rate, double burst, int64_t now_ms)
{
	b->rate = rate;
	b->burst = burst < 1 ? 1 : burst;
	b->tokens = b->burst;
	b->last_ms = now_ms;
}

void
np_tbucket_set(struct np_tbucket *b, double rate, double burst, int64_t now_ms)
{
	refill(b, now_ms);
	b->rate = rate;
	b->burst = burst < 1 ? 1 : burst;
	if (b->tokens > b->burst)
		b->tokens = b->burst;
}

int64_t
np_tbucket_wait_ms(struct np_tbucket *b, int64_t now_ms)
{
	if (b->rate <= 0)
		return 0;
	refill(b, now_ms);
	if (b->tokens + EPS >= 1)
		return 0;
	double ms = ceil((1 - b->tokens - EPS) * 1000.0 / b->rate);
	/* A rate so small that the wait overflows: wait a day and look again. */
	return ms < 1 ? 1 : ms > 86400000.0 ? 86400000 : (int64_t)ms;
}

void
np_tbucket_take(struct np_tbucket *b, int64_t now_ms)
{
	if (b->rate <= 0)
		return;
	refill(b, now_ms);
	b->tokens -= 1;
	if (b->tokens < 0) /* only EPS below: keep the sum exact from here */
		b->tokens = 0;
}

struct np_http_limiter *
np_http_limiter_get_in(struct np_hmap *map, const char *key, double rate, double burst,
                       int64_t now_ms)
{
	size_t klen = strlen(key);
	struct np_http_limiter *l = np_hmap_get(map, key, klen);
	if (l != NULL) {
		l->refs++;
		np_tbucket_set(&l->b, rate, burst, now_ms);
		return l;
	}
	l = np_xcalloc(1, sizeof(*l));
	l->map = map;
	l->key = np_xstrdup(key);
	l->refs = 1;
	np_tbucket_init(&l->b, rate, burst, now_ms);
	np_hmap_put(map, key, klen, l);
	return l;
}

void
np_http_limiter_ref(struct np_http_limiter *l)
{
	l->refs++;
}

void
np_http_limiter_put(struct np_http_limiter *l)
{
	if (l == NULL || --l->refs > 0)
		return;
	np_hmap_del(l->map, l->key, strlen(l->key));
	free(l->key);
	free(l);
}
