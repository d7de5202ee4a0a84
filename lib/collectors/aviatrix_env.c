#include "collectors/aviatrix_env.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/cause.h"
#include "util/xmalloc.h"

/* Above any real .env: a bigger file is a wrong path, not credentials. */
#define ENV_MAX (1024 * 1024)

enum { E_AVX_IP, E_URL, E_AVX_USER, E_USER, E_AVX_PASS, E_PASS, E_N };
static const char *const known[E_N] = {"AVIATRIX_COPILOT_IP", "COPILOT_URL",
                                       "AVIATRIX_USERNAME",   "USERNAME",
                                       "AVIATRIX_PASSWORD",   "PASSWORD"};

static bool
blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool
key_ok(const char *k, size_t n)
{
	if (n == 0 ||
	    !((k[0] >= 'A' && k[0] <= 'Z') || (k[0] >= 'a' && k[0] <= 'z') || k[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!((k[i] >= 'A' && k[i] <= 'Z') || (k[i] >= 'a' && k[i] <= 'z') ||
		      (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
			return false;
	return true;
}

static void
wipe_free(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* Keys seen so far (for "given twice"), by name, with their lines. */
struct seen {
	char **keys;
	int *lines;
	size_t n;
};

static int
seen_add(struct seen *s, const char *k, size_t n, int line)
{
	for (size_t i = 0; i < s->n; i++)
		if (strlen(s->keys[i]) == n && memcmp(s->keys[i], k, n) == 0)
			return s->lines[i];
	s->keys = np_xreallocarray(s->keys, s->n + 1, sizeof(*s->keys));
	s->lines = np_xreallocarray(s->lines, s->n + 1, sizeof(*s->lines));
	s->keys[s->n] = np_xstrndup(k, n);
	s->lines[s->n++] = line;
	return 0;
}

static void
seen_free(struct seen *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->keys[i]);
	free(s->keys);
	free(s->lines);
}

int
np_aviatrix_env_parse(const char *text, size_t len, const char *path, struct np_aviatrix_env *out,
                      char **cause)
{
	char *val[E_N] = {NULL};
	struct seen seen = {0};
	int rc = -1, line = 0;
	memset(out, 0, sizeof(*out));
	if (memchr(text, '\0', len) != NULL) {
		size_t at = (size_t)((const char *)memchr(text, '\0', len) - text);
		int l = 1;
		for (size_t i = 0; i < at; i++)
			l += text[i] == '\n';
		np_cause(cause, "%s:%d: a NUL byte", path, l);
		return -1;
	}
	for (size_t pos = 0; pos < len;) {
		const char *s = text + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - s) : len - pos;
		pos += n + (nl != NULL);
		line++;
		while (n > 0 && (blank(s[n - 1]) || s[n - 1] == '\r'))
			n--;
		while (n > 0 && blank(*s)) {
			s++;
			n--;
		}
		if (n == 0 || *s == '#')
			continue;
		if (n > 7 && memcmp(s, "export", 6) == 0 && blank(s[6])) {
			s += 7;
			n -= 7;
			while (n > 0 && blank(*s)) {
				s++;
				n--;
			}
		}
		const char *eq = memchr(s, '=', n);
		if (eq == NULL) {
			np_cause(cause, "%s:%d: no '=' (expected KEY=VALUE)", path, line);
			goto out;
		}
		size_t kn = (size_t)(eq - s);
		while (kn > 0 && blank(s[kn - 1]))
			kn--;
		if (!key_ok(s, kn)) {
			np_cause(cause, "%s:%d: bad key (letters, digits and _, not first a digit)",
			         path, line);
			goto out;
		}
		int first = seen_add(&seen, s, kn, line);
		if (first > 0) {
			np_cause(cause, "%s:%d: %.*s given twice (first at line %d)", path, line,
			         (int)kn, s, first);
			goto out;
		}
		const char *v = eq + 1;
		size_t vn = (size_t)(s + n - v);
		while (vn > 0 && blank(*v)) {
			v++;
			vn--;
		}
		if (vn > 0 && (*v == '"' || *v == '\'')) {
			if (vn < 2 || v[vn - 1] != *v) {
				np_cause(cause, "%s:%d: %.*s: unmatched %s quote", path, line,
				         (int)kn, s, *v == '"' ? "double" : "single");
				goto out;
			}
			v++;
			vn -= 2;
		}
		for (int k = 0; k < E_N; k++)
			if (strlen(known[k]) == kn && memcmp(known[k], s, kn) == 0 && vn > 0)
				val[k] = np_xstrndup(v, vn);
	}
	out->url = val[E_AVX_IP] != NULL ? val[E_AVX_IP] : val[E_URL];
	out->user = val[E_AVX_USER] != NULL ? val[E_AVX_USER] : val[E_USER];
	out->pass = val[E_AVX_PASS] != NULL ? val[E_AVX_PASS] : val[E_PASS];
	/* What precedence left out. */
	for (int k = 0; k < E_N; k++)
		if (val[k] != out->url && val[k] != out->user && val[k] != out->pass)
			wipe_free(val[k]);
	rc = 0;
out:
	if (rc == -1)
		for (int k = 0; k < E_N; k++)
			wipe_free(val[k]);
	seen_free(&seen);
	return rc;
}

int
np_aviatrix_env_read(const char *path, struct np_aviatrix_env *out, char **cause)
{
	memset(out, 0, sizeof(*out));
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		np_cause(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	char *buf = np_xmalloc(ENV_MAX + 1);
	size_t n = fread(buf, 1, ENV_MAX + 1, f);
	int err = ferror(f);
	fclose(f);
	int rc;
	if (err) {
		np_cause(cause, "%s: read error", path);
		rc = -1;
	} else if (n > ENV_MAX) {
		np_cause(cause, "%s: larger than %d bytes", path, ENV_MAX);
		rc = -1;
	} else {
		rc = np_aviatrix_env_parse(buf, n, path, out, cause);
	}
	explicit_bzero(buf, n < ENV_MAX + 1 ? n : ENV_MAX + 1);
	free(buf);
	return rc;
}

void
np_aviatrix_env_free(struct np_aviatrix_env *e)
{
	free(e->url);
	free(e->user);
	wipe_free(e->pass);
	memset(e, 0, sizeof(*e));
}

char *
np_aviatrix_url_normalize(const char *s)
{
	while (blank(*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == '/' || blank(s[n - 1])))
		n--;
	if ((n >= 8 && strncasecmp(s, "https://", 8) == 0) ||
	    (n >= 7 && strncasecmp(s, "http://", 7) == 0))
		return np_xstrndup(s, n);
	return np_xasprintf("https://%.*s", (int)n, s);
}
