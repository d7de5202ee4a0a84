#include "report/table.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "report/fmt.h"
#include "util/str.h"
#include "util/xmalloc.h"

enum cell_kind { CELL_NULL, CELL_STR, CELL_INT, CELL_REAL };

struct cell {
	enum cell_kind kind;
	union {
		char *s;
		int64_t i;
		double r;
	} v;
};

struct column {
	char *name;
	enum np_col type;
};

struct np_table {
	struct column *cols;
	size_t ncols;
	struct cell *cells; /* nrows * ncols */
	size_t nrows, rowcap;
	size_t cur; /* next cell of the last row */
};

int
np_format_parse(const char *s, enum np_format *f)
{
	if (strcmp(s, "text") == 0)
		*f = NP_FMT_TEXT;
	else if (strcmp(s, "csv") == 0)
		*f = NP_FMT_CSV;
	else if (strcmp(s, "json") == 0)
		*f = NP_FMT_JSON;
	else
		return -1;
	return 0;
}

struct np_table *
np_table_new(void)
{
	return np_xcalloc(1, sizeof(struct np_table));
}

void
np_table_free(struct np_table *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nrows * t->ncols; i++) {
		if (t->cells[i].kind == CELL_STR)
			free(t->cells[i].v.s);
	}
	for (size_t i = 0; i < t->ncols; i++)
		free(t->cols[i].name);
	free(t->cols);
	free(t->cells);
	free(t);
}

void
np_table_col(struct np_table *t, const char *name, enum np_col type)
{
	if (t->nrows > 0)
		return; /* columns are fixed once rows exist */
	t->cols = np_xreallocarray(t->cols, t->ncols + 1, sizeof(*t->cols));
	t->cols[t->ncols].name = np_xstrdup(name);
	t->cols[t->ncols].type = type;
	t->ncols++;
}

void
np_table_row(struct np_table *t)
{
	if (t->ncols == 0)
		return;
	if (t->nrows == t->rowcap) {
		t->rowcap = t->rowcap ? t->rowcap * 2 : 16;
		t->cells = np_xreallocarray(t->cells, t->rowcap * t->ncols, sizeof(*t->cells));
	}
	memset(&t->cells[t->nrows * t->ncols], 0, t->ncols * sizeof(*t->cells));
	t->nrows++;
	t->cur = 0;
}

static struct cell *
next_cell(struct np_table *t)
{
	if (t->nrows == 0 || t->cur >= t->ncols)
		return NULL;
	return &t->cells[(t->nrows - 1) * t->ncols + t->cur++];
}

void
np_table_str(struct np_table *t, const char *s)
{
	struct cell *c = next_cell(t);
	if (c != NULL && s != NULL) {
		c->kind = CELL_STR;
		c->v.s = np_xstrdup(s);
	}
}

void
np_table_int(struct np_table *t, int64_t v)
{
	struct cell *c = next_cell(t);
	if (c != NULL) {
		c->kind = CELL_INT;
		c->v.i = v;
	}
}

void
np_table_real(struct np_table *t, double v)
{
	struct cell *c = next_cell(t);
	if (c != NULL) {
		c->kind = CELL_REAL;
		c->v.r = v;
	}
}

void
np_table_null(struct np_table *t)
{
	next_cell(t);
}

size_t
np_table_nrows(const struct np_table *t)
{
	return t->nrows;
}

static bool
has_ctrl(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return true;
	}
	return false;
}

/* The cell as text for format f; malloc'd, or NULL for an empty cell. */
static char *
cell_text(const struct cell *c, enum np_col type, enum np_format f, const struct np_tz *tz)
{
	char b[NP_FMT_MAX > NP_TZ_ISO_MAX ? NP_FMT_MAX : NP_TZ_ISO_MAX];
	bool text = f == NP_FMT_TEXT;
	double r;

	switch (c->kind) {
	case CELL_NULL:
		return NULL;
	case CELL_STR:
		return text && has_ctrl(c->v.s) ? np_escape(c->v.s) : np_xstrdup(c->v.s);
	case CELL_INT:
	case CELL_REAL:
		break;
	}
	r = c->kind == CELL_INT ? (double)c->v.i : c->v.r;
	switch (type) {
	case NP_COL_TIME:
		np_tz_iso(tz, c->kind == CELL_INT ? c->v.i : (int64_t)r, b);
		break;
	case NP_COL_BYTES:
		if (!text)
			goto plain;
		np_fmt_bytes(c->kind == CELL_INT ? c->v.i : (int64_t)llround(r), b);
		break;
	case NP_COL_DURATION:
		if (text)
			np_fmt_duration(c->kind == CELL_INT ? c->v.i : (int64_t)r, b);
		else
			goto plain;
		break;
	case NP_COL_RATE:
	case NP_COL_BITRATE:
		if (text && type == NP_COL_RATE)
			np_fmt_rate(r, b);
		else if (text)
			np_fmt_bitrate(r, b);
		else
			np_fmt_fixed(r, 3, b);
		break;
	case NP_COL_RATIO:
		if (text)
			np_fmt_percent(r, b);
		else
			np_fmt_fixed(r, 6, b);
		break;
	default:
	plain:
		if (c->kind == CELL_INT)
			return np_xasprintf("%lld", (long long)c->v.i);
		np_fmt_real(r, b);
		break;
	}
	return np_xstrdup(b);
}

/* Display width: UTF-8 continuation bytes take no column. */
static size_t
width(const char *s)
{
	size_t w = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
		w += (*p & 0xc0) != 0x80;
	return w;
}

void
np_csv_field(struct np_buf *out, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		np_buf_puts(out, s);
		return;
	}
	np_buf_add(out, "\"", 1);
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '"')
			np_buf_add(out, "\"", 1);
		np_buf_add(out, p, 1);
	}
	np_buf_add(out, "\"", 1);
}

static char *
render_csv(const struct np_table *t, const struct np_tz *tz)
{
	struct np_buf out = {0};
	for (size_t c = 0; c < t->ncols; c++) {
		if (c > 0)
			np_buf_add(&out, ",", 1);
		np_csv_field(&out, t->cols[c].name);
	}
	np_buf_add(&out, "\n", 1);
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			char *s =
			    cell_text(&t->cells[r * t->ncols + c], t->cols[c].type, NP_FMT_CSV, tz);
			if (c > 0)
				np_buf_add(&out, ",", 1);
			if (s != NULL)
				np_csv_field(&out, s);
			free(s);
		}
		np_buf_add(&out, "\n", 1);
	}
	return np_buf_take(&out);
}

static char *
render_text(const struct np_table *t, const struct np_tz *tz)
{
	size_t n = (t->nrows + 1) * t->ncols;
	char **txt = np_xcalloc(n ? n : 1, sizeof(*txt));
	size_t *w = np_xcalloc(t->ncols ? t->ncols : 1, sizeof(*w));
	struct np_buf out = {0};

	for (size_t c = 0; c < t->ncols; c++)
		txt[c] = np_xstrdup(t->cols[c].name);
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			char *s = cell_text(&t->cells[r * t->ncols + c], t->cols[c].type,
			                    NP_FMT_TEXT, tz);
			if (s != NULL && *s == '\0') {
				free(s);
				s = NULL;
			}
			txt[(r + 1) * t->ncols + c] = s != NULL ? s : np_xstrdup("-");
		}
	}
	for (size_t i = 0; i < n; i++) {
		size_t c = i % t->ncols, cw = width(txt[i]);
		if (cw > w[c])
			w[c] = cw;
	}
	for (size_t r = 0; r <= t->nrows; r++) {
		size_t line = out.len;
		for (size_t c = 0; c < t->ncols; c++) {
			const char *s = txt[r * t->ncols + c];
			size_t pad = w[c] - width(s);
			bool right =
			    t->cols[c].type != NP_COL_STR && t->cols[c].type != NP_COL_TIME;
			if (c > 0)
				np_buf_pad(&out, ' ', 2);
			if (right)
				np_buf_pad(&out, ' ', pad);
			np_buf_puts(&out, s);
			if (!right)
				np_buf_pad(&out, ' ', pad);
		}
		while (out.len > line && out.s[out.len - 1] == ' ')
			out.s[--out.len] = '\0';
		np_buf_add(&out, "\n", 1);
	}
	for (size_t i = 0; i < n; i++)
		free(txt[i]);
	free(txt);
	free(w);
	return np_buf_take(&out);
}

char *
np_table_render(const struct np_table *t, enum np_format f, const struct np_tz *tz)
{
	return f == NP_FMT_CSV ? render_csv(t, tz) : render_text(t, tz);
}

char *
np_json_dump(const json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(15) | JSON_ENCODE_ANY);
	char *out = np_xasprintf("%s\n", s != NULL ? s : "null");
	free(s);
	return out;
}

json_t *
np_json_time(const struct np_tz *tz, int64_t t)
{
	char b[NP_TZ_ISO_MAX];
	np_tz_iso(tz, t, b);
	return json_string(b);
}

json_t *
np_json_str(const char *s)
{
	if (s == NULL)
		return json_null();
	json_t *j = json_string(s);
	if (j == NULL) {
		/* Not UTF-8 (a device name from the wild): escaped, so nothing is lost. */
		char *e = np_escape(s);
		j = json_string(e);
		free(e);
	}
	return j;
}
