#ifndef NP_REPORT_DUMP_H
#define NP_REPORT_DUMP_H
/*
 * `netpulse db dump [TABLE...]`: tables in name order (or the order given), rows in primary
 * key order, so two dumps of the same data are identical.
 *  - CSV (also for --format text): per table a "# <name>" line, the header row and the rows,
 *    tables separated by an empty line; with exactly one TABLE named, just that table's CSV.
 *    Integers and text as stored, reals in their shortest exact form, blobs as hex, NULL empty.
 *  - JSON: {"<table>": [{column: value, ...}, ...], ...}.
 */
#include <stddef.h>

#include <sqlite3.h>

#include "report/table.h"

char *np_report_dump(sqlite3 *db, enum np_format f, const char *const *tables, size_t ntables,
                     char **cause);
/*
 * The same output handed to emit in pieces as it is produced (each at least 64 KiB but the
 * last), so memory does not grow with the database. emit returns 0, or -1 to stop: the dump
 * then fails. Errors found before any output (a TABLE that does not exist) emit nothing; a
 * later one leaves what was emitted so far.
 */
typedef int (*np_report_emit_fn)(const char *s, size_t len, void *arg);
int np_report_dump_to(sqlite3 *db, enum np_format f, const char *const *tables, size_t ntables,
                      np_report_emit_fn emit, void *arg, char **cause);

#endif
