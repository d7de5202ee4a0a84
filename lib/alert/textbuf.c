#include "alert/textbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
np_textbuf_init(struct np_textbuf *t, char *buf, size_t lim)
{
	t->buf = buf;
	t->len = 0;
	t->lim = lim;
	t->full = false;
}

void
np_textbuf_put(struct np_textbuf *t, const char *s, size_t n)
{
	if (t->full || n > t->lim - t->len) {
		t->full = true;
		return;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
}

void
np_textbuf_puts(struct np_textbuf *t, const char *s)
{
	np_textbuf_put(t, s, strlen(s));
}

void
np_textbuf_printf(struct np_textbuf *t, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	/* Only used for numbers and timestamps: anything longer is a bug, treat as no room. */
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		t->full = true;
		return;
	}
	np_textbuf_put(t, tmp, (size_t)n);
}

void
np_textbuf_end(struct np_textbuf *t)
{
	t->buf[t->len] = '\0';
}

size_t
np_utf8_len(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t len;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	/* Overlong forms, UTF-16 surrogates and code points above U+10FFFF. */
	if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f) ||
	    (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))
		return 0;
	return len;
}

/* C0 controls, DEL and the C1 controls U+0080..U+009F (NEL among them). */
static bool
is_control(const unsigned char *p, size_t len)
{
	if (len == 1)
		return p[0] < 0x20 || p[0] == 0x7f;
	return len == 2 && p[0] == 0xc2 && p[1] < 0xa0;
}

void
np_textbuf_header_field(struct np_textbuf *t, const char *s, size_t maxlen)
{
	if (s == NULL || *s == '\0') {
		np_textbuf_put(t, "-", 1);
		return;
	}
	const unsigned char *p = (const unsigned char *)s;
	size_t rem = strlen(s);
	for (size_t n = 0; rem > 0 && n < maxlen; n++) {
		size_t l = np_utf8_len(p, rem);
		if (l == 0)
			l = 1;
		char c = (l == 1 && *p >= 33 && *p <= 126) ? (char)*p : '_';
		np_textbuf_put(t, &c, 1);
		p += l;
		rem -= l;
	}
}

void
np_textbuf_sd_value(struct np_textbuf *t, const char *s, size_t cap)
{
	if (s == NULL)
		return;
	const unsigned char *p = (const unsigned char *)s;
	size_t rem = strlen(s), used = 0;
	while (rem > 0) {
		size_t l = np_utf8_len(p, rem);
		size_t take = l == 0 ? 1 : l;
		if (take > cap - used)
			break;
		if (l == 0) {
			np_textbuf_put(t, "?", 1);
		} else if (is_control(p, l)) {
			np_textbuf_put(t, " ", 1);
		} else if (*p == '"' || *p == '\\' || *p == ']') {
			char esc[2] = {'\\', (char)*p};
			np_textbuf_put(t, esc, 2);
		} else {
			np_textbuf_put(t, (const char *)p, l);
		}
		p += take;
		rem -= take;
		used += take;
	}
}

size_t
np_textbuf_text(struct np_textbuf *t, const char *s)
{
	if (s == NULL || t->full)
		return 0;
	const unsigned char *p = (const unsigned char *)s;
	size_t rem = strlen(s), start = t->len;
	/* MSG is written as plain UTF-8 without a BOM (RFC 5424 MSG-ANY): drop every leading
	 * one, or the second would start the MSG. */
	while (rem >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
		p += 3;
		rem -= 3;
	}
	while (rem > 0) {
		size_t l = np_utf8_len(p, rem);
		size_t take = l == 0 ? 1 : l;
		const char *out = (const char *)p;
		size_t outlen = l;
		if (l == 0) {
			out = "?";
			outlen = 1;
		} else if (is_control(p, l)) {
			out = " ";
			outlen = 1;
		}
		if (outlen > t->lim - t->len)
			break;
		np_textbuf_put(t, out, outlen);
		p += take;
		rem -= take;
	}
	return t->len - start;
}
