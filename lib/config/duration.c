#include "config/duration.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

struct unit {
	const char *name;
	int64_t ms;
};

/* Longest suffix first, so "ms" is not read as "m" followed by garbage. */
static const struct unit units[] = {
    {"ms", 1}, {"s", 1000}, {"m", 60 * 1000}, {"h", 3600 * 1000}, {"d", 86400 * 1000}, {NULL, 0},
};

/*
 * One or more "<digits><unit>" groups ("90s", "1h30m"), or a bare "0". No sign, no spaces,
 * no fractions: a duration is exact.
 */
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
np_config_duration_format(int64_t ms, char *buf, size_t size)
{
	if (ms == 0) {
		snprintf(buf, size, "0");
		return;
	}
	const struct unit *best = &units[0];
	for (const struct unit *u = units; u->name != NULL; u++)
		if (ms % u->ms == 0)
			best = u;
	snprintf(buf, size, "%lld%s", (long long)(ms / best->ms), best->name);
}

int
np_config_multiple_parse(const char *s, double *x)
{
	size_t len = strlen(s);
	if (len < 2 || s[len - 1] != 'x')
		return -1;
	/* Digits and at most one '.', nothing strtod would also take (exponents, hex, inf). */
	bool dot = false, digit = false;
	for (size_t i = 0; i + 1 < len; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digit = true;
		else if (s[i] == '.' && !dot)
			dot = true;
		else
			return -1;
	}
	if (!digit)
		return -1;
	double v = strtod(s, NULL);
	if (!isfinite(v) || v <= 0)
		return -1;
	*x = v;
	return 0;
}
