#ifndef NP_UTIL_XMALLOC_H
#define NP_UTIL_XMALLOC_H
/*
 * Allocation that cannot fail: out of memory is a broken invariant for a monitoring daemon,
 * so these abort() (as tmux's xmalloc.c does). Zero sizes and overflowing products abort too.
 */
#include <stdarg.h>
#include <stddef.h>

void *np_xmalloc(size_t size);
void *np_xcalloc(size_t nmemb, size_t size);
void *np_xreallocarray(void *ptr, size_t nmemb, size_t size);
char *np_xstrdup(const char *s);
char *np_xstrndup(const char *s, size_t n);
char *np_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *np_xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
