/* The report message: exact bytes of headers, parts and encodings (lib/io/mail.c). */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "io/smtp.h"

static const char *const two[] = {"a@example.net", "b@example.org"};

static struct np_mail
sample(void)
{
	struct np_mail m = {
	    .from = "netpulse@example.net",
	    .to = two,
	    .nto = 2,
	    .subject = "Network usage report [2026-09-28 to 2026-10-04]",
	    .body = "Usage\nline2\n",
	    .att_name = "usage-2026-09-28-2026-10-04.csv",
	    .att_type = "text/csv",
	    .att = "a,b\n1,2\n",
	    .att_len = 8,
	    .date = 1791180000, /* Monday 2026-10-05 06:00:00 UTC */
	    .unique = "abc123",
	};
	return m;
}

static void
test_exact_message(void **state)
{
	struct np_mail m = sample();
	size_t len;
	char *cause = NULL;
	char *msg = np_mail_build(&m, &len, &cause);
	assert_non_null(msg);
	const char *want = "Date: Mon, 05 Oct 2026 06:00:00 +0000\r\n"
	                   "From: netpulse@example.net\r\n"
	                   "To: a@example.net,\r\n b@example.org\r\n"
	                   "Message-ID: <abc123@example.net>\r\n"
	                   "Subject: Network usage report [2026-09-28 to 2026-10-04]\r\n"
	                   "MIME-Version: 1.0\r\n"
	                   "Content-Type: multipart/mixed; boundary=\"=_np_abc123\"\r\n"
	                   "\r\n"
	                   "This is a MIME message.\r\n"
	                   "\r\n"
	                   "--=_np_abc123\r\n"
	                   "Content-Type: text/plain; charset=utf-8\r\n"
	                   "Content-Transfer-Encoding: 7bit\r\n"
	                   "\r\n"
	                   "Usage\r\n"
	                   "line2\r\n"
	                   "\r\n"
	                   "--=_np_abc123\r\n"
	                   "Content-Type: text/csv; name=\"usage-2026-09-28-2026-10-04.csv\"\r\n"
	                   "Content-Transfer-Encoding: base64\r\n"
	                   "Content-Disposition: attachment; "
	                   "filename=\"usage-2026-09-28-2026-10-04.csv\"\r\n"
	                   "\r\n"
	                   "YSxiCjEsMgo=\r\n"
	                   "\r\n"
	                   "--=_np_abc123--\r\n";
	assert_string_equal(msg, want);
	assert_int_equal(len, strlen(want));
	free(msg);
}

static void
test_utf8_subject_and_body(void **state)
{
	struct np_mail m = sample();
	m.subject = "Grüße";
	m.body = "Zürich\n";
	m.att_name = NULL;
	size_t len;
	char *msg = np_mail_build(&m, &len, NULL);
	assert_non_null(msg);
	assert_non_null(strstr(msg, "\r\nSubject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n"));
	assert_non_null(strstr(msg, "Content-Transfer-Encoding: base64\r\n\r\nWsO8cmljaA0K\r\n\r\n"
	                            "--=_np_abc123--\r\n"));
	assert_null(strstr(msg, "Content-Disposition"));
	free(msg);
}

static void
test_base64_lines(void **state)
{
	unsigned char buf[60];
	for (int i = 0; i < 60; i++)
		buf[i] = (unsigned char)i;
	size_t n;
	char *s = np_mail_base64(buf, sizeof(buf), &n);
	/* 57 bytes per 76-character line, then the last 3 bytes. */
	assert_string_equal(s, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMD"
	                       "EyMzQ1Njc4\r\nOTo7\r\n");
	assert_int_equal(n, strlen(s));
	free(s);
	s = np_mail_base64("", 0, &n);
	assert_string_equal(s, "");
	assert_int_equal(n, 0);
	free(s);
}

static void
test_refused(void **state)
{
	struct np_mail m = sample();
	char *cause = NULL;
	size_t len;
	m.subject = "x\r\nBcc: evil@example.net";
	assert_null(np_mail_build(&m, &len, &cause));
	assert_string_equal(cause, "bad mail subject (a line break)");
	m = sample();
	const char *bad[] = {"a@example.net\r\nRCPT TO:<x@y>"};
	m.to = bad;
	m.nto = 1;
	assert_null(np_mail_build(&m, &len, &cause));
	assert_non_null(strstr(cause, "only a plain address"));
	m = sample();
	m.from = "nobody";
	assert_null(np_mail_build(&m, &len, &cause));
	assert_string_equal(cause, "bad mail address \"nobody\": expected name@domain");
	m = sample();
	m.nto = 0;
	assert_null(np_mail_build(&m, &len, &cause));
	assert_string_equal(cause, "no recipient");
	m = sample();
	m.unique = "a-b";
	assert_null(np_mail_build(&m, &len, &cause));
	free(cause);
}

static void
test_smtp_job_refuses(void **state)
{
	struct np_smtp_cfg c = {.server = "http://mail.example.net"};
	char *cause = NULL;
	assert_null(np_smtp_job_new(&c, "a@b.c", two, 2, "x", 1, &cause));
	assert_non_null(strstr(cause, "expected smtp://host[:port]"));
	c.server = "smtp://user:pw@mail.example.net:587";
	assert_null(np_smtp_job_new(&c, "a@b.c", two, 2, "x", 1, &cause));
	assert_non_null(strstr(cause, "no user, password or path"));
	/* The password in a URL is never echoed: only the URL's checked shape is named. */
	c.server = "smtp://mail.example.net:587";
	struct np_smtp_job *j = np_smtp_job_new(&c, "a@b.c", two, 2, "x", 1, &cause);
	assert_non_null(j);
	assert_non_null(np_smtp_job_easy(j));
	np_smtp_job_free(j);
	free(cause);
}

static void
test_smtp_refused_connection(void **state)
{
	/* Port 1 on loopback: nothing listens; the cause names the server and curl's reason. */
	struct np_smtp_cfg c = {.server = "smtp://127.0.0.1:1", .timeout_ms = 5000};
	char *cause = NULL;
	assert_int_equal(np_smtp_send(&c, "a@b.c", two, 1, "x\r\n", 3, &cause), -1);
	assert_non_null(strstr(cause, "smtp://127.0.0.1:1: "));
	assert_non_null(strstr(cause, "onnect"));
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exact_message),    cmocka_unit_test(test_utf8_subject_and_body),
	    cmocka_unit_test(test_base64_lines),     cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_smtp_job_refuses), cmocka_unit_test(test_smtp_refused_connection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
