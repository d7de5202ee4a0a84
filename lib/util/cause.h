#ifndef NP_UTIL_CAUSE_H
#define NP_UTIL_CAUSE_H
/*
 * Error reporting for lib/: functions return 0/-1 (or NULL) and, when the caller passed a
 * non-NULL `char **cause`, store a malloc'd message there that the caller frees (tmux style).
 * No global error buffer.
 */
#include <stdarg.h>

/* Sets *cause (if cause != NULL) to the formatted message; frees a previous *cause. */
void np_cause(char **cause, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prefixes an existing *cause: "prefix: old". No-op if cause or *cause is NULL. */
void np_cause_prefix(char **cause, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
