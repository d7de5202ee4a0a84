/*
 * Fuzz target for every parser of the aviatrix source: the first byte picks it (its value mod
 * 5: 0 gateways, 1 routes, 2 performance, 3 field_agg, then the top-N merge of the answer
 * with itself, 4 the env_file parser), the rest is the input. The parsers' promises are
 * checked: a failed body adds nothing and says why; what is kept has its fields in range.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/aviatrix_env.h"
#include "util/addr.h"
#include "collectors/aviatrix_parse.h"
#include "collectors/aviatrix_talkers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int ok)
{
	if (!ok)
		abort();
}

static void
check_rc(int rc, char *cause, size_t n, const struct np_aviatrix_skips *s)
{
	if (rc == -1)
		check(cause != NULL && n == 0 && s->skipped == 0);
	else
		check(rc == 0 && cause == NULL);
	check((s->skipped == 0) == (s->reason[0] == '\0'));
	free(cause);
}

static void
gateways(const char *b, size_t n)
{
	struct np_aviatrix_gws l = {0};
	char *cause = NULL;
	int rc = np_aviatrix_parse_gateways(b, n, &l, &cause);
	check_rc(rc, cause, l.n, &l.skips);
	for (size_t i = 0; i < l.n; i++) {
		const struct np_aviatrix_gw *g = &l.v[i];
		check(g->name[0] != '\0' && g->type && g->account && g->vpc_id && g->vpc_name &&
		      g->region && g->cloud && g->transit && g->group);
		check(g->spoke == (strcmp(g->type, "spoke") == 0));
		check(g->state <= NP_AVIATRIX_DOWN);
	}
	np_aviatrix_gws_free(&l);
}

static void
routes(const char *b, size_t n)
{
	struct np_aviatrix_routes l = {0};
	char *cause = NULL;
	int rc = np_aviatrix_parse_routes(b, n, &l, &cause);
	check_rc(rc, cause, l.n, &l.skips);
	for (size_t i = 0; i < l.n; i++) {
		check(l.v[i].gw[0] != '\0' && np_aviatrix_routes_find(&l, l.v[i].gw) == &l.v[i]);
		for (size_t t = 0; t < l.v[i].ntun; t++) {
			const struct np_aviatrix_tunnel *tu = &l.v[i].tun[t];
			check(strncmp(tu->name, "tun-", 4) == 0);
			check(tu->up + tu->down + tu->other > 0);
			check((tu->state == NP_AVIATRIX_UP) == (tu->up > 0));
			for (size_t u = 0; u < t; u++)
				check(strcmp(l.v[i].tun[u].name, tu->name) != 0);
		}
	}
	np_aviatrix_routes_free(&l);
}

static void
perf(const char *b, size_t n)
{
	struct np_aviatrix_perf l = {0};
	char *cause = NULL;
	int rc = np_aviatrix_parse_perf(b, n, &l, &cause);
	check_rc(rc, cause, l.n, &l.skips);
	for (size_t i = 0; i < l.n; i++) {
		const struct np_aviatrix_iface *f = &l.v[i];
		check(strcmp(f->name, "eth0") == 0 || strncmp(f->name, "tun-", 4) == 0);
		for (int m = 0; m < 2; m++) {
			check(f->m[m].n == 0 || f->m[m].has_samples);
			for (size_t k = 1; k < f->m[m].n; k++)
				check(f->m[m].s[k - 1].ts_ms < f->m[m].s[k].ts_ms);
		}
	}
	np_aviatrix_perf_free(&l);
}

static void
field_agg(const char *b, size_t n)
{
	struct np_aviatrix_talkers l = {0};
	char *cause = NULL;
	int rc = np_aviatrix_parse_field_agg(b, n, &l, &cause);
	check_rc(rc, cause, l.n, &l.skips);
	for (size_t i = 0; i < l.n; i++)
		check(l.v[i].key[0] != '\0');
	const struct np_aviatrix_talkers *ls[2] = {&l, &l};
	struct np_aviatrix_top *top = NULL;
	size_t k = np_aviatrix_top_merge(ls, 2, 10, &top);
	check(k <= 10 && k <= l.n);
	for (size_t i = 1; i < k; i++) {
		check(top[i - 1].bytes >= top[i].bytes);
		check(top[i - 1].bytes > top[i].bytes || np_addr_cmp(top[i - 1].ip, top[i].ip) < 0);
	}
	np_aviatrix_top_free(top, k);
	np_aviatrix_talkers_free(&l);
}

static void
env(const char *b, size_t n)
{
	struct np_aviatrix_env e;
	char *cause = NULL;
	int rc = np_aviatrix_env_parse(b, n, "f.env", &e, &cause);
	if (rc == -1) {
		check(cause != NULL && strncmp(cause, "f.env:", 6) == 0);
		check(e.url == NULL && e.user == NULL && e.pass == NULL);
	} else {
		check(cause == NULL);
		check(e.url == NULL || e.url[0] != '\0');
		check(e.pass == NULL || e.pass[0] != '\0');
		if (e.url != NULL)
			free(np_aviatrix_url_normalize(e.url));
	}
	free(cause);
	np_aviatrix_env_free(&e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *b = (const char *)data + 1;
	size_t n = size - 1;
	switch (data[0] % 5) {
	case 0:
		gateways(b, n);
		break;
	case 1:
		routes(b, n);
		break;
	case 2:
		perf(b, n);
		break;
	case 3:
		field_agg(b, n);
		break;
	default:
		env(b, n);
		break;
	}
	return 0;
}
