/* daemon.log to a remote syslog target (d_log_remote.h); the queue is lib/alert/lineq.c. */
#include "d_log_remote.h"

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "d_log.h"
#include "alert/alert.h"
#include "alert/lineq.h"
#include "alert/sink.h"
#include "util/cause.h"
#include "util/clock.h"
#include "util/xmalloc.h"

#define RETRY_MIN_MS 1000
#define RETRY_MAX_MS 60000
#define FLUSH_AT_EXIT_MS 2500

/* Process-wide like the log itself (d_log.c): one daemon, one log. */
static struct {
	bool on;
	char *key; /* the target's sink key, for messages */
	struct event_base *base;
	struct np_sink *sink;
	/* Before the loop exists: the config the sink is made from at attach (the daemon's
	 * running config, valid until the next configure). */
	const struct np_alert_cfg *pending_cfg;
	struct np_lineq *q;
	bool failing;        /* the sink failed and has delivered nothing since */
	int64_t retry_ms;    /* current backoff; 0 = none */
	struct event *pump;  /* sends from the loop */
	struct event *retry; /* the backoff */
} R;

static void
kick(void)
{
	if (R.pump != NULL && R.sink != NULL && !evtimer_pending(R.retry, NULL))
		event_active(R.pump, EV_TIMEOUT, 1);
}

void
logr_line(int priority, const char *msg)
{
	if (!R.on)
		return;
	np_lineq_push(R.q, priority, np_wall_ms(), msg);
	kick();
}

static void
pump_cb(evutil_socket_t fd, short what, void *arg)
{
	const struct np_line *l;
	while (R.sink != NULL && (l = np_lineq_next(R.q)) != NULL && np_sink_ready(R.sink)) {
		struct np_alert a = {
		    .time_ms = l->time_ms,
		    .msgid = "-",
		    .severity = l->priority,
		    .since_s = -1,
		    .outage_seconds = -1,
		    .message = l->msg,
		    .plain = true,
		};
		char *why = NULL;
		if (np_sink_send(R.sink, &a, l->seq, &why) == 0) {
			np_lineq_sent(R.q);
			continue;
		}
		/* Ready, yet refused: this line cannot be rendered. It goes (counted) once the
		 * lines before it are through. */
		free(why);
		if (np_lineq_out(R.q) > 0)
			break;
		np_lineq_skip(R.q);
	}
}

static void
retry_cb(evutil_socket_t fd, short what, void *arg)
{
	pump_cb(-1, 0, NULL);
}

static void
on_delivered(void *arg, int64_t tag)
{
	np_lineq_delivered(R.q, tag);
	R.retry_ms = 0;
	if (R.failing) {
		R.failing = false;
		fprintf(stderr, "%snetpulsed: log target %s: reachable again\n",
		        log_stderr_prefix(LOG_NOTICE), R.key);
	}
	uint64_t dropped = np_lineq_take_dropped(R.q);
	if (dropped > 0) {
		char *m = np_xasprintf("%llu daemon log line(s) were dropped while %s could not "
		                       "take them (at most %d are kept)",
		                       (unsigned long long)dropped, R.key, LOGR_QUEUE_MAX);
		fprintf(stderr, "%snetpulsed: warning: %s\n", log_stderr_prefix(LOG_WARNING), m);
		np_lineq_push(R.q, LOG_WARNING, np_wall_ms(), m);
		free(m);
	}
	kick();
}

static void
on_failed(void *arg, const char *cause)
{
	np_lineq_rewind(R.q); /* every undelivered line is sent again */
	if (!R.failing) {
		R.failing = true;
		/* stderr only: the target cannot take it. */
		fprintf(stderr,
		        "%snetpulsed: log target %s: %s (lines are kept, up to %d, and sent when "
		        "it is back)\n",
		        log_stderr_prefix(LOG_WARNING), R.key,
		        cause != NULL ? cause : "send failed", LOGR_QUEUE_MAX);
	}
	R.retry_ms = R.retry_ms == 0 ? RETRY_MIN_MS : R.retry_ms * 2;
	if (R.retry_ms > RETRY_MAX_MS)
		R.retry_ms = RETRY_MAX_MS;
	struct timeval tv = {.tv_sec = R.retry_ms / 1000, .tv_usec = (R.retry_ms % 1000) * 1000};
	evtimer_add(R.retry, &tv);
}

static void
on_ready(void *arg)
{
	kick();
}

static void
drop_sink(void)
{
	np_sink_free(R.sink); /* no callback follows */
	R.sink = NULL;
	if (R.q != NULL)
		np_lineq_rewind(R.q);
	R.failing = false;
	R.retry_ms = 0;
	if (R.retry != NULL)
		evtimer_del(R.retry);
}

static int
make_sink(const struct np_alert_cfg *cfg, char **cause)
{
	struct np_sink_cb cb = {on_delivered, on_failed, on_ready, NULL};
	struct np_sink *s = np_sink_new(R.base, cfg, &cb, cause);
	if (s == NULL)
		return -1;
	drop_sink();
	R.sink = s;
	kick();
	return 0;
}

int
logr_configure(const struct np_alert_cfg *cfg, char **cause)
{
	if (cfg == NULL) {
		drop_sink();
		np_lineq_free(R.q);
		R.q = NULL;
		free(R.key);
		R.key = NULL;
		R.on = false;
		R.pending_cfg = NULL;
		return 0;
	}
	char *key = np_sink_cfg_key(cfg);
	if (key == NULL) {
		np_cause(cause, "daemon.log: %s is not a syslog target",
		         cfg->server != NULL ? cfg->server : "?");
		return -1;
	}
	if (R.q == NULL)
		R.q = np_lineq_new(LOGR_QUEUE_MAX);
	if (R.base != NULL && make_sink(cfg, cause) == -1) {
		free(key);
		if (!R.on) {
			np_lineq_free(R.q);
			R.q = NULL;
		}
		return -1;
	}
	free(R.key);
	R.key = key;
	R.on = true;
	R.pending_cfg = R.base == NULL ? cfg : NULL;
	return 0;
}

static void
on_guard(evutil_socket_t fd, short what, void *arg)
{
	*(bool *)arg = true;
}

/* Runs the loop (only our events are left) until everything queued was delivered, the sink
 * failed, or the time is up. */
static void
flush_at_exit(void)
{
	bool expired = false;
	struct event *guard = evtimer_new(R.base, on_guard, &expired);
	struct timeval tv = {.tv_sec = FLUSH_AT_EXIT_MS / 1000,
	                     .tv_usec = (FLUSH_AT_EXIT_MS % 1000) * 1000};
	evtimer_add(guard, &tv);
	evtimer_del(R.retry);
	R.failing = false;
	pump_cb(-1, 0, NULL);
	while (R.sink != NULL && np_lineq_count(R.q) > 0 && !expired &&
	       !evtimer_pending(R.retry, NULL))
		event_base_loop(R.base, EVLOOP_ONCE);
	event_free(guard);
}

void
logr_set_base(struct event_base *base)
{
	if (base == R.base)
		return;
	if (R.base != NULL) {
		if (R.sink != NULL)
			flush_at_exit();
		drop_sink();
		event_free(R.pump);
		event_free(R.retry);
		R.pump = R.retry = NULL;
	}
	R.base = base;
	if (base == NULL)
		return;
	R.pump = event_new(base, -1, 0, pump_cb, NULL);
	R.retry = evtimer_new(base, retry_cb, NULL);
	if (R.on && R.pending_cfg != NULL) {
		char *why = NULL;
		if (make_sink(R.pending_cfg, &why) == -1) {
			fprintf(stderr, "%snetpulsed: daemon.log %s: %s; logging to stderr only\n",
			        log_stderr_prefix(LOG_WARNING), R.key, why);
			free(why);
		}
		R.pending_cfg = NULL;
	}
}

void
logr_close(void)
{
	logr_set_base(NULL);
	logr_configure(NULL, NULL);
}
