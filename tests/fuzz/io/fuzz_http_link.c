/* libFuzzer target: the Link (np_http_link_next) and Retry-After (np_http_retry_after_ms)
 * header parsers, on the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *next = np_http_link_next((const char *)data, size);
	if (next != NULL) {
		/* The target is a verbatim, non-empty slice of the input between < and >. */
		size_t n = strlen(next);
		if (n == 0 || n >= size || memmem(data, size, next, n) == NULL ||
		    strpbrk(next, " <>\t\r\n") != NULL)
			abort();
		free(next);
	}
	char *s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	int64_t ms = np_http_retry_after_ms(s, 1700000000);
	if (ms < -1)
		abort();
	free(s);
	return 0;
}
