/* `netpulsed --help-config`: the option tables as text. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/collector.h"
#include "config/config.h"
#include "config/config_table.h"
#include "config/value.h"
#include "util/xmalloc.h"

#define KEYW "34"

struct buf {
	char *s;
	size_t len, cap;
};

static void __attribute__((format(printf, 2, 3))) put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *t = np_xvasprintf(fmt, ap);
	va_end(ap);
	size_t n = strlen(t);
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = np_xreallocarray(b->s, b->cap, 1);
	}
	memcpy(b->s + b->len, t, n + 1);
	b->len += n;
	free(t);
}

static char *
types_text(unsigned types, const struct np_config_choice *names)
{
	char *out = np_xstrdup("");
	for (const struct np_config_choice *c = names; c != NULL && c->name != NULL; c++) {
		if (!(types & (1u << c->value)))
			continue;
		char *next = np_xasprintf("%s%s%s", out, *out ? ", " : "", c->name);
		free(out);
		out = next;
	}
	return out;
}

/*
 * inherit: the key path the values of an INHERIT section start from ("state."), shown as their
 * default; NULL elsewhere.
 */
static void
render(struct buf *b, const struct np_config_opt *opts, const char *prefix,
       const struct np_config_choice *entry_types, const char *inherit)
{
	for (const struct np_config_opt *o = opts; o->name != NULL; o++) {
		if (inherit != NULL && (o->flags & NP_CFG_F_GLOBAL) != 0)
			continue; /* refused where the section is inherited */
		char *key = np_xasprintf("%s%s", prefix, o->name);
		if (o->flags & NP_CFG_F_SECRET_FORMS) {
			put(b, "%-" KEYW "s %-18s %s\n%-" KEYW "s %s\n", key, "path|variable",
			    o->required ? "(required)" : "(none)", "", o->help);
			put(b,
			    "%-" KEYW
			    "s (give %s_file: a file, or %s_env: an environment variable; "
			    "never %s in clear)\n",
			    "", o->name, o->name, o->name);
			free(key);
			continue;
		}
		if (o->type == NP_CFG_MAPLIST) {
			put(b, "%-" KEYW "s list: %s\n", key, o->help);
			char *sub = np_xasprintf("%s[].", key);
			render(b, o->sub, sub, NULL, NULL);
			free(sub);
			free(key);
			continue;
		}
		if (o->type == NP_CFG_LIST && o->sub == np_config_source_opts) {
			put(b, "%-" KEYW "s list: %s\n", key, o->help);
			char *sub = np_xasprintf("%s[].", key);
			render(b, o->sub, sub, NULL, NULL);
			for (size_t i = 0; np_collectors[i] != NULL; i++) {
				if (np_collectors[i]->options == NULL)
					continue;
				put(b, "%s[] of type %s:\n", key, np_collectors[i]->type);
				render(b, np_collectors[i]->options, sub, NULL, NULL);
			}
			free(sub);
			free(key);
			continue;
		}
		if (o->type == NP_CFG_SECTION || o->type == NP_CFG_LIST) {
			put(b, "%-" KEYW "s %s%s\n", key, o->type == NP_CFG_LIST ? "list: " : "",
			    o->help);
			if (o->def_doc != NULL)
				put(b, "%-" KEYW "s default: %s\n", "", o->def_doc);
			char *sub = np_xasprintf("%s%s", key, o->type == NP_CFG_LIST ? "[]." : ".");
			const struct np_config_choice *types = entry_types;
			if (o->type == NP_CFG_LIST)
				types = np_config_alert_types;
			char *from = NULL;
			if (o->flags & NP_CFG_F_INHERIT)
				from = np_xasprintf("%s.", o->name);
			else if (inherit != NULL)
				from = np_xasprintf("%s%s.", inherit, o->name);
			render(b, o->sub, sub, types, from);
			free(from);
			free(sub);
			free(key);
			continue;
		}
		const char *def = o->def ? o->def : o->def_doc ? o->def_doc : "(none)";
		char *inherited = inherit ? np_xasprintf("%s%s", inherit, o->name) : NULL;
		put(b, "%-" KEYW "s %-18s %s", key, np_config_value_type_name(o),
		    inherited ? inherited : def);
		free(inherited);
		if (o->types != 0) {
			char *t = types_text(o->types, entry_types);
			put(b, "  [%s only]", t);
			free(t);
		} else if (o->required != 0 && o->required != NP_CFG_ALL) {
			char *t = types_text(o->required, entry_types);
			put(b, "  [required for %s]", t);
			free(t);
		}
		put(b, "\n%-" KEYW "s %s", "", o->help);
		if (o->choices != NULL) {
			char *list = np_config_choice_list(o->choices);
			put(b, " (%s)", list);
			free(list);
		}
		put(b, "\n");
		free(key);
	}
}

char *
np_config_help(void)
{
	struct buf b = {0};
	put(&b,
	    "netpulse configuration (YAML). Durations: 1500ms, 30s, 5m, 2h, 30d, 2w, 1h30m, 0.\n");
	put(&b, "%-" KEYW "s %-18s %s\n", "KEY", "TYPE", "DEFAULT");
	render(&b, np_config_top, "", NULL, NULL);
	put(&b, "alerts may also be a mapping:\n");
	render(&b, np_config_alerting_opts, "alerts.", NULL, NULL);
	return b.s;
}
