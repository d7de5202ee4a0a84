#ifndef NP_COLLECTORS_AVIATRIX_INT_H
#define NP_COLLECTORS_AVIATRIX_INT_H
/*
 * The aviatrix collector's state shared by its files: aviatrix.c (ops, what is kept between
 * polls), aviatrix_session.c (requests, login, re-login once), aviatrix_poll.c (the poll's
 * steps), aviatrix_emit.c (observations and amounts). Not an API.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include "collectors/aviatrix_parse.h"
#include "collectors/collector.h"
#include "io/http.h"
#include "model/obs.h"
#include "util/hmap.h"

/* One CoPilot request, retries and Retry-After waits included. */
#define AVX_REQUEST_MS 60000
/* FlowIQ data comes late: an interval is read once its end is this far past. */
#define AVX_FLOWIQ_LAG_MS (10LL * 60 * 1000)
/* Top-talker intervals read in one poll at most (a long back-fill goes on at the next). */
#define AVX_TALKER_INTERVALS_MAX 96
/* field_agg calls of one interval: dst side (dst_addr OUT, src_addr IN), src side (src_addr
 * OUT, dst_addr IN). */
#define AVX_TALK_CALLS 4

struct avx;
struct apoll;

enum rkind { R_LOGIN, R_GATEWAYS, R_ROUTES, R_PERF, R_TALK };

struct areq {
	struct apoll *p;
	enum rkind kind;
	size_t idx; /* the spoke (R_PERF) or the call (R_TALK) */
	char *url;
	char *body; /* POST when set; wiped when freed */
	struct np_http_call *call;
	uint64_t gen; /* the session it was sent with */
	bool parked;  /* waits for a login */
	TAILQ_ENTRY(areq) entry;
};
TAILQ_HEAD(areq_list, areq);

/* What the instance keeps of a gateway between polls. */
struct gwstate {
	int64_t handed_ms; /* the latest sample time handed over; -1: none yet */
	char **tun;        /* tunnels seen, in routes or performance answers, ever */
	size_t ntun;
};

struct apoll {
	struct avx *a;
	int64_t now_ms;
	struct areq_list live; /* sent or parked */
	bool logging_in;
	int relogins; /* logins after an unauthenticated answer, this poll */

	struct np_aviatrix_gws gws;
	size_t *spokes; /* indices into gws */
	size_t nspokes;
	struct np_aviatrix_routes routes;
	struct np_aviatrix_perf *perf; /* per spoke */
	char **perf_cause;             /* per spoke: why its performance call failed */
	size_t perf_pending;

	/* Top talkers: the interval being read and its four answers. */
	char *spokes_term;
	int64_t t_start;
	size_t t_intervals, t_pending;
	struct np_aviatrix_talkers tl[AVX_TALK_CALLS];
	char *t_cause;

	bool complete; /* the gateway list was read and every spoke's performance */
	int64_t retry_after_ms;
};

struct avx {
	struct np_collector_ctx ctx;
	char *name;
	char *base; /* the CoPilot URL, no trailing '/' */
	char *user, *pass;
	struct np_http_client *client;
	int64_t backfill_ms, tt_interval_ms;
	int tt_size;
	bool have_session;
	uint64_t gen; /* logins so far: a request sent before the latest one is resent */
	bool mark_loaded;
	int64_t tt_mark;         /* end of the latest top-talker interval stored */
	struct np_hmap *gws;     /* gateway name -> struct gwstate */
	struct np_batch batch;   /* link states and talkers: done() */
	struct np_batch samples; /* one gateway's samples: push() */
	struct apoll *p;
};

/* aviatrix_session.c */
/* Queues a request (logging in first when there is no session). -1: the poll ended. */
int np_avx_send(struct apoll *p, enum rkind kind, size_t idx, char *url, char *body);
void np_avx_req_free(struct areq *q);
/* aviatrix_poll.c */
void np_avx_answer(struct areq *q, const struct np_http_resp *r, int ok, const char *cause);
void np_avx_poll_start(struct apoll *p);
/* Ends the poll with a failure (cause "<name>: ..."): done(-1); may free everything. */
void np_avx_poll_fail(struct apoll *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void np_avx_poll_free(struct apoll *p);
/* aviatrix_emit.c */
struct gwstate *np_avx_gwstate(struct avx *a, const char *gw);
void np_avx_tunnel_add(struct gwstate *g, const char *name);
void np_avx_emit_samples(struct apoll *p, size_t spoke);
void np_avx_emit_links(struct apoll *p, size_t spoke);
void np_avx_emit_talkers(struct apoll *p);

#endif
