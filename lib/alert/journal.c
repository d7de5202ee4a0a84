/* systemd-journald native protocol rendering of an alert (journal.h). Pure: no I/O. */
#include "alert/journal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/fields.h"
#include "util/xmalloc.h"

struct jbuf {
	char *p;
	size_t len, cap;
};

static void
put(struct jbuf *b, const void *s, size_t n)
{
	if (b->len + n > b->cap) {
		while (b->len + n > b->cap)
			b->cap = b->cap ? b->cap * 2 : 512;
		b->p = np_xreallocarray(b->p, b->cap, 1);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

/* One field; NULL values are left out. A value with a newline takes the length-prefixed form. */
static void
field(struct jbuf *b, const char *name, const char *value)
{
	if (value == NULL)
		return;
	size_t n = strlen(value);
	put(b, name, strlen(name));
	if (memchr(value, '\n', n) == NULL) {
		put(b, "=", 1);
	} else {
		unsigned char le[8];
		for (int i = 0; i < 8; i++)
			le[i] = (unsigned char)((uint64_t)n >> (8 * i));
		put(b, "\n", 1);
		put(b, le, sizeof(le));
	}
	put(b, value, n);
	put(b, "\n", 1);
}

static void
field_int(struct jbuf *b, const char *name, long long v)
{
	char num[24];
	snprintf(num, sizeof(num), "%lld", v);
	field(b, name, num);
}

char *
np_journal_format(const struct np_alert *a, int facility, size_t *len)
{
	struct jbuf b = {0};
	char ts[40];
	field(&b, "MESSAGE", a->message != NULL ? a->message : "");
	/* The PRI's two halves, as np_syslog_pri sanitised them. */
	int pri = np_syslog_pri(facility, a->severity);
	field_int(&b, "PRIORITY", pri & 7);
	field_int(&b, "SYSLOG_FACILITY", pri >> 3);
	field(&b, "SYSLOG_IDENTIFIER", "netpulse");
	field(&b, "NETPULSE_MSGID", a->msgid);
	if (a->id > 0)
		field_int(&b, "NETPULSE_ALERT_ID", (long long)a->id);
	field(&b, "NETPULSE_DEVICE", a->device);
	field(&b, "NETPULSE_INTERFACE", a->interface);
	field(&b, "NETPULSE_STATE", a->state);
	field(&b, "NETPULSE_PREVIOUS", a->previous);
	field(&b, "NETPULSE_SOURCE", a->source);
	if (a->since_s >= 0 && np_time_rfc3339_s(a->since_s, ts, sizeof(ts)))
		field(&b, "NETPULSE_SINCE", ts);
	if (a->outage_seconds >= 0)
		field_int(&b, "NETPULSE_OUTAGE_SECONDS", (long long)a->outage_seconds);
	if (np_time_rfc3339_us(a->time_ms, ts, sizeof(ts)))
		field(&b, "NETPULSE_TIME", ts);
	field(&b, "NETPULSE_DETAILS", a->details);
	*len = b.len;
	return b.p;
}
