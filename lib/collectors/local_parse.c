#include "collectors/local_parse.h"

#include <net/if.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

#include "util/cause.h"
#include "util/str.h"

/* ---- /proc/net/dev ---- */

#define PROC_FIELDS 16

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Parses one unsigned decimal; returns the position after it, or NULL. */
static const char *
parse_u64(const char *p, const char *end, uint64_t *v)
{
	uint64_t x = 0;
	const char *start = p;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (x > (UINT64_MAX - d) / 10)
			return NULL; /* overflow: not a counter the kernel printed */
		x = x * 10 + d;
	}
	if (p == start)
		return NULL;
	*v = x;
	return p;
}

static void
skip_line(struct np_batch *b, size_t lineno, const char *what)
{
	char reason[128];
	snprintf(reason, sizeof(reason), "/proc/net/dev line %zu: %s", lineno, what);
	np_batch_skip(b, reason);
}

/* Returns 1 if an observation was added, 0 if the line was ignored or skipped. */
static int
parse_line(const char *line, const char *end, size_t lineno, const char *device,
           uint8_t counter_bits, struct np_batch *b)
{
	const char *colon = memrchr(line, ':', (size_t)(end - line));
	if (colon == NULL) {
		const char *p = line;
		while (p < end && is_blank(*p))
			p++;
		if (p == end || memchr(line, '|', (size_t)(end - line)) != NULL)
			return 0; /* blank or header line */
		skip_line(b, lineno, "no ':' after the interface name");
		return 0;
	}

	const char *n0 = line, *n1 = colon;
	while (n0 < n1 && is_blank(*n0))
		n0++;
	while (n1 > n0 && is_blank(n1[-1]))
		n1--;
	size_t nlen = (size_t)(n1 - n0);
	if (nlen == 0) {
		skip_line(b, lineno, "empty interface name");
		return 0;
	}
	if (nlen >= IFNAMSIZ) {
		skip_line(b, lineno, "interface name longer than IFNAMSIZ-1");
		return 0;
	}
	char name[IFNAMSIZ];
	for (size_t i = 0; i < nlen; i++) {
		char c = n0[i];
		if (c == '\0' || c == '/' || c == '\n' || is_blank(c)) {
			skip_line(b, lineno, "invalid character in interface name");
			return 0;
		}
		name[i] = c;
	}
	name[nlen] = '\0';
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		/* The kernel refuses these names; they would also walk out of sysfs. */
		skip_line(b, lineno, "invalid interface name");
		return 0;
	}

	uint64_t f[PROC_FIELDS];
	const char *p = colon + 1;
	size_t nf = 0;
	for (;;) {
		while (p < end && is_blank(*p))
			p++;
		if (p == end)
			break;
		if (nf == PROC_FIELDS) {
			skip_line(b, lineno, "more than 16 fields");
			return 0;
		}
		p = parse_u64(p, end, &f[nf]);
		if (p == NULL || (p < end && !is_blank(*p))) {
			skip_line(b, lineno, "field is not an unsigned decimal number");
			return 0;
		}
		nf++;
	}
	if (nf != PROC_FIELDS) {
		skip_line(b, lineno, "fewer than 16 fields");
		return 0;
	}

	struct np_obs *o = np_batch_add(b);
	np_obs_set_names(b, o, device, name);
	/* The kernel's column order; psutil's mapping (seed notes §3.3). */
	np_obs_counter(o, NP_C_RX_BYTES, f[0]);
	np_obs_counter(o, NP_C_RX_PACKETS, f[1]);
	np_obs_counter(o, NP_C_RX_ERRORS, f[2]);
	np_obs_counter(o, NP_C_RX_DROPS, f[3]);
	np_obs_counter(o, NP_C_TX_BYTES, f[8]);
	np_obs_counter(o, NP_C_TX_PACKETS, f[9]);
	np_obs_counter(o, NP_C_TX_ERRORS, f[10]);
	np_obs_counter(o, NP_C_TX_DROPS, f[11]);
	o->counter_bits = counter_bits;
	return 1;
}

size_t
np_local_parse_procnetdev(const char *text, size_t len, const char *device, uint8_t counter_bits,
                          struct np_batch *b)
{
	size_t added = 0, lineno = 0;
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl != NULL ? nl : end;
		lineno++;
		added += (size_t)parse_line(p, eol, lineno, device, counter_bits, b);
		p = nl != NULL ? nl + 1 : end;
	}
	return added;
}

int
np_local_operstate_parse(const char *s, size_t len)
{
	static const char *const names[] = {
	    [IF_OPER_UNKNOWN] = "unknown", [IF_OPER_NOTPRESENT] = "notpresent",
	    [IF_OPER_DOWN] = "down",       [IF_OPER_LOWERLAYERDOWN] = "lowerlayerdown",
	    [IF_OPER_TESTING] = "testing", [IF_OPER_DORMANT] = "dormant",
	    [IF_OPER_UP] = "up",
	};
	while (len > 0 && (is_blank(s[len - 1]) || s[len - 1] == '\n' || s[len - 1] == '\0'))
		len--;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
			return (int)i;
	return -1;
}

enum np_link_obs
np_local_link_state(int operstate, bool carrier)
{
	if (operstate == IF_OPER_UP || (operstate == IF_OPER_UNKNOWN && carrier))
		return NP_LINK_UP;
	return NP_LINK_DOWN;
}

/* ---- rtnetlink ---- */

/* Calls fn for every attribute of [p, p+len); -1 if an attribute length is invalid. */
typedef int (*attr_fn)(void *arg, unsigned type, const uint8_t *v, size_t vlen);

static int
walk_attrs(const uint8_t *p, size_t len, attr_fn fn, void *arg)
{
	size_t off = 0;
	while (len - off >= sizeof(struct rtattr)) {
		struct rtattr ra;
		memcpy(&ra, p + off, sizeof(ra));
		if (ra.rta_len < sizeof(ra) || ra.rta_len > len - off)
			return -1;
		if (fn(arg, ra.rta_type & NLA_TYPE_MASK, p + off + RTA_LENGTH(0),
		       ra.rta_len - RTA_LENGTH(0)) == -1)
			return -1;
		size_t step = RTA_ALIGN(ra.rta_len);
		off += step < len - off ? step : len - off;
	}
	return 0; /* a tail shorter than an rtattr is padding, as in the kernel's nla_ok() */
}

struct link_attrs {
	struct np_local_link *l;
	bool has_name, has_carrier, has_changes, has_up, has_down;
	uint8_t carrier;
	uint32_t changes, up, down;
};

static int
get_u32(const uint8_t *v, size_t vlen, uint32_t *out)
{
	if (vlen < sizeof(*out))
		return -1;
	memcpy(out, v, sizeof(*out));
	return 0;
}

static int
link_attr(void *arg, unsigned type, const uint8_t *v, size_t vlen)
{
	struct link_attrs *a = arg;
	switch (type) {
	case IFLA_IFNAME: {
		const uint8_t *nul = memchr(v, '\0', vlen);
		size_t n = nul != NULL ? (size_t)(nul - v) : vlen;
		if (nul == NULL || n == 0 || n >= IFNAMSIZ)
			return -1;
		memcpy(a->l->name, v, n + 1);
		a->has_name = true;
		return 0;
	}
	case IFLA_OPERSTATE:
		if (vlen < 1)
			return -1;
		a->l->operstate = v[0];
		return 0;
	case IFLA_CARRIER:
		if (vlen < 1)
			return -1;
		a->carrier = v[0];
		a->has_carrier = true;
		return 0;
	case IFLA_CARRIER_CHANGES:
		a->has_changes = true;
		return get_u32(v, vlen, &a->changes);
	case IFLA_CARRIER_UP_COUNT:
		a->has_up = true;
		return get_u32(v, vlen, &a->up);
	case IFLA_CARRIER_DOWN_COUNT:
		a->has_down = true;
		return get_u32(v, vlen, &a->down);
	default:
		return 0;
	}
}

static void
parse_link(const uint8_t *p, size_t len, bool deleted, struct np_local_nl_handler *h)
{
	struct ifinfomsg ifi;
	if (len < sizeof(ifi)) {
		h->bad++;
		return;
	}
	memcpy(&ifi, p, sizeof(ifi));
	struct np_local_link l;
	memset(&l, 0, sizeof(l));
	l.ifindex = ifi.ifi_index;
	l.flags = ifi.ifi_flags;
	l.deleted = deleted;
	struct link_attrs a = {.l = &l};
	size_t hl = NLMSG_ALIGN(sizeof(ifi));
	if (hl > len || walk_attrs(p + hl, len - hl, link_attr, &a) == -1 || l.ifindex <= 0 ||
	    (!deleted && !a.has_name)) {
		h->bad++;
		return;
	}
	l.carrier = a.has_carrier ? a.carrier != 0 : (l.flags & IFF_LOWER_UP) != 0;
	if (a.has_changes) {
		l.carrier_changes = a.changes;
		l.has_carrier_changes = true;
	} else if (a.has_up && a.has_down) {
		l.carrier_changes = (uint64_t)a.up + a.down;
		l.has_carrier_changes = true;
	}
	if (h->link != NULL)
		h->link(h->arg, &l);
}

/* The first 16 fields of struct rtnl_link_stats64 (its size grows with kernel versions). */
enum {
	S_RX_PACKETS,
	S_TX_PACKETS,
	S_RX_BYTES,
	S_TX_BYTES,
	S_RX_ERRORS,
	S_TX_ERRORS,
	S_RX_DROPPED,
	S_TX_DROPPED,
	S_RX_MISSED = 15,
	S_FIELDS
};

static void
parse_stats(const uint8_t *p, size_t len, struct np_local_nl_handler *h)
{
	struct if_stats_msg ism;
	if (len < sizeof(ism)) {
		h->bad++;
		return;
	}
	memcpy(&ism, p, sizeof(ism));
	/* The attribute walk is inlined here: this runs once per interface per poll. */
	uint64_t f[S_FIELDS];
	bool has = false;
	size_t off = NLMSG_ALIGN(sizeof(ism));
	while (off <= len && len - off >= sizeof(struct rtattr)) {
		struct rtattr ra;
		memcpy(&ra, p + off, sizeof(ra));
		if (ra.rta_len < sizeof(ra) || ra.rta_len > len - off)
			goto bad;
		if ((ra.rta_type & NLA_TYPE_MASK) == IFLA_STATS_LINK_64) {
			size_t vlen = ra.rta_len - RTA_LENGTH(0);
			if (vlen < (S_TX_DROPPED + 1) * sizeof(uint64_t))
				goto bad;
			if (vlen >= sizeof(f)) {
				memcpy(f, p + off + RTA_LENGTH(0), sizeof(f));
			} else {
				memset(f, 0, sizeof(f));
				memcpy(f, p + off + RTA_LENGTH(0), vlen);
			}
			has = true;
		}
		size_t step = RTA_ALIGN(ra.rta_len);
		off += step < len - off ? step : len - off;
	}
	/* __u32 here, int in ifinfomsg */
	if (!has || ism.ifindex == 0 || ism.ifindex > INT32_MAX)
		goto bad;
	struct np_local_stats s;
	s.ifindex = (int32_t)ism.ifindex;
	s.counters[NP_C_RX_BYTES] = f[S_RX_BYTES];
	s.counters[NP_C_TX_BYTES] = f[S_TX_BYTES];
	s.counters[NP_C_RX_PACKETS] = f[S_RX_PACKETS];
	s.counters[NP_C_TX_PACKETS] = f[S_TX_PACKETS];
	s.counters[NP_C_RX_ERRORS] = f[S_RX_ERRORS];
	s.counters[NP_C_TX_ERRORS] = f[S_TX_ERRORS];
	/* /proc/net/dev prints rx_dropped + rx_missed_errors as "drop": both readers agree. */
	s.counters[NP_C_RX_DROPS] = f[S_RX_DROPPED] + f[S_RX_MISSED];
	s.counters[NP_C_TX_DROPS] = f[S_TX_DROPPED];
	if (h->stats != NULL)
		h->stats(h->arg, &s);
	return;
bad:
	h->bad++;
}

/* The kernel sends -errno; anything else (INT_MIN cannot even be negated) is no errno. */
static const char *
errno_text(int err)
{
	return err < 0 && err > -4096 ? strerror(-err) : "bad error code";
}

int
np_local_nl_parse(const void *buf, size_t len, struct np_local_nl_handler *h, char **cause)
{
	const uint8_t *p = buf;
	size_t off = 0;
	while (len - off >= sizeof(struct nlmsghdr)) {
		struct nlmsghdr nh;
		memcpy(&nh, p + off, sizeof(nh));
		if (nh.nlmsg_len < NLMSG_HDRLEN || nh.nlmsg_len > len - off) {
			np_cause(cause, "netlink: bad message length %u at offset %zu of %zu",
			         nh.nlmsg_len, off, len);
			return -1;
		}
		const uint8_t *pl = p + off + NLMSG_HDRLEN;
		size_t plen = nh.nlmsg_len - NLMSG_HDRLEN;
		if (!h->check_seq || nh.nlmsg_seq == h->seq) {
			int err;
			if (nh.nlmsg_flags & NLM_F_DUMP_INTR)
				h->intr = true;
			switch (nh.nlmsg_type) {
			case NLMSG_DONE:
				if (plen >= sizeof(err)) {
					memcpy(&err, pl, sizeof(err));
					if (err < 0) {
						np_cause(cause, "netlink dump: %s",
						         errno_text(err));
						return -1;
					}
				}
				return 0;
			case NLMSG_ERROR:
				if (plen < sizeof(err)) {
					np_cause(cause, "netlink: truncated error message");
					return -1;
				}
				memcpy(&err, pl, sizeof(err));
				if (err != 0) {
					np_cause(cause, "netlink: %s", errno_text(err));
					return -1;
				}
				break; /* an ACK */
			case RTM_NEWLINK:
			case RTM_DELLINK:
				parse_link(pl, plen, nh.nlmsg_type == RTM_DELLINK, h);
				break;
			case RTM_NEWSTATS:
				parse_stats(pl, plen, h);
				break;
			default:
				break;
			}
		}
		size_t step = NLMSG_ALIGN(nh.nlmsg_len);
		off += step < len - off ? step : len - off;
	}
	if (off != len) {
		np_cause(cause, "netlink: %zu trailing bytes", len - off);
		return -1;
	}
	return 1;
}

size_t
np_local_nl_getstats_req(void *buf, uint32_t seq)
{
	struct {
		struct nlmsghdr nh;
		struct if_stats_msg ism;
	} req;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ism));
	req.nh.nlmsg_type = RTM_GETSTATS;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = seq;
	req.ism.family = AF_UNSPEC;
	req.ism.filter_mask = IFLA_STATS_FILTER_BIT(IFLA_STATS_LINK_64);
	memcpy(buf, &req, req.nh.nlmsg_len);
	return req.nh.nlmsg_len;
}

size_t
np_local_nl_getlink_req(void *buf, uint32_t seq)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
		struct rtattr ra;
		uint32_t ext_mask;
	} req;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi)) + RTA_LENGTH(sizeof(req.ext_mask));
	req.nh.nlmsg_type = RTM_GETLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = seq;
	req.ifi.ifi_family = AF_UNSPEC;
	req.ra.rta_type = IFLA_EXT_MASK;
	req.ra.rta_len = RTA_LENGTH(sizeof(req.ext_mask));
	/* Counters come from RTM_GETSTATS; skipping them makes the link dump much cheaper. */
	req.ext_mask = RTEXT_FILTER_SKIP_STATS;
	memcpy(buf, &req, req.nh.nlmsg_len);
	return req.nh.nlmsg_len;
}
