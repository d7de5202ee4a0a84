#ifndef NP_UTIL_RE_H
#define NP_UTIL_RE_H
/* POSIX extended regular expressions of the configuration's optional scopes. */
#include <regex.h>
#include <stdbool.h>

/*
 * Compiles pattern (REG_EXTENDED | REG_NOSUB) into re and sets *has; a NULL pattern does
 * nothing (no scope). -1 with "bad regular expression \"P\": why" in *cause.
 */
int np_re_compile(regex_t *re, bool *has, const char *pattern, char **cause);

#endif
