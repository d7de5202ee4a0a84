/*
 * netpulse: reports from the netpulsed database (DESIGN §8). Reads the database read-only
 * (WAL), so it runs while the daemon writes; only `db vacuum` opens it read-write.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "c_cli.h"
#include "report/period.h"

#define DEFAULT_CONFIG "/etc/netpulse/netpulse.yaml"

static const struct cli_cmd *const commands[] = {
    &c_status_cmd, &c_events_cmd, &c_downtime_cmd, &c_usage_cmd, &c_egress_cmd, &c_top_cmd,
    &c_export_cmd, &c_alerts_cmd, &c_health_cmd,   &c_db_cmd,    NULL,
};

/* Global options; accepted before or after the command. */
static const struct cli_opt globals[] = {
    {"config", 'c', true}, {"db", 0, true},      {"format", 0, true},     {"tz", 0, true},
    {"now", 0, true},      {"help", 'h', false}, {"version", 'V', false}, {NULL, 0, false},
};

struct globals {
	const char *config, *db, *format, *tz, *now;
	bool help, version;
};

static void
usage(FILE *f)
{
	fputs("usage: netpulse [-c FILE] [--db PATH] [--format text|csv|json] [--tz ZONE]\n"
	      "                [--now TIME] COMMAND [ARGS]\n"
	      "       netpulse --help | --version | COMMAND --help\n",
	      f);
}

static void
help(void)
{
	usage(stdout);
	fputs("\nReports from the netpulsed database, opened read-only (safe while the daemon\n"
	      "writes).\n\ncommands:\n",
	      stdout);
	for (size_t i = 0; commands[i] != NULL; i++)
		printf("  %-9s  %s\n", commands[i]->name, commands[i]->summary);
	fputs(
	    "\nglobal options (before or after the command):\n"
	    "  -c, --config FILE  daemon configuration, for daemon.database and daemon.timezone\n"
	    "                     (default " DEFAULT_CONFIG ")\n"
	    "  --db PATH          the database; overrides the configuration, and without -c no\n"
	    "                     configuration is read\n"
	    "  --format FORMAT    text (default: aligned, human units), csv (RFC 4180, LF line\n"
	    "                     ends, raw numbers) or json (an object with \"version\": 1\n"
	    "                     first; see netpulse(1) JSON OUTPUT)\n"
	    "  --tz ZONE          IANA zone (as under /usr/share/zoneinfo) for printed times and\n"
	    "                     calendar periods; default daemon.timezone, else the local\n"
	    "                     zone (TZ, else /etc/localtime, else UTC). Times print as\n"
	    "                     ISO 8601 with offset, UTC as +00:00\n"
	    "  --now TIME         report as if now were TIME (Unix seconds or\n"
	    "                     YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM]), for reproducible output\n"
	    "  -h, --help         this help (netpulse COMMAND --help: that command's)\n"
	    "  -V, --version      the version\n"
	    "\nperiods (--period):\n"
	    "  30d, 12h, 90m, 1h30m, 2w      the last so long, up to now\n"
	    "  today, yesterday, this-week, last-week, this-month, last-month, this-year,\n"
	    "  last-year                     whole local days; weeks start on Monday\n"
	    "  2026-10-01, 2026-10           that day, that month\n"
	    "  A..B                          A and B dates or months (B included) or times\n"
	    "                                2026-10-01T08:00[:SS][Z|+HH:MM] (B excluded);\n"
	    "                                A.. means up to now\n"
	    "  A local time that a DST change skips means the change's instant; one that occurs\n"
	    "  twice means the first. A period ending after now is measured up to now.\n"
	    "  usage --per hour|day|week|month cuts the period at the local edges of --tz.\n"
	    "  export reads periods and prints hours in UTC unless --tz is given.\n"
	    "\nexit status: 0 success, 1 error, 2 usage error\n",
	    stdout);
}

static void
cmd_help(const struct cli_cmd *c)
{
	printf("usage: netpulse [GLOBAL OPTIONS] %s\n\n%s", c->usage, c->help);
	fputs("\nGlobal options (-c, --db, --format, --tz, --now): see netpulse --help.\n", stdout);
}

static const struct cli_opt *
find_opt(const struct cli_opt *t, const char *name, size_t len, char shortname)
{
	for (; t != NULL && t->name != NULL; t++) {
		if (shortname != 0 ? t->shortname == shortname
		                   : strlen(t->name) == len && strncmp(t->name, name, len) == 0)
			return t;
	}
	return NULL;
}

static const struct cli_cmd *
find_cmd(const char *name)
{
	for (size_t i = 0; commands[i] != NULL; i++) {
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	}
	return NULL;
}

static void
set_global(struct globals *g, const struct cli_opt *o, const char *v)
{
	if (strcmp(o->name, "config") == 0)
		g->config = v;
	else if (strcmp(o->name, "db") == 0)
		g->db = v;
	else if (strcmp(o->name, "format") == 0)
		g->format = v;
	else if (strcmp(o->name, "tz") == 0)
		g->tz = v;
	else if (strcmp(o->name, "now") == 0)
		g->now = v;
	else if (strcmp(o->name, "help") == 0)
		g->help = true;
	else if (strcmp(o->name, "version") == 0)
		g->version = true;
}

/* Splits argv into global options, the command, its options and its arguments. */
static int
parse(int argc, char **argv, struct cli *cli, struct globals *g)
{
	bool dashdash = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		if (dashdash || a[0] != '-' || a[1] == '\0') {
			if (cli->cmd == NULL) {
				if (strcmp(a, "help") == 0 && cli->npos == 0) {
					g->help = true;
					continue;
				}
				if ((cli->cmd = find_cmd(a)) == NULL && !g->help)
					return cli_usage_error(NULL, "unknown command \"%s\"", a);
				if (cli->cmd == NULL)
					return cli_usage_error(
					    NULL, "no help for unknown command \"%s\"", a);
				continue;
			}
			if (cli->npos == CLI_MAX_ARGS)
				return cli_usage_error(cli, "too many arguments");
			cli->pos[cli->npos++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			dashdash = true;
			continue;
		}
		const struct cli_opt *o;
		bool is_global = true;
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq != NULL ? (size_t)(eq - name) : strlen(name);
			o = find_opt(globals, name, len, 0);
			if (o == NULL && cli->cmd != NULL) {
				o = find_opt(cli->cmd->opts, name, len, 0);
				is_global = false;
			}
			if (o == NULL)
				return cli_usage_error(cli, "unknown option \"--%.*s\"", (int)len,
				                       name);
			if (eq != NULL && !o->arg)
				return cli_usage_error(cli, "option --%s takes no value", o->name);
			val = eq != NULL ? eq + 1 : NULL;
		} else {
			o = find_opt(globals, NULL, 0, a[1]);
			if (o == NULL && cli->cmd != NULL) {
				o = find_opt(cli->cmd->opts, NULL, 0, a[1]);
				is_global = false;
			}
			if (o == NULL)
				return cli_usage_error(cli, "unknown option \"-%c\"", a[1]);
			if (a[2] != '\0') {
				if (!o->arg)
					return cli_usage_error(cli, "unknown option \"%s\"", a);
				val = a + 2;
			}
		}
		if (o->arg && val == NULL) {
			if (i + 1 >= argc)
				return cli_usage_error(cli, "option --%s needs a value", o->name);
			val = argv[++i];
		}
		if (is_global) {
			set_global(g, o, val);
		} else {
			if (cli->nset == CLI_MAX_ARGS)
				return cli_usage_error(cli, "too many options");
			cli->set[cli->nset] = o;
			cli->val[cli->nset++] = val;
		}
	}
	return CLI_OK;
}

static int
parse_now(const char *s, const struct np_tz *tz, int64_t *now)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (*s != '\0' && *end == '\0' && errno == 0 && v > -(1LL << 39) && v < (1LL << 39)) {
		*now = v;
		return 0;
	}
	return np_time_parse(s, tz, now, NULL);
}

/* Configuration, database path, format, zone and now, from the global options. */
static int
setup(struct cli *cli, const struct globals *g)
{
	char *cause = NULL;
	struct stat sb;

	if (g->format != NULL && np_format_parse(g->format, &cli->fmt) == -1)
		return cli_usage_error(cli, "invalid --format \"%s\": expected text, csv or json",
		                       g->format);
	cli->fmt_set = g->format != NULL;
	cli->tz_set = g->tz != NULL;
	if (g->config != NULL || g->db == NULL) {
		const char *path = g->config != NULL ? g->config : DEFAULT_CONFIG;
		if (g->config == NULL && stat(path, &sb) == -1)
			return cli_error(
			    "%s: %s; name the configuration with -c FILE or the database "
			    "with --db PATH",
			    path, strerror(errno));
		/*
		 * Without the secrets: a service's credentials (LoadCredential=) and variables are
		 * not there for the CLI's users, who need the database only. --mail-to reads the
		 * file again with them (c_mail.c).
		 */
		if ((cli->cfg = np_config_load_flags(path, NP_CONFIG_NO_SECRETS, &cause)) == NULL) {
			cli_error("%s", cause != NULL ? cause : path);
			free(cause);
			return CLI_ERR;
		}
		cli->config_path = path;
	}
	cli->db_path = g->db != NULL ? g->db : cli->cfg->database;
	const char *zone = g->tz != NULL ? g->tz : cli->cfg != NULL ? cli->cfg->timezone : NULL;
	cli->tz = zone != NULL ? np_tz_load(NULL, zone, &cause)
	                       : np_tz_local(getenv("TZ"), NULL, NULL, &cause);
	if (cli->tz == NULL) {
		int rc = g->tz != NULL ? cli_usage_error(cli, "--tz: %s", cause)
		         : zone != NULL
		             ? cli_error("%s: daemon.timezone: %s", cli->config_path, cause)
		             : cli_error("the local time zone: %s; name one with --tz", cause);
		free(cause);
		return rc;
	}
	cli->now = (int64_t)time(NULL);
	if (g->now != NULL && parse_now(g->now, cli->tz, &cli->now) == -1)
		return cli_usage_error(cli,
		                       "invalid --now \"%s\": expected Unix seconds or "
		                       "YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM]",
		                       g->now);
	return CLI_OK;
}

int
main(int argc, char **argv)
{
	struct cli cli;
	struct globals g;
	memset(&cli, 0, sizeof(cli));
	memset(&g, 0, sizeof(g));
	cli.fmt = NP_FMT_TEXT;

	int rc = parse(argc, argv, &cli, &g);
	if (rc == CLI_USAGE && cli.cmd == NULL)
		usage(stderr);
	if (rc != CLI_OK)
		return rc;
	if (g.version) {
		printf("netpulse %s\n", NP_VERSION);
		return CLI_OK;
	}
	if (g.help) {
		if (cli.cmd != NULL)
			cmd_help(cli.cmd);
		else
			help();
		return CLI_OK;
	}
	if (cli.cmd == NULL) {
		cli_usage_error(NULL, "no command given");
		usage(stderr);
		return CLI_USAGE;
	}
	if ((rc = setup(&cli, &g)) == CLI_OK)
		rc = cli.cmd->run(&cli);
	np_tz_free(cli.tz);
	np_config_free(cli.cfg);
	return rc;
}
