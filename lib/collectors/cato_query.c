/* The appStatsTimeSeries request and the hours a poll asks for (cato.h). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "collectors/cato.h"
#include "util/xmalloc.h"

static const char query[] =
    "query appStatsTimeSeries($accountID: ID!, $timeFrame: TimeFrame!, $measure: [Measure], "
    "$dimension: [Dimension], $appStatsFilter: [AppStatsFilter!], $buckets: Int!, "
    "$perSecond: Boolean, $withMissingData: Boolean) { appStatsTimeSeries(accountID: "
    "$accountID, timeFrame: $timeFrame, measures: $measure, dimensions: $dimension, filters: "
    "$appStatsFilter) { id from to granularity timeseries(buckets: $buckets) { label sum units "
    "info data(perSecond: $perSecond, withMissingData: $withMissingData) key { "
    "measureFieldName dimensions { fieldName value } } } } }";

static void
utc(char *out, size_t n, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, n, "%Y-%m-%d/%H:%M:%S", &tm);
}

char *
np_cato_timeframe(int64_t from_s, int64_t to_s)
{
	char a[32], b[32];
	utc(a, sizeof(a), from_s);
	utc(b, sizeof(b), to_s);
	return np_xasprintf("utc.{%s--%s}", a, b);
}

static json_t *
field(const char *name)
{
	return json_pack("{s:s}", "fieldName", name);
}

char *
np_cato_request_body(const char *account_id, int64_t from_s, int64_t to_s)
{
	char *tf = np_cato_timeframe(from_s, to_s);
	json_t *vars = json_pack(
	    "{s:s, s:s, s:I, s:[o,o], s:[{s:s,s:s},{s:s,s:s}], s:[{s:s,s:s,s:[s]}], s:b, s:b}",
	    "accountID", account_id, "timeFrame", tf, "buckets",
	    (json_int_t)((to_s - from_s) / NP_CATO_HOUR), "dimension", field("application_name"),
	    field("user_name"), "measure", "aggType", "sum", "fieldName", "upstream", "aggType",
	    "sum", "fieldName", "downstream", "appStatsFilter", "fieldName", "traffic_direction",
	    "operator", "is", "values", "WANBOUND", "perSecond", 0, "withMissingData", 1);
	free(tf);
	json_t *body = json_pack("{s:s, s:o, s:s}", "query", query, "variables", vars,
	                         "operationName", "appStatsTimeSeries");
	char *s = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (s == NULL)
		abort(); /* out of memory, as np_x* */
	return s;
}

static int64_t
hour_floor(int64_t t)
{
	int64_t r = t % NP_CATO_HOUR;
	return t - (r < 0 ? r + NP_CATO_HOUR : r);
}

int64_t
np_cato_window_start(int64_t now_s, int64_t mark_s, int64_t backfill_s)
{
	int64_t from = now_s - backfill_s;
	if (mark_s > 0 && mark_s - NP_CATO_OVERLAP_S > from)
		from = mark_s - NP_CATO_OVERLAP_S;
	return hour_floor(from);
}

int64_t
np_cato_window_end(int64_t now_s)
{
	return hour_floor(now_s) + NP_CATO_HOUR;
}
