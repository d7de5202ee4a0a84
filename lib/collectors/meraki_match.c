#include "collectors/meraki_match.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/cause.h"
#include "util/xmalloc.h"

static const struct {
	const char *name;
	unsigned bits;
} dtypes[] = {
    {"mx", NP_MERAKI_DT_MX},
    {"mr", NP_MERAKI_DT_MR},
    {"ms", NP_MERAKI_DT_MS},
    {"all", NP_MERAKI_DT_ALL},
};

int
np_meraki_filter_parse(const char *const *terms, size_t n, struct np_meraki_filter *f, char **cause)
{
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < n; i++) {
		const char *t = terms[i], *colon = strchr(t, ':');
		if (colon == NULL || colon[1] == '\0') {
			np_cause(cause,
			         "filter '%s': expected label:value (org:, net:, tag:, dtag:, "
			         "dtype:)",
			         t);
			goto fail;
		}
		size_t ll = (size_t)(colon - t);
		const char *value = colon + 1;
		char **slot = NULL;
		if (ll == 3 && strncasecmp(t, "org", 3) == 0)
			slot = &f->org;
		else if (ll == 3 && strncasecmp(t, "net", 3) == 0)
			slot = &f->net;
		else if (ll == 3 && strncasecmp(t, "tag", 3) == 0)
			slot = &f->tag;
		else if (ll == 4 && strncasecmp(t, "dtag", 4) == 0)
			slot = &f->dtag;
		else if (ll == 5 && strncasecmp(t, "dtype", 5) == 0) {
			if (f->dtypes != 0) {
				np_cause(cause, "filter '%s': dtype given twice", t);
				goto fail;
			}
			for (size_t d = 0; d < sizeof(dtypes) / sizeof(dtypes[0]); d++)
				if (strcasecmp(value, dtypes[d].name) == 0)
					f->dtypes = dtypes[d].bits;
			if (f->dtypes == 0) {
				np_cause(cause, "filter '%s': dtype is one of mx, mr, ms, all", t);
				goto fail;
			}
			continue;
		} else {
			np_cause(cause, "filter '%s': unknown label (org, net, tag, dtag, dtype)",
			         t);
			goto fail;
		}
		if (*slot != NULL) {
			np_cause(cause, "filter '%s': %.*s given twice", t, (int)ll, t);
			goto fail;
		}
		*slot = np_xstrdup(value);
	}
	if (f->dtypes == 0)
		f->dtypes = NP_MERAKI_DT_MX;
	return 0;
fail:
	np_meraki_filter_free(f);
	return -1;
}

void
np_meraki_filter_free(struct np_meraki_filter *f)
{
	free(f->org);
	free(f->net);
	free(f->tag);
	free(f->dtag);
	memset(f, 0, sizeof(*f));
}

static bool
has_tag(char *const *tags, size_t n, const char *tag)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(tags[i], tag) == 0)
			return true;
	return false;
}

bool
np_meraki_filter_org(const struct np_meraki_filter *f, const struct np_meraki_org *o)
{
	return f->org == NULL || strcmp(f->org, o->name) == 0;
}

bool
np_meraki_filter_net(const struct np_meraki_filter *f, const struct np_meraki_net *n)
{
	if (f->net != NULL && strcmp(f->net, n->name) != 0)
		return false;
	return f->tag == NULL || has_tag(n->tags, n->ntags, f->tag);
}

static unsigned
model_type(const char *model)
{
	if (model == NULL)
		return 0;
	if (strncasecmp(model, "MX", 2) == 0 || strncasecmp(model, "Z", 1) == 0)
		return NP_MERAKI_DT_MX;
	if (strncasecmp(model, "MR", 2) == 0)
		return NP_MERAKI_DT_MR;
	if (strncasecmp(model, "MS", 2) == 0)
		return NP_MERAKI_DT_MS;
	return 0;
}

bool
np_meraki_filter_device(const struct np_meraki_filter *f, const struct np_meraki_device *d)
{
	if ((model_type(d->model) & f->dtypes) == 0)
		return false;
	return f->dtag == NULL || has_tag(d->tags, d->ntags, f->dtag);
}

/* A network's id and index, sorted by id for the devices' lookups. */
struct net_key {
	const char *id;
	size_t idx;
};

static int
cmp_key(const void *a, const void *b)
{
	return strcmp(((const struct net_key *)a)->id, ((const struct net_key *)b)->id);
}

size_t
np_meraki_select(const struct np_meraki_filter *f, const struct np_meraki_nets *nets,
                 const struct np_meraki_devices *devices, bool *net_sel, bool *dev_sel)
{
	for (size_t i = 0; i < devices->n; i++)
		dev_sel[i] = false;
	if (nets->n == 0)
		return 0;
	bool *net_ok = np_xcalloc(nets->n, sizeof(*net_ok));
	struct net_key *keys = np_xcalloc(nets->n, sizeof(*keys));
	for (size_t j = 0; j < nets->n; j++) {
		net_sel[j] = false;
		net_ok[j] = np_meraki_filter_net(f, &nets->v[j]);
		keys[j] = (struct net_key){nets->v[j].id, j};
	}
	qsort(keys, nets->n, sizeof(*keys), cmp_key);
	size_t count = 0;
	for (size_t i = 0; i < devices->n; i++) {
		const struct np_meraki_device *d = &devices->v[i];
		if (d->net_id == NULL || !np_meraki_filter_device(f, d))
			continue;
		struct net_key k = {d->net_id, 0};
		const struct net_key *hit = bsearch(&k, keys, nets->n, sizeof(*keys), cmp_key);
		if (hit == NULL || !net_ok[hit->idx])
			continue;
		dev_sel[i] = true;
		if (!net_sel[hit->idx]) {
			net_sel[hit->idx] = true;
			count++;
		}
	}
	free(keys);
	free(net_ok);
	return count;
}

int
np_meraki_subnet_parse(const char *s, struct np_meraki_subnet *out, char **cause)
{
	const char *slash = strchr(s, '/');
	char addr[INET_ADDRSTRLEN];
	size_t alen = slash != NULL ? (size_t)(slash - s) : 0;
	if (slash == NULL || alen == 0 || alen >= sizeof(addr)) {
		np_cause(cause, "subnet '%s': expected an IPv4 subnet A.B.C.D/N", s);
		return -1;
	}
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	struct in_addr a;
	if (inet_pton(AF_INET, addr, &a) != 1) {
		np_cause(cause, "subnet '%s': '%s' is not an IPv4 address (only IPv4 subnets)", s,
		         addr);
		return -1;
	}
	const char *p = slash + 1;
	int bits = 0;
	size_t nd = 0;
	for (; *p >= '0' && *p <= '9' && nd < 3; p++, nd++)
		bits = bits * 10 + (*p - '0');
	if (nd == 0 || *p != '\0' || bits > 32) {
		np_cause(cause, "subnet '%s': the prefix length is not 0..32", s);
		return -1;
	}
	uint32_t mask = bits == 0 ? 0 : 0xffffffffu << (32 - bits);
	uint32_t ip = ntohl(a.s_addr);
	if ((ip & ~mask) != 0) {
		struct in_addr net = {.s_addr = htonl(ip & mask)};
		char buf[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &net, buf, sizeof(buf));
		np_cause(cause, "subnet '%s' has host bits set (the network is %s/%d)", s, buf,
		         bits);
		return -1;
	}
	out->addr = ip;
	out->mask = mask;
	return 0;
}

void
np_meraki_groups_free(struct np_meraki_groups *g)
{
	for (size_t i = 0; i < g->n; i++) {
		struct np_meraki_group *gr = &g->v[i];
		free(gr->subnets);
		free(gr->vlan_ids);
		free(gr->own_name);
		if (gr->own_vlan_names != NULL)
			for (size_t k = 0; k < gr->nvlan_names; k++)
				free(gr->own_vlan_names[k]);
		free(gr->own_vlan_names);
	}
	free(g->v);
	memset(g, 0, sizeof(*g));
}

static void *
dup_array(const void *src, size_t n, size_t size)
{
	if (n == 0)
		return NULL;
	void *p = np_xreallocarray(NULL, n, size);
	memcpy(p, src, n * size);
	return p;
}

void
np_meraki_groups_copy(const struct np_meraki_groups *src, struct np_meraki_groups *dst)
{
	dst->n = src->n;
	dst->uses_vlans = src->uses_vlans;
	dst->v = src->n ? np_xcalloc(src->n, sizeof(*dst->v)) : NULL;
	for (size_t i = 0; i < src->n; i++) {
		const struct np_meraki_group *s = &src->v[i];
		struct np_meraki_group *d = &dst->v[i];
		d->own_name = np_xstrdup(s->name);
		d->name = d->own_name;
		d->subnets = dup_array(s->subnets, s->nsubnets, sizeof(*s->subnets));
		d->nsubnets = s->nsubnets;
		d->vlan_ids = dup_array(s->vlan_ids, s->nvlan_ids, sizeof(*s->vlan_ids));
		d->nvlan_ids = s->nvlan_ids;
		d->nvlan_names = s->nvlan_names;
		if (s->nvlan_names > 0) {
			d->own_vlan_names = np_xcalloc(s->nvlan_names, sizeof(char *));
			for (size_t k = 0; k < s->nvlan_names; k++)
				d->own_vlan_names[k] = np_xstrdup(s->vlan_names[k]);
			d->vlan_names = (const char *const *)d->own_vlan_names;
		}
	}
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? np_xstrdup(s) : NULL;
}

void
np_meraki_filter_copy(const struct np_meraki_filter *src, struct np_meraki_filter *dst)
{
	dst->org = dup_or_null(src->org);
	dst->net = dup_or_null(src->net);
	dst->tag = dup_or_null(src->tag);
	dst->dtag = dup_or_null(src->dtag);
	dst->dtypes = src->dtypes;
}

void
np_meraki_resolve(const struct np_meraki_groups *g, const struct np_meraki_vlans *vlans,
                  struct np_meraki_resolved *out)
{
	out->n = g->n;
	out->ids = g->n ? np_xcalloc(g->n, sizeof(*out->ids)) : NULL;
	out->nids = g->n ? np_xcalloc(g->n, sizeof(*out->nids)) : NULL;
	if (vlans == NULL)
		return;
	for (size_t i = 0; i < g->n; i++) {
		const struct np_meraki_group *gr = &g->v[i];
		for (size_t k = 0; k < gr->nvlan_names; k++) {
			for (size_t v = 0; v < vlans->n; v++) {
				const struct np_meraki_vlan *vl = &vlans->v[v];
				if (vl->name == NULL || strcmp(vl->name, gr->vlan_names[k]) != 0)
					continue;
				out->ids[i] = np_xreallocarray(out->ids[i], out->nids[i] + 1,
				                               sizeof(**out->ids));
				out->ids[i][out->nids[i]++] = vl->id;
			}
		}
	}
}

void
np_meraki_resolved_free(struct np_meraki_resolved *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->ids[i]);
	free(r->ids);
	free(r->nids);
	memset(r, 0, sizeof(*r));
}

static bool
has_id(const int *ids, size_t n, int id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

int
np_meraki_classify(const struct np_meraki_groups *g, const struct np_meraki_resolved *r,
                   const struct np_meraki_client *c)
{
	for (size_t i = 0; i < g->n; i++) {
		const struct np_meraki_group *gr = &g->v[i];
		if (c->has_ip4)
			for (size_t s = 0; s < gr->nsubnets; s++)
				if (np_meraki_subnet_has(&gr->subnets[s], c->ip4))
					return (int)i;
		if (c->vlan < 0)
			continue;
		if (has_id(gr->vlan_ids, gr->nvlan_ids, c->vlan))
			return (int)i;
		if (r != NULL && i < r->n && has_id(r->ids[i], r->nids[i], c->vlan))
			return (int)i;
	}
	return -1;
}
