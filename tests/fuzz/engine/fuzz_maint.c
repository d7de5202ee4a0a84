/*
 * Maintenance windows from arbitrary text (the start/end/at strings a config gives) and
 * arbitrary times: np_maint_new refuses with a cause or compiles; then, for each time t, the
 * next boundary lies after t, nothing changes inside [t, boundary) (the same window covers t,
 * the middle and boundary - 1), a covered t is active, and the pieces of [t, t + span) lie in
 * it and are each covered.
 *
 * Input: lines "start", "end", "at", "days" (comma-separated), then bytes: zone index,
 * duration (minutes, 2 bytes), then 5-byte times (seconds from 2026-01-01, signed 40 bits).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/maint.h"

#define CHECK(c, what)                                                                             \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "fuzz_maint: %s\n", what);                                 \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Zones with ordinary, 30-minute and no DST changes (a missing one is refused: fine). */
static char zones[][24] = {"UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
                           "Asia/Kathmandu"};

/* The next line of the input, NUL-terminated in buf; "" maps to NULL. */
static char *
line(const uint8_t **p, const uint8_t *end, char *buf, size_t size)
{
	size_t n = 0;
	while (*p < end && **p != '\n') {
		if (n + 1 < size)
			buf[n++] = (char)**p;
		(*p)++;
	}
	if (*p < end)
		(*p)++;
	buf[n] = '\0';
	return n > 0 && memchr(buf, '\0', n) == NULL ? buf : NULL;
}

struct span {
	const struct np_maint *m;
	int64_t a, b;
};

static void
piece(int64_t a, int64_t b, int window, void *arg)
{
	const struct span *s = arg;
	CHECK(s->a <= a && a < b && b <= s->b, "a piece outside its span");
	CHECK(window >= 0 && (size_t)window < np_maint_count(s->m), "a piece of no window");
	CHECK(np_maint_covers(s->m, NULL, "d", "i", a) >= 0, "a piece's start not covered");
	CHECK(np_maint_covers(s->m, NULL, "d", "i", b - 1) >= 0, "a piece's end not covered");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	char start[64], stop[64], at[64], days[64];
	struct np_maint_cfg c[2] = {{0}};
	c[0].start = line(&p, end, start, sizeof(start));
	c[0].end = line(&p, end, stop, sizeof(stop));
	c[0].at = line(&p, end, at, sizeof(at));
	char *d = line(&p, end, days, sizeof(days)), *dv[7];
	size_t nd = 0;
	for (char *tok = d ? strtok(d, ",") : NULL; tok != NULL && nd < 7; tok = strtok(NULL, ","))
		dv[nd++] = tok;
	c[0].days = dv;
	c[0].ndays = nd;
	c[0].timezone = zones[(p < end ? *p++ : 0) % (sizeof zones / sizeof zones[0])];
	int64_t minutes = 0;
	for (int i = 0; i < 2; i++)
		minutes = minutes * 256 + (p < end ? *p++ : 0);
	c[0].duration_ms = (minutes % (7 * 1440) + 1) * 60000;
	if (c[0].at == NULL)
		c[0].duration_ms = 0;
	/* A second, fixed window, so boundaries of two interleave. */
	c[1].at = "02:30";
	c[1].duration_ms = 3600000;
	c[1].timezone = c[0].timezone;

	char *cause = NULL;
	size_t bad = 99;
	const char *key = NULL;
	struct np_maint *m = np_maint_new(c, 2, NULL, NULL, &bad, &key, &cause);
	if (m == NULL) {
		CHECK(cause != NULL && *cause != '\0' && bad < 2 && key != NULL,
		      "refused without a cause");
		free(cause);
		return 0;
	}
	CHECK(cause == NULL, "a cause with a window set");
	struct np_maint_link l = {.device = "d", .interface = "i"};
	for (int k = 0; k < 8 && end - p >= 5; k++) {
		int64_t v = 0;
		for (int i = 0; i < 5; i++)
			v = v * 256 + *p++;
		if (v >= (int64_t)1 << 39)
			v -= (int64_t)1 << 40;
		int64_t t = 1767225600 + v % (20LL * 366 * 86400);
		int64_t b = np_maint_next_boundary(m, &l, t);
		CHECK(b > t, "a boundary not after t");
		int w = np_maint_covers(m, NULL, "d", "i", t);
		if (b != INT64_MAX) {
			CHECK(np_maint_covers(m, NULL, "d", "i", b - 1) == w,
			      "changed before the boundary");
			CHECK(np_maint_covers(m, NULL, "d", "i", t + (b - t) / 2) == w,
			      "changed before the boundary");
		}
		if (w >= 0)
			CHECK(np_maint_active(m, t, t + 1), "covered but not active");
		struct span s = {m, t, t + 3 * 86400};
		np_maint_pieces(m, &l, s.a, s.b, piece, &s);
	}
	np_maint_free(m);
	return 0;
}
