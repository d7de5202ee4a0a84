/* /proc/net/dev parser, sysfs operstate words and the link state rule. */
#include "local_test.h"

#include <net/if.h> /* before linux/if.h */
#include <linux/if.h>
#include <stdio.h>

#include "collectors/local_parse.h"

static const uint64_t ALL = (1u << NP_C_MAX) - 1;

static void
expect_counters(const struct np_obs *o, uint64_t rxb, uint64_t txb, uint64_t rxp, uint64_t txp,
                uint64_t rxe, uint64_t txe, uint64_t rxd, uint64_t txd)
{
	assert_non_null(o);
	assert_int_equal(o->counter_mask, ALL);
	assert_int_equal(o->counters[NP_C_RX_BYTES], rxb);
	assert_int_equal(o->counters[NP_C_TX_BYTES], txb);
	assert_int_equal(o->counters[NP_C_RX_PACKETS], rxp);
	assert_int_equal(o->counters[NP_C_TX_PACKETS], txp);
	assert_int_equal(o->counters[NP_C_RX_ERRORS], rxe);
	assert_int_equal(o->counters[NP_C_TX_ERRORS], txe);
	assert_int_equal(o->counters[NP_C_RX_DROPS], rxd);
	assert_int_equal(o->counters[NP_C_TX_DROPS], txd);
}

static void
parse_fixture(const char *rel, struct np_batch *b, size_t *added)
{
	char *path = np_test_fixture(rel);
	size_t len;
	char *text = np_test_read_file(path, &len);
	np_batch_init(b, "src", 1000);
	*added = np_local_parse_procnetdev(text, len, "hostA", 64, b);
	free(text);
	free(path);
}

static void
test_t0(void **state)
{
	struct np_batch b;
	size_t n;
	parse_fixture("network_monitor/synthetic/proc_net_dev_t0.txt", &b, &n);
	assert_int_equal(n, 4);
	assert_int_equal(b.n, 4);
	assert_int_equal(b.skipped, 0);
	/* Kernel order is kept; the parser does not filter (the collector does). */
	assert_string_equal(np_obs_interface(&b, &b.obs[0]), "lo");
	assert_string_equal(np_obs_interface(&b, &b.obs[1]), "eth0");
	assert_string_equal(np_obs_interface(&b, &b.obs[2]), "docker0");
	assert_string_equal(np_obs_interface(&b, &b.obs[3]), "wlan0");
	for (size_t i = 0; i < b.n; i++) {
		assert_string_equal(np_obs_device(&b, &b.obs[i]), "hostA");
		assert_int_equal(b.obs[i].counter_bits, 64);
		assert_int_equal(b.obs[i].time_ms, 1000);
		assert_int_equal(b.obs[i].link, NP_LINK_NONE);
		assert_false(b.obs[i].truncated);
	}
	expect_counters(&b.obs[0], 1000000, 1000000, 10000, 10000, 0, 0, 0, 0);
	expect_counters(&b.obs[1], 5000000000ull, 700000000, 4000000, 900000, 1, 0, 2, 0);
	expect_counters(&b.obs[2], 100000, 200000, 1000, 1500, 0, 0, 0, 0);
	expect_counters(&b.obs[3], 30000, 40000, 300, 350, 0, 0, 0, 0);
	np_batch_free(&b);
}

static void
test_t1_t2(void **state)
{
	struct np_batch b;
	size_t n;
	parse_fixture("network_monitor/synthetic/proc_net_dev_t1.txt", &b, &n);
	assert_int_equal(n, 4);
	/* EXPECTED.md t0 -> t1: eth0 rx +6000000, tx +1200000 over 60 s. */
	expect_counters(lt_find(&b, "eth0"), 5006000000ull, 701200000, 4004000, 901000, 1, 0, 3, 0);
	expect_counters(lt_find(&b, "wlan0"), 30600, 40600, 306, 356, 0, 0, 0, 0);
	expect_counters(lt_find(&b, "lo"), 1006000, 1006000, 10060, 10060, 0, 0, 0, 0);
	np_batch_free(&b);

	parse_fixture("network_monitor/synthetic/proc_net_dev_t2.txt", &b, &n);
	assert_int_equal(n, 4);
	assert_null(lt_find(&b, "wlan0")); /* vanished */
	/* eth0 went down (reset): the parser reports raw values, the engine decides. */
	expect_counters(lt_find(&b, "eth0"), 1500000, 300000, 1200, 400, 0, 0, 0, 0);
	/* A name longer than the kernel's %6s padding: no space before ':'. */
	expect_counters(lt_find(&b, "veth1234"), 2048, 4096, 16, 32, 0, 0, 0, 0);
	expect_counters(lt_find(&b, "docker0"), 100500, 200500, 1005, 1505, 0, 0, 0, 0);
	np_batch_free(&b);
}

static void
test_real_capture(void **state)
{
	/* Captured with tests/fixtures/local/capture.sh (same moment as getstats.bin). */
	struct np_batch b;
	size_t n;
	parse_fixture("local/proc_net_dev.txt", &b, &n);
	assert_int_equal(n, 5);
	assert_int_equal(b.skipped, 0);
	expect_counters(lt_find(&b, "lo"), 640, 640, 5, 5, 0, 0, 0, 0);
	expect_counters(lt_find(&b, "ifb0"), 0, 0, 0, 0, 0, 0, 0, 0);
	expect_counters(lt_find(&b, "ifb-abcdefghijk"), 0, 0, 0, 0, 0, 0, 0, 0);
	expect_counters(lt_find(&b, "v1"), 180, 0, 3, 0, 0, 0, 3, 0);
	expect_counters(lt_find(&b, "v0"), 0, 180, 0, 3, 0, 0, 0, 0);
	np_batch_free(&b);
}

static const char MALFORMED[] =
    "Inter-|   Receive                                                |  Transmit\n"
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs "
    "drop fifo colls carrier compressed\n"
    "  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"                    /* line 3: ok */
    "  bad0: 1 2 3\n"                                                     /* 4: fewer fields */
    "  bad1: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n"                 /* 5: more fields */
    "  bad2: 1 2 x 4 5 6 7 8 9 10 11 12 13 14 15 16\n"                    /* 6: not a number */
    "      : 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"                    /* 7: empty name */
    "sixteen-chars-xx: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"          /* 8: name too long */
    "fifteen-chars-x: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"           /* 9: ok (IFNAMSIZ-1) */
    "  bad3 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"                     /* 10: no colon */
    "  bad4: 18446744073709551616 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n" /* 11: overflow */
    "  max0: 18446744073709551615 2 3 4 5 6 7 8 18446744073709551615 10 11 12 13 14 15 16\n"
    "  b ad: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"  /* 13: blank inside the name */
    "  bad5: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 -16\n" /* 14: sign */
    "\n"                                                /* blank: ignored */
    "\tnotab:\t1\t2\t3\t4\t5\t6\t7\t8\t9\t10\t11\t12\t13\t14\t15\t16\r\n" /* 16: tabs, CRLF ok */
    "wlan0: 10 20 30 40 50 60 70 80 90 100 110 120 130 140 150 160";      /* no final newline */

static void
test_malformed_lines(void **state)
{
	struct np_batch b;
	np_batch_init(&b, "src", 0);
	size_t n = np_local_parse_procnetdev(MALFORMED, sizeof(MALFORMED) - 1, "h", 64, &b);
	assert_int_equal(n, 5);
	assert_int_equal(b.skipped, 9);
	assert_string_equal(b.skip_reason, "/proc/net/dev line 4: fewer than 16 fields");
	assert_string_equal(np_obs_interface(&b, &b.obs[0]), "eth0");
	expect_counters(&b.obs[0], 1, 9, 2, 10, 3, 11, 4, 12);
	assert_string_equal(np_obs_interface(&b, &b.obs[1]), "fifteen-chars-x");
	assert_string_equal(np_obs_interface(&b, &b.obs[2]), "max0");
	assert_int_equal(b.obs[2].counters[NP_C_RX_BYTES], UINT64_MAX);
	assert_int_equal(b.obs[2].counters[NP_C_TX_BYTES], UINT64_MAX);
	assert_string_equal(np_obs_interface(&b, &b.obs[3]), "notab");
	expect_counters(&b.obs[3], 1, 9, 2, 10, 3, 11, 4, 12);
	assert_string_equal(np_obs_interface(&b, &b.obs[4]), "wlan0");
	expect_counters(&b.obs[4], 10, 90, 20, 100, 30, 110, 40, 120);
	np_batch_free(&b);
}

static void
test_each_reason(void **state)
{
	static const struct {
		const char *line, *reason;
	} cases[] = {
	    {"x: 1 2\n", "fewer than 16 fields"},
	    {"x: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n", "more than 16 fields"},
	    {"x: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 1a\n",
	     "field is not an unsigned decimal number"},
	    {" : 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n", "empty interface name"},
	    {"abcdefghijklmnop: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n",
	     "interface name longer than IFNAMSIZ-1"},
	    {"a/b: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n",
	     "invalid character in interface name"},
	    {"garbage\n", "no ':' after the interface name"},
	    {" ..: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n", "invalid interface name"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct np_batch b;
		np_batch_init(&b, "src", 0);
		assert_int_equal(
		    np_local_parse_procnetdev(cases[i].line, strlen(cases[i].line), "h", 64, &b),
		    0);
		assert_int_equal(b.skipped, 1);
		char want[160];
		snprintf(want, sizeof(want), "/proc/net/dev line 1: %s", cases[i].reason);
		assert_string_equal(b.skip_reason, want);
		np_batch_free(&b);
	}
}

static void
test_empty_and_header_only(void **state)
{
	struct np_batch b;
	np_batch_init(&b, "src", 0);
	assert_int_equal(np_local_parse_procnetdev("", 0, "h", 64, &b), 0);
	const char *hdr = "Inter-|   Receive  |  Transmit\n face |bytes packets|bytes\n";
	assert_int_equal(np_local_parse_procnetdev(hdr, strlen(hdr), "h", 64, &b), 0);
	assert_int_equal(b.n, 0);
	assert_int_equal(b.skipped, 0);
	np_batch_free(&b);
}

/* A NUL inside the text is just a bad byte: it must not end or confuse the walk. */
static void
test_embedded_nul(void **state)
{
	static const char text[] = "a\0b: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"
	                           "c: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 1\0\n"
	                           "d: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n";
	struct np_batch b;
	np_batch_init(&b, "src", 0);
	assert_int_equal(np_local_parse_procnetdev(text, sizeof(text) - 1, "h", 64, &b), 1);
	assert_string_equal(np_obs_interface(&b, &b.obs[0]), "d");
	assert_int_equal(b.skipped, 2);
	np_batch_free(&b);
}

/* Every prefix of a real file parses without reading past it (valgrind / ASan check that:
 * each prefix is an exact-size heap copy). */
static void
test_every_prefix(void **state)
{
	char *path = np_test_fixture("network_monitor/synthetic/proc_net_dev_t0.txt");
	size_t len;
	char *text = np_test_read_file(path, &len);
	struct np_batch b;
	np_batch_init(&b, "src", 0);
	for (size_t cut = 0; cut <= len; cut++) {
		char *copy = np_xmalloc(cut ? cut : 1);
		memcpy(copy, text, cut);
		np_batch_reset(&b, 0);
		size_t n = np_local_parse_procnetdev(copy, cut, "h", 64, &b);
		assert_true(n <= 4);
		assert_int_equal(n, b.n);
		free(copy);
	}
	/* The whole file gives all four. */
	np_batch_reset(&b, 0);
	assert_int_equal(np_local_parse_procnetdev(text, len, "h", 64, &b), 4);
	np_batch_free(&b);
	free(text);
	free(path);
}

static void
test_operstate_words(void **state)
{
	assert_int_equal(np_local_operstate_parse("up\n", 3), IF_OPER_UP);
	assert_int_equal(np_local_operstate_parse("unknown\n", 8), IF_OPER_UNKNOWN);
	assert_int_equal(np_local_operstate_parse("down", 4), IF_OPER_DOWN);
	assert_int_equal(np_local_operstate_parse("lowerlayerdown\n", 15), IF_OPER_LOWERLAYERDOWN);
	assert_int_equal(np_local_operstate_parse("dormant\n", 8), IF_OPER_DORMANT);
	assert_int_equal(np_local_operstate_parse("testing\n", 8), IF_OPER_TESTING);
	assert_int_equal(np_local_operstate_parse("notpresent\n", 11), IF_OPER_NOTPRESENT);
	assert_int_equal(np_local_operstate_parse("upp\n", 4), -1);
	assert_int_equal(np_local_operstate_parse("u", 1), -1);
	assert_int_equal(np_local_operstate_parse("", 0), -1);
}

static void
test_link_state_rule(void **state)
{
	assert_int_equal(np_local_link_state(IF_OPER_UP, true), NP_LINK_UP);
	assert_int_equal(np_local_link_state(IF_OPER_UP, false), NP_LINK_UP);
	/* tun / WireGuard / lo: no oper state, carrier on */
	assert_int_equal(np_local_link_state(IF_OPER_UNKNOWN, true), NP_LINK_UP);
	assert_int_equal(np_local_link_state(IF_OPER_UNKNOWN, false), NP_LINK_DOWN);
	assert_int_equal(np_local_link_state(IF_OPER_DOWN, true), NP_LINK_DOWN);
	assert_int_equal(np_local_link_state(IF_OPER_LOWERLAYERDOWN, false), NP_LINK_DOWN);
	assert_int_equal(np_local_link_state(IF_OPER_DORMANT, true), NP_LINK_DOWN);
	assert_int_equal(np_local_link_state(IF_OPER_TESTING, true), NP_LINK_DOWN);
	assert_int_equal(np_local_link_state(IF_OPER_NOTPRESENT, true), NP_LINK_DOWN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_t0),
	    cmocka_unit_test(test_t1_t2),
	    cmocka_unit_test(test_real_capture),
	    cmocka_unit_test(test_malformed_lines),
	    cmocka_unit_test(test_each_reason),
	    cmocka_unit_test(test_empty_and_header_only),
	    cmocka_unit_test(test_embedded_nul),
	    cmocka_unit_test(test_every_prefix),
	    cmocka_unit_test(test_operstate_words),
	    cmocka_unit_test(test_link_state_rule),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
