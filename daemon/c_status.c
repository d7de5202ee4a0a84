/* netpulse status */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alert/sink.h"
#include "c_cli.h"
#include "report/health.h"
#include "report/status.h"
#include "util/xmalloc.h"

static const struct cli_opt opts[] = {
    {"explain", 0, false},
    {"device", 0, true},
    {"output", 'o', true},
    {NULL, 0, false},
};

static int
write_file(const char *dir, const char *name, char *text)
{
	char *path = np_xasprintf("%s/%s.csv", dir, name);
	FILE *f = fopen(path, "w");
	int rc = CLI_OK;
	if (f == NULL) {
		rc = cli_error("%s: %s", path, strerror(errno));
	} else {
		bool ok = fputs(text, f) != EOF;
		/* fclose flushes: its failure is a write failure too. */
		if (fclose(f) == EOF)
			ok = false;
		if (!ok)
			rc = cli_error("writing %s: %s", path, strerror(errno));
	}
	free(path);
	free(text);
	return rc;
}

/* CSV --explain: every table in a file of its own, DIR/<table>.csv. */
static int
write_tables(const struct np_report_ctx *ctx, const struct np_status_opts *o, const char *dir)
{
	if (mkdir(dir, 0777) == -1 && errno != EEXIST)
		return cli_error("%s: %s", dir, strerror(errno));
	for (int p = 0; p < NP_STATUS_NPARTS; p++) {
		char *cause = NULL;
		char *s = np_report_status_part(ctx, o, (enum np_status_part)p, &cause);
		if (s == NULL) {
			cli_error("%s", cause);
			free(cause);
			return CLI_ERR;
		}
		if (write_file(dir, np_status_part_name((enum np_status_part)p), s) != CLI_OK)
			return CLI_ERR;
	}
	return CLI_OK;
}

/*
 * Failing sources in one line, links or not: after the text report, on stderr beside CSV
 * and JSON (their stdout stays one document).
 */
static int
failing_line(const struct cli *cli, struct np_store *st, bool on_stdout)
{
	struct np_health h;
	int rc = CLI_OK;
	if (cli_health_read(cli, st, 0, &h) == -1) {
		rc = CLI_ERR;
	} else {
		char *line = np_health_failing_line(&h);
		if (line != NULL && on_stdout)
			rc = cli_print(np_xasprintf("\n%s\n", line));
		else if (line != NULL)
			fprintf(stderr, "netpulse: %s\n", line);
		free(line);
	}
	np_health_free(&h);
	return rc;
}

static int
run(struct cli *cli)
{
	if (cli->npos > 0)
		return cli_usage_error(cli, "unexpected argument \"%s\"", cli->pos[0]);
	struct np_status_opts o = {.device = cli_get(cli, "device"),
	                           .explain = cli_flag(cli, "explain")};
	const char *dir = cli_get(cli, "output");
	bool tables = o.explain && cli->fmt == NP_FMT_CSV;
	if (dir != NULL && !tables)
		return cli_usage_error(cli, "--output is for --format csv --explain (a file per "
		                            "table)");
	if (tables && dir == NULL)
		return cli_usage_error(cli, "--format csv --explain writes four tables, one file "
		                            "each: give --output DIR");
	struct np_store *st = cli_open_db(cli, false);
	if (st == NULL)
		return CLI_ERR;
	struct np_report_ctx ctx = cli_ctx(cli, st);
	/* The keys the daemon's sinks have under this config (sink_key.c decides them). */
	char **keys = NULL;
	if (cli->cfg != NULL) {
		keys = np_xcalloc(cli->cfg->nalerts + 1, sizeof(*keys));
		for (size_t i = 0; i < cli->cfg->nalerts; i++)
			if ((keys[o.nsinks] = np_sink_cfg_key(&cli->cfg->alerts[i])) != NULL)
				o.nsinks++;
		o.sinks = (const char *const *)keys;
		o.sinks_known = true;
	}
	o.canonical = np_sink_key_canonical;
	int rc;
	if (tables) {
		rc = write_tables(&ctx, &o, dir);
	} else {
		char *cause = NULL, *out = np_report_status(&ctx, &o, &cause);
		rc = out != NULL ? cli_print(out) : cli_error("%s", cause);
		free(cause);
	}
	for (size_t i = 0; i < o.nsinks; i++)
		free(keys[i]);
	free(keys);
	if (rc == CLI_OK)
		rc = failing_line(cli, st, cli->fmt == NP_FMT_TEXT);
	np_store_close(st);
	return rc;
}

const struct cli_cmd c_status_cmd = {
    .name = "status",
    .summary = "every link: state, since when, the sources observing it",
    .usage = "status [--explain [--output DIR]] [--device DEVICE]",
    .help = "Prints every link (device, interface) with its state (up, down, stale, removed,\n"
            "unknown), the time it entered that state, the sources that decided it and whether\n"
            "it is flapping, ordered by device and interface. When sources are failing, one\n"
            "more line says which, since when, how many polls failed and the last error\n"
            "(after the text report; on stderr with CSV and JSON), links or not.\n"
            "\n"
            "  --explain        also print every non-ok counter verdict per series (verdict,\n"
            "                   count, last time), each source's collector health (ok, since,\n"
            "                   consecutive failures, last error, skipped rows and why) and\n"
            "                   the alerts pending per sink, including sinks the\n"
            "                   configuration no longer has. Text adds \"# verdicts\",\n"
            "                   \"# collectors\" and \"# alert sinks\" sections after an empty\n"
            "                   line; JSON becomes {\"links\": [...], \"collectors\": [...]},\n"
            "                   each link with its \"series\" and \"collectors\"; CSV needs\n"
            "                   --output.\n"
            "  -o, --output DIR with --format csv --explain: write each table to a file of\n"
            "                   its own in DIR (created if missing): links.csv, verdicts.csv,\n"
            "                   collectors.csv, alert_sinks.csv\n"
            "  --device DEVICE  only the links of this device\n",
    .opts = opts,
    .run = run,
};
