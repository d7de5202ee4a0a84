#include "util/duration.h"

#include <stdio.h>
#include <string.h>

struct unit {
	const char *name;
	int64_t ms;
};

#define DAY_MS (86400LL * 1000)

/* Longest suffix first, so "ms" is not read as "m" followed by garbage. */
static const struct unit units[] = {
    {"ms", 1},     {"s", 1000},       {"m", 60 * 1000}, {"h", 3600 * 1000},
    {"d", DAY_MS}, {"w", 7 * DAY_MS}, {NULL, 0},
};

int
np_duration_parse(const char *s, int64_t *ms)
{
	if (s == NULL || *s == '\0')
		return -1;
	if (strcmp(s, "0") == 0) {
		*ms = 0;
		return 0;
	}
	int64_t total = 0;
	const char *p = s;
	while (*p != '\0') {
		if (*p < '0' || *p > '9')
			return -1;
		int64_t n = 0;
		while (*p >= '0' && *p <= '9') {
			if (__builtin_mul_overflow(n, 10, &n) ||
			    __builtin_add_overflow(n, *p - '0', &n))
				return -1;
			p++;
		}
		const struct unit *u;
		for (u = units; u->name != NULL; u++) {
			size_t len = strlen(u->name);
			if (strncmp(p, u->name, len) == 0)
				break;
		}
		if (u->name == NULL)
			return -1;
		int64_t part;
		if (__builtin_mul_overflow(n, u->ms, &part) ||
		    __builtin_add_overflow(total, part, &total))
			return -1;
		p += strlen(u->name);
	}
	*ms = total;
	return 0;
}

void
np_duration_format(int64_t ms, char *buf, size_t size)
{
	if (ms == 0) {
		snprintf(buf, size, "0");
		return;
	}
	const struct unit *best = &units[0];
	for (const struct unit *u = units; u->name != NULL && u->ms <= DAY_MS; u++)
		if (ms % u->ms == 0)
			best = u;
	snprintf(buf, size, "%lld%s", (long long)(ms / best->ms), best->name);
}
