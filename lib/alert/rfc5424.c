/*
 * RFC 5424 rendering of an alert (DESIGN §8). Pure: no clock, no globals; the time comes from
 * the alert and is converted with gmtime_r.
 */
#include "alert/alert.h"

#include <limits.h>
#include <string.h>

#include "alert/textbuf.h"
#include "alert/fields.h"

/* RFC 5424 §6.2: field length limits. */
#define HOSTNAME_MAX 255
#define APPNAME_MAX 48
#define PROCID_MAX 128
#define MSGID_MAX 32

static void
put_header(struct np_textbuf *t, const struct np_alert *a, const struct np_syslog_header *h)
{
	char ts[40];
	np_textbuf_printf(t, "<%d>1 ", np_syslog_pri(h->facility, a->severity));
	np_textbuf_puts(t, np_time_rfc3339_us(a->time_ms, ts, sizeof(ts)) ? ts : "-");
	np_textbuf_put(t, " ", 1);
	np_textbuf_header_field(t, h->hostname, HOSTNAME_MAX);
	np_textbuf_put(t, " ", 1);
	np_textbuf_header_field(t, h->app_name, APPNAME_MAX);
	if (h->procid > 0)
		np_textbuf_printf(t, " %ld ", h->procid);
	else
		np_textbuf_put(t, " - ", 3);
	np_textbuf_header_field(t, a->msgid, MSGID_MAX);
	np_textbuf_put(t, " ", 1);
}

static void
put_param(struct np_textbuf *t, const char *name, const char *value, size_t cap)
{
	np_textbuf_printf(t, " %s=\"", name);
	np_textbuf_sd_value(t, value, cap);
	np_textbuf_put(t, "\"", 1);
}

/* cap limits every string value (bytes of input), so huge device names still fit max_len. */
static void
put_sd(struct np_textbuf *t, const struct np_alert *a, const struct np_syslog_header *h, size_t cap)
{
	char since[32] = "";
	if (a->since_s >= 0 && !np_time_rfc3339_s(a->since_s, since, sizeof(since)))
		since[0] = '\0';
	if (a->plain) {
		np_textbuf_put(t, "-", 1);
		return;
	}
	np_textbuf_printf(t, "[netpulse@%u", (unsigned)h->enterprise);
	if (a->id > 0)
		np_textbuf_printf(t, " id=\"%lld\"", (long long)a->id);
	put_param(t, "device", a->device, cap);
	put_param(t, "interface", a->interface, cap);
	put_param(t, "state", a->state, cap);
	put_param(t, "previous", a->previous, cap);
	put_param(t, "since", since, cap);
	put_param(t, "source", a->source, cap);
	if (a->outage_seconds >= 0)
		np_textbuf_printf(t, " outage_seconds=\"%lld\"", (long long)a->outage_seconds);
	np_textbuf_put(t, "]", 1);
	if (a->details == NULL)
		return;
	np_textbuf_printf(t, "[links@%u", (unsigned)h->enterprise);
	np_alert_details_params(t, a->details, cap);
	np_textbuf_put(t, "]", 1);
}

int
np_rfc5424_format(const struct np_alert *a, const struct np_syslog_header *h, size_t max_len,
                  char *buf, size_t bufsize)
{
	if (buf == NULL || bufsize == 0)
		return -1;
	size_t lim = bufsize - 1;
	if (max_len > 0 && max_len < lim)
		lim = max_len;
	if (lim > INT_MAX)
		lim = INT_MAX;

	/*
	 * Header and SD must fit whole; when they do not, SD values are cut (halving a common
	 * cap) rather than failing, so one absurd device name cannot block an alert forever.
	 */
	size_t cap = SIZE_MAX;
	for (;;) {
		struct np_textbuf t;
		np_textbuf_init(&t, buf, lim);
		put_header(&t, a, h);
		put_sd(&t, a, h, cap);
		if (!t.full) {
			if (a->message != NULL && a->message[0] != '\0' && t.len + 1 < t.lim) {
				np_textbuf_put(&t, " ", 1);
				if (np_textbuf_text(&t, a->message) == 0)
					t.len--; /* nothing fit: no trailing SP */
			}
			np_textbuf_end(&t);
			return (int)t.len;
		}
		if (cap == 0)
			break;
		cap = cap == SIZE_MAX ? np_alert_longest_value(a) / 2 : cap / 2;
	}
	buf[0] = '\0';
	return -1;
}
