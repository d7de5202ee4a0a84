#ifndef NP_REPORT_TABLE_H
#define NP_REPORT_TABLE_H
/*
 * Output tables: typed columns, rows of cells, rendered as
 *  - text: a header row, columns separated by two spaces and padded to the widest cell,
 *    numbers right-aligned, strings left-aligned, no trailing blanks; values for people
 *    (fmt.h), empty cells and empty strings as "-", control characters escaped;
 *  - CSV (RFC 4180): a header row, fields quoted when they hold a comma, quote, CR or LF
 *    (quotes doubled), lines ending in LF (not CRLF), empty cells empty, raw numbers.
 * JSON is built per report with jansson (np_json_dump renders it the same way everywhere).
 */
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "util/tz.h"

enum np_format { NP_FMT_TEXT, NP_FMT_CSV, NP_FMT_JSON };
/* "text", "csv", "json"; 0 or -1. */
int np_format_parse(const char *s, enum np_format *f);

enum np_col {
	NP_COL_STR,      /* left-aligned text */
	NP_COL_INT,      /* integer */
	NP_COL_BYTES,    /* integer bytes; text: IEC units */
	NP_COL_DURATION, /* integer seconds; text: "1h 2m 3s" */
	NP_COL_TIME,     /* integer UTC seconds; ISO 8601 in the report's zone everywhere */
	NP_COL_RATE,     /* real bytes/s; text: "1.5 MiB/s", CSV: 3 decimals */
	NP_COL_BITRATE,  /* real bits/s; text: "12.3 Mbit/s", CSV: 3 decimals */
	NP_COL_RATIO,    /* real 0..1; text: "99.653%", CSV: 6 decimals */
	NP_COL_REAL,     /* real; shortest exact form */
};

struct np_table;

struct np_table *np_table_new(void);
void np_table_free(struct np_table *t);
/* Adds a column; all columns come before the first row. */
void np_table_col(struct np_table *t, const char *name, enum np_col type);
/* Starts a new row; the cells that follow fill it left to right (missing ones are empty). */
void np_table_row(struct np_table *t);
void np_table_str(struct np_table *t, const char *s); /* NULL = empty cell */
void np_table_int(struct np_table *t, int64_t v);
void np_table_real(struct np_table *t, double v);
void np_table_null(struct np_table *t);
size_t np_table_nrows(const struct np_table *t);

/* Text or CSV (JSON is not a table format here). malloc'd. */
char *np_table_render(const struct np_table *t, enum np_format f, const struct np_tz *tz);
/* Quotes one CSV field per RFC 4180 if needed, appending to out. */
struct np_buf;
void np_csv_field(struct np_buf *out, const char *s);

/* JSON rendering shared by all reports: 2-space indent, keys in insertion order, newline. */
char *np_json_dump(const json_t *j);
/* A JSON string; NULL gives null, bytes that are not UTF-8 are escaped as in np_escape. */
json_t *np_json_str(const char *s);
/* ISO 8601 time string in tz. */
json_t *np_json_time(const struct np_tz *tz, int64_t t);

#endif
