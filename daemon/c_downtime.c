/* netpulse downtime */
#include <stdlib.h>

#include "c_cli.h"
#include "report/downtime.h"

#define DEFAULT_PERIOD "30d"

static const struct cli_opt opts[] = {
    {"period", 0, true},
    {"device", 0, true},
    {NULL, 0, false},
};

static int
run(struct cli *cli)
{
	struct np_period p;
	struct np_downtime d;
	char *cause = NULL;
	int rc;

	if (cli->npos > 0)
		return cli_usage_error(cli, "unexpected argument \"%s\"", cli->pos[0]);
	if ((rc = cli_period(cli, DEFAULT_PERIOD, &p)) != CLI_OK)
		return rc;
	/* Maintenance time comes from the database: netpulsed records it as it happens. */
	struct np_store *st = cli_open_db(cli, false);
	if (st == NULL)
		return CLI_ERR;
	if (np_downtime_compute(np_store_db(st), &p, cli->now, cli_get(cli, "device"), &d,
	                        &cause) == -1) {
		rc = cli_error("%s", cause);
	} else {
		rc = cli_print(np_downtime_render(&d, cli->fmt, cli->tz));
		np_downtime_free(&d);
	}
	free(cause);
	np_store_close(st);
	return rc;
}

const struct cli_cmd c_downtime_cmd = {
    .name = "downtime",
    .summary = "down time, outages and availability per link, and the total",
    .usage = "downtime [--period PERIOD] [--device DEVICE]",
    .help = "Prints, per link, for the period up to now at the latest:\n"
            "  down_seconds        its outages' overlap with the period (an open outage counts\n"
            "                      up to now)\n"
            "  outages             how many outages overlap the period\n"
            "  unobserved_seconds  time it was stale, or no netpulsed run covered (counted\n"
            "                      from the link's first sighting on; run gaps only if the\n"
            "                      database records runs at all)\n"
            "  availability        1 - observed down time / observed time; none (\"-\", empty,\n"
            "                      null) if nothing was observed\n"
            "  maintenance_seconds time inside maintenance windows that apply to it\n"
            "                      (netpulsed.yaml(5) maintenance): neither down nor\n"
            "                      observed, so it counts against neither; the column is\n"
            "                      shown when there are windows\n"
            "and a total: links, the summed down time, 1 - sum(down) / sum(observed).\n"
            "Text shows durations as \"1h 2m 3s\" and availability in percent; CSV and JSON\n"
            "give seconds and a ratio (0-1, six decimals).\n"
            "\n"
            "  --period PERIOD  default " DEFAULT_PERIOD " (see netpulse --help for the forms)\n"
            "  --device DEVICE  only the links of this device\n",
    .opts = opts,
    .run = run,
};
