#ifndef NP_WEB_AUTH_H
#define NP_WEB_AUTH_H
/*
 * Basic authentication of the HTTP listener against an htpasswd list (htpasswd.h), cheap on
 * the daemon's loop: a bcrypt check costs tens of milliseconds, so
 * - credentials that verified are remembered (a SHA-256 of "user:password", never the
 *   password; at most 64, for 10 minutes): Prometheus scraping every 15 s pays once;
 * - checks that are not remembered are rate limited (4 a second, a burst of 4): past that the
 *   answer is "busy" (429) without running crypt, so a password guesser cannot hold the loop.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "web/htpasswd.h"

enum np_auth_result { NP_AUTH_OK, NP_AUTH_DENIED, NP_AUTH_BUSY };

struct np_auth;

/* Takes users. */
struct np_auth *np_auth_new(struct np_htpasswd *users);
void np_auth_free(struct np_auth *a);
/* The Authorization header's value (NULL if absent) at mono_ms. */
enum np_auth_result np_auth_check(struct np_auth *a, const char *authorization, int64_t mono_ms);
/*
 * Decodes "Basic BASE64" into user and password (malloc'd, NUL-terminated): false if it is
 * not that form (another scheme, bad base64, no colon, a NUL byte).
 */
bool np_auth_basic_decode(const char *authorization, char **user, char **password);

#endif
