/* Prometheus text / OpenMetrics exposition writer (expo.h). */
#include "web/expo.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

bool
np_expo_wants_om(const char *accept)
{
	/* Any mention with a q above that of text/plain would do; Prometheus lists it first. */
	return accept != NULL && strstr(accept, "application/openmetrics-text") != NULL;
}

const char *
np_expo_content_type(const struct np_expo *e)
{
	return e->om ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
	             : "text/plain; version=0.0.4; charset=utf-8";
}

void
np_expo_family(struct np_expo *e, const char *name, const char *type, const char *help)
{
	size_t n = strlen(name);
	if (e->om && strcmp(type, "counter") == 0 && n > 6 && strcmp(name + n - 6, "_total") == 0)
		n -= 6;
	np_buf_puts(&e->b, "# HELP ");
	np_buf_add(&e->b, name, n);
	np_buf_puts(&e->b, " ");
	np_buf_puts(&e->b, help);
	np_buf_puts(&e->b, "\n# TYPE ");
	np_buf_add(&e->b, name, n);
	np_buf_puts(&e->b, " ");
	np_buf_puts(&e->b, type);
	np_buf_puts(&e->b, "\n");
}

static void
head(struct np_expo *e, const char *name, const char *labels)
{
	np_buf_puts(&e->b, name);
	if (*labels != '\0') {
		np_buf_puts(&e->b, "{");
		np_buf_puts(&e->b, labels);
		np_buf_puts(&e->b, "}");
	}
	np_buf_puts(&e->b, " ");
}

static void
add_u64(struct np_buf *b, uint64_t v)
{
	char tmp[24];
	char *p = tmp + sizeof tmp;
	*--p = '\n';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	np_buf_add(b, p, (size_t)(tmp + sizeof tmp - p));
}

void
np_expo_u64(struct np_expo *e, const char *name, const char *labels, uint64_t v)
{
	head(e, name, labels);
	add_u64(&e->b, v);
}

void
np_expo_i64(struct np_expo *e, const char *name, const char *labels, int64_t v)
{
	head(e, name, labels);
	if (v < 0) {
		np_buf_puts(&e->b, "-");
		add_u64(&e->b, (uint64_t)0 - (uint64_t)v);
	} else {
		add_u64(&e->b, (uint64_t)v);
	}
}

void
np_expo_double(struct np_expo *e, const char *name, const char *labels, double v)
{
	head(e, name, labels);
	char tmp[40];
	if (isnan(v))
		snprintf(tmp, sizeof tmp, "NaN\n");
	else if (isinf(v))
		snprintf(tmp, sizeof tmp, v > 0 ? "+Inf\n" : "-Inf\n");
	else
		snprintf(tmp, sizeof tmp, "%.15g\n", v);
	np_buf_puts(&e->b, tmp);
}

void
np_expo_end(struct np_expo *e)
{
	if (e->om)
		np_buf_puts(&e->b, "# EOF\n");
}
