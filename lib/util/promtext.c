/* Prometheus text exposition building blocks (promtext.h). */
#include "util/promtext.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

void
np_prom_escape(struct np_buf *b, const char *v)
{
	const char *run = v;
	for (; *v != '\0'; v++) {
		const char *esc = *v == '\\'   ? "\\\\"
		                  : *v == '"'  ? "\\\""
		                  : *v == '\n' ? "\\n"
		                               : NULL;
		if (esc == NULL)
			continue;
		np_buf_add(b, run, (size_t)(v - run));
		np_buf_puts(b, esc);
		run = v + 1;
	}
	np_buf_add(b, run, (size_t)(v - run));
}

static bool
name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!first && c >= '0' && c <= '9');
}

void
np_prom_label_name(struct np_buf *b, const char *name)
{
	if (*name == '\0') {
		np_buf_puts(b, "_");
		return;
	}
	/* "__" starts names Prometheus reserves. */
	if (name[0] == '_' && name[1] == '_')
		np_buf_puts(b, "label");
	for (const char *p = name; *p != '\0'; p++) {
		char c = name_char(*p, p == name) ? *p : '_';
		np_buf_add(b, &c, 1);
	}
}

void
np_prom_extra_label(struct np_buf *b, const char *name, const char *value)
{
	static const char *const own[] = {"source", "device", "interface", "le", "type", "sink"};
	np_buf_puts(b, ",");
	for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
		if (strcmp(name, own[i]) == 0) {
			np_buf_puts(b, "label_");
			break;
		}
	np_prom_label_name(b, name);
	np_buf_puts(b, "=\"");
	np_prom_escape(b, value);
	np_buf_puts(b, "\"");
}
