#ifndef NP_DAEMON_D_LOG_REMOTE_H
#define NP_DAEMON_D_LOG_REMOTE_H
/*
 * daemon.log to a remote syslog target (udp://, tcp://, tls://, relp://): every line the log
 * lets through becomes a plain RFC 5424 message (MSGID "-", no SD, the line's severity) sent
 * through an alert sink on the daemon's loop. Internal to d_log.c.
 *
 * Lines wait in a bounded queue in memory (LOGR_QUEUE_MAX): a line leaves it when the sink
 * says it was delivered (the receiver has it, by the sink's own rule); a failure sends every
 * undelivered line again after a backoff (1 s doubling to 60 s). When the queue is full the
 * oldest line is dropped and counted; once lines flow again, one line says how many were
 * dropped. Lines logged before the loop exists wait in the queue.
 */
#include <stdbool.h>

#include "config/config.h"

struct event_base;

#define LOGR_QUEUE_MAX 10000

/*
 * Sends the lines to cfg's target from now on (cfg is read during the call; NULL: no remote
 * target, the queue is emptied). A new target gets the lines not yet delivered to the old one.
 * -1 with *cause if cfg names no target or its sink cannot be made (then nothing changed).
 */
int logr_configure(const struct np_alert_cfg *cfg, char **cause);
/* Queues one line (time = now). Never sends from inside the call: the loop does. */
void logr_line(int priority, const char *msg);
/* The loop to send from; NULL detaches: what is queued is sent for at most ~2 s, then the
 * sink is freed (call before event_base_free). */
void logr_set_base(struct event_base *base);
/* Frees everything (the queue too). */
void logr_close(void);

#endif
