#include "util/str.h"

#include <stdio.h>
#include <string.h>

#include "util/xmalloc.h"

size_t
np_strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);
	if (size > 0) {
		size_t n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

char *
np_escape(const char *s)
{
	size_t len = strlen(s);
	char *out = np_xmalloc(len * 4 + 1), *o = out;
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '\\':
			*o++ = '\\';
			*o++ = '\\';
			break;
		case '\n':
			*o++ = '\\';
			*o++ = 'n';
			break;
		case '\t':
			*o++ = '\\';
			*o++ = 't';
			break;
		case '\r':
			*o++ = '\\';
			*o++ = 'r';
			break;
		default:
			if (*p >= 0x20 && *p < 0x7f) {
				*o++ = (char)*p;
			} else {
				snprintf(o, 5, "\\x%02x", *p);
				o += 4;
			}
		}
	}
	*o = '\0';
	return out;
}

char *
np_url_host(const char *url)
{
	const char *h = strstr(url, "://");
	h = h != NULL ? h + 3 : url;
	const char *at = strpbrk(h, "/?#");
	size_t n = at != NULL ? (size_t)(at - h) : strlen(h);
	const char *cred = memchr(h, '@', n);
	if (cred != NULL) {
		n -= (size_t)(cred + 1 - h);
		h = cred + 1;
	}
	if (n > 0 && h[0] == '[') {
		const char *e = memchr(h, ']', n);
		if (e != NULL)
			return np_xstrndup(h + 1, (size_t)(e - h - 1));
	}
	const char *colon = memchr(h, ':', n);
	if (colon != NULL)
		n = (size_t)(colon - h);
	return np_xstrndup(h, n);
}

char *
np_url_encode(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = np_xmalloc(strlen(s) * 3 + 1), *q = out;
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			*q++ = (char)c;
		} else {
			*q++ = '%';
			*q++ = hex[c >> 4];
			*q++ = hex[c & 15];
		}
	}
	*q = '\0';
	return out;
}

bool
np_list_has(const char *list, const char *name)
{
	size_t nl = strlen(name);
	for (const char *s = list; s != NULL && *s != '\0';) {
		size_t len = strcspn(s, ",");
		if (len == nl && strncmp(s, name, nl) == 0)
			return true;
		s += len;
		if (*s == ',')
			s++;
	}
	return false;
}
