#include "model/obs.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "util/str.h"
#include "util/xmalloc.h"

const char *const np_counter_names[NP_C_MAX] = {
    "rx_bytes",  "tx_bytes",  "rx_packets", "tx_packets",
    "rx_errors", "tx_errors", "rx_drops",   "tx_drops",
};

void
np_batch_init(struct np_batch *b, const char *source, int64_t time_ms)
{
	memset(b, 0, sizeof(*b));
	np_strlcpy(b->source, source, sizeof(b->source));
	b->time_ms = time_ms;
	b->mono_ms = np_mono_ms();
}

struct np_obs *
np_batch_add(struct np_batch *b)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->obs = np_xreallocarray(b->obs, b->cap, sizeof(*b->obs));
	}
	struct np_obs *o = &b->obs[b->n++];
	/* Label storage is most of the struct and is only read up to nlabels: not zeroed. */
	memset(o, 0, offsetof(struct np_obs, labels));
	o->nlabels = 0;
	o->time_ms = b->time_ms;
	return o;
}

void
np_batch_reset(struct np_batch *b, int64_t time_ms)
{
	b->n = 0;
	b->time_ms = time_ms;
	b->mono_ms = np_mono_ms();
	b->skipped = 0;
	b->skip_reason[0] = '\0';
	b->complete = false;
}

void
np_batch_free(struct np_batch *b)
{
	free(b->obs);
	b->obs = NULL;
	b->n = b->cap = 0;
}

void
np_batch_skip(struct np_batch *b, const char *reason)
{
	if (b->skipped++ == 0)
		np_strlcpy(b->skip_reason, reason, sizeof(b->skip_reason));
}

void
np_obs_set_names(struct np_obs *o, const char *device, const char *interface)
{
	if (np_strlcpy(o->device, device, sizeof(o->device)) >= sizeof(o->device))
		o->truncated = true;
	if (np_strlcpy(o->interface, interface, sizeof(o->interface)) >= sizeof(o->interface))
		o->truncated = true;
}

int
np_obs_label(struct np_obs *o, const char *key, const char *value)
{
	struct np_label *l = NULL;
	for (uint8_t i = 0; i < o->nlabels; i++)
		if (strcmp(o->labels[i].key, key) == 0)
			l = &o->labels[i];
	if (l == NULL) {
		if (o->nlabels == NP_LABELS_MAX)
			return -1;
		l = &o->labels[o->nlabels++];
	}
	if (np_strlcpy(l->key, key, sizeof(l->key)) >= sizeof(l->key) ||
	    np_strlcpy(l->value, value, sizeof(l->value)) >= sizeof(l->value))
		o->truncated = true;
	return 0;
}
