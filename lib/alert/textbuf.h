#ifndef NP_ALERT_TEXTBUF_H
#define NP_ALERT_TEXTBUF_H
/*
 * Bounded text building for the alert formatters (module-internal). A textbuf writes into a
 * caller's buffer and never past `lim` bytes; a write that does not fit sets `full` and is
 * dropped whole, so callers check `full` once at the end of a section.
 */
#include <stdbool.h>
#include <stddef.h>

struct np_textbuf {
	char *buf;
	size_t len;
	size_t lim; /* maximum length, excluding the terminating NUL */
	bool full;
};

void np_textbuf_init(struct np_textbuf *t, char *buf, size_t lim);
void np_textbuf_put(struct np_textbuf *t, const char *s, size_t n);
void np_textbuf_puts(struct np_textbuf *t, const char *s);
void np_textbuf_printf(struct np_textbuf *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* NUL-terminates at the current length (there is always room: buffers hold lim + 1). */
void np_textbuf_end(struct np_textbuf *t);

/* Length of the well-formed UTF-8 sequence at p (n bytes available); 0 if ill-formed. */
size_t np_utf8_len(const unsigned char *p, size_t n);

/*
 * An RFC 5424 header field: NULL/"" -> "-"; every byte outside PRINTUSASCII (33..126) becomes
 * '_' (one '_' per UTF-8 character, or per byte of ill-formed input); at most maxlen chars.
 */
void np_textbuf_header_field(struct np_textbuf *t, const char *s, size_t maxlen);

/*
 * A PARAM-VALUE (without the quotes) per RFC 5424 §6.3.3: '"', '\' and ']' get a backslash;
 * control characters become a space (one alert is one line) and ill-formed UTF-8 '?'.
 * At most `cap` bytes of s are used, cut at a character boundary.
 */
void np_textbuf_sd_value(struct np_textbuf *t, const char *s, size_t cap);

/*
 * Free text (MSG): control characters become a space, ill-formed UTF-8 '?', a leading BOM is
 * dropped. Unlike the other writers this one truncates at a character boundary instead of
 * failing: it writes as many whole characters as fit. Returns the number of bytes written.
 */
size_t np_textbuf_text(struct np_textbuf *t, const char *s);

#endif
