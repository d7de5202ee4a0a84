#include "report/dump.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "report/json_doc.h"
#include "util/buf.h"
#include "report/fmt.h"
#include "report/report.h"
#include "util/cause.h"
#include "util/xmalloc.h"

static const char tables_sql[] = "SELECT name FROM sqlite_master WHERE type = 'table'"
                                 " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name";
static const char table_exists_sql[] =
    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1";
static const char columns_sql[] = "SELECT name, pk FROM pragma_table_info(?1) ORDER BY cid";

/* "name" with embedded quotes doubled: an identifier, never a value. */
static void
quote_ident(struct np_buf *b, const char *name)
{
	np_buf_add(b, "\"", 1);
	for (const char *p = name; *p != '\0'; p++) {
		if (*p == '"')
			np_buf_add(b, "\"", 1);
		np_buf_add(b, p, 1);
	}
	np_buf_add(b, "\"", 1);
}

/* SELECT * ... ORDER BY the primary key columns (all columns if it has none). */
static char *
select_sql(sqlite3 *db, const char *table, char **cause)
{
	sqlite3_stmt *st = NULL;
	struct np_buf b = {0}, order = {0}, all = {0};
	int r, maxpk = 0;
	char *res = NULL;

	if (np_report_prepare(db, columns_sql, &st, cause) == -1)
		return NULL;
	np_report_bind_str(st, 1, table);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_int(st, 1) > maxpk)
			maxpk = sqlite3_column_int(st, 1);
	}
	for (int k = 1; k <= maxpk && r == SQLITE_DONE; k++) {
		sqlite3_reset(st);
		while ((r = sqlite3_step(st)) == SQLITE_ROW) {
			if (sqlite3_column_int(st, 1) != k)
				continue;
			if (order.len > 0)
				np_buf_puts(&order, ", ");
			quote_ident(&order, np_report_text(st, 0));
		}
	}
	if (r == SQLITE_DONE && maxpk == 0) {
		sqlite3_reset(st);
		while ((r = sqlite3_step(st)) == SQLITE_ROW) {
			if (all.len > 0)
				np_buf_puts(&all, ", ");
			quote_ident(&all, np_report_text(st, 0));
		}
	}
	if (r != SQLITE_DONE) {
		np_report_sqlerr(db, "reading table columns", cause);
		goto out;
	}
	np_buf_puts(&b, "SELECT * FROM ");
	quote_ident(&b, table);
	if (order.len > 0 || all.len > 0) {
		np_buf_puts(&b, " ORDER BY ");
		np_buf_puts(&b, order.len > 0 ? order.s : all.s);
	}
	res = np_buf_take(&b);
out:
	np_buf_free(&b);
	np_buf_free(&order);
	np_buf_free(&all);
	sqlite3_finalize(st);
	return res;
}

static char *
value_text(sqlite3_stmt *st, int i)
{
	char b[NP_FMT_MAX];
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		return NULL;
	case SQLITE_INTEGER:
		return np_xasprintf("%lld", (long long)sqlite3_column_int64(st, i));
	case SQLITE_FLOAT:
		np_fmt_real(sqlite3_column_double(st, i), b);
		return np_xstrdup(b);
	case SQLITE_BLOB: {
		const unsigned char *p = sqlite3_column_blob(st, i);
		int n = sqlite3_column_bytes(st, i);
		char *h = np_xmalloc((size_t)n * 2 + 1);
		for (int k = 0; k < n; k++)
			snprintf(h + 2 * k, 3, "%02x", p[k]);
		h[2 * n] = '\0';
		return h;
	}
	default:
		return np_xstrdup(np_report_text(st, i));
	}
}

static json_t *
value_json(sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		return json_null();
	case SQLITE_INTEGER:
		return json_integer(sqlite3_column_int64(st, i));
	case SQLITE_FLOAT:
		return json_real(sqlite3_column_double(st, i));
	default: {
		char *s = value_text(st, i);
		json_t *j = np_json_str(s);
		free(s);
		return j;
	}
	}
}

/*
 * Where the output goes: pieces of at least FLUSH_AT bytes are handed to emit, so a dump of
 * millions of rows never holds more than one piece (and one row's JSON) in memory.
 */
#define FLUSH_AT 65536

struct sink {
	np_report_emit_fn emit;
	void *arg;
	struct np_buf b;
	size_t emitted;
	bool failed;
};

static int
sink_flush(struct sink *k, size_t at_least, char **cause)
{
	if (k->failed)
		return -1;
	if (k->b.len == 0 || k->b.len < at_least)
		return 0;
	if (k->emit(k->b.s, k->b.len, k->arg) == -1) {
		k->failed = true;
		np_cause(cause, "writing the dump failed");
		return -1;
	}
	k->emitted += k->b.len;
	k->b.len = 0;
	k->b.s[0] = '\0';
	return 0;
}

/* A JSON row at depth 2 (inside {"table": [...]}): jansson's own text, indented 4 more. */
static void
json_row(struct sink *k, json_t *row)
{
	char *s = json_dumps(row, JSON_INDENT(2) | JSON_REAL_PRECISION(15) | JSON_ENCODE_ANY);
	np_buf_puts(&k->b, "    ");
	for (const char *p = s != NULL ? s : "null", *nl; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL) {
			np_buf_puts(&k->b, p);
			break;
		}
		np_buf_add(&k->b, p, (size_t)(nl - p) + 1);
		np_buf_puts(&k->b, "    ");
	}
	free(s);
}

static int
dump_table(sqlite3 *db, const char *table, bool title, bool json, bool first, struct sink *k,
           char **cause)
{
	char *sql = select_sql(db, table, cause);
	sqlite3_stmt *st = NULL;
	struct np_buf *out = &k->b;
	int r, rc = -1;
	size_t nrows = 0;
	if (sql == NULL || np_report_prepare(db, sql, &st, cause) == -1)
		goto out;
	int ncol = sqlite3_column_count(st);
	if (json) {
		/* The text json_dumps gives {"t": [rows], ...} with JSON_INDENT(2). */
		json_t *key = json_string(table);
		char *ks = key != NULL ? json_dumps(key, JSON_ENCODE_ANY) : NULL;
		np_buf_printf(out, "%s  %s: ", first ? "\n" : ",\n", ks != NULL ? ks : "\"\"");
		free(ks);
		json_decref(key);
	} else {
		if (title)
			np_buf_printf(out, "%s# %s\n", k->emitted + out->len > 0 ? "\n" : "",
			              table);
		for (int i = 0; i < ncol; i++) {
			if (i > 0)
				np_buf_add(out, ",", 1);
			np_csv_field(out, sqlite3_column_name(st, i));
		}
		np_buf_add(out, "\n", 1);
	}
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (json) {
			json_t *o = json_object();
			for (int i = 0; i < ncol; i++)
				json_object_set_new(o, sqlite3_column_name(st, i),
				                    value_json(st, i));
			np_buf_puts(out, nrows == 0 ? "[\n" : ",\n");
			json_row(k, o);
			json_decref(o);
		} else {
			for (int i = 0; i < ncol; i++) {
				char *s = value_text(st, i);
				if (i > 0)
					np_buf_add(out, ",", 1);
				if (s != NULL)
					np_csv_field(out, s);
				free(s);
			}
			np_buf_add(out, "\n", 1);
		}
		nrows++;
		if (sink_flush(k, FLUSH_AT, cause) == -1)
			goto out;
	}
	if (r != SQLITE_DONE) {
		np_report_sqlerr(db, table, cause);
		goto out;
	}
	if (json)
		np_buf_puts(out, nrows == 0 ? "[]" : "\n  ]");
	rc = 0;
out:
	sqlite3_finalize(st);
	free(sql);
	return rc;
}

static bool
seen_before(char *const *names, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(names[j], names[i]) == 0)
			return true;
	return false;
}

int
np_report_dump_to(sqlite3 *db, enum np_format f, const char *const *tables, size_t ntables,
                  np_report_emit_fn emit, void *arg, char **cause)
{
	sqlite3_stmt *st = NULL;
	struct sink k = {.emit = emit, .arg = arg};
	bool json = f == NP_FMT_JSON;
	char **names = NULL;
	size_t n = 0, ndone = 0;
	int r, rc = -1;

	if (ntables > 0) {
		if (np_report_prepare(db, table_exists_sql, &st, cause) == -1)
			goto out;
		for (size_t i = 0; i < ntables; i++) {
			sqlite3_reset(st);
			np_report_bind_str(st, 1, tables[i]);
			if ((r = sqlite3_step(st)) != SQLITE_ROW) {
				if (r == SQLITE_DONE)
					np_cause(cause, "no table \"%s\" in the database",
					         tables[i]);
				else
					np_report_sqlerr(db, "reading the schema", cause);
				goto out;
			}
		}
		names = np_xreallocarray(NULL, ntables, sizeof(*names));
		for (n = 0; n < ntables; n++)
			names[n] = np_xstrdup(tables[n]);
	} else {
		size_t cap = 0;
		if (np_report_prepare(db, tables_sql, &st, cause) == -1)
			goto out;
		while ((r = sqlite3_step(st)) == SQLITE_ROW) {
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				names = np_xreallocarray(names, cap, sizeof(*names));
			}
			names[n++] = np_xstrdup(np_report_text(st, 0));
		}
		if (r != SQLITE_DONE) {
			np_report_sqlerr(db, "reading the schema", cause);
			goto out;
		}
	}
	/* The document's version first, as np_json_doc puts it (json_doc.h). */
	if (json)
		np_buf_printf(&k.b, "{\n  \"version\": %d%s", NP_JSON_VERSION, n > 0 ? "," : "");
	for (size_t i = 0; i < n; i++) {
		/* A JSON object has each key once (a table named twice is the same rows). */
		if (json && seen_before(names, i))
			continue;
		if (dump_table(db, names[i], ntables != 1, json, ndone == 0, &k, cause) == -1)
			goto out;
		ndone++;
	}
	if (json)
		np_buf_puts(&k.b, "\n}\n");
	if (sink_flush(&k, 0, cause) == -1)
		goto out;
	rc = 0;
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	sqlite3_finalize(st);
	np_buf_free(&k.b);
	return rc;
}

static int
collect(const char *s, size_t len, void *arg)
{
	np_buf_add(arg, s, len);
	return 0;
}

char *
np_report_dump(sqlite3 *db, enum np_format f, const char *const *tables, size_t ntables,
               char **cause)
{
	struct np_buf out = {0};
	if (np_report_dump_to(db, f, tables, ntables, collect, &out, cause) == -1) {
		np_buf_free(&out);
		return NULL;
	}
	return np_buf_take(&out);
}
