#ifndef NP_ALERT_SINK_IMPL_H
#define NP_ALERT_SINK_IMPL_H
/*
 * Inside of the sinks (module-internal): sink.c owns the common part and the queue of reports
 * to the owner; sink_*.c are the transports behind an ops table.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alert/alert.h"
#include "alert/sink.h"

struct event;

struct sink_ops {
	/* Prepares the transport (no blocking I/O: a connection is made by the first send). */
	int (*open)(struct np_sink *s, char **cause);
	void (*close)(struct np_sink *s);
	/*
	 * Takes one alert (a need not outlive the call). Returns 0 when taken, -1 with *cause
	 * when not (nothing changed). Only called when ready() is true.
	 */
	int (*send)(struct np_sink *s, const struct np_alert *a, int64_t tag, char **cause);
	/* NULL = always ready (a datagram transport). */
	bool (*ready)(const struct np_sink *s);
};

/* One report of a transport to the owner, queued (np_sink_delivered etc.) and run later. */
struct sink_report {
	int kind; /* REPORT_* in sink.c */
	int64_t tag;
	char *cause;
};

struct np_sink {
	const struct sink_ops *ops;
	struct event_base *base;
	const struct np_alert_cfg *cfg; /* valid during np_sink_new only */
	char *key;                      /* "local", "udp://h:p", "tcp://h:p", ... */
	char *path; /* local/journald: the socket; NULL = NP_LOCAL_LOG_SOCKET / NP_JOURNAL_SOCKET */
	char *host; /* udp/tcp/tls/relp */
	char *port;
	bool rfc3164;
	char *hostname;
	struct np_syslog_header hdr;
	size_t max_len;           /* of one rendered message, framing excluded */
	int64_t timeout_ms;       /* connect, write, acknowledgement */
	int64_t confirm_after_ms; /* tcp/tls */
	int window;               /* relp */
	struct np_sink_cb cb;
	struct sink_report *reports;
	size_t nreports, capreports;
	struct event *flush; /* runs the reports from the loop */
	bool want_ready;     /* the owner found it not ready: tell it when it is */
	bool *alive;         /* set while reports run: cleared if the owner frees the sink */
	void *impl;          /* the transport's state */
};

extern const struct sink_ops np_sink_local_ops;
extern const struct sink_ops np_sink_udp_ops;
extern const struct sink_ops np_sink_tcp_ops;
extern const struct sink_ops np_sink_tls_ops; /* sink_tls.c: RFC 5425 over OpenSSL */
extern const struct sink_ops np_sink_relp_ops;
extern const struct sink_ops np_sink_webhook_ops;  /* sink_webhook.c */
extern const struct sink_ops np_sink_email_ops;    /* sink_email.c */
extern const struct sink_ops np_sink_journald_ops; /* sink_journald.c: native protocol */
extern const struct sink_ops np_sink_stderr_ops;   /* sink_stderr.c: RFC 5424 lines */

/* Renders a in the sink's format into buf (max_len + 1 bytes). Returns the length or -1. */
int np_sink_render(const struct np_sink *s, const struct np_alert *a, char *buf, size_t bufsize,
                   char **cause);
/*
 * Reports of a transport. Safe anywhere, also inside send: the owner hears of them from the
 * loop, in this order. After np_sink_failed the transport has closed its connection (the next
 * send makes a new one) and reports nothing more about the sends before it.
 */
void np_sink_delivered(struct np_sink *s, int64_t tag);
void np_sink_failed(struct np_sink *s, const char *cause);
/* Safe to call whenever there may be room again: the owner hears once, if it was waiting. */
void np_sink_wake(struct np_sink *s);

#endif
