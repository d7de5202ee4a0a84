/* The host's local zone, from TZ or /etc/localtime, for callers that were given no zone. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/cause.h"
#include "util/tz.h"

#define LOCALTIME "/etc/localtime"

/* "Europe/Berlin" for a link to ".../zoneinfo/Europe/Berlin", else "localtime". */
static void
link_name(const char *path, char *name, size_t size)
{
	char target[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	const char *z = NULL;
	if (n > 0) {
		target[n] = '\0';
		z = strstr(target, "zoneinfo/");
	}
	if (z != NULL && z[9] != '\0' && strlen(z + 9) < size) {
		/* posix/ and right/ are variants of the same names. */
		z += 9;
		if (strncmp(z, "posix/", 6) == 0)
			z += 6;
		strcpy(name, z);
	} else {
		strcpy(name, "localtime");
	}
}

struct np_tz *
np_tz_local(const char *tz_env, const char *localtime, const char *zonedir, char **cause)
{
	if (tz_env == NULL) {
		if (localtime == NULL)
			localtime = LOCALTIME;
		if (access(localtime, F_OK) == -1 && errno == ENOENT)
			return np_tz_utc();
		char name[256];
		link_name(localtime, name, sizeof(name));
		return np_tz_load_file(localtime, name, cause);
	}
	const char *s = tz_env[0] == ':' ? tz_env + 1 : tz_env;
	if (*s == '\0')
		return np_tz_utc();
	if (s[0] == '/')
		return np_tz_load_file(s, s, cause);
	struct np_tz *tz = np_tz_load(zonedir, s, NULL);
	if (tz == NULL)
		tz = np_tz_from_posix(s, NULL);
	if (tz == NULL)
		np_cause(cause, "TZ=\"%s\": neither a zone under %s nor a POSIX TZ rule", tz_env,
		         zonedir != NULL ? zonedir : NP_TZ_DIR);
	return tz;
}
