#ifndef NP_REPORT_STATUS_EXPLAIN_H
#define NP_REPORT_STATUS_EXPLAIN_H
/*
 * The tables `status --explain` adds after the links (status.c): non-ok counter verdicts per
 * series, every source's collector health, the alert sinks' pending rows. Each is one table,
 * so CSV can write each to a file of its own.
 */
#include <jansson.h>

#include "report/report.h"
#include "report/status.h"
#include "report/table.h"

/* The verdicts, collectors or sinks table; NULL with *cause on error. */
struct np_table *np_status_explain_table(const struct np_report_ctx *ctx,
                                         const struct np_status_opts *o, enum np_status_part part,
                                         char **cause);

/* One collectors row (source, ok, since, failures, last_error, skipped, skip_reason). */
json_t *np_status_collector_json(sqlite3_stmt *st, const struct np_tz *tz);
/* SQL of the non-ok verdicts: ?1 = device, ?2 = interface (each NULL for all). */
extern const char np_status_verdicts_sql[];
/* SQL of the collectors rows: ?1 = one source, or NULL for all. */
extern const char np_status_collectors_sql[];
/* Every source's collector health as a JSON array; NULL with *cause on error. */
json_t *np_status_collectors_json(const struct np_report_ctx *ctx, char **cause);

#endif
