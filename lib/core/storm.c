#include "core/storm.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/pending.h"
#include "util/xmalloc.h"

/* More than any evaluation raises at once; beyond it the oldest are dropped (counted). */
#define HOLD_MAX 1000000

struct group {
	char *source; /* the first deciding source: the key */
	size_t n;
	json_t *links; /* details of the summary */
	char *sources; /* of the first link */
	char *device;  /* shared by every link, or "" */
	int64_t time_ms;
	int severity; /* the most severe of its links' (a `links:` entry may set one) */
};

struct np_storm {
	struct np_pending *held;
	struct group *g;
	size_t ng, capg;
};

struct np_storm *
np_storm_new(void)
{
	struct np_storm *s = np_xcalloc(1, sizeof(*s));
	s->held = np_pending_new(HOLD_MAX);
	return s;
}

static void
groups_clear(struct np_storm *s)
{
	for (size_t i = 0; i < s->ng; i++) {
		free(s->g[i].source);
		free(s->g[i].device);
		free(s->g[i].sources);
		json_decref(s->g[i].links);
	}
	s->ng = 0;
}

void
np_storm_free(struct np_storm *s)
{
	if (s == NULL)
		return;
	groups_clear(s);
	free(s->g);
	np_pending_free(s->held);
	free(s);
}

void
np_storm_clear(struct np_storm *s)
{
	np_pending_clear(s->held);
	groups_clear(s);
}

void
np_storm_hold(struct np_storm *s, const struct np_ls_event *ev, const char *message, int severity)
{
	np_pending_add_event(s->held, ev, message, severity);
}

static struct group *
group_of(struct np_storm *s, const struct np_ls_event *ev)
{
	const char *src = ev->sources != NULL ? ev->sources : "";
	size_t len = strcspn(src, ",");
	for (size_t i = 0; i < s->ng; i++)
		if (strlen(s->g[i].source) == len && strncmp(s->g[i].source, src, len) == 0)
			return &s->g[i];
	if (s->ng == s->capg) {
		s->capg = s->capg ? s->capg * 2 : 8;
		s->g = np_xreallocarray(s->g, s->capg, sizeof(*s->g));
	}
	struct group *g = &s->g[s->ng++];
	*g = (struct group){.source = np_xstrndup(src, len), .links = json_array()};
	return g;
}

static int
count_cb(const struct np_ls_event *ev, const char *message, int severity, void *arg)
{
	(void)message;
	struct group *g = group_of(arg, ev);
	if (g->n++ == 0) {
		g->sources = np_xstrdup(ev->sources != NULL ? ev->sources : "");
		g->device = np_xstrdup(ev->device);
		g->time_ms = ev->time_ms;
		g->severity = severity;
	} else if (strcmp(g->device, ev->device) != 0) {
		g->device[0] = '\0'; /* links of several devices */
	}
	if (severity < g->severity)
		g->severity = severity;
	return 0;
}

struct write_ctx {
	struct np_storm *s;
	struct np_store *st;
	const char *const *sinks;
	size_t nsinks;
	char **cause;
	int queued;
};

static int
write_cb(const struct np_ls_event *ev, const char *message, int severity, void *arg)
{
	struct write_ctx *w = arg;
	struct group *g = group_of(w->s, ev);
	if (g->n == 1) {
		if (np_store_event(w->st, ev, message, severity, w->sinks, w->nsinks, w->cause) !=
		    0)
			return -1;
		w->queued += np_store_last_alert_id(w->st) != 0;
		return 0;
	}
	json_t *o = json_object();
	json_object_set_new(o, "device", json_string(ev->device));
	json_object_set_new(o, "interface", json_string(ev->interface));
	json_object_set_new(o, "state", json_string("stale"));
	json_object_set_new(o, "previous", json_string(np_state_names[ev->from]));
	json_object_set_new(o, "since", json_integer(ev->time_ms / 1000));
	/* a down link going stale ends its outage there (linkstate.c) */
	json_object_set_new(o, "outage_seconds",
	                    ev->outage_ms >= 0 ? json_integer((ev->outage_ms + 500) / 1000)
	                                       : json_null());
	json_array_append_new(g->links, o);
	return np_store_event(w->st, ev, message, severity, NULL, 0, w->cause);
}

/* The one alert for a device whose links went stale together. */
static int
summary(struct write_ctx *w, struct group *g)
{
	char *details = json_dumps(g->links, JSON_COMPACT);
	char *msg = *g->device != '\0'
	                ? np_xasprintf("%zu links of %s are STALE (no fresh observation from %s)",
	                               g->n, g->device, g->sources)
	                : np_xasprintf("%zu links are STALE (no fresh observation from %s)", g->n,
	                               g->sources);
	struct np_store_alert a = {
	    .msgid = "STALE",
	    .severity = g->severity,
	    .device = g->device,
	    .interface = "",
	    .state = "stale",
	    .previous = "up",
	    .source = g->sources,
	    .since_s = g->time_ms / 1000,
	    .outage_seconds = -1,
	    .message = msg,
	    .time_ms = g->time_ms,
	    .details = details,
	};
	int r = np_store_alert(w->st, &a, g->time_ms / 1000, w->sinks, w->nsinks, w->cause);
	w->queued += r == 0 && np_store_last_alert_id(w->st) != 0;
	free(msg);
	free(details);
	return r;
}

int
np_storm_write(struct np_storm *s, struct np_store *st, const char *const *sinks, size_t nsinks,
               char **cause)
{
	size_t bad;
	groups_clear(s);
	struct write_ctx w = {s, st, sinks, nsinks, cause, 0};
	if (np_pending_write(s->held, count_cb, NULL, s, &bad) != 0 ||
	    np_pending_write(s->held, write_cb, NULL, &w, &bad) != 0)
		return -1;
	for (size_t i = 0; i < s->ng; i++)
		if (s->g[i].n > 1 && summary(&w, &s->g[i]) != 0)
			return -1;
	return w.queued;
}
