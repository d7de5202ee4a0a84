/* netpulse db check|vacuum|dump */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_cli.h"
#include "report/json_doc.h"
#include "report/dump.h"

static const struct cli_opt opts[] = {
    {NULL, 0, false},
};

static int
check(struct cli *cli)
{
	struct np_store *st = cli_open_db(cli, false);
	char *cause = NULL;
	if (st == NULL)
		return CLI_ERR;
	int rc = np_store_check(st, &cause) == 0 ? CLI_OK : cli_error("%s", cause);
	np_store_close(st);
	free(cause);
	if (rc == CLI_OK)
		rc = cli_print(cli->fmt == NP_FMT_JSON ? np_json_doc(json_true(), "ok")
		                                       : strdup("ok\n"));
	return rc;
}

static int
vacuum(struct cli *cli)
{
	/* The one read-write open of the CLI; VACUUM waits for (or fails on) the writer. */
	struct np_store *st = cli_open_db(cli, true);
	char *cause = NULL;
	if (st == NULL)
		return CLI_ERR;
	int rc = np_store_vacuum(st, &cause) == 0 ? CLI_OK : cli_error("%s", cause);
	np_store_close(st);
	free(cause);
	return rc;
}

/* stdout as the dump's sink; the errno of a failed write is kept for the message. */
static int
emit_stdout(const char *s, size_t len, void *arg)
{
	if (fwrite(s, 1, len, stdout) == len)
		return 0;
	*(int *)arg = errno != 0 ? errno : EIO;
	return -1;
}

static int
dump(struct cli *cli)
{
	struct np_store *st = cli_open_db(cli, false);
	char *cause = NULL;
	int werr = 0, rc = CLI_OK;
	if (st == NULL)
		return CLI_ERR;
	/* Streamed: a dump of a big database would otherwise be held in memory whole. */
	enum np_format f = cli->fmt == NP_FMT_JSON ? NP_FMT_JSON : NP_FMT_CSV;
	errno = 0;
	if (np_report_dump_to(np_store_db(st), f, cli->pos + 1, cli->npos - 1, emit_stdout, &werr,
	                      &cause) == -1)
		rc = werr != 0 ? cli_error("writing the report: %s", strerror(werr))
		               : cli_error("%s", cause);
	if (fflush(stdout) == EOF && rc == CLI_OK)
		rc = cli_error("writing the report: %s", strerror(errno));
	free(cause);
	np_store_close(st);
	return rc;
}

static int
run(struct cli *cli)
{
	const char *sub = cli->npos > 0 ? cli->pos[0] : NULL;
	if (sub == NULL)
		return cli_usage_error(cli, "db needs a subcommand: check, vacuum or dump");
	if (strcmp(sub, "dump") == 0)
		return dump(cli);
	if (cli->npos > 1)
		return cli_usage_error(cli, "unexpected argument \"%s\"", cli->pos[1]);
	if (strcmp(sub, "check") == 0)
		return check(cli);
	if (strcmp(sub, "vacuum") == 0)
		return vacuum(cli);
	return cli_usage_error(cli, "unknown db subcommand \"%s\": expected check, vacuum or dump",
	                       sub);
}

const struct cli_cmd c_db_cmd = {
    .name = "db",
    .summary = "check | vacuum | dump [TABLE...]",
    .usage = "db check | db vacuum | db dump [TABLE...]",
    .help = "  check   SQLite quick_check (as netpulsed runs at start-up), integrity and\n"
            "          foreign-key check; prints \"ok\" (JSON: \"ok\": true) or the\n"
            "          problems (a corrupt file: what to do), exit 1\n"
            "  vacuum  compacts the file; the only command that opens the database\n"
            "          read-write (it waits up to 5 s for the daemon's write lock)\n"
            "  dump    prints every table (or the TABLEs named) in name order, rows in\n"
            "          primary-key order: CSV with a \"# TABLE\" line before each table and\n"
            "          an empty line between tables (no title when one TABLE is named), or\n"
            "          JSON {\"version\": 1, \"TABLE\": [rows]} with --format json\n",
    .opts = opts,
    .run = run,
};
