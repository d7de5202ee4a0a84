/*
 * Link-state engine under arbitrary operation sequences (observe, complete, evaluate, time
 * passing), checked against the invariants of tests/unit/engine/ls_model.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define LSM_FAIL(msg)                                                                              \
	do {                                                                                       \
		fprintf(stderr, "fuzz_linkstate: invariant broken: %s\n", msg);                    \
		abort();                                                                           \
	} while (0)
#include "../../unit/engine/ls_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0; /* longer sequences find nothing new and slow the search */
	lsm_run(data, size);
	return 0;
}
