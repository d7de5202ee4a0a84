/* The JSON form of an alert (alert_json.h), built with jansson. */
#include "alert/alert_json.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "alert/fields.h"
#include "alert/textbuf.h"
#include "util/xmalloc.h"

const char *
np_severity_name(int severity)
{
	static const char *const names[] = {
	    [LOG_EMERG] = "emerg", [LOG_ALERT] = "alert",     [LOG_CRIT] = "crit",
	    [LOG_ERR] = "err",     [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
	    [LOG_INFO] = "info",   [LOG_DEBUG] = "debug",
	};
	if (severity < LOG_EMERG || severity > LOG_DEBUG)
		return "warning";
	return names[severity];
}

static json_t *
oom(json_t *v)
{
	if (v == NULL)
		abort(); /* out of memory, as np_xmalloc */
	return v;
}

/* s as a JSON string: ill-formed UTF-8 bytes become U+FFFD; NULL -> null. */
static json_t *
str(const char *s)
{
	if (s == NULL)
		return json_null();
	size_t n = strlen(s), bad = 0;
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		size_t l = np_utf8_len(p + i, n - i);
		bad += l == 0;
		i += l == 0 ? 1 : l;
	}
	if (bad == 0)
		return oom(json_stringn_nocheck(s, n));
	char *out = np_xmalloc(n + 2 * bad + 1), *o = out;
	for (size_t i = 0; i < n;) {
		size_t l = np_utf8_len(p + i, n - i);
		if (l == 0) {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		} else {
			memcpy(o, s + i, l);
			o += l;
			i += l;
		}
	}
	json_t *v = oom(json_stringn_nocheck(out, (size_t)(o - out)));
	free(out);
	return v;
}

static void
set(json_t *o, const char *key, json_t *v)
{
	if (json_object_set_new_nocheck(o, key, oom(v)) == -1)
		abort();
}

static json_t *
details(const char *text)
{
	json_t *d = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	if (d != NULL && json_is_array(d))
		return d;
	json_decref(d);
	return str(text);
}

char *
np_alert_json(const struct np_alert *a, const char *host)
{
	json_t *o = oom(json_object());
	char ts[40];
	set(o, "id", a->id > 0 ? json_integer(a->id) : json_null());
	set(o, "time", np_time_rfc3339_us(a->time_ms, ts, sizeof(ts)) ? str(ts) : json_null());
	set(o, "msgid", str(a->msgid));
	set(o, "severity", str(np_severity_name(a->severity)));
	set(o, "device", str(a->device));
	set(o, "interface", str(a->interface));
	set(o, "state", str(a->state));
	set(o, "previous", str(a->previous));
	set(o, "since",
	    a->since_s >= 0 && np_time_rfc3339_s(a->since_s, ts, sizeof(ts)) ? str(ts)
	                                                                     : json_null());
	set(o, "source", str(a->source));
	set(o, "outage_seconds",
	    a->outage_seconds >= 0 ? json_integer(a->outage_seconds) : json_null());
	set(o, "message", str(a->message));
	set(o, "host", str(host != NULL && host[0] != '\0' ? host : NULL));
	if (a->details != NULL)
		set(o, "details", details(a->details));
	char *s = json_dumps(o, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(o);
	if (s == NULL)
		abort();
	/* jansson allocates with malloc (no custom allocator is set): free() is right. */
	return s;
}
