#ifndef NP_ALERT_CONFIRM_H
#define NP_ALERT_CONFIRM_H
/*
 * Delivery confirmation of a stream transport without acknowledgements (TCP, TLS), SPEC §2:
 * a message written to the kernel counts as delivered once the socket's send queue was seen
 * empty (SIOCOUTQ: the peer's kernel acknowledged every byte) and the connection was still
 * open confirm_after after that. Pure bookkeeping with an injected clock: the transport
 * feeds it the send queue it read and acts on the verdict; a break of the connection is the
 * transport's (it fails everything here and calls np_confirm_reset).
 *
 * Usage: np_confirm_add(c, tag, now) once the message's last byte went to the kernel; then
 * call np_confirm_check(c, outq, now, …) when *next_ms of the previous check has passed
 * (and after each add), having made sure the connection is still open.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct np_confirm_entry {
	int64_t tag;
	int64_t drained_ms; /* first check that saw the send queue empty after it; -1 = not yet */
};

struct np_confirm {
	struct np_confirm_entry *e; /* [head, n) waiting; [head, undrained) seen drained */
	size_t head, undrained, n, cap;
	int64_t outq_since_ms; /* the send queue has not shrunk since; -1 = it was empty */
	int last_outq;         /* its size at the last look */
};

/* How often a send queue that has not drained is looked at again. */
#define NP_CONFIRM_POLL_MS 100

void np_confirm_init(struct np_confirm *c);
/* Frees the list (c itself is the caller's). */
void np_confirm_free(struct np_confirm *c);
/* Forgets every waiting message (the connection broke: the owner was told they failed). */
void np_confirm_reset(struct np_confirm *c);
/* Messages written and not confirmed yet. */
size_t np_confirm_waiting(const struct np_confirm *c);
/* A message whose last byte the kernel took at now_ms (monotonic). */
void np_confirm_add(struct np_confirm *c, int64_t tag, int64_t now_ms);

enum np_confirm_verdict {
	NP_CONFIRM_OK,    /* *next_ms: check again that much later; -1 = nothing waits */
	NP_CONFIRM_STUCK, /* the send queue has not drained for timeout_ms: a hung receiver */
};

/*
 * One look at an open connection whose send queue holds outq bytes (< 0: unknown, taken as
 * drained: the grace alone decides). Calls delivered(arg, tag) for each message confirmed,
 * oldest first. On NP_CONFIRM_STUCK nothing was delivered and *next_ms says for how long the
 * send queue has not drained.
 */
enum np_confirm_verdict np_confirm_check(struct np_confirm *c, int outq, int64_t now_ms,
                                         int64_t confirm_after_ms, int64_t timeout_ms,
                                         void (*delivered)(void *arg, int64_t tag), void *arg,
                                         int64_t *next_ms);

/* Bytes in fd's send queue not yet acknowledged by the peer (SIOCOUTQ), -1 on error. */
int np_sock_outq(int fd);

#endif
