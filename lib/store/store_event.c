/*
 * Link-state events and the alert outbox. A transition, the outage/unobserved interval it
 * opens or closes and its outbox rows are written by the caller's batch transaction, so an
 * alert is neither lost nor duplicated by a crash (DESIGN §2).
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/cause.h"
#include "util/xmalloc.h"

static const char *
state_name(enum np_state s)
{
	return (unsigned)s < NP_ST_MAX ? np_state_names[s] : "unknown";
}

/*
 * Opens or closes the interval of `id` for one link at time_s. An outage closes at its start
 * plus its length, measured on the monotonic clock (len_s, if known): start and time_s are
 * each dated with the wall clock of their own moment, so a clock step between them would
 * shrink the outage to nothing (step back) or stretch it by the step (step forward).
 */
static int
interval(struct np_store *st, enum np_stmt id, const struct np_ls_event *ev, int64_t time_s,
         int64_t len_s, char **cause)
{
	sqlite3_stmt *stmt = np_store_stmt(st, id, cause);
	if (stmt == NULL)
		return -1;
	np_store_bind_text(stmt, 1, ev->device);
	np_store_bind_text(stmt, 2, ev->interface);
	sqlite3_bind_int64(stmt, 3, time_s);
	if (id == NP_S_OUTAGE_CLOSE) {
		if (len_s >= 0)
			sqlite3_bind_int64(stmt, 4, len_s);
		else
			sqlite3_bind_null(stmt, 4);
	}
	return np_store_exec_stmt(st, stmt, cause, "recording an outage/unobserved interval");
}

static int
transition(struct np_store *st, const struct np_ls_event *ev, int64_t time_s, int64_t outage_s,
           char **cause)
{
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_TRANSITION, cause);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, time_s);
	np_store_bind_text(stmt, 2, ev->device);
	np_store_bind_text(stmt, 3, ev->interface);
	np_store_bind_text(stmt, 4, state_name(ev->to));
	np_store_bind_text(stmt, 5, state_name(ev->from));
	np_store_bind_text(stmt, 6, ev->sources);
	if (outage_s >= 0)
		sqlite3_bind_int64(stmt, 7, outage_s);
	else
		sqlite3_bind_null(stmt, 7);
	if (ev->alert != NP_AL_NONE && (unsigned)ev->alert < NP_AL_MAX)
		np_store_bind_text(stmt, 8, np_alert_names[ev->alert]);
	else
		sqlite3_bind_null(stmt, 8);
	sqlite3_bind_int(stmt, 9, ev->flapping ? 1 : 0);
	if (np_store_exec_stmt(st, stmt, cause, "recording a transition") != 0)
		return -1;

	/* The deciding sources, for `status`; a new link gets provisional state fields. */
	stmt = np_store_stmt(st, NP_S_LINK_SOURCES, cause);
	if (stmt == NULL)
		return -1;
	np_store_bind_text(stmt, 1, ev->device);
	np_store_bind_text(stmt, 2, ev->interface);
	np_store_bind_text(stmt, 3, state_name(ev->to));
	sqlite3_bind_int64(stmt, 4, time_s);
	np_store_bind_text(
	    stmt, 5,
	    state_name(ev->to == NP_ST_UP || ev->to == NP_ST_DOWN ? ev->to : NP_ST_UNKNOWN));
	sqlite3_bind_int(stmt, 6, ev->to == NP_ST_UP ? 1 : 0);
	sqlite3_bind_int(stmt, 7, ev->flapping ? 1 : 0);
	np_store_bind_text(stmt, 8, ev->sources);
	return np_store_exec_stmt(st, stmt, cause, "recording the link's sources");
}

/* The outbox row of one alert and its per-sink delivery rows. */
static int
outbox(struct np_store *st, const struct np_store_alert *a, int64_t created,
       const char *const *sinks, size_t nsinks, char **cause)
{
	if (nsinks == 0)
		return 0; /* nobody to deliver to: the transition row still names the alert */
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_OUTBOX_ADD, cause);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, created);
	np_store_bind_text(stmt, 2, a->msgid);
	sqlite3_bind_int(stmt, 3, a->severity);
	np_store_bind_text(stmt, 4, a->device);
	np_store_bind_text(stmt, 5, a->interface);
	np_store_bind_text(stmt, 6, a->state);
	np_store_bind_text(stmt, 7, a->previous);
	sqlite3_bind_int64(stmt, 8, a->since_s);
	np_store_bind_text(stmt, 9, a->source);
	if (a->outage_seconds >= 0)
		sqlite3_bind_int64(stmt, 10, a->outage_seconds);
	else
		sqlite3_bind_null(stmt, 10);
	np_store_bind_text(stmt, 11, a->message);
	if (np_store_exec_stmt(st, stmt, cause, "adding an alert to the outbox") != 0)
		return -1;
	int64_t id = sqlite3_last_insert_rowid(st->db);

	stmt = np_store_stmt(st, NP_S_OUTBOX_SINK_ADD, cause);
	if (stmt == NULL)
		return -1;
	for (size_t i = 0; i < nsinks; i++) {
		sqlite3_bind_int64(stmt, 1, id);
		np_store_bind_text(stmt, 2, sinks[i]);
		if (np_store_exec_stmt(st, stmt, cause, "adding an alert's sink") != 0)
			return -1;
	}
	return 0;
}

int
np_store_event(struct np_store *st, const struct np_ls_event *ev, const char *message, int severity,
               const char *const *sinks, size_t nsinks, char **cause)
{
	int64_t time_s = np_store_ms_to_s(ev->time_ms);
	/* Rounded to the nearest second; -1 (no ended outage) stays NULL. */
	int64_t outage_s = ev->outage_ms >= 0 ? (ev->outage_ms + 500) / 1000 : -1;
	/* In whole seconds as the start and end are stored: without a step, end is time_s. */
	int64_t len_s =
	    ev->outage_ms >= 0 ? time_s - np_store_ms_to_s(ev->time_ms - ev->outage_ms) : -1;

	/* A FLAPPING/FLAPSTOP notice changes no state: it has an alert but no transition. */
	if (ev->transition) {
		if (transition(st, ev, time_s, outage_s, cause) != 0)
			return -1;
		if (ev->from == NP_ST_DOWN && ev->to != NP_ST_DOWN &&
		    interval(st, NP_S_OUTAGE_CLOSE, ev, time_s, len_s, cause) != 0)
			return -1;
		/* From unknown too: a link forgotten while unobserved (np_ls_forget) seen again. */
		if ((ev->from == NP_ST_STALE || ev->from == NP_ST_UNKNOWN) &&
		    ev->to != NP_ST_STALE &&
		    interval(st, NP_S_UNOBS_CLOSE, ev, time_s, -1, cause) != 0)
			return -1;
		/* Never-up links (unless the user asked to alert on them) are not down time. */
		if (ev->to == NP_ST_DOWN && ev->from != NP_ST_DOWN &&
		    (ev->ever_up || ev->alert != NP_AL_NONE) &&
		    interval(st, NP_S_OUTAGE_OPEN, ev, time_s, -1, cause) != 0)
			return -1;
		if (ev->to == NP_ST_STALE && ev->from != NP_ST_STALE &&
		    interval(st, NP_S_UNOBS_OPEN, ev, time_s, -1, cause) != 0)
			return -1;
	}
	if (ev->alert == NP_AL_NONE)
		return 0;
	if ((unsigned)ev->alert >= NP_AL_MAX)
		return np_store_failx(st, SQLITE_MISUSE, cause, "bad alert kind %d",
		                      (int)ev->alert);
	struct np_store_alert a = {
	    .msgid = np_alert_names[ev->alert],
	    .severity = severity,
	    .device = ev->device,
	    .interface = ev->interface,
	    .state = state_name(ev->to),
	    .previous = state_name(ev->from),
	    .source = ev->sources,
	    .since_s = time_s,
	    .outage_seconds = outage_s,
	    .message = message,
	};
	return outbox(st, &a, time_s, sinks, nsinks, cause);
}

int
np_store_alert(struct np_store *st, const struct np_store_alert *a, int64_t now_s,
               const char *const *sinks, size_t nsinks, char **cause)
{
	if (a->msgid == NULL || *a->msgid == '\0')
		return np_store_failx(st, SQLITE_MISUSE, cause, "alert without a msgid");
	return outbox(st, a, now_s, sinks, nsinks, cause);
}

/* Rows are copied out first so fn may mark them done (or anything else) as it goes. */
struct pending {
	struct np_outbox_row row;
	char *strings[8];
};

static char *
col_dup(sqlite3_stmt *stmt, int i)
{
	const char *s = (const char *)sqlite3_column_text(stmt, i);
	return np_xstrdup(s != NULL ? s : "");
}

int
np_store_outbox_pending(struct np_store *st, const char *sink, int limit, np_outbox_fn fn,
                        void *arg, char **cause)
{
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_OUTBOX_PENDING, cause);
	if (stmt == NULL)
		return -1;
	if (limit <= 0)
		return 0;
	np_store_bind_text(stmt, 1, sink);
	sqlite3_bind_int(stmt, 2, limit);

	struct pending *rows = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap != 0 ? cap * 2 : 16;
			rows = np_xreallocarray(rows, cap, sizeof *rows);
		}
		struct pending *p = &rows[n++];
		struct np_outbox_row *r = &p->row;
		int k = 0;
		r->id = sqlite3_column_int64(stmt, 0);
		r->created = sqlite3_column_int64(stmt, 1);
		r->msgid = p->strings[k++] = col_dup(stmt, 2);
		r->severity = sqlite3_column_int(stmt, 3);
		r->device = p->strings[k++] = col_dup(stmt, 4);
		r->interface = p->strings[k++] = col_dup(stmt, 5);
		r->state = p->strings[k++] = col_dup(stmt, 6);
		r->previous = p->strings[k++] = col_dup(stmt, 7);
		r->source = p->strings[k++] = col_dup(stmt, 8);
		r->since = sqlite3_column_int64(stmt, 9);
		r->outage_seconds = sqlite3_column_type(stmt, 10) == SQLITE_NULL
		                        ? -1
		                        : sqlite3_column_int64(stmt, 10);
		r->message = p->strings[k++] = col_dup(stmt, 11);
		r->attempts = sqlite3_column_int(stmt, 12);
		p->strings[k] = NULL;
	}
	int ret = 0;
	if (rc != SQLITE_DONE)
		ret = np_store_fail(st, rc, stmt, cause, "reading the outbox");
	else
		sqlite3_reset(stmt);

	size_t called = 0;
	for (size_t i = 0; i < n && ret == 0; i++) {
		called++;
		if (fn(&rows[i].row, arg) != 0)
			break;
	}
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < 8 && rows[i].strings[k] != NULL; k++)
			free(rows[i].strings[k]);
	free(rows);
	return ret == 0 ? (int)called : -1;
}

static int
outbox_update(struct np_store *st, enum np_stmt id, int64_t outbox_id, const char *sink,
              const int64_t *now_s, char **cause)
{
	sqlite3_stmt *stmt = np_store_stmt(st, id, cause);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, outbox_id);
	np_store_bind_text(stmt, 2, sink);
	if (now_s != NULL)
		sqlite3_bind_int64(stmt, 3, *now_s);
	if (np_store_exec_stmt(st, stmt, cause, "updating the outbox") != 0)
		return -1;
	if (sqlite3_changes(st->db) == 0)
		return np_store_failx(st, SQLITE_NOTFOUND, cause, "no outbox row %lld for sink %s",
		                      (long long)outbox_id, sink != NULL ? sink : "");
	return 0;
}

int
np_store_outbox_done(struct np_store *st, int64_t id, const char *sink, int64_t now_s, char **cause)
{
	return outbox_update(st, NP_S_OUTBOX_DONE, id, sink, &now_s, cause);
}

int
np_store_outbox_attempt(struct np_store *st, int64_t id, const char *sink, char **cause)
{
	return outbox_update(st, NP_S_OUTBOX_ATTEMPT, id, sink, NULL, cause);
}

int64_t
np_store_outbox_count(struct np_store *st, const char *sink)
{
	sqlite3_stmt *stmt =
	    np_store_stmt(st, sink != NULL ? NP_S_OUTBOX_COUNT : NP_S_OUTBOX_COUNT_ALL, NULL);
	if (stmt == NULL)
		return -1;
	if (sink != NULL)
		np_store_bind_text(stmt, 1, sink);
	int64_t n = -1;
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		n = sqlite3_column_int64(stmt, 0);
	else
		st->last_rc = rc & 0xff;
	sqlite3_reset(stmt);
	return n;
}
