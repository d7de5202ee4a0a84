#ifndef NP_COLLECTORS_LOCAL_PARSE_H
#define NP_COLLECTORS_LOCAL_PARSE_H
/*
 * Pure parsers of the `local` collector (DESIGN §2): /proc/net/dev text and rtnetlink message
 * buffers in, observations / link and stats records out. No I/O, no allocation beyond the
 * batch's own growth. Fed by fixtures in unit tests and by fuzz_procnetdev / fuzz_netlink.
 */
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/obs.h"

/*
 * Parses /proc/net/dev text (len bytes, need not be NUL-terminated) and appends one
 * observation per interface line: device/interface names, the 8 counters mapped as psutil
 * does (rx/tx bytes, packets, errs, drop; fifo/frame/compressed/multicast/colls/carrier are
 * discarded) and counter_bits. Header lines (containing '|' and no ':') are ignored; any other
 * malformed line is counted with np_batch_skip() and the rest of the text is still parsed.
 * Returns the number of observations appended.
 */
size_t np_local_parse_procnetdev(const char *text, size_t len, const char *device,
                                 uint8_t counter_bits, struct np_batch *b);

/* IF_OPER_* from a /sys/class/net/X/operstate word ("up", "lowerlayerdown", ...); -1 if
 * unknown. Trailing whitespace is allowed. */
int np_local_operstate_parse(const char *s, size_t len);

/*
 * The link state rule: up iff oper state is up, or oper state is unknown with carrier on (so
 * tun/WireGuard-like interfaces that never report an oper state are not "down").
 */
enum np_link_obs np_local_link_state(int operstate, bool carrier);

/* One RTM_NEWLINK / RTM_DELLINK record. */
struct np_local_link {
	int32_t ifindex;
	char name[IFNAMSIZ]; /* "" when the message carried no IFLA_IFNAME (RTM_DELLINK only) */
	uint32_t flags;      /* ifi_flags (IFF_UP, IFF_LOWER_UP, ...) */
	int operstate;       /* IF_OPER_*; IF_OPER_UNKNOWN (0) when absent */
	bool carrier;        /* IFLA_CARRIER, else IFF_LOWER_UP */
	uint64_t carrier_changes;
	bool has_carrier_changes;
	bool deleted; /* RTM_DELLINK */
};

/* One RTM_NEWSTATS record (IFLA_STATS_LINK_64), counters indexed by enum np_counter_id. */
struct np_local_stats {
	int32_t ifindex;
	uint64_t counters[NP_C_MAX];
};

struct np_local_nl_handler {
	void (*link)(void *arg, const struct np_local_link *l);
	void (*stats)(void *arg, const struct np_local_stats *s);
	void *arg;
	/* When check_seq, messages whose nlmsg_seq differs (a late answer to an abandoned dump)
	 * are ignored; notifications (seq 0) are parsed with check_seq false. */
	bool check_seq;
	uint32_t seq;
	/* Out: records that were skipped because their attributes were malformed. */
	size_t bad;
	/* Out: the kernel flagged the dump NLM_F_DUMP_INTR (links changed while it ran: some
	 * may be missing or repeated); the caller should dump again. */
	bool intr;
};

/*
 * Walks one buffer of netlink messages (one or more recv() results concatenated) and calls
 * the handler per link / stats record. Every nlmsghdr and rtattr length is validated; a
 * malformed record is skipped (h->bad++), a malformed message header ends the walk.
 * Returns 1 if more messages of a dump are expected, 0 once NLMSG_DONE was seen, -1 with
 * *cause on NLMSG_ERROR or a malformed message header.
 */
int np_local_nl_parse(const void *buf, size_t len, struct np_local_nl_handler *h, char **cause);

/* Builds dump requests into buf (at least NP_LOCAL_NL_REQ_MAX bytes); returns the length. */
#define NP_LOCAL_NL_REQ_MAX 64
size_t np_local_nl_getstats_req(void *buf, uint32_t seq);
size_t np_local_nl_getlink_req(void *buf, uint32_t seq);

#endif
