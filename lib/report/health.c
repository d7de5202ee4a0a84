#include "report/health.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "report/fmt.h"
#include "util/str.h"
#include "util/xmalloc.h"

static const char collectors_sql[] =
    "SELECT source, ok, since, failures, last_error FROM collectors ORDER BY source";
/* Each undelivered row waits since it was queued (re-queued by alerts --retry). */
static const char pending_sql[] =
    "SELECT count(*), min(coalesce(s.queued, o.created)) FROM outbox_sink s"
    " JOIN outbox o ON o.id = s.outbox WHERE s.delivered IS NULL AND s.dead IS NULL";

static bool
configured(const struct np_health_opts *o, const char *source)
{
	if (!o->sources_known)
		return true;
	for (size_t i = 0; i < o->nsources; i++)
		if (strcmp(o->sources[i], source) == 0)
			return true;
	return false;
}

static void
add_failing(const struct np_report_ctx *ctx, struct np_buf *b, sqlite3_stmt *st)
{
	char since[NP_TZ_ISO_MAX];
	np_tz_iso(ctx->tz, sqlite3_column_int64(st, 2), since);
	int64_t n = sqlite3_column_int64(st, 3);
	/* Errors come from peers: one line, control characters escaped. */
	char *why = np_escape(np_report_text(st, 4));
	np_buf_printf(b, "%s%s since %s (%lld failed poll%s, last error: %s)", b->len ? "; " : "",
	              np_report_text(st, 0), since, (long long)n, n == 1 ? "" : "s",
	              *why != '\0' ? why : "unknown");
	free(why);
}

int
np_health_read(const struct np_report_ctx *ctx, const struct np_health_opts *o, struct np_health *h,
               char **cause)
{
	memset(h, 0, sizeof(*h));
	sqlite3_stmt *st = NULL;
	struct np_buf b = {0};
	int r, rc = -1;
	if (np_report_prepare(ctx->db, collectors_sql, &st, cause) == -1)
		goto out;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (!configured(o, np_report_text(st, 0)))
			continue;
		h->nsources++;
		if (sqlite3_column_int(st, 1) != 0)
			continue;
		h->nfailing++;
		add_failing(ctx, &b, st);
	}
	if (r != SQLITE_DONE) {
		np_report_sqlerr(ctx->db, "reading collectors", cause);
		goto out;
	}
	/* Configured sources not polled yet are sources too, not failing ones. */
	if (o->sources_known)
		h->nsources = o->nsources;
	sqlite3_finalize(st);
	st = NULL;
	if (np_report_prepare(ctx->db, pending_sql, &st, cause) == -1)
		goto out;
	if ((r = sqlite3_step(st)) != SQLITE_ROW) {
		np_report_sqlerr(ctx->db, "reading the outbox", cause);
		goto out;
	}
	h->pending = sqlite3_column_int64(st, 0);
	h->oldest_queued_s = sqlite3_column_int64(st, 1);
	h->failing = b.len > 0 ? np_buf_take(&b) : NULL;
	rc = 0;
out:
	np_buf_free(&b);
	sqlite3_finalize(st);
	return rc;
}

void
np_health_free(struct np_health *h)
{
	free(h->failing);
	h->failing = NULL;
}

char *
np_health_failing_line(const struct np_health *h)
{
	if (h->nfailing == 0)
		return NULL;
	return np_xasprintf("%zu of %zu source%s failing: %s", h->nfailing, h->nsources,
	                    h->nsources == 1 ? "" : "s", h->failing);
}

bool
np_health_judge(const struct np_report_ctx *ctx, const struct np_health_opts *o,
                const struct np_health *h, char **line)
{
	int64_t waited = h->pending > 0 ? ctx->now - h->oldest_queued_s : 0;
	if (h->pending > 0 && waited > o->max_pending_s) {
		char age[NP_FMT_MAX], bound[NP_FMT_MAX];
		np_fmt_duration(waited, age);
		np_fmt_duration(o->max_pending_s, bound);
		*line =
		    np_xasprintf("unhealthy: outbox stuck: %lld alert(s) undelivered, the oldest "
		                 "queued %s ago (more than %s)",
		                 (long long)h->pending, age, bound);
		return false;
	}
	if (h->nsources > 0 && h->nfailing == h->nsources) {
		*line = np_xasprintf("unhealthy: every source is failing: %s", h->failing);
		return false;
	}
	*line = np_xasprintf("healthy: %zu of %zu source%s polling, %lld alert(s) undelivered",
	                     h->nsources - h->nfailing, h->nsources, h->nsources == 1 ? "" : "s",
	                     (long long)h->pending);
	return true;
}
