#include "config/credpath.h"

#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

#define VAR "${CREDENTIALS_DIRECTORY}"

static const char *
credentials_directory(void)
{
	const char *d = getenv("CREDENTIALS_DIRECTORY");
	return d != NULL && d[0] == '/' ? d : NULL;
}

char *
np_config_credpath(const char *path)
{
	const char *dir = credentials_directory();
	if (dir == NULL || strstr(path, VAR) == NULL)
		return np_xstrdup(path);
	size_t n = 0, vlen = strlen(VAR), dlen = strlen(dir);
	for (const char *p = strstr(path, VAR); p != NULL; p = strstr(p + vlen, VAR))
		n++;
	char *out = np_xmalloc(strlen(path) - n * vlen + n * dlen + 1), *o = out;
	for (const char *p = path, *hit; *p != '\0'; p = hit + vlen) {
		if ((hit = strstr(p, VAR)) == NULL) {
			strcpy(o, p);
			return out;
		}
		memcpy(o, p, (size_t)(hit - p));
		o += hit - p;
		memcpy(o, dir, dlen);
		o += dlen;
	}
	*o = '\0';
	return out;
}

const char *
np_config_credpath_hint(const char *path)
{
	if (strstr(path, VAR) == NULL || credentials_directory() != NULL)
		return "";
	return " (CREDENTIALS_DIRECTORY is not set: systemd sets it for a service with "
	       "LoadCredential=)";
}
