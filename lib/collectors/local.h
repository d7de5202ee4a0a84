#ifndef NP_COLLECTORS_LOCAL_H
#define NP_COLLECTORS_LOCAL_H
/*
 * The `local` collector: this host's interfaces. Counters from one RTM_GETSTATS dump per
 * poll; link state from an RTMGRP_LINK subscription on the event loop (a change is pushed at
 * once with ctx->push); /proc/self/net/dev + /sys/class/net as the fallback when netlink is
 * unavailable or disabled (cfg->netlink false).
 *
 * Polls are synchronous (done() is called before poll() returns) and allocate nothing in
 * steady state: the batch's observations are rewritten in place from one poll to the next,
 * so consumers read them (const) and copy what they keep.
 */
#include "collectors/collector.h"

/* The type's own keys (local_conf.c), parsed into cfg->conf. */
struct np_local_conf {
	char **include; /* POSIX ERE, search semantics; empty = all */
	size_t ninclude;
	char **exclude;
	size_t nexclude;
	char **alert_on_delete; /* deleted interfaces whose deletion alerts (IFDOWN); none */
	size_t nalert_on_delete;
	char *proc_path; /* default "/proc/self/net/dev" (fallback reader) */
	char *sys_path;  /* default "/sys/class/net" (fallback oper state) */
	bool netlink;    /* default true; false forces the /proc fallback */
};
extern const struct np_config_opt np_local_options[];

extern const struct np_collector_ops np_local_ops;

/*
 * Which reader an instance uses: "netlink" or "proc". When it is "proc" although the config
 * asked for netlink, *why (if why != NULL) says what failed; otherwise *why is NULL. For
 * logs, tests and benchmarks.
 */
const char *np_local_reader(const void *inst, const char **why);

#endif
