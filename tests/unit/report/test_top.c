/*
 * `netpulse top`: talker amounts summed per address over intervals and sources, pro rata at
 * the period's edges, one direction only; ties ordered by address numerically (IPv4 before
 * IPv6); --top cuts; text, CSV and JSON exactly.
 */
#include "testutil.h"
#include "util/addr.h"

#include <stdlib.h>
#include <string.h>

#include "report/top.h"
#include "reporttest.h"
#include "store/store.h"

#define D0 1790812800LL /* 2026-10-01T00:00:00Z */
#define H 3600LL
#define NOW (D0 + 48 * H)

static void
talker(struct np_store *st, const char *source, const char *kind, const char *ip, int64_t start,
       uint64_t bytes)
{
	char *cause = NULL;
	int64_t id = np_store_series(st, source, ip, "", kind, NULL, D0, &cause);
	if (id <= 0)
		fail_msg("series: %s", cause);
	uint64_t c[NP_C_MAX] = {bytes};
	if (np_store_amount(st, id, start, start + H, c, 0x1, &cause) != 0)
		fail_msg("amount: %s", cause);
}

static struct np_store *
fill(void)
{
	struct np_store *st = open_db();
	/* 1.1.1.1: two intervals and a second source. */
	talker(st, "avx", "talker-dst", "1.1.1.1", D0, 600);
	talker(st, "avx", "talker-dst", "1.1.1.1", D0 + H, 600);
	talker(st, "avx2", "talker-dst", "1.1.1.1", D0 + H, 300);
	/* Ties at 1000: numeric order, IPv4 first, ::2 before ::10. */
	talker(st, "avx", "talker-dst", "23.185.0.3", D0, 1000);
	talker(st, "avx", "talker-dst", "9.9.9.9", D0, 1000);
	talker(st, "avx", "talker-dst", "2001:db8::10", D0, 1000);
	talker(st, "avx", "talker-dst", "2001:db8::2", D0, 1000);
	talker(st, "avx", "talker-dst", "fc00::1", D0 + H, 10);
	/* The other direction and other amount kinds are not counted. */
	talker(st, "avx", "talker-src", "10.0.0.1", D0, 99999);
	talker(st, "avx", "usage", "9.9.9.9", D0, 99999);
	return st;
}

static void
compute(struct np_store *st, int64_t start, const char *source, enum np_top_dir dir, size_t n,
        struct np_top *t)
{
	char *cause = NULL;
	struct np_period p = {start, D0 + 24 * H};
	if (np_top_compute(np_store_db(st), &p, NOW, source, dir, n, t, &cause) != 0)
		fail_msg("%s", cause);
}

static void
row_is(const struct np_top *t, size_t i, const char *ip, int64_t bytes)
{
	assert_true(i < t->nrows);
	assert_string_equal(t->rows[i].ip, ip);
	assert_int_equal(t->rows[i].bytes, bytes);
}

static void
test_ipcmp(void **state)
{
	(void)state;
	assert_true(np_addr_cmp("9.9.9.9", "23.185.0.3") < 0);
	assert_true(np_addr_cmp("255.255.255.255", "::") < 0);
	assert_true(np_addr_cmp("2001:db8::2", "2001:db8::10") < 0);
	assert_true(np_addr_cmp("2001:db8::10", "not-an-ip") < 0);
	assert_int_equal(np_addr_cmp("10.0.0.1", "10.0.0.1"), 0);
	/* Two spellings of one address: still a total order. */
	assert_true(np_addr_cmp("2001:db8::1", "2001:DB8::1") != 0);
}

static void
test_ranking(void **state)
{
	(void)state;
	struct np_store *st = fill();
	struct np_top t;
	compute(st, D0, NULL, NP_TOP_DST, 10, &t);
	assert_int_equal(t.nrows, 6);
	row_is(&t, 0, "1.1.1.1", 1500);
	row_is(&t, 1, "9.9.9.9", 1000);
	row_is(&t, 2, "23.185.0.3", 1000);
	row_is(&t, 3, "2001:db8::2", 1000);
	row_is(&t, 4, "2001:db8::10", 1000);
	row_is(&t, 5, "fc00::1", 10);
	struct np_tz *utc = np_tz_utc();
	char *s = np_top_render(&t, NP_FMT_CSV, utc);
	assert_string_equal(s, "rank,ip,bytes\n"
	                       "1,1.1.1.1,1500\n"
	                       "2,9.9.9.9,1000\n"
	                       "3,23.185.0.3,1000\n"
	                       "4,2001:db8::2,1000\n"
	                       "5,2001:db8::10,1000\n"
	                       "6,fc00::1,10\n");
	free(s);
	s = np_top_render(&t, NP_FMT_TEXT, utc);
	assert_string_equal(
	    s, "======================================================================\n"
	       "FlowIQ Top Talkers Report\n"
	       "Period: 2026-10-01 to 2026-10-01 (1 day)\n"
	       "======================================================================\n"
	       "\n"
	       "TOP 6 DESTINATIONS (Egress)\n"
	       "----------------------------------------------------------------------\n"
	       "    1. 1.1.1.1                          1 KB\n"
	       "    2. 9.9.9.9                        1000 B\n"
	       "    3. 23.185.0.3                     1000 B\n"
	       "    4. 2001:db8::2                    1000 B\n"
	       "    5. 2001:db8::10                   1000 B\n"
	       "    6. fc00::1                          10 B\n"
	       "\n"
	       "Method: FlowIQ field_agg (bidirectional, CIDR-based egress filter)\n"
	       "Tip: paste any IP into the FlowIQ filter bar to drill down\n"
	       "======================================================================\n");
	free(s);
	np_top_free(&t);

	/* --top 2, JSON. */
	compute(st, D0, NULL, NP_TOP_DST, 2, &t);
	s = np_top_render(&t, NP_FMT_JSON, utc);
	assert_string_equal(s, "{\n"
	                       "  \"version\": 1,\n"
	                       "  \"period\": {\n"
	                       "    \"start\": \"2026-10-01T00:00:00+00:00\",\n"
	                       "    \"end\": \"2026-10-02T00:00:00+00:00\",\n"
	                       "    \"tz\": \"UTC\"\n"
	                       "  },\n"
	                       "  \"direction\": \"dst\",\n"
	                       "  \"rows\": [\n"
	                       "    {\n"
	                       "      \"ip\": \"1.1.1.1\",\n"
	                       "      \"bytes\": 1500\n"
	                       "    },\n"
	                       "    {\n"
	                       "      \"ip\": \"9.9.9.9\",\n"
	                       "      \"bytes\": 1000\n"
	                       "    }\n"
	                       "  ]\n"
	                       "}\n");
	free(s);
	np_top_free(&t);

	/* src: its own series only; the text title with the arrow. */
	compute(st, D0, NULL, NP_TOP_SRC, 10, &t);
	assert_int_equal(t.nrows, 1);
	row_is(&t, 0, "10.0.0.1", 99999);
	s = np_top_render(&t, NP_FMT_TEXT, utc);
	assert_non_null(strstr(s, "\nTOP 1 SOURCES (Internal \xe2\x86\x92 Egress)\n"));
	assert_non_null(strstr(s, "    1. 10.0.0.1                        98 KB\n"));
	free(s);
	np_top_free(&t);
	np_tz_free(utc);
	np_store_close(st);
}

static void
test_edges_and_source(void **state)
{
	(void)state;
	struct np_store *st = fill();
	struct np_top t;
	/* From 00:30: half of the first hour's amounts count. */
	compute(st, D0 + H / 2, "avx", NP_TOP_DST, 10, &t);
	row_is(&t, 0, "1.1.1.1", 900);
	row_is(&t, 1, "9.9.9.9", 500);
	row_is(&t, 2, "23.185.0.3", 500);
	row_is(&t, 5, "fc00::1", 10);
	np_top_free(&t);
	/* One source only. */
	compute(st, D0, "avx2", NP_TOP_DST, 10, &t);
	assert_int_equal(t.nrows, 1);
	row_is(&t, 0, "1.1.1.1", 300);
	np_top_free(&t);
	/* Nothing: an empty table, still with its header. */
	compute(st, D0, "none", NP_TOP_DST, 10, &t);
	assert_int_equal(t.nrows, 0);
	char *s = np_top_render(&t, NP_FMT_CSV, NULL);
	assert_string_equal(s, "rank,ip,bytes\n");
	free(s);
	np_top_free(&t);
	np_store_close(st);
}

static void
test_dir_parse(void **state)
{
	(void)state;
	enum np_top_dir d;
	char *cause = NULL;
	assert_int_equal(np_top_dir_parse("src", &d, &cause), 0);
	assert_int_equal(d, NP_TOP_SRC);
	assert_int_equal(np_top_dir_parse("dst", &d, &cause), 0);
	assert_int_equal(d, NP_TOP_DST);
	assert_int_equal(np_top_dir_parse("both", &d, &cause), -1);
	assert_string_equal(cause, "invalid --direction \"both\": expected dst or src");
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ipcmp),
	    cmocka_unit_test(test_ranking),
	    cmocka_unit_test(test_edges_and_source),
	    cmocka_unit_test(test_dir_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
