#ifndef NP_REPORTTEST_H
#define NP_REPORTTEST_H
/* Shared by the report tests: a fresh in-memory database of the current schema, raw SQL. */
#include <sqlite3.h>

#include "store/store.h"
#include "testutil.h"

static inline struct np_store *
open_db(void)
{
	char *cause = NULL;
	struct np_store *st = np_store_open(":memory:", 0, &cause);
	if (st == NULL)
		fail_msg("%s", cause);
	return st;
}

static inline void
exec(struct np_store *st, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(np_store_db(st), sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", sql, err);
}

#endif
