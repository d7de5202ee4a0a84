/* A bounded queue of log lines on their way to a sink (lineq.h): a ring of cap lines. */
#include "alert/lineq.h"

#include <stdlib.h>

#include "util/xmalloc.h"

struct np_lineq {
	struct np_line *v;
	size_t cap, head, count;
	size_t out; /* v[head .. head+out) are handed out */
	int64_t next_seq;
	uint64_t dropped, dropped_total;
};

struct np_lineq *
np_lineq_new(size_t cap)
{
	struct np_lineq *q = np_xcalloc(1, sizeof(*q));
	q->cap = cap > 0 ? cap : 1;
	q->v = np_xcalloc(q->cap, sizeof(*q->v));
	q->next_seq = 1;
	return q;
}

static struct np_line *
at(const struct np_lineq *q, size_t i)
{
	return &q->v[(q->head + i) % q->cap];
}

static void
pop(struct np_lineq *q)
{
	struct np_line *l = at(q, 0);
	free(l->msg);
	l->msg = NULL;
	q->head = (q->head + 1) % q->cap;
	q->count--;
	if (q->out > 0)
		q->out--;
}

void
np_lineq_clear(struct np_lineq *q)
{
	while (q->count > 0)
		pop(q);
	q->out = 0;
}

void
np_lineq_free(struct np_lineq *q)
{
	if (q == NULL)
		return;
	np_lineq_clear(q);
	free(q->v);
	free(q);
}

int64_t
np_lineq_push(struct np_lineq *q, int priority, int64_t time_ms, const char *msg)
{
	if (q->count == q->cap) {
		/* The oldest goes; if it was out, its delivery later finds nothing to drop. */
		pop(q);
		q->dropped++;
		q->dropped_total++;
	}
	struct np_line *l = at(q, q->count);
	l->seq = q->next_seq++;
	l->time_ms = time_ms;
	l->priority = priority;
	l->msg = np_xstrdup(msg != NULL ? msg : "");
	q->count++;
	return l->seq;
}

const struct np_line *
np_lineq_next(const struct np_lineq *q)
{
	return q->out < q->count ? at(q, q->out) : NULL;
}

void
np_lineq_sent(struct np_lineq *q)
{
	if (q->out < q->count)
		q->out++;
}

void
np_lineq_skip(struct np_lineq *q)
{
	if (q->out != 0 || q->count == 0)
		return;
	pop(q);
	q->dropped++;
	q->dropped_total++;
}

void
np_lineq_delivered(struct np_lineq *q, int64_t seq)
{
	while (q->out > 0 && at(q, 0)->seq <= seq)
		pop(q);
}

void
np_lineq_rewind(struct np_lineq *q)
{
	q->out = 0;
}

size_t
np_lineq_count(const struct np_lineq *q)
{
	return q->count;
}

size_t
np_lineq_out(const struct np_lineq *q)
{
	return q->out;
}

uint64_t
np_lineq_take_dropped(struct np_lineq *q)
{
	uint64_t n = q->dropped;
	q->dropped = 0;
	return n;
}

uint64_t
np_lineq_dropped_total(const struct np_lineq *q)
{
	return q->dropped_total;
}
