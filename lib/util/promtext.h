#ifndef NP_UTIL_PROMTEXT_H
#define NP_UTIL_PROMTEXT_H
/*
 * Prometheus text exposition (0.0.4) building blocks: label values escaped as the format
 * requires (\\, \" and \n), label names made valid ([a-zA-Z_][a-zA-Z0-9_]*, every other byte
 * becomes '_'). Both append to a caller's growing buffer.
 */
#include <stddef.h>

#include "util/buf.h"

void np_prom_escape(struct np_buf *b, const char *value);
void np_prom_label_name(struct np_buf *b, const char *name);
/*
 * Appends `,name="value"` for an extra label of a series. A name that would collide with one
 * netpulse sets itself (source, device, interface, le, type, sink) gets the prefix "label_".
 */
void np_prom_extra_label(struct np_buf *b, const char *name, const char *value);

#endif
