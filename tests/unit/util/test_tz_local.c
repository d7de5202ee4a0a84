/*
 * The host's local zone (np_tz_local): TZ in each of its forms, /etc/localtime, UTC when
 * neither says anything. Offsets are the zones' published ones for 2026-12-01T12:00Z.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/tz.h"

#define T 1796126400 /* 2026-12-01T12:00:00Z */

static void
is(struct np_tz *tz, const char *name, int32_t off)
{
	assert_non_null(tz);
	assert_string_equal(np_tz_name(tz), name);
	assert_int_equal(np_tz_offset(tz, T), off);
	np_tz_free(tz);
}

static void
test_tz_variable(void **state)
{
	(void)state;
	char *cause = NULL;
	is(np_tz_local("Asia/Kolkata", NULL, NULL, &cause), "Asia/Kolkata", 19800);
	is(np_tz_local(":America/New_York", NULL, NULL, &cause), "America/New_York", -18000);
	is(np_tz_local(NP_TZ_DIR "/Australia/Sydney", NULL, NULL, &cause),
	   NP_TZ_DIR "/Australia/Sydney", 39600);
	is(np_tz_local("<+0530>-5:30", NULL, NULL, &cause), "<+0530>-5:30", 19800);
	is(np_tz_local("", NULL, NULL, &cause), "UTC", 0);
	/* Set, so /etc/localtime is not consulted. */
	is(np_tz_local("UTC", "/nonexistent/localtime", NULL, &cause), "UTC", 0);
	assert_null(cause);

	assert_null(np_tz_local("Nowhere/Zone", NULL, NULL, &cause));
	assert_string_equal(cause, "TZ=\"Nowhere/Zone\": neither a zone under " NP_TZ_DIR
	                           " nor a POSIX TZ rule");
	free(cause);
}

static void
test_localtime_file(void **state)
{
	(void)state;
	char *dir = np_test_tmpdir(), path[512], copy[512];
	char *cause = NULL;
	snprintf(path, sizeof(path), "%s/localtime", dir);
	assert_int_equal(symlink(NP_TZ_DIR "/Asia/Tokyo", path), 0);
	is(np_tz_local(NULL, path, NULL, &cause), "Asia/Tokyo", 32400);

	/* A copy, not a link: the zone is right, its name unknown. */
	snprintf(copy, sizeof(copy), "cp %s/America/Sao_Paulo %s/copy", NP_TZ_DIR, dir);
	assert_int_equal(system(copy), 0);
	snprintf(copy, sizeof(copy), "%s/copy", dir);
	is(np_tz_local(NULL, copy, NULL, &cause), "localtime", -10800);

	/* No TZ and no /etc/localtime: UTC, as the C library does. */
	snprintf(copy, sizeof(copy), "%s/missing", dir);
	is(np_tz_local(NULL, copy, NULL, &cause), "UTC", 0);
	assert_null(cause);

	/* There but not a zone file: an error, not a silent UTC. */
	assert_null(np_tz_local(NULL, dir, NULL, &cause));
	assert_non_null(strstr(cause, "is not a zone file"));
	free(cause);
	unlink(path);
	snprintf(copy, sizeof(copy), "%s/copy", dir);
	unlink(copy);
	rmdir(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tz_variable),
	    cmocka_unit_test(test_localtime_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
