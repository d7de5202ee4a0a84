#ifndef NP_CORE_SCHED_H
#define NP_CORE_SCHED_H
/*
 * Per-source poll scheduling on one event_base (STYLE §7): due times on the monotonic clock
 * (next = previous due + interval, so no drift; a late poll is clamped to now), ±10 % jitter
 * around that grid, never two polls of one source at once, a deadline per poll (timeout),
 * exponential backoff while a source fails (interval x 2, x 4 ... capped at 16 x interval or
 * 1 h), restored on the first success; a failure that carries the peer's Retry-After waits at
 * least that long.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "model/obs.h"
#include "util/logcb.h"

struct event_base;
struct np_collector_ops;
struct np_http;
struct np_sched;

/* What one poll cost, for the `timed` hook (see sched.c: poll_now). */
struct np_sched_timing {
	int64_t cpu_ns;  /* this thread's CPU from the poll's start to the end of `result` */
	int64_t wall_ns; /* monotonic time over the same span */
	size_t nobs;     /* observations in the batch (0 on failure) */
	bool sync;       /* the collector finished inside poll(): cpu_ns covers all its work */
};

struct np_sched_hooks {
	/* A poll finished: ok 0 with a batch, or -1 with a cause (batch NULL). */
	void (*result)(void *arg, const struct np_source_cfg *src, const struct np_batch *b, int ok,
	               const char *cause);
	/* After `result`: what the poll and its result handling cost. Optional. */
	void (*timed)(void *arg, const struct np_source_cfg *src, const struct np_sched_timing *t);
	/* A collector pushed an unsolicited batch (e.g. a netlink link change). */
	void (*pushed)(void *arg, const struct np_source_cfg *src, const struct np_batch *b);
	/* --once: every source has finished its one poll. */
	void (*once_done)(void *arg);
	/* ctx->amount_mark of the collectors (DESIGN §2); NULL answers 0. */
	int64_t (*amount_mark)(void *arg, const struct np_source_cfg *src, const char *device,
	                       const char *interface);
	/* The shared HTTP engine handed to collectors (ctx->http); may be NULL. */
	struct np_http *http;
	/* Collector lookup by type; NULL = the registry (np_collector_lookup). For tests. */
	const struct np_collector_ops *(*lookup)(const char *type);
	void *arg;
};

struct np_sched *np_sched_new(struct event_base *base, const struct np_sched_hooks *hooks,
                              const struct np_logger *lg);
void np_sched_free(struct np_sched *s);

/*
 * Makes the running set of sources match `srcs` (which must outlive it, until the next
 * call): a source whose name and settings are unchanged keeps its collector, state and
 * schedule (its config pointer is updated); changed and new ones get a fresh collector;
 * removed ones are cancelled and destroyed. Returns -1 if a collector could not be created
 * (the others are still set), with every failure in *cause.
 */
int np_sched_set_sources(struct np_sched *s, const struct np_source_cfg *srcs, size_t n,
                         char **cause);
/* Hands the shared HTTP engine to collectors created from now on (ctx->http). */
void np_sched_set_http(struct np_sched *s, struct np_http *http);
/* Arms the timers; with once, polls every source once right away and then stops. */
void np_sched_start(struct np_sched *s, bool once);
/* Cancels timers and in-flight polls. */
void np_sched_stop(struct np_sched *s);
/* True when no poll is overdue beyond its deadline (for the systemd watchdog). */
bool np_sched_healthy(const struct np_sched *s);
size_t np_sched_in_flight(const struct np_sched *s);
/* Test hook: a source's next due time (monotonic ms) and current backoff, or -1. */
int np_sched_peek(const struct np_sched *s, const char *name, int64_t *due_ms, int64_t *backoff_ms);

#endif
