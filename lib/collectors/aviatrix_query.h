#ifndef NP_COLLECTORS_AVIATRIX_QUERY_H
#define NP_COLLECTORS_AVIATRIX_QUERY_H
/*
 * What the aviatrix source sends to CoPilot (tests/sim/CONTRACT.md "The CoPilot API"): the login,
 * performance and field_agg requests, the FlowIQ query strings (Lucene-like: values in double
 * quotes with
 * \" and \\ escapes), and the API's time format. Pure; every result is malloc'd.
 */
#include <stddef.h>
#include <stdint.h>

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" of a UTC time in ms (out: at least 32 bytes). */
void np_aviatrix_time(int64_t ms, char *out, size_t size);

/* v in double quotes, '"' and '\\' escaped with a backslash. */
char *np_aviatrix_lucene_quote(const char *v);

/* netflow.gw_name:("gw-1" OR "gw-2" ...), each name quoted; n > 0. */
char *np_aviatrix_spokes_term(const char *const *names, size_t n);

enum np_aviatrix_dir {
	NP_AVIATRIX_OUT, /* internal sources to external destinations */
	NP_AVIATRIX_IN,  /* external sources to internal destinations */
};

/* (OUT or IN) AND spokes: the query_string of one field_agg call. */
char *np_aviatrix_talker_query(enum np_aviatrix_dir dir, const char *spokes_term);

/*
 * The field_agg URL of base (no trailing '/') for field over [start_ms, end_ms): gte = start,
 * lte = end - 1 ms, time zone +00:00, interval 1d, size.
 */
char *np_aviatrix_field_agg_url(const char *base, const char *field, const char *query,
                                int64_t start_ms, int64_t end_ms, int size);

/* The performance request body for gw over [start_ms, end_ms] (times to the second). */
char *np_aviatrix_perf_body(const char *gw, int64_t start_ms, int64_t end_ms);

/* {"username": U, "password": P}; the caller wipes it. */
char *np_aviatrix_login_body(const char *user, const char *pass);

#endif
