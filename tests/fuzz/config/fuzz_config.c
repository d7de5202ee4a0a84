/*
 * np_config_parse on arbitrary bytes: never crashes or leaks, and always returns either a
 * config (cause untouched) or NULL with a non-empty cause, every line "fuzz:L:C: ...".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_cause(const char *cause)
{
	/* Every line names the input and a position (or is the "more errors" summary). */
	for (const char *line = cause; line != NULL;) {
		if (strncmp(line, "fuzz:", 5) != 0)
			abort();
		const char *nl = strchr(line, '\n');
		line = nl ? nl + 1 : NULL;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *cause = NULL;
	/* Paths expand ${CREDENTIALS_DIRECTORY} (config/credpath.c) only where it is set. */
	setenv("CREDENTIALS_DIRECTORY", "/run/credentials/netpulsed.service", 0);
	struct np_config *cfg = np_config_parse("fuzz", (const char *)data, size, &cause);
	if (cfg != NULL) {
		if (cause != NULL)
			abort();
		/* Exercise what the daemon reads of a loaded config. */
		for (size_t i = 0; i < cfg->nsources; i++) {
			if (cfg->sources[i].name == NULL || cfg->sources[i].type == NULL)
				abort();
			if (np_source_stale_after_ms(&cfg->sources[i]) < 0)
				abort();
			if (!np_source_cfg_equal(&cfg->sources[i], &cfg->sources[i]))
				abort();
		}
		np_config_free(cfg);
	} else {
		if (cause == NULL || *cause == '\0')
			abort();
		check_cause(cause);
		free(cause);
	}
	return 0;
}
