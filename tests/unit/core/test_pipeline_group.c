/*
 * alerts.group_window: the alerts of one source within the window go out as one summary with
 * the links in its details; a lone alert as itself; held alerts survive a crash (their
 * transitions carry alert_id -1 and a restart holds them again); a stop sends what is held.
 */
#include <stdio.h>

#include "pipetest.h"

static const char *const sinks[] = {"tcp://127.0.0.1:5515"};

static int
setup(void **state)
{
	struct fx *f = fx_new("np.db", sinks, 1);
	f->cfg.alerting.group_window_ms = 30000;
	fx_start(f, T0, T0);
	*state = f;
	return 0;
}

/* Links eth0..eth(n-1) of sw1, the first `down` of them down. */
static void
batch(struct fx *f, int64_t t, int n, int down)
{
	np_batch_reset(&f->b, t);
	char ifn[16];
	for (int i = 0; i < n; i++) {
		snprintf(ifn, sizeof(ifn), "eth%d", i);
		struct np_obs *o = np_batch_add(&f->b);
		np_obs_set_names(&f->b, o, "sw1", ifn);
		o->counter_bits = 64;
		o->epoch = 1;
		o->link = i < down ? NP_LINK_DOWN : NP_LINK_UP;
		np_obs_counter(o, NP_C_RX_BYTES, 1000);
	}
	ingest(f, t);
}

static void
test_summary(void **state)
{
	struct fx *f = *state;
	batch(f, T0, 5, 0);
	batch(f, T0 + 10000, 5, 3); /* 3 down: the group opens at +10 s */
	batch(f, T0 + 20000, 5, 4); /* a 4th within the window */
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox"), 0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions WHERE alert_id = -1"), 4);
	assert_int_equal(np_pipeline_next_deadline(f->pl), T0 + 40000);
	fx_tick(f, T0 + 40000, T0 + 40000);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox"), 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFDOWN' AND "
	                          "message='this-host: 4 links DOWN' AND "
	                          "json_array_length(details)=4"),
	                 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions WHERE alert_id ="
	                          " (SELECT id FROM outbox)"),
	                 4);
	/* Later, one alone: sent as itself when its window ends. */
	batch(f, T0 + 50000, 5, 5);
	batch(f, T0 + 70000, 5, 5); /* fresh: nothing goes stale meanwhile */
	fx_tick(f, T0 + 80000, T0 + 80000);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE interface='eth4' AND "
	                          "details IS NULL"),
	                 1);
}

static void
test_crash_and_stop(void **state)
{
	struct fx *f = *state;
	batch(f, T0, 3, 0);
	batch(f, T0 + 10000, 3, 2);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions WHERE alert_id = -1"), 2);
	fx_restart(f, T0 + 15000); /* kill -9: what was in memory is gone */
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox"), 0);
	fx_tick(f, T0 + 45000, T0 + 45000); /* a window after the restart */
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE json_array_length(details)=2"),
	                 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions WHERE alert_id = -1"), 0);
	/* A stop sends what is held at once. */
	batch(f, T0 + 50000, 3, 3);
	fx_flush(f);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox"), 2);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions WHERE alert_id = -1"), 0);
}

/*
 * A held alert read back after a kill -9 keeps the real (sub-second) time of its event, as an
 * alert that was not held has it: the lone alert and the summary alike (issue #10).
 */
static void
test_crash_keeps_time_ms(void **state)
{
	struct fx *f = *state;
	batch(f, T0, 5, 0);
	batch(f, T0 + 10250, 5, 1); /* eth0 down: held, alone */
	fx_restart(f, T0 + 15000);
	fx_tick(f, T0 + 45000, T0 + 45000);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox"), 1);
	assert_int_equal(q_int(f, "SELECT created_ms FROM outbox WHERE interface = 'eth0'"),
	                 T0 + 10250);
	batch(f, T0 + 50000, 5, 1);
	batch(f, T0 + 60125, 5, 3); /* eth1, eth2 down: held for a summary */
	fx_restart(f, T0 + 65000);
	fx_tick(f, T0 + 95000, T0 + 95000);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE details IS NOT NULL"), 1);
	assert_int_equal(q_int(f, "SELECT created_ms FROM outbox WHERE details IS NOT NULL"),
	                 T0 + 60125);
}

/* Downs and ups of one window: one IFDOWN summary counting both, each link in its details. */
static void
test_mixed(void **state)
{
	struct fx *f = *state;
	batch(f, T0, 5, 0);
	batch(f, T0 + 10000, 5, 3); /* eth0..2 down */
	batch(f, T0 + 20000, 5, 1); /* eth1, eth2 up again */
	fx_tick(f, T0 + 40000, T0 + 40000);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox"), 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFDOWN' AND severity=3 "
	                          "AND message='this-host: 3 links DOWN, 2 UP' AND "
	                          "json_array_length(details)=5"),
	                 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox, json_each(outbox.details) j WHERE "
	                          "json_extract(j.value, '$.state')='up' AND "
	                          "json_extract(j.value, '$.outage_seconds')=10"),
	                 2);
}

/* A held alert read back after a kill -9: its sentence and its `links:` severity as held. */
static struct np_link_rule_cfg crit_eth0[] = {
    {.interface = "^eth0$", .alert = true, .severity = "crit", .down_after_ms = -1},
};

static int
setup_rules(void **state)
{
	struct fx *f = fx_new("np.db", sinks, 1);
	f->cfg.alerting.group_window_ms = 30000;
	f->cfg.link_rules = crit_eth0;
	f->cfg.nlink_rules = 1;
	fx_start(f, T0, T0);
	*state = f;
	return 0;
}

static void
test_crash_keeps_severity(void **state)
{
	struct fx *f = *state;
	batch(f, T0, 3, 0);
	batch(f, T0 + 10000, 3, 1); /* eth0 down: held */
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions WHERE alert_id = -1"), 1);
	fx_restart(f, T0 + 15000);
	fx_tick(f, T0 + 45000, T0 + 45000);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox"), 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFDOWN' AND "
	                          "interface='eth0' AND severity=2 AND details IS NULL AND "
	                          "message='interface eth0 on sw1 is DOWN (seen by this-host)'"),
	                 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_summary, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_crash_keeps_time_ms, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_crash_and_stop, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_mixed, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_crash_keeps_severity, setup_rules, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
