#ifndef NP_COLLECTORS_AVIATRIX_PARSE_H
#define NP_COLLECTORS_AVIATRIX_PARSE_H
/*
 * Pure parsers of the CoPilot answers the aviatrix source reads (the contract is
 * tests/sim/CONTRACT.md's "The CoPilot API"): one function per endpoint, body need not be
 * NUL-terminated. A body that is not JSON or not of the expected top-level shape fails (-1, *cause
 * "gateways: ..."); an element that cannot be used is skipped and counted (skips; the first reason
 * kept) and the rest still counts. Unknown fields are ignored. Every string is owned by its list
 * (np_aviatrix_*_free; the list may be reused after).
 *
 * Numbers may be JSON integers or reals ("1.7620128E12"): a counter or byte count is used
 * when it is finite, >= 0 and below 2^64 (a real is truncated to an integer).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NP_AVIATRIX_REASON_MAX 160

struct np_aviatrix_skips {
	size_t skipped;
	char reason[NP_AVIATRIX_REASON_MAX];
};

enum np_aviatrix_state {
	NP_AVIATRIX_NONE, /* not said, or a word this code does not know */
	NP_AVIATRIX_UP,
	NP_AVIATRIX_DOWN,
};

/*
 * GET /api/gateways: {"results": [gw, ...]}. Skipped: not an object, gw_name not a non-empty
 * string. Other attributes: "" when absent or not a string. type: "$gw_type", else "gw_type",
 * lower-cased. state: "state", else "gw_state", else "status" (the first that is a string),
 * case-insensitive: up/active/running = UP, down/stopped/inactive/error = DOWN.
 */
struct np_aviatrix_gw {
	char *name, *type, *account, *vpc_id, *vpc_name, *region, *cloud, *transit, *group;
	enum np_aviatrix_state state;
	bool spoke; /* type == "spoke" */
};
struct np_aviatrix_gws {
	struct np_aviatrix_gw *v;
	size_t n, cap;
	struct np_aviatrix_skips skips;
};

/*
 * GET /api/cloud-routes/routes/gateways: [{"gw_name": G, "route_table": [{"dev", "dest",
 * "status"}, ...]}, ...]. Per gateway (elements of one gateway merged), its tunnels: the
 * distinct `dev` starting with "tun-", in first-seen order, with a state: UP if any of its
 * routes has status "up", DOWN if every route of it says "down", NONE otherwise. Skipped
 * elements: not an object, gw_name not a non-empty string, route_table present but not an
 * array; routes that are not objects or whose dev is not a string are skipped too.
 */
struct np_aviatrix_tunnel {
	char *name;
	enum np_aviatrix_state state;
	size_t up, down, other; /* routes by status */
};
struct np_aviatrix_route_gw {
	char *gw;
	struct np_aviatrix_tunnel *tun;
	size_t ntun;
};
struct np_aviatrix_routes {
	struct np_aviatrix_route_gw *v;
	size_t n, cap;
	struct np_aviatrix_skips skips;
};
/* The gateway's entry, or NULL. */
const struct np_aviatrix_route_gw *np_aviatrix_routes_find(const struct np_aviatrix_routes *r,
                                                           const char *gw);

/*
 * POST /api/reports/report/performance: [{"gatewayName": G, "interfaces": {IF: {"rx_bytes":
 * M, "tx_bytes": M}}}], M = {"min", "max", "last", "samples": [[ts_ms, N], ...]}. The first
 * element is read (an empty array: no interfaces). Interfaces other than eth0 and tun-* are
 * ignored. Per metric: the samples sorted by time, one per timestamp (the last given wins);
 * a sample that is not [number, number] with a usable value is skipped. `now` is `last`,
 * else `max` (what the reading is when there are no samples). Failure: not JSON, not an
 * array, element 0 not an object, `interfaces` present but not an object.
 */
enum { NP_AVIATRIX_RX, NP_AVIATRIX_TX };
struct np_aviatrix_sample {
	int64_t ts_ms;
	uint64_t v;
};
struct np_aviatrix_metric {
	struct np_aviatrix_sample *s;
	size_t n;
	bool has_samples; /* a "samples" array was there (possibly empty) */
	bool has_now;
	uint64_t now;
};
struct np_aviatrix_iface {
	char *name;
	struct np_aviatrix_metric m[2]; /* NP_AVIATRIX_RX, NP_AVIATRIX_TX */
};
struct np_aviatrix_perf {
	struct np_aviatrix_iface *v;
	size_t n, cap;
	struct np_aviatrix_skips skips;
};

/*
 * GET /api/flowiq/field_agg: {"value": [{"key": IP, "value": BYTES}, ...]}. Skipped: not an
 * object, key not a non-empty string, value not a usable number. A key that is an IPv4 or
 * IPv6 address is kept in its canonical text (inet_ntop), so equal addresses sum.
 */
struct np_aviatrix_talker {
	char *key;
	uint64_t bytes;
};
struct np_aviatrix_talkers {
	struct np_aviatrix_talker *v;
	size_t n, cap;
	struct np_aviatrix_skips skips;
};

int np_aviatrix_parse_gateways(const char *body, size_t len, struct np_aviatrix_gws *out,
                               char **cause);
int np_aviatrix_parse_routes(const char *body, size_t len, struct np_aviatrix_routes *out,
                             char **cause);
int np_aviatrix_parse_perf(const char *body, size_t len, struct np_aviatrix_perf *out,
                           char **cause);
int np_aviatrix_parse_field_agg(const char *body, size_t len, struct np_aviatrix_talkers *out,
                                char **cause);

void np_aviatrix_gws_free(struct np_aviatrix_gws *l);
void np_aviatrix_routes_free(struct np_aviatrix_routes *l);
void np_aviatrix_perf_free(struct np_aviatrix_perf *l);
void np_aviatrix_talkers_free(struct np_aviatrix_talkers *l);

#endif
