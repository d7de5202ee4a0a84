/* netpulse egress */
#include <stdlib.h>

#include "c_cli.h"
#include "report/egress.h"

#define DEFAULT_PERIOD "30d"

static const struct cli_opt opts[] = {
    {"period", 0, true}, {"group-by", 0, true}, {"source", 0, true},
    {"per", 0, true},    {NULL, 0, false},
};

static int
run(struct cli *cli)
{
	struct np_period p;
	struct np_egress e;
	struct np_egress_opts o = {0};
	char *cause = NULL;
	int rc;

	if (cli->npos > 0)
		return cli_usage_error(cli, "unexpected argument \"%s\"", cli->pos[0]);
	if ((rc = cli_period(cli, DEFAULT_PERIOD, &p)) != CLI_OK)
		return rc;
	if ((cli_get(cli, "group-by") != NULL &&
	     np_egress_group_parse(cli_get(cli, "group-by"), &o, &cause) == -1) ||
	    (cli_get(cli, "per") != NULL &&
	     np_usage_per_parse(cli_get(cli, "per"), &o.per, &cause) == -1)) {
		rc = cli_usage_error(cli, "%s", cause);
		free(cause);
		return rc;
	}
	o.tz = cli->tz;
	o.source = cli_get(cli, "source");
	struct np_store *st = cli_open_db(cli, false);
	if (st == NULL)
		return CLI_ERR;
	if (np_egress_compute(np_store_db(st), &p, cli->now, &o, &e, &cause) == -1) {
		rc = cli_error("%s", cause);
	} else {
		rc = cli_print(np_egress_render(&e, cli->fmt, cli->tz));
		np_egress_free(&e);
	}
	free(cause);
	np_store_close(st);
	return rc;
}

const struct cli_cmd c_egress_cmd = {
    .name = "egress",
    .summary = "Aviatrix spoke gateways: internal (tunnel) and egress bytes",
    .usage = "egress [--period PERIOD] [--source SOURCE] [--group-by KEY[,KEY...]] "
             "[--per hour|day|week|month]",
    .help = "Prints, per Aviatrix spoke gateway (or group of them), over the period: internal\n"
            "RX/TX = the sums of its tun-* interfaces' rx/tx bytes, egress RX/TX = eth0 rx (tx)\n"
            "minus the tunnels' rx + tx, floored at 0 (egress_floored says a floor was hit:\n"
            "eth0 carried less than the tunnels), and total = the four summed; then the\n"
            "aggregate over all gateways. Deltas come from the counter engine (resets and\n"
            "reboots handled) through the rollups, so both ends of the period round up to 5\n"
            "minutes. Caveat: with local SNAT egress an Internet flow crosses eth0 both ways,\n"
            "so egress RX and egress TX each approximate all Internet bytes and total counts\n"
            "them about twice; the formula does not fit centralized egress (FireNet/transit)\n"
            "or multi-NIC gateways. Gateways: series with interface eth0 and a gateway label.\n"
            "Text: the layout and units of the original report (KB/MB/GB/TB are powers of\n"
            "1024); CSV: the original's columns (an attribute column is empty when a group's\n"
            "gateways differ in it) plus egress_floored, LF line ends; JSON: bytes as\n"
            "integers.\n"
            "\n"
            "  --period PERIOD       default " DEFAULT_PERIOD " (see netpulse --help)\n"
            "  --source SOURCE       only this source's gateways (default: every source's)\n"
            "  --group-by KEY[,...]  sum gateways by account, region, cloud, transit, vpc,\n"
            "                        vpc_id, group or gateway (their labels; default gateway);\n"
            "                        each gateway is floored on its own before the sum\n"
            "  --per UNIT            one row per group and hour, day, week (from Monday) or\n"
            "                        month, cut at local edges in --tz; each gateway is\n"
            "                        floored per bucket, and the aggregate sums the rows\n",
    .opts = opts,
    .run = run,
};
