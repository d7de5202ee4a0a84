#ifndef NP_WEB_HTPASSWD_H
#define NP_WEB_HTPASSWD_H
/*
 * The users of the HTTP listener's basic authentication (http.basic_auth_file): one
 * `user:hash` per line (htpasswd's form; blank lines and `#` comments skipped), the hash a
 * bcrypt ($2a$, $2b$, $2y$) or SHA-256 crypt ($5$) string, as Prometheus' web.yml takes and
 * `htpasswd -B` or `openssl passwd -5` make. Anything else (an MD5, DES or clear password)
 * is refused with file:line.
 */
#include <stdbool.h>
#include <stddef.h>

struct np_htpasswd;

/* Parses text (len bytes, `name` for messages). NULL with *cause listing every bad line. */
struct np_htpasswd *np_htpasswd_parse(const char *name, const char *text, size_t len, char **cause);
struct np_htpasswd *np_htpasswd_load(const char *path, char **cause);
void np_htpasswd_free(struct np_htpasswd *h);
size_t np_htpasswd_count(const struct np_htpasswd *h);
/*
 * Whether user/password match (crypt(3) of the password with the user's hash, compared in
 * constant time). Costly by design (bcrypt): callers cache (web/auth.h).
 */
bool np_htpasswd_verify(const struct np_htpasswd *h, const char *user, const char *password);

#endif
