#ifndef NP_COLLECTORS_LOCAL_TABLE_H
#define NP_COLLECTORS_LOCAL_TABLE_H
/*
 * The local collector's per-ifindex link table: what the last RTM_NEWLINK (or sysfs read) said
 * about each interface, plus the cached include/exclude verdict for its name so regexec runs
 * only when a name is first seen or changes. Open addressing with linear probing; no
 * allocation unless the number of interfaces grows.
 *
 * Entry pointers stay valid until the next np_local_table_put() or np_local_table_del().
 */
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct np_local_entry {
	int32_t ifindex; /* 0 = free slot */
	char name[IFNAMSIZ];
	int operstate; /* IF_OPER_* */
	bool carrier;
	bool keep; /* include/exclude verdict for name */
	uint64_t carrier_changes;
	bool has_carrier_changes;
	uint64_t speed_bps; /* 0 = unknown */
	uint32_t gen;       /* last dump/poll that saw it (for sweeping vanished links) */
	bool held;          /* closed (down), not said yet: a deletion may follow (local.c) */
	uint8_t held_from;  /* enum np_link_obs said before the close */
};

struct np_local_table;

struct np_local_table *np_local_table_new(void);
void np_local_table_free(struct np_local_table *t);
struct np_local_entry *np_local_table_get(struct np_local_table *t, int32_t ifindex);
/* Finds or inserts (zeroed but for ifindex; *created says which). ifindex must be > 0. */
struct np_local_entry *np_local_table_put(struct np_local_table *t, int32_t ifindex, bool *created);
void np_local_table_del(struct np_local_table *t, int32_t ifindex);
size_t np_local_table_count(const struct np_local_table *t);
/* Iteration: start with *it = 0; returns NULL at the end. No put/del while iterating. */
struct np_local_entry *np_local_table_next(struct np_local_table *t, size_t *it);
/* Deletes every entry whose gen differs from gen, calling gone (if not NULL) with each one
 * first; returns how many. */
size_t np_local_table_sweep(struct np_local_table *t, uint32_t gen,
                            void (*gone)(void *arg, const struct np_local_entry *e), void *arg);

#endif
