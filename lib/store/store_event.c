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
	sqlite3_bind_int64(stmt, 10, ev->time_ms);
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
	st->last_alert_id = 0;
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
	sqlite3_bind_int64(stmt, 12, a->time_ms > 0 ? a->time_ms : created * 1000);
	if (a->details != NULL)
		np_store_bind_text(stmt, 13, a->details);
	else
		sqlite3_bind_null(stmt, 13);
	if (np_store_exec_stmt(st, stmt, cause, "adding an alert to the outbox") != 0)
		return -1;
	int64_t id = sqlite3_last_insert_rowid(st->db);
	st->last_alert_id = id;

	stmt = np_store_stmt(st, NP_S_OUTBOX_SINK_ADD, cause);
	if (stmt == NULL)
		return -1;
	for (size_t i = 0; i < nsinks; i++) {
		sqlite3_bind_int64(stmt, 1, id);
		np_store_bind_text(stmt, 2, sinks[i]);
		sqlite3_bind_int64(stmt, 3, created);
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
	int64_t transition_id = 0;
	st->last_transition_id = 0;
	if (ev->transition) {
		if (transition(st, ev, time_s, outage_s, cause) != 0)
			return -1;
		transition_id = sqlite3_last_insert_rowid(st->db);
		st->last_transition_id = transition_id;
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
	st->last_alert_id = 0;
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
	    .time_ms = ev->time_ms,
	};
	if (outbox(st, &a, time_s, sinks, nsinks, cause) != 0)
		return -1;
	if (transition_id == 0 || st->last_alert_id == 0)
		return 0;
	sqlite3_stmt *stmt = np_store_stmt(st, NP_S_TRANSITION_ALERT, cause);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, st->last_alert_id);
	sqlite3_bind_int64(stmt, 2, transition_id);
	return np_store_exec_stmt(st, stmt, cause, "naming the transition's alert");
}

int
np_store_alert(struct np_store *st, const struct np_store_alert *a, int64_t now_s,
               const char *const *sinks, size_t nsinks, char **cause)
{
	if (a->msgid == NULL || *a->msgid == '\0')
		return np_store_failx(st, SQLITE_MISUSE, cause, "alert without a msgid");
	return outbox(st, a, now_s, sinks, nsinks, cause);
}
