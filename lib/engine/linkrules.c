#include "engine/linkrules.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "config/config.h"
#include "util/cause.h"
#include "util/re.h"
#include "util/str.h"
#include "util/xmalloc.h"

struct entry {
	struct np_linkrule r;
	char *source;
	regex_t device, ifn;
	bool has_device, has_ifn;
};

struct np_linkrules {
	struct entry *e;
	size_t n;
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
	return np_re_compile(&e->ifn, &e->has_ifn, c->interface, cause);
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
	}
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
	free(r);
}

const struct np_linkrule *
np_linkrules_match(const struct np_linkrules *r, const char *sources, const char *device,
                   const char *interface)
{
	for (size_t i = 0; r != NULL && i < r->n; i++) {
		const struct entry *e = &r->e[i];
		if (e->source != NULL && !np_list_has(sources, e->source))
			continue;
		if (e->has_device && regexec(&e->device, device, 0, NULL, 0) != 0)
			continue;
		if (e->has_ifn && regexec(&e->ifn, interface, 0, NULL, 0) != 0)
			continue;
		return &e->r;
	}
	return NULL;
}
