/*
 * What the metrics read from the pipeline (np_pipeline_each_link / _each_series): link state,
 * transitions, down seconds that go on from the store after a restart and never go back, and
 * per-series sums of the deltas with their labels escaped for the exposition.
 */
#include "pipetest.h"

#include <stdio.h>
#include <string.h>

static const char *const sinks[] = {"udp://127.0.0.1:5514"};

static int
setup(void **state)
{
	struct fx *f = fx_new("np.db", sinks, 1);
	fx_start(f, T0, T0);
	*state = f;
	return 0;
}

static void
add(struct fx *f, enum np_link_obs link, uint64_t rx)
{
	np_batch_reset(&f->b, f->b.time_ms);
	f->b.complete = true;
	struct np_obs *o = np_batch_add(&f->b);
	np_obs_set_names(&f->b, o, "host\"1", "eth0");
	np_obs_label(&f->b, o, "site", "a\\b\nc");
	np_obs_label(&f->b, o, "device", "dup");
	o->counter_bits = 64;
	o->epoch = 2;
	o->link = link;
	o->ever_up = NP_EVER_UNKNOWN;
	np_obs_counter(o, NP_C_RX_BYTES, rx);
}

static void
at(struct fx *f, int64_t t, enum np_link_obs link, uint64_t rx)
{
	f->b.time_ms = t;
	add(f, link, rx);
	ingest(f, t);
	fx_tick(f, t, t);
}

struct seen {
	int links, series;
	struct np_link_view l;
	char dev[64];
	uint64_t rx;
	uint32_t mask;
	char labels[128];
};

static void
link_cb(const struct np_link_view *v, void *arg)
{
	struct seen *s = arg;
	s->links++;
	s->l = *v;
	snprintf(s->dev, sizeof s->dev, "%s", v->device);
}

static void
series_cb(const struct np_series_view *v, void *arg)
{
	struct seen *s = arg;
	s->series++;
	s->rx = v->total[NP_C_RX_BYTES];
	s->mask = v->mask;
	snprintf(s->labels, sizeof s->labels, "%s", v->labels);
}

static struct seen
look(struct fx *f, int64_t now)
{
	struct seen s = {0};
	np_pipeline_each_link(f->pl, now, now, link_cb, &s);
	np_pipeline_each_series(f->pl, series_cb, &s);
	return s;
}

static void
test_links_and_series(void **state)
{
	struct fx *f = *state;
	at(f, T0, NP_LINK_UP, 1000);
	struct seen s = look(f, T0);
	assert_int_equal(s.links, 1);
	assert_string_equal(s.dev, "host\"1");
	assert_int_equal(s.l.state, NP_ST_UP);
	assert_int_equal(s.l.changes, 1); /* unknown -> up */
	assert_int_equal(s.l.down_s, 0);
	assert_int_equal(s.series, 0); /* the first reading has no delta yet */

	at(f, T0 + 10000, NP_LINK_UP, 6000);
	at(f, T0 + 20500, NP_LINK_DOWN, 9000);
	s = look(f, T0 + 50700);
	assert_int_equal(s.l.state, NP_ST_DOWN);
	assert_int_equal(s.l.changes, 2);
	assert_int_equal(s.l.down_s, 30); /* 50 - 20, in the store's whole seconds */
	assert_int_equal(s.series, 1);
	assert_int_equal(s.rx, 8000);
	assert_int_equal(s.mask, 1u << NP_C_RX_BYTES);
	/* Escaped; the label named like one of netpulse's own gets a prefix. */
	assert_string_equal(s.labels, ",site=\"a\\\\b\\nc\",label_device=\"dup\"");

	at(f, T0 + 60200, NP_LINK_UP, 9500);
	s = look(f, T0 + 90000);
	assert_int_equal(s.l.state, NP_ST_UP);
	assert_int_equal(s.l.changes, 3);
	assert_int_equal(s.l.down_s, 40);
	assert_int_equal(s.rx, 8500);
	int64_t stored = q_int(f, "SELECT sum(end - start) FROM outages");
	assert_int_equal(stored, 40);

	/* Down again, then a restart: the store's 40 s plus the open outage, from the store. */
	at(f, T0 + 100000, NP_LINK_DOWN, 9600);
	fx_flush(f);
	fx_restart(f, T0 + 105000);
	s = look(f, T0 + 115000);
	assert_int_equal(s.l.state, NP_ST_DOWN);
	assert_int_equal(s.l.changes, 0); /* since this start */
	assert_int_equal(s.l.down_s, 55); /* 40 + (115 - 100) */
	/* A wall clock stepped back does not make the counter go back. */
	s = look(f, T0 + 101000);
	assert_int_equal(s.l.down_s, 55);
	s = look(f, T0 + 120000);
	assert_int_equal(s.l.down_s, 60);
}

/* While a down link looks up but is not declared up yet, its down time stops at the first up
 * look: the outage will end there, and the counter must not have gone past it. */
static void
test_debounced_up(void **state)
{
	struct fx *f = *state;
	f->cfg.state.up_after_ms = 30000;
	f->src.state = f->cfg.state;
	np_pipeline_set_config(f->pl, &f->cfg);
	at(f, T0, NP_LINK_UP, 1000);
	at(f, T0 + 10000, NP_LINK_DOWN, 1000);
	at(f, T0 + 20000, NP_LINK_DOWN, 1000);
	at(f, T0 + 30000, NP_LINK_DOWN, 1000);
	at(f, T0 + 40000, NP_LINK_UP, 1000);
	at(f, T0 + 50000, NP_LINK_UP, 1000);
	at(f, T0 + 60000, NP_LINK_UP, 1000);
	struct seen s = look(f, T0 + 65000);
	assert_int_equal(s.l.state, NP_ST_DOWN);
	assert_int_equal(s.l.down_s, 30);
	at(f, T0 + 70000, NP_LINK_UP, 1000);
	s = look(f, T0 + 75000);
	assert_int_equal(s.l.state, NP_ST_UP);
	assert_int_equal(s.l.down_s, 30);
	assert_int_equal(q_int(f, "SELECT end - start FROM outages"), 30);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_links_and_series, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_debounced_up, setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
