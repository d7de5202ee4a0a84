/*
 * The aviatrix collector's poll: gateways, routes, one performance call per spoke (the
 * client runs at most 4 at once), the observations, then the due top-talker intervals (four
 * field_agg calls each), then done.
 */
#include "collectors/aviatrix_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "collectors/aviatrix_query.h"
#include "util/cause.h"
#include "util/civil.h"
#include "util/logcb.h"
#include "util/str.h"
#include "util/xmalloc.h"

void
np_avx_poll_free(struct apoll *p)
{
	struct areq *q;
	while ((q = TAILQ_FIRST(&p->live)) != NULL)
		np_avx_req_free(q);
	np_aviatrix_gws_free(&p->gws);
	free(p->spokes);
	np_aviatrix_routes_free(&p->routes);
	for (size_t i = 0; i < p->nspokes; i++) {
		if (p->perf != NULL)
			np_aviatrix_perf_free(&p->perf[i]);
		if (p->perf_cause != NULL)
			free(p->perf_cause[i]);
	}
	free(p->perf);
	free(p->perf_cause);
	free(p->spokes_term);
	for (size_t i = 0; i < AVX_TALK_CALLS; i++)
		np_aviatrix_talkers_free(&p->tl[i]);
	free(p->t_cause);
	free(p);
}

void
np_avx_poll_fail(struct apoll *p, const char *fmt, ...)
{
	struct avx *a = p->a;
	va_list ap;
	va_start(ap, fmt);
	char *why = NULL;
	if (vasprintf(&why, fmt, ap) == -1)
		abort(); /* out of memory, as np_xmalloc */
	va_end(ap);
	char *cause = np_xasprintf("%s: %s", a->name, why);
	free(why);
	int64_t ra = p->retry_after_ms;
	a->p = NULL;
	np_avx_poll_free(p);
	a->ctx.done(a->ctx.arg, NULL, -1, cause, ra); /* may destroy a: nothing after */
}

static void
poll_end(struct apoll *p)
{
	struct avx *a = p->a;
	a->batch.complete = p->complete;
	a->p = NULL;
	np_avx_poll_free(p);
	a->ctx.done(a->ctx.arg, &a->batch, 0, NULL, 0); /* may destroy a: nothing after */
}

static void
note_skips(struct avx *a, const struct np_aviatrix_skips *s)
{
	for (size_t i = 0; i < s->skipped; i++)
		np_batch_skip(&a->batch, s->reason);
}

/* --- top talkers --- */

static int64_t
grid_ceil(int64_t t, int64_t step)
{
	return -np_civil_fdiv(-t, step) * step;
}

static void
talkers_next(struct apoll *p)
{
	struct avx *a = p->a;
	int64_t I = a->tt_interval_ms;
	if (a->tt_size <= 0 || p->nspokes == 0 || I <= 0) {
		poll_end(p);
		return;
	}
	if (!a->mark_loaded) {
		a->tt_mark =
		    a->ctx.amount_mark != NULL ? a->ctx.amount_mark(a->ctx.arg, NULL, NULL) : 0;
		a->mark_loaded = true;
	}
	int64_t from = grid_ceil(p->now_ms - a->backfill_ms, I);
	int64_t s = grid_ceil(a->tt_mark > from ? a->tt_mark : from, I);
	if (p->t_intervals >= AVX_TALKER_INTERVALS_MAX || s + I + AVX_FLOWIQ_LAG_MS > p->now_ms) {
		poll_end(p);
		return;
	}
	p->t_start = s;
	if (p->spokes_term == NULL) {
		const char **names = np_xcalloc(p->nspokes, sizeof(*names));
		for (size_t k = 0; k < p->nspokes; k++)
			names[k] = p->gws.v[p->spokes[k]].name;
		p->spokes_term = np_aviatrix_spokes_term(names, p->nspokes);
		free(names);
	}
	static const struct {
		const char *field;
		enum np_aviatrix_dir dir;
	} calls[AVX_TALK_CALLS] = {
	    {"netflow.dst_addr", NP_AVIATRIX_OUT}, /* dst side */
	    {"netflow.src_addr", NP_AVIATRIX_IN},
	    {"netflow.src_addr", NP_AVIATRIX_OUT}, /* src side */
	    {"netflow.dst_addr", NP_AVIATRIX_IN},
	};
	p->t_pending = AVX_TALK_CALLS;
	int size = a->tt_size > 0 && a->tt_size <= 1000000 ? a->tt_size * 3 : 3;
	for (size_t i = 0; i < AVX_TALK_CALLS; i++) {
		char *q = np_aviatrix_talker_query(calls[i].dir, p->spokes_term);
		char *url = np_aviatrix_field_agg_url(a->base, calls[i].field, q, s, s + I, size);
		free(q);
		if (np_avx_send(p, R_TALK, i, url, NULL) == -1)
			return;
	}
}

static void
talkers_done(struct apoll *p)
{
	struct avx *a = p->a;
	if (p->t_cause != NULL) {
		char from[40];
		np_aviatrix_time(p->t_start, from, sizeof(from));
		np_logf(a->ctx.log, LOG_WARNING,
		        "%s: top talkers from %s not read (again at the next poll): %s", a->name,
		        from, p->t_cause);
		poll_end(p);
		return;
	}
	np_avx_emit_talkers(p);
	a->tt_mark = p->t_start + a->tt_interval_ms;
	p->t_intervals++;
	for (size_t i = 0; i < AVX_TALK_CALLS; i++)
		np_aviatrix_talkers_free(&p->tl[i]);
	talkers_next(p);
}

/* --- gateways, routes, performance --- */

static void
perf_done(struct apoll *p)
{
	struct avx *a = p->a;
	size_t failed = 0, first = 0;
	for (size_t k = 0; k < p->nspokes; k++)
		if (p->perf_cause[k] != NULL && failed++ == 0)
			first = k;
	if (failed > 0 && failed == p->nspokes) {
		np_avx_poll_fail(p, "%s", p->perf_cause[first]);
		return;
	}
	for (size_t k = 0; k < p->nspokes; k++)
		np_avx_emit_links(p, k);
	p->complete = failed == 0;
	if (failed > 0) {
		char names[512] = "";
		size_t len = 0;
		for (size_t k = 0; k < p->nspokes && len < sizeof(names); k++)
			if (p->perf_cause[k] != NULL)
				len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s",
				                        len > 0 ? ", " : "",
				                        p->gws.v[p->spokes[k]].name);
		char *esc = np_escape(names);
		np_logf(a->ctx.log, LOG_WARNING,
		        "%s: performance of %zu of %zu gateways not read (%s): %s", a->name, failed,
		        p->nspokes, esc, p->perf_cause[first]);
		free(esc);
	}
	talkers_next(p);
}

static void
perf_start(struct apoll *p)
{
	struct avx *a = p->a;
	if (p->nspokes == 0) {
		p->complete = true;
		talkers_next(p);
		return;
	}
	p->perf = np_xcalloc(p->nspokes, sizeof(*p->perf));
	p->perf_cause = np_xcalloc(p->nspokes, sizeof(*p->perf_cause));
	p->perf_pending = p->nspokes;
	int64_t floor_ms = p->now_ms - a->backfill_ms;
	for (size_t k = 0; k < p->nspokes; k++) {
		const char *name = p->gws.v[p->spokes[k]].name;
		struct gwstate *g = np_avx_gwstate(a, name);
		int64_t since = g->handed_ms > floor_ms ? g->handed_ms : floor_ms;
		char *body = np_aviatrix_perf_body(name, since, p->now_ms);
		char *url = np_xasprintf("%s/api/reports/report/performance", a->base);
		if (np_avx_send(p, R_PERF, k, url, body) == -1)
			return;
	}
}

static void
gateways_read(struct apoll *p, const struct np_http_resp *r)
{
	struct avx *a = p->a;
	char *why = NULL;
	if (np_aviatrix_parse_gateways(r->body, r->len, &p->gws, &why) == -1) {
		np_avx_poll_fail(p, "GET %s: %s", r->url, why);
		free(why);
		return;
	}
	note_skips(a, &p->gws.skips);
	p->spokes = np_xcalloc(p->gws.n ? p->gws.n : 1, sizeof(*p->spokes));
	for (size_t i = 0; i < p->gws.n; i++) {
		bool dup = false;
		for (size_t k = 0; k < p->nspokes && !dup; k++)
			dup = strcmp(p->gws.v[p->spokes[k]].name, p->gws.v[i].name) == 0;
		if (p->gws.v[i].spoke && !dup)
			p->spokes[p->nspokes++] = i;
	}
	np_avx_send(p, R_ROUTES, 0, np_xasprintf("%s/api/cloud-routes/routes/gateways", a->base),
	            NULL);
}

static void
routes_read(struct apoll *p, const struct np_http_resp *r)
{
	struct avx *a = p->a;
	char *why = NULL;
	if (np_aviatrix_parse_routes(r->body, r->len, &p->routes, &why) == -1) {
		np_avx_poll_fail(p, "GET %s: %s", r->url, why);
		free(why);
		return;
	}
	note_skips(a, &p->routes.skips);
	for (size_t k = 0; k < p->nspokes; k++) {
		const char *name = p->gws.v[p->spokes[k]].name;
		const struct np_aviatrix_route_gw *rg = np_aviatrix_routes_find(&p->routes, name);
		if (rg == NULL)
			continue;
		struct gwstate *g = np_avx_gwstate(a, name);
		for (size_t t = 0; t < rg->ntun; t++)
			np_avx_tunnel_add(g, rg->tun[t].name);
	}
	perf_start(p);
}

void
np_avx_answer(struct areq *q, const struct np_http_resp *r, int ok, const char *cause)
{
	struct apoll *p = q->p;
	enum rkind kind = q->kind;
	size_t idx = q->idx;
	char *url = np_xstrdup(q->url);
	np_avx_req_free(q);
	if (ok != 0 && r != NULL && r->retry_after_ms > p->retry_after_ms)
		p->retry_after_ms = r->retry_after_ms;
	const char *why = cause != NULL ? cause : "failed";
	char *pcause = NULL;
	switch (kind) {
	case R_GATEWAYS:
	case R_ROUTES:
		if (ok != 0)
			np_avx_poll_fail(p, "%s", why);
		else if (kind == R_GATEWAYS)
			gateways_read(p, r);
		else
			routes_read(p, r);
		break;
	case R_PERF:
		if (ok != 0)
			p->perf_cause[idx] = np_xstrdup(why);
		else if (np_aviatrix_parse_perf(r->body, r->len, &p->perf[idx], &pcause) == -1)
			p->perf_cause[idx] = np_xasprintf("POST %s: %s", url, pcause);
		else
			np_avx_emit_samples(p, idx);
		if (--p->perf_pending == 0)
			perf_done(p);
		break;
	case R_TALK:
		if (ok != 0 && p->t_cause == NULL)
			p->t_cause = np_xstrdup(why);
		else if (ok == 0 &&
		         np_aviatrix_parse_field_agg(r->body, r->len, &p->tl[idx], &pcause) == -1 &&
		         p->t_cause == NULL)
			p->t_cause = np_xasprintf("GET %s: %s", url, pcause);
		if (--p->t_pending == 0)
			talkers_done(p);
		break;
	case R_LOGIN:
		break;
	}
	free(pcause);
	free(url);
}

void
np_avx_poll_start(struct apoll *p)
{
	struct avx *a = p->a;
	np_avx_send(p, R_GATEWAYS, 0, np_xasprintf("%s/api/gateways", a->base), NULL);
}
