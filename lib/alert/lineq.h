#ifndef NP_ALERT_LINEQ_H
#define NP_ALERT_LINEQ_H
/*
 * A bounded queue of log lines on their way to a sink (daemon.log to a remote syslog
 * target): lines are handed out in order, each with a sequence number (the send's tag); a
 * line leaves the queue when it is delivered; a failure makes every line handed out and not
 * delivered due again. When the queue is full, the oldest line is dropped (delivered or not)
 * and counted. Pure: no I/O, no clock.
 */
#include <stddef.h>
#include <stdint.h>

struct np_line {
	int64_t seq; /* > 0, increasing */
	int64_t time_ms;
	int priority;
	char *msg;
};

struct np_lineq;

/* cap >= 1 lines. */
struct np_lineq *np_lineq_new(size_t cap);
void np_lineq_free(struct np_lineq *q);
/* Queues a copy of msg; a full queue drops its oldest line first. Returns the line's seq. */
int64_t np_lineq_push(struct np_lineq *q, int priority, int64_t time_ms, const char *msg);
/* The next line to hand out (valid until the queue changes), NULL if all are out. */
const struct np_line *np_lineq_next(const struct np_lineq *q);
/* The line np_lineq_next gave is out (sent). */
void np_lineq_sent(struct np_lineq *q);
/* The next line cannot be sent at all: it is dropped and counted (only when none is out). */
void np_lineq_skip(struct np_lineq *q);
/* Every line out with seq <= seq was delivered: they leave the queue. */
void np_lineq_delivered(struct np_lineq *q, int64_t seq);
/* The lines out were lost: they are due again, oldest first. */
void np_lineq_rewind(struct np_lineq *q);
size_t np_lineq_count(const struct np_lineq *q); /* lines queued, out or not */
size_t np_lineq_out(const struct np_lineq *q);   /* of which handed out */
/* Lines dropped since the last call (full queue or skipped); resets that count. */
uint64_t np_lineq_take_dropped(struct np_lineq *q);
/* Lines dropped ever. */
uint64_t np_lineq_dropped_total(const struct np_lineq *q);
/* Empties the queue (not counted as dropped). */
void np_lineq_clear(struct np_lineq *q);

#endif
