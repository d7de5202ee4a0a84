/*
 * Pure parsers of the two response headers the HTTP engine acts on: Link (RFC 8288, for
 * pagination) and Retry-After (RFC 9110 §10.2.3). No I/O, no clock: fuzzed
 * (tests/fuzz/io/fuzz_http_link.c).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/http.h"
#include "util/civil.h"
#include "util/xmalloc.h"

struct cur {
	const char *p, *end;
};

static bool
is_ows(char ch)
{
	return ch == ' ' || ch == '\t';
}

static void
skip_ows(struct cur *c)
{
	while (c->p < c->end && is_ows(*c->p))
		c->p++;
}

/* RFC 9110 tchar. */
static bool
is_tchar(unsigned char ch)
{
	if ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))
		return true;
	return ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL;
}

/* A token; returns its length (0 = none). */
static size_t
token(struct cur *c, const char **start)
{
	*start = c->p;
	while (c->p < c->end && is_tchar((unsigned char)*c->p))
		c->p++;
	return (size_t)(c->p - *start);
}

/*
 * A quoted-string, unescaped into out (at most outsz - 1 bytes kept, NUL-terminated; a longer
 * value is still consumed). false if unterminated or holding a control byte.
 */
static bool
quoted(struct cur *c, char *out, size_t outsz)
{
	size_t n = 0;
	c->p++; /* the opening quote */
	while (c->p < c->end) {
		unsigned char ch = (unsigned char)*c->p++;
		if (ch == '"') {
			out[n] = '\0';
			return true;
		}
		if (ch == '\\') {
			if (c->p == c->end)
				return false;
			ch = (unsigned char)*c->p++;
		}
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return false;
		if (n + 1 < outsz)
			out[n++] = (char)ch;
	}
	return false;
}

static bool
ieq(const char *a, size_t alen, const char *b)
{
	return alen == strlen(b) && strncasecmp(a, b, alen) == 0;
}

/* Whether a rel value (space-separated relation types) names "next". */
static bool
rel_has_next(const char *v)
{
	const char *p = v;
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t')
			p++;
		const char *s = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
		if (ieq(s, (size_t)(p - s), "next"))
			return true;
	}
	return false;
}

char *
np_http_link_next(const char *value, size_t len)
{
	if (value == NULL)
		return NULL;
	struct cur c = {value, value + len};
	const char *found = NULL;
	size_t found_len = 0;
	for (;;) {
		/* Empty list elements (", ,") are allowed by the list syntax. */
		skip_ows(&c);
		while (c.p < c.end && *c.p == ',') {
			c.p++;
			skip_ows(&c);
		}
		if (c.p == c.end)
			break;
		if (*c.p != '<')
			return NULL;
		const char *uri = ++c.p;
		while (c.p < c.end && *c.p != '>') {
			unsigned char ch = (unsigned char)*c.p;
			/* A URI-Reference holds no spaces or controls; the target is kept verbatim.
			 */
			if (ch <= 0x20 || ch == 0x7f || ch == '<')
				return NULL;
			c.p++;
		}
		if (c.p == c.end)
			return NULL;
		size_t uri_len = (size_t)(c.p - uri);
		c.p++;
		bool next = false, seen_rel = false;
		for (;;) {
			skip_ows(&c);
			if (c.p == c.end || *c.p == ',')
				break;
			if (*c.p != ';')
				return NULL;
			c.p++;
			skip_ows(&c);
			const char *name;
			size_t nlen = token(&c, &name);
			if (nlen == 0)
				return NULL;
			skip_ows(&c);
			char val[256];
			val[0] = '\0';
			if (c.p < c.end && *c.p == '=') {
				c.p++;
				skip_ows(&c);
				if (c.p < c.end && *c.p == '"') {
					if (!quoted(&c, val, sizeof(val)))
						return NULL;
				} else {
					const char *v;
					size_t vlen = token(&c, &v);
					if (vlen == 0)
						return NULL;
					if (vlen >= sizeof(val))
						vlen = sizeof(val) - 1;
					memcpy(val, v, vlen);
					val[vlen] = '\0';
				}
			}
			/* RFC 8288 §3.3: occurrences of rel after the first are ignored. */
			if (ieq(name, nlen, "rel") && !seen_rel) {
				seen_rel = true;
				next = rel_has_next(val);
			}
		}
		if (next && found == NULL && uri_len > 0) {
			found = uri;
			found_len = uri_len;
		}
	}
	return found != NULL ? np_xstrndup(found, found_len) : NULL;
}

/* Parsing HTTP dates (RFC 9110 §5.6.7): IMF-fixdate, and the obsolete RFC 850 and asctime
 * forms, which a recipient must also accept. */

static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                     "jul", "aug", "sep", "oct", "nov", "dec"};

static int
month(struct cur *c)
{
	if (c->end - c->p < 3)
		return -1;
	for (int i = 0; i < 12; i++)
		if (strncasecmp(c->p, months[i], 3) == 0) {
			c->p += 3;
			return i + 1;
		}
	return -1;
}

/* Exactly n digits (n <= 4); -1 if not. */
static int
digits(struct cur *c, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (c->p == c->end || *c->p < '0' || *c->p > '9')
			return -1;
		v = v * 10 + (*c->p++ - '0');
	}
	return v;
}

static bool
lit(struct cur *c, const char *s)
{
	size_t n = strlen(s);
	if ((size_t)(c->end - c->p) < n || strncasecmp(c->p, s, n) != 0)
		return false;
	c->p += n;
	return true;
}

/* "HH:MM:SS" */
static bool
hms(struct cur *c, struct np_civil *t)
{
	t->hour = digits(c, 2);
	if (t->hour < 0 || !lit(c, ":"))
		return false;
	t->min = digits(c, 2);
	if (t->min < 0 || !lit(c, ":"))
		return false;
	t->sec = digits(c, 2);
	return t->sec >= 0 && t->hour <= 23 && t->min <= 59 && t->sec <= 60;
}

static bool
http_date(struct cur *c, struct np_civil *t)
{
	/* The day name: letters up to ',' or ' '. */
	const char *s = c->p;
	while (c->p < c->end && ((*c->p >= 'a' && *c->p <= 'z') || (*c->p >= 'A' && *c->p <= 'Z')))
		c->p++;
	if (c->p - s < 3)
		return false;
	if (lit(c, ", ")) {
		const char *save = c->p;
		/* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" */
		t->day = digits(c, 2);
		if (t->day >= 0 && lit(c, " ") && (t->mon = month(c)) > 0 && lit(c, " ")) {
			int y = digits(c, 4);
			if (y < 0 || !lit(c, " ") || !hms(c, t) || !lit(c, " GMT"))
				return false;
			t->year = y;
			return true;
		}
		/* RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT" */
		c->p = save;
		t->day = digits(c, 2);
		if (t->day < 0 || !lit(c, "-") || (t->mon = month(c)) < 0 || !lit(c, "-"))
			return false;
		int y = digits(c, 2);
		if (y < 0 || !lit(c, " ") || !hms(c, t) || !lit(c, " GMT"))
			return false;
		/* RFC 9110: a two-digit year more than 50 years ahead is in the past century. We
		 * have no "now" in years here; 70-99 = 19xx, 00-69 = 20xx (as most parsers do). */
		t->year = y >= 70 ? 1900 + y : 2000 + y;
		return true;
	}
	/* asctime: "Sun Nov  6 08:49:37 1994" */
	if (!lit(c, " ") || (t->mon = month(c)) < 0 || !lit(c, " "))
		return false;
	if (c->p < c->end && *c->p == ' ') {
		c->p++;
		t->day = digits(c, 1);
	} else {
		t->day = digits(c, 2);
	}
	if (t->day < 0 || !lit(c, " ") || !hms(c, t) || !lit(c, " "))
		return false;
	int y = digits(c, 4);
	if (y < 0)
		return false;
	t->year = y;
	return true;
}

int64_t
np_http_retry_after_ms(const char *value, int64_t now_s)
{
	if (value == NULL)
		return -1;
	struct cur c = {value, value + strlen(value)};
	skip_ows(&c);
	while (c.end > c.p && is_ows(c.end[-1]))
		c.end--;
	if (c.p == c.end)
		return -1;
	if (*c.p >= '0' && *c.p <= '9') {
		int64_t s = 0;
		for (; c.p < c.end; c.p++) {
			if (*c.p < '0' || *c.p > '9')
				return -1;
			/* Absurd values saturate: the caller caps the wait anyway. */
			if (s < INT64_MAX / 10000)
				s = s * 10 + (*c.p - '0');
		}
		return s >= INT64_MAX / 10000 ? INT64_MAX / 10 : s * 1000;
	}
	struct np_civil t = {0};
	if (!http_date(&c, &t) || c.p != c.end || t.day < 1 ||
	    t.day > np_civil_mdays(t.year, t.mon))
		return -1;
	int64_t at = np_civil_to_secs(&t);
	return at > now_s ? (at - now_s) * 1000 : 0;
}
