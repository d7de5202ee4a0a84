/*
 * Cato exports: the hourly CSV (CRLF, RFC 4180 quoting, MB = 10^6 bytes, rows with bytes > 0,
 * sorted by hour, application, user, measure), the pivot with a user named "total", O'Brien,
 * a comma, a quote, an empty user and unicode names, the summary in text and JSON, pro rata at
 * the period's edge, hours in another zone; Meraki usage series kept out; and `usage
 * --group-by application,user --per hour` over the same amounts.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "report/cato_export.h"
#include "report/usage.h"
#include "reporttest.h"
#include "store/store.h"
#include "util/xmalloc.h"

#define D0 1790812800LL /* 2026-10-01T00:00:00Z */
#define H 3600LL
#define NOW (D0 + 48 * H)

static void
hour(struct np_store *st, const char *app, const char *user, int64_t start, uint64_t down,
     uint64_t up)
{
	char *cause = NULL;
	json_t *l = json_object();
	json_object_set_new(l, "application", json_string(app));
	json_object_set_new(l, "user", json_string(user));
	char *labels = json_dumps(l, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(l);
	int64_t id = np_store_series(st, "cato", app, user, "usage", labels, D0, &cause);
	free(labels);
	if (id <= 0)
		fail_msg("series: %s", cause);
	uint64_t c[NP_C_MAX] = {down, up};
	if (np_store_amount(st, id, start, start + H, c, 0x3, &cause) != 0)
		fail_msg("amount: %s", cause);
}

static struct np_store *
fill(void)
{
	struct np_store *st = open_db();
	hour(st, "Zoom", "alice", D0, 1500000, 250000);
	hour(st, "Zoom", "O'Brien", D0, 1000, 0);
	hour(st, "Office 365", "Smith, J", D0, 2000000, 499);
	hour(st, "Zoom", "alice", D0 + H, 500, 500);
	hour(st, "\xc3\x9c\xc3\xb1\xc3\xad app", "", D0 + H, 3000000, 1000000);
	hour(st, "Office 365", "total", D0 + H, 10000000, 0);
	hour(st, "Zoom", "say \"hi\"", D0 + H, 0, 1234567);
	/* A Meraki usage series: kind usage without application/user labels. */
	char *cause = NULL;
	int64_t m = np_store_series(st, "meraki", "HQ", "Guest", "usage",
	                            "{\"network\":\"HQ\",\"group\":\"Guest\"}", D0, &cause);
	uint64_t c[NP_C_MAX] = {777, 777};
	assert_int_equal(np_store_amount(st, m, D0, D0 + H, c, 0x3, &cause), 0);
	return st;
}

static void
load(struct np_store *st, int64_t start, struct np_cato *c)
{
	char *cause = NULL;
	struct np_period p = {start, D0 + 24 * H};
	if (np_cato_load(np_store_db(st), &p, NOW, NULL, c, &cause) != 0)
		fail_msg("%s", cause);
}

static void
mb_is(int64_t bytes, int dec, const char *want)
{
	char b[32];
	np_cato_mb(bytes, dec, b, sizeof(b));
	assert_string_equal(b, want);
}

static void
test_mb(void **state)
{
	(void)state;
	mb_is(0, 3, "0.000");
	mb_is(499, 3, "0.000");
	mb_is(500, 3, "0.001"); /* half up */
	mb_is(1234567, 3, "1.235");
	mb_is(1234567, 2, "1.23");
	mb_is(1995000, 2, "2.00");
	mb_is(999999500, 3, "1000.000");
	mb_is(INT64_MAX, 3, "9223372036854.776");
	mb_is(2500000, 0, "3");
}

static void
test_hourly(void **state)
{
	(void)state;
	struct np_store *st = fill();
	struct np_cato c;
	load(st, D0, &c);
	struct np_tz *utc = np_tz_utc();
	char *s = np_cato_hourly_csv(&c, utc);
	assert_string_equal(s,
	                    "hour,application,user_name,measure_type,bandwidth_mb\r\n"
	                    "2026-10-01 00:00:00,Office 365,\"Smith, J\",downstream,2.000\r\n"
	                    "2026-10-01 00:00:00,Office 365,\"Smith, J\",upstream,0.000\r\n"
	                    "2026-10-01 00:00:00,Zoom,O'Brien,downstream,0.001\r\n"
	                    "2026-10-01 00:00:00,Zoom,alice,downstream,1.500\r\n"
	                    "2026-10-01 00:00:00,Zoom,alice,upstream,0.250\r\n"
	                    "2026-10-01 01:00:00,Office 365,total,downstream,10.000\r\n"
	                    "2026-10-01 01:00:00,Zoom,alice,downstream,0.001\r\n"
	                    "2026-10-01 01:00:00,Zoom,alice,upstream,0.001\r\n"
	                    "2026-10-01 01:00:00,Zoom,\"say \"\"hi\"\"\",upstream,1.235\r\n"
	                    "2026-10-01 01:00:00,\xc3\x9c\xc3\xb1\xc3\xad app,,downstream,3.000\r\n"
	                    "2026-10-01 01:00:00,\xc3\x9c\xc3\xb1\xc3\xad app,,upstream,1.000\r\n");
	free(s);
	/* Hours in the zone given (Zurich is UTC+2 in October). */
	struct np_tz *z = np_test_zone("Europe/Zurich");
	s = np_cato_hourly_csv(&c, z);
	assert_non_null(strstr(s, "\r\n2026-10-01 02:00:00,Office 365,\"Smith, J\",downstream,"));
	free(s);
	np_tz_free(z);
	np_cato_free(&c);
	/* From 00:30: half of the first hour. */
	load(st, D0 + H / 2, &c);
	s = np_cato_hourly_csv(&c, utc);
	assert_non_null(strstr(s, "\r\n2026-10-01 00:00:00,Zoom,alice,downstream,0.750\r\n"
	                          "2026-10-01 00:00:00,Zoom,alice,upstream,0.125\r\n"));
	free(s);
	np_cato_free(&c);
	np_tz_free(utc);
	np_store_close(st);
}

static void
test_pivot(void **state)
{
	(void)state;
	struct np_store *st = fill();
	struct np_cato c;
	load(st, D0, &c);
	char *s = np_cato_pivot_csv(&c);
	assert_string_equal(
	    s, "application,_mb,O'Brien_mb,\"Smith, J_mb\",alice_mb,\"say \"\"hi\"\"_mb\","
	       "total_mb (user),total_mb\r\n"
	       "Office 365,0.000,0.000,2.000,0.000,0.000,10.000,12.000\r\n"
	       "\xc3\x9c\xc3\xb1\xc3\xad app,4.000,0.000,0.000,0.000,0.000,0.000,4.000\r\n"
	       "Zoom,0.000,0.001,0.000,1.751,1.235,0.000,2.987\r\n");
	free(s);
	np_cato_free(&c);
	/* No data: the header alone. */
	struct np_period p = {D0 + 30 * H, D0 + 31 * H};
	char *cause = NULL;
	assert_int_equal(np_cato_load(np_store_db(st), &p, NOW, "cato", &c, &cause), 0);
	s = np_cato_pivot_csv(&c);
	assert_string_equal(s, "application,total_mb\r\n");
	free(s);
	np_cato_free(&c);
	np_store_close(st);
}

static void
test_summary(void **state)
{
	(void)state;
	struct np_store *st = fill();
	struct np_cato c;
	load(st, D0, &c);
	struct np_tz *utc = np_tz_utc();
	char *s = np_cato_summary(&c, NP_FMT_TEXT, utc);
	assert_string_equal(s,
	                    "period: 2026-10-01T00:00:00+00:00 .. 2026-10-02T00:00:00+00:00 (UTC)\n"
	                    "Total records:    11\n"
	                    "Total bandwidth:  18.99 MB\n"
	                    "Total upstream:   2.49 MB\n"
	                    "Total downstream: 16.50 MB\n"
	                    "\n"
	                    "Top 3 applications (MB = 10^6 bytes):\n"
	                    "    1. Office 365         12.00 MB\n"
	                    "    2. \xc3\x9c\xc3\xb1\xc3\xad app             4.00 MB\n"
	                    "    3. Zoom                2.99 MB\n"
	                    "\n"
	                    "Users:\n"
	                    "    1. total            10.00 MB\n"
	                    "    2. (empty)           4.00 MB\n"
	                    "    3. Smith, J          2.00 MB\n"
	                    "    4. alice             1.75 MB\n"
	                    "    5. say \"hi\"          1.23 MB\n"
	                    "    6. O'Brien           0.00 MB\n");
	free(s);
	s = np_cato_summary(&c, NP_FMT_JSON, utc);
	json_error_t err;
	json_t *j = json_loads(s, 0, &err);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "records")), 11);
	assert_int_equal(json_integer_value(json_object_get(j, "upstream")), 2485566);
	assert_int_equal(json_integer_value(json_object_get(j, "downstream")), 16501500);
	assert_int_equal(json_integer_value(json_object_get(j, "bytes")), 18987066);
	json_t *apps = json_object_get(j, "applications"), *users = json_object_get(j, "users");
	assert_int_equal(json_array_size(apps), 3);
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(apps, 1), "application")),
	    "\xc3\x9c\xc3\xb1\xc3\xad app");
	assert_int_equal(json_array_size(users), 6);
	json_t *u1 = json_array_get(users, 1);
	assert_string_equal(json_string_value(json_object_get(u1, "user")), "");
	assert_int_equal(json_integer_value(json_object_get(u1, "upstream")), 1000000);
	assert_int_equal(json_integer_value(json_object_get(u1, "downstream")), 3000000);
	assert_int_equal(json_integer_value(json_object_get(u1, "bytes")), 4000000);
	assert_string_equal(json_string_value(json_object_get(json_array_get(users, 5), "user")),
	                    "O'Brien");
	json_decref(j);
	free(s);
	np_tz_free(utc);
	np_cato_free(&c);
	np_store_close(st);
}

/* Top 10 of more than 10 applications, ties by name. */
static void
test_summary_top10(void **state)
{
	(void)state;
	struct np_store *st = open_db();
	for (int i = 0; i < 12; i++) {
		char app[16];
		snprintf(app, sizeof(app), "app%02d", i);
		hour(st, app, "u", D0, (uint64_t)(i < 6 ? 1000 : 2000), 0);
	}
	struct np_cato c;
	load(st, D0, &c);
	struct np_tz *utc = np_tz_utc();
	char *s = np_cato_summary(&c, NP_FMT_JSON, utc);
	np_tz_free(utc);
	json_t *j = json_loads(s, 0, NULL);
	json_t *apps = json_object_get(j, "applications");
	assert_int_equal(json_array_size(apps), 10);
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(apps, 0), "application")), "app06");
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(apps, 9), "application")), "app03");
	json_decref(j);
	free(s);
	np_cato_free(&c);
	np_store_close(st);
}

/* `usage --source cato --group-by application,user --per hour` over the same amounts. */
static void
test_usage_per_hour(void **state)
{
	(void)state;
	struct np_store *st = fill();
	char groups[] = "application,user";
	struct np_usage_opts o = {.source = "cato", .per = NP_PER_HOUR};
	char *cause = NULL;
	assert_int_equal(np_usage_group_parse(groups, &o, &cause), 0);
	struct np_period p = {D0, D0 + 2 * H};
	struct np_usage u;
	if (np_usage_compute(np_store_db(st), &p, NOW, &o, &u, &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(u.nrows, 7);
	assert_int_equal(u.rows[0].start, D0);
	assert_string_equal(u.rows[0].key[0], "Office 365");
	assert_string_equal(u.rows[0].key[1], "Smith, J");
	assert_int_equal(u.rows[0].counters[0], 2000000);
	assert_int_equal(u.rows[0].counters[1], 499);
	assert_int_equal(u.rows[3].start, D0 + H);
	assert_string_equal(u.rows[3].key[1], "total");
	assert_string_equal(u.rows[6].key[1], "");
	assert_int_equal(u.rows[6].counters[0], 3000000);
	assert_int_equal(u.rows[6].counters[1], 1000000);
	assert_int_equal(u.total.counters[0], 16501500);
	assert_int_equal(u.total.counters[1], 2485566);
	np_usage_free(&u);
	np_store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mb),
	    cmocka_unit_test(test_hourly),
	    cmocka_unit_test(test_pivot),
	    cmocka_unit_test(test_summary),
	    cmocka_unit_test(test_summary_top10),
	    cmocka_unit_test(test_usage_per_hour),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
