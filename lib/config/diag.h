#ifndef NP_CONFIG_DIAG_H
#define NP_CONFIG_DIAG_H
/*
 * Positioned messages of one config file (errors or warnings). The parser keeps going after an
 * error so that a file's every problem is reported at once (OpenNTPD parse.y); messages are
 * rendered "name:line:column: text", sorted by position.
 */
#include <stddef.h>

struct np_config_diag;

struct np_config_diag *np_config_diag_new(const char *name);
void np_config_diag_free(struct np_config_diag *d);
/* line and col are 1-based. */
void np_config_diag_add(struct np_config_diag *d, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
size_t np_config_diag_count(const struct np_config_diag *d);
/*
 * All messages sorted by position, one per line (no trailing newline); beyond a limit the rest
 * is summarised in a last line. malloc'd; NULL when there are none.
 */
char *np_config_diag_render(struct np_config_diag *d);
/* The messages as separate rendered strings (sorted), which the caller owns; empties d. */
char **np_config_diag_take(struct np_config_diag *d, size_t *n);

#endif
