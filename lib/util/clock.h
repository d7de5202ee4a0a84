#ifndef NP_UTIL_CLOCK_H
#define NP_UTIL_CLOCK_H
/*
 * Two clocks, never mixed: the monotonic clock schedules, the wall clock timestamps
 * observations (UTC). Engines never read either; time is passed in.
 */
#include <stdint.h>

int64_t np_mono_ms(void);
int64_t np_wall_ms(void);

#endif
