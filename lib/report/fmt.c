#include "report/fmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

static void
human(double v, const char *suffix, char buf[NP_FMT_MAX])
{
	const char *sign = v < 0 ? "-" : "";
	double a = fabs(v);
	size_t u = 0;
	if (a < 1024) {
		snprintf(buf, NP_FMT_MAX, "%s%.0f B%s", sign, floor(a), suffix);
		return;
	}
	/* 1023.96 KiB would print as "1024.0 KiB": move up once it rounds to 1024. */
	while (a >= 1023.95 && u + 1 < sizeof(units) / sizeof(units[0])) {
		a /= 1024;
		u++;
	}
	snprintf(buf, NP_FMT_MAX, "%s%.1f %s%s", sign, a, units[u], suffix);
}

void
np_fmt_bytes(int64_t v, char buf[NP_FMT_MAX])
{
	if (v > -1024 && v < 1024) {
		snprintf(buf, NP_FMT_MAX, "%lld B", (long long)v);
		return;
	}
	human((double)v, "", buf);
}

void
np_fmt_rate(double v, char buf[NP_FMT_MAX])
{
	if (!isfinite(v)) {
		snprintf(buf, NP_FMT_MAX, "-");
		return;
	}
	human(v, "/s", buf);
}

void
np_fmt_bitrate(double v, char buf[NP_FMT_MAX])
{
	static const char *const si[] = {"bit/s",  "kbit/s", "Mbit/s", "Gbit/s",
	                                 "Tbit/s", "Pbit/s", "Ebit/s"};
	if (!isfinite(v)) {
		snprintf(buf, NP_FMT_MAX, "-");
		return;
	}
	const char *sign = v < 0 ? "-" : "";
	double a = fabs(v);
	if (a < 999.5) {
		snprintf(buf, NP_FMT_MAX, "%s%.0f bit/s", sign, a);
		return;
	}
	/* Whole bits below 1000; then one decimal, moving up once it would round to 1000.0. */
	size_t u = 1;
	a /= 1000;
	while (a >= 999.95 && u + 1 < sizeof(si) / sizeof(si[0])) {
		a /= 1000;
		u++;
	}
	snprintf(buf, NP_FMT_MAX, "%s%.1f %s", sign, a, si[u]);
}

void
np_fmt_duration(int64_t secs, char buf[NP_FMT_MAX])
{
	static const struct {
		int64_t len;
		char unit;
	} parts[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
	size_t n = 0;
	uint64_t a = secs < 0 ? (uint64_t)0 - (uint64_t)secs : (uint64_t)secs;
	if (secs < 0)
		buf[n++] = '-';
	if (a == 0) {
		snprintf(buf + n, NP_FMT_MAX - n, "0s");
		return;
	}
	buf[n] = '\0';
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		uint64_t q = a / (uint64_t)parts[i].len;
		a %= (uint64_t)parts[i].len;
		if (q == 0)
			continue;
		int w = snprintf(buf + n, NP_FMT_MAX - n, "%s%llu%c",
		                 n > 0 && buf[n - 1] != '-' ? " " : "", (unsigned long long)q,
		                 parts[i].unit);
		if (w < 0 || (size_t)w >= NP_FMT_MAX - n)
			break;
		n += (size_t)w;
	}
}

void
np_fmt_percent(double v, char buf[NP_FMT_MAX])
{
	snprintf(buf, NP_FMT_MAX, "%.3f%%", v * 100);
}

void
np_fmt_real(double v, char buf[NP_FMT_MAX])
{
	snprintf(buf, NP_FMT_MAX, "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, NP_FMT_MAX, "%.17g", v);
}

void
np_fmt_fixed(double v, int decimals, char buf[NP_FMT_MAX])
{
	snprintf(buf, NP_FMT_MAX, "%.*f", decimals, v);
}

double
np_fmt_round(double v, int decimals)
{
	double f = pow(10, decimals);
	return round(v * f) / f;
}
