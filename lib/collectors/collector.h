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
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "config/config_table.h"
#include "model/obs.h"
#include "util/logcb.h"

struct event_base;
struct np_http;

/* What a type's conf_check reports through (keeps collectors free of the config module). */
struct np_conf_report {
	/* One error, positioned at the key `key` of the source entry (NULL = the entry itself). */
	void (*error)(struct np_conf_report *r, const char *key, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
	/* One non-fatal finding (the daemon logs it at load). */
	void (*warning)(struct np_conf_report *r, const char *key, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
	/* Whether the entry wrote `key` (even with a bad value, already reported). */
	bool (*given)(struct np_conf_report *r, const char *key);
	void *impl;
	/* Loaded without secrets (NP_CONFIG_NO_SECRETS, the CLI): files holding them are not
	 * read, and what they would have supplied is not required. */
	bool no_secrets;
};

struct np_collector_ctx {
	struct event_base *base;
	/*
	 * Valid during create() only: a reload that keeps the source (same settings) frees the
	 * old config while the instance lives on, so a collector copies whatever it keeps.
	 * cfg->conf is the type's own parsed config (ops->options), same lifetime.
	 */
	const struct np_source_cfg *cfg;
	/* Shared services, owned by the daemon; valid for the instance's life. May be NULL. */
	struct np_http *http;
	const struct np_logger *log;
	/*
	 * ok: 0 success (batch valid), -1 failure (batch NULL, cause says why; the core frees it).
	 * retry_after_ms > 0 on failure: the peer asked to be left alone this long (HTTP 429
	 * Retry-After); the scheduler waits at least that before the next poll. 0 otherwise.
	 */
	void (*done)(void *arg, struct np_batch *batch, int ok, char *cause,
	             int64_t retry_after_ms);
	void (*push)(void *arg, struct np_batch *batch);
	/*
	 * The end (UTC ms) of the latest interval amount stored for this source's series of
	 * `device` (NULL: any) and `interface` (NULL: any), or 0 if none: what a source handing
	 * out amounts (Meraki days, Cato hours, Aviatrix top talkers) still has to fill after a
	 * restart. Reads the store: an index lookup per series of the device (of the source, with
	 * device NULL: call it once, at start, and keep the mark).
	 */
	int64_t (*amount_mark)(void *arg, const char *device, const char *interface);
	void *arg;
};

struct np_collector_ops {
	const char *type;
	/*
	 * The type's own configuration keys (config/config_table.h), besides the keys every
	 * source has (name, type, interval, timeout, state, max_rate, max_gap, shares_links). The
	 * loader allocates conf_size zeroed bytes, fills the defaults, walks the entry with this
	 * table (unknown keys, bad values, file:line:column errors) and stores it in cfg->conf;
	 * help and the reload comparison come from the same table. NULL: no own keys.
	 */
	const struct np_config_opt *options;
	size_t conf_size;
	/* Optional, after the walk: cross-key rules and derived values (parsed subnets ...). */
	void (*conf_check)(void *conf, const struct np_source_cfg *src, struct np_conf_report *r);
	/* Optional: frees what conf_check derived (the walked fields are freed by the loader). */
	void (*conf_free)(void *conf);
	/* The type polls over HTTP: the daemon starts the shared engine (ctx->http) for it. */
	bool http;
	/* The type's own defaults of `interval` and `timeout` (0: the `defaults:` section's). */
	int64_t default_interval_ms, default_timeout_ms;
	/* Optional: the peer a COLLECTOR alert names as its device (a host); else the source. */
	const char *(*peer)(const void *conf);

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
