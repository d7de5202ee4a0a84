#ifndef NP_STORETEST_H
#define NP_STORETEST_H
/* Helpers shared by the store tests: raw SQL reads through np_store_db(). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "testutil.h"
#include "util/xmalloc.h"

/* The single integer the query returns (fails the test if it returns no row). */
static inline int64_t
q_int(struct np_store *st, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	if (sqlite3_prepare_v2(np_store_db(st), sql, -1, &stmt, NULL) != SQLITE_OK)
		fail_msg("prepare %s: %s", sql, sqlite3_errmsg(np_store_db(st)));
	if (sqlite3_step(stmt) != SQLITE_ROW)
		fail_msg("no row: %s", sql);
	int64_t v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

static inline double
q_double(struct np_store *st, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	if (sqlite3_prepare_v2(np_store_db(st), sql, -1, &stmt, NULL) != SQLITE_OK)
		fail_msg("prepare %s: %s", sql, sqlite3_errmsg(np_store_db(st)));
	if (sqlite3_step(stmt) != SQLITE_ROW)
		fail_msg("no row: %s", sql);
	double v = sqlite3_column_double(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

/*
 * All rows of a query as text: columns joined by '|', rows by '\n', NULL as "NULL" (like the
 * sqlite3 shell), so a test can compare a whole table with one string. malloc'd.
 */
static inline char *
q_rows(struct np_store *st, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	if (sqlite3_prepare_v2(np_store_db(st), sql, -1, &stmt, NULL) != SQLITE_OK)
		fail_msg("prepare %s: %s", sql, sqlite3_errmsg(np_store_db(st)));
	size_t cap = 256, len = 0;
	char *out = np_xmalloc(cap);
	out[0] = '\0';
	int rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		int n = sqlite3_column_count(stmt);
		for (int i = 0; i < n; i++) {
			const char *v = sqlite3_column_type(stmt, i) == SQLITE_NULL
			                    ? "NULL"
			                    : (const char *)sqlite3_column_text(stmt, i);
			size_t need = len + strlen(v) + 3;
			if (need > cap) {
				while (need > cap)
					cap *= 2;
				out = np_xreallocarray(out, cap, 1);
			}
			len += (size_t)sprintf(out + len, "%s%s",
			                       i > 0 ? "|" : (len > 0 ? "\n" : ""), v);
		}
	}
	if (rc != SQLITE_DONE)
		fail_msg("step %s: %s", sql, sqlite3_errmsg(np_store_db(st)));
	sqlite3_finalize(stmt);
	return out;
}

static inline void
q_exec(struct np_store *st, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(np_store_db(st), sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("exec %s: %s", sql, err);
}

#define assert_rows(st, sql, expected)                                                             \
	do {                                                                                       \
		char *got_ = q_rows((st), (sql));                                                  \
		assert_string_equal(got_, (expected));                                             \
		free(got_);                                                                        \
	} while (0)

static inline struct np_store *
open_mem(void)
{
	char *cause = NULL;
	struct np_store *st = np_store_open(":memory:", 0, &cause);
	if (st == NULL)
		fail_msg("open :memory:: %s", cause);
	return st;
}

#endif
