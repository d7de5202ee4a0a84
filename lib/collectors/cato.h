#ifndef NP_COLLECTORS_CATO_H
#define NP_COLLECTORS_CATO_H
/*
 * The cato source: application x user traffic from the Cato API's GraphQL query
 * appStatsTimeSeries, hour by hour (SPEC: issue 8; the original script's flaws:
 * ../shared/sources/seed-formats-cato-aviatrix.md Part A).
 *
 * Each poll asks for [max(mark - 2 h, now - backfill), the end of the current hour) in calls
 * of at most 24 hourly buckets (fewer while answers are large), one after another, paced at
 * rate_limit calls a minute (a token bucket per account: the API's limit is per account, shared by
 * every key). Measures are real bytes (perSecond: false; the original stored per-second averages
 * labelled MB), missing buckets are marked (withMissingData: true: -1 is "no data", 0 is zero) and
 * skipped. Each (application, user, hour) becomes an interval amount [hour, hour + granularity):
 * device = application, interface = user (a null user is ""), labels application and user,
 * rx_bytes = downstream, tx_bytes = upstream. Amounts replace, so the still-growing hour is
 * read again by the next poll (the 2-hour overlap) and ends with its final value, stored once.
 * Every call's amounts are handed to the pipeline at once (ctx->push): a 7-day back-fill of a
 * large account never sits in memory.
 *
 * A rate-limit answer (HTTP 429: the engine waits Retry-After; or HTTP 200 whose error says
 * "rate limit") waits and repeats the same call, at most 10 times a poll: data is never
 * skipped. A rejected key (401/403, or an error about authentication) fails the poll with
 * "API key rejected"; any other error fails it naming the peer and the message.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/collector.h"
#include "config/config_table.h"

#define NP_CATO_BASE_URL "https://api.catonetworks.com/api/v1/graphql2"
#define NP_CATO_HOUR 3600
#define NP_CATO_MAX_BUCKETS 24
#define NP_CATO_OVERLAP_S (2 * NP_CATO_HOUR)
#define NP_CATO_RATE_RETRIES 10

extern const struct np_collector_ops np_cato_ops;

struct np_cato_conf {
	char *api_key; /* from api_key_file / api_key_env; never logged */
	char *base_url;
	char *account_id;
	char *ca_file;
	int64_t backfill_ms;
	double rate_limit; /* calls per minute */
	/* Derived by np_cato_conf_check. */
	char *host; /* "host[:port]" of base_url, the COLLECTOR alert's device */
};

extern const struct np_config_opt np_cato_options[];
void np_cato_conf_check(void *conf, const struct np_source_cfg *src, struct np_conf_report *r);
void np_cato_conf_free(void *conf);

/* --- cato_query.c: pure --- */

/* "utc.{YYYY-MM-DD/HH:MM:SS--YYYY-MM-DD/HH:MM:SS}" of [from_s, to_s) (UTC). */
char *np_cato_timeframe(int64_t from_s, int64_t to_s);
/* The request body (query, variables, operationName) for [from_s, to_s) in hourly buckets. */
char *np_cato_request_body(const char *account_id, int64_t from_s, int64_t to_s);
/*
 * Where a poll at now_s starts: the hour holding max(mark_s - overlap, now_s - backfill_s)
 * (mark_s 0 = nothing stored: the whole back-fill). It ends at np_cato_window_end.
 */
int64_t np_cato_window_start(int64_t now_s, int64_t mark_s, int64_t backfill_s);
/* The end of the hour holding now_s. */
int64_t np_cato_window_end(int64_t now_s);

/* --- cato_parse.c: pure --- */

enum np_cato_answer {
	NP_CATO_OK,
	NP_CATO_RATE_LIMITED, /* wait wait_ms, ask again */
	NP_CATO_BAD_KEY,      /* the key was refused */
	NP_CATO_ERROR,        /* another GraphQL error: message */
};

struct np_cato_result {
	enum np_cato_answer answer;
	int64_t wait_ms;     /* NP_CATO_RATE_LIMITED: "Try again in N seconds", else 5 s */
	char *message;       /* the first error's message (escaped), or NULL */
	int64_t granularity; /* seconds per bucket as answered */
	size_t amounts;      /* observations added */
	size_t series;       /* timeseries read */
	size_t truncated;    /* names cut to NP_NAME_MAX */
};

/*
 * Classifies a GraphQL error message: rate limit (with the wait it names), a refused key, or
 * another error. Case-insensitive; pure.
 */
enum np_cato_answer np_cato_classify(const char *message, int64_t *wait_ms);
/*
 * Parses one answer and adds one amount observation per (application, user, bucket) with a
 * value (upstream and downstream merged) to b; buckets outside [from_s, to_s) are skipped and
 * counted in b. Returns 0 (res->answer says what the answer was) or -1 with *cause when the
 * answer is not JSON or not the expected shape. res->message is malloc'd.
 */
int np_cato_parse(const char *body, size_t len, int64_t from_s, int64_t to_s, struct np_batch *b,
                  struct np_cato_result *res, char **cause);
/*
 * The quote-aware fallback for a series without `key`: "sum(upstream) for
 * application_name='O'Brien's, app', user_name=''" -> measure and the two values (malloc'd;
 * NULL when absent). Returns -1 if the label is not of that form.
 */
int np_cato_parse_label(const char *label, char **measure, char **app, char **user);

#endif
