#ifndef NP_TESTUTIL_H
#define NP_TESTUTIL_H
/* Helpers shared by unit tests (cmocka). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* Exit status of a test that cannot run here (ctest SKIP_RETURN_CODE). A cmocka group in
 * which a test called skip() and none failed exits with it (testutil.c). */
#define NP_TEST_SKIP 77

/* Path of a fixture under tests/fixtures (NP_FIXTURES env, else the source tree). malloc'd. */
char *np_test_fixture(const char *rel);
/* The bytes of fixture DIR/NAME (NUL-terminated), *len their count if len. malloc'd. */
char *np_test_read_fixture(const char *dir, const char *name, size_t *len);
/* Reads a whole file; aborts the test on failure. malloc'd, NUL-terminated; *len if non-NULL. */
char *np_test_read_file(const char *path, size_t *len);
/* A fresh temporary directory (removed by nobody: under /tmp). malloc'd. */
char *np_test_tmpdir(void);
struct np_tz;
/* The IANA zone `name` from the system's tzdata; fails the test if it does not load. */
struct np_tz *np_test_zone(const char *name);

#endif
