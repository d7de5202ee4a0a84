#include "util/xmalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void __attribute__((noreturn)) oom(size_t nmemb, size_t size)
{
	/* The one place lib/ may stop the process: nothing sensible can continue. */
	fprintf(stderr, "netpulse: out of memory allocating %zu x %zu bytes\n", nmemb, size);
	abort();
}

void *
np_xmalloc(size_t size)
{
	if (size == 0)
		oom(1, 0);
	void *p = malloc(size);
	if (p == NULL)
		oom(1, size);
	return p;
}

void *
np_xcalloc(size_t nmemb, size_t size)
{
	if (nmemb == 0 || size == 0)
		oom(nmemb, size);
	void *p = calloc(nmemb, size);
	if (p == NULL)
		oom(nmemb, size);
	return p;
}

void *
np_xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	if (nmemb == 0 || size == 0 || nmemb > SIZE_MAX / size)
		oom(nmemb, size);
	void *p = realloc(ptr, nmemb * size);
	if (p == NULL)
		oom(nmemb, size);
	return p;
}

char *
np_xstrdup(const char *s)
{
	char *p = strdup(s);
	if (p == NULL)
		oom(1, strlen(s) + 1);
	return p;
}

char *
np_xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);
	if (p == NULL)
		oom(1, n + 1);
	return p;
}

char *
np_xvasprintf(const char *fmt, va_list ap)
{
	char *s;
	if (vasprintf(&s, fmt, ap) == -1)
		oom(1, 0);
	return s;
}

char *
np_xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = np_xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}
