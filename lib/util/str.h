#ifndef NP_UTIL_STR_H
#define NP_UTIL_STR_H
#include <stdbool.h>
#include <stddef.h>

/*
 * Copies src into dst (size bytes), always NUL-terminated. Returns strlen(src), so a result
 * >= size means it was truncated (BSD strlcpy semantics).
 */
size_t np_strlcpy(char *dst, const char *src, size_t size);

/*
 * Escapes a string from a device or an API for a log line: printable ASCII is kept, '\\'
 * becomes "\\\\", newline/tab/CR become \n \t \r, every other byte \xHH. Result is malloc'd.
 */
char *np_escape(const char *s);

/*
 * The host of an http(s) URL: between "://" and the next '/', '?', '#' or ':' (user info
 * dropped, an IPv6 literal without its brackets). malloc'd.
 */
char *np_url_host(const char *url);

/* Percent-encodes everything but RFC 3986 unreserved characters (a path segment or a query
 * value). malloc'd. */
char *np_url_encode(const char *s);

/* True when the comma-separated list (NULL = empty) holds name as one of its items. */
bool np_list_has(const char *list, const char *name);

#endif
