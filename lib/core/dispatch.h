#ifndef NP_CORE_DISPATCH_H
#define NP_CORE_DISPATCH_H
/*
 * Alert dispatcher: delivers outbox rows to the configured sinks, oldest first, several in
 * flight per sink while it takes them, and marks each (alert, sink) delivered only when the
 * sink says the receiver has it (alert/sink.h: acknowledged, or proved healthy after it). A
 * sink that fails loses what was in flight, which is sent again after a backoff (1 s doubling
 * to 60 s); its rows stay pending meanwhile, across restarts too. Rows undelivered for longer
 * than alerts.max_age become dead letters (`netpulse alerts --dead`). Runs on the daemon's
 * event_base. A sink whose config did not change keeps its connection and work across a
 * reload.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "store/store.h"
#include "util/logcb.h"

struct event_base;
struct np_dispatch;

/* Creates one sink per cfg->alerts entry. Returns NULL with *cause if a sink cannot be made. */
struct np_dispatch *np_dispatch_new(struct event_base *base, struct np_store *st,
                                    const struct np_config *cfg, const struct np_logger *lg,
                                    char **cause);
void np_dispatch_free(struct np_dispatch *d);
/*
 * Replaces the sinks with those of a new config (after a reload). Here (and at creation),
 * pending rows of a key no sink has any more move to a configured sink whose key is the same
 * target spelt differently; others stay and are logged, one line per key. Not inside a batch.
 */
int np_dispatch_set_config(struct np_dispatch *d, const struct np_config *cfg, char **cause);
/* The sink keys new alerts must be queued for. Valid until the next set_config. */
const char *const *np_dispatch_keys(const struct np_dispatch *d, size_t *n);
/* Starts delivering whatever is pending (call after each committed batch). */
void np_dispatch_kick(struct np_dispatch *d);
/* Undelivered (alert, sink) rows for the current sinks. */
int64_t np_dispatch_pending(struct np_dispatch *d);
bool np_dispatch_busy(const struct np_dispatch *d);
/* Each current sink's key and the outbox alerts it delivered since it was made (metrics). */
typedef void (*np_dispatch_sink_fn)(const char *key, uint64_t sent, void *arg);
void np_dispatch_each_sink(const struct np_dispatch *d, np_dispatch_sink_fn fn, void *arg);
/*
 * Sends one alert straight to every current sink, without the outbox: for STORAGE, raised
 * when the database itself cannot be written. It goes ahead of the outbox's rows and is
 * retried a few times (2 s doubling) if the sink fails; then it is given up and logged. Not
 * kept across restarts. The alert's strings are copied; its time is now.
 */
void np_dispatch_direct(struct np_dispatch *d, const struct np_store_alert *a);

#endif
