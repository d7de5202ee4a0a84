#include "alert/rfc3164.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "alert/fields.h"
#include "alert/textbuf.h"
#include "util/xmalloc.h"

static void
put_param(struct np_textbuf *t, const char *name, const char *value, size_t cap, bool first)
{
	np_textbuf_printf(t, "%s%s=\"", first ? "" : " ", name);
	np_textbuf_sd_value(t, value, cap);
	np_textbuf_put(t, "\"", 1);
}

static void
put_bracket(struct np_textbuf *t, const struct np_alert *a, size_t cap)
{
	char since[32] = "";
	if (a->since_s >= 0 && !np_time_rfc3339_s(a->since_s, since, sizeof(since)))
		since[0] = '\0';
	np_textbuf_put(t, "[", 1);
	if (a->id > 0)
		np_textbuf_printf(t, "id=\"%lld\" ", (long long)a->id);
	put_param(t, "device", a->device, cap, true);
	put_param(t, "interface", a->interface, cap, false);
	put_param(t, "state", a->state, cap, false);
	put_param(t, "previous", a->previous, cap, false);
	put_param(t, "since", since, cap, false);
	put_param(t, "source", a->source, cap, false);
	if (a->outage_seconds >= 0)
		np_textbuf_printf(t, " outage_seconds=\"%lld\"", (long long)a->outage_seconds);
	if (a->details != NULL)
		np_alert_details_params(t, a->details, cap);
	np_textbuf_put(t, "]", 1);
}

/* Appends the flat text to t; false if the prefix and bracket part cannot fit. */
static bool
put_flat(struct np_textbuf *t, const struct np_alert *a)
{
	size_t room = t->lim - t->len;
	char *scratch = np_xmalloc(room + 1);
	struct np_textbuf b;
	size_t cap = SIZE_MAX;
	for (;;) {
		np_textbuf_init(&b, scratch, room);
		np_textbuf_header_field(&b, a->msgid, 32);
		np_textbuf_put(&b, ": ", 2);
		size_t prefix = b.len;
		put_bracket(&b, a, cap);
		if (!b.full) {
			/* prefix, then as much message as fits before " [bracket]". */
			size_t bracket = b.len - prefix;
			np_textbuf_put(t, scratch, prefix);
			if (!t->full && t->lim - t->len > bracket + 1) {
				struct np_textbuf m = *t;
				m.lim = t->lim - bracket - 1;
				if (np_textbuf_text(&m, a->message) > 0) {
					t->len = m.len;
					np_textbuf_put(t, " ", 1);
				}
			}
			np_textbuf_put(t, scratch + prefix, bracket);
			break;
		}
		if (cap == 0)
			break;
		cap = cap == SIZE_MAX ? np_alert_longest_value(a) / 2 : cap / 2;
	}
	free(scratch);
	return !b.full && !t->full;
}

static size_t
limit(size_t max_len, size_t bufsize)
{
	size_t lim = bufsize - 1;
	if (max_len > 0 && max_len < lim)
		lim = max_len;
	return lim > INT_MAX ? INT_MAX : lim;
}

int
np_alert_flat(const struct np_alert *a, size_t max_len, char *buf, size_t bufsize)
{
	if (buf == NULL || bufsize == 0)
		return -1;
	struct np_textbuf t;
	np_textbuf_init(&t, buf, limit(max_len, bufsize));
	if (!put_flat(&t, a)) {
		buf[0] = '\0';
		return -1;
	}
	np_textbuf_end(&t);
	return (int)t.len;
}

/* local: the local logger's form (local time, no HOSTNAME). */
static int
format(const struct np_alert *a, const struct np_syslog_header *h, bool local, size_t max_len,
       char *buf, size_t bufsize)
{
	if (buf == NULL || bufsize == 0)
		return -1;
	struct np_textbuf t;
	np_textbuf_init(&t, buf, limit(max_len, bufsize));
	char ts[32], tag[33];
	size_t n = 0;
	for (const char *p = h->app_name; p != NULL && *p != '\0' && n < 32; p++)
		if (isascii((unsigned char)*p) && isalnum((unsigned char)*p))
			tag[n++] = *p;
	tag[n] = '\0';
	np_textbuf_printf(&t, "<%d>", np_syslog_pri(h->facility, a->severity));
	/* RFC 3164 §4.3.2: a relay inserts a timestamp if it is missing; leave it to it. */
	if (np_time_rfc3164(a->time_ms, ts, sizeof(ts))) {
		np_textbuf_puts(&t, ts);
		np_textbuf_put(&t, " ", 1);
	}
	if (!local) {
		np_textbuf_header_field(&t, h->hostname, 255);
		np_textbuf_put(&t, " ", 1);
	}
	np_textbuf_puts(&t, n > 0 ? tag : "netpulse");
	if (h->procid > 0)
		np_textbuf_printf(&t, "[%ld]", h->procid);
	np_textbuf_put(&t, ": ", 2);
	if (t.full || !put_flat(&t, a)) {
		buf[0] = '\0';
		return -1;
	}
	np_textbuf_end(&t);
	return (int)t.len;
}

int
np_rfc3164_format(const struct np_alert *a, const struct np_syslog_header *h, size_t max_len,
                  char *buf, size_t bufsize)
{
	return format(a, h, false, max_len, buf, bufsize);
}

int
np_rfc3164_local_format(const struct np_alert *a, const struct np_syslog_header *h, size_t max_len,
                        char *buf, size_t bufsize)
{
	return format(a, h, true, max_len, buf, bufsize);
}
