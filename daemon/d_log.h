#ifndef NP_DAEMON_LOG_H
#define NP_DAEMON_LOG_H
/*
 * The daemon's log (OpenNTPD log.c style): stderr (default; journald and Docker take it from
 * there), syslog, a file reopened on SIGHUP for logrotate, or a remote syslog server
 * (daemon.log: udp:// tcp:// tls:// relp://; d_log_remote.h: the lines go to stderr too and
 * are sent from the event loop). log_warn() appends strerror(errno); every function preserves
 * errno.
 */
#include <stdbool.h>

#include "config/config.h"
#include "util/logcb.h"

/* Also finds whether stderr is systemd's journal stream (JOURNAL_STREAM matches it). */
void log_init(const char *progname);
/*
 * "<N>" (sd-daemon(3)) for a line of priority written straight to stderr when stderr is the
 * journal stream, else "": lines written with fprintf(stderr) carry their priority too.
 */
const char *log_stderr_prefix(int priority);
struct event_base;

/*
 * Switches target and level; on failure keeps the current target and returns -1. remote:
 * the syslog target of NP_LOG_REMOTE (else ignored); it must stay valid until the next
 * log_configure or log_close (the daemon's running config), as the sink is made from it
 * once the loop exists (log_set_base).
 */
int log_configure(enum np_log_target target, const char *file, const struct np_alert_cfg *remote,
                  enum np_log_level level, bool verbose, char **cause);
/*
 * The loop a remote target is sent from; lines logged before wait in memory. NULL detaches
 * (before event_base_free): what is queued gets at most ~2.5 s to be delivered.
 */
void log_set_base(struct event_base *base);
void log_reopen(void);
void log_close(void);
void log_msg(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The logger handed to lib/ modules. */
extern const struct np_logger log_lib;

#endif
