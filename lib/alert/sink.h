#ifndef NP_ALERT_SINK_H
#define NP_ALERT_SINK_H
/*
 * Alert sinks: the local system logger (/dev/log), remote syslog over UDP, and over TCP with
 * RFC 6587 octet counting ("LEN SP MSG"). All non-blocking on the daemon's event_base: a down
 * or hung syslog server never stalls polling. A send completes with a callback: ok = 0 when the
 * message was handed to the kernel (datagram sent, TCP fully written), -1 with a cause
 * otherwise. The dispatcher marks the outbox row delivered only on ok = 0.
 */
#include "alert/alert.h"
#include "config/config.h"

struct event_base;
struct np_sink;

typedef void (*np_sink_done_fn)(void *arg, int ok, const char *cause);

struct np_sink *np_sink_new(struct event_base *base, const struct np_alert_cfg *cfg, char **cause);
/* Freeing a sink with a send in flight cancels that send: its done is not called. */
void np_sink_free(struct np_sink *s);
/*
 * Stable key naming the target, used in outbox_sink.sink: "local" (or "local:PATH" for a
 * socket other than /dev/log), "udp://host:port", "tcp://host:port", in one spelling per
 * target (sink_key.c).
 */
const char *np_sink_key(const struct np_sink *s);
/* The key a sink made from cfg would have, without making it; NULL if cfg names no target. */
char *np_sink_cfg_key(const struct np_alert_cfg *cfg);
/*
 * A stored key in today's spelling ("UDP://Host:0514" -> "udp://host:514"), so rows queued
 * under an older or differently spelt key find their sink. malloc'd; NULL if key is not one.
 */
char *np_sink_key_canonical(const char *key);
/*
 * Sends one alert. Returns 0 if the send was started (done will be called exactly once,
 * possibly before np_sink_send returns), -1 if it could not start (done not called).
 * At most one send per sink is in flight; a second call while busy returns -1.
 */
int np_sink_send(struct np_sink *s, const struct np_alert *a, np_sink_done_fn done, void *arg,
                 char **cause);
/* (added) Connect + write timeout of a TCP send; default 10 s, <= 0 restores the default. */
void np_sink_set_timeout(struct np_sink *s, int64_t timeout_ms);

#endif
