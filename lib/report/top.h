#ifndef NP_REPORT_TOP_H
#define NP_REPORT_TOP_H
/*
 * `netpulse top`: the Aviatrix FlowIQ top talkers over a period. The collector stores, per
 * top_talkers interval, each address's bytes as an amount (series kind "talker-dst" or
 * "talker-src", device = the IP, rx_bytes = the bytes of both directions): dst = external
 * destinations of internal sources (and the external sources answering them), src = internal
 * sources (and destinations). Here the amounts of one direction are summed per IP over the
 * period, an amount straddling an edge counted pro rata like usage amounts (usage_amount.h),
 * over every source or one. Rows: bytes descending, then the address in numeric order (IPv4
 * before IPv6; a key that is no address after those, by bytes), the first N kept.
 * Each interval's list was itself a top list (3 x size of FlowIQ's answer, `size` kept), so an
 * address that is in some intervals' lists and not others is undercounted: an estimate.
 */
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "report/period.h"
#include "report/table.h"
#include "util/tz.h"

enum np_top_dir { NP_TOP_DST, NP_TOP_SRC };

struct np_top_row {
	char *ip;
	int64_t bytes;
};

struct np_top {
	int64_t start, end;
	enum np_top_dir dir;
	struct np_top_row *rows;
	size_t nrows;
};

/* "dst" or "src". */
int np_top_dir_parse(const char *s, enum np_top_dir *d, char **cause);
/* The window is [p->start, min(p->end, now)); source NULL = every source; n >= 1. */
int np_top_compute(sqlite3 *db, const struct np_period *p, int64_t now, const char *source,
                   enum np_top_dir dir, size_t n, struct np_top *out, char **cause);
void np_top_free(struct np_top *t);
/*
 * Text: the original's layout (FlowIQ Top Talkers Report, one direction's section, rows
 * "  %3d. %-24s %12s" with fmt units); CSV (LF): rank,ip,bytes; JSON: {"period", "direction",
 * "rows": [{"ip", "bytes"}]}.
 */
char *np_top_render(const struct np_top *t, enum np_format f, const struct np_tz *tz);

#endif
