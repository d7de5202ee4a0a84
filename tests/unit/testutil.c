#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/tz.h"
#include "util/xmalloc.h"

char *
np_test_fixture(const char *rel)
{
	const char *dir = getenv("NP_FIXTURES");
	if (dir == NULL)
		dir = "tests/fixtures";
	return np_xasprintf("%s/%s", dir, rel);
}

char *
np_test_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		fail_msg("cannot open %s", path);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = np_xmalloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		fail_msg("short read on %s", path);
	fclose(f);
	buf[n] = '\0';
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

char *
np_test_tmpdir(void)
{
	char *t = np_xstrdup("/tmp/netpulse-test.XXXXXX");
	if (mkdtemp(t) == NULL)
		fail_msg("mkdtemp failed");
	return t;
}

/*
 * cmocka counts a skip() as a pass, so a test that could not run here looked green. Every
 * unit test is linked with -Wl,--wrap=_skip,--wrap=_cmocka_run_group_tests
 * (tests/CMakeLists.txt): a group in which any test skipped and none failed exits 77, which
 * ctest reports as skipped (SKIP_RETURN_CODE) and `make test` refuses unless NP_ALLOW_SKIP=1.
 */
void __real__skip(const char *const file, const int line);
void __wrap__skip(const char *const file, const int line);
int __real__cmocka_run_group_tests(const char *group_name, const struct CMUnitTest *const tests,
                                   const size_t num_tests, CMFixtureFunction group_setup,
                                   CMFixtureFunction group_teardown);
int __wrap__cmocka_run_group_tests(const char *group_name, const struct CMUnitTest *const tests,
                                   const size_t num_tests, CMFixtureFunction group_setup,
                                   CMFixtureFunction group_teardown);

static int skipped;

void
__wrap__skip(const char *const file, const int line)
{
	skipped++;
	__real__skip(file, line);
}

int
__wrap__cmocka_run_group_tests(const char *group_name, const struct CMUnitTest *const tests,
                               const size_t num_tests, CMFixtureFunction group_setup,
                               CMFixtureFunction group_teardown)
{
	int before = skipped;
	int failed = __real__cmocka_run_group_tests(group_name, tests, num_tests, group_setup,
	                                            group_teardown);
	if (failed == 0 && skipped > before) {
		fprintf(stderr, "SKIP: %s: %d test(s) could not run here (exit 77)\n",
		        program_invocation_short_name, skipped - before);
		return NP_TEST_SKIP;
	}
	return failed;
}

struct np_tz *
np_test_zone(const char *name)
{
	char *cause = NULL;
	struct np_tz *tz = np_tz_load(NULL, name, &cause);
	if (tz == NULL)
		fail_msg("%s", cause);
	return tz;
}

char *
np_test_read_fixture(const char *dir, const char *name, size_t *len)
{
	char *rel = np_xasprintf("%s/%s", dir, name);
	char *path = np_test_fixture(rel);
	char *data = np_test_read_file(path, len);
	free(path);
	free(rel);
	return data;
}
