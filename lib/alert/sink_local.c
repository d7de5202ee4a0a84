/*
 * Local syslog(3). syslog(3) is process-global state owned by libc: the sink calls openlog
 * with ident "netpulse" and never closelog (the daemon's own log may share the connection).
 */
#include <stdlib.h>
#include <syslog.h>

#include "alert/fields.h"
#include "alert/rfc3164.h"
#include "alert/sink_impl.h"
#include "util/cause.h"
#include "util/xmalloc.h"

static int
local_open(struct np_sink *s, char **cause)
{
	openlog("netpulse", LOG_PID, s->hdr.facility);
	s->impl = np_xmalloc(s->max_len + 1);
	return 0;
}

static void
local_close(struct np_sink *s)
{
	free(s->impl);
}

static int
local_send(struct np_sink *s, const struct np_alert *a, char **cause)
{
	char *buf = s->impl;
	if (np_alert_flat(a, s->max_len, buf, s->max_len + 1) < 0) {
		np_cause(cause, "alert does not fit in %zu bytes", s->max_len);
		return -1;
	}
	/* Same mapping of odd values as the network formats (np_syslog_pri). */
	syslog(np_syslog_pri(s->hdr.facility, a->severity), "%s", buf);
	np_sink_finish(s, 0, NULL);
	return 0;
}

const struct sink_ops np_sink_local_ops = {
    .open = local_open,
    .close = local_close,
    .send = local_send,
};
