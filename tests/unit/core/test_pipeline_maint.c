/*
 * Maintenance windows in the pipeline: an alert raised inside one is recorded (its transition
 * names it) but not queued for any sink; outside, alerts go out as always. COLLECTOR alerts of
 * a source in a window without device/interface scopes are held too.
 */
#include "pipetest.h"

static const char *const sinks[] = {"tcp://127.0.0.1:5515"};

/* T0 is 2025-12-01T08:00:00Z: the window is its first minute. */
static struct np_maint_cfg window = {
    .name = "swap", .start = "2025-12-01T08:00", .end = "2025-12-01T08:01"};

static int
setup(void **state)
{
	struct fx *f = fx_new(NULL, sinks, 1);
	f->cfg.maint = &window;
	f->cfg.nmaint = 1;
	fx_start(f, T0, T0);
	*state = f;
	return 0;
}

static void
set_link(struct fx *f, int64_t t, enum np_link_obs state)
{
	np_batch_reset(&f->b, t);
	struct np_obs *o = np_batch_add(&f->b);
	np_obs_set_names(&f->b, o, "sw1", "ge-0/0/1");
	o->counter_bits = 64;
	o->epoch = 1;
	o->link = state;
	np_obs_counter(o, NP_C_RX_BYTES, 1000);
	ingest(f, t);
}

static void
test_alert_inside_window_not_sent(void **state)
{
	struct fx *f = *state;
	set_link(f, T0, NP_LINK_UP);
	set_link(f, T0 + 10000, NP_LINK_DOWN); /* 08:00:10, inside */
	set_link(f, T0 + 20000, NP_LINK_DOWN);
	set_link(f, T0 + 70000, NP_LINK_UP); /* 08:01:10, after it */
	fx_flush(f);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions WHERE alert='IFDOWN'"), 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFDOWN'"), 0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFUP'"), 1);
	/* The outage itself is stored as always; downtime accounts for the window. */
	assert_int_equal(q_int(f, "SELECT count(*) FROM outages WHERE end IS NOT NULL"), 1);

	char *cause = NULL;
	assert_int_equal(np_pipeline_source_status(f->pl, &f->src, true, NULL, T0, &cause), 0);
	/* Failing inside the window: no COLLECTOR row; after it (recovery): one. */
	assert_int_equal(
	    np_pipeline_source_status(f->pl, &f->src, false, "refused", T0 + 30000, &cause), 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='COLLECTOR'"), 0);
	assert_int_equal(np_pipeline_source_status(f->pl, &f->src, true, NULL, T0 + 90000, &cause),
	                 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='COLLECTOR'"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_alert_inside_window_not_sent, setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
