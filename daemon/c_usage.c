/* netpulse usage */
#include <stdlib.h>
#include <string.h>

#include "c_cli.h"
#include "c_mail.h"
#include "report/usage.h"

#define DEFAULT_PERIOD "30d"

static const struct cli_opt opts[] = {
    {"period", 0, true},  {"group-by", 0, true}, {"source", 0, true}, {"device", 0, true},
    {"per", 0, true},     {"mail-to", 0, true},  {"units", 0, true},  {"all", 0, false},
    {"columns", 0, true}, {NULL, 0, false},
};

static int
run(struct cli *cli)
{
	struct np_period p;
	struct np_usage u;
	struct np_usage_opts o = {0};
	struct np_usage_view view = {0};
	char *cause = NULL, *groups = NULL;
	const char *units = cli_get(cli, "units"), *columns = cli_get(cli, "columns");
	int rc;

	if (cli->npos > 0)
		return cli_usage_error(cli, "unexpected argument \"%s\"", cli->pos[0]);
	if (units != NULL && strcmp(units, "bits") != 0 && strcmp(units, "bytes") != 0)
		return cli_usage_error(cli, "invalid --units \"%s\": expected bits or bytes",
		                       units);
	view.bytes = units != NULL && strcmp(units, "bytes") == 0;
	if (cli_flag(cli, "all") && columns != NULL)
		return cli_usage_error(cli, "--all and --columns exclude each other");
	if (cli_flag(cli, "all"))
		view.columns = NP_USAGE_ALL_COLUMNS;
	if (columns != NULL && np_usage_columns_parse(columns, &view.columns, &cause) == -1) {
		rc = cli_usage_error(cli, "--columns: %s", cause);
		free(cause);
		return rc;
	}
	if ((rc = cli_period(cli, DEFAULT_PERIOD, &p)) != CLI_OK)
		return rc;
	if (cli_get(cli, "group-by") != NULL) {
		groups = strdup(cli_get(cli, "group-by"));
		if (groups == NULL)
			return cli_error("out of memory");
		if (np_usage_group_parse(groups, &o, &cause) == -1) {
			rc = cli_usage_error(cli, "%s", cause);
			free(cause);
			free(groups);
			return rc;
		}
	}
	if (cli_get(cli, "per") != NULL &&
	    np_usage_per_parse(cli_get(cli, "per"), &o.per, &cause) == -1) {
		rc = cli_usage_error(cli, "%s", cause);
		free(cause);
		free(groups);
		return rc;
	}
	o.tz = cli->tz;
	o.source = cli_get(cli, "source");
	o.device = cli_get(cli, "device");
	struct np_store *st = cli_open_db(cli, false);
	if (st == NULL) {
		free(groups);
		return CLI_ERR;
	}
	if (np_usage_compute(np_store_db(st), &p, cli->now, &o, &u, &cause) == -1) {
		rc = cli_error("%s", cause);
	} else {
		if (cli_get(cli, "mail-to") != NULL)
			rc = cli_mail_usage(cli, &u, cli_get(cli, "mail-to"));
		else
			rc = cli_print(np_usage_render(&u, cli->fmt, cli->tz, &view));
		np_usage_free(&u);
	}
	free(cause);
	free(groups);
	np_store_close(st);
	return rc;
}

const struct cli_cmd c_usage_cmd = {
    .name = "usage",
    .summary = "traffic per interface or label group, --per hour/day/week/month",
    .usage = "usage [--period PERIOD] [--group-by LABEL[,LABEL...]] [--source SOURCE] "
             "[--device DEVICE] [--per hour|day|week|month] [--units bits|bytes] "
             "[--all | --columns COL[,COL...]] [--mail-to ADDR[,ADDR...]]",
    .help = "Prints per group of series, over the period: bytes, packets, errors and drops in\n"
            "(rx) and out (tx); the average rate (bytes over the seconds covered, summed over\n"
            "the group's series); the peak rate (the highest per-poll rate of any series);\n"
            "gauge min/avg/max for gauge series (e.g. NetFlow bps); then a total row.\n"
            "Read from the rollups: whole UTC days from rollup_1d, whole hours from rollup_1h,\n"
            "the rest from rollup_5m; a bucket counts if it starts inside the period, so both\n"
            "ends round up to 5 minutes; raw samples are not read. Text shows amounts in\n"
            "IEC units (KiB, MiB...), rates in bit/s with SI steps (kbit/s, Mbit/s...), and\n"
            "rx/tx bytes, the rates and gauge_avg (the rest with --all or --columns), hiding\n"
            "gauge columns when there are no gauges; CSV and JSON give every column as raw\n"
            "numbers, rates under names with their unit (avg_rx_bits_per_second, ...).\n"
            "Interval amounts (usage a source reports per interval, e.g. Meraki per day)\n"
            "count over the exact period; one that straddles an edge of the period (or of a\n"
            "--per bucket) counts pro rata by the seconds inside it.\n"
            "\n"
            "  --period PERIOD          default " DEFAULT_PERIOD " (see netpulse --help)\n"
            "  --group-by LABEL[,...]   group by source, device, interface, kind or any label\n"
            "                           of the series (account, region, vpc, ...); default:\n"
            "                           source,device,interface. A series without the label\n"
            "                           goes to a group with an empty value.\n"
            "  --source SOURCE          only series of this source\n"
            "  --device DEVICE          only series of this device\n"
            "  --per UNIT               one row per group and hour, day, week (from Monday)\n"
            "                           or month, cut at local edges in --tz (a DST day has\n"
            "                           23 or 25 hours); each row starts with its bucket's\n"
            "                           start (JSON: start and end); the first and last\n"
            "                           buckets are cut to the period; groups without data\n"
            "                           in a bucket have no row there; the total row is\n"
            "                           the whole period's\n"
            "  --units bits|bytes       rates in bits per second (default) or bytes per\n"
            "                           second (text: MiB/s; CSV/JSON: *_bytes_per_second)\n"
            "  --all                    text: every column (packets, errors, drops, gauge\n"
            "                           min and max too)\n"
            "  --columns COL[,...]      text: only these value columns, of rx_bytes,\n"
            "                           tx_bytes, rx_packets, tx_packets, rx_errors,\n"
            "                           tx_errors, rx_drops, tx_drops, avg_rx_rate,\n"
            "                           avg_tx_rate, peak_rx_rate, peak_tx_rate, gauge_min,\n"
            "                           gauge_avg, gauge_max\n"
            "  --mail-to ADDR[,...]     mail the report instead of printing it: the text report\n"
            "                           as the body, the CSV report attached as\n"
            "                           usage-START-END.csv (default units and columns),\n"
            "                           through the mail: section of the\n"
            "                           configuration (smtp:// needs STARTTLS). Exits 0 only\n"
            "                           when the server accepted the message; otherwise says\n"
            "                           the server and its reason.\n",
    .opts = opts,
    .run = run,
};
