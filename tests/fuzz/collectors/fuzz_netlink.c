/* libFuzzer target: rtnetlink message buffers -> link / stats records (np_local_nl_parse). */
#include <net/if.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/local_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
on_link(void *arg, const struct np_local_link *l)
{
	size_t *n = arg;
	size_t len = strnlen(l->name, IFNAMSIZ);
	if (l->ifindex <= 0 || len >= IFNAMSIZ || (!l->deleted && len == 0))
		abort();
	(*n)++;
}

static void
on_stats(void *arg, const struct np_local_stats *s)
{
	size_t *n = arg;
	if (s->ifindex <= 0)
		abort();
	(*n)++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Both ways the collector parses: dump answers (sequence checked) and notifications. */
	for (int check = 0; check < 2; check++) {
		size_t n = 0;
		struct np_local_nl_handler h = {.link = on_link,
		                                .stats = on_stats,
		                                .arg = &n,
		                                .check_seq = check == 1,
		                                .seq = 1001};
		char *cause = NULL;
		int rc = np_local_nl_parse(data, size, &h, &cause);
		if (rc < -1 || rc > 1 || (rc == -1) != (cause != NULL))
			abort();
		/* a record is a whole message (header + if_stats_msg at least); a bad one at
		 * least a header: nothing is parsed from bytes that are not there */
		if (n * 28 + h.bad * 16 > size)
			abort();
		free(cause);
	}
	return 0;
}
