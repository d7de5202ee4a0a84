/*
 * Counter baselines: a round trip keeps every uint64 bit pattern (all-ones readings, epochs
 * above 2^63), one row per series that the next save replaces, nothing for an unknown series,
 * nothing kept from a rolled-back transaction, and no row for a series that does not exist.
 */
#include "storetest.h"

static int64_t
series(struct np_store *st, const char *ifname)
{
	char *cause = NULL;
	int64_t id = np_store_series(st, "src", "dev", ifname, NULL, NULL, 100, &cause);
	if (id < 0)
		fail_msg("series: %s", cause);
	return id;
}

static void
test_round_trip(void **state)
{
	struct np_store *st = open_mem();
	int64_t id = series(st, "eth0");
	char *cause = NULL;
	struct np_baseline b = {
	    .time_ms = 1764576000123LL, .epoch = UINT64_MAX - 1, .mask = (1u << NP_C_MAX) - 1};
	for (int c = 0; c < NP_C_MAX; c++)
		b.value[c] = (uint64_t)c * 1000 + 7;
	b.value[NP_C_RX_BYTES] = UINT64_MAX;              /* a driver's all-ones */
	b.value[NP_C_TX_BYTES] = (uint64_t)INT64_MAX + 1; /* just above what INT64 holds */
	assert_int_equal(np_store_baseline_save(st, id, &b, &cause), 0);
	assert_rows(st, "SELECT * FROM baselines",
	            "1|1764576000123|-2|255|-1|-9223372036854775808|2007|3007|4007|5007|6007|7007");

	struct np_baseline got;
	assert_int_equal(np_store_baseline_load(st, id, &got, &cause), 1);
	assert_int_equal(got.time_ms, b.time_ms);
	assert_true(got.epoch == UINT64_MAX - 1);
	assert_int_equal(got.mask, 255);
	for (int c = 0; c < NP_C_MAX; c++)
		assert_true(got.value[c] == b.value[c]);
	np_store_close(st);
}

static void
test_replace_and_partial_mask(void **state)
{
	struct np_store *st = open_mem();
	int64_t a = series(st, "eth0"), b2 = series(st, "eth1");
	char *cause = NULL;
	struct np_baseline b = {.time_ms = 1000, .epoch = 3, .mask = 0x3};
	b.value[0] = 10;
	b.value[1] = 20;
	b.value[2] = 99; /* not in the mask: not stored */
	assert_int_equal(np_store_baseline_save(st, a, &b, &cause), 0);
	b.time_ms = 2000;
	b.mask = 0x5;
	b.value[0] = 11;
	assert_int_equal(np_store_baseline_save(st, a, &b, &cause), 0);
	assert_rows(st, "SELECT * FROM baselines",
	            "1|2000|3|5|11|NULL|99|NULL|NULL|NULL|NULL|NULL");

	struct np_baseline got;
	assert_int_equal(np_store_baseline_load(st, a, &got, &cause), 1);
	assert_int_equal(got.mask, 0x5);
	assert_true(got.value[0] == 11 && got.value[1] == 0 && got.value[2] == 99);
	/* A series without a row: 0 and a zeroed baseline. */
	got.mask = 77;
	assert_int_equal(np_store_baseline_load(st, b2, &got, &cause), 0);
	assert_int_equal(got.mask, 0);
	assert_int_equal(got.time_ms, 0);
	/* A mask bit whose column is NULL (a hand-edited row) is not held. */
	q_exec(st, "UPDATE baselines SET mask = 7");
	assert_int_equal(np_store_baseline_load(st, a, &got, &cause), 1);
	assert_int_equal(got.mask, 0x5);
	np_store_close(st);
}

static void
test_rollback_and_foreign_key(void **state)
{
	struct np_store *st = open_mem();
	int64_t id = series(st, "eth0");
	char *cause = NULL;
	struct np_baseline b = {.time_ms = 1000, .mask = 1};
	b.value[0] = 5;
	assert_int_equal(np_store_baseline_save(st, id, &b, &cause), 0);
	assert_int_equal(np_store_begin(st, &cause), 0);
	b.value[0] = 6;
	assert_int_equal(np_store_baseline_save(st, id, &b, &cause), 0);
	np_store_rollback(st);
	struct np_baseline got;
	assert_int_equal(np_store_baseline_load(st, id, &got, &cause), 1);
	assert_true(got.value[0] == 5);

	assert_int_equal(np_store_baseline_save(st, 42, &b, &cause), -1);
	assert_string_equal(
	    cause, "saving a counter baseline: FOREIGN KEY constraint failed (constraint failed)");
	free(cause);
	np_store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_replace_and_partial_mask),
	    cmocka_unit_test(test_rollback_and_foreign_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
