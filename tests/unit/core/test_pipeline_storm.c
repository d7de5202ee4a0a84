/*
 * No alert storms (issue 9): a failing source's links go stale under its one COLLECTOR alert;
 * a device that vanishes from a healthy source gives one STALE alert with its links in the
 * details, not one per link. Every link still has its own transition.
 */
#include <stdio.h>

#include "pipetest.h"

static const char *const sinks[] = {"tcp://127.0.0.1:5515"};

static int
setup(void **state)
{
	struct fx *f = fx_new(NULL, sinks, 1);
	fx_start(f, T0, T0);
	*state = f;
	return 0;
}

static void
add(struct fx *f, const char *dev, const char *ifn)
{
	struct np_obs *o = np_batch_add(&f->b);
	np_obs_set_names(&f->b, o, dev, ifn);
	o->counter_bits = 64;
	o->epoch = 1;
	o->link = NP_LINK_UP;
	np_obs_counter(o, NP_C_RX_BYTES, 1000);
}

/* 200 links of one source: up, then the source fails for good. */
static void
test_failing_source_one_alert(void **state)
{
	struct fx *f = *state;
	char *cause = NULL;
	np_batch_reset(&f->b, T0);
	f->b.complete = true;
	char ifn[16];
	for (int i = 0; i < 200; i++) {
		snprintf(ifn, sizeof(ifn), "eth%d", i);
		add(f, "sw1", ifn);
	}
	ingest(f, T0);
	assert_int_equal(np_pipeline_source_status(f->pl, &f->src, true, NULL, T0, &cause), 0);
	for (int i = 1; i <= 6; i++)
		assert_int_equal(np_pipeline_source_status(f->pl, &f->src, false, "refused",
		                                           T0 + i * 10000, &cause),
		                 i == 1 ? 1 : 0);
	fx_tick(f, T0 + 60000, T0 + 60000); /* well past stale_after (30 s) */
	fx_flush(f);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions WHERE state='stale'"), 200);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions WHERE alert='STALE'"), 200);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox"), 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='COLLECTOR'"), 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM unobserved WHERE end IS NULL"), 200);
	/* The COLLECTOR alert says how many links its failure leaves unobserved. */
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='COLLECTOR' AND message "
	                          "LIKE '%is failing: refused (200 links observed by it alone)'"),
	                 1);

	/* It polls again and lists its links: one COLLECTOR alert, no IFUP per link. */
	assert_int_equal(np_pipeline_source_status(f->pl, &f->src, true, NULL, T0 + 70000, &cause),
	                 1);
	np_batch_reset(&f->b, T0 + 70000);
	f->b.complete = true;
	for (int i = 0; i < 200; i++) {
		snprintf(ifn, sizeof(ifn), "eth%d", i);
		add(f, "sw1", ifn);
	}
	ingest(f, T0 + 70000);
	fx_tick(f, T0 + 80000, T0 + 80000);
	fx_flush(f);
	assert_int_equal(q_int(f, "SELECT count(*) FROM links WHERE state='up'"), 200);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions WHERE state='up' AND "
	                          "previous='stale'"),
	                 200);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox"), 2);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='COLLECTOR' AND "
	                          "state='ok'"),
	                 1);
}

/*
 * sw1 (3 links) vanishes from a healthy source, sw2 stays: one STALE for sw1, with its links;
 * sw3 later, alone: its own alert; then 50 devices at once: one alert for the source.
 */
static void
test_vanished_device_one_alert(void **state)
{
	struct fx *f = *state;
	np_batch_reset(&f->b, T0);
	f->b.complete = true;
	add(f, "sw1", "ge-0/0/1");
	add(f, "sw1", "ge-0/0/2");
	add(f, "sw1", "ge-0/0/3");
	add(f, "sw2", "ge-0/0/1");
	add(f, "sw3", "ge-0/0/9");
	ingest(f, T0);
	for (int i = 1; i <= 5; i++) {
		np_batch_reset(&f->b, T0 + i * 10000);
		f->b.complete = true;
		add(f, "sw2", "ge-0/0/1");
		if (i < 3)
			add(f, "sw3", "ge-0/0/9");
		ingest(f, T0 + i * 10000);
	}
	fx_tick(f, T0 + 60000, T0 + 60000);
	fx_flush(f);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions WHERE state='stale'"), 4);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='STALE'"), 2);
	/* sw1: one alert for the device, its three links in the details. */
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE device='sw1' AND interface=''"
	                          " AND json_array_length(details) = 3"),
	                 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE device='sw1' AND "
	                          "message LIKE '3 links of sw1 are STALE%'"),
	                 1);
	/* sw3 went stale alone (later): its own ordinary alert. */
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE device='sw3' AND "
	                          "interface='ge-0/0/9' AND details IS NULL"),
	                 1);

	char dev[16];
	np_batch_reset(&f->b, T0 + 70000);
	f->b.complete = true;
	for (int i = 0; i < 50; i++) {
		snprintf(dev, sizeof(dev), "ap%02d", i);
		add(f, dev, "radio0");
	}
	ingest(f, T0 + 70000);
	np_batch_reset(&f->b, T0 + 80000);
	f->b.complete = true; /* every ap gone */
	ingest(f, T0 + 80000);
	fx_tick(f, T0 + 120000, T0 + 120000);
	fx_flush(f);
	/* sw2 went at +70 s (that batch left it out), alone; the 50 aps at +80 s, together. */
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='STALE'"), 4);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE device='' AND "
	                          "json_array_length(details) = 50 AND "
	                          "message LIKE '50 links are STALE%'"),
	                 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_failing_source_one_alert, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_vanished_device_one_alert, setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
