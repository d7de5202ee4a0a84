#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
