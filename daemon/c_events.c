/* netpulse events */
#include <stdlib.h>
#include <string.h>

#include "c_cli.h"
#include "report/events.h"
#include "report/period.h"

#define DEFAULT_SINCE "24h"

static const struct cli_opt opts[] = {
    {"since", 0, true},
    {"state", 0, true},
    {"device", 0, true},
    {NULL, 0, false},
};

static int
run(struct cli *cli)
{
	struct np_events_opts o = {0};
	const char *since = cli_get(cli, "since"), *state = cli_get(cli, "state");
	char *cause = NULL, *list = NULL;
	int rc;

	if (cli->npos > 0)
		return cli_usage_error(cli, "unexpected argument \"%s\"", cli->pos[0]);
	if (since == NULL)
		since = DEFAULT_SINCE;
	/* A duration back from now, a date / time, or the start of a period (today...). */
	if (np_since_parse(since, cli->now, cli->tz, &o.since, &cause) == -1) {
		/* The CLI names the option. */
		rc = cli_usage_error(cli, "invalid --%s", cause + strlen("invalid "));
		free(cause);
		return rc;
	}
	if (state != NULL) {
		list = strdup(state);
		if (list == NULL)
			return cli_error("out of memory");
		if (np_events_states_parse(list, &o, &cause) == -1) {
			rc = cli_usage_error(cli, "invalid --%s", cause + strlen("invalid "));
			free(cause);
			free(list);
			return rc;
		}
	}
	o.device = cli_get(cli, "device");
	struct np_store *st = cli_open_db(cli, false);
	if (st == NULL) {
		free(list);
		return CLI_ERR;
	}
	struct np_report_ctx ctx = cli_ctx(cli, st);
	char *out = np_report_events(&ctx, &o, &cause);
	rc = out != NULL ? cli_print(out) : cli_error("%s", cause);
	free(cause);
	free(list);
	np_store_close(st);
	return rc;
}

const struct cli_cmd c_events_cmd = {
    .name = "events",
    .summary = "link-state transitions, newest first",
    .usage = "events [--since DURATION|TIME] [--state STATE[,STATE...]] [--device DEVICE]",
    .help = "Prints link-state transitions from --since up to now, newest first: time,\n"
            "device, interface, new state, previous state, the sources that decided it, the\n"
            "length of the outage a transition to up ended, and the alert it raised.\n"
            "\n"
            "  --since DURATION|TIME  how far back: a duration (10m, 2h, 7d, 1h30m), a\n"
            "                         date/time (2026-10-01, 2026-10-01T08:00, ...Z or\n"
            "                         +HH:MM) or the start of a period (today, yesterday,\n"
            "                         this-week, ...); default " DEFAULT_SINCE "\n"
            "  --state STATE[,...]    only transitions into up, down, stale, removed or\n"
            "                         unknown\n"
            "  --device DEVICE        only this device\n",
    .opts = opts,
    .run = run,
};
