#include "c_cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/period.h"

const char *
cli_get(const struct cli *cli, const char *name)
{
	const char *v = NULL;
	for (size_t i = 0; i < cli->nset; i++) {
		if (strcmp(cli->set[i]->name, name) == 0)
			v = cli->val[i] != NULL ? cli->val[i] : "";
	}
	return v;
}

bool
cli_flag(const struct cli *cli, const char *name)
{
	return cli_get(cli, name) != NULL;
}

int
cli_error(const char *fmt, ...)
{
	va_list ap;
	fputs("netpulse: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_ERR;
}

int
cli_usage_error(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;
	fputs("netpulse: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (cli != NULL && cli->cmd != NULL)
		fprintf(stderr, "usage: netpulse %s\nsee: netpulse %s --help\n", cli->cmd->usage,
		        cli->cmd->name);
	return CLI_USAGE;
}

/*
 * A WAL database can only be read by someone who can create its -shm file, unless it is
 * opened immutable. With no -shm there is no writer (the last connection removes it), so a
 * user who may read but not write the directory (the daemon stopped) reads it immutable.
 */
static char *
reader_path(const char *path)
{
	char *shm = NULL, *dir = NULL, *uri = NULL;
	if (asprintf(&shm, "%s-shm", path) < 0)
		return NULL;
	const char *slash = strrchr(path, '/');
	if (slash == NULL)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (dir != NULL && access(shm, F_OK) == -1 && access(dir, W_OK) == -1) {
		size_t n = strlen(path);
		uri = malloc(n * 3 + sizeof("file:?immutable=1"));
		if (uri != NULL) {
			char *o = uri + sprintf(uri, "file:");
			for (const unsigned char *p = (const unsigned char *)path; *p != '\0';
			     p++) {
				if (*p == '?' || *p == '#' || *p == '%' || *p <= ' ' || *p >= 0x7f)
					o += sprintf(o, "%%%02X", *p);
				else
					*o++ = (char)*p;
			}
			strcpy(o, "?immutable=1");
		}
	}
	free(shm);
	free(dir);
	return uri;
}

struct np_store *
cli_open_db(const struct cli *cli, bool rw)
{
	struct stat sb;
	char *cause = NULL;
	/* A read-write open would create a missing file: say so instead. */
	if (stat(cli->db_path, &sb) == -1) {
		if (errno == ENOENT)
			cli_error(
			    "%s: no database there (netpulsed creates it; see daemon.database "
			    "or --db)",
			    cli->db_path);
		else
			cli_error("%s: %s", cli->db_path, strerror(errno));
		return NULL;
	}
	char *uri = rw ? NULL : reader_path(cli->db_path);
	struct np_store *st =
	    np_store_open(uri != NULL ? uri : cli->db_path, rw ? 0 : NP_STORE_RDONLY, &cause);
	free(uri);
	if (st == NULL) {
		cli_error("%s", cause != NULL ? cause : "cannot open the database");
		free(cause);
	}
	return st;
}

int
cli_print(char *out)
{
	int rc = CLI_OK;
	if (out != NULL && fputs(out, stdout) == EOF)
		rc = cli_error("writing the report: %s", strerror(errno));
	free(out);
	if (fflush(stdout) == EOF && rc == CLI_OK)
		rc = cli_error("writing the report: %s", strerror(errno));
	return rc;
}

struct np_report_ctx
cli_ctx(const struct cli *cli, struct np_store *st)
{
	struct np_report_ctx c = {np_store_db(st), cli->tz, cli->now, cli->fmt};
	return c;
}

int
cli_period(const struct cli *cli, const char *def, struct np_period *p)
{
	const char *spec = cli_get(cli, "period");
	char *cause = NULL;
	if (spec == NULL)
		spec = def;
	if (np_period_parse(spec, cli->now, cli->tz, p, &cause) == -1) {
		int rc = cli_usage_error(cli, "%s", cause);
		free(cause);
		return rc;
	}
	return CLI_OK;
}
