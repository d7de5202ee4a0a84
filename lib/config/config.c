/*
 * Loading a config: YAML text -> node tree (ydoc.c) -> the option tables applied section by
 * section (walk.c), then what the tables cannot say: list entries, per-type rules, secrets,
 * unique names. Every error is collected; any error fails the file as a whole.
 */
#include "config/config.h"
#include "config/config_links.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collectors/collector.h"
#include "config/config_table.h"
#include "config/server.h"
#include "config/config_maint.h"
#include "config/diag.h"
#include "config/hostcheck.h"
#include "config/secret.h"
#include "config/walk.h"
#include "config/ydoc.h"
#include "util/cause.h"
#include "util/xmalloc.h"

/* A config file is a few KB; anything far larger is not one. */
#define CONFIG_MAX (4 * 1024 * 1024)

struct loader {
	struct np_config *cfg;
	struct np_config_diag *errs, *warns;
	bool world_readable; /* the file can be read by anyone: no clear secrets in it */
	bool no_secrets;     /* NP_CONFIG_NO_SECRETS */
	const struct np_config_ynode **names; /* name node of each source, for duplicates */
};

/* The entry's type, from its `type` key: the bit and name, or 0 when missing or unknown. */
static unsigned
entry_type(const struct np_config_ynode *item, const struct np_config_choice *types,
           const char **name)
{
	const struct np_config_ynode *t = np_config_ydoc_get(item, "type");
	const struct np_config_choice *c;
	*name = NULL;
	if (t == NULL || t->kind != NP_CONFIG_YSCALAR ||
	    (c = np_config_choice_find(types, t->str)) == NULL)
		return 0;
	*name = c->name;
	return 1u << c->value;
}

/* "source 'x'" when the entry has a usable name, else "source 3". */
static char *
entry_owner(const char *kind, const struct np_config_ynode *item, size_t index)
{
	const struct np_config_ynode *n = np_config_ydoc_get(item, "name");
	if (n != NULL && n->kind == NP_CONFIG_YSCALAR && !np_config_ydoc_is_null(n)) {
		char *d = np_config_ydoc_describe(n);
		char *out = np_xasprintf("%s %s", kind, d);
		free(d);
		return out;
	}
	return np_xasprintf("%s %zu", kind, index + 1);
}

/* The entries of a top-level list; NULL when there are none. */
static const struct np_config_ynode *
list_node(struct loader *l, const struct np_config_ynode *root, const char *key)
{
	const struct np_config_ynode *n = np_config_ydoc_get(root, key);
	if (n == NULL || np_config_ydoc_is_null(n))
		return NULL;
	if (n->kind != NP_CONFIG_YSEQ) {
		char *got = np_config_ydoc_describe(n);
		np_config_diag_add(l->errs, n->line, n->col,
		                   "bad value for '%s' at the top level: expected a list, got %s",
		                   key, got);
		free(got);
		return NULL;
	}
	return n;
}

static bool
entry_is_map(struct loader *l, const char *kind, const struct np_config_ynode *item, size_t i)
{
	if (item->kind == NP_CONFIG_YMAP)
		return true;
	char *got = np_config_ydoc_describe(item);
	np_config_diag_add(l->errs, item->line, item->col, "%s %zu: expected a mapping, got %s",
	                   kind, i + 1, got);
	free(got);
	return false;
}

static bool
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* The local socket an entry sends to (the logger's or the journal's), written or not. */
static const char *
local_socket(const struct np_alert_cfg *a)
{
	if (a->type == NP_SINK_JOURNALD)
		return a->socket != NULL ? a->socket : NP_JOURNAL_SOCKET;
	if (a->type != NP_SINK_SYSLOG || a->proto != NP_SYSLOG_LOCAL)
		return NULL;
	return a->socket != NULL ? a->socket : NP_LOCAL_LOG_SOCKET;
}

/*
 * The outbox keeps one delivery row per (alert, target): two entries sending to one target
 * would collide there (and deliver everything twice), so they are refused. host and port are
 * already in one spelling per target (server.c).
 */
static void
alert_rules(struct loader *l, const struct np_alert_cfg *a, const struct np_config_ynode *item,
            size_t i)
{
	const struct np_config_ynode *sock = np_config_ydoc_get(item, "socket");
	if (sock != NULL && a->server != NULL) {
		np_config_diag_add(
		    l->errs, sock->line, sock->col,
		    "keys 'server' and 'socket' cannot be used together in alert %zu "
		    "(socket is the local logger's)",
		    i + 1);
		return;
	}
	if (np_config_ydoc_get(item, "server") != NULL && a->server == NULL)
		return; /* a bad server: already reported */
	struct np_config *cfg = l->cfg;
	for (size_t j = 0; j + 1 < cfg->nalerts; j++) {
		const struct np_alert_cfg *b = &cfg->alerts[j];
		if (b->type != a->type || a->type == NP_SINK_EMAIL ||
		    (a->type == NP_SINK_WEBHOOK && !same_str(a->url, b->url)))
			continue;
		if (a->type == NP_SINK_SYSLOG &&
		    (b->proto != a->proto || !same_str(b->host, a->host) ||
		     !same_str(b->port, a->port) || !same_str(local_socket(b), local_socket(a))))
			continue;
		if (a->type == NP_SINK_JOURNALD && !same_str(local_socket(b), local_socket(a)))
			continue;
		np_config_diag_add(
		    l->errs, item->line, item->col,
		    "alert %zu sends to the same target as the alert at line %d (%s); "
		    "one entry per target",
		    i + 1, b->line,
		    a->url != NULL                ? a->url
		    : a->server != NULL           ? a->server
		    : a->type == NP_SINK_JOURNALD ? "journald"
		    : a->type == NP_SINK_STDERR   ? "stderr"
		                                  : "local syslog");
		return;
	}
}

/*
 * `alerts:` is a list of sinks, or a mapping { sinks: [...], max_age, group_window }. Returns
 * the list of sinks (NULL when there are none or it is not a list: reported).
 */
static const struct np_config_ynode *
alerts_list(struct loader *l, const struct np_config_ynode *root)
{
	struct np_config *cfg = l->cfg;
	np_config_walk_defaults(np_config_alerting_opts, &cfg->alerting, 0);
	const struct np_config_ynode *n = np_config_ydoc_get(root, "alerts");
	if (n == NULL || n->kind != NP_CONFIG_YMAP)
		return list_node(l, root, "alerts");
	struct np_config_scope sc = {
	    .errs = l->errs, .path = "alerts", .files = l->cfg, .no_secrets = l->no_secrets};
	np_config_walk(np_config_alerting_opts, n, &cfg->alerting, &sc);
	const struct np_config_ynode *list = np_config_ydoc_get(n, "sinks");
	if (list == NULL || np_config_ydoc_is_null(list))
		return NULL;
	if (list->kind != NP_CONFIG_YSEQ) {
		char *got = np_config_ydoc_describe(list);
		np_config_diag_add(l->errs, list->line, list->col,
		                   "bad value for 'sinks' in alerts: expected a list, got %s", got);
		free(got);
		return NULL;
	}
	return list;
}

/* The sink entry's own rules beyond its keys' values. */
static void
alert_type_rules(struct loader *l, struct np_alert_cfg *a, const struct np_config_ynode *item)
{
	if (a->type == NP_SINK_WEBHOOK && a->url != NULL && strncmp(a->url, "http://", 7) != 0 &&
	    strncmp(a->url, "https://", 8) != 0) {
		const struct np_config_ynode *k = np_config_ydoc_get(item, "url");
		np_config_diag_add(l->errs, k ? k->line : item->line, k ? k->col : item->col,
		                   "bad value for 'url': expected an http:// or https:// address");
	}
	if ((a->cert_file == NULL) != (a->key_file == NULL))
		np_config_diag_add(l->errs, item->line, item->col,
		                   "cert_file and key_file go together");
	if (a->insecure)
		np_config_diag_add(l->warns, item->line, item->col,
		                   "alert at line %d: insecure: the server's certificate is not "
		                   "verified",
		                   a->line);
}

/* Email sinks send through the `mail:` section's server. */
static void
alerts_after_mail(struct loader *l)
{
	struct np_config *cfg = l->cfg;
	for (size_t i = 0; i < cfg->nalerts; i++) {
		if (cfg->alerts[i].type != NP_SINK_EMAIL)
			continue;
		cfg->alerts[i].mail = &cfg->mail;
		if (cfg->mail.server == NULL)
			np_config_diag_add(
			    l->errs, cfg->alerts[i].line, 1,
			    "an email alert needs the `mail:` section (server, from)");
	}
}

/* daemon.log naming a syslog server: the sink its lines go through, with the defaults. */
static void
log_sink(struct loader *l, const struct np_config_ynode *root)
{
	struct np_config *cfg = l->cfg;
	if (cfg->log_target != NP_LOG_REMOTE)
		return;
	struct np_alert_cfg *a = &cfg->log_sink;
	np_config_walk_defaults(np_config_alert_opts, a, NP_CFG_ALERT_SYSLOG);
	a->type = NP_SINK_SYSLOG;
	a->server = np_xstrdup(cfg->log_file);
	if (np_config_server_parse(a->server, &a->proto, &a->host, &a->port) == -1) {
		const struct np_config_ynode *d = np_config_ydoc_get(root, "daemon");
		np_config_diag_add(l->errs, d ? d->line : 1, d ? d->col : 1,
		                   "daemon.log: not a syslog server: %s", cfg->log_file);
	}
	a->line = 0;
}

static void
load_alerts(struct loader *l, const struct np_config_ynode *root)
{
	const struct np_config_ynode *list = alerts_list(l, root);
	if (list == NULL || list->nkids == 0)
		return;
	struct np_config *cfg = l->cfg;
	cfg->alerts = np_xcalloc(list->nkids, sizeof(*cfg->alerts));
	for (size_t i = 0; i < list->nkids; i++) {
		const struct np_config_ynode *item = list->kids[i];
		if (!entry_is_map(l, "alert", item, i))
			continue;
		struct np_alert_cfg *a = &cfg->alerts[cfg->nalerts++];
		a->line = item->line;
		const char *tname;
		unsigned type = entry_type(item, np_config_alert_types, &tname);
		char *owner = np_xasprintf("alert %zu", i + 1);
		struct np_config_scope sc = {.errs = l->errs,
		                             .owner = owner,
		                             .kind = "alert",
		                             .type = type,
		                             .type_name = tname,
		                             .files = l->cfg,
		                             .no_secrets = l->no_secrets};
		np_config_walk_defaults(np_config_alert_opts, a, type);
		np_config_walk(np_config_alert_opts, item, a, &sc);
		if (a->server == NULL)
			a->proto = NP_SYSLOG_LOCAL;
		alert_rules(l, a, item, i);
		alert_type_rules(l, a, item);
		free(owner);
	}
}

/* How a type's conf_check reports: positioned at the named key of the entry, or the entry. */
struct report_impl {
	struct loader *l;
	const struct np_config_ynode *item;
};

static void
report_at(struct np_conf_report *r, bool warn, const char *key, const char *fmt, va_list ap)
{
	struct report_impl *ri = r->impl;
	const struct np_config_ynode *at = key != NULL ? np_config_ydoc_get(ri->item, key) : NULL;
	if (at == NULL)
		at = ri->item;
	char *msg = np_xvasprintf(fmt, ap);
	np_config_diag_add(warn ? ri->l->warns : ri->l->errs, at->line, at->col, "%s", msg);
	free(msg);
}

static void __attribute__((format(printf, 3, 4)))
report_error(struct np_conf_report *r, const char *key, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report_at(r, false, key, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 3, 4)))
report_warning(struct np_conf_report *r, const char *key, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report_at(r, true, key, fmt, ap);
	va_end(ap);
}

static bool
report_given(struct np_conf_report *r, const char *key)
{
	struct report_impl *ri = r->impl;
	return np_config_ydoc_get(ri->item, key) != NULL;
}

/* The collector a `type:` names (its registry index as a bit in *bit), or NULL. */
static const struct np_collector_ops *
source_type(const struct np_config_ynode *item, unsigned *bit, const char **name)
{
	const struct np_config_ynode *t = np_config_ydoc_get(item, "type");
	*bit = 0;
	*name = NULL;
	if (t == NULL || t->kind != NP_CONFIG_YSCALAR)
		return NULL;
	for (size_t i = 0; np_collectors[i] != NULL; i++) {
		if (strcmp(np_collectors[i]->type, t->str) == 0) {
			*bit = 1u << i;
			*name = np_collectors[i]->type;
			return np_collectors[i];
		}
	}
	return NULL;
}

static void
bad_type(struct loader *l, const struct np_config_ynode *item, const char *owner)
{
	const struct np_config_ynode *t = np_config_ydoc_get(item, "type");
	if (t == NULL)
		return; /* "missing required key" already */
	char *list = np_xstrdup(""), *got = np_config_ydoc_describe(t);
	for (size_t i = 0; np_collectors[i] != NULL; i++) {
		char *next = np_xasprintf("%s%s%s", list, i ? ", " : "", np_collectors[i]->type);
		free(list);
		list = next;
	}
	np_config_diag_add(l->errs, t->line, t->col,
	                   "bad value for 'type' in %s: expected one of %s, got %s", owner, list,
	                   got);
	free(list);
	free(got);
}

/*
 * Walks one source entry: the keys every source has, and its type's own (ops->options, into a
 * config the type owns). With an unknown type every type's keys are accepted, so the one
 * error is the type.
 */
static void
walk_source(struct loader *l, struct np_config_source_build *b, const struct np_config_ynode *item,
            const char *owner)
{
	unsigned bit;
	const char *tname;
	const struct np_collector_ops *ops = source_type(item, &bit, &tname);
	size_t ntypes = 0;
	while (np_collectors[ntypes] != NULL)
		ntypes++;
	struct np_config_layer *ls = np_xcalloc(ntypes + 1, sizeof(*ls));
	const struct np_config_opt **others = np_xcalloc(ntypes + 1, sizeof(*others));
	size_t nl = 0, no = 0;
	ls[nl++] = (struct np_config_layer){np_config_source_opts, b, false};
	for (size_t i = 0; i < ntypes; i++) {
		const struct np_collector_ops *t = np_collectors[i];
		if (t->options == NULL)
			continue;
		if (ops != NULL && t != ops) {
			others[no++] = t->options;
			continue;
		}
		void *conf = np_xcalloc(1, t->conf_size > 0 ? t->conf_size : 1);
		np_config_walk_defaults(t->options, conf, 0);
		ls[nl++] = (struct np_config_layer){t->options, conf, ops == NULL};
	}
	struct np_config_scope sc = {.errs = l->errs,
	                             .owner = owner,
	                             .kind = "source",
	                             .type = bit,
	                             .type_name = tname,
	                             .files = l->cfg,
	                             .no_secrets = l->no_secrets};
	sc.other_tables = others;
	sc.nother = no;
	np_config_walk_defaults(np_config_source_opts, b, bit);
	np_config_walk_layers(ls, nl, item, &sc);
	if (ops == NULL)
		bad_type(l, item, owner);
	for (size_t i = 1; i < nl; i++) {
		if (ops != NULL) {
			b->s.conf = ls[i].base;
			b->s.type_ops = ops;
			continue;
		}
		np_config_table_free(ls[i].opts, ls[i].base);
		free(ls[i].base);
	}
	if (ops != NULL && ops->options == NULL) {
		b->s.type_ops = ops;
	}
	free(ls);
	free(others);
	/* A type's own defaults (an API read hourly, a back-fill that takes minutes) come before
	 * the `defaults:` section's, after what the entry itself says. */
	if (ops != NULL && ops->default_interval_ms > 0 &&
	    np_config_ydoc_get(item, "interval") == NULL)
		b->s.interval_ms = ops->default_interval_ms;
	if (ops != NULL && ops->default_timeout_ms > 0 &&
	    np_config_ydoc_get(item, "timeout") == NULL)
		b->s.timeout_ms = ops->default_timeout_ms;
	if (b->max_gap_x > 0)
		b->s.max_gap_ms = llround(b->max_gap_x * (double)b->s.interval_ms);
	if (ops != NULL && ops->conf_check != NULL && b->s.conf != NULL) {
		struct report_impl ri = {l, item};
		struct np_conf_report r = {report_error, report_warning, report_given, &ri,
		                           l->no_secrets};
		ops->conf_check(b->s.conf, &b->s, &r);
	}
}

/*
 * The link-state engine applies flap detection, alert_never_up and forget_after to every link
 * alike (NP_CFG_F_GLOBAL in the state table); a per-source value would be silently ignored, so
 * it is an error instead.
 */
static void
global_only_state(struct loader *l, const struct np_config_ynode *item, const char *owner)
{
	const struct np_config_ynode *st = np_config_ydoc_get(item, "state");
	if (st == NULL)
		return;
	const struct np_config_opt *sect = np_config_source_opts;
	while (sect->name != NULL && strcmp(sect->name, "state") != 0)
		sect++;
	if (sect->name == NULL)
		return;
	for (const struct np_config_opt *o = sect->sub; o->name != NULL; o++) {
		const struct np_config_ynode *n = np_config_ydoc_get(st, o->name);
		if ((o->flags & NP_CFG_F_GLOBAL) != 0 && n != NULL)
			np_config_diag_add(
			    l->errs, n->line, n->col,
			    "'state.%s' cannot be set per source (%s): set it in the "
			    "top-level state section",
			    o->name, owner);
	}
}

static void
load_sources(struct loader *l, const struct np_config_ynode *root)
{
	const struct np_config_ynode *list = list_node(l, root, "sources");
	if (list == NULL || list->nkids == 0)
		return;
	struct np_config *cfg = l->cfg;
	cfg->sources = np_xcalloc(list->nkids, sizeof(*cfg->sources));
	l->names = np_xcalloc(list->nkids, sizeof(*l->names));
	for (size_t i = 0; i < list->nkids; i++) {
		const struct np_config_ynode *item = list->kids[i];
		if (!entry_is_map(l, "source", item, i))
			continue;
		struct np_config_source_build b = {0};
		b.s.line = item->line;
		b.s.interval_ms = cfg->interval_ms;
		b.s.timeout_ms = cfg->timeout_ms;
		b.s.state = cfg->state;
		char *owner = entry_owner("source", item, i);
		walk_source(l, &b, item, owner);
		global_only_state(l, item, owner);
		free(owner);
		for (size_t j = 0; j < cfg->nsources && b.s.name != NULL; j++) {
			if (cfg->sources[j].name == NULL || strcmp(cfg->sources[j].name, b.s.name))
				continue;
			const struct np_config_ynode *n = np_config_ydoc_get(item, "name");
			np_config_diag_add(l->errs, n->line, n->col,
			                   "duplicate source name '%s' (first defined at line %d, "
			                   "column %d)",
			                   b.s.name, l->names[j]->line, l->names[j]->col);
			break;
		}
		l->names[cfg->nsources] = np_config_ydoc_get(item, "name");
		cfg->sources[cfg->nsources++] = b.s;
	}
}

/* Nothing but white space: a file truncated to zero, or caught before it was written. */
static bool
blank(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\n' && text[i] != '\r')
			return false;
	return true;
}

/*
 * A file that names no source would run a daemon that monitors nothing, and a file caught
 * half-written by a reload looks just like that: running with no sources must be asked for
 * in so many words (`sources: []`). Same rule for `alerts:` left without a value.
 */
static void
require_sources(struct loader *l, const struct np_config_ynode *root, const char *text, size_t len)
{
	static const char hint[] = "(write `sources: []` to run with none)";
	const struct np_config_ynode *n = np_config_ydoc_get(root, "sources");
	if (n == NULL && blank(text, len))
		np_config_diag_add(l->errs, 1, 1, "the file is empty: no sources to monitor %s",
		                   hint);
	else if (n == NULL)
		np_config_diag_add(l->errs, root->line, root->col,
		                   "no `sources:` section: nothing to monitor %s", hint);
	else if (np_config_ydoc_is_null(n))
		np_config_diag_add(l->errs, n->line, n->col,
		                   "`sources:` has no entries: nothing to monitor %s", hint);
	const struct np_config_ynode *a = np_config_ydoc_get(root, "alerts");
	if (a != NULL && np_config_ydoc_is_null(a))
		np_config_diag_add(l->errs, a->line, a->col,
		                   "`alerts:` has no entries (write `alerts: []` for none, or "
		                   "leave the key out)");
}

static struct np_config *
parse(const char *name, const char *text, size_t len, bool world_readable, unsigned flags,
      char **cause)
{
	struct loader l = {0};
	l.errs = np_config_diag_new(name);
	l.warns = np_config_diag_new(name);
	l.world_readable = world_readable;
	l.no_secrets = (flags & NP_CONFIG_NO_SECRETS) != 0;
	struct np_config *cfg = np_xcalloc(1, sizeof(*cfg));
	cfg->path = np_xstrdup(name);
	l.cfg = cfg;
	struct np_config_ynode *root = np_config_ydoc_parse(text, len, l.errs);
	if (root != NULL && root->kind != NP_CONFIG_YMAP) {
		char *got = np_config_ydoc_describe(root);
		np_config_diag_add(l.errs, root->line, root->col,
		                   "expected a mapping of sections (daemon, defaults, state, "
		                   "storage, alerts, sources) at the top level, got %s",
		                   got);
		free(got);
	} else if (root != NULL) {
		struct np_config_scope sc = {
		    .errs = l.errs, .files = cfg, .no_secrets = l.no_secrets};
		np_config_walk_defaults(np_config_top, cfg, 0);
		np_config_walk(np_config_top, root, cfg, &sc);
		load_alerts(&l, root);
		load_sources(&l, root);
		np_config_mail_load(cfg, root, l.errs, l.warns);
		alerts_after_mail(&l);
		np_config_http_check(cfg, root, l.errs, l.warns);
		np_config_maint_check(l.cfg, root, l.errs);
		np_config_links_check(cfg, root, l.errs);
		log_sink(&l, root);
		/* Judged last, so a file with other errors is not told it lacks sources too. */
		if (np_config_diag_count(l.errs) == 0)
			require_sources(&l, root, text, len);
		if (cfg->nsources == 0 && np_config_diag_count(l.errs) == 0)
			np_config_diag_add(l.warns, root->line, root->col, "no sources configured");
	}
	np_config_ydoc_free(root);
	free(l.names);
	if (np_config_diag_count(l.errs) > 0) {
		char *all = np_config_diag_render(l.errs);
		np_cause(cause, "%s", all);
		free(all);
		np_config_free(cfg);
		cfg = NULL;
	} else {
		cfg->warnings = np_config_diag_take(l.warns, &cfg->nwarnings);
	}
	np_config_diag_free(l.errs);
	np_config_diag_free(l.warns);
	return cfg;
}

struct np_config *
np_config_parse(const char *name, const char *text, size_t len, char **cause)
{
	return parse(name, text, len, false, 0, cause);
}

struct np_config *
np_config_load(const char *path, char **cause)
{
	return np_config_load_flags(path, 0, cause);
}

struct np_config *
np_config_load_flags(const char *path, unsigned flags, char **cause)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		np_cause(cause, "%s: %s", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) == -1) {
		np_cause(cause, "%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	size_t cap = 8192, len = 0;
	char *text = np_xmalloc(cap);
	for (;;) {
		if (len == cap) {
			if (cap >= CONFIG_MAX) {
				np_cause(cause, "%s: larger than %d bytes", path, CONFIG_MAX);
				goto fail;
			}
			cap *= 2;
			text = np_xreallocarray(text, cap, 1);
		}
		ssize_t n = read(fd, text + len, cap - len);
		if (n == 0)
			break;
		if (n == -1) {
			if (errno == EINTR)
				continue;
			np_cause(cause, "%s: %s", path, strerror(errno));
			goto fail;
		}
		len += (size_t)n;
	}
	close(fd);
	bool world = S_ISREG(st.st_mode) && (st.st_mode & S_IROTH);
	struct np_config *cfg = parse(path, text, len, world, flags, cause);
	explicit_bzero(text, len);
	free(text);
	return cfg;
fail:
	close(fd);
	free(text);
	return NULL;
}

static void
free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
free_source(struct np_source_cfg *s)
{
	free(s->name);
	free(s->type);
	free(s->link_group);
	const struct np_collector_ops *ops = s->type_ops;
	if (ops != NULL && s->conf != NULL) {
		if (ops->conf_free != NULL)
			ops->conf_free(s->conf);
		np_config_table_free(ops->options, s->conf);
	}
	free(s->conf);
}

void
np_config_alert_free(struct np_alert_cfg *a)
{
	/* server, host and port are filled by NP_CFG_SERVER outside the table's fields. */
	free(a->server);
	free(a->host);
	free(a->port);
	np_config_table_free(np_config_alert_opts, a);
	memset(a, 0, sizeof(*a));
}

void
np_config_free(struct np_config *cfg)
{
	if (cfg == NULL)
		return;
	for (size_t i = 0; i < cfg->nalerts; i++)
		np_config_alert_free(&cfg->alerts[i]);
	free(cfg->alerts);
	np_config_alert_free(&cfg->log_sink);
	np_config_table_free(np_config_maint_top, cfg);
	for (size_t i = 0; i < cfg->nsources; i++)
		free_source(&cfg->sources[i]);
	free(cfg->sources);
	np_config_mail_free(cfg);
	np_config_http_free(cfg);
	free_list(cfg->warnings, cfg->nwarnings);
	np_config_files_free(cfg);
	free(cfg->path);
	free(cfg->database);
	free(cfg->log_file);
	free(cfg->timezone);
	free(cfg);
}

int64_t
np_source_stale_after_ms(const struct np_source_cfg *s)
{
	if (s->state.stale_after_x > 0)
		return llround(s->state.stale_after_x * (double)s->interval_ms);
	return s->state.stale_after_ms;
}
