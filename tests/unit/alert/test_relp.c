/* RELP frames and the incremental parser of a server's frames (lib/alert/relp.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "alert/relp.h"

static void
frame_is(long n, const char *buf, const char *want, size_t wantlen)
{
	assert_int_equal(n, (long)wantlen);
	assert_memory_equal(buf, want, wantlen);
}

static void
test_frames(void **state)
{
	char buf[512];
	long n = np_relp_open(buf, sizeof(buf), 1, "0.1.0");
	const char open[] = "1 open 59 relp_version=0\nrelp_software=netpulse,0.1.0\n"
	                    "commands=syslog\n";
	frame_is(n, buf, open, sizeof(open) - 1);

	n = np_relp_open(buf, sizeof(buf), 1, NULL);
	const char open_nov[] = "1 open 53 relp_version=0\nrelp_software=netpulse\n"
	                        "commands=syslog\n";
	frame_is(n, buf, open_nov, sizeof(open_nov) - 1);

	const char msg[] = "<27>1 2026-12-01T08:00:00.123Z h netpulse 1 IFDOWN - down";
	n = np_relp_syslog(buf, sizeof(buf), 2, msg, strlen(msg));
	char want[256];
	int wl = snprintf(want, sizeof(want), "2 syslog %zu %s\n", strlen(msg), msg);
	frame_is(n, buf, want, (size_t)wl);

	n = np_relp_close(buf, sizeof(buf), 999999999);
	frame_is(n, buf, "999999999 close 0\n", 18);

	/* DATA is copied as is, NULs and LFs included. */
	n = np_relp_frame(buf, sizeof(buf), 7, "syslog", "a\nb\0c", 5);
	frame_is(n, buf, "7 syslog 5 a\nb\0c\n", 17);
}

static void
test_frame_limits(void **state)
{
	char buf[64];
	/* Exactly fitting, then one byte short. */
	/* "3 close 0\n" is 10 bytes. */
	assert_int_equal(np_relp_close(buf, 10, 3), 10);
	assert_int_equal(np_relp_close(buf, 9, 3), -1);
	/* "2 syslog 3 abc\n" is 15 bytes. */
	assert_int_equal(np_relp_syslog(buf, 14, 2, "abc", 3), -1);
	assert_int_equal(np_relp_syslog(buf, 15, 2, "abc", 3), 15);
	/* Bad arguments. */
	assert_int_equal(np_relp_frame(buf, sizeof(buf), 1000000000u, "close", NULL, 0), -1);
	assert_int_equal(np_relp_frame(buf, sizeof(buf), 1, "", NULL, 0), -1);
	assert_int_equal(np_relp_frame(buf, sizeof(buf), 1, "sys log", NULL, 0), -1);
	assert_int_equal(np_relp_frame(buf, sizeof(buf), 1, "rsp2", NULL, 0), -1);
	assert_int_equal(np_relp_frame(buf, sizeof(buf), 1, NULL, NULL, 0), -1);
	assert_int_equal(np_relp_frame(buf, sizeof(buf), 1, "syslog", NULL, 3), -1);
	assert_int_equal(
	    np_relp_frame(buf, sizeof(buf), 1, "abcdefghijklmnopqrstuvwxyzabcdefg", NULL, 0), -1);
	assert_int_equal(np_relp_open(buf, sizeof(buf), 1, "1,2"), -1);
	assert_int_equal(np_relp_open(buf, sizeof(buf), 1, "1\n"), -1);
	assert_int_equal(np_relp_next_txnr(1), 2);
	assert_int_equal(np_relp_next_txnr(999999998), 999999999);
	assert_int_equal(np_relp_next_txnr(999999999), 0);
}

/* A frame as the tests keep it. */
struct got {
	uint32_t txnr;
	char command[40];
	int status;
	char text[100];
	char cmddata[200];
	char data[300];
	size_t datalen;
};

/* Feeds in to p in pieces of step bytes; collects up to max frames. The count, or -1. */
static int
feed(struct np_relp_parser *p, const char *in, size_t n, size_t step, struct got *g, int max,
     char **cause)
{
	int nf = 0;
	size_t off = 0;
	while (off < n) {
		size_t chunk = n - off < step ? n - off : step;
		size_t pos = 0;
		while (pos < chunk) {
			struct np_relp_frame f;
			size_t used = 0;
			enum np_relp_result r =
			    np_relp_parse(p, in + off + pos, chunk - pos, &used, &f, cause);
			assert_true(used <= chunk - pos);
			pos += used;
			if (r == NP_RELP_ERROR)
				return -1;
			if (r == NP_RELP_MORE) {
				assert_int_equal(pos, chunk);
				break;
			}
			assert_true(nf < max);
			g[nf].txnr = f.txnr;
			snprintf(g[nf].command, sizeof(g[nf].command), "%s", f.command);
			g[nf].status = f.status;
			snprintf(g[nf].text, sizeof(g[nf].text), "%s", f.text);
			assert_true(f.cmddatalen < sizeof(g[nf].cmddata));
			memcpy(g[nf].cmddata, f.cmddata, f.cmddatalen);
			g[nf].cmddata[f.cmddatalen] = '\0';
			assert_true(f.datalen < sizeof(g[nf].data));
			memcpy(g[nf].data, f.data, f.datalen);
			g[nf].data[f.datalen] = '\0';
			g[nf].datalen = f.datalen;
			assert_int_equal(f.data[f.datalen], '\0');
			nf++;
		}
		off += chunk;
	}
	return nf;
}

/* What rsyslog's imrelp (librelp 1.11) answers to an open, two syslogs, and its shutdown. */
static const char server_stream[] =
    "1 rsp 93 200 OK\nrelp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\n"
    "commands=syslog\n"
    "2 rsp 6 200 OK\n"
    "3 rsp 6 200 OK\n"
    "0 serverclose 0\n";

static void
check_server_stream(const struct got *g)
{
	assert_int_equal(g[0].txnr, 1);
	assert_string_equal(g[0].command, "rsp");
	assert_int_equal(g[0].status, 200);
	assert_string_equal(g[0].text, "OK");
	assert_string_equal(g[0].cmddata, "relp_version=0\nrelp_software=librelp,1.11.0,"
	                                  "http://librelp.adiscon.com\ncommands=syslog");
	assert_int_equal(np_relp_check_offers(g[0].cmddata, strlen(g[0].cmddata), NULL), 0);
	for (int i = 1; i <= 2; i++) {
		assert_int_equal(g[i].txnr, (uint32_t)i + 1);
		assert_string_equal(g[i].command, "rsp");
		assert_int_equal(g[i].status, 200);
		assert_string_equal(g[i].text, "OK");
		assert_string_equal(g[i].cmddata, "");
	}
	assert_int_equal(g[3].txnr, 0);
	assert_string_equal(g[3].command, "serverclose");
	assert_int_equal(g[3].status, -1);
	assert_int_equal(g[3].datalen, 0);
}

static void
test_parse_stream(void **state)
{
	size_t n = sizeof(server_stream) - 1;
	/* All at once, byte by byte, and every other split size. */
	for (size_t step = 1; step <= n; step++) {
		struct np_relp_parser *p = np_relp_parser_new(0);
		struct got g[8];
		char *cause = NULL;
		int nf = feed(p, server_stream, n, step, g, 8, &cause);
		if (nf != 4)
			fail_msg("step %zu: %d frames (%s)", step, nf, cause ? cause : "-");
		check_server_stream(g);
		np_relp_parser_free(p);
	}
}

static void
test_parse_rsp_forms(void **state)
{
	struct np_relp_parser *p = np_relp_parser_new(0);
	struct got g[8];
	char *cause = NULL;
	const char in[] = "4 rsp 3 500\n"   /* status only */
	                  "5 rsp 4 200\n\n" /* status, LF, empty cmddata */
	                  "6 rsp 27 500 error\x01 text\nmore data\x7f\n\n" /* control bytes */
	                  "000 serverclose 000\n"                          /* leading zeros */
	                  "7 RSP 6 200 OK\n"; /* a command in capitals is other */
	int nf = feed(p, in, sizeof(in) - 1, 5, g, 8, &cause);
	assert_int_equal(nf, 5);
	assert_int_equal(g[0].status, 500);
	assert_string_equal(g[0].text, "");
	assert_int_equal(g[1].status, 200);
	assert_string_equal(g[1].cmddata, "");
	assert_int_equal(g[2].txnr, 6);
	assert_int_equal(g[2].status, 500);
	assert_string_equal(g[2].text, "error? text");
	assert_string_equal(g[2].cmddata, "more data\x7f\n");
	assert_int_equal(g[3].txnr, 0);
	assert_string_equal(g[3].command, "serverclose");
	assert_string_equal(g[4].command, "RSP");
	assert_int_equal(g[4].status, -1);
	assert_string_equal(g[4].data, "200 OK");
	np_relp_parser_free(p);
}

static void
test_parse_long_text(void **state)
{
	struct np_relp_parser *p = np_relp_parser_new(0);
	char in[400];
	char text[201];
	memset(text, 'x', 200);
	text[200] = '\0';
	int n = snprintf(in, sizeof(in), "9 rsp %zu 500 %s\n", 4 + strlen(text), text);
	struct got g[2];
	assert_int_equal(feed(p, in, (size_t)n, 7, g, 2, NULL), 1);
	assert_int_equal(strlen(g[0].text), NP_RELP_TEXT_MAX);
	assert_int_equal(g[0].status, 500);
	np_relp_parser_free(p);
}

/* Each bad input gives an error, with a cause naming the problem; good frames before it
 * are still returned. */
static void
test_parse_bad(void **state)
{
	static const struct {
		const char *in;
		int frames; /* good ones before the error */
		const char *cause;
	} cases[] = {
	    {"x rsp 0\n", 0, "expected a TXNR digit, got 'x'"},
	    {" 1 rsp 0\n", 0, "expected a TXNR digit, got SP"},
	    {"1234567890 rsp 0\n", 0, "TXNR longer than 9 digits"},
	    {"1  rsp 0\n", 0, "expected a COMMAND letter, got SP"},
	    {"1 r2p 0\n", 0, "expected a COMMAND letter, got '2'"},
	    {"1 abcdefghijklmnopqrstuvwxyzabcdefg 0\n", 0, "COMMAND longer than 32 letters"},
	    {"1 rsp \n", 0, "expected a DATALEN digit, got LF"},
	    {"1 rsp 1234567890 x\n", 0, "DATALEN longer than 9 digits"},
	    {"1 rsp 0 \n", 0, "expected LF after DATALEN 0, got SP"},
	    {"1 rsp 6\n200 OK\n", 0, "expected SP after DATALEN, got LF"},
	    {"1 rsp 6 200 OKK\n", 0, "expected LF after DATA, got 'K'"},
	    {"1 rsp 2 20\n", 0, "without a 3-digit status"},
	    {"1 rsp 6 2x0 OK\n", 0, "without a 3-digit status"},
	    {"1 rsp 6 200:OK\n", 0, "without a 3-digit status"},
	    {"1 rsp 5000 ", 0, "DATALEN 5000 over the limit of 4096"},
	    {"2 rsp 6 200 OK\n3 rsp 6 200 OK\r\n", 1, "expected LF after DATA, got 0x0d"},
	    {"2 rsp 6 200 OK\n\n", 1, "expected a TXNR digit, got LF"},
	    {"2 rsp 6 200 OK\n\xff", 1, "at byte 15: expected a TXNR digit, got 0xff"},
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		for (size_t step = 1; step <= 3; step += 2) {
			struct np_relp_parser *p = np_relp_parser_new(0);
			struct got g[4];
			char *cause = NULL;
			int nf = feed(p, cases[c].in, strlen(cases[c].in), step, g, 4, &cause);
			if (nf != -1 || cause == NULL || strstr(cause, cases[c].cause) == NULL)
				fail_msg("case %zu step %zu: %d, cause %s", c, step, nf,
				         cause ? cause : "(none)");
			/* The good frames before the error came out. */
			size_t used;
			struct np_relp_frame f;
			char *again = NULL;
			assert_int_equal(np_relp_parse(p, "1 rsp 0\n", 8, &used, &f, &again),
			                 NP_RELP_ERROR);
			assert_non_null(again);
			free(again);
			/* Reset: a new connection parses again. */
			np_relp_parser_reset(p);
			assert_int_equal(np_relp_parse(p, "1 rsp 3 200\n", 12, &used, &f, NULL),
			                 NP_RELP_FRAME);
			assert_int_equal(used, 12);
			assert_int_equal(f.status, 200);
			free(cause);
			np_relp_parser_free(p);
		}
		/* The frames before the error. */
		struct np_relp_parser *p = np_relp_parser_new(0);
		int got = 0;
		const char *in = cases[c].in;
		size_t n = strlen(in), off = 0;
		for (;;) {
			size_t used;
			struct np_relp_frame f;
			enum np_relp_result r =
			    np_relp_parse(p, in + off, n - off, &used, &f, NULL);
			off += used;
			if (r != NP_RELP_FRAME)
				break;
			got++;
		}
		assert_int_equal(got, cases[c].frames);
		np_relp_parser_free(p);
	}
}

static void
test_parse_limit(void **state)
{
	/* A parser with a 10-byte DATA limit takes 10 and refuses 11. */
	struct np_relp_parser *p = np_relp_parser_new(10);
	size_t used;
	struct np_relp_frame f;
	char *cause = NULL;
	assert_int_equal(np_relp_parse(p, "1 rsp 10 200 abcdef\n", 20, &used, &f, &cause),
	                 NP_RELP_FRAME);
	assert_string_equal(f.text, "abcdef");
	assert_int_equal(np_relp_parse(p, "2 rsp 11 ", 9, &used, &f, &cause), NP_RELP_ERROR);
	assert_non_null(strstr(cause, "DATALEN 11 over the limit of 10"));
	free(cause);
	np_relp_parser_free(p);
}

static void
test_offers(void **state)
{
	static const struct {
		const char *offers;
		const char *cause; /* NULL = accepted */
	} cases[] = {
	    {"relp_version=0\nrelp_software=librelp,1.11.0\ncommands=syslog", NULL},
	    {"commands=foo,syslog,bar\nrelp_version=1", NULL},
	    {"relp_version=0\ncommands=syslog\n", NULL},
	    {"relp_version=0\nrelp_software=x\ncommands=", "does not offer the syslog command"},
	    {"relp_version=0\ncommands=syslogx,xsyslog", "does not offer the syslog command"},
	    {"relp_version=0", "does not offer the syslog command"},
	    {"commands=syslog", "no relp_version offer"},
	    {"", "no relp_version offer"},
	    {"relp_version=2\ncommands=syslog", "relp_version 2 (netpulse speaks 0)"},
	    {"relp_version=\ncommands=syslog", "relp_version without a number"},
	    {"relp_version\ncommands=syslog", "relp_version without a number"},
	    {"relp_version=0x\ncommands=syslog", "not a number"},
	    {"relp_version=1234567890\ncommands=syslog", "without a number"},
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		char *cause = NULL;
		int rc = np_relp_check_offers(cases[c].offers, strlen(cases[c].offers), &cause);
		if (cases[c].cause == NULL) {
			if (rc != 0)
				fail_msg("case %zu: refused: %s", c, cause);
			continue;
		}
		if (rc != -1 || cause == NULL || strstr(cause, cases[c].cause) == NULL)
			fail_msg("case %zu: rc %d cause %s", c, rc, cause ? cause : "(none)");
		free(cause);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_frames),          cmocka_unit_test(test_frame_limits),
	    cmocka_unit_test(test_parse_stream),    cmocka_unit_test(test_parse_rsp_forms),
	    cmocka_unit_test(test_parse_long_text), cmocka_unit_test(test_parse_bad),
	    cmocka_unit_test(test_parse_limit),     cmocka_unit_test(test_offers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
