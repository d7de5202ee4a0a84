#ifndef NP_CONFIG_HOSTCHECK_H
#define NP_CONFIG_HOSTCHECK_H
/*
 * What a valid config still needs from this host to run: the files the daemon reads (keys,
 * known_hosts, CA bundles; option tables flag them NP_CFG_F_READ) and a writable directory
 * for the database. Kept out of np_config_load because the CLI loads the same file as an
 * operator who need not read the daemon's keys; netpulsed runs these checks at
 * --check-config, at start-up and on reload. Secrets given as `_file` are read by the loader
 * itself, and time zones are checked there too.
 */
#include <stdbool.h>

#include "config/config.h"

/* The files the daemon reads (np_config.files entries of NP_CONFIG_FILE_READ). */
#define NP_CONFIG_CHECK_FILES 0x1
/* The database's directory: exists, is a directory, and is writable (so is the file). */
#define NP_CONFIG_CHECK_DATABASE 0x2
/*
 * Database findings are warnings: the check runs as another user than the daemon will
 * (root checking for a service user), so this user's access says nothing sure.
 */
#define NP_CONFIG_CHECK_DB_WARN 0x4

/*
 * Runs the checks in `what`. Returns 0 when there is no error, else -1 and *cause = every
 * error, one per line, "file:line:column: message" (the position of the key naming the path;
 * "file: message" for a default). *warnings (may be NULL) gets the warnings the same way,
 * malloc'd, or NULL when there are none.
 */
int np_config_check_host(const struct np_config *cfg, unsigned what, char **warnings, char **cause);

/* For the loader: records path as named by key `name` at line:col (`where` as the walker's). */
void np_config_file_add(struct np_config *cfg, const char *path, const char *name,
                        const char *where, int line, int col, enum np_config_file_use use);
/* Frees cfg->files. */
void np_config_files_free(struct np_config *cfg);

#endif
