/* libFuzzer target: /proc/net/dev text -> observations (np_local_parse_procnetdev). */
#include <net/if.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/local_parse.h"
#include "model/obs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct np_batch b;
	np_batch_init(&b, "fuzz", 0);
	size_t n = np_local_parse_procnetdev((const char *)data, size, "host", 64, &b);
	if (n != b.n)
		abort();
	for (size_t i = 0; i < b.n; i++) {
		size_t len = strlen(np_obs_interface(&b, &b.obs[i]));
		/* Names are whole kernel names or nothing: never empty, never cut. */
		if (len == 0 || len >= IFNAMSIZ || b.obs[i].truncated ||
		    b.obs[i].counter_mask != (1u << NP_C_MAX) - 1)
			abort();
	}
	np_batch_free(&b);
	return 0;
}
