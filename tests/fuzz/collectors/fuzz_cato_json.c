/*
 * Fuzz target for the Cato answer parser and the label fallback. Promises checked: a failed
 * answer adds nothing and says why; a parsed one adds only amounts inside the frame asked for,
 * one hour wide, with at least one counter; an error answer carries its message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/cato.h"
#include "util/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FROM 1773100800LL
#define TO (FROM + 24 * 3600)

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
	np_batch_init(&b, "cato", FROM * 1000);
	struct np_cato_result res;
	char *cause = NULL;
	int rc = np_cato_parse((const char *)data, size, FROM, TO, &b, &res, &cause);
	if (rc == -1) {
		check(cause != NULL && b.n == 0 && res.message == NULL);
	} else {
		check(cause == NULL);
		check((res.answer == NP_CATO_OK) == (res.message == NULL));
		check(res.amounts == b.n);
		for (size_t i = 0; i < b.n; i++) {
			const struct np_obs *o = &b.obs[i];
			check(o->is_amount && o->counter_mask != 0);
			check(o->amount_start_ms >= FROM * 1000 && o->amount_start_ms < TO * 1000);
			check(o->amount_end_ms - o->amount_start_ms == res.granularity * 1000);
		}
	}
	free(cause);
	free(res.message);
	np_batch_free(&b);

	/* The label parser on the same bytes as text. */
	char *s = np_xstrndup((const char *)data, size);
	char *m, *a, *u;
	if (np_cato_parse_label(s, &m, &a, &u) == 0) {
		check(m != NULL && a != NULL);
		free(m);
		free(a);
		free(u);
	} else {
		check(m == NULL && a == NULL && u == NULL);
	}
	free(s);
	return 0;
}
