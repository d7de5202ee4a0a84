#ifndef NP_UTIL_BUF_H
#define NP_UTIL_BUF_H
/* A growing NUL-terminated string, for building output in memory (reports, pages, metrics). */
#include <stddef.h>

struct np_buf {
	char *s; /* NUL-terminated once anything was added; NULL before */
	size_t len, cap;
};

/* Makes room for `more` bytes at once (one allocation when the size is known ahead). */
void np_buf_reserve(struct np_buf *b, size_t more);
void np_buf_add(struct np_buf *b, const char *s, size_t len);
void np_buf_puts(struct np_buf *b, const char *s);
void np_buf_printf(struct np_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void np_buf_pad(struct np_buf *b, char c, size_t n);
/* Returns the string (never NULL: "" if empty) and resets the buffer. */
char *np_buf_take(struct np_buf *b);
void np_buf_free(struct np_buf *b);

#endif
