/* Value formatting, text/CSV table rendering (byte-exact), CSV quoting, interval sets. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "report/fmt.h"
#include "report/ival.h"
#include "report/table.h"
#include "util/tz.h"

static void
test_fmt(void **state)
{
	(void)state;
	char b[NP_FMT_MAX];
	static const struct {
		int64_t v;
		const char *s;
	} bytes[] = {{0, "0 B"},
	             {1023, "1023 B"},
	             {1024, "1.0 KiB"},
	             {1536, "1.5 KiB"},
	             {1048575, "1.0 MiB"}, /* 1023.999 KiB rounds up a unit */
	             {1048576, "1.0 MiB"},
	             {5368709120LL, "5.0 GiB"},
	             {1099511627776LL * 3 / 2, "1.5 TiB"},
	             {INT64_MAX, "8.0 EiB"},
	             {-2048, "-2.0 KiB"}};
	for (size_t i = 0; i < sizeof(bytes) / sizeof(bytes[0]); i++) {
		np_fmt_bytes(bytes[i].v, b);
		assert_string_equal(b, bytes[i].s);
	}
	static const struct {
		int64_t v;
		const char *s;
	} durs[] = {{0, "0s"},        {45, "45s"},      {60, "1m"},      {3723, "1h 2m 3s"},
	            {86405, "1d 5s"}, {90000, "1d 1h"}, {-61, "-1m 1s"}, {2592000, "30d"}};
	for (size_t i = 0; i < sizeof(durs) / sizeof(durs[0]); i++) {
		np_fmt_duration(durs[i].v, b);
		assert_string_equal(b, durs[i].s);
	}
	np_fmt_rate(1536.0, b);
	assert_string_equal(b, "1.5 KiB/s");
	np_fmt_rate(12.7, b);
	assert_string_equal(b, "12 B/s");
	/* Bit rates: SI steps of 1000, as vnStat and iftop print them. */
	static const struct {
		double v;
		const char *s;
	} bits[] = {{0, "0 bit/s"},
	            {999.4, "999 bit/s"},
	            {999.5, "1.0 kbit/s"},
	            {99420.5, "99.4 kbit/s"},
	            {999949, "999.9 kbit/s"},
	            {999950, "1.0 Mbit/s"},
	            {12345678, "12.3 Mbit/s"},
	            {1e9, "1.0 Gbit/s"},
	            {2.5e12, "2.5 Tbit/s"},
	            {-1500, "-1.5 kbit/s"},
	            {1e24, "1000000.0 Ebit/s"}};
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		np_fmt_bitrate(bits[i].v, b);
		assert_string_equal(b, bits[i].s);
	}
	np_fmt_bitrate(1.0 / 0.0, b);
	assert_string_equal(b, "-");
	np_fmt_percent(0.99652777, b);
	assert_string_equal(b, "99.653%");
	np_fmt_percent(1, b);
	assert_string_equal(b, "100.000%");
	np_fmt_real(12345, b);
	assert_string_equal(b, "12345");
	np_fmt_real(0.1, b);
	assert_string_equal(b, "0.1");
	np_fmt_real(1.0 / 3, b);
	assert_string_equal(b, "0.33333333333333331");
	np_fmt_fixed(2.0 / 3, 3, b);
	assert_string_equal(b, "0.667");
	assert_true(np_fmt_round(0.9965277, 6) == 0.996528);
}

static struct np_table *
sample(void)
{
	struct np_table *t = np_table_new();
	np_table_col(t, "device", NP_COL_STR);
	np_table_col(t, "bytes", NP_COL_BYTES);
	np_table_col(t, "down", NP_COL_DURATION);
	np_table_col(t, "when", NP_COL_TIME);
	np_table_col(t, "avail", NP_COL_RATIO);
	np_table_col(t, "rate", NP_COL_RATE);
	np_table_col(t, "note", NP_COL_STR);
	np_table_row(t);
	np_table_str(t, "sw1");
	np_table_int(t, 1536);
	np_table_int(t, 3723);
	np_table_int(t, 1790805600);
	np_table_real(t, 0.5);
	np_table_real(t, 100.25);
	np_table_str(t, "plain");
	np_table_row(t);
	np_table_str(t, "core-router.example");
	np_table_int(t, 12);
	np_table_int(t, 0);
	np_table_int(t, 1793487600);
	np_table_null(t);
	np_table_real(t, 1048576);
	np_table_str(t, "a, \"quoted\"\nline");
	np_table_row(t); /* a short row: the rest is empty */
	np_table_str(t, "zürich");
	return t;
}

static void
test_text(void **state)
{
	(void)state;
	struct np_tz *tz = np_tz_load(NULL, "Europe/Berlin", NULL);
	struct np_table *t = sample();
	char *s = np_table_render(t, NP_FMT_TEXT, tz);
	assert_string_equal(s, "device                 bytes      down  when                       "
	                       "  avail       rate  note\n"
	                       "sw1                  1.5 KiB  1h 2m 3s  2026-10-01T00:00:00+02:00  "
	                       "50.000%    100 B/s  plain\n"
	                       "core-router.example     12 B        0s  2026-11-01T00:00:00+01:00  "
	                       "      -  1.0 MiB/s  a, \"quoted\"\\nline\n"
	                       "zürich                     -         -  -                          "
	                       "      -          -  -\n");
	free(s);
	np_table_free(t);
	np_tz_free(tz);
}

static void
test_csv(void **state)
{
	(void)state;
	struct np_tz *tz = np_tz_utc();
	struct np_table *t = sample();
	char *s = np_table_render(t, NP_FMT_CSV, tz);
	assert_string_equal(s, "device,bytes,down,when,avail,rate,note\n"
	                       "sw1,1536,3723,2026-09-30T22:00:00+00:00,0.500000,100.250,plain\n"
	                       "core-router.example,12,0,2026-10-31T23:00:00+00:00,,1048576.000,"
	                       "\"a, \"\"quoted\"\"\nline\"\n"
	                       "zürich,,,,,,\n");
	free(s);
	np_table_free(t);
	np_tz_free(tz);
}

static void
test_csv_field(void **state)
{
	(void)state;
	static const char *const in[] = {"plain",  "",     "a,b",      "say \"hi\"",
	                                 "cr\rlf", "nl\n", " spaced ", "\""};
	static const char *const out[] = {
	    "plain",      "",         "\"a,b\"",  "\"say \"\"hi\"\"\"",
	    "\"cr\rlf\"", "\"nl\n\"", " spaced ", "\"\"\"\""};
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		struct np_buf b = {0};
		np_csv_field(&b, in[i]);
		char *s = np_buf_take(&b);
		assert_string_equal(s, out[i]);
		free(s);
	}
}

static void
test_empty_and_json(void **state)
{
	(void)state;
	struct np_tz *tz = np_tz_utc();
	struct np_table *t = np_table_new();
	np_table_col(t, "a", NP_COL_STR);
	np_table_col(t, "bb", NP_COL_INT);
	char *s = np_table_render(t, NP_FMT_TEXT, tz);
	assert_string_equal(s, "a  bb\n");
	free(s);
	s = np_table_render(t, NP_FMT_CSV, tz);
	assert_string_equal(s, "a,bb\n");
	free(s);
	assert_int_equal(np_table_nrows(t), 0);
	np_table_free(t);

	json_t *j = json_object();
	json_object_set_new(j, "t", np_json_time(tz, 0));
	json_object_set_new(j, "bad", np_json_str("caf\xe9"));
	json_object_set_new(j, "n", np_json_str(NULL));
	json_object_set_new(j, "r", json_real(0.996528));
	s = np_json_dump(j);
	assert_string_equal(s,
	                    "{\n  \"t\": \"1970-01-01T00:00:00+00:00\",\n  \"bad\": \"caf\\\\xe9\","
	                    "\n  \"n\": null,\n  \"r\": 0.996528\n}\n");
	free(s);
	json_decref(j);
	enum np_format f;
	assert_int_equal(np_format_parse("csv", &f), 0);
	assert_int_equal(f, NP_FMT_CSV);
	assert_int_equal(np_format_parse("JSON", &f), -1);
	np_tz_free(tz);
}

static void
test_ival(void **state)
{
	(void)state;
	struct np_ivset a = {0}, b = {0}, c = {0};
	np_ivset_add(&a, 50, 60);
	np_ivset_add(&a, 0, 10);
	np_ivset_add(&a, 5, 20);  /* overlaps [0, 10) */
	np_ivset_add(&a, 20, 30); /* touches [5, 20) */
	np_ivset_add(&a, 70, 70); /* empty: ignored */
	np_ivset_norm(&a);
	assert_int_equal(a.n, 2);
	assert_int_equal(a.v[0].a, 0);
	assert_int_equal(a.v[0].b, 30);
	assert_int_equal(np_ivset_total(&a), 40);
	np_ivset_add(&b, 25, 55);
	np_ivset_norm(&b);
	assert_int_equal(np_ivset_overlap(&a, &b), 10);
	np_ivset_complement(&a, -10, 100, &c);
	assert_int_equal(c.n, 3);
	assert_int_equal(np_ivset_total(&c), 70);
	assert_int_equal(c.v[1].a, 30);
	assert_int_equal(c.v[1].b, 50);
	np_ivset_union(&a, &b, &c);
	assert_int_equal(c.n, 1);
	assert_int_equal(np_ivset_total(&c), 60);
	np_ivset_clip(&a, 5, 55);
	assert_int_equal(np_ivset_total(&a), 30);
	np_ivset_complement(&b, 0, 10, &c);
	assert_int_equal(np_ivset_total(&c), 10);
	np_ivset_free(&a);
	np_ivset_free(&b);
	np_ivset_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fmt),
	    cmocka_unit_test(test_text),
	    cmocka_unit_test(test_csv),
	    cmocka_unit_test(test_csv_field),
	    cmocka_unit_test(test_empty_and_json),
	    cmocka_unit_test(test_ival),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
