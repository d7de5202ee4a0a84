/* Basic authentication with a cache and a rate limit (auth.h). */
#include "web/auth.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/xmalloc.h"

#define CACHE_MAX 64
#define CACHE_MS (10 * 60 * 1000)
#define RATE_PER_S 4

struct cached {
	unsigned char digest[SHA256_DIGEST_LENGTH];
	int64_t until_ms; /* 0: empty slot */
};

struct np_auth {
	struct np_htpasswd *users;
	struct cached cache[CACHE_MAX];
	double tokens;
	int64_t refilled_ms;
};

struct np_auth *
np_auth_new(struct np_htpasswd *users)
{
	struct np_auth *a = np_xcalloc(1, sizeof *a);
	a->users = users;
	a->tokens = RATE_PER_S;
	a->refilled_ms = INT64_MIN;
	return a;
}

void
np_auth_free(struct np_auth *a)
{
	if (a == NULL)
		return;
	np_htpasswd_free(a->users);
	OPENSSL_cleanse(a, sizeof *a);
	free(a);
}

static int
b64(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

bool
np_auth_basic_decode(const char *h, char **user, char **password)
{
	if (h == NULL || strncasecmp(h, "Basic ", 6) != 0)
		return false;
	h += 6;
	while (*h == ' ')
		h++;
	size_t n = strlen(h);
	while (n > 0 && h[n - 1] == ' ')
		n--;
	if (n == 0 || n % 4 != 0 || n > 4096)
		return false;
	char *out = np_xmalloc(n / 4 * 3 + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i += 4) {
		int v[4];
		for (int k = 0; k < 4; k++) {
			unsigned char c = (unsigned char)h[i + k];
			/* '=' only as the last one or two characters. */
			v[k] = c == '=' && i + 4 == n && k >= 2 ? -2 : b64(c);
			if (v[k] == -1 || (k == 3 && v[2] == -2 && v[3] != -2)) {
				free(out);
				return false;
			}
		}
		out[o++] = (char)(v[0] << 2 | v[1] >> 4);
		if (v[2] >= 0)
			out[o++] = (char)((v[1] & 15) << 4 | v[2] >> 2);
		if (v[3] >= 0)
			out[o++] = (char)((v[2] & 3) << 6 | v[3]);
	}
	out[o] = '\0';
	char *colon = memchr(out, ':', o);
	if (colon == NULL || strlen(out) != o) {
		OPENSSL_cleanse(out, o);
		free(out);
		return false;
	}
	*colon = '\0';
	*user = np_xstrdup(out);
	*password = np_xstrdup(colon + 1);
	OPENSSL_cleanse(out, o);
	free(out);
	return true;
}

enum np_auth_result
np_auth_check(struct np_auth *a, const char *authorization, int64_t mono_ms)
{
	char *user = NULL, *pass = NULL;
	if (!np_auth_basic_decode(authorization, &user, &pass))
		return NP_AUTH_DENIED;
	unsigned char d[SHA256_DIGEST_LENGTH];
	size_t ul = strlen(user), pl = strlen(pass);
	char *both = np_xmalloc(ul + pl + 2);
	memcpy(both, user, ul);
	both[ul] = ':';
	memcpy(both + ul + 1, pass, pl + 1);
	SHA256((const unsigned char *)both, ul + pl + 1, d);
	OPENSSL_cleanse(both, ul + pl + 1);
	free(both);
	enum np_auth_result r = NP_AUTH_DENIED;
	struct cached *oldest = &a->cache[0];
	for (size_t i = 0; i < CACHE_MAX; i++) {
		struct cached *c = &a->cache[i];
		if (c->until_ms > mono_ms && CRYPTO_memcmp(c->digest, d, sizeof d) == 0) {
			r = NP_AUTH_OK;
			goto out;
		}
		if (c->until_ms < oldest->until_ms)
			oldest = c;
	}
	/* Not remembered: a crypt(3) run, if the budget allows one. */
	if (a->refilled_ms == INT64_MIN) {
		a->refilled_ms = mono_ms;
	} else if (mono_ms > a->refilled_ms) {
		a->tokens += (double)(mono_ms - a->refilled_ms) * RATE_PER_S / 1000.0;
		if (a->tokens > RATE_PER_S)
			a->tokens = RATE_PER_S;
		a->refilled_ms = mono_ms;
	}
	if (a->tokens < 1) {
		r = NP_AUTH_BUSY;
		goto out;
	}
	a->tokens -= 1;
	if (np_htpasswd_verify(a->users, user, pass)) {
		memcpy(oldest->digest, d, sizeof d);
		oldest->until_ms = mono_ms + CACHE_MS;
		r = NP_AUTH_OK;
	}
out:
	OPENSSL_cleanse(pass, strlen(pass));
	free(user);
	free(pass);
	OPENSSL_cleanse(d, sizeof d);
	return r;
}
