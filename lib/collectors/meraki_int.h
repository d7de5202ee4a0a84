#ifndef NP_COLLECTORS_MERAKI_INT_H
#define NP_COLLECTORS_MERAKI_INT_H
/*
 * The meraki collector's state shared by its files: meraki.c (requests, ops), meraki_org.c
 * (organizations and the poll), meraki_net.c (a network's days). Not an API.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/collector.h"
#include "collectors/meraki_days.h"
#include "collectors/meraki_match.h"
#include "collectors/meraki_parse.h"
#include "io/http.h"
#include "model/obs.h"
#include "util/hmap.h"

/* Networks of one organization read at once (each reads its days back to back). */
#define NET_PARALLEL 4
/*
 * Requests go out evenly at 90 % of rate_limit, two at most at once: the organization's limit
 * is shared with every other app using it, and requests sent evenly arrive bunched (the first
 * wait on TLS handshakes, later ones reuse connections). Sent at exactly the server's own
 * bucket (10/s, burst 10) they drew 429s; paced so, the back-fill bench drew none.
 */
#define PACE_SHARE 0.9
#define PACE_BURST 2.0
/* One API request, retries and Retry-After waits included. */
#define MERAKI_REQUEST_MS 120000

struct mk;
struct poll;
struct org;
struct net;
struct np_tz;

enum kind { K_ORGS, K_NETS, K_DEVICES, K_STATUSES, K_VLANS, K_CLIENTS };

/* One paginated GET in flight: pages are parsed as they come, `Link: rel=next` followed. */
struct fetch {
	enum kind kind;
	void *owner; /* poll (K_ORGS), org (K_NETS..K_STATUSES) or net */
	struct np_http_limiter *lim;
	struct np_http_call *call;
	char *cause; /* on failure */
	long status;
	int64_t retry_after_ms;
};

struct net {
	struct org *org;
	size_t idx; /* in org->nets */
	struct fetch f;
	struct np_meraki_vlans vlans;
	struct np_meraki_resolved res;
	bool resolved;
	const struct np_tz *tz;
	int64_t bounds[NP_MERAKI_BOUNDS_MAX];
	size_t nb, bi;                 /* boundaries, the one being read */
	struct np_meraki_usage *since; /* nb x groups */
};

struct org {
	struct poll *p;
	size_t idx; /* in p->orgs */
	struct fetch f;
	struct np_http_limiter *lim;
	struct np_meraki_nets nets;
	struct np_meraki_devices devs;
	struct np_meraki_statuses sts;
	bool statuses_ok;
	bool *net_sel, *dev_sel;
	size_t next_net, running;
	bool in_next, again; /* org_next_nets is on the stack: a network may end inside it */
	struct net *jobs;    /* one per network (only selected ones are started) */
};

struct poll {
	struct mk *mk;
	int64_t now_s;
	struct fetch f;
	struct np_http_limiter *lim; /* the /organizations call's own bucket */
	struct np_meraki_orgs orgs;
	struct org *o;
	size_t norg, pending;
	size_t read;     /* parts read: organizations' statuses and networks' days */
	size_t failures; /* organizations and networks that failed */
	char *first_cause;
	int64_t retry_after_ms;
	bool complete;
};

struct mk {
	struct np_collector_ctx ctx;
	char *name;
	char *base; /* base_url without a trailing '/' */
	struct np_http_client *client;
	double rate;
	int64_t backfill_s;
	struct np_meraki_filter flt;
	struct np_meraki_groups grp;
	char *unmatched; /* NULL: dropped */
	size_t ngroups;  /* grp.n + (unmatched != NULL) */
	bool tz_network;
	struct np_tz *tz;      /* when !tz_network */
	struct np_hmap *zones; /* network time zones by name (NULL value: could not load) */
	struct np_batch batch;
	struct poll *p;
};

/* meraki.c: the requests */
void np_meraki_note_failure(struct poll *p, const char *cause, int64_t retry_after_ms);
void np_meraki_fetch_start(struct mk *mk, struct fetch *f, const char *url);
/* meraki_net.c: one network's VLANs, day boundaries and amounts */
void np_meraki_net_start(struct org *o, size_t idx);
void np_meraki_net_free(struct net *nj);
void np_meraki_net_fetched(struct net *nj, int ok);
void np_meraki_net_add_clients(struct net *nj, const struct np_meraki_clients *cl);
/* meraki_org.c: organizations (networks, devices, statuses) and the poll */
void np_meraki_org_next_nets(struct org *o);
void np_meraki_org_fetched(struct org *o, int ok);
void np_meraki_orgs_fetched(struct poll *p, int ok);
void np_meraki_poll_free(struct poll *p);

#endif
