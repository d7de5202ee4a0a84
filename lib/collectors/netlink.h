#ifndef NP_COLLECTORS_NETLINK_H
#define NP_COLLECTORS_NETLINK_H
/*
 * NETLINK_ROUTE socket helpers for the local collector: open (optionally subscribed to
 * multicast groups), and run a dump to completion with a bounded wait. Sockets are
 * non-blocking and close-on-exec; waits use poll() so a dump can never hang a poll.
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Opens and binds a socket; groups = RTMGRP_* bits to subscribe to (0 for requests).
 * rcvbuf > 0 asks for that receive buffer (SO_RCVBUFFORCE when permitted). -1 on error. */
int np_netlink_open(uint32_t groups, int rcvbuf, char **cause);

/*
 * Receives one datagram into buf, waiting at most until deadline (np_mono_ms() scale) when
 * nothing is queued; deadline < 0 means do not wait. Returns its length, 0 if none arrived
 * in time (errno EAGAIN), or -1 with *cause (errno kept: ENOBUFS means the kernel dropped
 * messages for this socket). A datagram larger than cap is an error (EMSGSIZE).
 */
ssize_t np_netlink_recv(int fd, void *buf, size_t cap, int64_t deadline, char **cause);

/* Called per received datagram; returns 1 for more, 0 when the dump is complete, -1 error. */
typedef int (*np_netlink_parse_fn)(void *arg, const void *buf, size_t len, char **cause);

/*
 * Sends req (a dump request) and feeds every answer datagram to parse until it returns 0.
 * Fails after timeout_ms without the end of the dump. buf/cap is the receive buffer.
 */
int np_netlink_dump(int fd, const void *req, size_t reqlen, void *buf, size_t cap,
                    int64_t timeout_ms, np_netlink_parse_fn parse, void *arg, char **cause);

#endif
