/*
 * The cato source's pure parts: the answer parser on synthetic fixtures (tests/fixtures/cato:
 * key, aliased keyTimeseries, a label-only series with an apostrophe, a comma and an empty
 * user, reals and 1.7731008E12, -1 missing, a bucket outside the frame), error answers, the
 * quote-aware label parser, the request body and time frame, the poll window (the config's
 * errors: test_config_errors.c).
 */
#include "testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/cato.h"

#define D0 1773100800LL /* 2026-03-10T00:00:00Z */
#define H 3600LL

static void
assert_amount(struct np_batch *b, size_t i, const char *app, const char *user, int64_t start,
              int64_t rx, int64_t tx)
{
	const struct np_obs *o = &b->obs[i];
	assert_string_equal(np_obs_device(b, o), app);
	assert_string_equal(np_obs_interface(b, o), user);
	assert_true(o->is_amount);
	assert_int_equal(o->amount_start_ms, start * 1000);
	assert_int_equal(o->amount_end_ms, (start + H) * 1000);
	assert_int_equal((o->counter_mask >> NP_C_RX_BYTES) & 1, rx >= 0);
	assert_int_equal((o->counter_mask >> NP_C_TX_BYTES) & 1, tx >= 0);
	if (rx >= 0)
		assert_int_equal(o->counters[NP_C_RX_BYTES], rx);
	if (tx >= 0)
		assert_int_equal(o->counters[NP_C_TX_BYTES], tx);
	assert_int_equal(np_obs_nlabels(o), 2);
	assert_string_equal(np_obs_label_key(b, o, 0), "application");
	assert_string_equal(np_obs_label_value(b, o, 0), app);
	assert_string_equal(np_obs_label_key(b, o, 1), "user");
	assert_string_equal(np_obs_label_value(b, o, 1), user);
}

static void
test_answer(void **state)
{
	(void)state;
	size_t len;
	char *body = np_test_read_fixture("cato", "answer.json", &len);
	struct np_batch b;
	np_batch_init(&b, "cato", D0 * 1000);
	struct np_cato_result res;
	char *cause = NULL;
	assert_int_equal(np_cato_parse(body, len, D0, D0 + 2 * H, &b, &res, &cause), 0);
	assert_null(cause);
	assert_int_equal(res.answer, NP_CATO_OK);
	assert_null(res.message);
	assert_int_equal(res.granularity, 3600);
	assert_int_equal(res.series, 4);
	assert_int_equal(b.n, 5);
	assert_int_equal(res.amounts, 5);
	/* upstream = tx, downstream = rx, merged per (application, user, hour); -1 = no rx */
	assert_amount(&b, 0, "Company APP", "PM Analyst", D0, 36000, 1000);
	assert_amount(&b, 1, "Company APP", "PM Analyst", D0 + H, -1, 500);
	/* aliased key, a null user, 1.7731008E12 and 1.7620128E12; 02:00 is outside the frame */
	assert_amount(&b, 2, "Zoom", "", D0, 1762012800000LL, -1);
	/* label only: the apostrophe and comma kept, an empty user; 0 is zero, not missing */
	assert_amount(&b, 3, "O'Brien's, app", "", D0, -1, 0);
	assert_amount(&b, 4, "O'Brien's, app", "", D0 + H, -1, 5);
	assert_int_equal(b.skipped, 1);
	np_batch_free(&b);
	free(body);
}

static void
test_errors(void **state)
{
	(void)state;
	struct np_batch b;
	np_batch_init(&b, "cato", D0 * 1000);
	struct np_cato_result res;
	char *cause = NULL;
	size_t len;
	char *body = np_test_read_fixture("cato", "rate_limit.json", &len);
	assert_int_equal(np_cato_parse(body, len, D0, D0 + H, &b, &res, &cause), 0);
	assert_int_equal(res.answer, NP_CATO_RATE_LIMITED);
	assert_int_equal(res.wait_ms, 7000);
	assert_int_equal(b.n, 0);
	free(res.message);
	free(body);
	body = np_test_read_fixture("cato", "bad_key.json", &len);
	assert_int_equal(np_cato_parse(body, len, D0, D0 + H, &b, &res, &cause), 0);
	assert_int_equal(res.answer, NP_CATO_BAD_KEY);
	assert_string_equal(res.message, "Authentication failed: invalid API key (unauthorized)");
	free(res.message);
	free(body);

	int64_t w;
	assert_int_equal(np_cato_classify("RateLimit exceeded", &w), NP_CATO_RATE_LIMITED);
	assert_int_equal(w, 5000);
	assert_int_equal(np_cato_classify("rate-limit: try again in 2.5 seconds", &w),
	                 NP_CATO_RATE_LIMITED);
	assert_int_equal(w, 2500);
	assert_int_equal(np_cato_classify("Forbidden", &w), NP_CATO_BAD_KEY);
	assert_int_equal(np_cato_classify("account 7 not found", &w), NP_CATO_ERROR);

	static const char not_array[] = "{\"data\":{\"appStatsTimeSeries\":{\"timeseries\":7}}}";
	const char *bad[] = {"", "not json", "{\"data\":{}}", not_array};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		assert_int_equal(
		    np_cato_parse(bad[i], strlen(bad[i]), D0, D0 + H, &b, &res, &cause), -1);
		assert_non_null(cause);
		free(cause);
		cause = NULL;
		assert_int_equal(b.n, 0);
	}
	/* A control character in a message is escaped before it can reach a log line. */
	const char *ctl = "{\"errors\":[{\"message\":\"bad\\nthing\"}]}";
	assert_int_equal(np_cato_parse(ctl, strlen(ctl), D0, D0 + H, &b, &res, &cause), 0);
	assert_int_equal(res.answer, NP_CATO_ERROR);
	assert_string_equal(res.message, "bad\\nthing");
	free(res.message);
	np_batch_free(&b);
}

static void
label(const char *text, const char *m, const char *a, const char *u)
{
	char *gm, *ga, *gu;
	int rc = np_cato_parse_label(text, &gm, &ga, &gu);
	if (a == NULL) {
		assert_int_equal(rc, -1);
		assert_null(gm);
		return;
	}
	assert_int_equal(rc, 0);
	assert_string_equal(gm, m);
	assert_string_equal(ga, a);
	if (u == NULL)
		assert_null(gu);
	else
		assert_string_equal(gu, u);
	free(gm);
	free(ga);
	free(gu);
}

static void
test_label(void **state)
{
	(void)state;
	label("sum(downstream) for application_name='Company APP', user_name='PM Analyst'",
	      "downstream", "Company APP", "PM Analyst");
	label("sum(upstream) for user_name='O'Brien, Pat', application_name='Macy's, Inc'",
	      "upstream", "Macy's, Inc", "O'Brien, Pat");
	label("sum(upstream) for application_name='a', user_name=''", "upstream", "a", "");
	label("sum(upstream) for application_name='x', user_name='has user_name='y''", "upstream",
	      "x", "has user_name='y'");
	label("sum(upstream) for application_name='only'", "upstream", "only", NULL);
	label("sum(upstream) for user_name='u'", NULL, NULL, NULL);
	label("no label at all", NULL, NULL, NULL);
}

static void
test_request(void **state)
{
	(void)state;
	char *tf = np_cato_timeframe(D0 - 38 * H, D0 + 11 * H);
	assert_string_equal(tf, "utc.{2026-03-08/10:00:00--2026-03-10/11:00:00}");
	free(tf);
	char *body = np_cato_request_body("4242", D0, D0 + 24 * H);
	json_error_t e;
	json_t *j = json_loads(body, 0, &e);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "operationName")),
	                    "appStatsTimeSeries");
	assert_non_null(strstr(json_string_value(json_object_get(j, "query")),
	                       "timeseries(buckets: $buckets)"));
	char *vars = json_dumps(json_object_get(j, "variables"), JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(
	    vars,
	    "{\"accountID\":\"4242\",\"appStatsFilter\":[{\"fieldName\":\"traffic_direction\","
	    "\"operator\":\"is\",\"values\":[\"WANBOUND\"]}],\"buckets\":24,\"dimension\":"
	    "[{\"fieldName\":\"application_name\"},{\"fieldName\":\"user_name\"}],\"measure\":"
	    "[{\"aggType\":\"sum\",\"fieldName\":\"upstream\"},{\"aggType\":\"sum\",\"fieldName\":"
	    "\"downstream\"}],\"perSecond\":false,\"timeFrame\":\"utc.{2026-03-10/00:00:00--2026-"
	    "03-11/00:00:00}\",\"withMissingData\":true}");
	free(vars);
	json_decref(j);
	free(body);
}

static void
test_window(void **state)
{
	(void)state;
	int64_t now = D0 + 10 * H + 1200, day = 86400;
	/* nothing stored: the whole back-fill, from the hour holding now - backfill */
	assert_int_equal(np_cato_window_start(now, 0, 2 * day), D0 - 38 * H);
	/* a mark: two hours before it (the hour that was growing, and one more) */
	assert_int_equal(np_cato_window_start(now, D0 + 10 * H, 2 * day), D0 + 8 * H);
	/* a mark older than the back-fill: the back-fill wins */
	assert_int_equal(np_cato_window_start(now, D0 - 30 * day, 2 * day), D0 - 38 * H);
	assert_int_equal(np_cato_window_end(now), D0 + 11 * H);
	assert_int_equal(np_cato_window_end(D0 + 11 * H), D0 + 12 * H);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_answer), cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_label),  cmocka_unit_test(test_request),
	    cmocka_unit_test(test_window),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
