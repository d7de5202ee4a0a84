/*
 * Deleted interfaces in the pipeline: a GONE observation stores a transition into `removed`
 * with no alert (GONE_ALERT: IFDOWN saying "deleted"), closes no outage it did not open, the
 * link never goes stale, and after state.forget_after its `links` row (status) goes while its
 * transitions stay. Coming back with the same name is a new life.
 */
#include "pipetest.h"

static const char *const sinks[] = {"tcp://127.0.0.1:5515"};

static int
setup(void **state)
{
	struct fx *f = fx_new(NULL, sinks, 1);
	f->cfg.state.forget_after_ms = 3600000;
	fx_start(f, T0, T0);
	*state = f;
	return 0;
}

static int
setup_group(void **state)
{
	struct fx *f = fx_new(NULL, sinks, 1);
	f->cfg.alerting.group_window_ms = 30000;
	fx_start(f, T0, T0);
	*state = f;
	return 0;
}

/* One complete batch: eth0 up, veth1 as given (NONE: not listed). */
static void
batch(struct fx *f, int64_t t, enum np_link_obs veth1)
{
	np_batch_reset(&f->b, t);
	f->b.complete = true;
	const char *names[] = {"eth0", "veth1"};
	enum np_link_obs st[] = {NP_LINK_UP, veth1};
	for (int i = 0; i < 2; i++) {
		if (st[i] == NP_LINK_NONE)
			continue;
		struct np_obs *o = np_batch_add(&f->b);
		np_obs_set_names(&f->b, o, "host1", names[i]);
		o->link = st[i];
		if (st[i] == NP_LINK_UP || st[i] == NP_LINK_DOWN) {
			o->counter_bits = 64;
			o->epoch = (uint64_t)i + 1;
			np_obs_counter(o, NP_C_RX_BYTES, 1000);
		}
	}
	ingest(f, t);
}

static void
test_removed_quiet_then_forgotten(void **state)
{
	struct fx *f = *state;
	batch(f, T0, NP_LINK_UP);
	batch(f, T0 + 10000, NP_LINK_GONE);
	/* Many polls later, no longer listed: still removed, never stale. */
	for (int i = 2; i < 200; i++)
		batch(f, T0 + i * 10000, NP_LINK_NONE);
	fx_flush(f);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions WHERE interface='veth1' AND "
	                          "state='removed' AND previous='up' AND alert IS NULL"),
	                 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions WHERE interface='veth1'"), 2);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox"), 0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outages"), 0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM links WHERE interface='veth1' AND "
	                          "state='removed'"),
	                 1);

	/* Not before forget_after; then the row leaves `status`, its history stays. */
	assert_int_equal(np_pipeline_forget_links(f->pl, T0 + 10000 + 3600000 - 1), 0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM links WHERE interface='veth1'"), 1);
	assert_int_equal(np_pipeline_forget_links(f->pl, T0 + 10000 + 3600000), 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM links WHERE interface='veth1'"), 0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM links WHERE interface='eth0'"), 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions WHERE interface='veth1'"), 2);
	/* A restart does not bring it back. */
	fx_restart(f, T0 + 4000000);
	assert_int_equal(q_int(f, "SELECT count(*) FROM links WHERE interface='veth1'"), 0);
}

static void
test_removed_alert_on_delete(void **state)
{
	struct fx *f = *state;
	batch(f, T0, NP_LINK_UP);
	batch(f, T0 + 10000, NP_LINK_GONE_ALERT);
	fx_flush(f);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFDOWN' AND "
	                          "interface='veth1' AND state='removed' AND previous='up' AND "
	                          "message='interface veth1 on host1 is DOWN: deleted (seen by "
	                          "this-host)'"),
	                 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outages"), 0); /* removed is not down */
	/* Back: a new life, IFUP since its deletion was announced, no outage length. */
	batch(f, T0 + 20000, NP_LINK_UP);
	fx_flush(f);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFUP' AND "
	                          "interface='veth1' AND previous='removed' AND "
	                          "outage_seconds IS NULL"),
	                 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM links WHERE interface='veth1' AND "
	                          "state='up'"),
	                 1);
}

/* alerts.group_window: deletions that alert are summarised as DELETED, not "other". */
static void
test_removed_in_group_summary(void **state)
{
	struct fx *f = *state;
	batch(f, T0, NP_LINK_UP);
	np_batch_reset(&f->b, T0 + 10000);
	f->b.complete = true;
	const char *names[] = {"eth0", "veth1"};
	enum np_link_obs st[] = {NP_LINK_DOWN, NP_LINK_GONE_ALERT};
	for (int i = 0; i < 2; i++) {
		struct np_obs *o = np_batch_add(&f->b);
		np_obs_set_names(&f->b, o, "host1", names[i]);
		o->link = st[i];
	}
	ingest(f, T0 + 10000);
	batch(f, T0 + 30000, NP_LINK_NONE); /* eth0 up again, fresh at the window's end */
	fx_tick(f, T0 + 40000, T0 + 40000);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFDOWN' AND "
	                          "message='this-host: 1 link DOWN, 1 UP, 1 DELETED' AND "
	                          "json_array_length(details)=3"),
	                 1);
}

/* Deleted while down: the outage its IFDOWN opened ends at the deletion. */
static void
test_removed_while_down_ends_outage(void **state)
{
	struct fx *f = *state;
	batch(f, T0, NP_LINK_UP);
	batch(f, T0 + 10000, NP_LINK_DOWN);
	batch(f, T0 + 40000, NP_LINK_GONE);
	fx_flush(f);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFDOWN'"), 1);
	assert_int_equal(q_int(f, "SELECT end - start FROM outages WHERE interface='veth1'"), 30);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outages WHERE end IS NULL"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_removed_quiet_then_forgotten, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_removed_alert_on_delete, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_removed_in_group_summary, setup_group,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_removed_while_down_ends_outage, setup,
	                                    fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
