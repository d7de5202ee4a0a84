/* netpulse status */
#include <stdlib.h>

#include "alert/sink.h"
#include "c_cli.h"
#include "report/status.h"
#include "util/xmalloc.h"

static const struct cli_opt opts[] = {
    {"explain", 0, false},
    {"device", 0, true},
    {NULL, 0, false},
};

static int
run(struct cli *cli)
{
	if (cli->npos > 0)
		return cli_usage_error(cli, "unexpected argument \"%s\"", cli->pos[0]);
	struct np_store *st = cli_open_db(cli, false);
	if (st == NULL)
		return CLI_ERR;
	struct np_report_ctx ctx = cli_ctx(cli, st);
	struct np_status_opts o = {.device = cli_get(cli, "device"),
	                           .explain = cli_flag(cli, "explain")};
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
	char *cause = NULL, *out = np_report_status(&ctx, &o, &cause);
	for (size_t i = 0; i < o.nsinks; i++)
		free(keys[i]);
	free(keys);
	int rc = out != NULL ? cli_print(out) : cli_error("%s", cause);
	free(cause);
	np_store_close(st);
	return rc;
}

const struct cli_cmd c_status_cmd = {
    .name = "status",
    .summary = "every link: state, since when, the sources observing it",
    .usage = "status [--explain] [--device DEVICE]",
    .help = "Prints every link (device, interface) with its state (up, down, stale, removed,\n"
            "unknown), the time it entered that state, the sources that decided it and whether\n"
            "it is flapping, ordered by device and interface.\n"
            "\n"
            "  --explain        also print every non-ok counter verdict per series (verdict,\n"
            "                   count, last time), each source's collector health (ok, since,\n"
            "                   failures, last error, skipped rows and why) and the alerts\n"
            "                   pending per sink, including sinks the configuration no longer\n"
            "                   has. Text and CSV add \"# verdicts\", \"# collectors\" and\n"
            "                   \"# alert sinks\" sections after an empty line; JSON adds\n"
            "                   \"series\" and \"collectors\" to each link.\n"
            "  --device DEVICE  only the links of this device\n",
    .opts = opts,
    .run = run,
};
