#include "util/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

void
np_buf_reserve(struct np_buf *b, size_t more)
{
	if (b->len + more + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + more + 1)
		cap *= 2;
	b->s = np_xreallocarray(b->s, cap, 1);
	b->cap = cap;
}

void
np_buf_add(struct np_buf *b, const char *s, size_t len)
{
	np_buf_reserve(b, len);
	memcpy(b->s + b->len, s, len);
	b->len += len;
	b->s[b->len] = '\0';
}

void
np_buf_puts(struct np_buf *b, const char *s)
{
	np_buf_add(b, s, strlen(s));
}

void
np_buf_printf(struct np_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = np_xvasprintf(fmt, ap);
	va_end(ap);
	np_buf_puts(b, s);
	free(s);
}

void
np_buf_pad(struct np_buf *b, char c, size_t n)
{
	np_buf_reserve(b, n);
	memset(b->s + b->len, c, n);
	b->len += n;
	b->s[b->len] = '\0';
}

char *
np_buf_take(struct np_buf *b)
{
	char *s = b->s != NULL ? b->s : np_xstrdup("");
	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

void
np_buf_free(struct np_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}
