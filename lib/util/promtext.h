#ifndef NP_UTIL_PROMTEXT_H
#define NP_UTIL_PROMTEXT_H
/*
 * Prometheus text exposition (0.0.4) building blocks: label values escaped as the format
 * requires (\\, \" and \n), label names made valid ([a-zA-Z_][a-zA-Z0-9_]*, every other byte
 * becomes '_'). Both append to a caller's growing buffer.
 */
#include <stddef.h>

struct np_strbuf {
	char *s;
	size_t len, cap;
};

/* Makes room for n more bytes at once (one allocation for a buffer whose size is known). */
void np_strbuf_reserve(struct np_strbuf *b, size_t n);
void np_strbuf_add(struct np_strbuf *b, const char *s, size_t n);
void np_strbuf_adds(struct np_strbuf *b, const char *s);
/* Takes the string (NUL-terminated, "" if empty) and leaves the buffer empty. */
char *np_strbuf_take(struct np_strbuf *b);
void np_strbuf_free(struct np_strbuf *b);

void np_prom_escape(struct np_strbuf *b, const char *value);
void np_prom_label_name(struct np_strbuf *b, const char *name);
/*
 * Appends `,name="value"` for an extra label of a series. A name that would collide with one
 * netpulse sets itself (source, device, interface, le, type, sink) gets the prefix "label_".
 */
void np_prom_extra_label(struct np_strbuf *b, const char *name, const char *value);

#endif
