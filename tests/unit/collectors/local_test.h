#ifndef NP_TEST_LOCAL_TEST_H
#define NP_TEST_LOCAL_TEST_H
/* Helpers shared by the local collector's tests: capture what done()/push() hand over. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "collectors/collector.h"
#include "model/obs.h"
#include "util/xmalloc.h"

/* A deep copy of a borrowed batch (the collector reuses its own). */
static inline void *
lt_dup(const void *p, size_t n, size_t size)
{
	if (n == 0)
		return NULL;
	void *q = np_xreallocarray(NULL, n, size);
	memcpy(q, p, n * size);
	return q;
}

/* Observations, their strings and labels: the copy's offsets mean the same. */
static inline void
lt_copy(struct np_batch *dst, const struct np_batch *src)
{
	np_batch_free(dst);
	*dst = *src;
	dst->obs = lt_dup(src->obs, src->n, sizeof(*src->obs));
	dst->cap = src->n;
	dst->pool = lt_dup(src->pool, src->pool_len, 1);
	dst->pool_cap = src->pool_len;
	dst->labels = lt_dup(src->labels, src->nlabels, sizeof(*src->labels));
	dst->labels_cap = src->nlabels;
}

struct lt_sink {
	struct np_batch last; /* last batch given to done() with ok == 0 */
	int ndone, nfail;
	char *cause;            /* last failure */
	struct np_batch pushed; /* last pushed batch */
	int npush;
};

static inline void
lt_done(void *arg, struct np_batch *b, int ok, char *cause, int64_t retry_after_ms)
{
	struct lt_sink *s = arg;
	s->ndone++;
	if (ok == 0) {
		lt_copy(&s->last, b);
	} else {
		s->nfail++;
		free(s->cause);
		s->cause = cause;
	}
}

static inline void
lt_push(void *arg, struct np_batch *b)
{
	struct lt_sink *s = arg;
	s->npush++;
	lt_copy(&s->pushed, b);
}

static inline void
lt_sink_free(struct lt_sink *s)
{
	np_batch_free(&s->last);
	np_batch_free(&s->pushed);
	free(s->cause);
	memset(s, 0, sizeof(*s));
}

static inline const struct np_obs *
lt_find(const struct np_batch *b, const char *ifname)
{
	for (size_t i = 0; i < b->n; i++)
		if (strcmp(np_obs_interface(b, &b->obs[i]), ifname) == 0)
			return &b->obs[i];
	return NULL;
}

#endif
