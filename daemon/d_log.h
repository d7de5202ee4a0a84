#ifndef NP_DAEMON_LOG_H
#define NP_DAEMON_LOG_H
/*
 * The daemon's log (OpenNTPD log.c style): stderr (default; journald and Docker take it from
 * there), syslog, or a file reopened on SIGHUP for logrotate. log_warn() appends
 * strerror(errno); every function preserves errno.
 */
#include <stdbool.h>

#include "config/config.h"
#include "util/logcb.h"

void log_init(const char *progname);
/* Switches target and level; on failure keeps the current target and returns -1. */
int log_configure(enum np_log_target target, const char *file, enum np_log_level level,
                  bool verbose, char **cause);
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
