#ifndef NP_ALERT_SINK_IMPL_H
#define NP_ALERT_SINK_IMPL_H
/*
 * Inside of the sinks (module-internal): sink.c owns the common part and the in-flight
 * bookkeeping; sink_local.c, sink_udp.c and sink_tcp.c are the transports behind an ops table.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alert/alert.h"
#include "alert/sink.h"

struct sink_ops {
	int (*open)(struct np_sink *s, char **cause);
	void (*close)(struct np_sink *s);
	/*
	 * Starts sending a (rendered at once: a need not outlive the call). Returns 0 when
	 * started; completion is reported through np_sink_finish, which may free s, so after
	 * calling it a transport must not touch s. Returns -1 (finish not called) otherwise.
	 */
	int (*send)(struct np_sink *s, const struct np_alert *a, char **cause);
};

struct np_sink {
	const struct sink_ops *ops;
	struct event_base *base;
	char *key;  /* "local", "udp://h:p", "tcp://h:p" */
	char *path; /* local: the logger's socket; NULL = NP_LOCAL_LOG_SOCKET */
	char *host; /* udp/tcp */
	char *port;
	bool rfc3164;
	char *hostname;
	struct np_syslog_header hdr;
	size_t max_len;     /* of one rendered message, framing excluded */
	int64_t timeout_ms; /* tcp: connect + write */
	bool busy;
	np_sink_done_fn done;
	void *done_arg;
	void *impl; /* the transport's state */
};

extern const struct sink_ops np_sink_local_ops;
extern const struct sink_ops np_sink_udp_ops;
extern const struct sink_ops np_sink_tcp_ops;

/* Renders a in the sink's format into buf (max_len + 1 bytes). Returns the length or -1. */
int np_sink_render(const struct np_sink *s, const struct np_alert *a, char *buf, size_t bufsize,
                   char **cause);
/* Ends the send in flight: clears the busy state, then calls done (which may free s). */
void np_sink_finish(struct np_sink *s, int ok, const char *cause);

#endif
