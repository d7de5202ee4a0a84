#ifndef NP_UTIL_DURATION_H
#define NP_UTIL_DURATION_H
/*
 * The one duration grammar, for the configuration and the CLI alike: one or more
 * "<digits><unit>" groups with unit ms, s, m, h, d or w ("90s", "1h30m", "1500ms", "2w"),
 * or a bare "0". No sign, no spaces, no fractions: a duration is exact.
 */
#include <stddef.h>
#include <stdint.h>

/* Parses s into milliseconds. Returns 0, or -1 (*ms untouched) if malformed or over int64. */
int np_duration_parse(const char *s, int64_t *ms);
/* Writes ms in the largest unit up to d that divides it exactly ("90s", "2h", "1500ms", "0"). */
void np_duration_format(int64_t ms, char *buf, size_t size);

#endif
