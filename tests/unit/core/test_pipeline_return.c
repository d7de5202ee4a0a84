/*
 * No alert storms (issue 9), the return side and restarts:
 * - a failing source comes back and its links return from stale changed (down while it was
 *   unobserved): one summary for the source, not one IFDOWN per link; a lone return alerts
 *   as itself;
 * - the daemon restarts while a source fails, before its links went stale: they go stale
 *   later under the COLLECTOR alert sent before the restart (none repeated, none invented);
 * - a vanished device's one STALE alert: each link's since and outage_seconds in its
 *   details, the severity the most severe a `links:` entry gives its links.
 */
#include <stdio.h>

#include "pipetest.h"

static const char *const sinks[] = {"tcp://127.0.0.1:5515"};

static int
setup(void **state)
{
	struct fx *f = fx_new("np.db", sinks, 1);
	f->cfg.sources = &f->src;
	f->cfg.nsources = 1;
	fx_start(f, T0, T0);
	*state = f;
	return 0;
}

/*
 * sw1 eth0..eth(n-1) in one complete batch at t, the first `down` of them down, also
 * eth`odd` (-1: none) which is down if down_odd, or left out if not.
 */
static void
batch_odd(struct fx *f, int64_t t, int n, int down, int odd, bool down_odd)
{
	np_batch_reset(&f->b, t);
	f->b.complete = true;
	char ifn[16];
	for (int i = 0; i < n; i++) {
		if (i == odd && !down_odd)
			continue;
		snprintf(ifn, sizeof(ifn), "eth%d", i);
		struct np_obs *o = np_batch_add(&f->b);
		np_obs_set_names(&f->b, o, "sw1", ifn);
		o->counter_bits = 64;
		o->epoch = 1;
		o->link = i < down || i == odd ? NP_LINK_DOWN : NP_LINK_UP;
		np_obs_counter(o, NP_C_RX_BYTES, 1000);
	}
	ingest(f, t);
}

static void
batch(struct fx *f, int64_t t, int n, int down)
{
	batch_odd(f, t, n, down, -1, false);
}

static void
status(struct fx *f, bool ok, int64_t t, int want)
{
	char *cause = NULL;
	assert_int_equal(
	    np_pipeline_source_status(f->pl, &f->src, ok, ok ? NULL : "refused", t, &cause), want);
}

static void
test_return_changed(void **state)
{
	struct fx *f = *state;
	batch(f, T0, 200, 0);
	status(f, true, T0, 0);
	status(f, false, T0 + 10000, 1);
	fx_tick(f, T0 + 60000, T0 + 60000);
	assert_int_equal(q_int(f, "SELECT count(*) FROM links WHERE state='stale'"), 200);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox"), 1);

	/* Back: 150 of its links are down now (they went down unobserved), 50 still up. */
	status(f, true, T0 + 70000, 1);
	batch(f, T0 + 70000, 200, 150);
	fx_flush(f);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions WHERE state='down' AND "
	                          "previous='stale' AND alert='IFDOWN'"),
	                 150);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions WHERE state='up' AND "
	                          "previous='stale'"),
	                 50);
	/* Two COLLECTOR alerts and ONE summary for the 150 (the 50 returned as they were). */
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox"), 3);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFDOWN' AND "
	                          "severity=3 AND message='this-host: 150 links DOWN' AND "
	                          "json_array_length(details)=150"),
	                 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox o, json_each(o.details) j WHERE "
	                          "o.msgid='IFDOWN' AND json_extract(j.value,'$.device')='sw1' AND "
	                          "json_extract(j.value,'$.state')='down' AND "
	                          "json_extract(j.value,'$.previous')='stale' AND "
	                          "json_extract(j.value,'$.since')=1764576070"),
	                 150);
	/* Every one of the 150 transitions names the summary as its alert; none is held. */
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions WHERE alert_id = "
	                          "(SELECT id FROM outbox WHERE msgid='IFDOWN')"),
	                 150);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions WHERE alert_id = -1"), 0);

	/* eth199 alone leaves the listing, goes stale (its own STALE), returns down alone. */
	for (int i = 1; i <= 5; i++)
		batch_odd(f, T0 + 70000 + i * 10000, 200, 150, 199, false);
	batch_odd(f, T0 + 130000, 200, 150, 199, true);
	fx_flush(f);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='STALE' AND "
	                          "interface='eth199' AND details IS NULL"),
	                 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFDOWN' AND "
	                          "interface='eth199' AND previous='stale' AND details IS NULL"),
	                 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox"), 5);
}

static void
test_restart_while_failing(void **state)
{
	struct fx *f = *state;
	batch(f, T0, 20, 0);
	status(f, true, T0, 0);
	status(f, false, T0 + 10000, 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox"), 1);
	/* kill -9 and a new daemon before the links went stale; no poll has answered yet. */
	fx_restart(f, T0 + 15000);
	fx_tick(f, T0 + 60000, T0 + 60000);
	assert_int_equal(q_int(f, "SELECT count(*) FROM links WHERE state='stale'"), 20);
	/* Still covered by the COLLECTOR alert sent before the restart: no STALE. */
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox"), 1);
	/* Its first poll after the restart fails too: no new alert. */
	status(f, false, T0 + 61000, 0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox"), 1);
	/* It recovers: the one COLLECTOR recovery. */
	status(f, true, T0 + 70000, 1);
	batch(f, T0 + 70000, 20, 0);
	fx_flush(f);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox"), 2);
	assert_int_equal(q_int(f, "SELECT count(*) FROM links WHERE state='up'"), 20);
}

static struct np_link_rule_cfg crit_uplinks[] = {
    {.interface = "^uplink", .alert = true, .severity = "crit", .down_after_ms = -1},
};

static int
setup_rules(void **state)
{
	struct fx *f = fx_new(NULL, sinks, 1);
	f->cfg.link_rules = crit_uplinks;
	f->cfg.nlink_rules = 1;
	fx_start(f, T0, T0);
	*state = f;
	return 0;
}

/* One batch at t: sw1 eth0 up and sw1 uplink0 (up or down), if sw1; sw2 eth0 up. */
static void
batch_sw(struct fx *f, int64_t t, bool sw1, enum np_link_obs uplink)
{
	np_batch_reset(&f->b, t);
	f->b.complete = true;
	const char *names[][2] = {{"sw2", "eth0"}, {"sw1", "eth0"}, {"sw1", "uplink0"}};
	for (int i = 0; i < (sw1 ? 3 : 1); i++) {
		struct np_obs *o = np_batch_add(&f->b);
		np_obs_set_names(&f->b, o, names[i][0], names[i][1]);
		o->counter_bits = 64;
		o->epoch = 1;
		o->link = i == 2 ? uplink : NP_LINK_UP;
		np_obs_counter(o, NP_C_RX_BYTES, 1000);
	}
	ingest(f, t);
}

static void
test_vanish_details(void **state)
{
	struct fx *f = *state;
	batch_sw(f, T0, true, NP_LINK_UP);
	batch_sw(f, T0 + 10000, true, NP_LINK_DOWN);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFDOWN' AND "
	                          "interface='uplink0' AND severity=2"),
	                 1);
	for (int i = 2; i <= 6; i++)
		batch_sw(f, T0 + i * 10000, false, NP_LINK_NONE);
	fx_flush(f);
	/*
	 * sw1's two links went stale at +20 s (the first complete batch without them): one
	 * alert, crit for its uplink; the uplink's outage (+10 s .. +20 s) ends there.
	 */
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='STALE'"), 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='STALE' AND "
	                          "device='sw1' AND severity=2 AND json_array_length(details)=2"),
	                 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox o, json_each(o.details) j WHERE "
	                          "json_extract(j.value,'$.interface')='uplink0' AND "
	                          "json_extract(j.value,'$.previous')='down' AND "
	                          "json_extract(j.value,'$.since')=1764576020 AND "
	                          "json_extract(j.value,'$.outage_seconds')=10"),
	                 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox o, json_each(o.details) j WHERE "
	                          "json_extract(j.value,'$.interface')='eth0' AND "
	                          "json_extract(j.value,'$.previous')='up' AND "
	                          "json_extract(j.value,'$.since')=1764576020 AND "
	                          "json_type(j.value,'$.outage_seconds')='null'"),
	                 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_return_changed, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_restart_while_failing, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_vanish_details, setup_rules, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
