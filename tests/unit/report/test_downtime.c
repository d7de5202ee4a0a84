/*
 * Downtime arithmetic on a store database filled with raw SQL (so the write path is not
 * under test here). Every expected figure is worked out in the comments.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "report/downtime.h"
#include "reporttest.h"
#include "store/store.h"

/*
 * Window [1000, 11000), now 20000. Runs [0, 4000] and [4500, 20000]: a gap [4000, 4500).
 *  A sw1/eth0  first seen 0. Outages [200,400) and [800,1000) end before the window (not
 *              counted), [500,1500) -> 500 inside, [3000,4000) -> 1000, [5000,5000] zero
 *              length (counted, 0 s). down 1500, outages 3, unobserved = gap 500,
 *              observed 9500, availability 1 - 1500/9500 = 0.842105.
 *  B sw1/eth1  first seen 0. Open outage from 9000 -> until the window end 11000: 2000.
 *              Stale [2000, 2500): unobserved 500 + gap 500 = 1000, observed 9000,
 *              availability 1 - 2000/9000 = 0.777778.
 *  C sw2/      first seen 6000 (series): its window is [6000, 11000), no gap in it;
 *              observed 5000, availability 1.
 *  D sw2/eth9  first seen 0. Outage [3800, 4200) = 400, half of it in the gap: observed
 *              down 200; unobserved 500, observed 9500, availability 1 - 200/9500 = 0.978947.
 *  E sw3/x     first seen 15000, after the window: observed 0, availability null.
 * Total: 5 links, down 3900, outages 5, unobserved 2000, observed 33000, observed down
 * 3700, availability 1 - 3700/33000 = 0.887879.
 */
static const char fixture[] =
    "INSERT INTO series (source, device, interface, first_seen, last_seen) VALUES"
    " ('local', 'sw1', 'eth0', 0, 20000), ('local', 'sw1', 'eth1', 0, 20000),"
    " ('fc', 'sw2', '', 6000, 20000), ('fc', 'sw2', 'eth9', 0, 20000),"
    " ('fc', 'sw3', 'x', 15000, 20000);"
    "INSERT INTO links (device, interface, state, since, last_known, ever_up, flapping) VALUES"
    " ('sw1', 'eth0', 'up', 5000, 'up', 1, 0), ('sw1', 'eth1', 'down', 9000, 'down', 1, 0),"
    " ('sw2', '', 'up', 6000, 'up', 1, 0), ('sw2', 'eth9', 'up', 4200, 'up', 1, 0),"
    " ('sw3', 'x', 'up', 15000, 'up', 1, 0);"
    "INSERT INTO outages (device, interface, start, end) VALUES"
    " ('sw1', 'eth0', 200, 400), ('sw1', 'eth0', 800, 1000), ('sw1', 'eth0', 500, 1500),"
    " ('sw1', 'eth0', 3000, 4000), ('sw1', 'eth0', 5000, 5000), ('sw1', 'eth1', 9000, NULL),"
    " ('sw2', 'eth9', 3800, 4200);"
    "INSERT INTO unobserved (device, interface, start, end) VALUES ('sw1', 'eth1', 2000, 2500);"
    "INSERT INTO runs (started, last_alive, version) VALUES (0, 4000, 't'), (4500, 20000, 't');";

static const struct np_downtime_link *
link_of(const struct np_downtime *d, const char *dev, const char *ifn)
{
	for (size_t i = 0; i < d->nlinks; i++) {
		if (strcmp(d->links[i].device, dev) == 0 && strcmp(d->links[i].interface, ifn) == 0)
			return &d->links[i];
	}
	fail_msg("no link %s/%s", dev, ifn);
	return NULL;
}

static void
check(const struct np_downtime_link *l, int64_t down, int64_t outages, int64_t unobs,
      int64_t observed, int64_t down_obs, double avail)
{
	assert_int_equal(l->down, down);
	assert_int_equal(l->outages, outages);
	assert_int_equal(l->unobserved, unobs);
	assert_int_equal(l->observed, observed);
	assert_int_equal(l->down_observed, down_obs);
	if (avail < 0) {
		assert_false(l->has_availability);
	} else {
		assert_true(l->has_availability);
		assert_int_equal((int64_t)(l->availability * 1e6 + 0.5),
		                 (int64_t)(avail * 1e6 + 0.5));
	}
}

/*
 * Maintenance: the same fixture, window [1000, 11000), with maintenance time as netpulsed
 * records it (the maintenance table; the daemon did not run in the gap [4000, 4500), so no
 * row covers it):
 *  A sw1/eth0: [3300, 4000) and [4500, 6000) of one window, [3500, 3900) of another
 *              (overlapping: counted once): maintenance 2200. Down: [1000,1500) 500 +
 *              [3000,3300) 300 = 800; unobserved = the gap 500; observed 10000 - 500 - 2200
 *              = 7300; availability 1 - 800/7300 = 0.890411.
 *  D sw2/eth9: [9000, 9600) = 600 and [12000, 13000) after the period. Down 400, half in the
 *              gap: 200 observed; unobserved 500, observed 10000 - 500 - 600 = 8900;
 *              1 - 200/8900 = 0.977528.
 *  C sw2/:     [900, 1100), before its first sighting (6000): 0.
 * Total maintenance 2800.
 */
static void
test_maintenance(void **state)
{
	(void)state;
	struct np_store *st = open_db();
	exec(st, fixture);
	exec(st, "INSERT INTO maintenance (device, interface, start, end, window) VALUES"
	         " ('sw1', 'eth0', 3300, 4000, 'a'), ('sw1', 'eth0', 4500, 6000, 'a'),"
	         " ('sw1', 'eth0', 3500, 3900, 'b'), ('sw2', 'eth9', 9000, 9600, 'c'),"
	         " ('sw2', 'eth9', 12000, 13000, 'c'), ('sw2', '', 900, 1100, 'c')");
	char *cause = NULL;
	struct np_downtime d;
	struct np_period p = {1000, 11000};
	assert_int_equal(np_downtime_compute(np_store_db(st), &p, 20000, NULL, &d, &cause), 0);
	assert_true(d.maint);
	const struct np_downtime_link *a = link_of(&d, "sw1", "eth0");
	check(a, 800, 3, 500, 7300, 800, 0.890411);
	assert_int_equal(a->maintenance, 2200);
	const struct np_downtime_link *e = link_of(&d, "sw2", "eth9");
	check(e, 400, 1, 500, 8900, 200, 0.977528);
	assert_int_equal(e->maintenance, 600);
	assert_int_equal(link_of(&d, "sw2", "")->maintenance, 0);
	assert_int_equal(link_of(&d, "sw3", "x")->maintenance, 0);
	assert_int_equal(d.maintenance, 2800);
	char *csv = np_downtime_render(&d, NP_FMT_CSV, NULL);
	assert_non_null(strstr(csv, "availability,maintenance_seconds\n"));
	assert_non_null(strstr(csv, "\nsw1,eth0,800,3,500,0.890411,2200\n"));
	free(csv);
	struct np_tz *utc = np_tz_utc();
	char *json = np_downtime_render(&d, NP_FMT_JSON, utc);
	assert_non_null(strstr(json, "\"maintenance_seconds\": 2800"));
	free(json);
	np_tz_free(utc);
	np_downtime_free(&d);
	np_store_close(st);
}

static void
test_arithmetic(void **state)
{
	(void)state;
	struct np_store *st = open_db();
	exec(st, fixture);
	struct np_downtime d;
	struct np_period p = {1000, 11000};
	char *cause = NULL;
	assert_int_equal(np_downtime_compute(np_store_db(st), &p, 20000, NULL, &d, &cause), 0);
	assert_int_equal(d.start, 1000);
	assert_int_equal(d.end, 11000);
	assert_int_equal(d.nlinks, 5);
	/* ordered by device, interface */
	assert_string_equal(d.links[0].device, "sw1");
	assert_string_equal(d.links[0].interface, "eth0");
	assert_string_equal(d.links[2].interface, "");
	check(link_of(&d, "sw1", "eth0"), 1500, 3, 500, 9500, 1500, 0.842105);
	check(link_of(&d, "sw1", "eth1"), 2000, 1, 1000, 9000, 2000, 0.777778);
	check(link_of(&d, "sw2", ""), 0, 0, 0, 5000, 0, 1.0);
	check(link_of(&d, "sw2", "eth9"), 400, 1, 500, 9500, 200, 0.978947);
	check(link_of(&d, "sw3", "x"), 0, 0, 0, 0, 0, -1);
	assert_int_equal(d.down, 3900);
	assert_int_equal(d.outages, 5);
	assert_int_equal(d.unobserved, 2000);
	assert_int_equal(d.observed, 33000);
	assert_int_equal(d.down_observed, 3700);
	assert_true(d.has_availability);
	assert_int_equal((int64_t)(d.availability * 1e6 + 0.5), 887879);
	np_downtime_free(&d);

	/* --device sw2: C and D only */
	assert_int_equal(np_downtime_compute(np_store_db(st), &p, 20000, "sw2", &d, &cause), 0);
	assert_int_equal(d.nlinks, 2);
	assert_int_equal(d.down, 400);
	assert_int_equal(d.observed, 14500);
	np_downtime_free(&d);
	np_store_close(st);
}

/*
 * A window that ends after now: measured up to now. Window [1000, 30000), now 12000.
 * B's open outage runs [9000, 12000): 3000. A run [4500, 20000] covers up to now; the gap
 * [4000, 4500) stays. B: unobserved 1000, link window 11000, observed 10000,
 * availability 0.7.
 */
static void
test_until_now(void **state)
{
	(void)state;
	struct np_store *st = open_db();
	exec(st, fixture);
	struct np_downtime d;
	struct np_period p = {1000, 30000};
	assert_int_equal(np_downtime_compute(np_store_db(st), &p, 12000, "sw1", &d, NULL), 0);
	assert_int_equal(d.end, 12000);
	check(link_of(&d, "sw1", "eth1"), 3000, 1, 1000, 10000, 3000, 0.7);
	np_downtime_free(&d);

	/* A window entirely in the future: empty, nothing observed. */
	p = (struct np_period){30000, 40000};
	assert_int_equal(np_downtime_compute(np_store_db(st), &p, 12000, NULL, &d, NULL), 0);
	assert_int_equal(d.start, 30000);
	assert_int_equal(d.end, 30000);
	assert_false(d.has_availability);
	assert_int_equal(d.down, 0);
	np_downtime_free(&d);
	np_store_close(st);
}

/*
 * Without any run recorded (data not from a daemon) only stale intervals count as
 * unobserved: A becomes 1 - 1500/10000 = 0.85; and runs that cover nothing of the window
 * make all of it unobserved.
 */
static void
test_runs(void **state)
{
	(void)state;
	struct np_store *st = open_db();
	exec(st, fixture);
	exec(st, "DELETE FROM runs");
	struct np_downtime d;
	struct np_period p = {1000, 11000};
	assert_int_equal(np_downtime_compute(np_store_db(st), &p, 20000, "sw1", &d, NULL), 0);
	check(link_of(&d, "sw1", "eth0"), 1500, 3, 0, 10000, 1500, 0.85);
	check(link_of(&d, "sw1", "eth1"), 2000, 1, 500, 9500, 2000, 1 - 2000.0 / 9500);
	np_downtime_free(&d);

	exec(st, "INSERT INTO runs (started, last_alive, version) VALUES (50000, 60000, 't')");
	assert_int_equal(np_downtime_compute(np_store_db(st), &p, 70000, "sw1", &d, NULL), 0);
	/* never observed: the outage still shows, availability cannot be computed */
	check(link_of(&d, "sw1", "eth0"), 1500, 3, 10000, 0, 0, -1);
	assert_false(d.has_availability);
	np_downtime_free(&d);
	np_store_close(st);
}

/* Overlapping outage rows (should not happen, but never count twice). */
static void
test_overlap(void **state)
{
	(void)state;
	struct np_store *st = open_db();
	exec(st, "INSERT INTO links (device, interface, state, since, last_known, ever_up,"
	         " flapping) VALUES ('r', 'i', 'up', 0, 'up', 1, 0);"
	         "INSERT INTO outages (device, interface, start, end) VALUES"
	         " ('r', 'i', 100, 300), ('r', 'i', 200, 400), ('r', 'i', 350, NULL);");
	struct np_downtime d;
	struct np_period p = {0, 1000};
	assert_int_equal(np_downtime_compute(np_store_db(st), &p, 500, NULL, &d, NULL), 0);
	/* [100, 500) = 400 (the open one ends at now), 3 outages; window [0, 500) */
	check(&d.links[0], 400, 3, 0, 500, 400, 0.2);
	np_downtime_free(&d);
	np_store_close(st);
}

/*
 * Rendering. One Berlin day, 2026-10-01 (UTC+2: [1790805600, 1790892000)), no runs table
 * rows. sw1/eth0 down 1 h: 1 - 3600/86400 = 0.958333; sw1/eth1 stale 2 h: 1; total
 * 1 - 3600/165600 = 0.978261.
 */
static const char render_fixture[] =
    "INSERT INTO links (device, interface, state, since, last_known, ever_up, flapping) VALUES"
    " ('sw1', 'eth0', 'up', 1790805600, 'up', 1, 0),"
    " ('sw1', 'eth1', 'up', 1790805600, 'up', 1, 0);"
    "INSERT INTO outages (device, interface, start, end) VALUES"
    " ('sw1', 'eth0', 1790809200, 1790812800);"
    "INSERT INTO unobserved (device, interface, start, end) VALUES"
    " ('sw1', 'eth1', 1790820000, 1790827200);";

static char *
render(struct np_store *st, enum np_format f)
{
	char *cause = NULL;
	struct np_tz *tz = np_tz_load(NULL, "Europe/Berlin", &cause);
	struct np_period p;
	struct np_downtime d;
	assert_int_equal(np_period_parse("2026-10-01..2026-10-01", 1800000000, tz, &p, &cause), 0);
	assert_int_equal(np_downtime_compute(np_store_db(st), &p, 1800000000, NULL, &d, &cause), 0);
	char *s = np_downtime_render(&d, f, tz);
	np_downtime_free(&d);
	np_tz_free(tz);
	return s;
}

static void
test_render(void **state)
{
	(void)state;
	struct np_store *st = open_db();
	exec(st, render_fixture);
	char *s = render(st, NP_FMT_TEXT);
	assert_string_equal(
	    s, "period: 2026-10-01T00:00:00+02:00 .. 2026-10-02T00:00:00+02:00 (Europe/Berlin)\n"
	       "device  interface  down  outages  unobserved  availability\n"
	       "sw1     eth0         1h        1          0s       95.833%\n"
	       "sw1     eth1         0s        0          2h      100.000%\n"
	       "total   2 links      1h        1          2h       97.826%\n");
	free(s);
	s = render(st, NP_FMT_CSV);
	assert_string_equal(
	    s, "device,interface,down_seconds,outages,unobserved_seconds,availability\n"
	       "sw1,eth0,3600,1,0,0.958333\n"
	       "sw1,eth1,0,0,7200,1.000000\n"
	       "total,,3600,1,7200,0.978261\n");
	free(s);
	s = render(st, NP_FMT_JSON);
	assert_string_equal(s, "{\n"
	                       "  \"version\": 1,\n"
	                       "  \"period\": {\n"
	                       "    \"start\": \"2026-10-01T00:00:00+02:00\",\n"
	                       "    \"end\": \"2026-10-02T00:00:00+02:00\",\n"
	                       "    \"tz\": \"Europe/Berlin\"\n"
	                       "  },\n"
	                       "  \"links\": [\n"
	                       "    {\n"
	                       "      \"device\": \"sw1\",\n"
	                       "      \"interface\": \"eth0\",\n"
	                       "      \"down_seconds\": 3600,\n"
	                       "      \"outages\": 1,\n"
	                       "      \"unobserved_seconds\": 0,\n"
	                       "      \"availability\": 0.958333,\n"
	                       "      \"observed_seconds\": 86400,\n"
	                       "      \"maintenance_seconds\": 0\n"
	                       "    },\n"
	                       "    {\n"
	                       "      \"device\": \"sw1\",\n"
	                       "      \"interface\": \"eth1\",\n"
	                       "      \"down_seconds\": 0,\n"
	                       "      \"outages\": 0,\n"
	                       "      \"unobserved_seconds\": 7200,\n"
	                       "      \"availability\": 1.0,\n"
	                       "      \"observed_seconds\": 79200,\n"
	                       "      \"maintenance_seconds\": 0\n"
	                       "    }\n"
	                       "  ],\n"
	                       "  \"total\": {\n"
	                       "    \"links\": 2,\n"
	                       "    \"down_seconds\": 3600,\n"
	                       "    \"availability\": 0.978261,\n"
	                       "    \"outages\": 1,\n"
	                       "    \"unobserved_seconds\": 7200,\n"
	                       "    \"observed_seconds\": 165600,\n"
	                       "    \"maintenance_seconds\": 0\n"
	                       "  }\n"
	                       "}\n");
	free(s);
	np_store_close(st);
}

static void
test_no_links(void **state)
{
	(void)state;
	struct np_store *st = open_db();
	struct np_downtime d;
	struct np_period p = {0, 100};
	struct np_tz *tz = np_tz_utc();
	assert_int_equal(np_downtime_compute(np_store_db(st), &p, 50, NULL, &d, NULL), 0);
	char *s = np_downtime_render(&d, NP_FMT_CSV, tz);
	assert_string_equal(
	    s, "device,interface,down_seconds,outages,unobserved_seconds,availability\n"
	       "total,,0,0,0,\n");
	free(s);
	np_downtime_free(&d);
	np_tz_free(tz);
	np_store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_arithmetic), cmocka_unit_test(test_maintenance),
	    cmocka_unit_test(test_until_now),  cmocka_unit_test(test_runs),
	    cmocka_unit_test(test_overlap),    cmocka_unit_test(test_render),
	    cmocka_unit_test(test_no_links),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
