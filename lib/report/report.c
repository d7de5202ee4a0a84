#include "report/report.h"

#include "util/cause.h"
#include "util/xmalloc.h"

int
np_report_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, char **cause)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK) {
		np_cause(cause, "preparing a report query: %s", sqlite3_errmsg(db));
		sqlite3_finalize(*st);
		*st = NULL;
		return -1;
	}
	return 0;
}

const char *
np_report_text(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	return s != NULL ? (const char *)s : "";
}

int
np_report_bind_str(sqlite3_stmt *st, int idx, const char *s)
{
	if (s == NULL)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT);
}

int
np_report_sqlerr(sqlite3 *db, const char *what, char **cause)
{
	np_cause(cause, "%s: %s", what, sqlite3_errmsg(db));
	return -1;
}

char *
np_report_period_line(const struct np_tz *tz, int64_t start, int64_t end)
{
	char a[NP_TZ_ISO_MAX], b[NP_TZ_ISO_MAX];
	np_tz_iso(tz, start, a);
	np_tz_iso(tz, end, b);
	return np_xasprintf("period: %s .. %s (%s)\n", a, b, np_tz_name(tz));
}
