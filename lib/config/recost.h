#ifndef NP_CONFIG_RECOST_H
#define NP_CONFIG_RECOST_H
/*
 * What a POSIX extended regex may cost before regcomp sees it. glibc writes bounded
 * repetitions out in full, and optional parts inside them multiply its automaton:
 * `a{1,10000}` takes seconds and hundreds of MB, `(a{1,200}){1,200}` more. A pattern is
 * accepted only if it is short, every bound is small and it stays small written out.
 */
#include <stddef.h>

#define NP_RE_MAX_LEN 256            /* bytes of one pattern */
#define NP_RE_MAX_BOUND 255          /* largest m or n of {m,n} (RE_DUP_MAX of POSIX) */
#define NP_RE_MAX_ELEMENTS 1000      /* atoms and quantifiers once repetitions are written out */
#define NP_RE_MAX_LIST_ELEMENTS 2000 /* all patterns of one list together */
#define NP_RE_MAX_PATTERNS 64        /* in one include or exclude list */

/*
 * Checks pattern against the limits above. Returns 0, or -1 with *why (malloc'd) saying which
 * limit and by how much. Syntax errors are left to regcomp: a pattern this cannot read is
 * measured as best it can and passed on.
 */
int np_config_re_cost(const char *pattern, char **why);
/* The size of pattern written out (NP_RE_MAX_ELEMENTS is the limit); saturates. */
unsigned long np_config_re_elements(const char *pattern);

#endif
