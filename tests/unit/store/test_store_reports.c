/* report_runs: a period is recorded once (lib/store/store_reports.c, migration 5). */
#include "testutil.h"

#include <sqlite3.h>
#include <stdlib.h>

#include "store/store.h"
#include "store/store_reports.h"

static void
test_sent_once(void **state)
{
	char *cause = NULL;
	struct np_store *st = np_store_open(":memory:", 0, &cause);
	assert_non_null(st);
	assert_int_equal(np_store_report_sent(st, "weekly", 1790575200, &cause), 0);
	assert_int_equal(np_store_report_mark(st, "weekly", 1790575200, 1791180000, &cause), 0);
	assert_int_equal(np_store_report_sent(st, "weekly", 1790575200, &cause), 1);
	/* Another period, another report: not sent. */
	assert_int_equal(np_store_report_sent(st, "weekly", 1791180000, &cause), 0);
	assert_int_equal(np_store_report_sent(st, "monthly", 1790575200, &cause), 0);
	/* Marking again keeps one row and the first time. */
	assert_int_equal(np_store_report_mark(st, "weekly", 1790575200, 1791999999, &cause), 0);
	sqlite3_stmt *q;
	assert_int_equal(sqlite3_prepare_v2(np_store_db(st),
	                                    "SELECT count(*), min(sent_at) FROM report_runs", -1,
	                                    &q, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int64(q, 0), 1);
	assert_int_equal(sqlite3_column_int64(q, 1), 1791180000);
	sqlite3_finalize(q);
	np_store_close(st);
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_sent_once)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
