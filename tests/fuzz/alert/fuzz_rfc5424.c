/*
 * Fuzzes the RFC 5424 formatter (and the RFC 3164 / flat renderings and the sentence).
 * Input: 24 bytes of numbers (time_ms, since_s, outage_seconds), then 1 byte facility,
 * 1 byte severity, 2 bytes max_len, 2 bytes bufsize, 4 bytes procid, 4 bytes enterprise,
 * then NUL-separated strings: msgid, device, interface, state, previous, source, message,
 * hostname, app_name. Every output is parsed back and must be a well-formed one-line
 * RFC 5424 message within max_len; anything else aborts.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/alert.h"
#include "alert/rfc3164.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "fuzz_rfc5424: check failed at line %d: %s\n", __LINE__,   \
			        #c);                                                               \
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

/* Independent UTF-8 check (not the library's): well-formed, shortest form, no surrogates. */
static size_t
utf8_char(const unsigned char *s, size_t n)
{
	if (s[0] < 0x80)
		return 1;
	size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;
	if (len == 0 || len > n || s[0] > 0xf4)
		return 0;
	uint32_t cp = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
	if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* A header field: 1..max PRINTUSASCII chars, then SP. Returns the position after the SP. */
static size_t
field(const char *m, size_t pos, size_t n, size_t max)
{
	size_t start = pos;
	while (pos < n && m[pos] != ' ') {
		CHECK((unsigned char)m[pos] >= 33 && (unsigned char)m[pos] <= 126);
		pos++;
	}
	CHECK(pos > start && pos - start <= max && pos < n);
	return pos + 1;
}

/* Parses m (n bytes) back as <PRI>1 TS HOST APP PROCID MSGID SD [SP MSG]. */
static void
check_rfc5424(const char *m, size_t n)
{
	CHECK(strlen(m) == n);
	CHECK(n > 0 && m[0] == '<');
	size_t pos = 1;
	int pri = 0;
	while (pos < n && m[pos] >= '0' && m[pos] <= '9' && pos < 4)
		pri = pri * 10 + (m[pos++] - '0');
	CHECK(pos > 1 && pri <= 191);
	CHECK(pos + 3 <= n && memcmp(m + pos, ">1 ", 3) == 0);
	pos += 3;
	pos = field(m, pos, n, 32);  /* TIMESTAMP: "-" or 27 chars */
	pos = field(m, pos, n, 255); /* HOSTNAME */
	pos = field(m, pos, n, 48);  /* APP-NAME */
	pos = field(m, pos, n, 128); /* PROCID */
	pos = field(m, pos, n, 32);  /* MSGID */

	/* One SD element; brackets balance outside escaped characters. */
	CHECK(pos < n && m[pos] == '[');
	CHECK(strncmp(m + pos, "[netpulse@", 10) == 0);
	pos += 10;
	while (pos < n && m[pos] >= '0' && m[pos] <= '9')
		pos++;
	for (;;) {
		CHECK(pos < n);
		if (m[pos] == ']')
			break;
		CHECK(m[pos] == ' ');
		pos++;
		size_t name = pos;
		while (pos < n && m[pos] != '=') {
			CHECK((m[pos] >= 'a' && m[pos] <= 'z') || m[pos] == '_');
			pos++;
		}
		CHECK(pos > name && pos + 1 < n && m[pos + 1] == '"');
		pos += 2;
		for (;;) {
			CHECK(pos < n);
			unsigned char c = (unsigned char)m[pos];
			if (c == '"')
				break;
			CHECK(c != ']' && c >= 0x20 && c != 0x7f);
			if (c == '\\') {
				CHECK(pos + 1 < n);
				CHECK(m[pos + 1] == '"' || m[pos + 1] == '\\' || m[pos + 1] == ']');
				pos += 2;
				continue;
			}
			size_t l = utf8_char((const unsigned char *)m + pos, n - pos);
			CHECK(l > 0);
			pos += l;
		}
		pos++;
	}
	pos++; /* ']' */
	if (pos == n)
		return;
	CHECK(m[pos] == ' ' && pos + 1 < n);
	pos++;
	/* MSG: UTF-8 without BOM, no control characters (so no raw newline). */
	CHECK(!(n - pos >= 3 && memcmp(m + pos, "\xef\xbb\xbf", 3) == 0));
	while (pos < n) {
		unsigned char c = (unsigned char)m[pos];
		CHECK(c >= 0x20 && c != 0x7f);
		size_t l = utf8_char((const unsigned char *)m + pos, n - pos);
		CHECK(l > 0);
		CHECK(!(l == 2 && c == 0xc2 && (unsigned char)m[pos + 1] < 0xa0));
		pos += l;
	}
}

static void
check_line(const char *m, int n, size_t max_len, size_t bufsize)
{
	if (n < 0)
		return;
	CHECK((size_t)n < bufsize && strlen(m) == (size_t)n);
	CHECK(max_len == 0 || (size_t)n <= max_len);
	CHECK(memchr(m, '\n', (size_t)n) == NULL && memchr(m, '\r', (size_t)n) == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data;
	size_t n = size;
	struct np_alert a;
	memset(&a, 0, sizeof(a));
	a.time_ms = (int64_t)take(&p, &n, 8);
	a.since_s = (int64_t)take(&p, &n, 8);
	a.outage_seconds = (int64_t)take(&p, &n, 8);
	struct np_syslog_header h;
	memset(&h, 0, sizeof(h));
	h.facility = (int)take(&p, &n, 1); /* covers valid (multiples of 8) and invalid ones */
	a.severity = (int)take(&p, &n, 1) - 8;
	size_t max_len = (size_t)take(&p, &n, 2);
	size_t bufsize = (size_t)take(&p, &n, 2) % 12000 + 1;
	h.procid = (long)(int32_t)take(&p, &n, 4);
	h.enterprise = (uint32_t)take(&p, &n, 4);

	/* The rest: NUL-separated strings (a copy, so each is terminated). */
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
	h.hostname = f[7];
	h.app_name = f[8];

	char *buf = malloc(bufsize); /* exact size: ASan sees any overflow */
	CHECK(buf != NULL);
	int len = np_rfc5424_format(&a, &h, max_len, buf, bufsize);
	check_line(buf, len, max_len, bufsize);
	if (len >= 0)
		check_rfc5424(buf, (size_t)len);
	else
		CHECK(buf[0] == '\0');

	len = np_rfc3164_format(&a, &h, max_len, buf, bufsize);
	check_line(buf, len, max_len, bufsize);
	len = np_alert_flat(&a, max_len, buf, bufsize);
	check_line(buf, len, max_len, bufsize);
	free(buf);

	char *s = np_alert_sentence(a.msgid, a.device, a.interface, a.source, a.outage_seconds);
	CHECK(s != NULL);
	free(s);
	free(rest);
	return 0;
}
