/*
 * `mail:` and `reports:` (config_mail.h): their option tables and what the tables cannot say
 * (the secret, the server's shape, the schedule's time, reports needing a mail server).
 */
#include "config/config_mail.h"

#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/mail_table.h"
#include "config/secret.h"
#include "config/walk.h"
#include "config/ydoc.h"
#include "util/xmalloc.h"

#define SEC 1000LL
#define HOUR (3600 * SEC)
/* lib/report/usage.h NP_USAGE_MAX_KEYS: the most group-by labels a usage report takes. */
#define MAX_GROUP_BY 8
#define MAX_RCPT 100

#define ML(f) offsetof(struct np_mail_cfg, f)
#define RP(f) offsetof(struct np_report_cfg, f)

const struct np_config_opt np_config_mail_opts[] = {
    {.name = "server",
     .type = NP_CFG_STRING,
     .off = ML(server),
     .def_doc = "(none: no mail)",
     .help = "SMTP server of report mail: smtp://host[:port] (STARTTLS required; port 587 "
             "if omitted) or smtps://host[:port] (TLS from the start; 465)"},
    {.name = "from",
     .type = NP_CFG_STRING,
     .off = ML(from),
     .def_doc = "(required with server)",
     .help = "sender address (envelope and From header)"},
    {.name = "user",
     .type = NP_CFG_STRING,
     .off = ML(user),
     .def_doc = "(none: no AUTH)",
     .help = "SMTP AUTH user name"},
    {.name = "password",
     .type = NP_CFG_SECRET,
     .flags = NP_CFG_F_SECRET_FORMS,
     .off = ML(password),
     .help = "SMTP AUTH password (with user): password_file (one trailing newline is "
             "stripped) or password_env; never in clear"},
    {.name = "ca_file",
     .type = NP_CFG_PATH,
     .flags = NP_CFG_F_READ,
     .off = ML(ca_file),
     .def_doc = "(the system store)",
     .help = "CA bundle the server's certificate is verified against"},
    {.name = "insecure",
     .type = NP_CFG_BOOL,
     .off = ML(insecure),
     .def = "false",
     .help = "do not verify the server's TLS certificate (draws a warning)"},
    {.name = "timeout",
     .type = NP_CFG_DURATION,
     .off = ML(timeout_ms),
     .min = SEC,
     .max = HOUR,
     .def = "60s",
     .help = "deadline of one delivery (connect, TLS, AUTH, transfer)"},
    {.name = NULL},
};

static const struct np_config_choice report_kinds[] = {{"usage", 0}, {NULL, 0}};
static const struct np_config_choice schedules[] = {
    {"weekly", NP_REPORT_WEEKLY}, {"monthly", NP_REPORT_MONTHLY}, {NULL, 0}};
static const struct np_config_choice pers[] = {
    {"hour", 0}, {"day", 1}, {"week", 2}, {"month", 3}, {NULL, 0}};

const struct np_config_opt np_config_report_opts[] = {
    {.name = "name",
     .type = NP_CFG_NAME,
     .off = RP(name),
     .max = 64,
     .required = NP_CFG_ALL,
     .def_doc = "(required)",
     .help = "unique name; the database remembers each period sent under it"},
    {.name = "report",
     .type = NP_CFG_CHOICE,
     .off = RP(report),
     .choices = report_kinds,
     .def = "usage",
     .help = "which report"},
    {.name = "schedule",
     .type = NP_CFG_ENUM,
     .off = RP(schedule),
     .choices = schedules,
     .required = NP_CFG_ALL,
     .def_doc = "(required)",
     .help = "weekly: Mondays at `at`; monthly: the 1st at `at` (daemon.timezone)"},
    {.name = "period",
     .type = NP_CFG_STRING,
     .off = RP(period),
     .def_doc = "last-week (weekly), last-month (monthly)",
     .help = "the period reported, as `netpulse usage --period` takes it, read at the "
             "scheduled time"},
    {.name = "at",
     .type = NP_CFG_TOKEN,
     .off = RP(at),
     .max = 5,
     .def = "06:00",
     .help = "local time of day (HH:MM in daemon.timezone) the report is sent"},
    {.name = "to",
     .type = NP_CFG_STRINGS,
     .off = RP(to),
     .off2 = RP(nto),
     .max = MAX_RCPT,
     .required = NP_CFG_ALL,
     .def_doc = "(required)",
     .help = "recipient addresses"},
    {.name = "group_by",
     .type = NP_CFG_STRINGS,
     .off = RP(group_by),
     .off2 = RP(ngroup_by),
     .max = MAX_GROUP_BY,
     .def_doc = "source, device, interface",
     .help = "labels the rows are grouped by, as --group-by"},
    {.name = "source",
     .type = NP_CFG_NAME,
     .off = RP(source),
     .max = 64,
     .def_doc = "(all)",
     .help = "only series of this source, as --source"},
    {.name = "per",
     .type = NP_CFG_CHOICE,
     .off = RP(per),
     .choices = pers,
     .def_doc = "(none)",
     .help = "split the rows into time buckets, as --per"},
    {.name = NULL},
};

/* Also the shape smtp.c accepts; checked here so --check-config catches it. */
static bool
server_ok(const char *s)
{
	const char *rest = strncmp(s, "smtp://", 7) == 0    ? s + 7
	                   : strncmp(s, "smtps://", 8) == 0 ? s + 8
	                                                    : NULL;
	if (rest == NULL)
		return false;
	size_t n = strlen(rest);
	if (n > 0 && rest[n - 1] == '/')
		n--;
	return n > 0 && strcspn(rest, "@/?# \t\r\n") >= n;
}

static bool
addr_ok(const char *a)
{
	const char *at = strrchr(a, '@');
	if (at == NULL || at == a || at[1] == '\0')
		return false;
	for (; *a != '\0'; a++)
		if ((unsigned char)*a <= 0x20 || *a == 0x7f || strchr("<>,;\"()[]\\", *a) != NULL)
			return false;
	return true;
}

static const struct np_config_ynode *
at_key(const struct np_config_ynode *map, const char *key)
{
	const struct np_config_ynode *n = map != NULL ? np_config_ydoc_get(map, key) : NULL;
	return n != NULL ? n : map;
}

/* The walker read the password (password_file / password_env); user and it go together. */
static void
check_auth(const struct np_mail_cfg *m, const struct np_config_ynode *sect,
           struct np_config_diag *errs)
{
	static const char *const keys[] = {"password", "password_file", "password_env"};
	const char *given = NULL;
	for (size_t i = 0; i < 3 && given == NULL; i++)
		if (np_config_ydoc_get(sect, keys[i]) != NULL)
			given = keys[i];
	if (given != NULL && m->user == NULL) {
		const struct np_config_ynode *k = at_key(sect, given);
		np_config_diag_add(errs, k->line, k->col, "mail: a password needs 'user'");
	} else if (given == NULL && m->user != NULL) {
		const struct np_config_ynode *k = at_key(sect, "user");
		np_config_diag_add(errs, k->line, k->col,
		                   "mail: 'user' needs password_file or password_env");
	}
}

static void
load_mail(struct np_config *cfg, const struct np_config_ynode *root, struct np_config_diag *errs,
          struct np_config_diag *warns)
{
	const struct np_config_ynode *sect = np_config_ydoc_get(root, "mail");
	if (sect == NULL || sect->kind != NP_CONFIG_YMAP)
		return;
	struct np_mail_cfg *m = &cfg->mail;
	check_auth(m, sect, errs);
	if (m->server != NULL && !server_ok(m->server)) {
		const struct np_config_ynode *k = at_key(sect, "server");
		np_config_diag_add(
		    errs, k->line, k->col,
		    "bad value for 'server' in mail: expected smtp://host[:port] "
		    "(STARTTLS) or smtps://host[:port], without user, password or path");
	}
	if (m->from != NULL && !addr_ok(m->from)) {
		const struct np_config_ynode *k = at_key(sect, "from");
		np_config_diag_add(errs, k->line, k->col,
		                   "bad value for 'from' in mail: expected an address like "
		                   "name@example.net");
	}
	if (m->server != NULL && m->from == NULL)
		np_config_diag_add(errs, sect->line, sect->col,
		                   "missing required key 'from' in mail (the sender address)");
	if (m->insecure) {
		const struct np_config_ynode *k = at_key(sect, "insecure");
		np_config_diag_add(
		    warns, k->line, k->col,
		    "mail.insecure: the mail server's TLS certificate is not verified");
	}
}

/* A list of strings (a single string is a list of one), for the keys the walker skips. */
static void
strings(const struct np_config_opt *o, const struct np_config_ynode *item, void *base,
        const char *owner, bool (*valid)(const char *), const char *what,
        struct np_config_diag *errs)
{
	const struct np_config_ynode *n = np_config_ydoc_get(item, o->name);
	if (n == NULL)
		return;
	const struct np_config_ynode *const *items = &n;
	size_t count = 1;
	if (n->kind == NP_CONFIG_YSEQ) {
		items = (const struct np_config_ynode *const *)n->kids;
		count = n->nkids;
	}
	if (count == 0 || count > (size_t)o->max ||
	    (n->kind != NP_CONFIG_YSEQ && n->kind != NP_CONFIG_YSCALAR)) {
		np_config_diag_add(errs, n->line, n->col,
		                   "bad value for '%s' in %s: expected a list of 1 to %lld %s",
		                   o->name, owner, (long long)o->max, what);
		return;
	}
	char **list = np_xcalloc(count, sizeof(*list));
	size_t got = 0;
	for (size_t i = 0; i < count; i++) {
		const struct np_config_ynode *it = items[i];
		if (it->kind != NP_CONFIG_YSCALAR || np_config_ydoc_is_null(it) ||
		    !valid(it->str)) {
			char *d = np_config_ydoc_describe(it);
			np_config_diag_add(errs, it->line, it->col,
			                   "bad value for '%s' in %s: expected %s, got %s", o->name,
			                   owner, what, d);
			free(d);
			continue;
		}
		list[got++] = np_xstrdup(it->str);
	}
	*(char ***)(void *)((char *)base + o->off) = list;
	*(size_t *)(void *)((char *)base + o->off2) = got;
}

static bool
label_ok(const char *s)
{
	return *s != '\0' && strpbrk(s, ", \t\r\n") == NULL;
}

/* "HH:MM", 00:00 to 23:59. */
static int
parse_at(const char *s)
{
	if (strlen(s) != 5 || s[2] != ':')
		return -1;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return -1;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	return h < 24 && m < 60 ? h * 60 + m : -1;
}

static void
load_report(struct np_config *cfg, const struct np_config_opt *walk_opts,
            const struct np_config_ynode *item, size_t i, struct np_config_diag *errs)
{
	struct np_report_cfg *r = &cfg->reports[cfg->nreports++];
	r->line = item->line;
	const struct np_config_ynode *nn = np_config_ydoc_get(item, "name");
	char *owner = nn != NULL && nn->kind == NP_CONFIG_YSCALAR
	                  ? np_xasprintf("report '%s'", nn->str)
	                  : np_xasprintf("report %zu", i + 1);
	struct np_config_scope sc = {.errs = errs, .owner = owner, .kind = "report", .files = cfg};
	np_config_walk_defaults(np_config_report_opts, r, 0);
	np_config_walk(walk_opts, item, r, &sc);
	strings(np_config_opt_find(np_config_report_opts, "to"), item, r, owner, addr_ok,
	        "addresses like name@example.net", errs);
	strings(np_config_opt_find(np_config_report_opts, "group_by"), item, r, owner, label_ok,
	        "label names", errs);
	if (r->period == NULL)
		r->period =
		    np_xstrdup(r->schedule == NP_REPORT_MONTHLY ? "last-month" : "last-week");
	if (r->at != NULL && (r->at_min = parse_at(r->at)) == -1) {
		const struct np_config_ynode *k = at_key(item, "at");
		np_config_diag_add(errs, k->line, k->col,
		                   "bad value for 'at' in %s: expected a time of day HH:MM "
		                   "(00:00 to 23:59), got '%s'",
		                   owner, r->at);
	}
	for (size_t j = 0; j + 1 < cfg->nreports && r->name != NULL; j++)
		if (cfg->reports[j].name != NULL && strcmp(cfg->reports[j].name, r->name) == 0) {
			np_config_diag_add(errs, nn->line, nn->col,
			                   "duplicate report name '%s' (first defined at line %d)",
			                   r->name, cfg->reports[j].line);
			break;
		}
	free(owner);
}

static void
load_reports(struct np_config *cfg, const struct np_config_ynode *root, struct np_config_diag *errs)
{
	const struct np_config_ynode *list = np_config_ydoc_get(root, "reports");
	if (list == NULL || np_config_ydoc_is_null(list))
		return;
	if (list->kind != NP_CONFIG_YSEQ) {
		char *got = np_config_ydoc_describe(list);
		np_config_diag_add(
		    errs, list->line, list->col,
		    "bad value for 'reports' at the top level: expected a list, got %s", got);
		free(got);
		return;
	}
	if (list->nkids == 0)
		return;
	/* `to` and `group_by` are read by strings(), which checks each entry (an address, a label
	 * name) where it stands: the walker walks a copy of the table that leaves them alone. */
	size_t n = 0;
	while (np_config_report_opts[n].name != NULL)
		n++;
	struct np_config_opt *walk_opts = np_xcalloc(n + 1, sizeof(*walk_opts));
	memcpy(walk_opts, np_config_report_opts, n * sizeof(*walk_opts));
	for (size_t i = 0; i < n; i++)
		if (walk_opts[i].type == NP_CFG_STRINGS)
			walk_opts[i].type = NP_CFG_LIST;
	cfg->reports = np_xcalloc(list->nkids, sizeof(*cfg->reports));
	for (size_t i = 0; i < list->nkids; i++) {
		const struct np_config_ynode *item = list->kids[i];
		if (item->kind != NP_CONFIG_YMAP) {
			char *got = np_config_ydoc_describe(item);
			np_config_diag_add(errs, item->line, item->col,
			                   "report %zu: expected a mapping, got %s", i + 1, got);
			free(got);
			continue;
		}
		load_report(cfg, walk_opts, item, i, errs);
	}
	free(walk_opts);
	if (cfg->nreports > 0 && (cfg->mail.server == NULL || cfg->mail.from == NULL))
		np_config_diag_add(errs, list->line, list->col,
		                   "reports need a mail server: set mail.server and mail.from");
}

void
np_config_mail_load(struct np_config *cfg, const struct np_config_ynode *root,
                    struct np_config_diag *errs, struct np_config_diag *warns)
{
	load_mail(cfg, root, errs, warns);
	load_reports(cfg, root, errs);
}

static void
free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
np_config_mail_free(struct np_config *cfg)
{
	struct np_mail_cfg *m = &cfg->mail;
	free(m->server);
	free(m->from);
	free(m->user);
	np_config_secret_free(m->password);
	free(m->ca_file);
	for (size_t i = 0; i < cfg->nreports; i++) {
		struct np_report_cfg *r = &cfg->reports[i];
		free(r->name);
		free(r->report);
		free(r->period);
		free(r->at);
		free_list(r->to, r->nto);
		free_list(r->group_by, r->ngroup_by);
		free(r->source);
		free(r->per);
	}
	free(cfg->reports);
}
