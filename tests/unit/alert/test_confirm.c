/*
 * Delivery confirmation bookkeeping (confirm.h) with an injected clock: the grace counts from
 * the first look that saw the send queue empty, messages are confirmed oldest first, a queue
 * that never shrinks is a hung receiver, one that shrinks is not; and the send queue of a
 * real socket pair (np_sock_outq).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testutil.h"

#include "alert/confirm.h"

#define GRACE 2000
#define TIMEOUT 10000

struct got {
	int64_t tags[16];
	int n;
};

static void
delivered(void *arg, int64_t tag)
{
	struct got *g = arg;
	assert_true(g->n < 16);
	g->tags[g->n++] = tag;
}

static enum np_confirm_verdict
check(struct np_confirm *c, int outq, int64_t now, struct got *g, int64_t *next)
{
	return np_confirm_check(c, outq, now, GRACE, TIMEOUT, delivered, g, next);
}

static void
test_grace_from_drain(void **state)
{
	struct np_confirm c;
	struct got g = {0};
	int64_t next;
	np_confirm_init(&c);
	np_confirm_add(&c, 7, 1000);
	np_confirm_add(&c, 8, 1000);
	assert_int_equal(np_confirm_waiting(&c), 2);
	/* Not acknowledged yet: look again soon, nothing delivered. */
	assert_int_equal(check(&c, 120, 1000, &g, &next), NP_CONFIRM_OK);
	assert_int_equal(next, NP_CONFIRM_POLL_MS);
	assert_int_equal(g.n, 0);
	/* Drained at 1500: the grace runs from there, not from the write at 1000. */
	assert_int_equal(check(&c, 0, 1500, &g, &next), NP_CONFIRM_OK);
	assert_int_equal(next, GRACE);
	assert_int_equal(check(&c, 0, 3000, &g, &next), NP_CONFIRM_OK);
	assert_int_equal(g.n, 0);
	assert_int_equal(next, 500);
	assert_int_equal(check(&c, 0, 3500, &g, &next), NP_CONFIRM_OK);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.tags[0], 7);
	assert_int_equal(g.tags[1], 8);
	assert_int_equal(next, -1);
	assert_int_equal(np_confirm_waiting(&c), 0);
	np_confirm_free(&c);
}

static void
test_oldest_first_while_newer_unacked(void **state)
{
	struct np_confirm c;
	struct got g = {0};
	int64_t next;
	np_confirm_init(&c);
	np_confirm_add(&c, 1, 0);
	assert_int_equal(check(&c, 0, 10, &g, &next), NP_CONFIRM_OK); /* 1 drained at 10 */
	np_confirm_add(&c, 2, 20);
	/* 2's bytes are unacknowledged: poll, but no later than 1's grace ends. */
	assert_int_equal(check(&c, 50, 1990, &g, &next), NP_CONFIRM_OK);
	assert_int_equal(next, 20);
	assert_int_equal(check(&c, 50, 2010, &g, &next), NP_CONFIRM_OK);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.tags[0], 1);
	assert_int_equal(next, NP_CONFIRM_POLL_MS);
	assert_int_equal(np_confirm_waiting(&c), 1);
	/* A break: the transport fails everything and forgets it. */
	np_confirm_reset(&c);
	assert_int_equal(np_confirm_waiting(&c), 0);
	assert_int_equal(check(&c, 0, 9000, &g, &next), NP_CONFIRM_OK);
	assert_int_equal(g.n, 1);
	assert_int_equal(next, -1);
	np_confirm_free(&c);
}

static void
test_hung_receiver(void **state)
{
	struct np_confirm c;
	struct got g = {0};
	int64_t next;
	np_confirm_init(&c);
	np_confirm_add(&c, 1, 0);
	assert_int_equal(check(&c, 300, 0, &g, &next), NP_CONFIRM_OK);
	/* Shrinking is progress: the clock starts again. */
	assert_int_equal(check(&c, 200, 9000, &g, &next), NP_CONFIRM_OK);
	assert_int_equal(check(&c, 200, 18000, &g, &next), NP_CONFIRM_OK);
	assert_int_equal(check(&c, 250, 18999, &g, &next), NP_CONFIRM_OK);
	assert_int_equal(check(&c, 250, 19000, &g, &next), NP_CONFIRM_STUCK);
	assert_int_equal(next, TIMEOUT);
	assert_int_equal(g.n, 0);
	np_confirm_free(&c);
}

static void
test_unknown_outq_grace_alone(void **state)
{
	struct np_confirm c;
	struct got g = {0};
	int64_t next;
	np_confirm_init(&c);
	np_confirm_add(&c, 5, 0);
	assert_int_equal(check(&c, -1, 100, &g, &next), NP_CONFIRM_OK);
	assert_int_equal(next, GRACE);
	assert_int_equal(check(&c, -1, 100 + GRACE, &g, &next), NP_CONFIRM_OK);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.tags[0], 5);
	np_confirm_free(&c);
}

static void
test_many_reuse_storage(void **state)
{
	struct np_confirm c;
	struct got g;
	int64_t next, now = 0;
	np_confirm_init(&c);
	for (int64_t tag = 1; tag <= 1000; tag++) {
		g.n = 0;
		np_confirm_add(&c, tag, now);
		assert_int_equal(check(&c, 0, now, &g, &next), NP_CONFIRM_OK);
		now += GRACE;
		assert_int_equal(check(&c, 0, now, &g, &next), NP_CONFIRM_OK);
		assert_int_equal(g.n, 1);
		assert_int_equal(g.tags[0], tag);
	}
	assert_true(c.cap <= 64);
	np_confirm_free(&c);
}

static void
test_sock_outq(void **state)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(np_sock_outq(sv[0]), 0);
	assert_int_equal(write(sv[0], "hello", 5), 5);
	/* AF_UNIX counts the memory of what the peer has not read yet. */
	assert_true(np_sock_outq(sv[0]) >= 5);
	char buf[8];
	assert_int_equal(read(sv[1], buf, sizeof(buf)), 5);
	assert_int_equal(np_sock_outq(sv[0]), 0);
	close(sv[0]);
	close(sv[1]);
	assert_int_equal(np_sock_outq(-1), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_grace_from_drain),
	    cmocka_unit_test(test_oldest_first_while_newer_unacked),
	    cmocka_unit_test(test_hung_receiver),
	    cmocka_unit_test(test_unknown_outq_grace_alone),
	    cmocka_unit_test(test_many_reuse_storage),
	    cmocka_unit_test(test_sock_outq),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
