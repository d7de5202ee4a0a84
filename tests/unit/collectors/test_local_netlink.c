/*
 * rtnetlink parser against real dump bytes captured on this kind of machine
 * (tests/fixtures/local/capture.sh; expected values in tests/fixtures/local/expected.txt and
 * proc_net_dev.txt of the same capture), and against broken buffers.
 */
#include "local_test.h"

#include <errno.h>
#include <limits.h>
#include <net/if.h> /* before linux/if.h */
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>

#include "collectors/local_parse.h"

#define MAXREC 16

struct rec {
	struct np_local_link links[MAXREC];
	size_t nlinks;
	struct np_local_stats stats[MAXREC];
	size_t nstats;
};

static void
on_link(void *arg, const struct np_local_link *l)
{
	struct rec *r = arg;
	if (r->nlinks < MAXREC)
		r->links[r->nlinks] = *l;
	r->nlinks++;
}

static void
on_stats(void *arg, const struct np_local_stats *s)
{
	struct rec *r = arg;
	if (r->nstats < MAXREC)
		r->stats[r->nstats] = *s;
	r->nstats++;
}

static int
parse(const void *buf, size_t len, struct rec *r, bool check_seq, uint32_t seq, size_t *bad,
      char **cause)
{
	memset(r, 0, sizeof(*r));
	struct np_local_nl_handler h = {
	    .link = on_link, .stats = on_stats, .arg = r, .check_seq = check_seq, .seq = seq};
	int rc = np_local_nl_parse(buf, len, &h, cause);
	if (bad != NULL)
		*bad = h.bad;
	return rc;
}

static uint8_t *
load(const char *name, size_t *len)
{
	char *rel = np_xasprintf("local/%s", name);
	char *path = np_test_fixture(rel);
	uint8_t *buf = (uint8_t *)np_test_read_file(path, len);
	free(path);
	free(rel);
	return buf;
}

static void
expect_stats(const struct np_local_stats *s, int32_t ifindex, uint64_t rxb, uint64_t txb,
             uint64_t rxp, uint64_t txp, uint64_t rxd)
{
	assert_int_equal(s->ifindex, ifindex);
	assert_int_equal(s->counters[NP_C_RX_BYTES], rxb);
	assert_int_equal(s->counters[NP_C_TX_BYTES], txb);
	assert_int_equal(s->counters[NP_C_RX_PACKETS], rxp);
	assert_int_equal(s->counters[NP_C_TX_PACKETS], txp);
	assert_int_equal(s->counters[NP_C_RX_ERRORS], 0);
	assert_int_equal(s->counters[NP_C_TX_ERRORS], 0);
	assert_int_equal(s->counters[NP_C_RX_DROPS], rxd);
	assert_int_equal(s->counters[NP_C_TX_DROPS], 0);
}

static void
test_getstats_capture(void **state)
{
	size_t len, bad;
	uint8_t *buf = load("getstats.bin", &len);
	struct rec r;
	assert_int_equal(parse(buf, len, &r, true, 1001, &bad, NULL), 0);
	assert_int_equal(bad, 0);
	assert_int_equal(r.nstats, 5);
	assert_int_equal(r.nlinks, 0);
	/* lo: exactly 5 UDP datagrams of 100 bytes, 128 bytes each at the IP layer. */
	expect_stats(&r.stats[0], 1, 640, 640, 5, 5, 0);
	expect_stats(&r.stats[1], 2, 0, 0, 0, 0, 0);
	expect_stats(&r.stats[2], 3, 0, 0, 0, 0, 0);
	/* v1 received 3 raw 60-byte frames with an unknown ethertype (dropped); v0 sent them. */
	expect_stats(&r.stats[3], 4, 180, 0, 3, 0, 3);
	expect_stats(&r.stats[4], 5, 0, 180, 0, 3, 0);
	free(buf);
}

/* Both readers must say the same for the same moment: netlink counters == /proc/net/dev. */
static void
test_getstats_agrees_with_proc(void **state)
{
	size_t len, tlen;
	uint8_t *buf = load("getstats.bin", &len);
	uint8_t *lbuf = load("getlink.bin", &tlen);
	struct rec r, lr;
	assert_int_equal(parse(buf, len, &r, true, 1001, NULL, NULL), 0);
	assert_int_equal(parse(lbuf, tlen, &lr, true, 1002, NULL, NULL), 0);
	char *path = np_test_fixture("local/proc_net_dev.txt");
	char *text = np_test_read_file(path, &tlen);
	struct np_batch b;
	np_batch_init(&b, "s", 0);
	assert_int_equal(np_local_parse_procnetdev(text, tlen, "h", 64, &b), 5);
	for (size_t i = 0; i < r.nstats; i++) {
		const char *name = NULL;
		for (size_t j = 0; j < lr.nlinks; j++)
			if (lr.links[j].ifindex == r.stats[i].ifindex)
				name = lr.links[j].name;
		assert_non_null(name);
		const struct np_obs *o = lt_find(&b, name);
		assert_non_null(o);
		for (int c = 0; c < NP_C_MAX; c++)
			assert_int_equal(o->counters[c], r.stats[i].counters[c]);
	}
	np_batch_free(&b);
	free(text);
	free(path);
	free(lbuf);
	free(buf);
}

static void
expect_link(const struct np_local_link *l, int32_t ifindex, const char *name, int operstate,
            bool carrier, uint64_t changes, enum np_link_obs state)
{
	assert_int_equal(l->ifindex, ifindex);
	assert_string_equal(l->name, name);
	assert_int_equal(l->operstate, operstate);
	assert_int_equal(l->carrier, carrier);
	assert_true(l->has_carrier_changes);
	assert_int_equal(l->carrier_changes, changes);
	assert_false(l->deleted);
	assert_int_equal(np_local_link_state(l->operstate, l->carrier), state);
}

static void
test_getlink_capture(void **state)
{
	size_t len, bad;
	uint8_t *buf = load("getlink.bin", &len);
	struct rec r;
	assert_int_equal(parse(buf, len, &r, true, 1002, &bad, NULL), 0);
	assert_int_equal(bad, 0);
	assert_int_equal(r.nlinks, 5);
	assert_int_equal(r.nstats, 0);
	expect_link(&r.links[0], 1, "lo", IF_OPER_UNKNOWN, true, 0, NP_LINK_UP);
	assert_true(r.links[0].flags & IFF_LOOPBACK);
	/* admin down: the kernel still says carrier 1, the oper state decides */
	expect_link(&r.links[1], 2, "ifb0", IF_OPER_DOWN, true, 0, NP_LINK_DOWN);
	assert_false(r.links[1].flags & IFF_UP);
	/* up without an oper state (like tun): carrier on => up; the name is IFNAMSIZ-1 long */
	expect_link(&r.links[2], 3, "ifb-abcdefghijk", IF_OPER_UNKNOWN, true, 0, NP_LINK_UP);
	/* the veth pair, flapped up/down/up before the capture: 2 ups + 2 downs */
	expect_link(&r.links[3], 4, "v1", IF_OPER_UP, true, 4, NP_LINK_UP);
	expect_link(&r.links[4], 5, "v0", IF_OPER_UP, true, 4, NP_LINK_UP);
	free(buf);
}

static void
test_events_capture(void **state)
{
	size_t len, bad;
	uint8_t *buf = load("events.bin", &len);
	struct rec r;
	/* Notifications: no NLMSG_DONE, seq 0. */
	assert_int_equal(parse(buf, len, &r, false, 0, &bad, NULL), 1);
	assert_int_equal(bad, 0);
	assert_int_equal(r.nlinks, 3);
	/* `ip link set v1 down`: v1 down, its peer v0 loses carrier (lowerlayerdown) */
	expect_link(&r.links[0], 4, "v1", IF_OPER_DOWN, false, 5, NP_LINK_DOWN);
	expect_link(&r.links[1], 5, "v0", IF_OPER_LOWERLAYERDOWN, false, 5, NP_LINK_DOWN);
	/* `ip link del ifb0` */
	assert_int_equal(r.links[2].ifindex, 2);
	assert_true(r.links[2].deleted);
	assert_string_equal(r.links[2].name, "ifb0");
	free(buf);
}

static void
test_other_seq_ignored(void **state)
{
	size_t len;
	uint8_t *buf = load("getstats.bin", &len);
	struct rec r;
	/* A late answer to an abandoned dump: nothing parsed, and its DONE does not end ours. */
	assert_int_equal(parse(buf, len, &r, true, 999, NULL, NULL), 1);
	assert_int_equal(r.nstats, 0);
	free(buf);
}

/* Every prefix and every single-byte corruption of the captures: never a crash or an
 * over-read (exact-size heap copies for valgrind / ASan), never more records than exist. */
static void
test_truncations_and_flips(void **state)
{
	static const char *const files[] = {"getstats.bin", "getlink.bin", "events.bin"};
	for (size_t f = 0; f < 3; f++) {
		size_t len;
		uint8_t *buf = load(files[f], &len);
		struct rec r;
		for (size_t cut = 0; cut < len; cut++) {
			uint8_t *copy = np_xmalloc(cut ? cut : 1);
			memcpy(copy, buf, cut);
			char *cause = NULL;
			int rc = parse(copy, cut, &r, false, 0, NULL, &cause);
			assert_true(rc == -1 || rc == 1); /* DONE is the last message */
			assert_true(r.nstats <= 5 && r.nlinks <= 5);
			assert_true((rc == -1) == (cause != NULL));
			free(cause);
			free(copy);
		}
		uint8_t *copy = np_xmalloc(len);
		for (size_t i = 0; i < len; i++) {
			memcpy(copy, buf, len);
			copy[i] ^= 0xff;
			char *cause = NULL;
			int rc = parse(copy, len, &r, false, 0, NULL, &cause);
			assert_true(rc >= -1 && rc <= 1);
			assert_true(r.nstats <= 5 && r.nlinks <= 5);
			free(cause);
		}
		free(copy);
		free(buf);
	}
}

/* ---- hand-built messages ---- */

struct msgbuf {
	uint8_t b[1024];
	size_t len;
};

static struct nlmsghdr *
msg_begin(struct msgbuf *m, uint16_t type, uint32_t seq)
{
	struct nlmsghdr *nh = (struct nlmsghdr *)(m->b + m->len);
	memset(nh, 0, sizeof(*nh));
	nh->nlmsg_type = type;
	nh->nlmsg_seq = seq;
	nh->nlmsg_len = NLMSG_HDRLEN;
	return nh;
}

static void
msg_put(struct msgbuf *m, struct nlmsghdr *nh, const void *data, size_t len)
{
	memcpy((uint8_t *)nh + nh->nlmsg_len, data, len);
	nh->nlmsg_len += (uint32_t)len;
}

static void
msg_attr(struct msgbuf *m, struct nlmsghdr *nh, uint16_t type, const void *data, size_t len)
{
	struct rtattr ra = {.rta_len = (unsigned short)RTA_LENGTH(len), .rta_type = type};
	msg_put(m, nh, &ra, sizeof(ra));
	msg_put(m, nh, data, len);
	static const uint8_t pad[4];
	msg_put(m, nh, pad, RTA_ALIGN(len) - len);
}

static void
msg_end(struct msgbuf *m, struct nlmsghdr *nh)
{
	m->len += NLMSG_ALIGN(nh->nlmsg_len);
}

static void
add_link(struct msgbuf *m, int ifindex, const char *name, size_t namelen, uint8_t oper)
{
	struct nlmsghdr *nh = msg_begin(m, RTM_NEWLINK, 0);
	struct ifinfomsg ifi = {.ifi_index = ifindex, .ifi_flags = IFF_UP | IFF_LOWER_UP};
	msg_put(m, nh, &ifi, sizeof(ifi));
	if (name != NULL)
		msg_attr(m, nh, IFLA_IFNAME, name, namelen);
	msg_attr(m, nh, IFLA_OPERSTATE, &oper, 1);
	msg_end(m, nh);
}

static void
test_link_attr_validation(void **state)
{
	struct msgbuf m = {.len = 0};
	add_link(&m, 7, "ok0", 4, IF_OPER_UP);               /* fine */
	add_link(&m, 8, "nonul", 5, IF_OPER_UP);             /* name without NUL */
	add_link(&m, 9, "sixteen-chars-xx", 17, IF_OPER_UP); /* 16 chars + NUL: too long */
	add_link(&m, 10, NULL, 0, IF_OPER_UP);               /* NEWLINK without a name */
	add_link(&m, 0, "zero", 5, IF_OPER_UP);              /* ifindex 0 */
	add_link(&m, 11, "", 1, IF_OPER_UP);                 /* empty name */
	add_link(&m, 12, "fifteen-chars-x", 16, IF_OPER_DOWN);
	struct rec r;
	size_t bad;
	assert_int_equal(parse(m.b, m.len, &r, false, 0, &bad, NULL), 1);
	assert_int_equal(bad, 5);
	assert_int_equal(r.nlinks, 2);
	assert_string_equal(r.links[0].name, "ok0");
	assert_int_equal(r.links[0].ifindex, 7);
	/* no IFLA_CARRIER: IFF_LOWER_UP stands in; no carrier counters: none claimed */
	assert_true(r.links[0].carrier);
	assert_false(r.links[0].has_carrier_changes);
	assert_string_equal(r.links[1].name, "fifteen-chars-x");
	assert_int_equal(r.links[1].operstate, IF_OPER_DOWN);
}

static void
test_carrier_counts(void **state)
{
	struct msgbuf m = {.len = 0};
	struct nlmsghdr *nh = msg_begin(&m, RTM_NEWLINK, 0);
	struct ifinfomsg ifi = {.ifi_index = 3};
	msg_put(&m, nh, &ifi, sizeof(ifi));
	msg_attr(&m, nh, IFLA_IFNAME, "e0", 3);
	uint8_t carrier = 1;
	msg_attr(&m, nh, IFLA_CARRIER, &carrier, 1);
	uint32_t up = 7, down = 6;
	/* Nested/byte-order flag bits in rta_type must be masked off. */
	msg_attr(&m, nh, IFLA_CARRIER_UP_COUNT | NLA_F_NET_BYTEORDER, &up, 4);
	msg_attr(&m, nh, IFLA_CARRIER_DOWN_COUNT, &down, 4);
	msg_end(&m, nh);
	/* A short u32 attribute makes the record malformed. */
	nh = msg_begin(&m, RTM_NEWLINK, 0);
	msg_put(&m, nh, &ifi, sizeof(ifi));
	msg_attr(&m, nh, IFLA_IFNAME, "e1", 3);
	msg_attr(&m, nh, IFLA_CARRIER_CHANGES, &up, 2);
	msg_end(&m, nh);
	struct rec r;
	size_t bad;
	assert_int_equal(parse(m.b, m.len, &r, false, 0, &bad, NULL), 1);
	assert_int_equal(bad, 1);
	assert_int_equal(r.nlinks, 1);
	assert_true(r.links[0].carrier);
	assert_false(r.links[0].flags & IFF_LOWER_UP);
	assert_true(r.links[0].has_carrier_changes);
	assert_int_equal(r.links[0].carrier_changes, 13);
}

static void
test_stats_validation(void **state)
{
	struct msgbuf m = {.len = 0};
	uint64_t f[16];
	for (int i = 0; i < 16; i++)
		f[i] = 100 + (uint64_t)i;
	struct if_stats_msg ism = {.ifindex = 4};
	/* 1: full 16 fields: rx drops = rx_dropped (106) + rx_missed_errors (115) */
	struct nlmsghdr *nh = msg_begin(&m, RTM_NEWSTATS, 5);
	msg_put(&m, nh, &ism, sizeof(ism));
	msg_attr(&m, nh, IFLA_STATS_LINK_64, f, sizeof(f));
	msg_end(&m, nh);
	/* 2: only the first 8 fields (an old or trimmed layout): accepted, missed = 0 */
	ism.ifindex = 5;
	nh = msg_begin(&m, RTM_NEWSTATS, 5);
	msg_put(&m, nh, &ism, sizeof(ism));
	msg_attr(&m, nh, IFLA_STATS_LINK_64, f, 64);
	msg_end(&m, nh);
	/* 3: 7 fields: too short */
	ism.ifindex = 6;
	nh = msg_begin(&m, RTM_NEWSTATS, 5);
	msg_put(&m, nh, &ism, sizeof(ism));
	msg_attr(&m, nh, IFLA_STATS_LINK_64, f, 56);
	msg_end(&m, nh);
	/* 4: no IFLA_STATS_LINK_64 at all */
	ism.ifindex = 7;
	nh = msg_begin(&m, RTM_NEWSTATS, 5);
	msg_put(&m, nh, &ism, sizeof(ism));
	msg_end(&m, nh);
	/* 5: an attribute claiming more than the message holds */
	ism.ifindex = 8;
	nh = msg_begin(&m, RTM_NEWSTATS, 5);
	msg_put(&m, nh, &ism, sizeof(ism));
	struct rtattr ra = {.rta_len = 400, .rta_type = IFLA_STATS_LINK_64};
	msg_put(&m, nh, &ra, sizeof(ra));
	msg_end(&m, nh);
	/* 6: a header shorter than struct if_stats_msg */
	nh = msg_begin(&m, RTM_NEWSTATS, 5);
	msg_put(&m, nh, &ism, 4);
	msg_end(&m, nh);
	/* 7: an ifindex above INT32_MAX (the field is __u32; found by fuzz_netlink) */
	ism.ifindex = 0xa7000001u;
	nh = msg_begin(&m, RTM_NEWSTATS, 5);
	msg_put(&m, nh, &ism, sizeof(ism));
	msg_attr(&m, nh, IFLA_STATS_LINK_64, f, sizeof(f));
	msg_end(&m, nh);
	nh = msg_begin(&m, NLMSG_DONE, 5);
	int zero = 0;
	msg_put(&m, nh, &zero, sizeof(zero));
	msg_end(&m, nh);

	struct rec r;
	size_t bad;
	assert_int_equal(parse(m.b, m.len, &r, true, 5, &bad, NULL), 0);
	assert_int_equal(bad, 5);
	assert_int_equal(r.nstats, 2);
	assert_int_equal(r.stats[0].ifindex, 4);
	assert_int_equal(r.stats[0].counters[NP_C_RX_PACKETS], 100);
	assert_int_equal(r.stats[0].counters[NP_C_TX_PACKETS], 101);
	assert_int_equal(r.stats[0].counters[NP_C_RX_BYTES], 102);
	assert_int_equal(r.stats[0].counters[NP_C_TX_BYTES], 103);
	assert_int_equal(r.stats[0].counters[NP_C_RX_ERRORS], 104);
	assert_int_equal(r.stats[0].counters[NP_C_TX_ERRORS], 105);
	assert_int_equal(r.stats[0].counters[NP_C_RX_DROPS], 106 + 115);
	assert_int_equal(r.stats[0].counters[NP_C_TX_DROPS], 107);
	assert_int_equal(r.stats[1].ifindex, 5);
	assert_int_equal(r.stats[1].counters[NP_C_RX_DROPS], 106);
}

static void
test_error_messages(void **state)
{
	struct msgbuf m = {.len = 0};
	struct nlmsghdr *nh = msg_begin(&m, NLMSG_ERROR, 1);
	struct nlmsgerr e = {.error = -EPERM};
	msg_put(&m, nh, &e, sizeof(e));
	msg_end(&m, nh);
	struct rec r;
	char *cause = NULL;
	assert_int_equal(parse(m.b, m.len, &r, true, 1, NULL, &cause), -1);
	assert_string_equal(cause, "netlink: Operation not permitted");
	free(cause);

	/* An ACK (error 0) is not an error. */
	m.len = 0;
	nh = msg_begin(&m, NLMSG_ERROR, 1);
	e.error = 0;
	msg_put(&m, nh, &e, sizeof(e));
	msg_end(&m, nh);
	assert_int_equal(parse(m.b, m.len, &r, true, 1, NULL, NULL), 1);

	/* A truncated error message. */
	m.len = 0;
	nh = msg_begin(&m, NLMSG_ERROR, 1);
	msg_put(&m, nh, &e, 2);
	msg_end(&m, nh);
	cause = NULL;
	assert_int_equal(parse(m.b, m.len, &r, true, 1, NULL, &cause), -1);
	assert_string_equal(cause, "netlink: truncated error message");
	free(cause);

	/* A dump that ended with an error in NLMSG_DONE (e.g. interrupted). */
	m.len = 0;
	nh = msg_begin(&m, NLMSG_DONE, 1);
	int err = -EINTR;
	msg_put(&m, nh, &err, sizeof(err));
	msg_end(&m, nh);
	cause = NULL;
	assert_int_equal(parse(m.b, m.len, &r, true, 1, NULL, &cause), -1);
	assert_string_equal(cause, "netlink dump: Interrupted system call");
	free(cause);

	/* Error codes that are no -errno (INT_MIN cannot even be negated: a fuzz finding). */
	int bad[] = {INT_MIN, -4096, -100000};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m.len = 0;
		nh = msg_begin(&m, NLMSG_DONE, 1);
		msg_put(&m, nh, &bad[i], sizeof(bad[i]));
		msg_end(&m, nh);
		cause = NULL;
		assert_int_equal(parse(m.b, m.len, &r, true, 1, NULL, &cause), -1);
		assert_string_equal(cause, "netlink dump: bad error code");
		free(cause);
		m.len = 0;
		nh = msg_begin(&m, NLMSG_ERROR, 1);
		e.error = bad[i];
		msg_put(&m, nh, &e, sizeof(e));
		msg_end(&m, nh);
		cause = NULL;
		assert_int_equal(parse(m.b, m.len, &r, true, 1, NULL, &cause), -1);
		assert_string_equal(cause, "netlink: bad error code");
		free(cause);
	}

	/* nlmsg_len shorter than a header, or longer than the buffer. */
	m.len = 0;
	nh = msg_begin(&m, RTM_NEWLINK, 0);
	nh->nlmsg_len = 8;
	m.len = 16;
	cause = NULL;
	assert_int_equal(parse(m.b, m.len, &r, false, 0, NULL, &cause), -1);
	assert_string_equal(cause, "netlink: bad message length 8 at offset 0 of 16");
	free(cause);
	nh->nlmsg_len = 17;
	assert_int_equal(parse(m.b, m.len, &r, false, 0, NULL, NULL), -1);

	/* Trailing bytes shorter than a header. */
	m.len = 0;
	add_link(&m, 7, "ok0", 4, IF_OPER_UP);
	m.len += 5;
	cause = NULL;
	assert_int_equal(parse(m.b, m.len, &r, false, 0, NULL, &cause), -1);
	assert_string_equal(cause, "netlink: 5 trailing bytes");
	assert_int_equal(r.nlinks, 1); /* what came before was still delivered */
	free(cause);
}

static void
test_dump_interrupted_flag(void **state)
{
	size_t len;
	uint8_t *buf = load("getstats.bin", &len);
	struct rec r;
	struct np_local_nl_handler h = {
	    .stats = on_stats, .arg = &r, .check_seq = true, .seq = 1001};
	memset(&r, 0, sizeof(r));
	assert_int_equal(np_local_nl_parse(buf, len, &h, NULL), 0);
	assert_false(h.intr); /* the real capture was consistent */
	/* The kernel sets NLM_F_DUMP_INTR on a message when links changed during the dump. */
	struct nlmsghdr nh;
	memcpy(&nh, buf + 232, sizeof(nh));
	nh.nlmsg_flags |= NLM_F_DUMP_INTR;
	memcpy(buf + 232, &nh, sizeof(nh));
	h.intr = false;
	memset(&r, 0, sizeof(r));
	assert_int_equal(np_local_nl_parse(buf, len, &h, NULL), 0);
	assert_true(h.intr);
	assert_int_equal(r.nstats, 5); /* records are still delivered */
	/* ... but not from a message of another dump */
	h = (struct np_local_nl_handler){.stats = on_stats, .arg = &r, .check_seq = true, .seq = 7};
	assert_int_equal(np_local_nl_parse(buf, len, &h, NULL), 1);
	assert_false(h.intr);
	free(buf);
}

static void
test_requests(void **state)
{
	uint8_t buf[NP_LOCAL_NL_REQ_MAX];
	size_t len = np_local_nl_getstats_req(buf, 42);
	assert_int_equal(len, 28);
	struct nlmsghdr nh;
	memcpy(&nh, buf, sizeof(nh));
	assert_int_equal(nh.nlmsg_len, 28);
	assert_int_equal(nh.nlmsg_type, RTM_GETSTATS);
	assert_int_equal(nh.nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	assert_int_equal(nh.nlmsg_seq, 42);
	struct if_stats_msg ism;
	memcpy(&ism, buf + NLMSG_HDRLEN, sizeof(ism));
	assert_int_equal(ism.ifindex, 0);
	assert_int_equal(ism.filter_mask, IFLA_STATS_FILTER_BIT(IFLA_STATS_LINK_64));

	len = np_local_nl_getlink_req(buf, 43);
	assert_int_equal(len, 40);
	memcpy(&nh, buf, sizeof(nh));
	assert_int_equal(nh.nlmsg_type, RTM_GETLINK);
	assert_int_equal(nh.nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	assert_int_equal(nh.nlmsg_seq, 43);
	struct rtattr ra;
	memcpy(&ra, buf + NLMSG_HDRLEN + sizeof(struct ifinfomsg), sizeof(ra));
	assert_int_equal(ra.rta_type, IFLA_EXT_MASK);
	assert_int_equal(ra.rta_len, 8);
	uint32_t mask;
	memcpy(&mask, buf + 36, 4);
	assert_int_equal(mask, RTEXT_FILTER_SKIP_STATS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_getstats_capture),
	    cmocka_unit_test(test_getstats_agrees_with_proc),
	    cmocka_unit_test(test_getlink_capture),
	    cmocka_unit_test(test_events_capture),
	    cmocka_unit_test(test_other_seq_ignored),
	    cmocka_unit_test(test_truncations_and_flips),
	    cmocka_unit_test(test_link_attr_validation),
	    cmocka_unit_test(test_carrier_counts),
	    cmocka_unit_test(test_stats_validation),
	    cmocka_unit_test(test_error_messages),
	    cmocka_unit_test(test_dump_interrupted_flag),
	    cmocka_unit_test(test_requests),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
