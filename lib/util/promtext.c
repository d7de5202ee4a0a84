/* Prometheus text exposition building blocks (promtext.h). */
#include "util/promtext.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

void
np_strbuf_reserve(struct np_strbuf *b, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (b->len + n + 1 > cap)
			cap *= 2;
		b->s = np_xreallocarray(b->s, cap, 1);
		b->cap = cap;
	}
}

void
np_strbuf_add(struct np_strbuf *b, const char *s, size_t n)
{
	np_strbuf_reserve(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
np_strbuf_adds(struct np_strbuf *b, const char *s)
{
	np_strbuf_add(b, s, strlen(s));
}

char *
np_strbuf_take(struct np_strbuf *b)
{
	char *s = b->s != NULL ? b->s : np_xstrdup("");
	*b = (struct np_strbuf){0};
	return s;
}

void
np_strbuf_free(struct np_strbuf *b)
{
	free(b->s);
	*b = (struct np_strbuf){0};
}

void
np_prom_escape(struct np_strbuf *b, const char *v)
{
	const char *run = v;
	for (; *v != '\0'; v++) {
		const char *esc = *v == '\\'   ? "\\\\"
		                  : *v == '"'  ? "\\\""
		                  : *v == '\n' ? "\\n"
		                               : NULL;
		if (esc == NULL)
			continue;
		np_strbuf_add(b, run, (size_t)(v - run));
		np_strbuf_adds(b, esc);
		run = v + 1;
	}
	np_strbuf_add(b, run, (size_t)(v - run));
}

static bool
name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!first && c >= '0' && c <= '9');
}

void
np_prom_label_name(struct np_strbuf *b, const char *name)
{
	if (*name == '\0') {
		np_strbuf_adds(b, "_");
		return;
	}
	/* "__" starts names Prometheus reserves. */
	if (name[0] == '_' && name[1] == '_')
		np_strbuf_adds(b, "label");
	for (const char *p = name; *p != '\0'; p++) {
		char c = name_char(*p, p == name) ? *p : '_';
		np_strbuf_add(b, &c, 1);
	}
}

void
np_prom_extra_label(struct np_strbuf *b, const char *name, const char *value)
{
	static const char *const own[] = {"source", "device", "interface", "le", "type", "sink"};
	np_strbuf_adds(b, ",");
	for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
		if (strcmp(name, own[i]) == 0) {
			np_strbuf_adds(b, "label_");
			break;
		}
	np_prom_label_name(b, name);
	np_strbuf_adds(b, "=\"");
	np_prom_escape(b, value);
	np_strbuf_adds(b, "\"");
}
