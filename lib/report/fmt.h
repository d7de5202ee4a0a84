#ifndef NP_REPORT_FMT_H
#define NP_REPORT_FMT_H
/*
 * How values look in reports. Text is for people: IEC byte units, SI bit rates, "1h 2m 3s",
 * percentages. CSV and JSON are for scripts: raw numbers (bytes, bits/s, seconds, ratios 0-1).
 */
#include <stddef.h>
#include <stdint.h>

#define NP_FMT_MAX 64

/* "0 B", "1023 B", "1.0 KiB", "1.5 MiB", ... up to EiB (one decimal from KiB on). */
void np_fmt_bytes(int64_t v, char buf[NP_FMT_MAX]);
/* Bytes per second the same way, "1.5 MiB/s". */
void np_fmt_rate(double v, char buf[NP_FMT_MAX]);
/*
 * Bits per second as network tools print them (vnStat, iftop): SI steps of 1000, "0 bit/s",
 * "999 bit/s", "1.0 kbit/s", "12.3 Mbit/s", "1.5 Gbit/s" ... up to Ebit/s; "-" if not finite.
 */
void np_fmt_bitrate(double v, char buf[NP_FMT_MAX]);
/* "0s", "45s", "1h 2m 3s", "3d 5s": non-zero parts only. */
void np_fmt_duration(int64_t secs, char buf[NP_FMT_MAX]);
/* A ratio as a percentage with three decimals: 0.9965277 -> "99.653%". */
void np_fmt_percent(double v, char buf[NP_FMT_MAX]);
/* Shortest of %.15g / %.17g that reads back as v: 12345 -> "12345", 0.1 -> "0.1". */
void np_fmt_real(double v, char buf[NP_FMT_MAX]);
/* Fixed decimals for CSV (rates: 3, ratios: 6). */
void np_fmt_fixed(double v, int decimals, char buf[NP_FMT_MAX]);
/* Rounds to `decimals` places (for JSON reals that match the CSV figures). */
double np_fmt_round(double v, int decimals);

#endif
