/*
 * `maintenance:` (lib/config/config_maint.c): a full entry as the daemon gets it, and the
 * errors a user reads, whole, with file:line:column.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "config/config.h"

#define SRC "sources: []\n"

static struct np_config *
ok(const char *text)
{
	char *cause = NULL;
	struct np_config *cfg = np_config_parse("t.yaml", text, strlen(text), &cause);
	if (cfg == NULL)
		fail_msg("config rejected:\n%s", cause);
	return cfg;
}

static void
err(const char *text, const char *want)
{
	char *cause = NULL;
	struct np_config *cfg = np_config_parse("t.yaml", text, strlen(text), &cause);
	if (cfg != NULL)
		fail_msg("config accepted, expected: %s", want);
	assert_string_equal(cause, want);
	free(cause);
}

static void
test_good(void **state)
{
	(void)state;
	struct np_config *c = ok(SRC "daemon: { timezone: Europe/Berlin }\n"
	                             "maintenance:\n"
	                             "  - name: core upgrade\n"
	                             "    start: 2026-12-05T22:00:00-05:00\n"
	                             "    end: \"2026-12-06T05:00\"\n"
	                             "    source: fc-east\n"
	                             "    labels: { site: ber, role: \"\" }\n"
	                             "  - { days: [sat, sun], at: \"02:30\", duration: 2h,\n"
	                             "      timezone: America/New_York, device: \"^sw\","
	                             " interface: \"^ge-\" }\n");
	assert_int_equal(c->nmaint, 2);
	const struct np_maint_cfg *a = &c->maint[0], *b = &c->maint[1];
	assert_string_equal(a->name, "core upgrade");
	assert_string_equal(a->start, "2026-12-05T22:00:00-05:00");
	assert_string_equal(a->end, "2026-12-06T05:00");
	assert_null(a->timezone); /* daemon.timezone */
	assert_string_equal(a->source, "fc-east");
	assert_int_equal(a->nlabels, 4);
	assert_string_equal(a->labels[0], "site");
	assert_string_equal(a->labels[1], "ber");
	assert_string_equal(a->labels[2], "role");
	assert_string_equal(a->labels[3], "");
	assert_int_equal(b->ndays, 2);
	assert_string_equal(b->days[1], "sun");
	assert_string_equal(b->at, "02:30");
	assert_int_equal(b->duration_ms, 2 * 3600 * 1000);
	assert_string_equal(b->timezone, "America/New_York");
	assert_string_equal(b->device, "^sw");
	assert_string_equal(b->interface, "^ge-");
	assert_int_equal(b->nlabels, 0);
	np_config_free(c);
}

static void
test_bad(void **state)
{
	(void)state;
	err(SRC "maintenance:\n  - { at: \"02:30\", duration: 1h, labels: [site] }\n",
	    "t.yaml:3:42: bad value for 'labels' in maintenance[1]: expected a mapping of label "
	    "names to values, got a list");
	err(SRC "maintenance:\n  - { at: \"02:30\", duration: 1h, labels: { site: [a] } }\n",
	    "t.yaml:3:50: bad value for 'labels' in maintenance[1]: label 'site': expected a "
	    "string, got a list");
	err(SRC
	    "maintenance:\n  - { start: \"2026-12-01T10:00+25:00\", end: \"2026-12-01T11:00\" }\n",
	    "t.yaml:3:14: maintenance 1: start: expected YYYY-MM-DDTHH:MM[:SS] with an optional "
	    "UTC offset (Z, +01:00), got \"2026-12-01T10:00+25:00\"");
	err(SRC "maintenance:\n  - { start: \"2026-12-01T10:00\", end: \"2026-12-01T09:00Z\","
	        " timezone: Europe/Berlin }\n",
	    "t.yaml:3:39: maintenance 1: end 2026-12-01T09:00Z is not after start "
	    "2026-12-01T10:00");
	err(SRC "maintenance:\n  - { at: \"02:30\", duration: 1h }\n"
	        "  - { at: \"02:30\", duration: 1h, timezone: Mars/Olympus }\n",
	    "t.yaml:4:44: maintenance 2: unknown time zone \"Mars/Olympus\" "
	    "(/usr/share/zoneinfo/Mars/Olympus: No such file or directory)");
	err(SRC "maintenance:\n  - { at: \"02:30\", duraton: 1h }\n",
	    "t.yaml:3:5: maintenance 1: a recurring window needs a duration\n"
	    "t.yaml:3:20: unknown key 'duraton' in maintenance[1] (did you mean 'duration'?)");
	err(SRC "maintenance:\n  - { at: \"02:30\", duration: 1h, device: \"sw(\" }\n",
	    "t.yaml:3:42: maintenance 1: bad regular expression \"sw(\": Unmatched ( or \\(");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good),
	    cmocka_unit_test(test_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
