#include "config/value.h"

#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/credpath.h"
#include "config/duration.h"
#include "config/recost.h"
#include "config/server.h"
#include "util/tz.h"
#include "util/duration.h"
#include "util/xmalloc.h"

#define FIELD(base, off, T) ((T *)(void *)((char *)(base) + (off)))

/* A multiple of the interval below 1x would expire before the next poll is even due. */
#define MULTIPLE_MIN 1.0
#define MULTIPLE_MAX 1000.0

const char *
np_config_value_type_name(const struct np_config_opt *o)
{
	switch (o->type) {
	case NP_CFG_STRING:
	case NP_CFG_SECRET:
		return "string";
	case NP_CFG_PATH:
		return "path";
	case NP_CFG_TOKEN:
	case NP_CFG_NAME:
		return "name";
	case NP_CFG_ENVNAME:
		return "variable";
	case NP_CFG_DURATION:
		return "duration";
	case NP_CFG_RETENTION:
		return "duration|forever";
	case NP_CFG_DURATION_X:
		return "duration|Nx";
	case NP_CFG_INT:
	case NP_CFG_UINT32:
		return "integer";
	case NP_CFG_NUMBER:
		return "number";
	case NP_CFG_BOOL:
		return "bool";
	case NP_CFG_ENUM:
	case NP_CFG_CHOICE:
		return "choice";
	case NP_CFG_LOG:
		return "stderr|syslog|path";
	case NP_CFG_SERVER:
		return "url";
	case NP_CFG_REGEXES:
		return "list of regex";
	case NP_CFG_STRINGS:
		return "list of strings";
	case NP_CFG_MAPLIST:
		return "list of mappings";
	case NP_CFG_SECTION:
		return "mapping";
	case NP_CFG_LIST:
		return "list";
	}
	return "?";
}

static char *
range_text(const struct np_config_opt *o)
{
	char lo[32], hi[32];
	np_duration_format(o->min, lo, sizeof(lo));
	np_duration_format(o->max, hi, sizeof(hi));
	return np_xasprintf("from %s to %s", lo, hi);
}

char *
np_config_value_expected(const struct np_config_opt *o)
{
	char *list, *out;
	switch (o->type) {
	case NP_CFG_STRING:
	case NP_CFG_PATH:
	case NP_CFG_SECRET:
		return np_xstrdup("a non-empty string");
	case NP_CFG_TOKEN:
		return np_xasprintf("a name of at most %lld printable characters without spaces",
		                    (long long)o->max);
	case NP_CFG_NAME:
		return np_xasprintf("a name of at most %lld letters, digits or . _ - : @",
		                    (long long)o->max);
	case NP_CFG_ENVNAME:
		return np_xstrdup("an environment variable name (letters, digits, _)");
	case NP_CFG_DURATION:
		return np_xstrdup("a duration like 30s, 5m, 2h");
	case NP_CFG_RETENTION:
		return np_xstrdup("a duration like 2d, 400d or 'forever'");
	case NP_CFG_DURATION_X:
		return np_xstrdup(
		    "a duration like 30s, 5m, 2h or a multiple of the interval like 3x");
	case NP_CFG_INT:
	case NP_CFG_UINT32:
		return np_xasprintf("an integer from %lld to %lld", (long long)o->min,
		                    (long long)o->max);
	case NP_CFG_NUMBER:
		return np_xasprintf("a number >= %lld", (long long)o->min);
	case NP_CFG_BOOL:
		return np_xstrdup("true or false");
	case NP_CFG_ENUM:
	case NP_CFG_CHOICE:
		list = np_config_choice_list(o->choices);
		out = np_xasprintf("one of %s", list);
		free(list);
		return out;
	case NP_CFG_LOG:
		return np_xstrdup("stderr, syslog, a file path containing '/' or a syslog server "
		                  "like tcp://host:port");
	case NP_CFG_SERVER:
		return np_xstrdup("a syslog server like udp://host:port, tcp://host:port, "
		                  "tls://host:port, relp://host:port, host:port or [v6addr]:port");
	case NP_CFG_REGEXES:
		return np_xstrdup("a list of regular expressions");
	case NP_CFG_STRINGS:
		return np_xstrdup("a list of non-empty strings");
	case NP_CFG_MAPLIST:
		return np_xstrdup("a list of mappings");
	case NP_CFG_SECTION:
		return np_xstrdup("a mapping");
	case NP_CFG_LIST:
		return np_xstrdup("a list of mappings");
	}
	return np_xstrdup("?");
}

/* "expected <what>, got <n>" */
static int
bad(const struct np_config_opt *o, const struct np_config_ynode *n, char **why)
{
	char *exp = np_config_value_expected(o), *got = np_config_ydoc_describe(n);
	*why = np_xasprintf("expected %s, got %s", exp, got);
	free(exp);
	free(got);
	return -1;
}

/* Loaded, not just well-formed: a zone the system lacks would fail every report later. */
static int
known_zone(const char *name, char **why)
{
	struct np_tz *tz = np_tz_load(NULL, name, why);
	if (tz == NULL)
		return -1;
	np_tz_free(tz);
	return 0;
}

static int
bad_range(const struct np_config_opt *o, const struct np_config_ynode *n, char **why)
{
	char *r = range_text(o), *got = np_config_ydoc_describe(n);
	*why = np_xasprintf("expected a duration %s, got %s", r, got);
	free(r);
	free(got);
	return -1;
}

static bool
is_token(const char *s, int64_t max)
{
	size_t len = strlen(s);
	if (len == 0 || (int64_t)len > max)
		return false;
	for (; *s != '\0'; s++)
		if (*s <= 0x20 || *s >= 0x7f)
			return false;
	return true;
}

static bool
is_name(const char *s, int64_t max)
{
	size_t len = strlen(s);
	if (len == 0 || (int64_t)len > max)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-:@") ==
	       len;
}

static bool
is_envname(const char *s)
{
	if (*s == '\0' || (*s >= '0' && *s <= '9'))
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
	       strlen(s);
}

static void
set_str(char **field, const char *s)
{
	free(*field);
	*field = np_xstrdup(s);
}

static int
parse_int(const char *s, int64_t *v)
{
	const char *p = s;
	if (*p == '-')
		p++;
	if (*p == '\0' || strspn(p, "0123456789") != strlen(p))
		return -1;
	errno = 0;
	long long x = strtoll(s, NULL, 10);
	if (errno != 0)
		return -1;
	*v = x;
	return 0;
}

static int
set_duration(const struct np_config_opt *o, void *base, const struct np_config_ynode *n, char **why)
{
	const char *s = n->str;
	int64_t ms;
	if (o->type == NP_CFG_RETENTION && strcmp(s, "forever") == 0) {
		*FIELD(base, o->off, int64_t) = -1;
		return 0;
	}
	if (o->type == NP_CFG_DURATION_X) {
		double x;
		if (np_config_multiple_parse(s, &x) == 0) {
			if (x < MULTIPLE_MIN || x > MULTIPLE_MAX) {
				char *got = np_config_ydoc_describe(n);
				*why = np_xasprintf("expected a multiple from %gx to %gx, got %s",
				                    MULTIPLE_MIN, MULTIPLE_MAX, got);
				free(got);
				return -1;
			}
			*FIELD(base, o->off, int64_t) = 0;
			*FIELD(base, o->off2, double) = x;
			return 0;
		}
	}
	if (np_duration_parse(s, &ms) == -1)
		return bad(o, n, why);
	if (ms < o->min || ms > o->max)
		return bad_range(o, n, why);
	*FIELD(base, o->off, int64_t) = ms;
	if (o->type == NP_CFG_DURATION_X)
		*FIELD(base, o->off2, double) = 0;
	return 0;
}

static int
set_number(const struct np_config_opt *o, void *base, const struct np_config_ynode *n, char **why)
{
	const char *s = n->str;
	/* Plain decimal notation only: no hex, inf or nan through strtod. */
	if (*s == '\0' || strspn(s, "0123456789.eE+-") != strlen(s))
		return bad(o, n, why);
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (*end != '\0' || errno != 0 || !isfinite(v) || v < (double)o->min)
		return bad(o, n, why);
	*FIELD(base, o->off, double) = v;
	return 0;
}

static void
replace_list(char ***list, size_t *nlist, const struct np_config_ynode *const *items, size_t count)
{
	for (size_t i = 0; i < *nlist; i++)
		free((*list)[i]);
	free(*list);
	*list = NULL;
	*nlist = 0;
	if (count > 0) {
		*list = np_xcalloc(count, sizeof(**list));
		for (size_t i = 0; i < count; i++)
			(*list)[i] = np_xstrdup(items[i]->str);
		*nlist = count;
	}
}

/* The entries of a list value; a single string is a list of one. -1 for anything else. */
static int
list_items(const struct np_config_ynode *const *np, const struct np_config_ynode *const **items,
           size_t *count)
{
	const struct np_config_ynode *n =
	    *np; /* np: the caller's, so a list of one can point at it */
	if (n->kind == NP_CONFIG_YSEQ) {
		*items = (const struct np_config_ynode *const *)n->kids;
		*count = n->nkids;
		return 0;
	}
	if (n->kind != NP_CONFIG_YSCALAR || np_config_ydoc_is_null(n))
		return -1;
	*items = np;
	*count = 1;
	return 0;
}

static int
set_regexes(const struct np_config_opt *o, void *base, const struct np_config_ynode *n, char **why,
            const struct np_config_ynode **at)
{
	const struct np_config_ynode *const *items;
	size_t count;
	if (list_items(&n, &items, &count) == -1)
		return bad(o, n, why);
	if (count > NP_RE_MAX_PATTERNS) {
		*why = np_xasprintf("expected at most %d regular expressions, got %zu (join them "
		                    "with |)",
		                    NP_RE_MAX_PATTERNS, count);
		return -1;
	}
	unsigned long total = 0;
	for (size_t i = 0; i < count; i++) {
		const struct np_config_ynode *it = items[i];
		if (it->kind != NP_CONFIG_YSCALAR || np_config_ydoc_is_null(it)) {
			*at = it;
			char *got = np_config_ydoc_describe(it);
			*why = np_xasprintf("expected a regular expression, got %s", got);
			free(got);
			return -1;
		}
		/* Measured before regcomp: compiling is what a too costly pattern would stall. */
		char *cost = NULL;
		if (np_config_re_cost(it->str, &cost) == -1) {
			*at = it;
			char *got = np_config_ydoc_describe(it);
			*why = np_xasprintf("regular expression %s %s", got, cost);
			free(got);
			free(cost);
			return -1;
		}
		total += np_config_re_elements(it->str);
		if (total > NP_RE_MAX_LIST_ELEMENTS) {
			*at = it;
			*why = np_xasprintf(
			    "the regular expressions of this list come to %lu elements "
			    "written out; at most %d are allowed in one list",
			    total, NP_RE_MAX_LIST_ELEMENTS);
			return -1;
		}
		regex_t re;
		int rc = regcomp(&re, it->str, REG_EXTENDED | REG_NOSUB);
		if (rc != 0) {
			char msg[128];
			regerror(rc, &re, msg, sizeof(msg));
			*at = it;
			char *got = np_config_ydoc_describe(it);
			*why = np_xasprintf("invalid regular expression %s: %s", got, msg);
			free(got);
			return -1;
		}
		regfree(&re);
	}
	replace_list(FIELD(base, o->off, char **), FIELD(base, o->off2, size_t), items, count);
	return 0;
}

/* A list of non-empty strings; a single string is a list of one; max > 0 caps the count. */
static int
set_strings(const struct np_config_opt *o, void *base, const struct np_config_ynode *n, char **why,
            const struct np_config_ynode **at)
{
	const struct np_config_ynode *const *items;
	size_t count;
	if (list_items(&n, &items, &count) == -1)
		return bad(o, n, why);
	if (o->max > 0 && count > (size_t)o->max) {
		*why = np_xasprintf("expected at most %lld entries, got %zu", (long long)o->max,
		                    count);
		return -1;
	}
	for (size_t i = 0; i < count; i++) {
		const struct np_config_ynode *it = items[i];
		if (it->kind != NP_CONFIG_YSCALAR || np_config_ydoc_is_null(it) ||
		    *it->str == '\0') {
			*at = it;
			char *got = np_config_ydoc_describe(it);
			*why = np_xasprintf("expected a non-empty string, got %s", got);
			free(got);
			return -1;
		}
	}
	replace_list(FIELD(base, o->off, char **), FIELD(base, o->off2, size_t), items, count);
	return 0;
}

static int
set_server(const struct np_config_opt *o, void *base, const struct np_config_ynode *n, char **why)
{
	struct np_alert_cfg *a = FIELD(base, o->off, struct np_alert_cfg);
	enum np_syslog_proto proto;
	char *host, *port;
	if (np_config_server_parse(n->str, &proto, &host, &port) == -1)
		return bad(o, n, why);
	free(a->server);
	free(a->host);
	free(a->port);
	a->server = np_xstrdup(n->str);
	a->host = host;
	a->port = port;
	a->proto = proto;
	return 0;
}

int
np_config_value_set(const struct np_config_opt *o, void *base, const struct np_config_ynode *n,
                    char **why, const struct np_config_ynode **at)
{
	*at = n;
	if (o->type == NP_CFG_REGEXES)
		return set_regexes(o, base, n, why, at);
	if (o->type == NP_CFG_STRINGS)
		return set_strings(o, base, n, why, at);
	if (n->kind != NP_CONFIG_YSCALAR || np_config_ydoc_is_null(n))
		return bad(o, n, why);
	const char *s = n->str;
	int64_t v;
	const struct np_config_choice *c;
	char **field;
	switch (o->type) {
	case NP_CFG_PATH:
		if (*s == '\0')
			return bad(o, n, why);
		field = FIELD(base, o->off, char *);
		free(*field);
		*field = np_config_credpath(s);
		return 0;
	case NP_CFG_STRING:
	case NP_CFG_SECRET:
		if (*s == '\0')
			return bad(o, n, why);
		set_str(FIELD(base, o->off, char *), s);
		return 0;
	case NP_CFG_TOKEN:
		if (!is_token(s, o->max))
			return bad(o, n, why);
		if ((o->flags & NP_CFG_F_ZONE) && known_zone(s, why) == -1)
			return -1;
		set_str(FIELD(base, o->off, char *), s);
		return 0;
	case NP_CFG_NAME:
		if (!is_name(s, o->max))
			return bad(o, n, why);
		set_str(FIELD(base, o->off, char *), s);
		return 0;
	case NP_CFG_ENVNAME:
		if (!is_envname(s))
			return bad(o, n, why);
		set_str(FIELD(base, o->off, char *), s);
		return 0;
	case NP_CFG_DURATION:
	case NP_CFG_RETENTION:
	case NP_CFG_DURATION_X:
		return set_duration(o, base, n, why);
	case NP_CFG_INT:
		if (parse_int(s, &v) == -1 || v < o->min || v > o->max)
			return bad(o, n, why);
		*FIELD(base, o->off, int) = (int)v;
		return 0;
	case NP_CFG_UINT32:
		if (parse_int(s, &v) == -1 || v < o->min || v > o->max)
			return bad(o, n, why);
		*FIELD(base, o->off, uint32_t) = (uint32_t)v;
		return 0;
	case NP_CFG_NUMBER:
		return set_number(o, base, n, why);
	case NP_CFG_BOOL:
		/* YAML 1.2 core schema spellings; yes/no/on/off are too easy to misread. */
		if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0)
			*FIELD(base, o->off, bool) = true;
		else if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 ||
		         strcmp(s, "FALSE") == 0)
			*FIELD(base, o->off, bool) = false;
		else
			return bad(o, n, why);
		return 0;
	case NP_CFG_ENUM:
		if ((c = np_config_choice_find(o->choices, s)) == NULL)
			return bad(o, n, why);
		*FIELD(base, o->off, int) = c->value;
		return 0;
	case NP_CFG_CHOICE:
		if (np_config_choice_find(o->choices, s) == NULL)
			return bad(o, n, why);
		set_str(FIELD(base, o->off, char *), s);
		return 0;
	case NP_CFG_LOG:
		if (strcmp(s, "stderr") == 0) {
			*FIELD(base, o->off, enum np_log_target) = NP_LOG_STDERR;
		} else if (strcmp(s, "syslog") == 0) {
			*FIELD(base, o->off, enum np_log_target) = NP_LOG_SYSLOG;
		} else if (strstr(s, "://") != NULL) {
			enum np_syslog_proto pr;
			char *h, *p;
			if (np_config_server_parse(s, &pr, &h, &p) == -1)
				return bad(o, n, why);
			free(h);
			free(p);
			*FIELD(base, o->off, enum np_log_target) = NP_LOG_REMOTE;
			set_str(FIELD(base, o->off2, char *), s);
			return 0;
		} else if (strchr(s, '/') != NULL) {
			*FIELD(base, o->off, enum np_log_target) = NP_LOG_FILE;
			set_str(FIELD(base, o->off2, char *), s);
			return 0;
		} else {
			return bad(o, n, why);
		}
		free(*FIELD(base, o->off2, char *));
		*FIELD(base, o->off2, char *) = NULL;
		return 0;
	case NP_CFG_SERVER:
		return set_server(o, base, n, why);
	case NP_CFG_REGEXES:
	case NP_CFG_STRINGS:
	case NP_CFG_MAPLIST:
	case NP_CFG_SECTION:
	case NP_CFG_LIST:
		break;
	}
	return bad(o, n, why);
}

int
np_config_value_default(const struct np_config_opt *o, void *base, char **why)
{
	if (o->def == NULL)
		return 0;
	struct np_config_ynode n = {.kind = NP_CONFIG_YSCALAR, .line = 1, .col = 1, .plain = true};
	n.str = np_xstrdup(o->def);
	const struct np_config_ynode *at;
	int rc = np_config_value_set(o, base, &n, why, &at);
	free(n.str);
	return rc;
}
