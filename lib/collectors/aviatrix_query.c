#include "collectors/aviatrix_query.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/civil.h"
#include "util/str.h"
#include "util/xmalloc.h"

#define INTERNAL                                                                                   \
	"(\"10.0.0.0/8\" OR \"172.16.0.0/12\" OR \"192.168.0.0/16\" OR \"100.64.0.0/10\" OR "      \
	"\"fc00::/7\")"

void
np_aviatrix_time(int64_t ms, char *out, size_t size)
{
	int64_t s = np_civil_fdiv(ms, 1000);
	struct np_civil c;
	np_civil_from_secs(s, &c);
	snprintf(out, size, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", (long long)c.year, c.mon,
	         c.day, c.hour, c.min, c.sec, (int)(ms - s * 1000));
}

char *
np_aviatrix_lucene_quote(const char *v)
{
	char *out = np_xmalloc(strlen(v) * 2 + 3), *q = out;
	*q++ = '"';
	for (; *v != '\0'; v++) {
		if (*v == '"' || *v == '\\')
			*q++ = '\\';
		*q++ = *v;
	}
	*q++ = '"';
	*q = '\0';
	return out;
}

char *
np_aviatrix_spokes_term(const char *const *names, size_t n)
{
	size_t cap = 32;
	for (size_t i = 0; i < n; i++)
		cap += strlen(names[i]) * 2 + 6;
	char *out = np_xmalloc(cap);
	size_t len = (size_t)snprintf(out, cap, "netflow.gw_name:(");
	for (size_t i = 0; i < n; i++) {
		char *q = np_aviatrix_lucene_quote(names[i]);
		len += (size_t)snprintf(out + len, cap - len, "%s%s", i > 0 ? " OR " : "", q);
		free(q);
	}
	snprintf(out + len, cap - len, ")");
	return out;
}

char *
np_aviatrix_talker_query(enum np_aviatrix_dir dir, const char *spokes_term)
{
	if (dir == NP_AVIATRIX_OUT)
		return np_xasprintf("(netflow.src_addr:" INTERNAL
		                    " AND NOT netflow.dst_addr:" INTERNAL ") AND %s",
		                    spokes_term);
	return np_xasprintf("(NOT netflow.src_addr:" INTERNAL " AND netflow.dst_addr:" INTERNAL
	                    ") AND %s",
	                    spokes_term);
}

char *
np_aviatrix_field_agg_url(const char *base, const char *field, const char *query, int64_t start_ms,
                          int64_t end_ms, int size)
{
	char gte[40], lte[40];
	np_aviatrix_time(start_ms, gte, sizeof(gte));
	np_aviatrix_time(end_ms - 1, lte, sizeof(lte));
	char *f = np_url_encode(field), *q = np_url_encode(query), *a = np_url_encode(gte),
	     *b = np_url_encode(lte);
	char *url = np_xasprintf("%s/api/flowiq/field_agg?field=%s&metric=bytes&query_string=%s"
	                         "&date_range%%5Btime_zone%%5D=%%2B00%%3A00"
	                         "&date_range%%5Bgte%%5D=%s&date_range%%5Blte%%5D=%s"
	                         "&interval=1d&size=%d",
	                         base, f, q, a, b, size);
	free(f);
	free(q);
	free(a);
	free(b);
	return url;
}

/* Whole seconds, as the API's examples (".000Z"). */
static void
time_s(int64_t ms, char *out, size_t size)
{
	np_aviatrix_time(np_civil_fdiv(ms, 1000) * 1000, out, size);
}

char *
np_aviatrix_perf_body(const char *gw, int64_t start_ms, int64_t end_ms)
{
	char a[40], b[40];
	time_s(start_ms, a, sizeof(a));
	time_s(end_ms, b, sizeof(b));
	json_t *o = json_pack("{s:s, s:[], s:[s,s], s:s, s:s, s:b, s:b}", "gatewayName", gw,
	                      "systemMetrics", "interfaceMetrics", "rx_bytes", "tx_bytes", "start",
	                      a, "end", b, "perInterfaceStats", 1, "samples", 1);
	json_t *arr = json_array();
	json_array_append_new(arr, o);
	char *s = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(arr);
	if (s == NULL)
		abort(); /* out of memory, as np_xmalloc */
	char *out = np_xstrdup(s);
	free(s);
	return out;
}

/* Appends s as a JSON string (quotes, backslashes and control bytes escaped; other bytes as
 * they are). */
static size_t
json_str(char *out, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	out[n++] = '"';
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			out[n++] = '\\';
			out[n++] = (char)c;
		} else if (c < 0x20) {
			memcpy(out + n, "\\u00", 4);
			n += 4;
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		} else {
			out[n++] = (char)c;
		}
	}
	out[n++] = '"';
	return n;
}

char *
np_aviatrix_login_body(const char *user, const char *pass)
{
	/* By hand, not with jansson: every copy of the password is ours to wipe. */
	char *out = np_xmalloc((strlen(user) + strlen(pass)) * 6 + 64);
	size_t n = 0;
	memcpy(out + n, "{\"username\": ", 13);
	n += 13;
	n += json_str(out + n, user);
	memcpy(out + n, ", \"password\": ", 14);
	n += 14;
	n += json_str(out + n, pass);
	out[n++] = '}';
	out[n] = '\0';
	return out;
}
