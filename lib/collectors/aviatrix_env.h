#ifndef NP_COLLECTORS_AVIATRIX_ENV_H
#define NP_COLLECTORS_AVIATRIX_ENV_H
/*
 * The `.env` file of the original Aviatrix scripts (the aviatrix source's env_file key), read
 * strictly: one KEY=VALUE a line; blank lines and lines starting with '#' skipped; an
 * `export ` prefix allowed; key and value trimmed of spaces and tabs; a value starting with a
 * quote (' or ") must end with the same quote, and that one pair is stripped (nothing else:
 * no escapes, no inline comments). Anything else is an error naming the file and line: a line
 * without '=', a bad key name, an unmatched quote, a key given twice, a NUL byte. Keys other
 * than the six below are allowed and ignored (the file may serve other tools).
 *
 * Precedence, as the original: the CoPilot address is AVIATRIX_COPILOT_IP, else COPILOT_URL;
 * the user AVIATRIX_USERNAME, else USERNAME; the password AVIATRIX_PASSWORD, else PASSWORD.
 * An empty value counts as not given. The process environment is not read (password_env is
 * the way to take a password from it).
 */
#include <stddef.h>

struct np_aviatrix_env {
	char *url;  /* as written (np_aviatrix_url_normalize makes it a base URL); NULL if none */
	char *user; /* NULL if none */
	char *pass; /* NULL if none; wiped when freed */
};

/* Parses text (len bytes, need not be NUL-terminated). -1 with *cause "PATH:LINE: why". */
int np_aviatrix_env_parse(const char *text, size_t len, const char *path,
                          struct np_aviatrix_env *out, char **cause);
/* Reads and parses the file at path. -1 with *cause "PATH: why" or "PATH:LINE: why". */
int np_aviatrix_env_read(const char *path, struct np_aviatrix_env *out, char **cause);
void np_aviatrix_env_free(struct np_aviatrix_env *e);

/*
 * A CoPilot address as the user wrote it ("10.1.2.3", "copilot.example.net:8443/",
 * "https://copilot/") as a base URL: https:// added when there is no http:// or https://
 * scheme, trailing slashes dropped. malloc'd.
 */
char *np_aviatrix_url_normalize(const char *s);

#endif
