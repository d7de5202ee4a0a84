#include "core/maint_held.h"

#include <stdlib.h>
#include <string.h>

#include "alert/alert.h"
#include "store/store.h"
#include "util/str.h"
#include "util/logcb.h"
#include "util/xmalloc.h"

struct entry {
	char *device, *interface, *sources, *window, *message;
	int severity;
	enum np_state first_from; /* what the receivers last heard */
	enum np_state cur;        /* the link's state now */
	struct np_ls_event ev;    /* the last held alert; its strings are the entry's */
	bool queued;              /* released in the open transaction */
};

struct np_maint_held {
	struct entry *e;
	size_t n, cap;
};

struct np_maint_held *
np_maint_held_new(void)
{
	return np_xcalloc(1, sizeof(struct np_maint_held));
}

static void
entry_free(struct entry *e)
{
	free(e->device);
	free(e->interface);
	free(e->sources);
	free(e->window);
	free(e->message);
}

void
np_maint_held_free(struct np_maint_held *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->n; i++)
		entry_free(&h->e[i]);
	free(h->e);
	free(h);
}

size_t
np_maint_held_count(const struct np_maint_held *h)
{
	return h->n;
}

static const char *
nz(const char *s)
{
	return s != NULL ? s : "";
}

static struct entry *
find(struct np_maint_held *h, const char *device, const char *interface)
{
	for (size_t i = 0; i < h->n; i++)
		if (strcmp(h->e[i].device, nz(device)) == 0 &&
		    strcmp(h->e[i].interface, nz(interface)) == 0)
			return &h->e[i];
	return NULL;
}

/* Forgets e; the last entry takes its place. */
static void
drop(struct np_maint_held *h, struct entry *e)
{
	entry_free(e);
	*e = h->e[--h->n];
}

static void
replace(char **dst, const char *s)
{
	free(*dst);
	*dst = np_xstrdup(nz(s));
}

void
np_maint_held_note(struct np_maint_held *h, const struct np_ls_event *ev, const char *window,
                   const char *message, int severity)
{
	if (!ev->transition)
		return;
	struct entry *e = find(h, ev->device, ev->interface);
	/* Only IFDOWN/IFUP are released: a STALE goes with its source's or device's alert. */
	bool updown = ev->alert == NP_AL_IFDOWN || ev->alert == NP_AL_IFUP;
	if (window != NULL && updown) {
		if (e == NULL) {
			if (h->n == h->cap) {
				h->cap = h->cap ? h->cap * 2 : 8;
				h->e = np_xreallocarray(h->e, h->cap, sizeof(*h->e));
			}
			e = &h->e[h->n++];
			memset(e, 0, sizeof(*e));
			e->device = np_xstrdup(nz(ev->device));
			e->interface = np_xstrdup(nz(ev->interface));
			e->first_from = ev->from;
		}
		replace(&e->sources, ev->sources);
		replace(&e->window, window);
		replace(&e->message, message);
		e->severity = severity;
		e->ev = *ev;
		e->ev.device = e->device;
		e->ev.interface = e->interface;
		e->ev.sources = e->sources;
		e->cur = ev->to;
	} else if (e != NULL && window == NULL && ev->alert != NP_AL_NONE) {
		drop(h, e); /* sent (or said by a COLLECTOR alert): the receivers are up to date */
	} else if (e != NULL) {
		e->cur = ev->to; /* no alert sent (none due, or a held STALE) */
	}
}

static int
queue(const struct entry *e, int64_t now_ms, const struct np_maint_held_out *out, char **cause)
{
	const struct np_ls_event *ev = &e->ev;
	char *msg = np_xasprintf("%s (held back by maintenance window %s, which has ended)",
	                         e->message, e->window);
	int64_t outage_s = ev->outage_ms >= 0 ? (ev->outage_ms + 500) / 1000 : -1;
	struct np_store_alert a = {
	    .msgid = np_alert_names[ev->alert],
	    .severity = e->severity,
	    .device = ev->device,
	    .interface = ev->interface,
	    .state = np_state_names[ev->to],
	    .previous = np_state_names[ev->from],
	    .source = ev->sources,
	    .since_s = ev->time_ms / 1000,
	    .outage_seconds = outage_s,
	    .message = msg,
	    .time_ms = now_ms,
	};
	int rc = np_store_alert(out->st, &a, now_ms / 1000, out->sinks, out->nsinks, cause);
	if (rc == 0) {
		char *dev = np_escape(ev->device), *ifn = np_escape(ev->interface);
		np_logf(out->lg, e->severity, "%s %s%s%s: %s", a.msgid, dev, *ifn ? "/" : "", ifn,
		        msg);
		free(dev);
		free(ifn);
	}
	free(msg);
	return rc;
}

int
np_maint_held_release(struct np_maint_held *h, int64_t now_ms,
                      int (*held)(const struct np_ls_event *ev, void *arg), void *arg,
                      const struct np_maint_held_out *out, char **cause)
{
	for (size_t i = 0; i < h->n;) {
		struct entry *e = &h->e[i];
		struct np_ls_event ev = e->ev;
		ev.time_ms = now_ms;
		e->queued = false; /* still here: its transaction did not commit */
		int still = held(&ev, arg);
		if (still > 0) {
			i++;
			continue;
		}
		/* Still in the state it announced, and not back where the receivers left it. */
		if (still == 0 && e->cur != e->first_from && e->cur == e->ev.to) {
			if (queue(e, now_ms, out, cause) == -1)
				return -1;
			e->queued = true;
			i++;
		} else {
			drop(h, e);
		}
	}
	return 0;
}

void
np_maint_held_commit(struct np_maint_held *h)
{
	for (size_t i = 0; i < h->n;)
		if (h->e[i].queued)
			drop(h, &h->e[i]);
		else
			i++;
}
