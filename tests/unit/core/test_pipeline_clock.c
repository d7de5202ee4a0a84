/*
 * Pipeline: link state runs on the monotonic clock (DESIGN §6). The wall clock is stepped
 * back and forward by an hour (as NTP may) while the monotonic clock runs true: a real outage
 * is still recorded with its true length, and no STALE storm is raised. A restart after a
 * reboot (monotonic clock restarted) keeps restored outages right. Clocks are injected.
 */
#include "pipetest.h"

#define M0 7000000LL /* monotonic clock at T0 */
#define HOUR 3600000LL

static const char *const sinks[] = {"udp://127.0.0.1:5514"};
static int64_t wall_off; /* wall - (T0 + mono - M0): the step so far */

static int
setup(void **state)
{
	struct fx *f = fx_new(NULL, sinks, 1);
	f->cfg.interval_ms = 10000;
	f->cfg.sources = &f->src;
	f->cfg.nsources = 1;
	fx_start(f, T0, M0);
	wall_off = 0;
	*state = f;
	return 0;
}

/* A poll `ms` after start on the monotonic clock; the wall clock reads it plus the step. */
static void
poll(struct fx *f, int64_t ms, enum np_link_obs eth0)
{
	struct np_batch b;
	np_batch_init(&b, "this-host", T0 + ms + wall_off);
	b.mono_ms = M0 + ms;
	b.complete = true;
	struct np_obs *o = np_batch_add(&b);
	np_obs_set_names(&b, o, "host1", "eth0");
	o->link = eth0;
	fx_ingest(f, &f->src, &b, T0 + ms + wall_off, M0 + ms);
	np_batch_free(&b);
}

static void
tick(struct fx *f, int64_t ms)
{
	fx_tick(f, T0 + ms + wall_off, M0 + ms);
}

/* Up, down at 30 s, the wall clock steps back an hour at 35 s, up again at 50 s. */
static void
test_step_back_hides_no_outage(void **state)
{
	struct fx *f = *state;
	for (int64_t ms = 0; ms <= 20000; ms += 10000)
		poll(f, ms, NP_LINK_UP);
	poll(f, 30000, NP_LINK_DOWN);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFDOWN'"), 1);
	wall_off = -HOUR;
	poll(f, 40000, NP_LINK_DOWN);
	poll(f, 50000, NP_LINK_UP); /* its wall time is before the down's */
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFUP'"), 1);
	assert_int_equal(q_int(f, "SELECT outage_seconds FROM outbox WHERE msgid='IFUP'"), 20);
	assert_int_equal(q_int(f, "SELECT outage_seconds FROM transitions WHERE state='up' AND "
	                          "previous='down'"),
	                 20);
	/* dated with the wall clock current when stored */
	assert_int_equal(q_int(f, "SELECT since FROM outbox WHERE msgid='IFUP'"),
	                 (T0 + 50000 - HOUR) / 1000);
	/* The outage keeps its start and its true length, though its end's date is earlier. */
	assert_int_equal(q_int(f, "SELECT start FROM outages"), (T0 + 30000) / 1000);
	assert_int_equal(q_int(f, "SELECT end - start FROM outages"), 20);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='STALE'"), 0);
	/* The engine's deadline is monotonic: stale 30 s after the last poll. */
	assert_int_equal(np_pipeline_next_deadline(f->pl), M0 + 50000 + 30000);
}

/* The wall clock steps forward an hour: no STALE storm; outages still measured right. */
static void
test_step_forward_no_stale_storm(void **state)
{
	struct fx *f = *state;
	for (int64_t ms = 0; ms <= 20000; ms += 10000)
		poll(f, ms, NP_LINK_UP);
	wall_off = HOUR;
	tick(f, 25000);
	for (int64_t ms = 30000; ms <= 40000; ms += 10000)
		poll(f, ms, NP_LINK_UP);
	tick(f, 45000);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions"), 1); /* first sight */
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox"), 0);
	poll(f, 50000, NP_LINK_DOWN);
	poll(f, 60000, NP_LINK_DOWN);
	poll(f, 70000, NP_LINK_UP);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='STALE'"), 0);
	assert_int_equal(q_int(f, "SELECT outage_seconds FROM outbox WHERE msgid='IFUP'"), 20);
	assert_int_equal(q_int(f, "SELECT end - start FROM outages"), 20);
	assert_int_equal(q_int(f, "SELECT start FROM outages"), (T0 + 50000 + HOUR) / 1000);
}

/* The wall clock steps forward an hour during an outage: it is not an hour longer. */
static void
test_step_forward_during_outage(void **state)
{
	struct fx *f = *state;
	for (int64_t ms = 0; ms <= 20000; ms += 10000)
		poll(f, ms, NP_LINK_UP);
	poll(f, 30000, NP_LINK_DOWN);
	wall_off = HOUR;
	poll(f, 40000, NP_LINK_DOWN);
	poll(f, 50000, NP_LINK_UP);
	assert_int_equal(q_int(f, "SELECT outage_seconds FROM outbox WHERE msgid='IFUP'"), 20);
	assert_int_equal(q_int(f, "SELECT since FROM outbox WHERE msgid='IFUP'"),
	                 (T0 + 50000 + HOUR) / 1000);
	assert_int_equal(q_int(f, "SELECT start FROM outages"), (T0 + 30000) / 1000);
	assert_int_equal(q_int(f, "SELECT end - start FROM outages"), 20);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='STALE'"), 0);
}

/*
 * Restart after a reboot: the monotonic clock starts again near 0 while the wall clock went
 * on. The restored outage keeps its wall start; the IFUP counts from it; the restored
 * observer goes stale stale_after after the restart if its source says nothing.
 */
static void
test_restart_after_reboot(void **state)
{
	struct fx *f = *state;
	poll(f, 0, NP_LINK_UP);
	poll(f, 10000, NP_LINK_DOWN);
	np_pipeline_free(f->pl);
	char *cause = NULL;
	/* 100 s later on the wall clock; the monotonic clock restarted at 1 s */
	int64_t m1 = 1000, w1 = T0 + 110000;
	fx_pipeline(f, w1, m1);
	assert_int_equal(np_pipeline_next_deadline(f->pl), m1 + 30000); /* restored: stale then */

	struct np_batch b;
	np_batch_init(&b, "this-host", w1 + 5000);
	b.mono_ms = m1 + 5000;
	b.complete = true;
	struct np_obs *o = np_batch_add(&b);
	np_obs_set_names(&b, o, "host1", "eth0");
	o->link = NP_LINK_UP;
	assert_int_equal(np_pipeline_ingest(f->pl, &f->src, &b, w1 + 5000, m1 + 5000, &cause), 0);
	np_batch_free(&b);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFDOWN'"), 1);
	assert_int_equal(q_int(f, "SELECT outage_seconds FROM outbox WHERE msgid='IFUP'"), 105);
	assert_int_equal(q_int(f, "SELECT start FROM outages"), (T0 + 10000) / 1000);
	assert_int_equal(q_int(f, "SELECT end FROM outages"), (w1 + 5000) / 1000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_step_back_hides_no_outage, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_step_forward_no_stale_storm, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_step_forward_during_outage, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_restart_after_reboot, setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
