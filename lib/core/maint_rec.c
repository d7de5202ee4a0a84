#include "core/maint_rec.h"

#include <stdlib.h>

#include "engine/linkstate.h"
#include "engine/maint.h"
#include "store/store_window.h"
#include "util/xmalloc.h"

struct np_maint_rec {
	int64_t done; /* committed: time before it is recorded */
	int64_t next; /* written by the last step, not committed yet */
};

struct np_maint_rec *
np_maint_rec_new(int64_t now_s)
{
	struct np_maint_rec *r = np_xcalloc(1, sizeof(*r));
	r->done = r->next = now_s;
	return r;
}

void
np_maint_rec_free(struct np_maint_rec *r)
{
	free(r);
}

struct step_ctx {
	const struct np_maint *m;
	struct np_store *st;
	const struct np_ls_saved *link;
	int64_t a, b;
	int rc;
	char **cause;
};

static void
piece(int64_t a, int64_t b, int window, void *arg)
{
	struct step_ctx *c = arg;
	if (c->rc == 0)
		c->rc = np_store_maint_add(c->st, c->link->device, c->link->interface, a, b,
		                           np_maint_name(c->m, window), c->cause);
}

static void
each_link(const struct np_ls_saved *s, void *arg)
{
	struct step_ctx *c = arg;
	if (c->rc != 0)
		return;
	struct np_maint_store_link sl;
	np_maint_store_link(&sl, c->st, s->sources, s->device, s->interface);
	c->link = s;
	np_maint_pieces(c->m, &sl.l, c->a, c->b, piece, c);
}

int
np_maint_rec_step(struct np_maint_rec *r, const struct np_maint *m, struct np_ls *ls,
                  struct np_store *st, int64_t now_s, bool force, char **cause)
{
	r->next = r->done;
	if (now_s <= r->done || (!force && now_s - r->done < NP_MAINT_REC_EVERY_S))
		return 0; /* too soon, or the wall clock went back: wait until it passes again */
	r->next = now_s;
	/* Overlapping windows would count twice: each link's pieces are merged per window, and
	 * the report takes the union. Nothing to walk when no window had time in the span. */
	if (!np_maint_active(m, r->done, now_s))
		return 0;
	struct step_ctx c = {.m = m, .st = st, .a = r->done, .b = now_s, .cause = cause};
	np_ls_foreach(ls, each_link, &c);
	return c.rc;
}

void
np_maint_rec_commit(struct np_maint_rec *r)
{
	r->done = r->next;
}

/* A lookup that fails counts as not having the label (the alert is sent, no time recorded). */
static bool
has_label(void *arg, const char *name, const char *value)
{
	struct np_maint_store_link *sl = arg;
	char *cause = NULL;
	int rc =
	    np_store_link_has_label(sl->st, sl->l.device, sl->l.interface, name, value, &cause);
	free(cause);
	return rc == 1;
}

void
np_maint_store_link(struct np_maint_store_link *sl, struct np_store *st, const char *sources,
                    const char *device, const char *interface)
{
	sl->l = (struct np_maint_link){.sources = sources,
	                               .device = device,
	                               .interface = interface,
	                               .has_label = has_label,
	                               .arg = sl};
	sl->st = st;
}
