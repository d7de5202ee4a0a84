#include "engine/linkrules.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "config/config.h"
#include "util/cause.h"
#include "util/hmap.h"
#include "util/re.h"
#include "util/str.h"
#include "util/xmalloc.h"

struct label {
	char *name;
	regex_t re;
};

struct entry {
	struct np_linkrule r;
	char *source;
	regex_t device, ifn;
	bool has_device, has_ifn;
	struct label *labels;
	size_t nlabels;
};

struct np_linkrules {
	struct entry *e;
	size_t n;
	/* The label names the entries use, and per link ("device\0interface") their values. */
	char **names;
	size_t nnames;
	struct np_hmap *memo; /* -> char *[nnames] (NULL: no such label) */
};

static const char *const levels[] = {"emerg",   "alert",  "crit", "err",
                                     "warning", "notice", "info", "debug"};

static void
entry_free(struct entry *e)
{
	free(e->source);
	if (e->has_device)
		regfree(&e->device);
	if (e->has_ifn)
		regfree(&e->ifn);
	for (size_t i = 0; i < e->nlabels; i++) {
		free(e->labels[i].name);
		regfree(&e->labels[i].re);
	}
	free(e->labels);
}

/* "name=ERE" */
static int
label_make(struct entry *e, const char *spec, char **cause)
{
	const char *eq = strchr(spec, '=');
	if (eq == NULL || eq == spec) {
		np_cause(cause, "expected NAME=REGEX, got \"%s\"", spec);
		return -1;
	}
	struct label *lb = &e->labels[e->nlabels];
	bool has = false;
	if (np_re_compile(&lb->re, &has, eq + 1, cause) == -1)
		return -1;
	lb->name = np_xstrndup(spec, (size_t)(eq - spec));
	e->nlabels++;
	return 0;
}

static int
entry_make(struct entry *e, const struct np_link_rule_cfg *c, const char **key, char **cause)
{
	e->r.alert = c->alert;
	e->r.severity = -1;
	e->r.down_after_ms = -1;
	if (c->severity != NULL) {
		for (int i = 0; i < 8; i++)
			if (strcmp(c->severity, levels[i]) == 0)
				e->r.severity = i;
	}
	e->r.down_after_ms = c->down_after != NULL ? c->down_after_ms : -1;
	if (c->source != NULL)
		e->source = np_xstrdup(c->source);
	*key = "device";
	if (np_re_compile(&e->device, &e->has_device, c->device, cause) == -1)
		return -1;
	*key = "interface";
	if (np_re_compile(&e->ifn, &e->has_ifn, c->interface, cause) == -1)
		return -1;
	*key = "labels";
	e->labels = c->nlabels ? np_xcalloc(c->nlabels, sizeof(*e->labels)) : NULL;
	for (size_t i = 0; i < c->nlabels; i++)
		if (label_make(e, c->labels[i], cause) == -1)
			return -1;
	return 0;
}

static void
add_name(struct np_linkrules *r, const char *name)
{
	for (size_t i = 0; i < r->nnames; i++)
		if (strcmp(r->names[i], name) == 0)
			return;
	r->names = np_xreallocarray(r->names, r->nnames + 1, sizeof(*r->names));
	r->names[r->nnames++] = np_xstrdup(name);
}

static void
memo_free(char **vals, size_t n)
{
	for (size_t i = 0; vals != NULL && i < n; i++)
		free(vals[i]);
	free(vals);
}

static void
memo_free_cb(const char *key, size_t keylen, void *value, void *arg)
{
	(void)key;
	(void)keylen;
	memo_free(value, *(const size_t *)arg);
}

struct np_linkrules *
np_linkrules_new(const struct np_link_rule_cfg *cfg, size_t n, size_t *bad_index,
                 const char **bad_key, char **cause)
{
	struct np_linkrules *r = np_xcalloc(1, sizeof(*r));
	r->e = n ? np_xcalloc(n, sizeof(*r->e)) : NULL;
	for (size_t i = 0; i < n; i++) {
		const char *key = NULL;
		if (entry_make(&r->e[i], &cfg[i], &key, cause) == -1) {
			entry_free(&r->e[i]);
			r->n = i;
			np_linkrules_free(r);
			if (bad_index != NULL)
				*bad_index = i;
			if (bad_key != NULL)
				*bad_key = key;
			return NULL;
		}
		r->n = i + 1;
		for (size_t j = 0; j < r->e[i].nlabels; j++)
			add_name(r, r->e[i].labels[j].name);
	}
	if (r->nnames > 0)
		r->memo = np_hmap_new();
	return r;
}

void
np_linkrules_free(struct np_linkrules *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++)
		entry_free(&r->e[i]);
	free(r->e);
	if (r->memo != NULL)
		np_hmap_foreach(r->memo, memo_free_cb, &r->nnames);
	np_hmap_free(r->memo, NULL);
	for (size_t i = 0; i < r->nnames; i++)
		free(r->names[i]);
	free(r->names);
	free(r);
}

void
np_linkrules_note(struct np_linkrules *r, const char *device, const char *interface,
                  np_linkrules_label_fn label, void *arg)
{
	if (r == NULL || r->memo == NULL)
		return;
	size_t klen;
	char *k = np_hmap_key2(device, interface, &klen);
	char **vals = np_hmap_get(r->memo, k, klen);
	bool same = vals != NULL;
	for (size_t i = 0; same && i < r->nnames; i++) {
		const char *v = label(r->names[i], arg);
		same = v == NULL ? vals[i] == NULL : vals[i] != NULL && strcmp(v, vals[i]) == 0;
	}
	if (!same) {
		char **nv = np_xcalloc(r->nnames, sizeof(*nv));
		for (size_t i = 0; i < r->nnames; i++) {
			const char *v = label(r->names[i], arg);
			nv[i] = v != NULL ? np_xstrdup(v) : NULL;
		}
		memo_free(np_hmap_put(r->memo, k, klen, nv), r->nnames);
	}
	free(k);
}

struct memo_ctx {
	const struct np_linkrules *r;
	char **vals;
};

static const char *
memo_label(const char *name, void *arg)
{
	struct memo_ctx *c = arg;
	for (size_t i = 0; c->vals != NULL && i < c->r->nnames; i++)
		if (strcmp(c->r->names[i], name) == 0)
			return c->vals[i];
	return NULL;
}

const struct np_linkrule *
np_linkrules_link(const struct np_linkrules *r, const char *sources, const char *device,
                  const char *interface)
{
	if (r == NULL)
		return NULL;
	struct memo_ctx c = {r, NULL};
	if (r->memo != NULL) {
		size_t klen;
		char *k = np_hmap_key2(device, interface, &klen);
		c.vals = np_hmap_get(r->memo, k, klen);
		free(k);
	}
	return np_linkrules_match(r, sources, device, interface, memo_label, &c);
}

static bool
labels_match(const struct entry *e, np_linkrules_label_fn label, void *arg)
{
	for (size_t i = 0; i < e->nlabels; i++) {
		const char *v = label != NULL ? label(e->labels[i].name, arg) : NULL;
		if (v == NULL || regexec(&e->labels[i].re, v, 0, NULL, 0) != 0)
			return false;
	}
	return true;
}

const struct np_linkrule *
np_linkrules_match(const struct np_linkrules *r, const char *sources, const char *device,
                   const char *interface, np_linkrules_label_fn label, void *arg)
{
	for (size_t i = 0; r != NULL && i < r->n; i++) {
		const struct entry *e = &r->e[i];
		if (e->source != NULL && !np_list_has(sources, e->source))
			continue;
		if (e->has_device && regexec(&e->device, device, 0, NULL, 0) != 0)
			continue;
		if (e->has_ifn && regexec(&e->ifn, interface, 0, NULL, 0) != 0)
			continue;
		if (!labels_match(e, label, arg))
			continue;
		return &e->r;
	}
	return NULL;
}
