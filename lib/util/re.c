#include "util/re.h"
#include <stddef.h>

#include "util/cause.h"

int
np_re_compile(regex_t *re, bool *has, const char *pattern, char **cause)
{
	if (pattern == NULL)
		return 0;
	int rc = regcomp(re, pattern, REG_EXTENDED | REG_NOSUB);
	if (rc != 0) {
		char msg[128];
		regerror(rc, re, msg, sizeof(msg));
		np_cause(cause, "bad regular expression \"%s\": %s", pattern, msg);
		return -1;
	}
	*has = true;
	return 0;
}
