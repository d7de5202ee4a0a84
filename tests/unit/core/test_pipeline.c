/*
 * Pipeline: batches in, exact rows out (rollups, verdicts, transitions, outages, outbox per
 * sink), COLLECTOR health alerts, and a restart that neither repeats nor invents alerts.
 */
#include "pipetest.h"

static const char *const sinks[] = {"tcp://127.0.0.1:5515", "udp://127.0.0.1:5514"};

static int
setup(void **state)
{
	struct fx *f = fx_new(NULL, sinks, 2);
	fx_start(f, T0, T0);
	*state = f;
	return 0;
}

static struct np_obs *
add(struct fx *f, const char *ifn, enum np_link_obs link, uint64_t rx, uint64_t epoch)
{
	struct np_obs *o = np_batch_add(&f->b);
	np_obs_set_names(&f->b, o, "host1", ifn);
	o->counter_bits = 64;
	o->epoch = epoch;
	o->link = link;
	np_obs_counter(o, NP_C_RX_BYTES, rx);
	np_obs_counter(o, NP_C_TX_BYTES, rx / 2);
	return o;
}

static void
test_counters_events_and_outbox(void **state)
{
	struct fx *f = *state;
	np_batch_reset(&f->b, T0);
	f->b.complete = true;
	add(f, "eth0", NP_LINK_UP, 1000, 2);
	add(f, "eth1", NP_LINK_DOWN, 0, 3);
	ingest(f, T0);
	/* First readings: no delta, first sight: events without alerts. */
	assert_int_equal(q_int(f, "SELECT count(*) FROM rollup_5m"), 0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions"), 2);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox"), 0);

	np_batch_reset(&f->b, T0 + 10000);
	f->b.complete = true;
	add(f, "eth0", NP_LINK_DOWN, 11000, 2);
	add(f, "eth1", NP_LINK_DOWN, 0, 3);
	ingest(f, T0 + 10000);
	/* The 5-minute bucket is open: its row is held in memory until it closes. */
	assert_int_equal(q_int(f, "SELECT count(*) FROM rollup_5m"), 0);
	assert_int_equal(rollup_sum(f, "rx_bytes", "eth0"), 10000);
	assert_int_equal(rollup_sum(f, "tx_bytes", "eth0"), 5000);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFDOWN'"), 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox_sink"), 2);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outages WHERE end IS NULL"), 1);
	assert_int_equal(np_pipeline_alerts_queued(f->pl), 1);

	np_batch_reset(&f->b, T0 + 20000);
	f->b.complete = true;
	add(f, "eth0", NP_LINK_UP, 21000, 2);
	add(f, "eth1", NP_LINK_DOWN, 0, 3);
	ingest(f, T0 + 20000);
	assert_int_equal(q_int(f, "SELECT outage_seconds FROM outbox WHERE msgid='IFUP'"), 10);
	assert_int_equal(q_int(f, "SELECT end - start FROM outages"), 10);
	/* eth1 was never up: it stays quiet. */
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE interface='eth1'"), 0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox"), 2);
}

static void
test_reset_is_counted_not_double_counted(void **state)
{
	struct fx *f = *state;
	for (int i = 0; i < 3; i++) {
		np_batch_reset(&f->b, T0 + i * 10000);
		/* ifindex (epoch) changes at the third reading: the counter restarted. */
		add(f, "eth0", NP_LINK_UP, i < 2 ? 5000000 + (uint64_t)i * 1000 : 300,
		    i < 2 ? 7 : 8);
		ingest(f, T0 + i * 10000);
	}
	assert_int_equal(rollup_sum(f, "rx_bytes", "eth0"), 1000 + 300);
	assert_int_equal(q_int(f, "SELECT count FROM verdicts WHERE verdict='reset'"), 1);
	assert_int_equal(np_pipeline_stats(f->pl)->verdicts[NP_V_RESET], 2); /* rx and tx */
}

static void
test_collector_health_alerts_once_per_change(void **state)
{
	struct fx *f = *state;
	char *cause = NULL;
	assert_int_equal(np_pipeline_source_status(f->pl, &f->src, true, NULL, T0, &cause), 0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox"), 0);
	assert_int_equal(
	    np_pipeline_source_status(f->pl, &f->src, false, "refused", T0 + 1000, &cause), 1);
	assert_int_equal(
	    np_pipeline_source_status(f->pl, &f->src, false, "refused", T0 + 2000, &cause), 0);
	assert_int_equal(
	    np_pipeline_source_status(f->pl, &f->src, false, "refused", T0 + 3000, &cause), 0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='COLLECTOR'"), 1);
	/* Every failed poll is counted in the row, not only the first of a streak. */
	assert_int_equal(q_int(f, "SELECT failures FROM collectors WHERE last_error='refused'"), 3);
	/* Still failing, for another reason: recorded (same streak start), no second alert. */
	assert_int_equal(np_pipeline_source_status(f->pl, &f->src, false, "host key mismatch",
	                                           T0 + 4000, &cause),
	                 0);
	assert_int_equal(np_pipeline_source_status(f->pl, &f->src, false, "host key mismatch",
	                                           T0 + 5000, &cause),
	                 0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='COLLECTOR'"), 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM collectors WHERE ok=0 AND "
	                          "last_error='host key mismatch' AND since=1764576001 AND "
	                          "failures=5"),
	                 1);
	assert_int_equal(np_pipeline_source_status(f->pl, &f->src, true, NULL, T0 + 9000, &cause),
	                 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM collectors WHERE ok=1 AND last_error=''"),
	                 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='COLLECTOR' AND "
	                          "state='ok' AND outage_seconds=8"),
	                 1);
}

/* A streak of failures goes on across a restart: counted on, not restarted at 1. */
static void
test_failure_count_survives_restart(void **state)
{
	struct fx *f = *state;
	char *cause = NULL;
	assert_int_equal(
	    np_pipeline_source_status(f->pl, &f->src, false, "refused", T0 + 1000, &cause), 1);
	assert_int_equal(
	    np_pipeline_source_status(f->pl, &f->src, false, "refused", T0 + 2000, &cause), 0);
	np_pipeline_free(f->pl);
	fx_pipeline(f, T0 + 60000, T0 + 60000);
	assert_int_equal(
	    np_pipeline_source_status(f->pl, &f->src, false, "timeout", T0 + 61000, &cause), 0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM collectors WHERE ok=0 AND failures=3 AND "
	                          "last_error='timeout' AND since=1764576001"),
	                 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='COLLECTOR'"), 1);
}

static void
test_restart_restores_without_alerts(void **state)
{
	struct fx *f = *state;
	np_batch_reset(&f->b, T0);
	add(f, "eth0", NP_LINK_UP, 1000, 2);
	ingest(f, T0);
	np_batch_reset(&f->b, T0 + 10000);
	add(f, "eth0", NP_LINK_DOWN, 2000, 2);
	ingest(f, T0 + 10000);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFDOWN'"), 1);

	/* "kill -9": a new pipeline on the same database. */
	np_pipeline_free(f->pl);
	fx_pipeline(f, T0 + 60000, T0 + 60000);
	assert_int_equal(q_int(f, "SELECT count(*) FROM runs"), 2);
	np_batch_reset(&f->b, T0 + 60000);
	add(f, "eth0", NP_LINK_DOWN, 3000, 2);
	ingest(f, T0 + 60000);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox"), 1); /* no repeated IFDOWN */
	np_batch_reset(&f->b, T0 + 70000);
	add(f, "eth0", NP_LINK_UP, 4000, 2);
	ingest(f, T0 + 70000);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFUP'"), 1);
	assert_int_equal(q_int(f, "SELECT outage_seconds FROM outbox WHERE msgid='IFUP'"), 60);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outages"), 1);
}

static void
fc_batch(struct fx *f, struct np_source_cfg *src, int64_t t, long bps)
{
	struct np_batch b;
	np_batch_init(&b, src->name, t);
	b.mono_ms = t;
	b.complete = true;
	add_exporter(&b, bps);
	fx_ingest(f, src, &b, t, t);
	np_batch_free(&b);
}

static void
test_exporter_moving_between_collectors_raises_nothing(void **state)
{
	struct fx *f = *state;
	struct np_source_cfg fcs[2];
	for (int i = 0; i < 2; i++) {
		fcs[i] = f->src;
		fcs[i].name = i == 0 ? "fc-a" : "fc-b";
		fcs[i].type = "stealthwatch";
		fcs[i].link_group = "fc";
		fcs[i].interval_ms = 60000;
		fcs[i].timeout_ms = 20000;
	}
	f->cfg.sources = fcs;
	f->cfg.nsources = 2;
	np_pipeline_set_config(f->pl, &f->cfg);

	fc_batch(f, &fcs[0], T0, 62016); /* cycle 1: only FC-A sees it */
	fc_batch(f, &fcs[1], T0 + 5000, -1);
	/* cycle 2: it moved; FC-A's zero arrives first, FC-B's traffic 5 s later. */
	fc_batch(f, &fcs[0], T0 + 60000, 0);
	fc_batch(f, &fcs[1], T0 + 65000, 48000);
	char *cause = NULL;
	fc_batch(f, &fcs[0], T0 + 120000, -1);
	fc_batch(f, &fcs[1], T0 + 125000, 48000);
	assert_int_equal(np_pipeline_tick(f->pl, T0 + 126000, T0 + 126000, &cause), 0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions"), 1); /* first sight only */
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox"), 0);

	/* A real outage: FC-B reports zero. IFDOWN once FC-A had its chance (its next batch),
	 * dated from the zero. */
	fc_batch(f, &fcs[0], T0 + 180000, -1);
	fc_batch(f, &fcs[1], T0 + 185000, 0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox"), 0);
	fc_batch(f, &fcs[0], T0 + 240000, -1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFDOWN'"), 1);
	assert_int_equal(q_int(f, "SELECT start FROM outages"), (T0 + 185000) / 1000);
	f->cfg.sources = NULL;
	f->cfg.nsources = 0;
}

/* Two sources of one type that name no link_group watch different things: a zero from one
 * is declared at once, without waiting for the other's next batch. */
static void
test_same_type_without_link_group_does_not_wait(void **state)
{
	struct fx *f = *state;
	struct np_source_cfg fcs[2];
	for (int i = 0; i < 2; i++) {
		fcs[i] = f->src;
		fcs[i].name = i == 0 ? "fc-a" : "fc-b";
		fcs[i].type = "stealthwatch";
		fcs[i].link_group = NULL;
		fcs[i].interval_ms = 60000;
		fcs[i].timeout_ms = 20000;
	}
	f->cfg.sources = fcs;
	f->cfg.nsources = 2;
	np_pipeline_set_config(f->pl, &f->cfg);
	fc_batch(f, &fcs[1], T0, 48000);
	fc_batch(f, &fcs[0], T0 + 5000, -1);
	fc_batch(f, &fcs[1], T0 + 60000, 0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFDOWN'"), 1);
	assert_int_equal(q_int(f, "SELECT start FROM outages"), (T0 + 60000) / 1000);
	f->cfg.sources = NULL;
	f->cfg.nsources = 0;
}

static void
test_per_source_down_after(void **state)
{
	struct fx *f = *state;
	f->src.state.down_after_ms = 30000; /* this source's own `state:` override */
	for (int i = 0; i < 5; i++) {
		np_batch_reset(&f->b, T0 + i * 10000);
		add(f, "eth0", i == 0 ? NP_LINK_UP : NP_LINK_DOWN, 1000, 2);
		ingest(f, T0 + i * 10000);
		/* down since T0+10 s: not declared at +20 s or +30 s, declared at +40 s */
		assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFDOWN'"),
		                 i < 4 ? 0 : 1);
	}
	assert_int_equal(q_int(f, "SELECT start FROM outages"), T0 / 1000 + 10);
}

/* A link gone (stale) leaves memory: at once if it never alerted, else after forget_after;
 * seen again it starts from first sight and its unobserved interval is closed. */
static void
test_forget_gone_links(void **state)
{
	struct fx *f = *state;
	f->cfg.state.forget_after_ms = 3600000;
	np_batch_reset(&f->b, T0);
	f->b.complete = true;
	add(f, "veth1", NP_LINK_UP, 0, 1);
	add(f, "veth2", NP_LINK_DOWN, 0, 2);
	ingest(f, T0);
	np_batch_reset(&f->b, T0 + 10000);
	f->b.complete = true; /* both gone */
	ingest(f, T0 + 10000);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='STALE'"), 1);
	assert_int_equal(np_pipeline_forget_links(f->pl, T0 + 20000), 1); /* veth2, never alerted */
	assert_int_equal(np_pipeline_forget_links(f->pl, T0 + 10000 + 3600000 - 1), 0);
	assert_int_equal(np_pipeline_forget_links(f->pl, T0 + 10000 + 3600000), 1); /* veth1 */
	assert_int_equal(q_int(f, "SELECT count(*) FROM links"), 2); /* history stays */
	assert_int_equal(q_int(f, "SELECT count(*) FROM unobserved WHERE end IS NULL"), 2);

	np_batch_reset(&f->b, T0 + 4000000);
	add(f, "veth1", NP_LINK_UP, 0, 1);
	ingest(f, T0 + 4000000);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions WHERE interface='veth1' AND "
	                          "previous='unknown'"),
	                 2);
	assert_int_equal(q_int(f, "SELECT end FROM unobserved WHERE interface='veth1'"),
	                 (T0 + 4000000) / 1000);
	assert_int_equal(q_int(f, "SELECT count(*) FROM unobserved WHERE end IS NULL"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_counters_events_and_outbox, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_reset_is_counted_not_double_counted, setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_collector_health_alerts_once_per_change, setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_restart_restores_without_alerts, setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_failure_count_survives_restart, setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_exporter_moving_between_collectors_raises_nothing,
	                                    setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_same_type_without_link_group_does_not_wait, setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_per_source_down_after, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_forget_gone_links, setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
