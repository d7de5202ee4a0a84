/* The token bucket behind np_http_limiter, on an injected clock: exact token arithmetic. */
#include "testutil.h"

#include <event2/event.h>

#include "io/http.h"
#include "io/http_limit.h"

static void
test_bucket_rate_burst(void **state)
{
	/* rate 10/s, burst 10: 10 at once, then one every 100 ms. */
	struct np_tbucket b;
	np_tbucket_init(&b, 10, 10, 1000);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(np_tbucket_wait_ms(&b, 1000), 0);
		np_tbucket_take(&b, 1000);
	}
	assert_int_equal(np_tbucket_wait_ms(&b, 1000), 100);
	assert_int_equal(np_tbucket_wait_ms(&b, 1099), 1);
	assert_int_equal(np_tbucket_wait_ms(&b, 1100), 0);
	np_tbucket_take(&b, 1100);
	assert_int_equal(np_tbucket_wait_ms(&b, 1130), 70);
	/* 20 requests each taken as soon as allowed: how many in the first second [1000, 2000)? */
	struct np_tbucket c;
	np_tbucket_init(&c, 10, 10, 0);
	int64_t now = 0;
	int in_first_s = 0;
	for (int i = 0; i < 20; i++) {
		now += np_tbucket_wait_ms(&c, now);
		np_tbucket_take(&c, now);
		if (now < 1000)
			in_first_s++;
	}
	assert_int_equal(in_first_s, 10 + 9); /* the burst, then t = 100 ... 900 */
	assert_int_equal(now, 1000);          /* the 20th at exactly 1 s */
}

static void
test_bucket_caps_and_fractions(void **state)
{
	struct np_tbucket b;
	np_tbucket_init(&b, 3, 2, 0);
	np_tbucket_take(&b, 0);
	np_tbucket_take(&b, 0);
	/* 1/3 token per 111.1 ms: the first token back after ceil(333.3) ms. */
	assert_int_equal(np_tbucket_wait_ms(&b, 0), 334);
	assert_int_equal(np_tbucket_wait_ms(&b, 333), 1);
	assert_int_equal(np_tbucket_wait_ms(&b, 334), 0);
	/* A long idle time fills up to burst only. */
	assert_int_equal(np_tbucket_wait_ms(&b, 100000), 0);
	np_tbucket_take(&b, 100000);
	np_tbucket_take(&b, 100000);
	assert_int_equal(np_tbucket_wait_ms(&b, 100000), 334);
	/* Time going backwards earns nothing. */
	assert_int_equal(np_tbucket_wait_ms(&b, 50000), 334);
	/* burst < 1 holds one token; rate 0 never waits. */
	np_tbucket_init(&b, 1, 0.2, 0);
	assert_int_equal(np_tbucket_wait_ms(&b, 0), 0);
	np_tbucket_take(&b, 0);
	assert_int_equal(np_tbucket_wait_ms(&b, 0), 1000);
	np_tbucket_init(&b, 0, 1, 0);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(np_tbucket_wait_ms(&b, 0), 0);
		np_tbucket_take(&b, 0);
	}
}

static void
test_bucket_set(void **state)
{
	struct np_tbucket b;
	np_tbucket_init(&b, 10, 10, 0);
	for (int i = 0; i < 10; i++)
		np_tbucket_take(&b, 0);
	/* 500 ms at 10/s earned 5 tokens; from then on 1/s and at most 3. */
	np_tbucket_set(&b, 1, 3, 500);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(np_tbucket_wait_ms(&b, 500), 0);
		np_tbucket_take(&b, 500);
	}
	assert_int_equal(np_tbucket_wait_ms(&b, 500), 1000);
}

static void
test_limiter_registry(void **state)
{
	struct event_base *base = event_base_new();
	struct np_http *h = np_http_new(base, NULL, NULL);
	assert_non_null(h);
	struct np_http_limiter *a = np_http_limiter_get(h, "org:1", 10, 10);
	struct np_http_limiter *b = np_http_limiter_get(h, "org:1", 5, 2);
	struct np_http_limiter *c = np_http_limiter_get(h, "org:2", 10, 10);
	assert_ptr_equal(a, b);
	assert_ptr_not_equal(a, c);
	assert_int_equal(a->refs, 2);
	/* The latest rate/burst win; the bucket is capped at the new burst. */
	assert_true(a->b.rate == 5 && a->b.burst == 2 && a->b.tokens == 2);
	np_http_limiter_put(a);
	assert_int_equal(b->refs, 1);
	np_http_limiter_put(b);
	/* Gone with its last reference: the same key is a new, full bucket. */
	struct np_http_limiter *d = np_http_limiter_get(h, "org:1", 1, 4);
	assert_int_equal(d->refs, 1);
	assert_true(d->b.tokens == 4);
	np_http_limiter_put(d);
	np_http_limiter_put(c);
	np_http_free(h);
	event_base_free(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bucket_rate_burst),
	    cmocka_unit_test(test_bucket_caps_and_fractions),
	    cmocka_unit_test(test_bucket_set),
	    cmocka_unit_test(test_limiter_registry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
