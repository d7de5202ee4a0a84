/* The per-ifindex link table, checked against a plain array under random put/del/sweep. */
#include "local_test.h"

#include "collectors/local_table.h"

#define N 5000

static void
test_basic(void **state)
{
	struct np_local_table *t = np_local_table_new();
	bool created;
	assert_null(np_local_table_get(t, 1));
	assert_null(np_local_table_get(t, 0));
	struct np_local_entry *e = np_local_table_put(t, 1, &created);
	assert_true(created);
	assert_int_equal(e->ifindex, 1);
	assert_int_equal(e->name[0], '\0');
	strcpy(e->name, "lo");
	e = np_local_table_put(t, 1, &created);
	assert_false(created);
	assert_string_equal(e->name, "lo");
	assert_int_equal(np_local_table_count(t), 1);
	np_local_table_del(t, 1);
	np_local_table_del(t, 1); /* absent: no-op */
	assert_null(np_local_table_get(t, 1));
	assert_int_equal(np_local_table_count(t), 0);
	np_local_table_free(t);
	np_local_table_free(NULL);
}

static uint32_t
rnd(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

static void
check(struct np_local_table *t, const int8_t *present, const uint32_t *tag)
{
	size_t n = 0;
	for (int32_t i = 1; i < N; i++) {
		struct np_local_entry *e = np_local_table_get(t, i);
		if (present[i]) {
			assert_non_null(e);
			assert_int_equal(e->gen, tag[i]);
			n++;
		} else {
			assert_null(e);
		}
	}
	assert_int_equal(np_local_table_count(t), n);
	size_t it = 0, seen = 0;
	struct np_local_entry *e;
	while ((e = np_local_table_next(t, &it)) != NULL) {
		assert_true(present[e->ifindex]);
		seen++;
	}
	assert_int_equal(seen, n);
}

static void
test_random_against_array(void **state)
{
	static int8_t present[N];
	static uint32_t tag[N];
	memset(present, 0, sizeof(present));
	struct np_local_table *t = np_local_table_new();
	uint32_t s = 12345;
	for (int round = 0; round < 40; round++) {
		for (int k = 0; k < 2000; k++) {
			/* Clustered ifindexes (as the kernel hands them out) plus strays. */
			int32_t i = (int32_t)(rnd(&s) % (round < 20 ? 600 : N - 1)) + 1;
			if (rnd(&s) % 3 == 0) {
				np_local_table_del(t, i);
				present[i] = 0;
			} else {
				bool created;
				struct np_local_entry *e = np_local_table_put(t, i, &created);
				assert_int_equal(created, !present[i]);
				e->gen = tag[i] = rnd(&s);
				present[i] = 1;
			}
		}
		check(t, present, tag);
		/* Sweep: keep only entries re-marked with the current generation. */
		uint32_t gen = 0xffffffffu - (uint32_t)round;
		size_t expect_del = 0;
		for (int32_t i = 1; i < N; i++) {
			if (!present[i])
				continue;
			if (rnd(&s) % 2) {
				np_local_table_get(t, i)->gen = tag[i] = gen;
			} else {
				present[i] = 0;
				expect_del++;
			}
		}
		assert_int_equal(np_local_table_sweep(t, gen, NULL, NULL), expect_del);
		check(t, present, tag);
	}
	np_local_table_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_basic),
	    cmocka_unit_test(test_random_against_array),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
