#include "config/ydoc.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "util/str.h"
#include "util/xmalloc.h"

/* Deeper than any config needs; bounds the recursion of the walkers and of free(). */
#define YDOC_MAX_DEPTH 32
/* Longest value quoted back in a message. */
#define DESCRIBE_MAX 60

struct builder {
	struct np_config_diag *d;
	const char *text;
	size_t len;
	struct np_config_ynode *stack[YDOC_MAX_DEPTH + 1];
	int depth;
	struct np_config_ynode *root;
	int docs;
};

static struct np_config_ynode *
node_new(enum np_config_ykind kind, const yaml_mark_t *m)
{
	struct np_config_ynode *n = np_xcalloc(1, sizeof(*n));
	n->kind = kind;
	n->line = (int)m->line + 1;
	n->col = (int)m->column + 1;
	return n;
}

void
np_config_ydoc_free(struct np_config_ynode *n)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		np_config_ydoc_free(n->kids[i]);
	free(n->kids);
	free(n->str);
	free(n);
}

static void
append(struct builder *b, struct np_config_ynode *n)
{
	if (b->depth == 0) {
		/* A second root cannot happen within one document; keep the first. */
		if (b->root == NULL)
			b->root = n;
		else
			np_config_ydoc_free(n);
		return;
	}
	struct np_config_ynode *p = b->stack[b->depth - 1];
	if (p->kind == NP_CONFIG_YMAP && p->nkids % 2 == 0 && n->kind != NP_CONFIG_YSCALAR) {
		np_config_diag_add(b->d, n->line, n->col, "a mapping key must be a plain value");
		/* Keep the pairing intact with an empty key nobody can match. */
		np_config_ydoc_free(n);
		n = np_xcalloc(1, sizeof(*n));
		n->kind = NP_CONFIG_YSCALAR;
		n->str = np_xstrdup("");
		n->reported = true;
		n->line = p->line;
		n->col = p->col;
	}
	p->kids = np_xreallocarray(p->kids, p->nkids + 1, sizeof(*p->kids));
	p->kids[p->nkids++] = n;
}

static void
no_anchor(struct builder *b, const yaml_char_t *anchor, const yaml_mark_t *m)
{
	if (anchor != NULL)
		np_config_diag_add(b->d, (int)m->line + 1, (int)m->column + 1,
		                   "anchors and aliases are not supported (anchor '%s')",
		                   (const char *)anchor);
}

/* libyaml's reader errors carry a byte offset, not a mark. */
static void
offset_to_mark(const struct builder *b, size_t off, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && i < b->len; i++) {
		if (b->text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static void
syntax_error(struct builder *b, const yaml_parser_t *p)
{
	int line, col;
	switch (p->error) {
	case YAML_MEMORY_ERROR:
		np_config_diag_add(b->d, 1, 1, "out of memory while parsing YAML");
		return;
	case YAML_READER_ERROR:
		offset_to_mark(b, p->problem_offset, &line, &col);
		np_config_diag_add(b->d, line, col, "YAML syntax error: %s",
		                   p->problem ? p->problem : "unreadable input");
		return;
	default:
		line = (int)p->problem_mark.line + 1;
		col = (int)p->problem_mark.column + 1;
		if (p->context != NULL)
			np_config_diag_add(
			    b->d, line, col, "YAML syntax error: %s (%s at line %d, column %d)",
			    p->problem ? p->problem : "invalid input", p->context,
			    (int)p->context_mark.line + 1, (int)p->context_mark.column + 1);
		else
			np_config_diag_add(b->d, line, col, "YAML syntax error: %s",
			                   p->problem ? p->problem : "invalid input");
	}
}

/* Returns 1 to continue, 0 at the end of the stream, -1 to stop on an error. */
static int
on_event(struct builder *b, const yaml_event_t *e)
{
	const yaml_mark_t *m = &e->start_mark;
	struct np_config_ynode *n;
	switch (e->type) {
	case YAML_STREAM_END_EVENT:
		return 0;
	case YAML_DOCUMENT_START_EVENT:
		if (++b->docs > 1) {
			np_config_diag_add(b->d, (int)m->line + 1, (int)m->column + 1,
			                   "only one YAML document is allowed in a config file");
			return -1;
		}
		return 1;
	case YAML_ALIAS_EVENT:
		np_config_diag_add(b->d, (int)m->line + 1, (int)m->column + 1,
		                   "anchors and aliases are not supported (alias '%s')",
		                   (const char *)e->data.alias.anchor);
		n = node_new(NP_CONFIG_YSCALAR, m);
		n->str = np_xstrdup("");
		n->plain = true;
		append(b, n);
		return 1;
	case YAML_SCALAR_EVENT:
		no_anchor(b, e->data.scalar.anchor, m);
		n = node_new(NP_CONFIG_YSCALAR, m);
		n->plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		if (memchr(e->data.scalar.value, '\0', e->data.scalar.length) != NULL) {
			np_config_diag_add(b->d, n->line, n->col, "a value contains a NUL byte");
			n->str = np_xstrdup("");
		} else {
			n->str =
			    np_xstrndup((const char *)e->data.scalar.value, e->data.scalar.length);
		}
		append(b, n);
		return 1;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		no_anchor(b,
		          e->type == YAML_SEQUENCE_START_EVENT ? e->data.sequence_start.anchor
		                                               : e->data.mapping_start.anchor,
		          m);
		if (b->depth == YDOC_MAX_DEPTH) {
			np_config_diag_add(b->d, (int)m->line + 1, (int)m->column + 1,
			                   "nested deeper than %d levels", YDOC_MAX_DEPTH);
			return -1;
		}
		b->stack[b->depth++] = node_new(
		    e->type == YAML_SEQUENCE_START_EVENT ? NP_CONFIG_YSEQ : NP_CONFIG_YMAP, m);
		return 1;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		n = b->stack[--b->depth];
		append(b, n);
		return 1;
	default:
		return 1;
	}
}

struct np_config_ynode *
np_config_ydoc_parse(const char *text, size_t len, struct np_config_diag *d)
{
	struct builder b = {.d = d, .text = text, .len = len};
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p)) {
		np_config_diag_add(d, 1, 1, "cannot initialise the YAML parser");
		return NULL;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	int rc = 1;
	while (rc == 1) {
		yaml_event_t e;
		if (!yaml_parser_parse(&p, &e)) {
			syntax_error(&b, &p);
			rc = -1;
			break;
		}
		rc = on_event(&b, &e);
		yaml_event_delete(&e);
	}
	yaml_parser_delete(&p);
	while (b.depth > 0)
		np_config_ydoc_free(b.stack[--b.depth]);
	if (rc == -1) {
		np_config_ydoc_free(b.root);
		return NULL;
	}
	if (b.root == NULL || np_config_ydoc_is_null(b.root)) {
		/* An empty file (or one holding only comments) is an empty configuration. */
		int line = b.root ? b.root->line : 1, col = b.root ? b.root->col : 1;
		np_config_ydoc_free(b.root);
		b.root = np_xcalloc(1, sizeof(*b.root));
		b.root->kind = NP_CONFIG_YMAP;
		b.root->line = line;
		b.root->col = col;
	}
	return b.root;
}

const struct np_config_ynode *
np_config_ydoc_get(const struct np_config_ynode *map, const char *key)
{
	if (map == NULL || map->kind != NP_CONFIG_YMAP)
		return NULL;
	for (size_t i = 0; i + 1 < map->nkids; i += 2)
		if (strcmp(map->kids[i]->str, key) == 0)
			return map->kids[i + 1];
	return NULL;
}

bool
np_config_ydoc_is_null(const struct np_config_ynode *n)
{
	if (n->kind != NP_CONFIG_YSCALAR || !n->plain)
		return false;
	return n->str[0] == '\0' || strcmp(n->str, "~") == 0 || strcmp(n->str, "null") == 0 ||
	       strcmp(n->str, "Null") == 0 || strcmp(n->str, "NULL") == 0;
}

char *
np_config_ydoc_describe(const struct np_config_ynode *n)
{
	if (n->kind == NP_CONFIG_YMAP)
		return np_xstrdup("a mapping");
	if (n->kind == NP_CONFIG_YSEQ)
		return np_xstrdup("a list");
	if (np_config_ydoc_is_null(n))
		return np_xstrdup("nothing");
	char *esc = np_escape(n->str);
	char *out;
	if (strlen(esc) > DESCRIBE_MAX)
		out = np_xasprintf("'%.*s...'", DESCRIBE_MAX, esc);
	else
		out = np_xasprintf("'%s'", esc);
	free(esc);
	return out;
}
