/*
 * The report message (RFC 5322 + MIME, RFC 2045/2046/2047). Pure: every varying part (date,
 * unique token) is an input, so tests assert the exact bytes.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "io/smtp.h"
#include "util/cause.h"
#include "util/xmalloc.h"

struct out {
	char *s;
	size_t len, cap;
};

static void
put(struct out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		o->cap = (o->len + n + 1) * 2;
		o->s = np_xreallocarray(o->s, o->cap, 1);
	}
	memcpy(o->s + o->len, s, n);
	o->len += n;
	o->s[o->len] = '\0';
}

static void
puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Plain base64 (no line breaks) appended to o. */
static void
put_b64(struct out *o, const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < len)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		char q[4] = {b64[(v >> 18) & 63], b64[(v >> 12) & 63],
		             i + 1 < len ? b64[(v >> 6) & 63] : '=',
		             i + 2 < len ? b64[v & 63] : '='};
		put(o, q, 4);
	}
}

char *
np_mail_base64(const void *buf, size_t len, size_t *outlen)
{
	struct out o = {0};
	const unsigned char *p = buf;
	put(&o, "", 0);
	/* 57 input bytes make one 76-character line (RFC 2045 §6.8). */
	for (size_t i = 0; i < len; i += 57) {
		put_b64(&o, p + i, len - i < 57 ? len - i : 57);
		put(&o, "\r\n", 2);
	}
	if (outlen != NULL)
		*outlen = o.len;
	return o.s;
}

int
np_mail_addr_check(const char *addr, char **cause)
{
	const char *at = addr != NULL ? strrchr(addr, '@') : NULL;
	if (addr == NULL || *addr == '\0') {
		np_cause(cause, "empty mail address");
		return -1;
	}
	for (const char *p = addr; *p != '\0'; p++) {
		/* Control characters would end the header or the SMTP command; <> and , and spaces
		 * would change what the header means. */
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || strchr("<>,;\"()[]\\", *p) != NULL) {
			np_cause(cause,
			         "bad mail address \"%s\": only a plain address like "
			         "name@example.net is accepted",
			         addr);
			return -1;
		}
	}
	if (at == NULL || at == addr || at[1] == '\0') {
		np_cause(cause, "bad mail address \"%s\": expected name@domain", addr);
		return -1;
	}
	return 0;
}

static bool
ascii_only(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

static bool
header_safe(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '\r' || *s == '\n')
			return false;
	return true;
}

/* The body with every line end as CRLF (a lone CR too), ending in CRLF. */
static char *
crlf_text(const char *s, size_t *len, size_t *longest)
{
	struct out o = {0};
	size_t line = 0;
	put(&o, "", 0);
	*longest = 0;
	for (; *s != '\0'; s++) {
		if (*s == '\r' || *s == '\n') {
			if (*s == '\r' && s[1] == '\n')
				s++;
			put(&o, "\r\n", 2);
			line = 0;
			continue;
		}
		put(&o, s, 1);
		if (++line > *longest)
			*longest = line;
	}
	if (o.len > 0 && line > 0)
		put(&o, "\r\n", 2);
	*len = o.len;
	return o.s;
}

static void
put_date(struct out *o, int64_t t)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[64];
	gmtime_r(&tt, &tm);
	snprintf(buf, sizeof(buf), "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
	         days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour,
	         tm.tm_min, tm.tm_sec);
	puts_(o, buf);
}

static void
put_subject(struct out *o, const char *subject)
{
	puts_(o, "Subject: ");
	if (ascii_only(subject, strlen(subject))) {
		puts_(o, subject);
	} else {
		/* RFC 2047 encoded words of at most 75 characters: 45 bytes of input each, cut on
		 * UTF-8 character boundaries. */
		const unsigned char *p = (const unsigned char *)subject;
		size_t len = strlen(subject), i = 0;
		while (i < len) {
			size_t n = len - i < 45 ? len - i : 45;
			while (i + n < len && (p[i + n] & 0xc0) == 0x80)
				n--;
			if (i > 0)
				puts_(o, "\r\n ");
			puts_(o, "=?UTF-8?B?");
			put_b64(o, p + i, n);
			puts_(o, "?=");
			i += n;
		}
	}
	puts_(o, "\r\n");
}

static bool
alnum_only(const char *s)
{
	if (s == NULL || *s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= 'A' && *s <= 'Z')))
			return false;
	return true;
}

static int
check(const struct np_mail *m, char **cause)
{
	if (np_mail_addr_check(m->from, cause) == -1)
		return -1;
	if (m->nto == 0) {
		np_cause(cause, "no recipient");
		return -1;
	}
	for (size_t i = 0; i < m->nto; i++)
		if (np_mail_addr_check(m->to[i], cause) == -1)
			return -1;
	if (m->subject == NULL || !header_safe(m->subject)) {
		np_cause(cause, "bad mail subject (a line break)");
		return -1;
	}
	if (m->att_name != NULL &&
	    (!header_safe(m->att_name) || strpbrk(m->att_name, "\"\\") != NULL ||
	     m->att_type == NULL || !header_safe(m->att_type) || strchr(m->att_type, '"'))) {
		np_cause(cause, "bad attachment name or type");
		return -1;
	}
	if (!alnum_only(m->unique)) {
		np_cause(cause, "bad unique token for the message");
		return -1;
	}
	return 0;
}

char *
np_mail_build(const struct np_mail *m, size_t *len, char **cause)
{
	if (check(m, cause) == -1)
		return NULL;
	struct out o = {0};
	char *bnd = np_xasprintf("=_np_%s", m->unique);
	put_date(&o, m->date);
	puts_(&o, "From: ");
	puts_(&o, m->from);
	puts_(&o, "\r\nTo: ");
	for (size_t i = 0; i < m->nto; i++) {
		if (i > 0)
			puts_(&o, ",\r\n ");
		puts_(&o, m->to[i]);
	}
	puts_(&o, "\r\nMessage-ID: <");
	puts_(&o, m->unique);
	puts_(&o, strrchr(m->from, '@'));
	puts_(&o, ">\r\n");
	put_subject(&o, m->subject);
	puts_(&o, "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"");
	puts_(&o, bnd);
	puts_(&o, "\"\r\n\r\nThis is a MIME message.\r\n\r\n--");
	puts_(&o, bnd);
	puts_(&o, "\r\nContent-Type: text/plain; charset=utf-8\r\n");

	size_t blen, longest;
	char *body = crlf_text(m->body != NULL ? m->body : "", &blen, &longest);
	/* Plain text stays readable in the raw message; anything an SMTP hop might alter
	 * (8-bit bytes without 8BITMIME, lines over 998 octets) travels base64. */
	if (ascii_only(body, blen) && longest <= 998) {
		puts_(&o, "Content-Transfer-Encoding: 7bit\r\n\r\n");
		put(&o, body, blen);
	} else {
		size_t n;
		char *enc = np_mail_base64(body, blen, &n);
		puts_(&o, "Content-Transfer-Encoding: base64\r\n\r\n");
		put(&o, enc, n);
		free(enc);
	}
	free(body);

	if (m->att_name != NULL) {
		size_t n;
		char *enc = np_mail_base64(m->att, m->att_len, &n);
		puts_(&o, "\r\n--");
		puts_(&o, bnd);
		char *h = np_xasprintf("\r\nContent-Type: %s; name=\"%s\"\r\n"
		                       "Content-Transfer-Encoding: base64\r\n"
		                       "Content-Disposition: attachment; filename=\"%s\"\r\n\r\n",
		                       m->att_type, m->att_name, m->att_name);
		puts_(&o, h);
		free(h);
		put(&o, enc, n);
		free(enc);
	}
	puts_(&o, "\r\n--");
	puts_(&o, bnd);
	puts_(&o, "--\r\n");
	free(bnd);
	*len = o.len;
	return o.s;
}

void
np_mail_unique(char out[48])
{
	unsigned char r[8] = {0};
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd != -1) {
		if (read(fd, r, sizeof(r)) != (ssize_t)sizeof(r))
			memset(r, 0, sizeof(r));
		close(fd);
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(out, 48, "%llx%lx%x%02x%02x%02x%02x%02x%02x%02x%02x",
	         (unsigned long long)ts.tv_sec, (long)ts.tv_nsec, (unsigned)getpid(), r[0], r[1],
	         r[2], r[3], r[4], r[5], r[6], r[7]);
}
