#include "collectors/meraki_parse.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cause.h"
#include "util/xmalloc.h"

/* The page as a JSON array, or NULL with *cause. */
static json_t *
load(const char *what, const char *body, size_t len, char **cause)
{
	json_error_t err;
	json_t *root = json_loadb(body, len, 0, &err);
	if (root == NULL) {
		np_cause(cause, "%s: not JSON: line %d column %d: %s", what, err.line, err.column,
		         err.text);
		return NULL;
	}
	if (!json_is_array(root)) {
		np_cause(cause, "%s: not a JSON array", what);
		json_decref(root);
		return NULL;
	}
	return root;
}

static void skip(struct np_meraki_skips *s, const char *what, size_t i, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
skip(struct np_meraki_skips *s, const char *what, size_t i, const char *fmt, ...)
{
	if (s->skipped++ > 0)
		return;
	int k = snprintf(s->reason, sizeof(s->reason), "%s: element %zu: ", what, i);
	if (k < 0 || (size_t)k >= sizeof(s->reason))
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->reason + k, sizeof(s->reason) - (size_t)k, fmt, ap);
	va_end(ap);
}

/* Room for one more element of a list's array. */
static void *
grow(void *v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 16;
	return np_xreallocarray(v, *cap, size);
}
#define PUSH(l) ((l)->v = grow((l)->v, &(l)->cap, (l)->n, sizeof(*(l)->v)), &(l)->v[(l)->n++])

/* A string field copied, or NULL when absent, null or of another type. */
static char *
opt_str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_string(v) ? np_xstrdup(json_string_value(v)) : NULL;
}

/* 0 with *out a copy (NULL when absent or null); -1 when present with another type. */
static int
str_or_null(const json_t *o, const char *key, char **out)
{
	const json_t *v = json_object_get(o, key);
	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	*out = np_xstrdup(json_string_value(v));
	return 0;
}

static void
add_tag(char ***tags, size_t *n, const char *s, size_t len)
{
	*tags = np_xreallocarray(*tags, *n + 1, sizeof(**tags));
	(*tags)[(*n)++] = np_xstrndup(s, len);
}

/* v1: an array of strings; v0: one space-separated string; null/absent: none. -1: wrong type. */
static int
parse_tags(const json_t *o, char ***tags, size_t *ntags)
{
	const json_t *v = json_object_get(o, "tags");
	*tags = NULL;
	*ntags = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_array(v)) {
		size_t i;
		const json_t *t;
		json_array_foreach(v, i, t)
		{
			if (json_is_string(t) && json_string_length(t) > 0)
				add_tag(tags, ntags, json_string_value(t),
				        strlen(json_string_value(t)));
		}
		return 0;
	}
	if (!json_is_string(v))
		return -1;
	const char *p = json_string_value(v);
	while (*p != '\0') {
		p += strspn(p, " \t");
		size_t len = strcspn(p, " \t");
		if (len > 0)
			add_tag(tags, ntags, p, len);
		p += len;
	}
	return 0;
}

static void
free_tags(char **tags, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(tags[i]);
	free(tags);
}

int
np_meraki_vlan_id(const char *s)
{
	if (s == NULL || *s == '\0' || strlen(s) > 4)
		return -1;
	int v = 0;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v <= 4095 ? v : -1;
}

/* A VLAN id given as an integer or a string of one; -1 otherwise. */
static int
json_vlan(const json_t *v)
{
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);
		return i >= 0 && i <= 4095 ? (int)i : -1;
	}
	if (json_is_string(v))
		return np_meraki_vlan_id(json_string_value(v));
	return -1;
}

int
np_meraki_parse_orgs(const char *body, size_t len, struct np_meraki_orgs *out, char **cause)
{
	static const char what[] = "organizations";
	json_t *root = load(what, body, len, cause);
	if (root == NULL)
		return -1;
	size_t i;
	const json_t *e;
	json_array_foreach(root, i, e)
	{
		if (!json_is_object(e)) {
			skip(&out->skips, what, i, "not an object");
			continue;
		}
		const json_t *id = json_object_get(e, "id");
		char *sid;
		if (json_is_string(id))
			sid = np_xstrdup(json_string_value(id));
		else if (json_is_integer(id))
			sid = np_xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(id));
		else {
			skip(&out->skips, what, i, "'id' is not a string");
			continue;
		}
		char *name;
		if (str_or_null(e, "name", &name) == -1) {
			skip(&out->skips, what, i, "'name' is not a string");
			free(sid);
			continue;
		}
		struct np_meraki_org *o = PUSH(out);
		o->id = sid;
		o->name = name != NULL ? name : np_xstrdup(sid);
	}
	json_decref(root);
	return 0;
}

int
np_meraki_parse_nets(const char *body, size_t len, struct np_meraki_nets *out, char **cause)
{
	static const char what[] = "networks";
	json_t *root = load(what, body, len, cause);
	if (root == NULL)
		return -1;
	size_t i;
	const json_t *e;
	json_array_foreach(root, i, e)
	{
		if (!json_is_object(e)) {
			skip(&out->skips, what, i, "not an object");
			continue;
		}
		const json_t *id = json_object_get(e, "id");
		if (!json_is_string(id)) {
			skip(&out->skips, what, i, "'id' is not a string");
			continue;
		}
		struct np_meraki_net n = {0};
		if (str_or_null(e, "name", &n.name) == -1) {
			skip(&out->skips, what, i, "'name' is not a string");
			continue;
		}
		if (parse_tags(e, &n.tags, &n.ntags) == -1) {
			skip(&out->skips, what, i, "'tags' is neither a list nor a string");
			free(n.name);
			continue;
		}
		n.id = np_xstrdup(json_string_value(id));
		if (n.name == NULL)
			n.name = np_xstrdup(n.id);
		n.org_id = opt_str(e, "organizationId");
		n.time_zone = opt_str(e, "timeZone");
		*PUSH(out) = n;
	}
	json_decref(root);
	return 0;
}

int
np_meraki_parse_devices(const char *body, size_t len, struct np_meraki_devices *out, char **cause)
{
	static const char what[] = "devices";
	json_t *root = load(what, body, len, cause);
	if (root == NULL)
		return -1;
	size_t i;
	const json_t *e;
	json_array_foreach(root, i, e)
	{
		if (!json_is_object(e)) {
			skip(&out->skips, what, i, "not an object");
			continue;
		}
		const json_t *serial = json_object_get(e, "serial");
		if (!json_is_string(serial)) {
			skip(&out->skips, what, i, "'serial' is not a string");
			continue;
		}
		struct np_meraki_device d = {0};
		if (parse_tags(e, &d.tags, &d.ntags) == -1) {
			skip(&out->skips, what, i, "'tags' is neither a list nor a string");
			continue;
		}
		d.serial = np_xstrdup(json_string_value(serial));
		d.name = opt_str(e, "name");
		d.model = opt_str(e, "model");
		d.net_id = opt_str(e, "networkId");
		d.product_type = opt_str(e, "productType");
		*PUSH(out) = d;
	}
	json_decref(root);
	return 0;
}

static enum np_meraki_status
status_of(const json_t *v)
{
	static const struct {
		const char *word;
		enum np_meraki_status st;
	} words[] = {
	    {"online", NP_MERAKI_ST_ONLINE},
	    {"alerting", NP_MERAKI_ST_ALERTING},
	    {"offline", NP_MERAKI_ST_OFFLINE},
	    {"dormant", NP_MERAKI_ST_DORMANT},
	};
	if (!json_is_string(v))
		return NP_MERAKI_ST_UNKNOWN;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(json_string_value(v), words[i].word) == 0)
			return words[i].st;
	return NP_MERAKI_ST_UNKNOWN;
}

int
np_meraki_parse_statuses(const char *body, size_t len, struct np_meraki_statuses *out, char **cause)
{
	static const char what[] = "device statuses";
	json_t *root = load(what, body, len, cause);
	if (root == NULL)
		return -1;
	size_t i;
	const json_t *e;
	json_array_foreach(root, i, e)
	{
		if (!json_is_object(e)) {
			skip(&out->skips, what, i, "not an object");
			continue;
		}
		const json_t *serial = json_object_get(e, "serial");
		if (!json_is_string(serial)) {
			skip(&out->skips, what, i, "'serial' is not a string");
			continue;
		}
		struct np_meraki_status_entry *s = PUSH(out);
		s->serial = np_xstrdup(json_string_value(serial));
		s->name = opt_str(e, "name");
		s->net_id = opt_str(e, "networkId");
		s->product_type = opt_str(e, "productType");
		s->status = status_of(json_object_get(e, "status"));
	}
	json_decref(root);
	return 0;
}

int
np_meraki_parse_vlans(const char *body, size_t len, struct np_meraki_vlans *out, char **cause)
{
	static const char what[] = "vlans";
	json_t *root = load(what, body, len, cause);
	if (root == NULL)
		return -1;
	size_t i;
	const json_t *e;
	json_array_foreach(root, i, e)
	{
		if (!json_is_object(e)) {
			skip(&out->skips, what, i, "not an object");
			continue;
		}
		int id = json_vlan(json_object_get(e, "id"));
		if (id < 0) {
			skip(&out->skips, what, i, "'id' is not a VLAN id (0..4095)");
			continue;
		}
		struct np_meraki_vlan *v = PUSH(out);
		v->id = id;
		v->name = opt_str(e, "name");
		v->subnet = opt_str(e, "subnet");
	}
	json_decref(root);
	return 0;
}

/* A usage amount in kB, or -1 when it is not one. */
static double
usage_kb(const json_t *usage, const char *key)
{
	const json_t *v = json_object_get(usage, key);
	if (!json_is_number(v))
		return -1;
	double d = json_number_value(v);
	return isfinite(d) && d >= 0 && d <= NP_MERAKI_USAGE_MAX ? d : -1;
}

int
np_meraki_parse_clients(const char *body, size_t len, struct np_meraki_clients *out, char **cause)
{
	static const char what[] = "clients";
	json_t *root = load(what, body, len, cause);
	if (root == NULL)
		return -1;
	size_t i;
	const json_t *e;
	json_array_foreach(root, i, e)
	{
		if (!json_is_object(e)) {
			skip(&out->skips, what, i, "not an object");
			continue;
		}
		const json_t *usage = json_object_get(e, "usage");
		if (!json_is_object(usage)) {
			skip(&out->skips, what, i, "'usage' is not an object");
			continue;
		}
		double sent = usage_kb(usage, "sent"), recv = usage_kb(usage, "recv");
		if (sent < 0 || recv < 0) {
			skip(&out->skips, what, i, "'usage.%s' is not a number of kB",
			     sent < 0 ? "sent" : "recv");
			continue;
		}
		struct np_meraki_client *c = PUSH(out);
		*c = (struct np_meraki_client){.sent_kb = sent, .recv_kb = recv};
		c->id = opt_str(e, "id");
		c->mac = opt_str(e, "mac");
		c->ip = opt_str(e, "ip");
		struct in_addr a;
		if (c->ip != NULL && inet_pton(AF_INET, c->ip, &a) == 1) {
			c->ip4 = ntohl(a.s_addr);
			c->has_ip4 = true;
		}
		c->vlan = json_vlan(json_object_get(e, "vlan"));
	}
	json_decref(root);
	return 0;
}

void
np_meraki_orgs_free(struct np_meraki_orgs *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].id);
		free(l->v[i].name);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void
np_meraki_nets_free(struct np_meraki_nets *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct np_meraki_net *n = &l->v[i];
		free(n->id);
		free(n->name);
		free(n->org_id);
		free(n->time_zone);
		free_tags(n->tags, n->ntags);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void
np_meraki_devices_free(struct np_meraki_devices *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct np_meraki_device *d = &l->v[i];
		free(d->serial);
		free(d->name);
		free(d->model);
		free(d->net_id);
		free(d->product_type);
		free_tags(d->tags, d->ntags);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void
np_meraki_statuses_free(struct np_meraki_statuses *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct np_meraki_status_entry *s = &l->v[i];
		free(s->serial);
		free(s->name);
		free(s->net_id);
		free(s->product_type);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void
np_meraki_vlans_free(struct np_meraki_vlans *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].subnet);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void
np_meraki_clients_free(struct np_meraki_clients *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].id);
		free(l->v[i].mac);
		free(l->v[i].ip);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}
