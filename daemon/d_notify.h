#ifndef NP_DAEMON_NOTIFY_H
#define NP_DAEMON_NOTIFY_H
/*
 * systemd readiness protocol without libsystemd (collectd cmd.c style): datagrams such as
 * "READY=1" to the AF_UNIX socket named by $NOTIFY_SOCKET ('@' = abstract namespace).
 */
#include <stdint.h>

void notify_init(void);
/* Sends one state string; silently nothing when not under systemd. */
void notify_send(const char *state);
/* The watchdog period in microseconds if systemd asked for pings (WATCHDOG_USEC), else 0. */
int64_t notify_watchdog_usec(void);

#endif
