#ifndef NP_CONFIG_DURATION_H
#define NP_CONFIG_DURATION_H
/*
 * Interval multiples for the option tables. Durations themselves (parse and format) are
 * util/duration.h's, shared with the CLI.
 */
#include <stddef.h>
#include <stdint.h>

/* Parses a multiple of an interval: "3x", "1.5x". Returns 0 or -1 (also for <= 0). */
int np_config_multiple_parse(const char *s, double *x);

#endif
