#ifndef NP_ALERT_SINK_H
#define NP_ALERT_SINK_H
/*
 * Alert sinks: the local system logger (/dev/log), systemd-journald (its native protocol, with
 * structured fields), stderr (one RFC 5424 line per alert: a container's log), remote syslog
 * over UDP, TCP (RFC 6587 octet counting), TLS (RFC 5425) and RELP, webhooks and email. All
 * non-blocking on the daemon's event_base: a down or hung receiver never stalls polling.
 *
 * Sends are pipelined and carry a tag (the outbox id). The sink tells its owner, always from
 * the loop and never inside np_sink_send:
 *   delivered(tag)  the receiver has the alert, in send order: UDP/local/journald when the
 *                   kernel took the datagram; stderr when the line was written; TCP/TLS once the
 * connection proved healthy after it (the send queue drained and the connection still open
 * confirm_after later); RELP on the receiver's "rsp 200"; webhook on HTTP 2xx; email when the SMTP
 * server accepted it. failed(cause)   every send not delivered yet is lost (connection broken,
 * timeout, refused, peer not acknowledging); the owner sends them again after a backoff. ready()
 * the sink takes another send (np_sink_ready became true).
 */
#include <stdbool.h>
#include <stdint.h>

#include "alert/alert.h"
#include "config/config.h"

struct event_base;
struct np_sink;

struct np_sink_cb {
	void (*delivered)(void *arg, int64_t tag);
	void (*failed)(void *arg, const char *cause);
	void (*ready)(void *arg);
	void *arg;
};

struct np_sink *np_sink_new(struct event_base *base, const struct np_alert_cfg *cfg,
                            const struct np_sink_cb *cb, char **cause);
/* Freeing a sink drops what is in flight: no callback follows, even one already queued. */
void np_sink_free(struct np_sink *s);
/*
 * Stable key naming the target, used in outbox_sink.sink: "local" (or "local:PATH" for a
 * socket other than /dev/log), "journald" (or "journald:PATH"), "stderr", "udp://host:port",
 * "tcp://host:port", "tls://host:port", "relp://host:port", "webhook:URL", "email:TO[,TO…]", in one
 * spelling per target (sink_key.c).
 */
const char *np_sink_key(const struct np_sink *s);
/* The key a sink made from cfg would have, without making it; NULL if cfg names no target. */
char *np_sink_cfg_key(const struct np_alert_cfg *cfg);
/*
 * A stored key in today's spelling ("UDP://Host:0514" -> "udp://host:514"), so rows queued
 * under an older or differently spelt key find their sink. malloc'd; NULL if key is not one.
 */
char *np_sink_key_canonical(const char *key);
/* Whether the sink takes another send now (its window has room, nothing half-written). */
bool np_sink_ready(struct np_sink *s);
/*
 * Sends one alert tagged tag (> 0). Returns 0 when the sink took it (delivered(tag) or
 * failed follows), -1 with *cause when it did not (not ready, or the alert cannot be rendered:
 * then nothing changed).
 */
int np_sink_send(struct np_sink *s, const struct np_alert *a, int64_t tag, char **cause);

#endif
