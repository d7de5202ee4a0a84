/*
 * `netpulse egress`: the original's fmt units against every formatted cell of the real sample
 * reports; the formula on a gateway with tunnels (deltas summed over samples), a floored
 * gateway, groups by region, --per day; text, CSV and JSON exactly; a sample CSV row
 * reproduced from the counters that give it.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "report/avx_text.h"
#include "report/egress.h"
#include "reporttest.h"
#include "store/store.h"
#include "util/xmalloc.h"

#define D0 1790812800LL /* 2026-10-01T00:00:00Z */
#define D 86400LL
#define NOW (D0 + 10 * D)

#define LABELS(gw, region)                                                                         \
	"{\"gateway\":\"" gw "\",\"account\":\"acct\",\"vpc\":\"" gw "\",\"vpc_id\":\"vpc-1~~" gw  \
	"\",\"region\":\"" region                                                                  \
	"\",\"cloud\":\"AWS\",\"transit\":\"transit-1\",\"group\":\"g\"}"

static int64_t
series(struct np_store *st, const char *source, const char *dev, const char *ifn,
       const char *labels)
{
	char *cause = NULL;
	int64_t id = np_store_series(st, source, dev, ifn, "if", labels, D0, &cause);
	if (id <= 0)
		fail_msg("series: %s", cause);
	return id;
}

/* Deltas over the 5 minutes from t. */
static void
put(struct np_store *st, int64_t id, int64_t t, uint64_t rx, uint64_t tx)
{
	char *cause = NULL;
	struct np_sample s = {.from_ms = t * 1000, .to_ms = (t + 300) * 1000, .mask = 0x3};
	s.delta[0] = rx;
	s.delta[1] = tx;
	if (np_store_sample(st, id, &s, &cause) != 0)
		fail_msg("sample: %s", cause);
}

static void
compute(struct np_store *st, const char *groups, enum np_usage_per per, const char *source,
        struct np_egress *e)
{
	struct np_egress_opts o = {.per = per, .source = source};
	char *cause = NULL;
	if (groups != NULL && np_egress_group_parse(groups, &o, &cause) != 0)
		fail_msg("%s", cause);
	struct np_period p = {D0, D0 + 2 * D};
	if (np_egress_compute(np_store_db(st), &p, NOW, &o, e, &cause) != 0)
		fail_msg("%s", cause);
}

static void
expect_render(const struct np_egress *e, enum np_format f, const char *want)
{
	struct np_tz *utc = np_tz_utc();
	char *got = np_egress_render(e, f, utc);
	assert_string_equal(got, want);
	free(got);
	np_tz_free(utc);
}

static void
fmt_is(int64_t v, const char *want)
{
	char b[NP_AVX_FMT_MAX];
	np_avx_fmt(v, b);
	assert_string_equal(b, want);
}

static void
test_fmt_edges(void **state)
{
	(void)state;
	fmt_is(0, "0 B");
	fmt_is(1023, "1023 B");
	fmt_is(1024, "1 KB");
	fmt_is(1536, "2 KB");       /* 1.5: ties to even */
	fmt_is(2560, "2 KB");       /* 2.5: ties to even */
	fmt_is(1048575, "1024 KB"); /* the original's own edge */
	fmt_is(1048576, "1.0 MB");
	fmt_is(1073741824, "1.00 GB");
	fmt_is(1099511627776LL, "1.00 TB");
	fmt_is(5LL * 1099511627776LL / 2, "2.50 TB");
	fmt_is(-5, "0 B");
}

/* Every (bytes, formatted) pair of a real sample CSV (CRLF, no quoted fields). */
static size_t
check_sample(const char *name, const int *bytes_col, const int *fmt_col, size_t ncols)
{
	char *csv = np_test_read_fixture("aviatrix-egress-bandwidth-report", name, NULL);
	size_t checked = 0;
	char *save = NULL;
	char *line = strtok_r(csv, "\n", &save);
	for (line = strtok_r(NULL, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char *f[32];
		size_t n = 0;
		line[strcspn(line, "\r")] = '\0';
		for (char *p = line; p != NULL && n < 32;) {
			f[n++] = p;
			p = strchr(p, ',');
			if (p != NULL)
				*p++ = '\0';
		}
		for (size_t c = 0; c < ncols; c++) {
			assert_true((size_t)fmt_col[c] < n);
			char b[NP_AVX_FMT_MAX];
			np_avx_fmt(strtoll(f[bytes_col[c]], NULL, 10), b);
			if (strcmp(b, f[fmt_col[c]]) != 0)
				fail_msg("%s: %s bytes gave \"%s\", the original \"%s\"", name,
				         f[bytes_col[c]], b, f[fmt_col[c]]);
			checked++;
		}
	}
	free(csv);
	return checked;
}

static void
test_fmt_samples(void **state)
{
	(void)state;
	static const int sb[] = {8, 9, 10, 11}, sf[] = {12, 13, 14, 15};
	static const int tb[] = {3}, tf[] = {4};
	assert_int_equal(check_sample("spoke_bandwidth_7d.csv", sb, sf, 4), 14 * 4);
	assert_int_equal(check_sample("top_talkers_7d.csv", tb, tf, 1), 20);
}

/* gw-1: two tunnels, deltas over two samples, no floor. */
static void
gw1(struct np_store *st)
{
	int64_t e = series(st, "avx", "gw-1", "eth0", LABELS("gw-1", "us-east-1"));
	int64_t t1 = series(st, "avx", "gw-1", "tun-1", LABELS("gw-1", "us-east-1"));
	int64_t t2 = series(st, "avx", "gw-1", "tun-2", LABELS("gw-1", "us-east-1"));
	put(st, e, D0, 600000, 1200000);
	put(st, e, D0 + D, 400000, 800000);
	put(st, t1, D0, 100000, 200000);
	put(st, t2, D0 + D, 50000, 50000);
}

/* gw-2: eth0 rx below the tunnels: egress_rx floored. */
static void
gw2(struct np_store *st)
{
	int64_t e = series(st, "avx", "gw-2", "eth0", LABELS("gw-2", "us-east-1"));
	int64_t t = series(st, "avx", "gw-2", "tun-a", LABELS("gw-2", "us-east-1"));
	put(st, e, D0, 100, 5000);
	put(st, t, D0, 1000, 1000);
}

static void
gw3(struct np_store *st)
{
	int64_t e = series(st, "avx", "gw-3", "eth0", LABELS("gw-3", "eu-west-1"));
	put(st, e, D0 + D, 3 << 20, 1 << 30);
}

static void
sums_are(const struct np_egress_sums *s, size_t gws, int64_t irx, int64_t itx, int64_t erx,
         int64_t etx, bool floored)
{
	assert_int_equal(s->gateways, gws);
	assert_int_equal(s->internal_rx, irx);
	assert_int_equal(s->internal_tx, itx);
	assert_int_equal(s->egress_rx, erx);
	assert_int_equal(s->egress_tx, etx);
	assert_int_equal(s->floored, floored);
	assert_int_equal(s->total, irx + itx + erx + etx);
}

static void
test_formula(void **state)
{
	(void)state;
	struct np_egress_sums s = {
	    .eth0_rx = 1000, .eth0_tx = 900, .internal_rx = 300, .internal_tx = 200};
	np_egress_apply(&s);
	sums_are(&s, 0, 300, 200, 500, 400, false);
	s = (struct np_egress_sums){
	    .eth0_rx = 400, .eth0_tx = 900, .internal_rx = 300, .internal_tx = 200};
	np_egress_apply(&s);
	sums_are(&s, 0, 300, 200, 0, 400, true);
	/* Exactly equal: 0 without a floor. */
	s = (struct np_egress_sums){
	    .eth0_rx = 500, .eth0_tx = 500, .internal_rx = 250, .internal_tx = 250};
	np_egress_apply(&s);
	sums_are(&s, 0, 250, 250, 0, 0, false);
}

static void
test_per_gateway(void **state)
{
	(void)state;
	struct np_store *st = open_db();
	gw1(st);
	gw2(st);
	/* Not gateways: an eth0 without a gateway label, a Cato-like usage series. */
	series(st, "local", "host", "eth0", "{}");
	struct np_egress e;
	compute(st, NULL, NP_PER_NONE, NULL, &e);
	assert_int_equal(e.nrows, 2);
	assert_string_equal(e.rows[0].key[0], "gw-1");
	/* eth0 1000000/2000000, tunnels 150000/250000 (sum 400000). */
	sums_are(&e.rows[0].s, 1, 150000, 250000, 600000, 1600000, false);
	assert_string_equal(e.rows[1].key[0], "gw-2");
	sums_are(&e.rows[1].s, 1, 1000, 1000, 0, 3000, true);
	sums_are(&e.total, 2, 151000, 251000, 600000, 1603000, true);

	expect_render(&e, NP_FMT_TEXT,
	              "======================================================================\n"
	              "Spoke Gateway Bandwidth Report\n"
	              "Period: 2026-10-01 to 2026-10-02 (2 days)\n"
	              "======================================================================\n"
	              "\n"
	              "gw-1:\n"
	              "  Internal:  RX 146 KB, TX 244 KB\n"
	              "  Egress:    RX 586 KB, TX 1.5 MB\n"
	              "  Total:     2.5 MB\n"
	              "\n"
	              "gw-2:\n"
	              "  Internal:  RX 1000 B, TX 1000 B\n"
	              "  Egress:    RX 0 B, TX 3 KB  (floored)\n"
	              "  Total:     5 KB\n"
	              "\n"
	              "----------------------------------------------------------------------\n"
	              "AGGREGATE (all spokes)\n"
	              "----------------------------------------------------------------------\n"
	              "  Internal:  RX 147 KB, TX 245 KB\n"
	              "  Egress:    RX 586 KB, TX 1.5 MB  (floored)\n"
	              "  Total:     2.5 MB\n"
	              "\n"
	              "Method: Interface counters (eth0 minus tunnel interfaces)\n"
	              "Note: Egress RX and TX each approximate all Internet bytes (SNAT);\n"
	              "Note: Total counts them twice. (floored): eth0 < tunnels, set to 0.\n"
	              "======================================================================\n");
	expect_render(
	    &e, NP_FMT_CSV,
	    "gateway,account_name,vpc_name,vpc_id,vpc_region,vendor_name,transit_gw_name,"
	    "group_name,internal_rx_bytes,internal_tx_bytes,egress_rx_bytes,egress_tx_bytes,"
	    "internal_rx,internal_tx,egress_rx,egress_tx,egress_floored\n"
	    "gw-1,acct,gw-1,vpc-1~~gw-1,us-east-1,AWS,transit-1,g,150000,250000,600000,1600000,"
	    "146 KB,244 KB,586 KB,1.5 MB,false\n"
	    "gw-2,acct,gw-2,vpc-1~~gw-2,us-east-1,AWS,transit-1,g,1000,1000,0,3000,"
	    "1000 B,1000 B,0 B,3 KB,true\n");
	expect_render(&e, NP_FMT_JSON,
	              "{\n"
	              "  \"version\": 1,\n"
	              "  \"period\": {\n"
	              "    \"start\": \"2026-10-01T00:00:00+00:00\",\n"
	              "    \"end\": \"2026-10-03T00:00:00+00:00\",\n"
	              "    \"tz\": \"UTC\"\n"
	              "  },\n"
	              "  \"group_by\": [\n"
	              "    \"gateway\"\n"
	              "  ],\n"
	              "  \"rows\": [\n"
	              "    {\n"
	              "      \"group\": {\n"
	              "        \"gateway\": \"gw-1\"\n"
	              "      },\n"
	              "      \"gateways\": 1,\n"
	              "      \"internal_rx\": 150000,\n"
	              "      \"internal_tx\": 250000,\n"
	              "      \"egress_rx\": 600000,\n"
	              "      \"egress_tx\": 1600000,\n"
	              "      \"egress_floored\": false,\n"
	              "      \"total\": 2600000\n"
	              "    },\n"
	              "    {\n"
	              "      \"group\": {\n"
	              "        \"gateway\": \"gw-2\"\n"
	              "      },\n"
	              "      \"gateways\": 1,\n"
	              "      \"internal_rx\": 1000,\n"
	              "      \"internal_tx\": 1000,\n"
	              "      \"egress_rx\": 0,\n"
	              "      \"egress_tx\": 3000,\n"
	              "      \"egress_floored\": true,\n"
	              "      \"total\": 5000\n"
	              "    }\n"
	              "  ],\n"
	              "  \"total\": {\n"
	              "    \"gateways\": 2,\n"
	              "    \"internal_rx\": 151000,\n"
	              "    \"internal_tx\": 251000,\n"
	              "    \"egress_rx\": 600000,\n"
	              "    \"egress_tx\": 1603000,\n"
	              "    \"egress_floored\": true,\n"
	              "    \"total\": 2605000\n"
	              "  }\n"
	              "}\n");
	np_egress_free(&e);
	/* --source: another source has none of these gateways. */
	compute(st, NULL, NP_PER_NONE, "local", &e);
	assert_int_equal(e.nrows, 0);
	sums_are(&e.total, 0, 0, 0, 0, 0, false);
	np_egress_free(&e);
	np_store_close(st);
}

static void
test_group_region(void **state)
{
	(void)state;
	struct np_store *st = open_db();
	gw1(st);
	gw2(st);
	gw3(st);
	struct np_egress e;
	compute(st, "region", NP_PER_NONE, NULL, &e);
	assert_int_equal(e.nrows, 2);
	assert_string_equal(e.rows[0].key[0], "eu-west-1");
	sums_are(&e.rows[0].s, 1, 0, 0, 3 << 20, 1 << 30, false);
	assert_string_equal(e.rows[1].key[0], "us-east-1");
	/* Each gateway floored on its own, then summed: gw-2's rx residual is not subtracted. */
	sums_are(&e.rows[1].s, 2, 151000, 251000, 600000, 1603000, true);
	assert_string_equal(e.rows[1].gateways[0], "gw-1");
	assert_string_equal(e.rows[1].gateways[1], "gw-2");
	assert_null(e.rows[1].gateways[2]);
	/* Shared attributes stay, differing ones are NULL. */
	assert_null(e.rows[1].attr[NP_EA_GATEWAY]);
	assert_string_equal(e.rows[1].attr[NP_EA_REGION], "us-east-1");
	assert_string_equal(e.rows[1].attr[NP_EA_CLOUD], "AWS");
	expect_render(&e, NP_FMT_TEXT,
	              "======================================================================\n"
	              "Spoke Gateway Bandwidth Report\n"
	              "Period: 2026-10-01 to 2026-10-02 (2 days)\n"
	              "Grouped by: region\n"
	              "======================================================================\n"
	              "\n"
	              "eu-west-1:  (1 spoke)\n"
	              "  Internal:  RX 0 B, TX 0 B\n"
	              "  Egress:    RX 3.0 MB, TX 1.00 GB\n"
	              "  Total:     1.00 GB\n"
	              "  Gateways:  gw-3\n"
	              "\n"
	              "us-east-1:  (2 spokes)\n"
	              "  Internal:  RX 147 KB, TX 245 KB\n"
	              "  Egress:    RX 586 KB, TX 1.5 MB  (floored)\n"
	              "  Total:     2.5 MB\n"
	              "  Gateways:  gw-1, gw-2\n"
	              "\n"
	              "----------------------------------------------------------------------\n"
	              "AGGREGATE (all spokes)\n"
	              "----------------------------------------------------------------------\n"
	              "  Internal:  RX 147 KB, TX 245 KB\n"
	              "  Egress:    RX 3.6 MB, TX 1.00 GB  (floored)\n"
	              "  Total:     1.01 GB\n"
	              "\n"
	              "Method: Interface counters (eth0 minus tunnel interfaces)\n"
	              "Note: Egress RX and TX each approximate all Internet bytes (SNAT);\n"
	              "Note: Total counts them twice. (floored): eth0 < tunnels, set to 0.\n"
	              "======================================================================\n");
	expect_render(
	    &e, NP_FMT_CSV,
	    "gateway,account_name,vpc_name,vpc_id,vpc_region,vendor_name,transit_gw_name,"
	    "group_name,internal_rx_bytes,internal_tx_bytes,egress_rx_bytes,egress_tx_bytes,"
	    "internal_rx,internal_tx,egress_rx,egress_tx,egress_floored\n"
	    "gw-3,acct,gw-3,vpc-1~~gw-3,eu-west-1,AWS,transit-1,g,0,0,3145728,1073741824,"
	    "0 B,0 B,3.0 MB,1.00 GB,false\n"
	    ",acct,,,us-east-1,AWS,transit-1,g,151000,251000,600000,1603000,"
	    "147 KB,245 KB,586 KB,1.5 MB,true\n");
	np_egress_free(&e);
	/* Two keys; a gateway without the label goes to "" ((none) in text). */
	int64_t x = series(st, "avx", "gw-4", "eth0", "{\"gateway\":\"gw-4\"}");
	put(st, x, D0, 10, 20);
	compute(st, "cloud,region", NP_PER_NONE, NULL, &e);
	assert_int_equal(e.nrows, 3);
	assert_string_equal(e.rows[0].key[0], "");
	assert_string_equal(e.rows[0].key[1], "");
	sums_are(&e.rows[0].s, 1, 0, 0, 10, 20, false);
	assert_string_equal(e.rows[1].key[1], "eu-west-1");
	assert_string_equal(e.rows[2].key[1], "us-east-1");
	char *t = np_egress_render(&e, NP_FMT_TEXT, NULL);
	assert_non_null(strstr(t, "\n(none) / (none):  (1 spoke)\n"));
	assert_non_null(strstr(t, "\nAWS / us-east-1:  (2 spokes)\n"));
	assert_non_null(strstr(t, "Grouped by: cloud,region\n"));
	free(t);
	np_egress_free(&e);
	np_store_close(st);
}

static void
test_per_day(void **state)
{
	(void)state;
	struct np_store *st = open_db();
	gw1(st);
	gw2(st);
	struct np_egress e;
	compute(st, NULL, NP_PER_DAY, NULL, &e);
	/* Day 1: gw-1 (eth0 600000/1200000, tun-1), gw-2; day 2: gw-1 only. */
	assert_int_equal(e.nrows, 3);
	assert_int_equal(e.rows[0].start, D0);
	assert_int_equal(e.rows[0].end, D0 + D);
	assert_string_equal(e.rows[0].key[0], "gw-1");
	sums_are(&e.rows[0].s, 1, 100000, 200000, 300000, 900000, false);
	assert_string_equal(e.rows[1].key[0], "gw-2");
	assert_int_equal(e.rows[1].start, D0);
	assert_int_equal(e.rows[2].start, D0 + D);
	assert_int_equal(e.rows[2].end, D0 + 2 * D);
	sums_are(&e.rows[2].s, 1, 50000, 50000, 300000, 700000, false);
	/* The total sums the rows; gateways are distinct ones. */
	sums_are(&e.total, 2, 151000, 251000, 600000, 1603000, true);
	expect_render(
	    &e, NP_FMT_CSV,
	    "start,end,gateway,account_name,vpc_name,vpc_id,vpc_region,vendor_name,"
	    "transit_gw_name,group_name,internal_rx_bytes,internal_tx_bytes,egress_rx_bytes,"
	    "egress_tx_bytes,internal_rx,internal_tx,egress_rx,egress_tx,egress_floored\n"
	    "2026-10-01T00:00:00+00:00,2026-10-02T00:00:00+00:00,gw-1,acct,gw-1,vpc-1~~gw-1,"
	    "us-east-1,AWS,transit-1,g,100000,200000,300000,900000,98 KB,195 KB,293 KB,879 KB,"
	    "false\n"
	    "2026-10-01T00:00:00+00:00,2026-10-02T00:00:00+00:00,gw-2,acct,gw-2,vpc-1~~gw-2,"
	    "us-east-1,AWS,transit-1,g,1000,1000,0,3000,1000 B,1000 B,0 B,3 KB,true\n"
	    "2026-10-02T00:00:00+00:00,2026-10-03T00:00:00+00:00,gw-1,acct,gw-1,vpc-1~~gw-1,"
	    "us-east-1,AWS,transit-1,g,50000,50000,300000,700000,49 KB,49 KB,293 KB,684 KB,"
	    "false\n");
	char *j = np_egress_render(&e, NP_FMT_JSON, NULL);
	assert_non_null(strstr(j, "    {\n      \"start\": \"2026-10-02T00:00:00+00:00\",\n"
	                          "      \"end\": \"2026-10-03T00:00:00+00:00\",\n"
	                          "      \"group\": {\n        \"gateway\": \"gw-1\"\n"));
	free(j);
	char *t = np_egress_render(&e, NP_FMT_TEXT, NULL);
	assert_non_null(strstr(t, "Per: day (UTC)\n"));
	assert_non_null(strstr(t, "\n[2026-10-02T00:00:00+00:00 .. 2026-10-03T00:00:00+00:00]\n"
	                          "\ngw-1:\n"));
	free(t);
	np_egress_free(&e);
	np_store_close(st);
}

/* The sample's first row, from counters that give it (eth0 = egress + both tunnel sums). */
static void
test_sample_row(void **state)
{
	(void)state;
	struct np_store *st = open_db();
	const char *labels =
	    "{\"gateway\":\"accounting-aws-spoke-dev\",\"account\":\"accounting-aws\","
	    "\"vpc\":\"accounting-aws-spoke-dev\",\"vpc_id\":"
	    "\"vpc-06ca01b0b6488e435~~accounting-aws-spoke-dev\",\"region\":\"us-east-1\","
	    "\"cloud\":\"AWS\",\"transit\":\"transit-aws-us-east-1\","
	    "\"group\":\"accounting-aws-spoke-dev\"}";
	int64_t irx = 56134708, itx = 18411207, erx = 554405731, etx = 719922718;
	int64_t e0 = series(st, "copilot", "accounting-aws-spoke-dev", "eth0", labels);
	int64_t t = series(st, "copilot", "accounting-aws-spoke-dev", "tun-x", labels);
	put(st, e0, D0, (uint64_t)(erx + irx + itx), (uint64_t)(etx + irx + itx));
	put(st, t, D0, (uint64_t)irx, (uint64_t)itx);
	struct np_egress e;
	compute(st, NULL, NP_PER_NONE, "copilot", &e);
	char *csv = np_egress_render(&e, NP_FMT_CSV, NULL);
	char *want = np_test_read_fixture("aviatrix-egress-bandwidth-report",
	                                  "spoke_bandwidth_7d.csv", NULL);
	/* Header and first row of the original, CRLF to LF, plus egress_floored. */
	char *row2 = strstr(want, "\r\n") + 2;
	*strstr(row2, "\r\n") = '\0';
	*strstr(want, "\r\n") = '\0';
	char *expect = np_xasprintf("%s,egress_floored\n%s,false\n", want, row2);
	assert_string_equal(csv, expect);
	free(expect);
	free(want);
	free(csv);
	np_egress_free(&e);
	np_store_close(st);
}

static void
test_group_parse(void **state)
{
	(void)state;
	struct np_egress_opts o = {0};
	char *cause = NULL;
	assert_int_equal(np_egress_group_parse("vpc_id,account", &o, &cause), 0);
	assert_int_equal(o.nkeys, 2);
	assert_int_equal(o.keys[0], NP_EA_VPC_ID);
	assert_int_equal(o.keys[1], NP_EA_ACCOUNT);
	assert_int_equal(np_egress_group_parse("device", &o, &cause), -1);
	assert_string_equal(cause, "invalid --group-by \"device\": expected account, region, "
	                           "cloud, transit, vpc, vpc_id, group or gateway");
	free(cause);
	cause = NULL;
	assert_int_equal(np_egress_group_parse("region,region", &o, &cause), -1);
	assert_string_equal(cause, "invalid --group-by: \"region\" given twice");
	free(cause);
	cause = NULL;
	assert_int_equal(np_egress_group_parse("region,", &o, &cause), -1);
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fmt_edges),    cmocka_unit_test(test_fmt_samples),
	    cmocka_unit_test(test_formula),      cmocka_unit_test(test_per_gateway),
	    cmocka_unit_test(test_group_region), cmocka_unit_test(test_per_day),
	    cmocka_unit_test(test_sample_row),   cmocka_unit_test(test_group_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
