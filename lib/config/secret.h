#ifndef NP_CONFIG_SECRET_H
#define NP_CONFIG_SECRET_H
/*
 * Secrets given indirectly: `<name>_file` (e.g. systemd's $CREDENTIALS_DIRECTORY/<id>) and
 * `<name>_env`. Causes name the file or the variable, never the secret.
 */

/* Reads a regular file of at most 64 KiB, strips one trailing newline. Returns 0 or -1. */
int np_config_secret_file(const char *path, char **secret, char **cause);
/* Reads an environment variable. Returns 0 or -1 (unset or empty). */
int np_config_secret_env(const char *var, char **secret, char **cause);
/* Overwrites and frees a secret (NULL is fine). */
void np_config_secret_free(char *secret);

#endif
