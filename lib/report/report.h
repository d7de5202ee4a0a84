#ifndef NP_REPORT_REPORT_H
#define NP_REPORT_REPORT_H
/*
 * What every report needs: the database (opened read-only by the CLI, np_store_db()), the
 * zone times are shown in, "now" (passed in, so reports are reproducible) and the output
 * format. Reports return their whole output as one malloc'd string, or NULL with *cause.
 *
 * All SQL in lib/report is prepared with bound parameters; the only text pasted into SQL is
 * a table name read from sqlite_master (db dump), quoted as an identifier.
 */
#include <stdint.h>

#include <sqlite3.h>

#include "report/table.h"
#include "util/tz.h"

struct np_report_ctx {
	sqlite3 *db;
	const struct np_tz *tz;
	int64_t now; /* UTC seconds */
	enum np_format fmt;
};

/* sqlite3_prepare_v2 with a cause naming the statement's purpose. */
int np_report_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, char **cause);
/* Column text, "" for NULL (never NULL). */
const char *np_report_text(sqlite3_stmt *st, int col);
/* Binds a string or NULL. */
int np_report_bind_str(sqlite3_stmt *st, int idx, const char *s);
/* *cause = "<what>: <sqlite error>"; returns -1. */
int np_report_sqlerr(sqlite3 *db, const char *what, char **cause);
/* "period: <start> .. <end> (<zone>)\n" for text reports. */
char *np_report_period_line(const struct np_tz *tz, int64_t start, int64_t end);

#endif
