#include "config/duration.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
