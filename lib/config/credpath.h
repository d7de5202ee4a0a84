#ifndef NP_CONFIG_CREDPATH_H
#define NP_CONFIG_CREDPATH_H
/*
 * Paths in the configuration may name systemd credentials (LoadCredential=) as
 * ${CREDENTIALS_DIRECTORY}/NAME: the text ${CREDENTIALS_DIRECTORY} is replaced, wherever it
 * occurs, by that variable's value when it is set and absolute. Nothing else is expanded.
 */

/* The path with ${CREDENTIALS_DIRECTORY} replaced (or as written when the variable is unset,
 * empty or relative), malloc'd. */
char *np_config_credpath(const char *path);
/* The reference to point at when a path naming ${CREDENTIALS_DIRECTORY} cannot be opened:
 * "" when the variable is usable, else why it is not expanded. */
const char *np_config_credpath_hint(const char *path);

#endif
