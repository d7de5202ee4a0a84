/* Per-source poll figures for the metrics (np_srcstats.h). */
#include "web/srcstats.h"

#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

const double np_srcstats_bounds[NP_SRCSTATS_BUCKETS] = {0.01, 0.05, 0.1, 0.25, 0.5,
                                                        1,    2.5,  5,   10,   30};

struct np_srcstats {
	struct np_srcstat *v;
	size_t n;
};

struct np_srcstats *
np_srcstats_new(void)
{
	return np_xcalloc(1, sizeof(struct np_srcstats));
}

static void
stat_free(struct np_srcstat *s)
{
	free(s->name);
	free(s->type);
}

void
np_srcstats_free(struct np_srcstats *ss)
{
	if (ss == NULL)
		return;
	for (size_t i = 0; i < ss->n; i++)
		stat_free(&ss->v[i]);
	free(ss->v);
	free(ss);
}

/* Sources are few (tens): a linear search costs less than a map. */
static struct np_srcstat *
find(struct np_srcstats *ss, const struct np_source_cfg *src)
{
	for (size_t i = 0; i < ss->n; i++)
		if (strcmp(ss->v[i].name, src->name) == 0)
			return &ss->v[i];
	ss->v = np_xreallocarray(ss->v, ss->n + 1, sizeof *ss->v);
	struct np_srcstat *s = &ss->v[ss->n++];
	*s = (struct np_srcstat){.name = np_xstrdup(src->name), .type = np_xstrdup(src->type)};
	return s;
}

void
np_srcstats_result(struct np_srcstats *ss, const struct np_source_cfg *src, bool ok)
{
	struct np_srcstat *s = find(ss, src);
	s->polled = true;
	s->up = ok;
	s->polls++;
	if (!ok)
		s->failures++;
}

void
np_srcstats_duration(struct np_srcstats *ss, const struct np_source_cfg *src, int64_t wall_ns)
{
	struct np_srcstat *s = find(ss, src);
	double secs = (double)wall_ns / 1e9;
	s->sum_s += secs;
	for (size_t i = 0; i < NP_SRCSTATS_BUCKETS; i++)
		if (secs <= np_srcstats_bounds[i]) {
			s->bucket[i]++;
			return;
		}
	s->over++; /* above the last bound: only in +Inf */
}

void
np_srcstats_retain(struct np_srcstats *ss, const struct np_config *cfg)
{
	struct np_srcstat *v = np_xcalloc(cfg->nsources + 1, sizeof *v);
	for (size_t i = 0; i < cfg->nsources; i++) {
		const struct np_source_cfg *src = &cfg->sources[i];
		struct np_srcstat *old = NULL;
		for (size_t j = 0; j < ss->n && old == NULL; j++)
			if (ss->v[j].name != NULL && strcmp(ss->v[j].name, src->name) == 0 &&
			    strcmp(ss->v[j].type, src->type) == 0)
				old = &ss->v[j];
		if (old != NULL) {
			v[i] = *old;
			old->name = old->type = NULL; /* moved */
		} else {
			v[i] = (struct np_srcstat){.name = np_xstrdup(src->name),
			                           .type = np_xstrdup(src->type)};
		}
	}
	for (size_t j = 0; j < ss->n; j++)
		stat_free(&ss->v[j]);
	free(ss->v);
	ss->v = v;
	ss->n = cfg->nsources;
}

const struct np_srcstat *
np_srcstats_list(const struct np_srcstats *ss, size_t *n)
{
	*n = ss->n;
	return ss->v;
}
