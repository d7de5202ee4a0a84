#ifndef NP_DAEMON_C_CLI_H
#define NP_DAEMON_C_CLI_H
/*
 * The netpulse CLI: netpulse.c parses the global options and the command's options (either
 * may come before or after the command name), then runs the command. Commands live in
 * c_<name>.c, each a struct cli_cmd with its option table and help text.
 *
 * Exit status: 0 success, 1 runtime error ("netpulse: <cause>"), 2 usage error.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "report/period.h"
#include "report/report.h"
#include "util/tz.h"
#include "store/store.h"

#define CLI_OK 0
#define CLI_ERR 1
#define CLI_USAGE 2

struct cli_opt {
	const char *name; /* long name without "--" */
	char shortname;   /* 0 if none */
	bool arg;         /* takes a value */
};

#define CLI_MAX_ARGS 64

struct cli;

struct cli_cmd {
	const char *name;
	const char *summary;        /* one line for the command list */
	const char *usage;          /* "status [--explain] [--device D]" */
	const char *help;           /* what it prints and what the options mean */
	const struct cli_opt *opts; /* NULL-terminated (name == NULL) */
	int (*run)(struct cli *cli);
};

struct cli {
	const struct cli_cmd *cmd;
	/* Global settings, resolved before the command runs. */
	const char *config_path; /* -c, or the default if it was read */
	const char *db_path;
	enum np_format fmt;
	bool fmt_set, tz_set;  /* --format, --tz were given (not defaults) */
	struct np_config *cfg; /* NULL if no configuration was read */
	struct np_tz *tz;
	int64_t now; /* UTC seconds */
	/* The command's options (last value wins) and positional arguments. */
	const struct cli_opt *set[CLI_MAX_ARGS];
	const char *val[CLI_MAX_ARGS];
	size_t nset;
	const char *pos[CLI_MAX_ARGS];
	size_t npos;
};

extern const struct cli_cmd c_status_cmd, c_events_cmd, c_downtime_cmd, c_usage_cmd, c_db_cmd,
    c_egress_cmd, c_top_cmd, c_export_cmd, c_alerts_cmd, c_health_cmd;

/* The value of the command option `name` (last given), or NULL. */
const char *cli_get(const struct cli *cli, const char *name);
bool cli_flag(const struct cli *cli, const char *name);
/* Prints "netpulse: <msg>" to stderr and returns CLI_ERR. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "netpulse: <msg>" and "see: netpulse <cmd> --help" to stderr; returns CLI_USAGE. */
int cli_usage_error(const struct cli *cli, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Opens the database (read-only unless rw), or prints why not and returns NULL. */
struct np_store *cli_open_db(const struct cli *cli, bool rw);
/* Writes a report (freeing it); CLI_ERR if stdout fails. */
int cli_print(char *out);
struct np_health;
/*
 * Sources' health and the outbox (report/health.h), the configured sources deciding which
 * sources count. 0, or -1 with the error printed; np_health_free after either.
 */
int cli_health_read(const struct cli *cli, struct np_store *st, int64_t max_pending_s,
                    struct np_health *h);
/* The report context for the open store. */
struct np_report_ctx cli_ctx(const struct cli *cli, struct np_store *st);
/* Parses --period (default def) into p; CLI_OK or CLI_USAGE (message printed). */
int cli_period(const struct cli *cli, const char *def, struct np_period *p);

#endif
