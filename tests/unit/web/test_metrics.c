/*
 * /metrics as rendered from a pipeline: link_up 1/0 and absent for a stale link, counters as
 * sums of deltas with escaped labels, the poll-duration histogram cumulative, and the
 * OpenMetrics variant (family names without _total, # EOF).
 */
#include "core/pipetest.h"

#include <stdio.h>
#include <string.h>

#include "web/metrics.h"

static const char *const sinks[] = {"udp://127.0.0.1:5514"};

static int
setup(void **state)
{
	struct fx *f = fx_new(NULL, sinks, 1);
	fx_start(f, T0, T0);
	*state = f;
	return 0;
}

static void
obs(struct fx *f, const char *dev, const char *ifn, enum np_link_obs link, uint64_t rx)
{
	struct np_obs *o = np_batch_add(&f->b);
	np_obs_set_names(&f->b, o, dev, ifn);
	o->counter_bits = 64;
	o->epoch = 1;
	o->link = link;
	o->ever_up = NP_EVER_YES;
	np_obs_counter(o, NP_C_RX_BYTES, rx);
	np_obs_counter(o, NP_C_TX_BYTES, rx / 2);
}

/* eth0 up, eth1 down, eth2 seen once then never again (stale after 30 s). */
static void
feed(struct fx *f)
{
	for (int64_t s = 0; s <= 60; s += 10) {
		np_batch_reset(&f->b, T0 + s * 1000);
		f->b.complete = false;
		obs(f, "sw<script>\"1", "eth0", NP_LINK_UP, (uint64_t)(1000 + s * 100));
		obs(f, "sw<script>\"1", "eth1", NP_LINK_DOWN, 500);
		if (s == 0)
			obs(f, "sw2", "eth2", NP_LINK_UP, 7);
		ingest(f, T0 + s * 1000);
		fx_tick(f, T0 + s * 1000, T0 + s * 1000);
	}
}

static char *
render(struct fx *f, bool om, const struct np_srcstats *ss)
{
	struct np_metrics_ctx c = {.pl = f->pl, .srcs = ss, .started_ms = T0};
	struct np_expo e = {.om = om};
	np_metrics_render(&c, T0 + 61000, T0 + 61000, &e);
	return np_buf_take(&e.b);
}

static void
has(const char *text, const char *line)
{
	char *want = np_xasprintf("\n%s\n", line);
	if (strstr(text, want) == NULL)
		fail_msg("missing line: %s\n--- exposition:\n%s", line, text);
	free(want);
}

static void
test_text(void **state)
{
	struct fx *f = *state;
	feed(f);
	struct np_srcstats *ss = np_srcstats_new();
	struct np_config cfg = {.sources = &f->src, .nsources = 1};
	np_srcstats_retain(ss, &cfg);
	np_srcstats_result(ss, &f->src, true);
	np_srcstats_duration(ss, &f->src, 30000000);    /* 0.03 s */
	np_srcstats_duration(ss, &f->src, 40000000000); /* 40 s: above every bound */
	np_srcstats_result(ss, &f->src, false);
	char *t = render(f, false, ss);
	const char *L = "device=\"sw<script>\\\"1\",interface=";
	char line[256];
	snprintf(line, sizeof line, "netpulse_link_up{%s\"eth0\"} 1", L);
	has(t, line);
	snprintf(line, sizeof line, "netpulse_link_up{%s\"eth1\"} 0", L);
	has(t, line);
	/* Stale: no link_up sample, but its other series stay. */
	assert_null(strstr(t, "netpulse_link_up{device=\"sw2\""));
	has(t, "netpulse_link_flapping{device=\"sw2\",interface=\"eth2\"} 0");
	snprintf(line, sizeof line, "netpulse_link_down_seconds_total{%s\"eth1\"} 61", L);
	has(t, line);
	snprintf(line, sizeof line, "netpulse_rx_bytes_total{source=\"this-host\",%s\"eth0\"} 6000",
	         L);
	has(t, line);
	snprintf(line, sizeof line, "netpulse_tx_bytes_total{source=\"this-host\",%s\"eth0\"} 3000",
	         L);
	has(t, line);
	has(t, "# TYPE netpulse_rx_bytes_total counter");
	assert_null(strstr(t, "netpulse_rx_packets_total{")); /* no packet counter was read */
	has(t, "netpulse_source_up{source=\"this-host\",type=\"local\"} 0");
	has(t, "netpulse_source_failures_total{source=\"this-host\"} 1");
	has(t, "netpulse_source_poll_duration_seconds_bucket{source=\"this-host\",le=\"0.01\"} 0");
	has(t, "netpulse_source_poll_duration_seconds_bucket{source=\"this-host\",le=\"0.05\"} 1");
	has(t, "netpulse_source_poll_duration_seconds_bucket{source=\"this-host\",le=\"30\"} 1");
	has(t, "netpulse_source_poll_duration_seconds_bucket{source=\"this-host\",le=\"+Inf\"} 2");
	has(t, "netpulse_source_poll_duration_seconds_count{source=\"this-host\"} 2");
	has(t, "netpulse_source_poll_duration_seconds_sum{source=\"this-host\"} 40.03");
	has(t, "netpulse_build_info{version=\"" NP_VERSION "\"} 1");
	assert_null(strstr(t, "# EOF"));
	free(t);
	np_srcstats_free(ss);
}

static void
test_openmetrics(void **state)
{
	struct fx *f = *state;
	feed(f);
	char *t = render(f, true, NULL);
	has(t, "# TYPE netpulse_rx_bytes counter");
	has(t, "# TYPE netpulse_link_up gauge");
	assert_null(strstr(t, "# TYPE netpulse_rx_bytes_total"));
	size_t n = strlen(t);
	assert_true(n > 6 && strcmp(t + n - 6, "# EOF\n") == 0);
	free(t);
	assert_true(np_expo_wants_om("application/openmetrics-text;version=1.0.0,text/plain;"
	                             "version=0.0.4;q=0.5,*/*;q=0.1"));
	assert_false(np_expo_wants_om("text/plain"));
	assert_false(np_expo_wants_om(""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_text, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_openmetrics, setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
