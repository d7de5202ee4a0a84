#ifndef NP_COLLECTORS_STEALTHWATCH_PARSE_H
#define NP_COLLECTORS_STEALTHWATCH_PARSE_H
/*
 * Pure parser of a Stealthwatch Flow Collector's exporter_device_stats.txt (DESIGN §1, §6):
 * TAB-separated text, one header line, one row per NetFlow exporter. No I/O; the only
 * allocations are the batch's own growth and one scratch table per call.
 *
 * Columns are located by header name, never by position (FC versions may reorder or add
 * columns; unknown ones are ignored). Which column becomes what lives in one table in the .c
 * file, so a future per-interface file is a small change.
 *
 * One observation per row: device = the exporter address, interface = "", gauge =
 * `Current NetFlow bps`, link = UP if bps > 0 else DOWN, ever_up = YES if `Last Active` > 0
 * else NO, and labels netflow_version, interfaces, fc_status.
 */
#include <stddef.h>

#include "model/obs.h"

/*
 * Parses the whole file (len bytes, need not be NUL-terminated) and appends to `batch`.
 *
 * Tolerated: CRLF line ends, a missing final newline after a whole row, blank lines, a UTF-8
 * BOM, spaces around header names. Everything else is strict: a row with the wrong field count, an
 * address that is not IPv4/IPv6, a non-numeric `Current NetFlow bps` or `Last Active`, or an
 * exporter listed twice is skipped with np_batch_skip("line N: reason") and the rest still counts.
 * Label values are informational and copied as found (non-printable bytes become '?').
 *
 * An empty file, a first line that is not a header with `Exporter Address` and
 * `Current NetFlow bps`, or a header naming a known column twice fails the poll: -1 with
 * *cause, batch->complete untouched. A header with no rows is a valid, empty listing.
 *
 * A file read while the FC rewrites it ends without a newline: if its last row has fewer
 * fields than the header ("line N: file ends mid-row (being rewritten?)"), or the header is
 * its only line ("line 1: file ends in the header (being rewritten?)"), that line is skipped
 * and the batch is NOT complete (the exporters it lacks keep their last observation instead
 * of going stale). A last row with every field but no newline counts as whole.
 * On success 0 is returned and batch->complete is true unless the file was torn that way.
 */
int np_stealthwatch_parse(const char *data, size_t len, struct np_batch *batch, char **cause);

#endif
