#ifndef NP_WEB_EXPO_H
#define NP_WEB_EXPO_H
/*
 * A writer of Prometheus' text exposition format 0.0.4, or OpenMetrics 1.0.0 when the client
 * asks for it (np_expo_wants_om): the same samples; OpenMetrics names a counter family without
 * its _total suffix and ends with "# EOF". Built for large scrapes: one growing buffer, numbers
 * formatted by hand, labels passed already escaped (util/promtext.h) so a caller escapes each
 * name once per scrape however many families use it.
 */
#include <stdbool.h>
#include <stdint.h>

#include "util/promtext.h"

struct np_expo {
	struct np_buf b;
	bool om;
};

/* Whether an Accept header asks for OpenMetrics (and so prefers it to text/plain). */
bool np_expo_wants_om(const char *accept);
const char *np_expo_content_type(const struct np_expo *e);

/* # HELP and # TYPE of a family; `name` as its samples are named (counters end in _total). */
void np_expo_family(struct np_expo *e, const char *name, const char *type, const char *help);
/* name{labels} value: labels without braces ("" for none), already escaped. */
void np_expo_u64(struct np_expo *e, const char *name, const char *labels, uint64_t v);
void np_expo_i64(struct np_expo *e, const char *name, const char *labels, int64_t v);
void np_expo_double(struct np_expo *e, const char *name, const char *labels, double v);
/* Ends the exposition ("# EOF" for OpenMetrics). */
void np_expo_end(struct np_expo *e);

#endif
