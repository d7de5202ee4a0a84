/* Basic-auth users and their crypt(3) hashes (htpasswd.h). */
#include "web/htpasswd.h"

#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cause.h"
#include "util/promtext.h"
#include "util/xmalloc.h"

#define MAX_FILE (1024 * 1024)

struct user {
	char *name, *hash;
};

struct np_htpasswd {
	struct user *v;
	size_t n;
};

static bool
hash_ok(const char *h)
{
	size_t n = strlen(h);
	if (strncmp(h, "$2a$", 4) == 0 || strncmp(h, "$2b$", 4) == 0 || strncmp(h, "$2y$", 4) == 0)
		return n == 60; /* $2b$NN$ + 53 characters */
	if (strncmp(h, "$5$", 3) == 0)
		return strchr(h + 3, '$') != NULL;
	return false;
}

void
np_htpasswd_free(struct np_htpasswd *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->n; i++) {
		free(h->v[i].name);
		free(h->v[i].hash);
	}
	free(h->v);
	free(h);
}

struct np_htpasswd *
np_htpasswd_parse(const char *name, const char *text, size_t len, char **cause)
{
	struct np_htpasswd *h = np_xcalloc(1, sizeof *h);
	struct np_buf errs = {0};
	int lineno = 0;
	for (size_t pos = 0; pos < len;) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t ll = nl != NULL ? (size_t)(nl - line) : len - pos;
		pos += ll + 1;
		lineno++;
		if (ll > 0 && line[ll - 1] == '\r')
			ll--;
		while (ll > 0 && (line[ll - 1] == ' ' || line[ll - 1] == '\t'))
			ll--;
		size_t lead = 0;
		while (lead < ll && (line[lead] == ' ' || line[lead] == '\t'))
			lead++;
		if (lead == ll || line[lead] == '#')
			continue;
		char *copy = np_xmalloc(ll - lead + 1);
		memcpy(copy, line + lead, ll - lead);
		copy[ll - lead] = '\0';
		char *colon = strchr(copy, ':');
		const char *why = NULL;
		if (strlen(copy) != ll - lead)
			why = "a NUL byte";
		else if (colon == NULL || colon == copy)
			why = "expected user:hash";
		else if (!hash_ok(colon + 1))
			why = "the hash must be bcrypt ($2b$...) or SHA-256 crypt ($5$...)";
		if (why == NULL) {
			*colon = '\0';
			for (size_t i = 0; i < h->n && why == NULL; i++)
				if (strcmp(h->v[i].name, copy) == 0)
					why = "this user is already listed";
		}
		if (why != NULL) {
			char head[64];
			snprintf(head, sizeof head, ":%d: ", lineno);
			if (errs.len > 0)
				np_buf_puts(&errs, "\n");
			np_buf_puts(&errs, name);
			np_buf_puts(&errs, head);
			np_buf_puts(&errs, why);
			free(copy);
			continue;
		}
		h->v = np_xreallocarray(h->v, h->n + 1, sizeof *h->v);
		h->v[h->n++] = (struct user){np_xstrdup(copy), np_xstrdup(colon + 1)};
		free(copy);
	}
	if (errs.len == 0 && h->n == 0)
		np_buf_puts(&errs, name), np_buf_puts(&errs, ": no user:hash line");
	if (errs.len > 0) {
		np_cause(cause, "%s", errs.s);
		np_buf_free(&errs);
		np_htpasswd_free(h);
		return NULL;
	}
	return h;
}

struct np_htpasswd *
np_htpasswd_load(const char *path, char **cause)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		np_cause(cause, "%s: %s", path, strerror(errno));
		return NULL;
	}
	char *buf = np_xmalloc(MAX_FILE + 1);
	size_t n = fread(buf, 1, MAX_FILE + 1, f);
	bool err = ferror(f) != 0;
	fclose(f);
	struct np_htpasswd *h = NULL;
	if (err)
		np_cause(cause, "%s: read error", path);
	else if (n > MAX_FILE)
		np_cause(cause, "%s: larger than 1 MiB", path);
	else
		h = np_htpasswd_parse(path, buf, n, cause);
	free(buf);
	return h;
}

size_t
np_htpasswd_count(const struct np_htpasswd *h)
{
	return h->n;
}

static bool
same(const char *a, const char *b)
{
	size_t n = strlen(a);
	if (n != strlen(b))
		return false;
	unsigned char d = 0;
	for (size_t i = 0; i < n; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

bool
np_htpasswd_verify(const struct np_htpasswd *h, const char *user, const char *password)
{
	const char *hash = NULL;
	for (size_t i = 0; i < h->n; i++)
		if (strcmp(h->v[i].name, user) == 0)
			hash = h->v[i].hash;
	struct crypt_data *cd = np_xcalloc(1, sizeof *cd);
	/* An unknown user costs the same as a known one. */
	const char *setting =
	    hash != NULL ? hash : "$2b$10$abcdefghijklmnopqrstuu5yMAf3A9Zn1mqbP4Pg1wQm3GY7pGmYi";
	const char *out = crypt_rn(password, setting, cd, (int)sizeof *cd);
	bool ok = hash != NULL && out != NULL && out[0] != '*' && same(out, hash);
	explicit_bzero(cd, sizeof *cd);
	free(cd);
	return ok;
}
