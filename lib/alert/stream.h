#ifndef NP_ALERT_STREAM_H
#define NP_ALERT_STREAM_H
/*
 * What the stream transports (sink_tcp.c, sink_tls.c, sink_relp.c) share (module-internal):
 * resolving the target and a non-blocking connect through its addresses in turn.
 */
#include <netdb.h>
#include <stdbool.h>

/*
 * Resolves host and port for a stream socket: a numeric address without a lookup (it never
 * blocks; *numeric is set), else with getaddrinfo (which may block the loop for one lookup).
 * -1 with "cannot resolve HOST port PORT: why" in *cause.
 */
int np_stream_resolve(const char *host, const char *port, struct addrinfo **ai, bool *numeric,
                      char **cause);
/*
 * Starts a non-blocking connect to *cur, or to the addresses after it when one fails at once
 * (*cur is left at the one tried). Returns the socket, with *now set when it connected at
 * once (else the connect is in progress: wait for EV_WRITE, then np_stream_connect_result);
 * -1 with *err when no address is left.
 */
int np_stream_connect(struct addrinfo **cur, bool *now, int *err);
/* The outcome of a connect in progress on fd: 0, or the errno it failed with. */
int np_stream_connect_result(int fd);

#endif
