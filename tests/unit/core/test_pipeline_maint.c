/*
 * Maintenance windows in the pipeline: an alert raised inside one is recorded (its transition
 * names it) but not queued for any sink; outside, alerts go out as always. COLLECTOR alerts of
 * a source in a window without device/interface scopes are held too.
 */
#include <string.h>

#include "pipetest.h"
#include "report/downtime.h"

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

/* 08:00 to 08:10, the link's device only. */
static struct np_maint_cfg ten = {
    .name = "ten", .start = "2025-12-01T08:00", .end = "2025-12-01T08:10", .device = "^sw1$"};

static int
setup_ten(void **state)
{
	struct fx *f = fx_new(NULL, sinks, 1);
	f->cfg.maint = &ten;
	f->cfg.nmaint = 1;
	fx_start(f, T0, T0);
	*state = f;
	return 0;
}

/*
 * Down 08:05-08:07 (inside: recorded with transitions.maintenance = 1, nothing queued), down
 * again 08:12-08:14 (after: queued as always). The window's time is recorded as one row (the
 * steps at 08:05, 08:07 and 08:12 extend it), and downtime over 08:00-08:15 shows it:
 * maintenance 600 s, down 120 s (the outage in the window is not down time), observed
 * 900 - 600 = 300 s, availability 1 - 120/300 = 0.6.
 */
static void
test_recorded_and_reported(void **state)
{
	struct fx *f = *state;
	int64_t t0 = T0 / 1000;
	set_link(f, T0, NP_LINK_UP);
	set_link(f, T0 + 300000, NP_LINK_DOWN);
	set_link(f, T0 + 420000, NP_LINK_UP);
	set_link(f, T0 + 720000, NP_LINK_DOWN);
	set_link(f, T0 + 840000, NP_LINK_UP);
	set_link(f, T0 + 900000, NP_LINK_UP);
	fx_flush(f);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions WHERE maintenance = 1"), 2);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions WHERE maintenance = 1"
	                          " AND alert IN ('IFDOWN', 'IFUP') AND time < 1764576600"),
	                 2);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions WHERE maintenance = 0"
	                          " AND alert IN ('IFDOWN', 'IFUP')"),
	                 2);
	/* Only the two alerts after the window reach the outbox and its sink. */
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox"), 2);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox_sink"), 2);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE created < 1764576600"), 0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM maintenance"), 1);
	assert_int_equal(q_int(f, "SELECT start FROM maintenance WHERE device = 'sw1'"
	                          " AND interface = 'ge-0/0/1' AND window = 'ten'"),
	                 t0);
	assert_int_equal(q_int(f, "SELECT end FROM maintenance"), t0 + 600);

	struct np_downtime d;
	struct np_period p = {t0, t0 + 900};
	char *cause = NULL;
	assert_int_equal(np_downtime_compute(np_store_db(f->st), &p, t0 + 900, NULL, &d, &cause),
	                 0);
	assert_int_equal(d.nlinks, 1);
	assert_int_equal(d.links[0].maintenance, 600);
	assert_int_equal(d.links[0].down, 120);
	assert_int_equal(d.links[0].outages, 2);
	assert_int_equal(d.links[0].observed, 300);
	assert_true(d.has_availability);
	assert_int_equal((int)(d.availability * 1000 + 0.5), 600);
	assert_int_equal(d.maintenance, 600);
	char *txt = np_downtime_render(&d, NP_FMT_CSV, NULL);
	assert_non_null(strstr(txt, ",maintenance_seconds\n"));
	assert_non_null(strstr(txt, ",0.600000,600\n"));
	free(txt);
	np_downtime_free(&d);
}

static int
setup_ten_late(void **state)
{
	struct fx *f = fx_new(NULL, sinks, 1);
	f->cfg.maint = &ten;
	f->cfg.nmaint = 1;
	fx_start(f, T0 + 700000, T0 + 700000);
	*state = f;
	return 0;
}

/* A daemon started after the window records none of it (that time was not observed). */
static void
test_no_window_no_rows(void **state)
{
	struct fx *f = *state;
	set_link(f, T0 + 700000, NP_LINK_UP); /* starts after the window */
	set_link(f, T0 + 800000, NP_LINK_DOWN);
	fx_flush(f);
	assert_int_equal(q_int(f, "SELECT count(*) FROM maintenance"), 0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions WHERE maintenance = 1"), 0);
}

/* 08:00 to 08:10 for the links labelled site: ber. */
static char *ber[] = {"site", "ber"};
static struct np_maint_cfg by_label = {.name = "ber",
                                       .start = "2025-12-01T08:00",
                                       .end = "2025-12-01T08:10",
                                       .labels = ber,
                                       .nlabels = 2};

static int
setup_label(void **state)
{
	struct fx *f = fx_new(NULL, sinks, 1);
	f->cfg.maint = &by_label;
	f->cfg.nmaint = 1;
	fx_start(f, T0, T0);
	*state = f;
	return 0;
}

static void
two_links(struct fx *f, int64_t t, enum np_link_obs ber_state, enum np_link_obs muc_state)
{
	np_batch_reset(&f->b, t);
	const char *dev[] = {"sw1", "sw2"}, *site[] = {"ber", "muc"};
	enum np_link_obs st[] = {ber_state, muc_state};
	for (int i = 0; i < 2; i++) {
		struct np_obs *o = np_batch_add(&f->b);
		np_obs_set_names(&f->b, o, dev[i], "ge-0/0/1");
		o->counter_bits = 64;
		o->epoch = 1;
		o->link = st[i];
		np_obs_counter(o, NP_C_RX_BYTES, 1000);
		assert_int_equal(np_obs_label(&f->b, o, "site", site[i]), 0);
	}
	ingest(f, t);
}

/* Only the link whose series carries site=ber is in the window: its alert is held, the other's
 * sent. */
static void
test_labels_scope(void **state)
{
	struct fx *f = *state;
	two_links(f, T0, NP_LINK_UP, NP_LINK_UP);
	two_links(f, T0 + 60000, NP_LINK_DOWN, NP_LINK_DOWN);
	two_links(f, T0 + 120000, NP_LINK_DOWN, NP_LINK_DOWN);
	fx_flush(f);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions WHERE alert = 'IFDOWN'"), 2);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions WHERE alert = 'IFDOWN'"
	                          " AND maintenance = 1 AND device = 'sw1'"),
	                 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid = 'IFDOWN'"
	                          " AND device = 'sw2'"),
	                 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox"), 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM maintenance WHERE device = 'sw1'"), 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM maintenance WHERE device = 'sw2'"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_alert_inside_window_not_sent, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_recorded_and_reported, setup_ten, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_no_window_no_rows, setup_ten_late, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_labels_scope, setup_label, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
