#include "util/logcb.h"

#include <stdarg.h>
#include <stdlib.h>

#include "util/xmalloc.h"

void
np_logf(const struct np_logger *lg, int priority, const char *fmt, ...)
{
	if (lg == NULL || lg->fn == NULL)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *msg = np_xvasprintf(fmt, ap);
	va_end(ap);
	lg->fn(lg->arg, priority, msg);
	free(msg);
}
