/*
 * Interval amounts: the same series and interval stored twice is replaced (never added),
 * different intervals are rows of their own, counters outside the mask are NULL, values above
 * INT64_MAX are clamped, a bad interval is refused; the mark is the latest end of a device's
 * series (any interface), 0 if none; retention drops amounts wholly older than the daily
 * retention, in bounded steps.
 */
#include "storetest.h"

#define D0 1790812800LL /* 2026-10-01T00:00:00Z */
#define DAY 86400LL

static int64_t
series(struct np_store *st, const char *source, const char *device, const char *ifname)
{
	char *cause = NULL;
	int64_t id = np_store_series(st, source, device, ifname, "usage", NULL, 100, &cause);
	if (id < 0)
		fail_msg("series: %s", cause);
	return id;
}

static void
put(struct np_store *st, int64_t id, int64_t start, int64_t end, uint64_t rx, uint64_t tx)
{
	char *cause = NULL;
	uint64_t c[NP_C_MAX] = {[NP_C_RX_BYTES] = rx, [NP_C_TX_BYTES] = tx};
	uint32_t mask = (1u << NP_C_RX_BYTES) | (1u << NP_C_TX_BYTES);
	if (np_store_amount(st, id, start, end, c, mask, &cause) != 0)
		fail_msg("amount: %s", cause);
}

static void
test_replace_not_add(void **state)
{
	(void)state;
	struct np_store *st = open_mem();
	int64_t a = series(st, "meraki", "net1", "Corporate");
	put(st, a, D0, D0 + DAY, 1000, 10);
	put(st, a, D0, D0 + DAY, 1500, 15); /* the same day polled again: replaced */
	put(st, a, D0 + DAY, D0 + 2 * DAY, 7, 8);
	char *want = np_xasprintf("%lld|1|%lld|1500|15|NULL\n%lld|1|%lld|7|8|NULL", D0, D0 + DAY,
	                          D0 + DAY, D0 + 2 * DAY);
	assert_rows(st,
	            "SELECT start, series, end, rx_bytes, tx_bytes, rx_packets FROM amounts"
	            " ORDER BY start",
	            want);
	free(want);
	/* Replacing replaces every counter: one the new reading lacks becomes NULL. */
	char *cause = NULL;
	uint64_t c[NP_C_MAX] = {[NP_C_RX_PACKETS] = 5, [NP_C_TX_PACKETS] = UINT64_MAX};
	assert_int_equal(np_store_amount(st, a, D0, D0 + DAY, c,
	                                 (1u << NP_C_RX_PACKETS) | (1u << NP_C_TX_PACKETS), &cause),
	                 0);
	want = np_xasprintf("NULL|NULL|5|9223372036854775807|NULL");
	assert_rows(st,
	            "SELECT rx_bytes, tx_bytes, rx_packets, tx_packets, rx_errors FROM amounts"
	            " WHERE start = 1790812800",
	            want);
	free(want);
	assert_int_equal(q_int(st, "SELECT count(*) FROM amounts"), 2);

	/* A shorter interval at the same start is a different row. */
	put(st, a, D0, D0 + 3600, 1, 1);
	assert_int_equal(q_int(st, "SELECT count(*) FROM amounts"), 3);

	/* An interval that does not end after it starts is refused, nothing written. */
	assert_int_equal(np_store_amount(st, a, D0, D0, c, 1, &cause), -1);
	assert_string_equal(cause, "an amount's interval must end after it starts "
	                           "(1790812800..1790812800)");
	assert_true(np_store_error_row(st));
	free(cause);
	cause = NULL;
	/* A series that does not exist is refused by the foreign key. */
	assert_int_equal(np_store_amount(st, 999, D0, D0 + DAY, c, 1, &cause), -1);
	free(cause);
	assert_int_equal(q_int(st, "SELECT count(*) FROM amounts"), 3);
	np_store_close(st);
}

/* Rolled back with its batch: the next poll stores it again. */
static void
test_rollback(void **state)
{
	(void)state;
	struct np_store *st = open_mem();
	int64_t a = series(st, "meraki", "net1", "Guest");
	char *cause = NULL;
	assert_int_equal(np_store_begin(st, &cause), 0);
	put(st, a, D0, D0 + DAY, 1, 2);
	np_store_rollback(st);
	assert_int_equal(q_int(st, "SELECT count(*) FROM amounts"), 0);
	int64_t mark = -1;
	assert_int_equal(np_store_amount_mark(st, "meraki", "net1", NULL, &mark, &cause), 0);
	assert_int_equal(mark, 0);
	np_store_close(st);
}

static void
test_mark(void **state)
{
	(void)state;
	struct np_store *st = open_mem();
	char *cause = NULL;
	int64_t mark = -1;
	/* Nothing at all yet. */
	assert_int_equal(np_store_amount_mark(st, "meraki", "net1", NULL, &mark, &cause), 0);
	assert_int_equal(mark, 0);
	int64_t corp = series(st, "meraki", "net1", "Corporate");
	int64_t guest = series(st, "meraki", "net1", "Guest");
	int64_t other = series(st, "meraki", "net2", "Corporate");
	int64_t else_src = series(st, "meraki-eu", "net1", "Corporate");
	/* A series without amounts does not count. */
	assert_int_equal(np_store_amount_mark(st, "meraki", "net1", NULL, &mark, &cause), 0);
	assert_int_equal(mark, 0);
	put(st, corp, D0, D0 + DAY, 1, 1);
	put(st, guest, D0 + DAY, D0 + 2 * DAY, 1, 1);
	put(st, corp, D0 - DAY, D0, 1, 1);
	put(st, other, D0 + 5 * DAY, D0 + 6 * DAY, 1, 1);
	put(st, else_src, D0 + 7 * DAY, D0 + 8 * DAY, 1, 1);
	/* The latest end over both interfaces of net1 of this source, in ms. */
	assert_int_equal(np_store_amount_mark(st, "meraki", "net1", NULL, &mark, &cause), 0);
	assert_int_equal(mark, (D0 + 2 * DAY) * 1000);
	assert_int_equal(np_store_amount_mark(st, "meraki", "net2", NULL, &mark, &cause), 0);
	assert_int_equal(mark, (D0 + 6 * DAY) * 1000);
	assert_int_equal(np_store_amount_mark(st, "meraki", "net9", NULL, &mark, &cause), 0);
	assert_int_equal(mark, 0);
	/* One interface's own mark; one with no series (a group added since) has none. */
	assert_int_equal(np_store_amount_mark(st, "meraki", "net1", "Corporate", &mark, &cause), 0);
	assert_int_equal(mark, (D0 + DAY) * 1000);
	assert_int_equal(np_store_amount_mark(st, "meraki", "net1", "Guest", &mark, &cause), 0);
	assert_int_equal(mark, (D0 + 2 * DAY) * 1000);
	assert_int_equal(np_store_amount_mark(st, "meraki", "net1", "IoT", &mark, &cause), 0);
	assert_int_equal(mark, 0);
	/* The mark is an index lookup per series, not a scan of the table. */
	char *plan = q_rows(st, "EXPLAIN QUERY PLAN SELECT max((SELECT max(end) FROM amounts"
	                        " WHERE series = s.id)) FROM series s WHERE s.source = 'a'"
	                        " AND s.device = 'b'");
	assert_non_null(strstr(plan, "amounts_series"));
	free(plan);
	np_store_close(st);
}

static void
test_retention(void **state)
{
	(void)state;
	struct np_store *st = open_mem();
	char *cause = NULL;
	int64_t a = series(st, "meraki", "net1", "Corporate");
	int64_t b = series(st, "meraki", "net1", "Guest");
	const int64_t now = D0 + 10 * DAY;
	put(st, a, D0, D0 + DAY, 1, 0);           /* old */
	put(st, b, D0, D0 + DAY, 2, 0);           /* old */
	put(st, a, D0 + DAY, D0 + 2 * DAY, 4, 0); /* old: ends at the cutoff */
	put(st, a, D0 + DAY, D0 + 3 * DAY, 8, 0); /* straddles the cutoff: kept */
	put(st, b, D0 + 5 * DAY, D0 + 6 * DAY, 16, 0);

	/* daily kept forever: nothing goes. */
	struct np_retention_cfg keep = {-1, -1, -1, -1, -1};
	assert_int_equal(np_store_retention(st, &keep, now, &cause), 0);
	assert_int_equal(q_int(st, "SELECT sum(rx_bytes) FROM amounts"), 31);

	/* daily retention 8 days: cutoff D0 + 2d; steps of at most 2 rows. */
	struct np_retention_cfg r = {-1, -1, -1, 8 * DAY * 1000, -1};
	assert_int_equal(np_store_retention_step(st, &r, now, 2, &cause), 1);
	assert_int_equal(q_int(st, "SELECT sum(rx_bytes) FROM amounts"), 28);
	assert_int_equal(np_store_retention_step(st, &r, now, 2, &cause), 1);
	assert_int_equal(q_int(st, "SELECT sum(rx_bytes) FROM amounts"), 24);
	assert_int_equal(np_store_retention_step(st, &r, now, 2, &cause), 0);
	assert_int_equal(q_int(st, "SELECT sum(rx_bytes) FROM amounts"), 24);
	np_store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_replace_not_add),
	    cmocka_unit_test(test_rollback),
	    cmocka_unit_test(test_mark),
	    cmocka_unit_test(test_retention),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
