/* netpulse health: exit 0 healthy, 1 not (a container HEALTHCHECK), one line saying why. */
#include <stdlib.h>

#include "c_cli.h"
#include "report/health.h"
#include "report/period.h"
#include "util/xmalloc.h"

#define DEFAULT_STUCK_AFTER "15m"

static const struct cli_opt opts[] = {
    {"stuck-after", 0, true},
    {NULL, 0, false},
};

int
cli_health_read(const struct cli *cli, struct np_store *st, int64_t max_pending_s,
                struct np_health *h)
{
	struct np_report_ctx ctx = cli_ctx(cli, st);
	struct np_health_opts o = {.max_pending_s = max_pending_s};
	const char **names = NULL;
	if (cli->cfg != NULL) {
		names = np_xcalloc(cli->cfg->nsources + 1, sizeof(*names));
		for (size_t i = 0; i < cli->cfg->nsources; i++)
			names[i] = cli->cfg->sources[i].name;
		o.sources = names;
		o.nsources = cli->cfg->nsources;
		o.sources_known = true;
	}
	char *cause = NULL;
	int rc = np_health_read(&ctx, &o, h, &cause);
	if (rc == -1) {
		cli_error("%s", cause);
		free(cause);
	}
	free(names);
	return rc;
}

static int
run(struct cli *cli)
{
	if (cli->npos > 0)
		return cli_usage_error(cli, "unexpected argument \"%s\"", cli->pos[0]);
	const char *after = cli_get(cli, "stuck-after");
	int64_t bound;
	if (np_duration_parse_s(after != NULL ? after : DEFAULT_STUCK_AFTER, &bound, NULL) == -1)
		return cli_usage_error(cli,
		                       "invalid --stuck-after \"%s\": expected a duration "
		                       "like 15m, 1h",
		                       after);
	struct np_store *st = cli_open_db(cli, false);
	if (st == NULL)
		return CLI_ERR;
	struct np_health h;
	int rc = CLI_ERR;
	if (cli_health_read(cli, st, bound, &h) == 0) {
		struct np_report_ctx ctx = cli_ctx(cli, st);
		struct np_health_opts o = {.max_pending_s = bound};
		char *line = NULL;
		rc = np_health_judge(&ctx, &o, &h, &line) ? CLI_OK : CLI_ERR;
		printf("%s\n", line);
		free(line);
		if (fflush(stdout) == EOF)
			rc = CLI_ERR;
	}
	np_health_free(&h);
	np_store_close(st);
	return rc;
}

const struct cli_cmd c_health_cmd = {
    .name = "health",
    .summary = "exit 0 if the daemon is doing its job, 1 if not (container HEALTHCHECK)",
    .usage = "health [--stuck-after DURATION]",
    .help = "Judges the daemon from its database and prints one line saying why:\n"
            "unhealthy (exit 1) when every configured source failed its last poll, or when\n"
            "an alert has waited undelivered (not a dead letter) longer than --stuck-after\n"
            "since it was queued; healthy (exit 0) otherwise. A database that cannot be\n"
            "read is an error (exit 1 too). With no configuration read (--db), every\n"
            "source the database knows counts.\n"
            "\n"
            "  --stuck-after DURATION  how long an undelivered alert may wait "
            "(default " DEFAULT_STUCK_AFTER ")\n",
    .opts = opts,
    .run = run,
};
