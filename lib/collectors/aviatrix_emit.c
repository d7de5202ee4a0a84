/*
 * The aviatrix collector's observations: per spoke gateway, its eth0 and tun-* counters (one
 * observation per sample, replayable), its own and its tunnels' link state; per top-talker
 * interval, one amount per address and side.
 */
#include "collectors/aviatrix_int.h"

#include <stdlib.h>
#include <string.h>

#include "collectors/aviatrix_talkers.h"
#include "util/xmalloc.h"

struct gwstate *
np_avx_gwstate(struct avx *a, const char *gw)
{
	size_t n = strlen(gw);
	struct gwstate *g = np_hmap_get(a->gws, gw, n);
	if (g == NULL) {
		g = np_xcalloc(1, sizeof(*g));
		g->handed_ms = -1;
		np_hmap_put(a->gws, gw, n, g);
	}
	return g;
}

void
np_avx_tunnel_add(struct gwstate *g, const char *name)
{
	for (size_t i = 0; i < g->ntun; i++)
		if (strcmp(g->tun[i], name) == 0)
			return;
	g->tun = np_xreallocarray(g->tun, g->ntun + 1, sizeof(*g->tun));
	g->tun[g->ntun++] = np_xstrdup(name);
}

static struct np_obs *
gw_obs(struct np_batch *b, const struct np_aviatrix_gw *gw, const char *ifname)
{
	struct np_obs *o = np_batch_add(b);
	np_obs_set_names(b, o, gw->name, ifname);
	np_obs_label(b, o, "gateway", gw->name);
	np_obs_label(b, o, "account", gw->account);
	np_obs_label(b, o, "vpc", gw->vpc_name);
	np_obs_label(b, o, "vpc_id", gw->vpc_id);
	np_obs_label(b, o, "region", gw->region);
	np_obs_label(b, o, "cloud", gw->cloud);
	np_obs_label(b, o, "transit", gw->transit);
	np_obs_label(b, o, "group", gw->group);
	return o;
}

static enum np_link_obs
link_of(enum np_aviatrix_state s)
{
	return s == NP_AVIATRIX_UP     ? NP_LINK_UP
	       : s == NP_AVIATRIX_DOWN ? NP_LINK_DOWN
	                               : NP_LINK_NONE;
}

/*
 * One interface's samples after `since`, rx and tx of the same time in one observation, in
 * time order. Returns the latest time handed over (or since).
 */
static int64_t
emit_samples(struct np_batch *b, const struct np_aviatrix_gw *gw, const struct np_aviatrix_iface *f,
             int64_t since)
{
	const struct np_aviatrix_metric *rx = &f->m[NP_AVIATRIX_RX], *tx = &f->m[NP_AVIATRIX_TX];
	size_t i = 0, j = 0;
	int64_t latest = since;
	while (i < rx->n || j < tx->n) {
		int64_t t;
		if (j >= tx->n || (i < rx->n && rx->s[i].ts_ms <= tx->s[j].ts_ms))
			t = rx->s[i].ts_ms;
		else
			t = tx->s[j].ts_ms;
		bool has_rx = i < rx->n && rx->s[i].ts_ms == t;
		bool has_tx = j < tx->n && tx->s[j].ts_ms == t;
		uint64_t vrx = has_rx ? rx->s[i++].v : 0, vtx = has_tx ? tx->s[j++].v : 0;
		if (t <= since)
			continue;
		struct np_obs *o = gw_obs(b, gw, f->name);
		o->time_ms = t;
		o->replay = true;
		o->counter_bits = 64;
		if (has_rx)
			np_obs_counter(o, NP_C_RX_BYTES, vrx);
		if (has_tx)
			np_obs_counter(o, NP_C_TX_BYTES, vtx);
		latest = t;
	}
	return latest;
}

/*
 * One gateway's samples, handed to the pipeline as soon as its answer is read (ctx->push in a
 * batch of their own), so a day's back-fill of hundreds of gateways is never held at once;
 * the answer is freed after. Its tunnels join the gateway's set.
 */
void
np_avx_emit_samples(struct apoll *p, size_t k)
{
	struct avx *a = p->a;
	struct np_batch *b = &a->samples;
	const struct np_aviatrix_gw *gw = &p->gws.v[p->spokes[k]];
	struct gwstate *g = np_avx_gwstate(a, gw->name);
	struct np_aviatrix_perf *pf = &p->perf[k];
	np_batch_reset(b, p->now_ms);
	for (size_t i = 0; i < pf->skips.skipped; i++)
		np_batch_skip(&a->batch, pf->skips.reason);
	int64_t since = g->handed_ms, latest = g->handed_ms;
	for (size_t i = 0; i < pf->n; i++) {
		const struct np_aviatrix_iface *f = &pf->v[i];
		if (strncmp(f->name, "tun-", 4) == 0)
			np_avx_tunnel_add(g, f->name);
		const struct np_aviatrix_metric *rx = &f->m[NP_AVIATRIX_RX],
		                                *tx = &f->m[NP_AVIATRIX_TX];
		if (rx->has_samples || tx->has_samples) {
			int64_t t = emit_samples(b, gw, f, since);
			if (t > latest)
				latest = t;
		} else if (rx->has_now || tx->has_now) {
			/* No per-sample series: the current reading, at poll time. */
			struct np_obs *o = gw_obs(b, gw, f->name);
			o->time_ms = p->now_ms;
			o->counter_bits = 64;
			if (rx->has_now)
				np_obs_counter(o, NP_C_RX_BYTES, rx->now);
			if (tx->has_now)
				np_obs_counter(o, NP_C_TX_BYTES, tx->now);
		}
	}
	g->handed_ms = latest;
	np_aviatrix_perf_free(pf);
	if (b->n > 0)
		a->ctx.push(a->ctx.arg, b);
	np_batch_reset(b, p->now_ms);
}

/* The gateway's link state at batch time, then each of its tunnels ever seen. */
void
np_avx_emit_links(struct apoll *p, size_t k)
{
	struct avx *a = p->a;
	struct np_batch *b = &a->batch;
	const struct np_aviatrix_gw *gw = &p->gws.v[p->spokes[k]];
	struct gwstate *g = np_avx_gwstate(a, gw->name);
	enum np_link_obs st = link_of(gw->state);
	if (st != NP_LINK_NONE)
		gw_obs(b, gw, "")->link = st;
	const struct np_aviatrix_route_gw *rg = np_aviatrix_routes_find(&p->routes, gw->name);
	for (size_t t = 0; rg != NULL && t < g->ntun; t++) {
		for (size_t r = 0; r < rg->ntun; r++) {
			if (strcmp(rg->tun[r].name, g->tun[t]) != 0)
				continue;
			enum np_link_obs ts = link_of(rg->tun[r].state);
			if (ts != NP_LINK_NONE)
				gw_obs(b, gw, g->tun[t])->link = ts;
			break;
		}
	}
}

void
np_avx_emit_talkers(struct apoll *p)
{
	struct avx *a = p->a;
	struct np_batch *b = &a->batch;
	for (size_t i = 0; i < AVX_TALK_CALLS; i++)
		for (size_t s = 0; s < p->tl[i].skips.skipped; s++)
			np_batch_skip(b, p->tl[i].skips.reason);
	static const uint8_t kinds[2] = {NP_AMOUNT_TALKER_DST, NP_AMOUNT_TALKER_SRC};
	/* The side is the interface too: an address on both sides is two series (the pipeline
	 * knows a series by source, device and interface). */
	static const char *const sides[2] = {"dst", "src"};
	for (size_t side = 0; side < 2; side++) {
		const struct np_aviatrix_talkers *lists[2] = {&p->tl[side * 2],
		                                              &p->tl[side * 2 + 1]};
		struct np_aviatrix_top *top = NULL;
		size_t n = np_aviatrix_top_merge(lists, 2, (size_t)a->tt_size, &top);
		for (size_t i = 0; i < n; i++) {
			struct np_obs *o = np_batch_add(b);
			np_obs_set_names(b, o, top[i].ip, sides[side]);
			np_obs_amount(o, p->t_start, p->t_start + a->tt_interval_ms);
			o->amount_kind = kinds[side];
			np_obs_counter(o, NP_C_RX_BYTES, top[i].bytes);
		}
		np_aviatrix_top_free(top, n);
	}
}
