/* netpulse top */
#include <errno.h>
#include <stdlib.h>

#include "c_cli.h"
#include "report/top.h"

#define DEFAULT_PERIOD "30d"
#define DEFAULT_TOP 10
#define MAX_TOP 100000

static const struct cli_opt opts[] = {
    {"period", 0, true}, {"source", 0, true}, {"direction", 0, true},
    {"top", 0, true},    {NULL, 0, false},
};

static int
run(struct cli *cli)
{
	struct np_period p;
	struct np_top t;
	enum np_top_dir dir = NP_TOP_DST;
	long n = DEFAULT_TOP;
	char *cause = NULL;
	int rc;

	if (cli->npos > 0)
		return cli_usage_error(cli, "unexpected argument \"%s\"", cli->pos[0]);
	if ((rc = cli_period(cli, DEFAULT_PERIOD, &p)) != CLI_OK)
		return rc;
	if (cli_get(cli, "direction") != NULL &&
	    np_top_dir_parse(cli_get(cli, "direction"), &dir, &cause) == -1) {
		rc = cli_usage_error(cli, "%s", cause);
		free(cause);
		return rc;
	}
	if (cli_get(cli, "top") != NULL) {
		const char *s = cli_get(cli, "top");
		char *end;
		errno = 0;
		n = strtol(s, &end, 10);
		if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || n < 1 || n > MAX_TOP)
			return cli_usage_error(cli, "invalid --top \"%s\": expected 1 to %d", s,
			                       MAX_TOP);
	}
	struct np_store *st = cli_open_db(cli, false);
	if (st == NULL)
		return CLI_ERR;
	if (np_top_compute(np_store_db(st), &p, cli->now, cli_get(cli, "source"), dir, (size_t)n,
	                   &t, &cause) == -1) {
		rc = cli_error("%s", cause);
	} else {
		rc = cli_print(np_top_render(&t, cli->fmt, cli->tz));
		np_top_free(&t);
	}
	free(cause);
	np_store_close(st);
	return rc;
}

const struct cli_cmd c_top_cmd = {
    .name = "top",
    .summary = "Aviatrix FlowIQ top talkers (external destinations, internal sources)",
    .usage = "top [--period PERIOD] [--source SOURCE] [--direction dst|src] [--top N]",
    .help = "Prints the addresses with the most bytes over the period, from the FlowIQ top\n"
            "talkers the aviatrix collector stores per top_talkers.interval (spoke gateways\n"
            "only, both directions of a flow summed): dst = external addresses talking with\n"
            "internal ones (RFC 1918, 100.64.0.0/10, fc00::/7), src = internal addresses\n"
            "talking with external ones. Bytes of an address are summed over the stored\n"
            "intervals; an interval straddling an edge of the period counts pro rata. Each\n"
            "interval held only its top list, so an address missing from some intervals'\n"
            "lists is undercounted. Rows: bytes descending, then address (IPv4 before IPv6).\n"
            "Text: the original report's layout (KB/MB/GB are powers of 1024); CSV:\n"
            "rank,ip,bytes; JSON: {\"version\", \"period\", \"direction\", \"rows\": [{\"ip\",\n"
            "\"bytes\"}]}.\n"
            "\n"
            "  --period PERIOD     default " DEFAULT_PERIOD " (see netpulse --help)\n"
            "  --source SOURCE     only this source's talkers (default: every source's)\n"
            "  --direction DIR     dst (default) or src\n"
            "  --top N             how many addresses, 1 to 100000 (default 10)\n",
    .opts = opts,
    .run = run,
};
