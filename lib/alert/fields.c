#include "alert/fields.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <jansson.h>
#include <stdlib.h>

#include "alert/textbuf.h"
#include "util/xmalloc.h"

int
np_syslog_pri(int facility, int severity)
{
	int fac = facility >> 3;
	if (facility < 0 || (facility & 7) != 0 || fac > 23)
		fac = LOG_USER >> 3;
	if (severity < 0 || severity > 7)
		severity = LOG_WARNING;
	return fac * 8 + severity;
}

/* gmtime_r (no shared state) restricted to the 4-digit years RFC 3339 can print. */
static bool
utc(int64_t secs, struct tm *tm)
{
	time_t t = (time_t)secs;
	if ((int64_t)t != secs || gmtime_r(&t, tm) == NULL)
		return false;
	return tm->tm_year >= -1900 && tm->tm_year <= 9999 - 1900;
}

static void
split_ms(int64_t time_ms, int64_t *secs, int *ms)
{
	/* Floor division, so times before 1970 keep a positive fraction. */
	*secs = time_ms / 1000;
	*ms = (int)(time_ms % 1000);
	if (*ms < 0) {
		*ms += 1000;
		(*secs)--;
	}
}

bool
np_time_rfc3339_us(int64_t time_ms, char *buf, size_t size)
{
	int64_t secs;
	int ms;
	struct tm tm;
	split_ms(time_ms, &secs, &ms);
	if (!utc(secs, &tm))
		return false;
	int n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03d000Z", tm.tm_year + 1900,
	                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
	return n > 0 && (size_t)n < size;
}

bool
np_time_rfc3339_s(int64_t time_s, char *buf, size_t size)
{
	struct tm tm;
	if (!utc(time_s, &tm))
		return false;
	int n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
	                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return n > 0 && (size_t)n < size;
}

bool
np_time_rfc3164(int64_t time_ms, char *buf, size_t size)
{
	static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	int64_t secs;
	int ms;
	struct tm tm;
	split_ms(time_ms, &secs, &ms);
	time_t t = (time_t)secs;
	if ((int64_t)t != secs || localtime_r(&t, &tm) == NULL || tm.tm_mon < 0 || tm.tm_mon > 11)
		return false;
	int n = snprintf(buf, size, "%s %2d %02d:%02d:%02d", months[tm.tm_mon], tm.tm_mday,
	                 tm.tm_hour, tm.tm_min, tm.tm_sec);
	return n > 0 && (size_t)n < size;
}

size_t
np_alert_longest_value(const struct np_alert *a)
{
	const char *v[] = {a->device, a->interface, a->state, a->previous, a->source};
	size_t max = 0;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (v[i] != NULL && strlen(v[i]) > max)
			max = strlen(v[i]);
	return max;
}

#define DETAILS_RESERVE 256

static const char *
member(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v != NULL ? v : "";
}

void
np_alert_details_params(struct np_textbuf *t, const char *details, size_t cap)
{
	json_t *arr = json_loads(details, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_array(arr)) {
		json_decref(arr);
		return;
	}
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o)
	{
		if (!json_is_object(o))
			continue;
		/* Room is kept for the rest of the message: the links that do not fit are counted.
		 */
		if (t->len + DETAILS_RESERVE >= t->lim) {
			np_textbuf_printf(t, " links_omitted=\"%zu\"", json_array_size(arr) - i);
			break;
		}
		char *v = np_xasprintf("%s|%s|%s|%s", member(o, "device"), member(o, "interface"),
		                       member(o, "state"), member(o, "previous"));
		np_textbuf_put(t, " link=\"", 7);
		np_textbuf_sd_value(t, v, cap);
		np_textbuf_put(t, "\"", 1);
		free(v);
	}
	json_decref(arr);
}
