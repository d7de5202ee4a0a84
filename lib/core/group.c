#include "core/group.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "alert/alert.h"
#include "util/xmalloc.h"

struct item {
	int64_t tid;
	char *msgid, *device, *interface, *state, *previous, *source, *message;
	int severity;
	int64_t since_s, outage_seconds, time_ms;
	bool fresh; /* added in the open transaction */
};

struct grp {
	char *key;
	int64_t opened_ms; /* monotonic */
	struct item *v;
	size_t n, cap;
	bool released; /* written in the open transaction */
	bool fresh;    /* opened in the open transaction */
};

struct np_group {
	struct grp *g;
	size_t n, cap;
};

struct np_group *
np_group_new(void)
{
	return np_xcalloc(1, sizeof(struct np_group));
}

static void
item_free(struct item *it)
{
	free(it->msgid);
	free(it->device);
	free(it->interface);
	free(it->state);
	free(it->previous);
	free(it->source);
	free(it->message);
}

static void
grp_free(struct grp *g)
{
	for (size_t i = 0; i < g->n; i++)
		item_free(&g->v[i]);
	free(g->v);
	free(g->key);
}

void
np_group_free(struct np_group *g)
{
	if (g == NULL)
		return;
	for (size_t i = 0; i < g->n; i++)
		grp_free(&g->g[i]);
	free(g->g);
	free(g);
}

static char *
dup0(const char *s)
{
	return np_xstrdup(s != NULL ? s : "");
}

static struct grp *
grp_of(struct np_group *g, const char *key, int64_t mono_ms, bool fresh)
{
	for (size_t i = 0; i < g->n; i++)
		if (!g->g[i].released && strcmp(g->g[i].key, key) == 0)
			return &g->g[i];
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 8;
		g->g = np_xreallocarray(g->g, g->cap, sizeof(*g->g));
	}
	struct grp *r = &g->g[g->n++];
	*r = (struct grp){.key = np_xstrdup(key), .opened_ms = mono_ms, .fresh = fresh};
	return r;
}

static void
add(struct np_group *g, const char *key, int64_t tid, const struct np_store_alert *a,
    int64_t mono_ms, bool fresh)
{
	struct grp *r = grp_of(g, key, mono_ms, fresh);
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->v = np_xreallocarray(r->v, r->cap, sizeof(*r->v));
	}
	r->v[r->n++] = (struct item){
	    .tid = tid,
	    .msgid = dup0(a->msgid),
	    .device = dup0(a->device),
	    .interface = dup0(a->interface),
	    .state = dup0(a->state),
	    .previous = dup0(a->previous),
	    .source = dup0(a->source),
	    .message = dup0(a->message),
	    .severity = a->severity,
	    .since_s = a->since_s,
	    .outage_seconds = a->outage_seconds,
	    .time_ms = a->time_ms,
	    .fresh = fresh,
	};
}

void
np_group_add(struct np_group *g, const char *key, int64_t tid, const struct np_store_alert *a,
             int64_t mono_ms)
{
	add(g, key, tid, a, mono_ms, true);
}

static int
severity_of(const char *msgid)
{
	if (strcmp(msgid, "IFDOWN") == 0)
		return LOG_ERR;
	if (strcmp(msgid, "IFUP") == 0)
		return LOG_NOTICE;
	return LOG_WARNING;
}

struct load {
	struct np_group *g;
	int64_t mono_ms;
	np_group_severity_fn sev;
	void *arg;
};

static void
load_cb(const struct np_held_row *r, void *arg)
{
	struct load *l = arg;
	const char *src = r->source != NULL ? r->source : "";
	char *key = np_xstrndup(src, strcspn(src, ","));
	/* The sentence and severity it was held with (pipeline.c), made again. */
	char *msg =
	    np_alert_sentence(r->alert, r->device, r->interface, r->source, r->outage_seconds);
	int severity = severity_of(r->alert);
	if (l->sev != NULL)
		severity = l->sev(src, r->device, r->interface, severity, l->arg);
	struct np_store_alert a = {
	    .msgid = r->alert,
	    .severity = severity,
	    .device = r->device,
	    .interface = r->interface,
	    .state = r->state,
	    .previous = r->previous,
	    .source = r->source,
	    .since_s = r->time,
	    .outage_seconds = r->outage_seconds,
	    .message = msg,
	    .time_ms = r->time_ms,
	};
	add(l->g, key, r->id, &a, l->mono_ms, false);
	free(key);
	free(msg);
}

int
np_group_load(struct np_group *g, struct np_store *st, int64_t mono_ms, np_group_severity_fn sev,
              void *arg, char **cause)
{
	struct load l = {g, mono_ms, sev, arg};
	return np_store_held_load(st, load_cb, &l, cause);
}

int64_t
np_group_deadline(const struct np_group *g, int64_t window_ms)
{
	int64_t due = INT64_MAX;
	for (size_t i = 0; i < g->n; i++)
		if (!g->g[i].released && g->g[i].opened_ms + window_ms < due)
			due = g->g[i].opened_ms + window_ms;
	return due;
}

static int
write_one(struct np_store *st, const struct item *it, const char *const *sinks, size_t nsinks,
          char **cause)
{
	struct np_store_alert a = {
	    .msgid = it->msgid,
	    .severity = it->severity,
	    .device = it->device,
	    .interface = it->interface,
	    .state = it->state,
	    .previous = it->previous,
	    .source = it->source,
	    .since_s = it->since_s,
	    .outage_seconds = it->outage_seconds,
	    .message = it->message,
	    .time_ms = it->time_ms,
	};
	return np_store_alert(st, &a, it->time_ms / 1000, sinks, nsinks, cause);
}

/* "fc-east: 37 links DOWN, 2 UP" with the links as details. */
static int
write_summary(struct np_store *st, const struct grp *r, const char *const *sinks, size_t nsinks,
              char **cause)
{
	static const char *const states[] = {"down", "up", "stale", "removed", NULL};
	size_t counts[5] = {0, 0, 0, 0, 0};
	int severity = LOG_DEBUG;
	const char *msgid = r->v[0].msgid;
	json_t *links = json_array();
	for (size_t i = 0; i < r->n; i++) {
		const struct item *it = &r->v[i];
		size_t k;
		for (k = 0; states[k] != NULL && strcmp(states[k], it->state) != 0; k++)
			;
		counts[k]++;
		if (it->severity < severity)
			severity = it->severity;
		if (strcmp(it->msgid, msgid) != 0 && strcmp(it->msgid, "IFDOWN") == 0)
			msgid = it->msgid; /* a group with a DOWN in it says so */
		json_t *o = json_object();
		json_object_set_new(o, "device", json_string(it->device));
		json_object_set_new(o, "interface", json_string(it->interface));
		json_object_set_new(o, "state", json_string(it->state));
		json_object_set_new(o, "previous", json_string(it->previous));
		json_object_set_new(o, "msgid", json_string(it->msgid));
		json_object_set_new(o, "since", json_integer(it->since_s));
		json_object_set_new(o, "outage_seconds",
		                    it->outage_seconds >= 0 ? json_integer(it->outage_seconds)
		                                            : json_null());
		json_array_append_new(links, o);
	}
	char *msg = np_xasprintf("%s:", r->key), *next;
	/* Removed: interfaces deleted whose deletion alerts (alert_on_delete). */
	static const char *const names[] = {"DOWN", "UP", "STALE", "DELETED", "other"};
	bool first = true;
	for (size_t k = 0; k < 5; k++) {
		if (counts[k] == 0)
			continue;
		next = np_xasprintf("%s%s %zu%s %s", msg, first ? "" : ",", counts[k],
		                    !first          ? ""
		                    : counts[k] > 1 ? " links"
		                                    : " link",
		                    names[k]);
		free(msg);
		msg = next;
		first = false;
	}
	char *details = json_dumps(links, JSON_COMPACT);
	json_decref(links);
	struct np_store_alert a = {
	    .msgid = msgid,
	    .severity = severity,
	    .device = "",
	    .interface = "",
	    .state = "group",
	    .previous = "",
	    .source = r->key,
	    .since_s = r->v[0].since_s,
	    .outage_seconds = -1,
	    .message = msg,
	    .time_ms = r->v[r->n - 1].time_ms,
	    .details = details,
	};
	int rc = np_store_alert(st, &a, a.time_ms / 1000, sinks, nsinks, cause);
	free(msg);
	free(details);
	return rc;
}

int
np_group_release(struct np_group *g, struct np_store *st, const char *const *sinks, size_t nsinks,
                 int64_t mono_ms, int64_t window_ms, bool all, char **cause)
{
	int queued = 0;
	for (size_t i = 0; i < g->n; i++) {
		struct grp *r = &g->g[i];
		if (r->released || r->n == 0 || (!all && r->opened_ms + window_ms > mono_ms))
			continue;
		int rc = r->n == 1 ? write_one(st, &r->v[0], sinks, nsinks, cause)
		                   : write_summary(st, r, sinks, nsinks, cause);
		if (rc != 0)
			return -1;
		int64_t id = np_store_last_alert_id(st);
		int64_t *tids = np_xcalloc(r->n, sizeof(*tids));
		for (size_t k = 0; k < r->n; k++)
			tids[k] = r->v[k].tid;
		rc = np_store_transitions_alert(st, tids, r->n, id != 0 ? id : 0, cause);
		free(tids);
		if (rc != 0)
			return -1;
		r->released = true;
		queued += id != 0;
	}
	return queued;
}

void
np_group_commit(struct np_group *g)
{
	size_t k = 0;
	for (size_t i = 0; i < g->n; i++) {
		struct grp *r = &g->g[i];
		if (r->released) {
			grp_free(r);
			continue;
		}
		r->fresh = false;
		for (size_t j = 0; j < r->n; j++)
			r->v[j].fresh = false;
		g->g[k++] = *r;
	}
	g->n = k;
}

void
np_group_rollback(struct np_group *g)
{
	size_t k = 0;
	for (size_t i = 0; i < g->n; i++) {
		struct grp *r = &g->g[i];
		r->released = false;
		size_t m = 0;
		for (size_t j = 0; j < r->n; j++) {
			if (r->v[j].fresh)
				item_free(&r->v[j]);
			else
				r->v[m++] = r->v[j];
		}
		r->n = m;
		if (r->fresh || r->n == 0) {
			grp_free(r);
			continue;
		}
		g->g[k++] = *r;
	}
	g->n = k;
}

size_t
np_group_held(const struct np_group *g)
{
	size_t n = 0;
	for (size_t i = 0; i < g->n; i++)
		n += g->g[i].n;
	return n;
}
