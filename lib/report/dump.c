#include "report/dump.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "report/buf.h"
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

static int
dump_table(sqlite3 *db, const char *table, bool title, struct np_buf *out, json_t *obj,
           char **cause)
{
	char *sql = select_sql(db, table, cause);
	sqlite3_stmt *st = NULL;
	int r, rc = -1;
	if (sql == NULL || np_report_prepare(db, sql, &st, cause) == -1)
		goto out;
	int ncol = sqlite3_column_count(st);
	json_t *rows = NULL;
	if (obj != NULL) {
		rows = json_array();
		json_object_set_new(obj, table, rows);
	} else {
		if (title)
			np_buf_printf(out, "%s# %s\n", out->len > 0 ? "\n" : "", table);
		for (int i = 0; i < ncol; i++) {
			if (i > 0)
				np_buf_add(out, ",", 1);
			np_csv_field(out, sqlite3_column_name(st, i));
		}
		np_buf_add(out, "\n", 1);
	}
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (rows != NULL) {
			json_t *o = json_object();
			for (int i = 0; i < ncol; i++)
				json_object_set_new(o, sqlite3_column_name(st, i),
				                    value_json(st, i));
			json_array_append_new(rows, o);
			continue;
		}
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
	if (r != SQLITE_DONE) {
		np_report_sqlerr(db, table, cause);
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	free(sql);
	return rc;
}

char *
np_report_dump(sqlite3 *db, enum np_format f, const char *const *tables, size_t ntables,
               char **cause)
{
	sqlite3_stmt *st = NULL;
	struct np_buf out = {0};
	json_t *obj = f == NP_FMT_JSON ? json_object() : NULL;
	char **names = NULL;
	size_t n = 0;
	char *res = NULL;
	int r;

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
	for (size_t i = 0; i < n; i++) {
		if (dump_table(db, names[i], ntables != 1, &out, obj, cause) == -1)
			goto out;
	}
	res = obj != NULL ? np_json_dump(obj) : np_buf_take(&out);
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	sqlite3_finalize(st);
	np_buf_free(&out);
	json_decref(obj);
	return res;
}
