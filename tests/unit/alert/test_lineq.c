/*
 * The bounded line queue of a remote daemon.log: order and sequence numbers, delivery in
 * order, a failure makes the lines out due again, a full queue drops the oldest (out or not)
 * and counts it, a line that cannot be sent is skipped and counted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "alert/lineq.h"

static const char *
next_msg(struct np_lineq *q)
{
	const struct np_line *l = np_lineq_next(q);
	return l != NULL ? l->msg : NULL;
}

static void
test_order_and_delivery(void **state)
{
	struct np_lineq *q = np_lineq_new(10);
	assert_int_equal(np_lineq_push(q, 6, 1000, "a"), 1);
	assert_int_equal(np_lineq_push(q, 4, 1001, "b"), 2);
	assert_int_equal(np_lineq_push(q, 3, 1002, "c"), 3);
	const struct np_line *l = np_lineq_next(q);
	assert_int_equal(l->seq, 1);
	assert_int_equal(l->priority, 6);
	assert_int_equal(l->time_ms, 1000);
	np_lineq_sent(q);
	np_lineq_sent(q);
	assert_string_equal(next_msg(q), "c");
	assert_int_equal(np_lineq_out(q), 2);
	np_lineq_delivered(q, 1);
	assert_int_equal(np_lineq_count(q), 2);
	assert_int_equal(np_lineq_out(q), 1);
	/* A failure: b is due again, before c. */
	np_lineq_rewind(q);
	assert_string_equal(next_msg(q), "b");
	np_lineq_sent(q);
	np_lineq_sent(q);
	assert_null(np_lineq_next(q));
	np_lineq_delivered(q, 3);
	assert_int_equal(np_lineq_count(q), 0);
	assert_int_equal(np_lineq_take_dropped(q), 0);
	np_lineq_free(q);
}

static void
test_full_drops_oldest(void **state)
{
	struct np_lineq *q = np_lineq_new(3);
	np_lineq_push(q, 6, 0, "1");
	np_lineq_push(q, 6, 0, "2");
	np_lineq_push(q, 6, 0, "3");
	np_lineq_sent(q);            /* "1" is out */
	np_lineq_push(q, 6, 0, "4"); /* drops "1", though out */
	np_lineq_push(q, 6, 0, "5"); /* drops "2" */
	assert_int_equal(np_lineq_count(q), 3);
	assert_int_equal(np_lineq_out(q), 0);
	assert_string_equal(next_msg(q), "3");
	/* The late delivery of "1" removes nothing that was not out. */
	np_lineq_delivered(q, 1);
	assert_int_equal(np_lineq_count(q), 3);
	assert_int_equal(np_lineq_take_dropped(q), 2);
	assert_int_equal(np_lineq_take_dropped(q), 0);
	assert_int_equal(np_lineq_dropped_total(q), 2);
	np_lineq_sent(q);
	np_lineq_sent(q);
	np_lineq_delivered(q, 5); /* "3" and "4"; "5" was not out */
	assert_int_equal(np_lineq_count(q), 1);
	assert_string_equal(next_msg(q), "5");
	np_lineq_free(q);
}

static void
test_wraps_many_times(void **state)
{
	struct np_lineq *q = np_lineq_new(4);
	char m[16];
	for (int i = 1; i <= 1000; i++) {
		snprintf(m, sizeof(m), "%d", i);
		assert_int_equal(np_lineq_push(q, 6, i, m), i);
		if (i % 3 == 0) {
			while (np_lineq_next(q) != NULL)
				np_lineq_sent(q);
			np_lineq_delivered(q, i);
			assert_int_equal(np_lineq_count(q), 0);
		}
	}
	assert_int_equal(np_lineq_count(q), 1);
	assert_string_equal(next_msg(q), "1000");
	assert_int_equal(np_lineq_dropped_total(q), 0);
	np_lineq_free(q);
}

static void
test_skip(void **state)
{
	struct np_lineq *q = np_lineq_new(4);
	np_lineq_push(q, 6, 0, "x");
	np_lineq_push(q, 6, 0, "y");
	np_lineq_sent(q);
	np_lineq_skip(q); /* a line is out: nothing skipped */
	assert_int_equal(np_lineq_count(q), 2);
	np_lineq_delivered(q, 1);
	np_lineq_skip(q);
	assert_int_equal(np_lineq_count(q), 0);
	assert_int_equal(np_lineq_take_dropped(q), 1);
	np_lineq_push(q, 6, 0, "z");
	np_lineq_clear(q);
	assert_int_equal(np_lineq_count(q), 0);
	assert_int_equal(np_lineq_dropped_total(q), 1);
	np_lineq_free(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_order_and_delivery),
	    cmocka_unit_test(test_full_drops_oldest),
	    cmocka_unit_test(test_wraps_many_times),
	    cmocka_unit_test(test_skip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
