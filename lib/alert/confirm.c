/* Delivery confirmation bookkeeping of TCP/TLS sinks (confirm.h). */
#include "alert/confirm.h"

#include <linux/sockios.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "util/xmalloc.h"

void
np_confirm_init(struct np_confirm *c)
{
	memset(c, 0, sizeof(*c));
	c->outq_since_ms = -1;
}

void
np_confirm_free(struct np_confirm *c)
{
	free(c->e);
	np_confirm_init(c);
}

void
np_confirm_reset(struct np_confirm *c)
{
	c->head = c->undrained = c->n = 0;
	c->outq_since_ms = -1;
}

size_t
np_confirm_waiting(const struct np_confirm *c)
{
	return c->n - c->head;
}

void
np_confirm_add(struct np_confirm *c, int64_t tag, int64_t now_ms)
{
	(void)now_ms; /* the grace counts from the drain, not from the write */
	if (c->n == c->cap && c->head > 0) {
		memmove(c->e, c->e + c->head, (c->n - c->head) * sizeof(*c->e));
		c->n -= c->head;
		c->undrained -= c->head;
		c->head = 0;
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->e = np_xreallocarray(c->e, c->cap, sizeof(*c->e));
	}
	c->e[c->n++] = (struct np_confirm_entry){.tag = tag, .drained_ms = -1};
}

enum np_confirm_verdict
np_confirm_check(struct np_confirm *c, int outq, int64_t now_ms, int64_t confirm_after_ms,
                 int64_t timeout_ms, void (*delivered)(void *arg, int64_t tag), void *arg,
                 int64_t *next_ms)
{
	*next_ms = -1;
	if (c->head == c->n) {
		c->outq_since_ms = -1;
		return NP_CONFIRM_OK;
	}
	if (outq > 0 && c->undrained < c->n) {
		/*
		 * Bytes of messages not seen drained yet are unacknowledged. A queue that shrank
		 * since the last look is a receiver still taking data (a busy connection may never
		 * be seen empty at the instant of a look): only one that never shrinks is hung.
		 */
		if (c->outq_since_ms < 0 || outq < c->last_outq)
			c->outq_since_ms = now_ms;
		c->last_outq = outq;
		if (now_ms - c->outq_since_ms >= timeout_ms) {
			*next_ms = now_ms - c->outq_since_ms;
			return NP_CONFIRM_STUCK;
		}
	} else if (outq <= 0) {
		c->outq_since_ms = -1;
		for (; c->undrained < c->n; c->undrained++)
			c->e[c->undrained].drained_ms = now_ms;
	}
	while (c->head < c->undrained && c->e[c->head].drained_ms + confirm_after_ms <= now_ms)
		delivered(arg, c->e[c->head++].tag);
	if (c->head == c->n) {
		c->head = c->undrained = c->n = 0;
		return NP_CONFIRM_OK;
	}
	/* The oldest drained message's grace, or the next look at an undrained queue. */
	*next_ms = c->head < c->undrained ? c->e[c->head].drained_ms + confirm_after_ms - now_ms
	                                  : NP_CONFIRM_POLL_MS;
	if (c->undrained<c->n && * next_ms> NP_CONFIRM_POLL_MS)
		*next_ms = NP_CONFIRM_POLL_MS;
	return NP_CONFIRM_OK;
}

int
np_sock_outq(int fd)
{
	int outq = 0;
	if (ioctl(fd, SIOCOUTQ, &outq) < 0)
		return -1;
	return outq;
}
