/*
 * The basic-auth users file and Authorization header on arbitrary bytes: the parser returns
 * users or NULL with a cause naming "fuzz:LINE" on every line; the header decoder returns
 * false or a user and password that hold no NUL. Never a crash or a leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web/auth.h"
#include "web/htpasswd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *cause = NULL;
	struct np_htpasswd *h = np_htpasswd_parse("fuzz", (const char *)data, size, &cause);
	if (h == NULL) {
		if (cause == NULL || strncmp(cause, "fuzz", 4) != 0)
			abort();
		free(cause);
	}
	np_htpasswd_free(h);
	char *text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	char *u = NULL, *p = NULL;
	if (np_auth_basic_decode(text, &u, &p)) {
		if (u == NULL || p == NULL)
			abort();
		free(u);
		free(p);
	}
	free(text);
	return 0;
}
