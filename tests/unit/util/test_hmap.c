/*
 * String-keyed map: removal while walking (np_hmap_remove_if) keeps every other entry
 * reachable, through the shrink it triggers and after it.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/hmap.h"

static int freed;

static void
count_free(void *v)
{
	freed++;
	free(v);
}

static bool
is_odd_or_big(const char *key, size_t keylen, void *value, void *arg)
{
	int v = *(int *)value;
	return v % 2 == 1 || v >= *(int *)arg;
}

static void
put(struct np_hmap *m, int i)
{
	char key[16];
	int n = snprintf(key, sizeof(key), "k%d", i);
	int *v = malloc(sizeof(*v));
	*v = i;
	assert_null(np_hmap_put(m, key, (size_t)n, v));
}

static int
get(struct np_hmap *m, int i)
{
	char key[16];
	int n = snprintf(key, sizeof(key), "k%d", i);
	int *v = np_hmap_get(m, key, (size_t)n);
	return v != NULL ? *v : -1;
}

static void
test_remove_if_keeps_the_rest(void **state)
{
	struct np_hmap *m = np_hmap_new();
	for (int i = 0; i < 5000; i++)
		put(m, i);
	int limit = 5000;
	freed = 0;
	assert_int_equal(np_hmap_remove_if(m, is_odd_or_big, &limit, count_free), 2500);
	assert_int_equal(freed, 2500);
	assert_int_equal(np_hmap_count(m), 2500);
	/* The map shrinks from thousands of slots to a few: everything left is still found. */
	limit = 10;
	assert_int_equal(np_hmap_remove_if(m, is_odd_or_big, &limit, count_free), 2495);
	assert_int_equal(np_hmap_count(m), 5);
	for (int i = 0; i < 5000; i++)
		assert_int_equal(get(m, i), i < 10 && i % 2 == 0 ? i : -1);
	/* And it grows again as before. */
	for (int i = 1; i < 3000; i += 2)
		put(m, i);
	assert_int_equal(np_hmap_count(m), 1505);
	assert_int_equal(get(m, 2999), 2999);
	assert_int_equal(get(m, 8), 8);
	np_hmap_free(m, free);
}

static void
test_del_shrinks_and_keeps_the_rest(void **state)
{
	struct np_hmap *m = np_hmap_new();
	for (int i = 0; i < 1000; i++)
		put(m, i);
	char key[16];
	for (int i = 0; i < 1000; i += 1) {
		if (i % 100 == 0)
			continue;
		int n = snprintf(key, sizeof(key), "k%d", i);
		free(np_hmap_del(m, key, (size_t)n));
	}
	assert_int_equal(np_hmap_count(m), 10);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(get(m, i), i % 100 == 0 ? i : -1);
	np_hmap_free(m, free);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_remove_if_keeps_the_rest),
	    cmocka_unit_test(test_del_shrinks_and_keeps_the_rest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
