/*
 * Fuzzes the JSON form of an alert. Input: 8 bytes id, 8 bytes time_ms, 8 bytes since_s,
 * 8 bytes outage_seconds, 1 byte severity, 1 byte flags (bit 0: details present), then
 * NUL-separated strings: msgid, device, interface, state, previous, source, message, host,
 * details. Every output must be one line of JSON that jansson parses back as an object whose
 * strings equal the inputs wherever those were well-formed UTF-8; anything else aborts.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/alert.h"
#include "alert/alert_json.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "fuzz_alert_json: check failed at line %d: %s\n",          \
			        __LINE__, #c);                                                     \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static uint64_t
take(const uint8_t **p, size_t *n, size_t width)
{
	uint64_t v = 0;
	for (size_t i = 0; i < width; i++) {
		v = v << 8;
		if (*n > 0) {
			v |= **p;
			(*p)++;
			(*n)--;
		}
	}
	return v;
}

/* The value must equal s if s is valid UTF-8 (jansson's own check), else be a string. */
static void
check_str(json_t *o, const char *key, const char *s)
{
	json_t *v = json_object_get(o, key);
	CHECK(v != NULL);
	if (s == NULL) {
		CHECK(json_is_null(v));
		return;
	}
	CHECK(json_is_string(v));
	json_t *probe = json_string(s);
	if (probe != NULL)
		CHECK(strcmp(json_string_value(v), s) == 0);
	json_decref(probe);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data;
	size_t n = size;
	struct np_alert a;
	memset(&a, 0, sizeof(a));
	a.id = (int64_t)take(&p, &n, 8);
	a.time_ms = (int64_t)take(&p, &n, 8);
	a.since_s = (int64_t)take(&p, &n, 8);
	a.outage_seconds = (int64_t)take(&p, &n, 8);
	a.severity = (int)take(&p, &n, 1) - 8;
	int flags = (int)take(&p, &n, 1);

	char *rest = malloc(n + 1);
	CHECK(rest != NULL);
	memcpy(rest, p, n);
	rest[n] = '\0';
	const char *f[9] = {0};
	size_t nf = 0, off = 0;
	while (nf < 9 && off <= n) {
		f[nf++] = rest + off;
		off += strlen(rest + off) + 1;
	}
	a.msgid = f[0];
	a.device = f[1];
	a.interface = f[2];
	a.state = f[3];
	a.previous = f[4];
	a.source = f[5];
	a.message = f[6];
	if (flags & 1)
		a.details = f[8] != NULL ? f[8] : "";

	char *s = np_alert_json(&a, f[7]);
	CHECK(s != NULL && strchr(s, '\n') == NULL);
	json_error_t err;
	json_t *o = json_loads(s, JSON_REJECT_DUPLICATES, &err);
	CHECK(o != NULL && json_is_object(o));
	check_str(o, "msgid", a.msgid);
	check_str(o, "device", a.device);
	check_str(o, "interface", a.interface);
	check_str(o, "state", a.state);
	check_str(o, "previous", a.previous);
	check_str(o, "source", a.source);
	check_str(o, "message", a.message);
	json_t *id = json_object_get(o, "id");
	CHECK(a.id > 0 ? json_integer_value(id) == a.id : json_is_null(id));
	json_t *out = json_object_get(o, "outage_seconds");
	CHECK(a.outage_seconds >= 0 ? json_integer_value(out) == a.outage_seconds
	                            : json_is_null(out));
	CHECK((a.details != NULL) == (json_object_get(o, "details") != NULL));
	json_decref(o);
	free(s);
	free(rest);
	return 0;
}
