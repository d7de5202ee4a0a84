/* netpulse export cato-hourly | cato-summary */
#include <stdlib.h>
#include <string.h>

#include "c_cli.h"
#include "report/cato_export.h"

static const struct cli_opt opts[] = {
    {"period", 0, true},
    {"source", 0, true},
    {NULL, 0, false},
};

static int
run(struct cli *cli)
{
	struct np_period p;
	struct np_cato c;
	char *cause = NULL;
	int rc;

	if (cli->npos == 0)
		return cli_usage_error(cli, "which export? cato-hourly or cato-summary");
	bool hourly = strcmp(cli->pos[0], "cato-hourly") == 0;
	if (!hourly && strcmp(cli->pos[0], "cato-summary") != 0)
		return cli_usage_error(cli,
		                       "unknown export \"%s\": expected cato-hourly or "
		                       "cato-summary",
		                       cli->pos[0]);
	if (cli->npos > 1)
		return cli_usage_error(cli, "unexpected argument \"%s\"", cli->pos[1]);
	if (hourly && cli->fmt_set && cli->fmt != NP_FMT_CSV)
		return cli_usage_error(cli, "cato-hourly is CSV only: --format csv or none");
	const char *spec = cli_get(cli, "period");
	if (spec == NULL)
		return cli_usage_error(cli, "--period is required");
	/* UTC unless --tz: the original's local host time made hours ambiguous. */
	struct np_tz *utc = cli->tz_set ? NULL : np_tz_utc();
	const struct np_tz *tz = utc != NULL ? utc : cli->tz;
	if (np_period_parse(spec, cli->now, tz, &p, &cause) == -1) {
		rc = cli_usage_error(cli, "%s", cause);
		free(cause);
		np_tz_free(utc);
		return rc;
	}
	struct np_store *st = cli_open_db(cli, false);
	if (st == NULL) {
		np_tz_free(utc);
		return CLI_ERR;
	}
	if (np_cato_load(np_store_db(st), &p, cli->now, cli_get(cli, "source"), &c, &cause) == -1) {
		rc = cli_error("%s", cause);
	} else {
		char *out;
		if (hourly)
			out = np_cato_hourly_csv(&c, tz);
		else if (cli->fmt_set && cli->fmt != NP_FMT_CSV)
			out = np_cato_summary(&c, cli->fmt, tz);
		else
			out = np_cato_pivot_csv(&c);
		rc = cli_print(out);
		np_cato_free(&c);
	}
	free(cause);
	np_store_close(st);
	np_tz_free(utc);
	return rc;
}

const struct cli_cmd c_export_cmd = {
    .name = "export",
    .summary = "Cato app x user exports: hourly CSV, pivot CSV, summary",
    .usage = "export cato-hourly|cato-summary --period PERIOD [--source SOURCE]",
    .help = "Writes the Cato \"WAN App Stats Analyzer\" outputs from the hourly amounts the\n"
            "cato collector stores (series kind usage with application and user labels), in\n"
            "real megabytes: MB = 10^6 bytes, 3 decimals, rounded half up (the original wrote\n"
            "bytes per second labelled MB). An hour straddling an edge of the period counts\n"
            "pro rata. Names are written as stored (quotes, commas, unicode, empty user).\n"
            "The period is read, and hours are printed, in UTC unless --tz is given.\n"
            "\n"
            "  cato-hourly    CSV (CRLF line ends, RFC 4180 quoting):\n"
            "                 hour,application,user_name,measure_type,bandwidth_mb; hour =\n"
            "                 \"YYYY-MM-DD HH:MM:SS\", measure_type upstream or downstream, one\n"
            "                 row per measure with bytes > 0, sorted by hour, application,\n"
            "                 user, measure. --format text or json is a usage error.\n"
            "  cato-summary   the pivot CSV (CRLF): application,<user>_mb...,total_mb, users\n"
            "                 sorted, rows by total_mb descending then application; a user\n"
            "                 named \"total\" is headed \"total_mb (user)\"; a name without a\n"
            "                 byte in the period has no row or column (as the original).\n"
            "                 With --format text or json instead: the summary: records (rows\n"
            "                 of cato-hourly), total upstream, downstream and both, the top\n"
            "                 10 applications and every user by bytes (text: MB, 2 decimals;\n"
            "                 JSON: bytes).\n"
            "\n"
            "  --period PERIOD   required (see netpulse --help)\n"
            "  --source SOURCE   only this source's amounts (default: every Cato source's)\n",
    .opts = opts,
    .run = run,
};
