/* Per-link counters for the metrics (linkstats.h). */
#include "core/linkstats.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/hmap.h"
#include "util/xmalloc.h"

struct entry {
	uint64_t changes;
	int64_t closed_s;     /* seconds of closed outages */
	int64_t open_start_s; /* start of the open outage (store's seconds); 0: none */
	int64_t high_s;       /* the most ever reported */
};

struct np_linkstats {
	struct np_hmap *map; /* "device\0interface" -> struct entry */
};

/* Floor, as the store turns ms into seconds. */
static int64_t
ms_to_s(int64_t ms)
{
	return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

static struct entry *
lookup(const struct np_linkstats *ls, const char *device, const char *interface, bool create)
{
	size_t dl = strlen(device), il = strlen(interface);
	char stackkey[256];
	char *key = dl + il + 2 <= sizeof stackkey ? stackkey : np_xmalloc(dl + il + 2);
	memcpy(key, device, dl + 1);
	memcpy(key + dl + 1, interface, il + 1);
	struct entry *e = np_hmap_get(ls->map, key, dl + il + 1);
	if (e == NULL && create) {
		e = np_xcalloc(1, sizeof *e);
		np_hmap_put(ls->map, key, dl + il + 1, e);
	}
	if (key != stackkey)
		free(key);
	return e;
}

struct np_linkstats *
np_linkstats_new(void)
{
	struct np_linkstats *ls = np_xcalloc(1, sizeof *ls);
	ls->map = np_hmap_new();
	return ls;
}

void
np_linkstats_free(struct np_linkstats *ls)
{
	if (ls == NULL)
		return;
	np_hmap_free(ls->map, free);
	free(ls);
}

static void
load_cb(const struct np_outage_sum *s, void *arg)
{
	struct entry *e = lookup(arg, s->device, s->interface, true);
	e->closed_s = s->closed_s;
	e->open_start_s = s->open_start_s;
	e->high_s = 0;
}

int
np_linkstats_load(struct np_linkstats *ls, struct np_store *st, char **cause)
{
	return np_store_outage_sums(st, load_cb, ls, cause);
}

void
np_linkstats_event(struct np_linkstats *ls, const struct np_ls_event *ev)
{
	if (!ev->transition)
		return;
	struct entry *e = lookup(ls, ev->device, ev->interface, true);
	e->changes++;
	int64_t time_s = ms_to_s(ev->time_ms);
	/* As the store closes and opens outages (store_event.c). */
	if (ev->from == NP_ST_DOWN && ev->to != NP_ST_DOWN && e->open_start_s != 0) {
		int64_t len_s = ev->outage_ms >= 0 ? time_s - ms_to_s(ev->time_ms - ev->outage_ms)
		                                   : time_s - e->open_start_s;
		e->closed_s += len_s > 0 ? len_s : 0;
		e->open_start_s = 0;
	}
	if (ev->to == NP_ST_DOWN && ev->from != NP_ST_DOWN &&
	    (ev->ever_up || ev->alert != NP_AL_NONE))
		e->open_start_s = time_s;
}

void
np_linkstats_get(struct np_linkstats *ls, const char *device, const char *interface, int64_t now_ms,
                 int64_t up_look_ms, struct np_linkstats_read *out)
{
	struct entry *e = lookup(ls, device, interface, false);
	if (e == NULL) {
		*out = (struct np_linkstats_read){0, 0};
		return;
	}
	int64_t down = e->closed_s;
	if (e->open_start_s != 0) {
		int64_t end_s = ms_to_s(up_look_ms > 0 ? up_look_ms : now_ms);
		if (end_s > e->open_start_s)
			down += end_s - e->open_start_s;
	}
	if (down > e->high_s)
		e->high_s = down;
	out->changes = e->changes;
	out->down_s = e->high_s;
}

size_t
np_linkstats_count(const struct np_linkstats *ls)
{
	return np_hmap_count(ls->map);
}
