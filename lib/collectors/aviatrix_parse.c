#include "collectors/aviatrix_parse.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/cause.h"
#include "util/xmalloc.h"

static json_t *
load(const char *what, const char *body, size_t len, char **cause)
{
	json_error_t err;
	json_t *root = json_loadb(body, len, 0, &err);
	if (root == NULL)
		np_cause(cause, "%s: not JSON: line %d column %d: %s", what, err.line, err.column,
		         err.text);
	return root;
}

static void skip(struct np_aviatrix_skips *s, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
skip(struct np_aviatrix_skips *s, const char *what, const char *fmt, ...)
{
	if (s->skipped++ > 0)
		return;
	int k = snprintf(s->reason, sizeof(s->reason), "%s: ", what);
	if (k < 0 || (size_t)k >= sizeof(s->reason))
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->reason + k, sizeof(s->reason) - (size_t)k, fmt, ap);
	va_end(ap);
}

static void *
grow(void *v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 16;
	return np_xreallocarray(v, *cap, size);
}
#define PUSH(l) ((l)->v = grow((l)->v, &(l)->cap, (l)->n, sizeof(*(l)->v)), &(l)->v[(l)->n++])

/* A string field copied; "" when absent or not a string. */
static char *
str_or_empty(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return np_xstrdup(json_is_string(v) ? json_string_value(v) : "");
}

/* The first of the keys that is a string, or NULL. */
static const char *
first_str(const json_t *o, const char *const *keys)
{
	for (; *keys != NULL; keys++) {
		const json_t *v = json_object_get(o, *keys);
		if (json_is_string(v))
			return json_string_value(v);
	}
	return NULL;
}

static bool
num_u64(const json_t *v, uint64_t *out)
{
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);
		if (i < 0)
			return false;
		*out = (uint64_t)i;
		return true;
	}
	if (json_is_real(v)) {
		double d = json_real_value(v);
		if (!isfinite(d) || d < 0 || d >= 18446744073709551616.0)
			return false;
		*out = (uint64_t)d;
		return true;
	}
	return false;
}

/* A timestamp in ms: an integer or a real within +-2^62. */
static bool
num_ts(const json_t *v, int64_t *out)
{
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);
		if (i < -(1LL << 62) || i > (1LL << 62))
			return false;
		*out = (int64_t)i;
		return true;
	}
	if (json_is_real(v)) {
		double d = json_real_value(v);
		if (!isfinite(d) || d < -4611686018427387904.0 || d > 4611686018427387904.0)
			return false;
		*out = (int64_t)d;
		return true;
	}
	return false;
}

static enum np_aviatrix_state
state_word(const char *s)
{
	static const char *const up[] = {"up", "active", "running", NULL};
	static const char *const down[] = {"down", "stopped", "inactive", "error", NULL};
	if (s == NULL)
		return NP_AVIATRIX_NONE;
	for (size_t i = 0; up[i] != NULL; i++)
		if (strcasecmp(s, up[i]) == 0)
			return NP_AVIATRIX_UP;
	for (size_t i = 0; down[i] != NULL; i++)
		if (strcasecmp(s, down[i]) == 0)
			return NP_AVIATRIX_DOWN;
	return NP_AVIATRIX_NONE;
}

/* --- gateways --- */

int
np_aviatrix_parse_gateways(const char *body, size_t len, struct np_aviatrix_gws *out, char **cause)
{
	static const char what[] = "gateways";
	static const char *const type_keys[] = {"$gw_type", "gw_type", NULL};
	static const char *const state_keys[] = {"state", "gw_state", "status", NULL};
	json_t *root = load(what, body, len, cause);
	if (root == NULL)
		return -1;
	const json_t *res = json_is_object(root) ? json_object_get(root, "results") : NULL;
	if (!json_is_array(res)) {
		np_cause(cause, "%s: not an object with a \"results\" array", what);
		json_decref(root);
		return -1;
	}
	size_t i;
	const json_t *e;
	json_array_foreach(res, i, e)
	{
		if (!json_is_object(e)) {
			skip(&out->skips, what, "element %zu: not an object", i);
			continue;
		}
		const json_t *name = json_object_get(e, "gw_name");
		if (!json_is_string(name) || json_string_length(name) == 0) {
			skip(&out->skips, what, "element %zu: 'gw_name' is not a non-empty string",
			     i);
			continue;
		}
		struct np_aviatrix_gw *g = PUSH(out);
		memset(g, 0, sizeof(*g));
		g->name = np_xstrdup(json_string_value(name));
		const char *t = first_str(e, type_keys);
		g->type = np_xstrdup(t != NULL ? t : "");
		for (char *p = g->type; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
		g->spoke = strcmp(g->type, "spoke") == 0;
		g->account = str_or_empty(e, "account_name");
		g->vpc_id = str_or_empty(e, "vpc_id");
		g->vpc_name = str_or_empty(e, "vpc_name");
		g->region = str_or_empty(e, "vpc_region");
		g->cloud = str_or_empty(e, "vendor_name");
		g->transit = str_or_empty(e, "transit_gw_name");
		g->group = str_or_empty(e, "group_name");
		g->state = state_word(first_str(e, state_keys));
	}
	json_decref(root);
	return 0;
}

void
np_aviatrix_gws_free(struct np_aviatrix_gws *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct np_aviatrix_gw *g = &l->v[i];
		free(g->name);
		free(g->type);
		free(g->account);
		free(g->vpc_id);
		free(g->vpc_name);
		free(g->region);
		free(g->cloud);
		free(g->transit);
		free(g->group);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* --- routes --- */

static struct np_aviatrix_route_gw *
route_gw(struct np_aviatrix_routes *out, const char *gw)
{
	for (size_t i = 0; i < out->n; i++)
		if (strcmp(out->v[i].gw, gw) == 0)
			return &out->v[i];
	struct np_aviatrix_route_gw *g = PUSH(out);
	memset(g, 0, sizeof(*g));
	g->gw = np_xstrdup(gw);
	return g;
}

static struct np_aviatrix_tunnel *
route_tunnel(struct np_aviatrix_route_gw *g, const char *dev)
{
	for (size_t i = 0; i < g->ntun; i++)
		if (strcmp(g->tun[i].name, dev) == 0)
			return &g->tun[i];
	g->tun = np_xreallocarray(g->tun, g->ntun + 1, sizeof(*g->tun));
	struct np_aviatrix_tunnel *t = &g->tun[g->ntun++];
	memset(t, 0, sizeof(*t));
	t->name = np_xstrdup(dev);
	return t;
}

int
np_aviatrix_parse_routes(const char *body, size_t len, struct np_aviatrix_routes *out, char **cause)
{
	static const char what[] = "routes";
	json_t *root = load(what, body, len, cause);
	if (root == NULL)
		return -1;
	if (!json_is_array(root)) {
		np_cause(cause, "%s: not a JSON array", what);
		json_decref(root);
		return -1;
	}
	size_t i;
	const json_t *e;
	json_array_foreach(root, i, e)
	{
		if (!json_is_object(e)) {
			skip(&out->skips, what, "element %zu: not an object", i);
			continue;
		}
		const json_t *name = json_object_get(e, "gw_name");
		if (!json_is_string(name) || json_string_length(name) == 0) {
			skip(&out->skips, what, "element %zu: 'gw_name' is not a non-empty string",
			     i);
			continue;
		}
		const json_t *rt = json_object_get(e, "route_table");
		if (rt != NULL && !json_is_null(rt) && !json_is_array(rt)) {
			skip(&out->skips, what, "element %zu: 'route_table' is not an array", i);
			continue;
		}
		struct np_aviatrix_route_gw *g = route_gw(out, json_string_value(name));
		size_t j;
		const json_t *r;
		json_array_foreach(rt, j, r)
		{
			const json_t *dev = json_is_object(r) ? json_object_get(r, "dev") : NULL;
			if (!json_is_string(dev)) {
				skip(&out->skips, what, "element %zu: route %zu: no 'dev' string",
				     i, j);
				continue;
			}
			if (strncmp(json_string_value(dev), "tun-", 4) != 0)
				continue;
			struct np_aviatrix_tunnel *t = route_tunnel(g, json_string_value(dev));
			const json_t *st = json_object_get(r, "status");
			const char *s = json_is_string(st) ? json_string_value(st) : "";
			if (strcasecmp(s, "up") == 0)
				t->up++;
			else if (strcasecmp(s, "down") == 0)
				t->down++;
			else
				t->other++;
		}
	}
	for (size_t k = 0; k < out->n; k++)
		for (size_t t = 0; t < out->v[k].ntun; t++) {
			struct np_aviatrix_tunnel *tu = &out->v[k].tun[t];
			tu->state = tu->up > 0                       ? NP_AVIATRIX_UP
			            : tu->down > 0 && tu->other == 0 ? NP_AVIATRIX_DOWN
			                                             : NP_AVIATRIX_NONE;
		}
	json_decref(root);
	return 0;
}

const struct np_aviatrix_route_gw *
np_aviatrix_routes_find(const struct np_aviatrix_routes *r, const char *gw)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].gw, gw) == 0)
			return &r->v[i];
	return NULL;
}

void
np_aviatrix_routes_free(struct np_aviatrix_routes *l)
{
	for (size_t i = 0; i < l->n; i++) {
		for (size_t t = 0; t < l->v[i].ntun; t++)
			free(l->v[i].tun[t].name);
		free(l->v[i].tun);
		free(l->v[i].gw);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* --- performance --- */

/* A sample with its place in the answer: ties of time keep the answer's order. */
struct idx {
	struct np_aviatrix_sample s;
	size_t i;
};

static int
idx_cmp(const void *a, const void *b)
{
	const struct idx *x = a, *y = b;
	if (x->s.ts_ms != y->s.ts_ms)
		return x->s.ts_ms < y->s.ts_ms ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static void
parse_metric(const json_t *m, struct np_aviatrix_metric *out, struct np_aviatrix_skips *sk,
             const char *ifname, const char *mname)
{
	static const char what[] = "performance";
	if (!json_is_object(m))
		return;
	uint64_t v;
	if (num_u64(json_object_get(m, "last"), &v) || num_u64(json_object_get(m, "max"), &v)) {
		out->has_now = true;
		out->now = v;
	}
	const json_t *s = json_object_get(m, "samples");
	if (!json_is_array(s))
		return;
	out->has_samples = true;
	out->s = json_array_size(s) ? np_xcalloc(json_array_size(s), sizeof(*out->s)) : NULL;
	size_t i;
	const json_t *e;
	json_array_foreach(s, i, e)
	{
		int64_t ts;
		if (!json_is_array(e) || json_array_size(e) < 2 ||
		    !num_ts(json_array_get(e, 0), &ts) || !num_u64(json_array_get(e, 1), &v)) {
			skip(sk, what, "%s %s: sample %zu is not [time, count]", ifname, mname, i);
			continue;
		}
		out->s[out->n].ts_ms = ts;
		out->s[out->n++].v = v;
	}
	/* Order by time (stable: samples usually come sorted), then one per timestamp: the last
	 * given. */
	if (out->n > 1) {
		struct idx *t = np_xcalloc(out->n, sizeof(*t));
		for (size_t k = 0; k < out->n; k++)
			t[k] = (struct idx){out->s[k], k};
		if (out->n > 0) /* qsort(NULL, 0, ...) is undefined */
			qsort(t, out->n, sizeof(*t), idx_cmp);
		size_t n = 0;
		for (size_t k = 0; k < out->n; k++) {
			if (n > 0 && out->s[n - 1].ts_ms == t[k].s.ts_ms)
				n--;
			out->s[n++] = t[k].s;
		}
		out->n = n;
		free(t);
	}
}

int
np_aviatrix_parse_perf(const char *body, size_t len, struct np_aviatrix_perf *out, char **cause)
{
	static const char what[] = "performance";
	json_t *root = load(what, body, len, cause);
	if (root == NULL)
		return -1;
	if (!json_is_array(root)) {
		np_cause(cause, "%s: not a JSON array", what);
		json_decref(root);
		return -1;
	}
	if (json_array_size(root) == 0) {
		json_decref(root);
		return 0;
	}
	const json_t *e = json_array_get(root, 0);
	json_t *ifs = json_is_object(e) ? json_object_get(e, "interfaces") : NULL;
	if (!json_is_object(e) || (ifs != NULL && !json_is_null(ifs) && !json_is_object(ifs))) {
		np_cause(cause, "%s: element 0 is not an object with an \"interfaces\" object",
		         what);
		json_decref(root);
		return -1;
	}
	const char *name;
	json_t *m;
	json_object_foreach(ifs, name, m)
	{
		if (strcmp(name, "eth0") != 0 && strncmp(name, "tun-", 4) != 0)
			continue;
		if (!json_is_object(m)) {
			skip(&out->skips, what, "%s: not an object", name);
			continue;
		}
		struct np_aviatrix_iface *f = PUSH(out);
		memset(f, 0, sizeof(*f));
		f->name = np_xstrdup(name);
		parse_metric(json_object_get(m, "rx_bytes"), &f->m[NP_AVIATRIX_RX], &out->skips,
		             name, "rx_bytes");
		parse_metric(json_object_get(m, "tx_bytes"), &f->m[NP_AVIATRIX_TX], &out->skips,
		             name, "tx_bytes");
	}
	json_decref(root);
	return 0;
}

void
np_aviatrix_perf_free(struct np_aviatrix_perf *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].m[0].s);
		free(l->v[i].m[1].s);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* --- field_agg --- */

/* An address in canonical text, or a copy of s when it is not one. */
static char *
canonical(const char *s)
{
	unsigned char a[16];
	char buf[INET6_ADDRSTRLEN];
	if (inet_pton(AF_INET, s, a) == 1 && inet_ntop(AF_INET, a, buf, sizeof(buf)) != NULL)
		return np_xstrdup(buf);
	if (inet_pton(AF_INET6, s, a) == 1 && inet_ntop(AF_INET6, a, buf, sizeof(buf)) != NULL)
		return np_xstrdup(buf);
	return np_xstrdup(s);
}

int
np_aviatrix_parse_field_agg(const char *body, size_t len, struct np_aviatrix_talkers *out,
                            char **cause)
{
	static const char what[] = "field_agg";
	json_t *root = load(what, body, len, cause);
	if (root == NULL)
		return -1;
	const json_t *vals = json_is_object(root) ? json_object_get(root, "value") : NULL;
	if (!json_is_array(vals)) {
		np_cause(cause, "%s: not an object with a \"value\" array", what);
		json_decref(root);
		return -1;
	}
	size_t i;
	const json_t *e;
	json_array_foreach(vals, i, e)
	{
		const json_t *k = json_is_object(e) ? json_object_get(e, "key") : NULL;
		uint64_t b;
		if (!json_is_string(k) || json_string_length(k) == 0 ||
		    strlen(json_string_value(k)) != json_string_length(k)) {
			skip(&out->skips, what, "element %zu: 'key' is not a non-empty string", i);
			continue;
		}
		if (!num_u64(json_object_get(e, "value"), &b)) {
			skip(&out->skips, what, "element %zu: 'value' is not a byte count", i);
			continue;
		}
		struct np_aviatrix_talker *t = PUSH(out);
		t->key = canonical(json_string_value(k));
		t->bytes = b;
	}
	json_decref(root);
	return 0;
}

void
np_aviatrix_talkers_free(struct np_aviatrix_talkers *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].key);
	free(l->v);
	memset(l, 0, sizeof(*l));
}
