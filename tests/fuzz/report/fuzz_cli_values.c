/*
 * Option values the CLI reads from outside besides periods: usage --columns lists and the TZ
 * variable (np_tz_local). Invariants: a parsed column list is a non-empty subset of the
 * columns; a zone from TZ has offsets within a day at any instant; every refusal says why.
 * TZ values that are paths (leading '/') are not tried: they name files, not grammar.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/usage.h"
#include "util/tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	uint32_t mask = 0;
	char *cause = NULL;
	if (np_usage_columns_parse(text, &mask, &cause) == 0) {
		if (mask == 0 || (mask & ~(uint32_t)NP_USAGE_ALL_COLUMNS) != 0)
			abort();
	} else if (cause == NULL) {
		abort();
	}
	free(cause);
	cause = NULL;

	const char *s = text[0] == ':' ? text + 1 : text;
	if (s[0] != '/') {
		struct np_tz *tz = np_tz_local(text, "/nonexistent/localtime", NULL, &cause);
		if (tz == NULL && cause == NULL)
			abort();
		if (tz != NULL) {
			static const int64_t at[] = {-2208988800LL, 0, 1796126400, 4102444800LL};
			for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
				int32_t off = np_tz_offset(tz, at[i]);
				if (off <= -86400 || off >= 86400)
					abort();
			}
			np_tz_free(tz);
		}
		free(cause);
	}
	free(text);
	return 0;
}
