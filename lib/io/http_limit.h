#ifndef NP_IO_HTTP_LIMIT_H
#define NP_IO_HTTP_LIMIT_H
/*
 * Internal to the HTTP engine (lib/io/http*.c): the token bucket behind np_http_limiter and a
 * client's own rate. The bucket is pure arithmetic on a time passed in (tests drive it with an
 * exact clock); the limiter registry keys buckets by string, reference counted.
 */
#include <stdbool.h>
#include <stdint.h>

struct np_hmap;

/* rate tokens per second, at most burst stored. rate <= 0 = no limit. */
struct np_tbucket {
	double rate, burst, tokens;
	int64_t last_ms;
};

/* Starts full. burst < 1 is taken as 1 (one token must fit). */
void np_tbucket_init(struct np_tbucket *b, double rate, double burst, int64_t now_ms);
/* New rate/burst from now on; what was earned so far at the old rate is kept (capped). */
void np_tbucket_set(struct np_tbucket *b, double rate, double burst, int64_t now_ms);
/* Milliseconds until one token is there: 0 = now. Never negative. */
int64_t np_tbucket_wait_ms(struct np_tbucket *b, int64_t now_ms);
/* Takes one token; call only when np_tbucket_wait_ms gave 0. */
void np_tbucket_take(struct np_tbucket *b, int64_t now_ms);

struct np_http_limiter {
	struct np_hmap *map; /* the engine's registry, to leave it on the last put */
	char *key;
	int refs;
	struct np_tbucket b;
};

/* The engine's registry (key -> limiter). Freed with np_http_free; must be empty then. */
struct np_http_limiter *np_http_limiter_get_in(struct np_hmap *map, const char *key, double rate,
                                               double burst, int64_t now_ms);
void np_http_limiter_ref(struct np_http_limiter *l);

#endif
