/*
 * Maintenance windows end to end across a DST change: netpulsed's pipeline records the time
 * (core/maint_rec.c) and `netpulse downtime` (report/downtime.c) reports it, for the 23-hour
 * Berlin day 2026-03-29 (clocks 02:00 CET -> 03:00 CEST at 01:00Z) and the 25-hour 2026-10-25
 * (below).
 *
 * Window: every day at 02:30 Berlin time for 1 h. 02:30 does not exist that day: it starts
 * at the jump, 03:00 CEST = 01:00Z, and lasts one real hour, to 02:00Z. (Times below were
 * checked with date(1): TZ=Europe/Berlin date -d @1774746000 -> Sun 29 Mar 03:00:00 CEST.)
 *
 * The link is polled every 10 minutes from local midnight (00:00 CET = 2026-03-28T23:00Z,
 * 1774738800) to the next one (00:00 CEST = 2026-03-29T22:00Z, 1774821600): 23 h, 82800 s.
 * It is down from 00:30Z (01:30 CET, before the window: IFDOWN sent) to 01:30Z (03:30 CEST,
 * inside: IFUP held back, then sent when the window ends at 02:00Z).
 *   maintenance 3600; down [00:30Z, 01:00Z) = 1800 (the half inside the window is not down
 *   time); unobserved 0; observed 82800 - 3600 = 79200; availability 1 - 1800/79200 =
 *   0.977273.
 */
#include <string.h>

#include "pipetest.h"
#include "report/downtime.h"

static const char *const sinks[] = {"tcp://127.0.0.1:5515"};

#define DAY0 1774738800LL                         /* 2026-03-29T00:00+01:00 */
#define DAY1 1774821600LL                         /* 2026-03-30T00:00+02:00 */
#define Z(h, m) (DAY0 + 3600 + (h)*3600 + (m)*60) /* 2026-03-29T<h>:<m>Z */

static struct np_maint_cfg window = {
    .name = "nightly", .at = "02:30", .duration_ms = 3600000, .timezone = "Europe/Berlin"};

static void
poll_at(struct fx *f, int64_t day0, int64_t t_s, enum np_link_obs state)
{
	np_batch_reset(&f->b, t_s * 1000);
	struct np_obs *o = np_batch_add(&f->b);
	np_obs_set_names(&f->b, o, "sw1", "ge-0/0/1");
	o->counter_bits = 64;
	o->epoch = 1;
	o->link = state;
	np_obs_counter(o, NP_C_RX_BYTES, 1000 + (uint64_t)(t_s - day0));
	ingest(f, t_s * 1000);
}

static void
test_spring_forward_day(void **state)
{
	(void)state;
	struct fx *f = fx_new(NULL, sinks, 1);
	f->src.interval_ms = 600000;
	f->src.max_gap_ms = 1800000;
	f->cfg.maint = &window;
	f->cfg.nmaint = 1;
	fx_start(f, DAY0 * 1000, DAY0 * 1000);
	for (int64_t t = DAY0; t <= DAY1; t += 600) {
		bool down = t >= Z(0, 30) && t < Z(1, 30);
		poll_at(f, DAY0, t, down ? NP_LINK_DOWN : NP_LINK_UP);
		if (t == Z(1, 50)) /* inside the window still: the IFUP is held back */
			assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFUP'"),
			                 0);
	}
	fx_flush(f);

	/* The window as recorded: one row, the real hour. */
	assert_int_equal(q_int(f, "SELECT count(*) FROM maintenance"), 1);
	assert_int_equal(q_int(f, "SELECT start FROM maintenance"), Z(1, 0));
	assert_int_equal(q_int(f, "SELECT end FROM maintenance"), Z(2, 0));
	/* Alerts: the IFDOWN before the window; the IFUP held, then sent at its end. */
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFDOWN'"), 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFUP'"), 1);
	assert_int_equal(q_int(f, "SELECT created FROM outbox WHERE msgid='IFUP'"), Z(2, 0));
	assert_int_equal(q_int(f, "SELECT outage_seconds FROM outbox WHERE msgid='IFUP'"), 3600);

	char *cause = NULL;
	struct np_downtime d;
	struct np_period p = {DAY0, DAY1};
	assert_int_equal(np_downtime_compute(np_store_db(f->st), &p, DAY1, NULL, &d, &cause), 0);
	assert_int_equal(d.nlinks, 1);
	const struct np_downtime_link *l = &d.links[0];
	assert_int_equal(l->maintenance, 3600);
	assert_int_equal(l->down, 1800);
	assert_int_equal(l->outages, 1);
	assert_int_equal(l->unobserved, 0);
	assert_int_equal(l->observed, 79200);
	assert_true(l->has_availability);
	assert_int_equal((int64_t)(l->availability * 1e6 + 0.5), 977273);
	assert_int_equal(d.maintenance, 3600);

	char *cause2 = NULL;
	struct np_tz *tz = np_tz_load(NULL, "Europe/Berlin", &cause2);
	assert_non_null(tz);
	char *csv = np_downtime_render(&d, NP_FMT_CSV, tz);
	assert_non_null(strstr(csv, "sw1,ge-0/0/1,1800,1,0,0.977273,3600\n"));
	free(csv);
	char *json = np_downtime_render(&d, NP_FMT_JSON, tz);
	assert_non_null(strstr(json, "\"maintenance_seconds\": 3600"));
	free(json);
	char *txt = np_downtime_render(&d, NP_FMT_TEXT, tz);
	assert_non_null(strstr(txt, "2026-03-29T00:00:00+01:00 .. 2026-03-30T00:00:00+02:00"));
	assert_non_null(strstr(txt, "1h"));
	free(txt);
	np_tz_free(tz);
	np_downtime_free(&d);
	fx_teardown((void **)&f);
}

/*
 * The 25-hour fall-back day 2026-10-25 (03:00 CEST -> 02:00 CET at 01:00Z): 02:30 happens
 * twice; the window is the first, 02:30 CEST = 00:30Z, for one real hour, to 01:30Z. Day:
 * 00:00 CEST (2026-10-24T22:00Z, 1792879200) .. 00:00 CET (2026-10-25T23:00Z, 1792969200),
 * 90000 s. Down from 01:00Z (inside: IFDOWN held back) to 02:00Z: still down when the window
 * ends, so the IFDOWN is sent at 01:30Z, then the IFUP at 02:00Z as always.
 *   maintenance 3600; down [01:30Z, 02:00Z) = 1800; observed 90000 - 3600 = 86400;
 *   availability 1 - 1800/86400 = 0.979167.
 */
#define FB0 1792879200LL
#define FB1 1792969200LL
#define FZ(h, m) (FB0 + 2 * 3600 + (h)*3600 + (m)*60) /* 2026-10-25T<h>:<m>Z */

static void
test_fall_back_day(void **state)
{
	(void)state;
	struct fx *f = fx_new(NULL, sinks, 1);
	f->src.interval_ms = 600000;
	f->src.max_gap_ms = 1800000;
	f->cfg.maint = &window;
	f->cfg.nmaint = 1;
	fx_start(f, FB0 * 1000, FB0 * 1000);
	for (int64_t t = FB0; t <= FB1; t += 600)
		poll_at(f, FB0, t, t >= FZ(1, 0) && t < FZ(2, 0) ? NP_LINK_DOWN : NP_LINK_UP);
	fx_flush(f);
	assert_int_equal(q_int(f, "SELECT count(*) FROM maintenance"), 1);
	assert_int_equal(q_int(f, "SELECT start FROM maintenance"), FZ(0, 30));
	assert_int_equal(q_int(f, "SELECT end FROM maintenance"), FZ(1, 30));
	assert_int_equal(q_int(f, "SELECT created FROM outbox WHERE msgid='IFDOWN'"), FZ(1, 30));
	assert_int_equal(q_int(f, "SELECT since FROM outbox WHERE msgid='IFDOWN'"), FZ(1, 0));
	assert_int_equal(q_int(f, "SELECT created FROM outbox WHERE msgid='IFUP'"), FZ(2, 0));
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox"), 2);

	char *cause = NULL;
	struct np_downtime d;
	struct np_period p = {FB0, FB1};
	assert_int_equal(np_downtime_compute(np_store_db(f->st), &p, FB1, NULL, &d, &cause), 0);
	assert_int_equal(d.nlinks, 1);
	const struct np_downtime_link *l = &d.links[0];
	assert_int_equal(l->maintenance, 3600);
	assert_int_equal(l->down, 1800);
	assert_int_equal(l->unobserved, 0);
	assert_int_equal(l->observed, 86400);
	assert_int_equal((int64_t)(l->availability * 1e6 + 0.5), 979167);
	np_downtime_free(&d);
	fx_teardown((void **)&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_spring_forward_day),
	    cmocka_unit_test(test_fall_back_day),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
