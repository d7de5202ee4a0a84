#ifndef NP_REPORT_EGRESS_H
#define NP_REPORT_EGRESS_H
/*
 * `netpulse egress`: internal and egress bytes of Aviatrix spoke gateways (the original
 * spoke_bandwidth_report.py, with real counter deltas instead of max - min).
 *
 * Gateways: the series with interface "eth0", kind "if" and a "gateway" label (of one source,
 * or of every source); a gateway is its (source, device), its attributes the eth0 series'
 * labels gateway, account, vpc, vpc_id, region, cloud, transit, group ("" when missing).
 * Its interfaces are its series eth0 and tun-* (kind "if"), their deltas read from the rollups
 * through np_usage_compute (usage.h: the window rounds up to 5 minutes at both ends).
 *
 * The formula, per gateway and bucket (the whole period, or each --per bucket):
 *   internal_rx = Σ tun-* rx          internal_tx = Σ tun-* tx
 *   egress_rx   = max(0, eth0_rx − (Σ tun rx + Σ tun tx))
 *   egress_tx   = max(0, eth0_tx − (Σ tun rx + Σ tun tx))
 *   egress_floored = one of the two max() clamped a negative residual
 *   total = internal_rx + internal_tx + egress_rx + egress_tx
 * Reasoning (the original's): eth0 carries every packet and a tunnelled one twice (inner and
 * IPsec-encapsulated), so each eth0 direction minus both tunnel directions leaves the
 * traffic that did not enter a tunnel: local (Single-IP SNAT) Internet egress.
 * Caveats: with SNAT egress an Internet flow crosses eth0 in both directions, so egress_rx and
 * egress_tx each approximate ALL Internet bytes and `total` counts them about twice; IPsec
 * overhead (50-100 bytes a packet) lands in egress; the formula does not hold for centralized
 * egress (FireNet/transit), multi-NIC or HPE gateways (other interfaces are ignored). A floored
 * residual means eth0 carried less than the tunnels: one of those cases, or data missing for
 * eth0 in that bucket; it is flagged, not hidden.
 *
 * Rows: the gateways' figures summed per group (the --group-by keys' values) and bucket,
 * ordered by bucket, then key values; a group is floored if any of its gateways was. The
 * total sums the rows (so with --per it sums the buckets' floors) and counts distinct gateways.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "report/period.h"
#include "report/table.h"
#include "report/usage_per.h"
#include "util/tz.h"

/* Gateway attributes, in the original CSV's column order. */
enum np_egress_attr {
	NP_EA_GATEWAY,
	NP_EA_ACCOUNT,
	NP_EA_VPC,
	NP_EA_VPC_ID,
	NP_EA_REGION,
	NP_EA_CLOUD,
	NP_EA_TRANSIT,
	NP_EA_GROUP,
	NP_EA_N
};
/* The labels (and --group-by names): gateway, account, vpc, vpc_id, region, ... */
extern const char *const np_egress_attr_names[NP_EA_N];

struct np_egress_opts {
	const char *source; /* NULL: every source with gateways */
	enum np_egress_attr keys[NP_EA_N];
	size_t nkeys; /* 0: gateway */
	enum np_usage_per per;
	const struct np_tz *tz; /* calendar of --per; NULL = UTC */
};

struct np_egress_sums {
	int64_t eth0_rx, eth0_tx;
	int64_t internal_rx, internal_tx, egress_rx, egress_tx, total;
	bool floored;
	size_t gateways;
};

struct np_egress_row {
	int64_t start, end;
	char *key[NP_EA_N];  /* the group keys' values */
	char *attr[NP_EA_N]; /* an attribute all the row's gateways share; NULL if they differ */
	char **gateways;     /* the gateway names, sorted */
	struct np_egress_sums s;
};

struct np_egress {
	int64_t start, end;
	enum np_egress_attr keys[NP_EA_N];
	size_t nkeys;
	enum np_usage_per per;
	struct np_egress_row *rows;
	size_t nrows;
	struct np_egress_sums total;
};

/* "region,account" into o->keys: names among np_egress_attr_names, no repeats. */
int np_egress_group_parse(const char *spec, struct np_egress_opts *o, char **cause);
/* The formula on one gateway's figures (s->eth0_*, s->internal_* set; fills the rest). */
void np_egress_apply(struct np_egress_sums *s);
/* The window is [p->start, min(p->end, now)). */
int np_egress_compute(sqlite3 *db, const struct np_period *p, int64_t now,
                      const struct np_egress_opts *o, struct np_egress *out, char **cause);
void np_egress_free(struct np_egress *e);
/*
 * Text: the original's layout (avx_text.h) with "  (floored)" after a clamped Egress line;
 * CSV (LF): [start,end,] the original's 16 columns, egress_floored; an attribute column holds
 * the value the row's gateways share ("" if they differ); JSON: see netpulse(1).
 */
char *np_egress_render(const struct np_egress *e, enum np_format f, const struct np_tz *tz);

#endif
