/*
 * Fuzz target for the Flow Collector TSV parser: any bytes in, and the result must keep the
 * parser's promises (failure leaves no observation; every observation is a valid exporter
 * listed once, with up/down matching its gauge; only a file that ends without a newline may
 * be incomplete).
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/stealthwatch_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int ok)
{
	if (!ok)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct np_batch b;
	char *cause = NULL;
	np_batch_init(&b, "fuzz", 1);
	int rc = np_stealthwatch_parse((const char *)data, size, &b, &cause);
	if (rc == -1) {
		check(cause != NULL && b.n == 0 && !b.complete);
	} else {
		check(rc == 0 && cause == NULL);
		/* Only a file cut mid-line (no final newline) is incomplete, and it says so. */
		check(b.complete || (data[size - 1] != '\n' && b.skipped > 0));
		for (size_t i = 0; i < b.n; i++) {
			const struct np_obs *o = &b.obs[i];
			const char *dev = np_obs_device(&b, o);
			unsigned char bin[16];
			check(inet_pton(strchr(dev, ':') ? AF_INET6 : AF_INET, dev, bin) == 1);
			check(*np_obs_interface(&b, o) == '\0' && o->has_gauge && o->gauge >= 0);
			check(o->link == (o->gauge > 0 ? NP_LINK_UP : NP_LINK_DOWN));
			check(o->nlabels <= 5 && o->time_ms == 1);
			for (size_t j = 0; j < i && b.n <= 2000; j++)
				check(strcmp(np_obs_device(&b, &b.obs[j]), dev) != 0);
		}
	}
	free(cause);
	np_batch_free(&b);
	return 0;
}
