/*
 * Interval amounts in `usage`: pro rata by overlap at the period's edges and at --per bucket
 * edges (shares of adjacent windows add up to the amount exactly), stored twice counted once,
 * different intervals adding up, beside rollups; --per day over the 25-hour day in
 * Europe/Zurich, weeks from Monday and months cut at local midnights; the start/end columns
 * and keys in text, CSV and JSON.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "report/usage.h"
#include "report/usage_amount.h"
#include "reporttest.h"
#include "store/store.h"

#define D0 1790812800LL /* 2026-10-01T00:00:00Z */
#define H 3600LL
#define D 86400LL
#define NOW (D0 + 100 * D)

/* Local midnights in Europe/Zurich (Python zoneinfo). */
#define Z_OCT01 1790805600LL
#define Z_OCT05 1791151200LL /* a Monday */
#define Z_OCT12 1791756000LL
#define Z_OCT24 1792792800LL
#define Z_OCT25 1792879200LL /* the 25-hour day */
#define Z_OCT26 1792969200LL
#define Z_OCT27 1793055600LL
#define Z_OCT31 1793401200LL
#define Z_NOV01 1793487600LL
#define Z_NOV02 1793574000LL
#define Z_DEC01 1796079600LL

static const char series_sql[] =
    "UPDATE fold SET next_5m = 4000000000;"
    "INSERT INTO series (id, source, device, interface, kind, labels, first_seen, last_seen)"
    " VALUES (1, 'meraki', 'HQ', 'Corporate', 'usage',"
    " '{\"network\":\"HQ\",\"group\":\"Corporate\"}', 0, 0),"
    " (2, 'meraki', 'HQ', 'Guest', 'usage', '{\"network\":\"HQ\",\"group\":\"Guest\"}', 0, 0),"
    " (3, 'local', 'host', 'eth0', 'if', '{}', 0, 0);";

static void
put(struct np_store *st, int64_t series, int64_t start, int64_t end, uint64_t rx, uint64_t tx,
    uint64_t rx_packets)
{
	char *cause = NULL;
	uint64_t c[NP_C_MAX] = {rx, tx, rx_packets};
	if (np_store_amount(st, series, start, end, c, 0x7, &cause) != 0)
		fail_msg("amount: %s", cause);
}

static void
compute(struct np_store *st, int64_t start, int64_t end, char *groups, enum np_usage_per per,
        const struct np_tz *tz, struct np_usage *u)
{
	struct np_usage_opts o = {.per = per, .tz = tz};
	char *cause = NULL;
	if (groups != NULL)
		assert_int_equal(np_usage_group_parse(groups, &o, &cause), 0);
	struct np_period p = {start, end};
	if (np_usage_compute(np_store_db(st), &p, NOW, &o, u, &cause) != 0)
		fail_msg("%s", cause);
}

static void
row_is(const struct np_usage_row *r, int64_t start, int64_t end, const char *key0, const char *key1,
       int64_t rx, int64_t tx)
{
	assert_int_equal(r->start, start);
	assert_int_equal(r->end, end);
	assert_string_equal(r->key[0], key0);
	if (key1 != NULL)
		assert_string_equal(r->key[1], key1);
	assert_int_equal(r->counters[0], rx);
	assert_int_equal(r->counters[1], tx);
}

static void
test_share(void **state)
{
	(void)state;
	/* Half of a day: floor at each edge of the amount's own timeline. */
	assert_int_equal(np_usage_share(1000, 0, D, 12 * H, D), 500);
	assert_int_equal(np_usage_share(1001, 0, D, 0, 12 * H), 500);
	assert_int_equal(np_usage_share(1001, 0, D, 12 * H, D), 501);
	/* Three thirds of 100 add up to 100. */
	int64_t a = np_usage_share(100, 0, 3, 0, 1), b = np_usage_share(100, 0, 3, 1, 2),
	        c = np_usage_share(100, 0, 3, 2, 3);
	assert_int_equal(a, 33);
	assert_int_equal(b, 33);
	assert_int_equal(c, 34);
	/* Wider than the amount, outside it, empty: all, nothing, nothing. */
	assert_int_equal(np_usage_share(77, 10, 20, 0, 100), 77);
	assert_int_equal(np_usage_share(77, 10, 20, 20, 30), 0);
	assert_int_equal(np_usage_share(77, 10, 20, 0, 10), 0);
	assert_int_equal(np_usage_share(77, 10, 10, 0, 100), 0);
	/* No overflow at the largest amounts. */
	assert_int_equal(np_usage_share(INT64_MAX, 0, D, 0, D), INT64_MAX);
	assert_int_equal(np_usage_share(INT64_MAX, 0, D, 0, 12 * H), INT64_MAX / 2);
	assert_int_equal(np_usage_share(INT64_MAX, 0, D, 0, 12 * H) +
	                     np_usage_share(INT64_MAX, 0, D, 12 * H, D),
	                 INT64_MAX);
}

/* An amount over [00:00, 24:00) and a period starting at 12:00: half of it counts. */
static void
test_pro_rata_edge(void **state)
{
	(void)state;
	struct np_store *st = open_db();
	exec(st, series_sql);
	put(st, 1, D0, D0 + D, 1000, 501, 7);
	struct np_usage u;
	compute(st, D0 + 12 * H, D0 + 2 * D, NULL, NP_PER_NONE, NULL, &u);
	assert_int_equal(u.nrows, 1);
	assert_int_equal(u.rows[0].counters[0], 500);
	assert_int_equal(u.rows[0].counters[1], 251);
	assert_int_equal(u.rows[0].counters[2], 4);
	assert_int_equal(u.rows[0].counters[3], 0); /* not given */
	assert_int_equal((int64_t)u.rows[0].secs, 12 * H);
	assert_int_equal((int64_t)(u.rows[0].avg_rx * 43200 + 0.5), 500);
	assert_int_equal((int64_t)u.rows[0].peak_rx, 0);
	assert_int_equal(u.total.counters[0], 500);
	np_usage_free(&u);
	/* The other half: together exactly the amount. */
	compute(st, D0 - D, D0 + 12 * H, NULL, NP_PER_NONE, NULL, &u);
	assert_int_equal(u.rows[0].counters[0], 500);
	assert_int_equal(u.rows[0].counters[1], 250);
	assert_int_equal(u.rows[0].counters[2], 3);
	np_usage_free(&u);
	/* Not rounded to 5 minutes like rollups: 7 seconds in count 7/86400 of it. */
	compute(st, D0 + D - 7, D0 + 2 * D, NULL, NP_PER_NONE, NULL, &u);
	assert_int_equal(u.nrows, 1);
	assert_int_equal(u.rows[0].counters[0], 1000 - 999); /* 1000 - floor(1000 × 86393/86400) */
	np_usage_free(&u);
	/* A period ending before now only: now cuts the window, and the share with it. */
	struct np_period p = {D0, D0 + D};
	struct np_usage_opts o = {0};
	char *cause = NULL;
	assert_int_equal(np_usage_compute(np_store_db(st), &p, D0 + 6 * H, &o, &u, &cause), 0);
	assert_int_equal(u.rows[0].counters[0], 250);
	np_usage_free(&u);
	np_store_close(st);
}

/* Stored twice: counted once; different days and series add up; beside rollups. */
static void
test_replace_and_add(void **state)
{
	(void)state;
	struct np_store *st = open_db();
	exec(st, series_sql);
	put(st, 1, D0, D0 + D, 1000, 100, 0);
	put(st, 1, D0, D0 + D, 1200, 120, 0); /* re-polled: replaces */
	put(st, 1, D0 + D, D0 + 2 * D, 300, 30, 0);
	put(st, 2, D0, D0 + D, 50, 5, 0);
	put(st, 2, D0 + 5 * D, D0 + 6 * D, 999999, 0, 0); /* outside */
	exec(st, "INSERT INTO rollup_1d (bucket, series, secs, rx_bytes, tx_bytes, peak_rx)"
	         " VALUES (1790812800, 3, 3600, 70, 7, 9);"); /* D0 */
	struct np_usage u;
	compute(st, D0, D0 + 2 * D, NULL, NP_PER_NONE, NULL, &u);
	assert_int_equal(u.nrows, 3);
	row_is(&u.rows[0], D0, D0 + 2 * D, "local", "host", 70, 7);
	assert_int_equal((int64_t)u.rows[0].peak_rx, 9);
	row_is(&u.rows[1], D0, D0 + 2 * D, "meraki", "HQ", 1500, 150);
	assert_string_equal(u.rows[1].key[2], "Corporate");
	assert_int_equal((int64_t)u.rows[1].secs, 2 * D);
	row_is(&u.rows[2], D0, D0 + 2 * D, "meraki", "HQ", 50, 5);
	assert_int_equal(u.total.counters[0], 1620);
	assert_int_equal(u.total.nseries, 3);
	np_usage_free(&u);
	/* --source filters amounts too. */
	struct np_period p = {D0, D0 + 2 * D};
	struct np_usage_opts o = {.source = "local"};
	char *cause = NULL;
	assert_int_equal(np_usage_compute(np_store_db(st), &p, NOW, &o, &u, &cause), 0);
	assert_int_equal(u.nrows, 1);
	assert_int_equal(u.total.counters[0], 70);
	np_usage_free(&u);
	np_store_close(st);
}

/*
 * --per day over 2026-10-24 .. 26 in Europe/Zurich: buckets at local midnights, the 25th
 * 25 hours long. Amounts per local day, and hourly rollups on both sides of the 26th's
 * midnight (23:00Z on the 25th is 00:00 CET on the 26th).
 */
static void
test_per_day_dst(void **state)
{
	(void)state;
	struct np_store *st = open_db();
	exec(st, series_sql);
	struct np_tz *tz = np_test_zone("Europe/Zurich");
	put(st, 1, Z_OCT24, Z_OCT25, 240, 24, 0);
	put(st, 1, Z_OCT25, Z_OCT26, 250, 25, 0);
	put(st, 1, Z_OCT26, Z_OCT27, 240, 24, 0);
	put(st, 2, Z_OCT25, Z_OCT26, 5, 1, 0);
	exec(st, "INSERT INTO rollup_1h (bucket, series, secs, rx_bytes, tx_bytes) VALUES"
	         " (1792965600, 3, 3600, 11, 1),"  /* 22:00Z on the 25th: 23:00 CET, the 25th */
	         " (1792969200, 3, 3600, 13, 1),"  /* 23:00Z: 00:00 CET, the 26th */
	         " (1793055600, 3, 3600, 999, 9);" /* the 27th: outside */
	         /* the UTC day of the first two, as folded: read for the whole period */
	         "INSERT INTO rollup_1d (bucket, series, secs, rx_bytes, tx_bytes) VALUES"
	         " (1792886400, 3, 7200, 24, 2);");
	char g[] = "source,group";
	struct np_usage u;
	compute(st, Z_OCT24, Z_OCT27, g, NP_PER_DAY, tz, &u);
	assert_int_equal(u.nrows, 6);
	row_is(&u.rows[0], Z_OCT24, Z_OCT25, "meraki", "Corporate", 240, 24);
	row_is(&u.rows[1], Z_OCT25, Z_OCT26, "local", NULL, 11, 1);
	assert_null(u.rows[1].key[1]);
	row_is(&u.rows[2], Z_OCT25, Z_OCT26, "meraki", "Corporate", 250, 25);
	assert_int_equal((int64_t)u.rows[2].secs, 25 * H);
	row_is(&u.rows[3], Z_OCT25, Z_OCT26, "meraki", "Guest", 5, 1);
	row_is(&u.rows[4], Z_OCT26, Z_OCT27, "local", NULL, 13, 1);
	row_is(&u.rows[5], Z_OCT26, Z_OCT27, "meraki", "Corporate", 240, 24);
	/* The total is the whole period's: the sum of the buckets. */
	assert_int_equal(u.total.start, Z_OCT24);
	assert_int_equal(u.total.end, Z_OCT27);
	assert_int_equal(u.total.counters[0], 240 + 11 + 250 + 5 + 13 + 240);
	assert_int_equal(u.total.nseries, 3);
	np_usage_free(&u);

	/* Per hour, one amount of the 25-hour day is 10 an hour, also in the repeated hour. */
	compute(st, 1792882800, 1792897200, NULL, NP_PER_HOUR, tz, &u); /* 01:00+02 .. 04:00+01 */
	assert_int_equal(u.nrows, 8);
	for (size_t i = 0; i < 8; i += 2) {
		int64_t s = 1792882800 + (int64_t)(i / 2) * H;
		row_is(&u.rows[i], s, s + H, "meraki", "HQ", 10, 1);
		assert_string_equal(u.rows[i].key[2], "Corporate");
		assert_string_equal(u.rows[i + 1].key[2], "Guest");
		assert_int_equal(u.rows[i + 1].counters[0], i == 6 ? 1 : 0);
	}
	assert_int_equal(u.total.counters[0], 40 + 1);
	np_usage_free(&u);
	np_tz_free(tz);
	np_store_close(st);
}

/* An amount over Sunday and Monday splits between two weeks; over Oct 31 and Nov 1 between
 * two months. Without a zone, buckets are UTC's. */
static void
test_per_week_month(void **state)
{
	(void)state;
	struct np_store *st = open_db();
	exec(st, series_sql);
	struct np_tz *tz = np_test_zone("Europe/Zurich");
	put(st, 1, Z_OCT05 - D, Z_OCT05 + D, 1000, 3, 0);
	put(st, 2, Z_OCT31, Z_NOV02, 2, 1, 0);
	char g[] = "group";
	struct np_usage u;
	compute(st, Z_OCT01, Z_OCT12, g, NP_PER_WEEK, tz, &u);
	assert_int_equal(u.nrows, 2);
	row_is(&u.rows[0], Z_OCT01, Z_OCT05, "Corporate", NULL, 500, 1);
	row_is(&u.rows[1], Z_OCT05, Z_OCT12, "Corporate", NULL, 500, 2);
	np_usage_free(&u);

	compute(st, Z_OCT01, Z_DEC01, g, NP_PER_MONTH, tz, &u);
	assert_int_equal(u.nrows, 3);
	row_is(&u.rows[0], Z_OCT01, Z_NOV01, "Corporate", NULL, 1000, 3);
	row_is(&u.rows[1], Z_OCT01, Z_NOV01, "Guest", NULL, 1, 0);
	row_is(&u.rows[2], Z_NOV01, Z_DEC01, "Guest", NULL, 1, 1);
	assert_int_equal(u.total.counters[0], 1002);
	assert_int_equal(u.total.counters[1], 4);
	np_usage_free(&u);

	/* UTC months: October ends an hour later than in Zurich. */
	compute(st, D0, D0 + 61 * D, g, NP_PER_MONTH, NULL, &u);
	assert_int_equal(u.nrows, 3);
	assert_int_equal(u.rows[0].end, D0 + 31 * D);
	row_is(&u.rows[1], D0, D0 + 31 * D, "Guest", NULL, 1, 0); /* 25 h of 48: 1.04 -> 1 */
	row_is(&u.rows[2], D0 + 31 * D, D0 + 61 * D, "Guest", NULL, 1, 1);
	np_usage_free(&u);
	np_tz_free(tz);
	np_store_close(st);
}

static void
test_render(void **state)
{
	(void)state;
	struct np_store *st = open_db();
	exec(st, series_sql);
	struct np_tz *tz = np_test_zone("Europe/Zurich");
	put(st, 1, Z_OCT25, Z_OCT26, 2500, 1000, 0);
	char g[] = "network,group";
	struct np_usage u;
	compute(st, Z_OCT25, Z_OCT27, g, NP_PER_DAY, tz, &u);
	char *s = np_usage_render(&u, NP_FMT_CSV, tz, NULL);
	assert_string_equal(
	    s, "start,network,group,series,rx_bytes,tx_bytes,rx_packets,tx_packets,rx_errors,"
	       "tx_errors,rx_drops,tx_drops,avg_rx_bits_per_second,avg_tx_bits_per_second,"
	       "peak_rx_bits_per_second,peak_tx_bits_per_second,gauge_min,gauge_avg,gauge_max\n"
	       "2026-10-25T00:00:00+02:00,HQ,Corporate,1,2500,1000,0,0,0,0,0,0,0.222,0.089,0.000,"
	       "0.000,,,\n"
	       ",total,,1,2500,1000,0,0,0,0,0,0,0.222,0.089,0.000,0.000,,,\n");
	free(s);
	s = np_usage_render(&u, NP_FMT_TEXT, tz, NULL);
	assert_non_null(strstr(s, "\nstart                      network  group      series  "));
	assert_non_null(
	    strstr(s, "\n2026-10-25T00:00:00+02:00  HQ       Corporate       1   2.4 KiB"));
	assert_non_null(
	    strstr(s, "\n-                          total    -               1   2.4 KiB"));
	free(s);
	s = np_usage_render(&u, NP_FMT_JSON, tz, NULL);
	assert_non_null(strstr(s, "  \"per\": \"day\",\n"
	                          "  \"rows\": [\n"
	                          "    {\n"
	                          "      \"start\": \"2026-10-25T00:00:00+02:00\",\n"
	                          "      \"end\": \"2026-10-26T00:00:00+01:00\",\n"
	                          "      \"group\": {\n"
	                          "        \"network\": \"HQ\",\n"
	                          "        \"group\": \"Corporate\"\n"
	                          "      },\n"
	                          "      \"series\": 1,\n"
	                          "      \"rx_bytes\": 2500,\n"
	                          "      \"tx_bytes\": 1000,\n"));
	/* 2500 bytes in the 25 hours of a DST day, in bits per second. */
	assert_non_null(strstr(s, "      \"avg_rx_bits_per_second\": 0.222,\n"));
	/* The total row has no bucket: the period says it. */
	assert_non_null(strstr(s, "  \"total\": {\n    \"series\": 1,\n"));
	free(s);
	np_usage_free(&u);

	/* Without --per: no start column, "per": null. */
	char g2[] = "network,group"; /* the first was cut up by the parse */
	compute(st, Z_OCT25, Z_OCT27, g2, NP_PER_NONE, tz, &u);
	s = np_usage_render(&u, NP_FMT_CSV, tz, NULL);
	assert_true(strncmp(s, "network,group,series,", 21) == 0);
	free(s);
	s = np_usage_render(&u, NP_FMT_JSON, tz, NULL);
	assert_non_null(strstr(s, "  \"per\": null,\n"));
	assert_null(strstr(s, "\"start\": \"2026-10-25T00:00:00+02:00\",\n      \"end\""));
	free(s);
	np_usage_free(&u);
	np_tz_free(tz);
	np_store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_share),           cmocka_unit_test(test_pro_rata_edge),
	    cmocka_unit_test(test_replace_and_add), cmocka_unit_test(test_per_day_dst),
	    cmocka_unit_test(test_per_week_month),  cmocka_unit_test(test_render),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
