#include "util/cause.h"

#include <stdlib.h>

#include "util/xmalloc.h"

void
np_cause(char **cause, const char *fmt, ...)
{
	if (cause == NULL)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *msg = np_xvasprintf(fmt, ap);
	va_end(ap);
	free(*cause);
	*cause = msg;
}

void
np_cause_prefix(char **cause, const char *fmt, ...)
{
	if (cause == NULL || *cause == NULL)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *prefix = np_xvasprintf(fmt, ap);
	va_end(ap);
	char *msg = np_xasprintf("%s: %s", prefix, *cause);
	free(prefix);
	free(*cause);
	*cause = msg;
}
