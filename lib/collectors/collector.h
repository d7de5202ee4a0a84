#ifndef NP_COLLECTORS_COLLECTOR_H
#define NP_COLLECTORS_COLLECTOR_H
/*
 * Collectors observe and nothing else (DESIGN §2): they turn bytes from a peer into a batch of
 * observations. They never compute deltas, never touch SQLite, never alert. Each type is an
 * ops struct in the static registry (OpenSMTPD table.c style) looked up by the config `type`.
 *
 * Lifetime: the core creates one instance per configured source, calls poll() when due (never
 * while a previous poll of the instance is still running) and destroy() when the source is
 * removed. A poll ends with exactly one call of ctx->done, possibly from inside poll() itself
 * (synchronous collectors) or later from a libevent callback (asynchronous ones). Between
 * polls a collector may push unsolicited batches with ctx->push (e.g. a netlink link-change
 * notification), also from a libevent callback. Batches passed to done/push are only borrowed
 * for the duration of the call.
 */
#include <stdbool.h>

#include "config/config.h"
#include "model/obs.h"

struct event_base;

struct np_collector_ctx {
	struct event_base *base;
	/*
	 * Valid during create() only: a reload that keeps the source (same settings) frees the
	 * old config while the instance lives on, so a collector copies whatever it keeps.
	 */
	const struct np_source_cfg *cfg;
	/* ok: 0 success (batch valid), -1 failure (batch NULL, cause says why; the core frees it).
	 */
	void (*done)(void *arg, struct np_batch *batch, int ok, char *cause);
	void (*push)(void *arg, struct np_batch *batch);
	void *arg;
};

struct np_collector_ops {
	const char *type;
	/* Returns the instance or NULL with *cause set. */
	void *(*create)(const struct np_collector_ctx *ctx, char **cause);
	/* Starts a poll. Returns -1 (with *cause) if it could not even start; done is then not
	 * called. */
	int (*poll)(void *inst, char **cause);
	/* Aborts an in-flight poll (deadline passed); done must not be called afterwards. */
	void (*cancel)(void *inst);
	void (*destroy)(void *inst);
};

/* NULL-terminated registry. */
extern const struct np_collector_ops *const np_collectors[];
const struct np_collector_ops *np_collector_lookup(const char *type);

#endif
