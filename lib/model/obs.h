#ifndef NP_MODEL_OBS_H
#define NP_MODEL_OBS_H
/*
 * Observations: what a collector saw, nothing computed. Collectors fill a batch per poll; the
 * pipeline turns it into deltas, states, rows and alerts (DESIGN §2, §4).
 *
 * Names and labels are strings owned by the batch: one arena per batch (kept across
 * np_batch_reset, so a steady-state poll allocates nothing) that observations point into by
 * offset. Identical strings within a batch usually share storage (label keys and values repeat
 * across thousands of rows). A name that does not fit NP_NAME_MAX is truncated by
 * np_obs_set_names() and the observation is flagged (a collector should count and report that
 * rather than merge two different things silently).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NP_NAME_MAX 128     /* device, interface and label values, including the NUL */
#define NP_LABEL_KEY_MAX 32 /* label keys, including the NUL */
#define NP_LABELS_MAX 10
/* Slots of a batch's table of recently stored strings (a power of two). */
#define NP_INTERN_SLOTS 256

/* The counters an interface-like series can carry; index into np_obs.counters. */
enum np_counter_id {
	NP_C_RX_BYTES,
	NP_C_TX_BYTES,
	NP_C_RX_PACKETS,
	NP_C_TX_PACKETS,
	NP_C_RX_ERRORS,
	NP_C_TX_ERRORS,
	NP_C_RX_DROPS,
	NP_C_TX_DROPS,
	NP_C_MAX
};
/* Stable names used in the database and reports: "rx_bytes", "tx_bytes", ... */
extern const char *const np_counter_names[NP_C_MAX];

enum np_link_obs {
	NP_LINK_NONE, /* this observation says nothing about up/down */
	NP_LINK_UP,
	NP_LINK_DOWN,
	/*
	 * The interface no longer exists (the kernel deleted it: a container's veth, a VPN
	 * tunnel). GONE_ALERT: the same, and its deletion alerts (the source's alert_on_delete).
	 */
	NP_LINK_GONE,
	NP_LINK_GONE_ALERT,
};

/* Whether the source itself says the link carried traffic before (DESIGN §6 "never-up"). */
/* What an interval amount counts (the series kind it is stored under). */
enum np_amount_kind {
	NP_AMOUNT_USAGE,      /* traffic of the series (kind "usage"; counted by `usage`) */
	NP_AMOUNT_TALKER_DST, /* one external address: device = it, interface "dst" ("talker-dst")
	                       */
	NP_AMOUNT_TALKER_SRC, /* one internal address, interface "src" ("talker-src"); not in usage
	                       */
};

enum np_ever_up {
	NP_EVER_UNKNOWN,
	NP_EVER_NO,  /* e.g. a Flow Collector row with Last Active 0 */
	NP_EVER_YES, /* e.g. Last Active > 0 */
};

/* A label of an observation: offsets of its key and value in the batch's string arena. */
struct np_label {
	uint32_t key, value;
};

struct np_obs {
	int64_t time_ms; /* UTC wall clock of the reading */

	/* Counters: cumulative, raw as read. Bit i of counter_mask set => counters[i] valid. */
	uint64_t counters[NP_C_MAX];
	/*
	 * Anything whose change means the counters restarted from zero: ifindex, a boot id hash,
	 * a source restart counter. 0 = not known. Compared, never interpreted.
	 */
	uint64_t epoch;
	uint64_t speed_bps; /* link speed in bits/s for the spike clamp; 0 = unknown */
	/* Carrier up+down changes since the interface appeared (netlink IFLA_CARRIER_*_COUNT). */
	uint64_t carrier_changes;
	/* A gauge sampled at time_ms (e.g. Current NetFlow bps). */
	double gauge;
	/*
	 * An interval amount (is_amount): counters[] (counter_mask) hold what the source reports
	 * for [amount_start_ms, amount_end_ms), already a delta (e.g. a Meraki client's kB of one
	 * day). Stored idempotently (the same series and interval replace, never add); the counter
	 * engine is not involved. See np_obs_amount().
	 */
	int64_t amount_start_ms, amount_end_ms;

	/*
	 * Names and labels live in the batch (np_obs_device() etc.): offsets, never pointers, as
	 * the batch's arrays move when they grow. Offset 0 is "".
	 */
	uint32_t device;    /* host name, exporter address, gateway name */
	uint32_t interface; /* ifname, tun-..., or "" for a device as a whole */
	uint32_t label0;    /* first of nlabels consecutive entries of the batch's labels */
	uint32_t counter_mask;

	/* Link state as the source reports it. */
	enum np_link_obs link;
	enum np_ever_up ever_up;

	uint8_t counter_bits; /* 32 or 64; 0 = unknown (treated as 64, never guessed from value) */
	uint8_t nlabels;
	bool truncated; /* a name or label did not fit */
	bool has_gauge;
	bool has_carrier_changes;
	bool is_amount;
	uint8_t amount_kind; /* enum np_amount_kind, with is_amount */
	/*
	 * A reading out of a history the source may hand over again (per-sample series re-read
	 * over an overlapping window, or back-filled after a restart): one timed at or before the
	 * series' last accepted reading is skipped silently instead of being judged (a CLOCK
	 * verdict would move the baseline back and count the same traffic twice). Readings of one
	 * series must come in time order within a batch.
	 */
	bool replay;
};

/*
 * One poll of one source. `complete` says the batch lists every link the source currently
 * knows: links of this source missing from a complete batch stop being fresh at once
 * (DESIGN §6: "a source that stops listing a link simply stops being fresh for it").
 */
struct np_batch {
	char source[NP_NAME_MAX];
	int64_t time_ms; /* UTC wall clock when it was read */
	/*
	 * The monotonic clock at the same moment (np_batch_init/np_batch_reset sample it): link
	 * state runs on it (DESIGN §6), so a wall-clock step neither hides an outage nor makes
	 * observations stale. An observation's monotonic time is mono_ms + (its time_ms - time_ms).
	 */
	int64_t mono_ms;
	bool complete;
	struct np_obs *obs;
	size_t n, cap;
	/* Rows/lines the collector could not use, with the first reason (for logs and --explain).
	 */
	size_t skipped;
	char skip_reason[256];

	/* Strings of the observations: NUL-terminated, back to back; pool[0] is "". */
	char *pool;
	size_t pool_len, pool_cap;
	struct np_label *labels; /* each observation's labels are consecutive */
	size_t nlabels, labels_cap;
	/* Recently stored strings by hash (off 0 = empty): how identical strings share storage. */
	struct np_intern {
		uint32_t hash, off;
	} intern[NP_INTERN_SLOTS];
};

void np_batch_init(struct np_batch *b, const char *source, int64_t time_ms);
/*
 * Appends a zeroed observation (time_ms = batch time, names "") and returns it; never fails.
 * It may move b->obs: keep indices, not pointers, across adds.
 */
struct np_obs *np_batch_add(struct np_batch *b);
/* Empties the batch for reuse, keeping its memory (observations, strings, labels). */
void np_batch_reset(struct np_batch *b, int64_t time_ms);
/*
 * Like np_batch_reset, but the strings and labels stay valid: the slots b->obs[0 .. old n)
 * keep their names in memory, so a collector listing the same things in the same order can
 * refill a slot (b->obs[b->n++], overwriting its numbers) without naming it again. What is
 * named meanwhile accumulates until the next np_batch_reset: the caller bounds it (pool_len).
 */
void np_batch_rewind(struct np_batch *b, int64_t time_ms);
void np_batch_free(struct np_batch *b);
/* Counts a skipped input row; the first reason is kept. */
void np_batch_skip(struct np_batch *b, const char *reason);
/* Heap bytes the batch holds (capacities, not use): what a poll of this size costs. */
size_t np_batch_heap_bytes(const struct np_batch *b);

/*
 * Sets the names of o (an observation of b), truncated to NP_NAME_MAX - 1 bytes (o->truncated
 * is then set). Strings returned by the accessors below stay valid until the next add, set or
 * reset on b: copy them, or read them again, after that.
 */
void np_obs_set_names(struct np_batch *b, struct np_obs *o, const char *device,
                      const char *interface);
/*
 * Adds or replaces a label of o (key truncated to NP_LABEL_KEY_MAX - 1 bytes, value to
 * NP_NAME_MAX - 1, flagging o->truncated); returns -1 if NP_LABELS_MAX labels are already set.
 */
int np_obs_label(struct np_batch *b, struct np_obs *o, const char *key, const char *value);

static inline const char *
np_obs_device(const struct np_batch *b, const struct np_obs *o)
{
	return b->pool + o->device;
}

static inline const char *
np_obs_interface(const struct np_batch *b, const struct np_obs *o)
{
	return b->pool + o->interface;
}

static inline size_t
np_obs_nlabels(const struct np_obs *o)
{
	return o->nlabels;
}

/* The i-th label of o, i < np_obs_nlabels(o), in the order they were first set. */
static inline const char *
np_obs_label_key(const struct np_batch *b, const struct np_obs *o, size_t i)
{
	return b->pool + b->labels[o->label0 + i].key;
}

static inline const char *
np_obs_label_value(const struct np_batch *b, const struct np_obs *o, size_t i)
{
	return b->pool + b->labels[o->label0 + i].value;
}

static inline void
np_obs_counter(struct np_obs *o, enum np_counter_id id, uint64_t v)
{
	o->counters[id] = v;
	o->counter_mask |= 1u << id;
}

/* Marks o as an amount over [start_ms, end_ms): its counters are that interval's totals. */
static inline void
np_obs_amount(struct np_obs *o, int64_t start_ms, int64_t end_ms)
{
	o->is_amount = true;
	o->amount_start_ms = start_ms;
	o->amount_end_ms = end_ms;
}

#endif
