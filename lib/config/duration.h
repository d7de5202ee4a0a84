#ifndef NP_CONFIG_DURATION_H
#define NP_CONFIG_DURATION_H
/*
 * Duration text <-> milliseconds. np_duration_parse() itself is declared in config/config.h;
 * these are the helpers the option tables need besides it.
 */
#include <stddef.h>
#include <stdint.h>

/* Writes ms in the largest unit that divides it exactly ("90s", "2h", "1500ms", "0"). */
void np_config_duration_format(int64_t ms, char *buf, size_t size);
/* Parses a multiple of an interval: "3x", "1.5x". Returns 0 or -1 (also for <= 0). */
int np_config_multiple_parse(const char *s, double *x);

#endif
