/*
 * `links:` overrides in the pipeline: alert: false records the transitions and sends nothing;
 * severity replaces the alert's; down_after replaces its source's for a matching link (longer
 * or shorter). The first matching entry wins; other links are untouched.
 */
#include "pipetest.h"

static const char *const sinks[] = {"tcp://127.0.0.1:5515"};

static struct np_link_rule_cfg rules[] = {
    {.device = "^lab-", .alert = false, .down_after_ms = -1},
    {.interface = "^uplink",
     .alert = true,
     .severity = "crit",
     .down_after = "30s",
     .down_after_ms = 30000},
    {.device = ".", .alert = false, .down_after_ms = -1}, /* never reached for uplinks */
};

static int
setup(void **state)
{
	struct fx *f = fx_new(NULL, sinks, 1);
	f->cfg.link_rules = rules;
	f->cfg.nlink_rules = 3;
	fx_start(f, T0, T0);
	*state = f;
	return 0;
}

static void
batch(struct fx *f, int64_t t, enum np_link_obs lab, enum np_link_obs up)
{
	np_batch_reset(&f->b, t);
	const char *names[][2] = {{"lab-sw1", "ge-0/0/1"}, {"core1", "uplink0"}};
	enum np_link_obs st[] = {lab, up};
	for (int i = 0; i < 2; i++) {
		struct np_obs *o = np_batch_add(&f->b);
		np_obs_set_names(&f->b, o, names[i][0], names[i][1]);
		o->counter_bits = 64;
		o->epoch = 1;
		o->link = st[i];
		np_obs_counter(o, NP_C_RX_BYTES, 1000);
	}
	ingest(f, t);
}

static void
test_link_rules(void **state)
{
	struct fx *f = *state;
	batch(f, T0, NP_LINK_UP, NP_LINK_UP);
	for (int i = 1; i <= 3; i++) {
		batch(f, T0 + i * 10000, NP_LINK_DOWN, NP_LINK_DOWN);
		/* uplink0 looks down from +10 s: with its 30 s it is declared at +40 s, not before
		 */
		assert_int_equal(q_int(f, "SELECT count(*) FROM transitions WHERE interface="
		                          "'uplink0' AND state='down'"),
		                 0);
	}
	batch(f, T0 + 40000, NP_LINK_DOWN, NP_LINK_DOWN);
	fx_flush(f);
	/* lab-sw1: down at once (its source's 0 s), recorded, never sent. */
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions WHERE device='lab-sw1' AND "
	                          "state='down' AND alert='IFDOWN'"),
	                 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE device='lab-sw1'"), 0);
	/* uplink0: declared after 30 s, dated from its first down look, sent as crit (2). */
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE interface='uplink0' AND "
	                          "msgid='IFDOWN' AND severity=2"),
	                 1);
	assert_int_equal(q_int(f, "SELECT time FROM transitions WHERE interface='uplink0' AND "
	                          "state='down'"),
	                 (T0 + 10000) / 1000);
}

/* Entries matching labels: the link's labels as its latest observation carried them. */
static char *lab_labels[] = {"site=^lab$"};
static struct np_link_rule_cfg label_rules[] = {
    {.labels = lab_labels, .nlabels = 1, .alert = false, .down_after_ms = -1},
};

static int
setup_labels(void **state)
{
	struct fx *f = fx_new(NULL, sinks, 1);
	f->cfg.link_rules = label_rules;
	f->cfg.nlink_rules = 1;
	fx_start(f, T0, T0);
	*state = f;
	return 0;
}

/* ap-lab (site lab), ap-prod (site prod), ap-none (no label), all at `st`; drop: leave out */
static void
site_batch(struct fx *f, int64_t t, enum np_link_obs st, bool drop)
{
	np_batch_reset(&f->b, t);
	f->b.complete = true;
	const char *names[][2] = {{"ap-lab", "lab"}, {"ap-prod", "prod"}, {"ap-none", NULL}};
	for (int i = 0; i < (drop ? 0 : 3); i++) {
		struct np_obs *o = np_batch_add(&f->b);
		np_obs_set_names(&f->b, o, names[i][0], "radio0");
		o->gauge = 8;
		o->has_gauge = true;
		o->link = st;
		if (names[i][1] != NULL)
			assert_int_equal(np_obs_label(&f->b, o, "site", names[i][1]), 0);
	}
	ingest(f, t);
}

static void
test_link_rules_labels(void **state)
{
	struct fx *f = *state;
	site_batch(f, T0, NP_LINK_UP, false);
	site_batch(f, T0 + 10000, NP_LINK_DOWN, false);
	fx_flush(f);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions WHERE state='down' AND "
	                          "alert='IFDOWN'"),
	                 3);
	/* ap-lab: recorded, not sent; the others sent. */
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFDOWN'"), 2);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE device='ap-lab'"), 0);
	/* Up again, then all three vanish: an alert decided without an observation in hand. */
	site_batch(f, T0 + 20000, NP_LINK_UP, false);
	site_batch(f, T0 + 30000, NP_LINK_UP, true);
	fx_tick(f, T0 + 40000, T0 + 40000);
	fx_flush(f);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions WHERE state='stale'"), 3);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE device='ap-lab'"), 0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='STALE' AND details "
	                          "LIKE '%ap-lab%'"),
	                 0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='STALE' AND "
	                          "json_array_length(details) = 2"),
	                 1);
}

/* A down_after shorter than the source's applies too: core links are declared at once. */
static struct np_link_rule_cfg core_rules[] = {
    {.device = "^core", .alert = true, .down_after = "0s", .down_after_ms = 0},
};

static int
setup_core(void **state)
{
	struct fx *f = fx_new(NULL, sinks, 1);
	f->src.state.down_after_ms = 30000;
	f->cfg.link_rules = core_rules;
	f->cfg.nlink_rules = 1;
	fx_start(f, T0, T0);
	*state = f;
	return 0;
}

static void
core_batch(struct fx *f, int64_t t, enum np_link_obs st)
{
	np_batch_reset(&f->b, t);
	const char *devs[] = {"core1", "edge1"};
	for (int i = 0; i < 2; i++) {
		struct np_obs *o = np_batch_add(&f->b);
		np_obs_set_names(&f->b, o, devs[i], "eth0");
		o->counter_bits = 64;
		o->epoch = 1;
		o->link = st;
		np_obs_counter(o, NP_C_RX_BYTES, 1000);
	}
	ingest(f, t);
}

static void
test_link_rules_shorter(void **state)
{
	struct fx *f = *state;
	core_batch(f, T0, NP_LINK_UP);
	core_batch(f, T0 + 10000, NP_LINK_DOWN);
	/* core1 down at its first down look; edge1 waits its source's 30 s. */
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions WHERE state='down'"), 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFDOWN' AND "
	                          "device='core1'"),
	                 1);
	for (int i = 2; i <= 4; i++)
		core_batch(f, T0 + i * 10000, NP_LINK_DOWN);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFDOWN' AND "
	                          "device='edge1'"),
	                 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_link_rules, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_link_rules_labels, setup_labels, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_link_rules_shorter, setup_core, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
