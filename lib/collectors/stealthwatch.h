#ifndef NP_COLLECTORS_STEALTHWATCH_H
#define NP_COLLECTORS_STEALTHWATCH_H
/*
 * The `stealthwatch` collector: reads a Flow Collector's exporter_device_stats.txt over SSH +
 * SFTP (io/ssh.h: non-blocking on the event loop, host key always checked, session kept
 * between polls) and turns it into one observation per exporter (stealthwatch_parse.h).
 *
 * A poll never blocks: it returns at once and ends with ctx->done from the loop. The batch is
 * complete (an exporter this FC stops listing stops being fresh for it) unless the file was
 * caught mid-rewrite (stealthwatch_parse.h); its time is the wall clock when the file arrived.
 * Failures (unreachable FC, host key refused, no header) end the poll with -1 and a cause naming
 * the FC: "fc-east (127.0.0.1:2222): ...". The batch is kept and reused between polls (no
 * allocation on a steady-state poll).
 */
#include "collectors/collector.h"

/* max_file_size when the config leaves it 0 (config_table.c has the same default): 100k
 * exporters are about 18 MB. A larger file is refused by its size, before any download. */
#define NP_STEALTHWATCH_MAX_BYTES (64u * 1024 * 1024)
#define NP_STEALTHWATCH_DEFAULT_PATH "/lancope/var/sw/today/data/exporter_device_stats.txt"

/* The type's own keys (stealthwatch_conf.c), parsed into cfg->conf. */
struct np_sw_conf {
	char *host;
	int port; /* default 22 */
	char *user;
	char *identity_file;
	bool use_agent;
	char *known_hosts; /* required */
	char *path;        /* default NP_STEALTHWATCH_DEFAULT_PATH */
	char *password;    /* resolved from password_file / password_env; never logged */
	int max_file_size; /* bytes; default 64 MiB: a larger file fails the poll unread */
};
extern const struct np_config_opt np_sw_options[];
void np_sw_conf_check(void *conf, const struct np_source_cfg *src, struct np_conf_report *r);

extern const struct np_collector_ops np_stealthwatch_ops;

#endif
