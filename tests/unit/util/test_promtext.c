/* Prometheus text building blocks: escaping of label values and names. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "util/promtext.h"

static char *
esc(const char *v)
{
	struct np_buf b = {0};
	np_prom_escape(&b, v);
	return np_buf_take(&b);
}

static void
test_escape(void **state)
{
	(void)state;
	char *s = esc("a\\b\"c\nd<script>");
	assert_string_equal(s, "a\\\\b\\\"c\\nd<script>");
	free(s);
	s = esc("");
	assert_string_equal(s, "");
	free(s);
}

static void
test_names(void **state)
{
	(void)state;
	struct np_buf b = {0};
	np_prom_extra_label(&b, "1st-site.x", "v");
	np_prom_extra_label(&b, "__meta", "w");
	np_prom_extra_label(&b, "interface", "\"");
	np_prom_extra_label(&b, "ok_Name9", "z");
	char *s = np_buf_take(&b);
	assert_string_equal(s, ",_st_site_x=\"v\",label__meta=\"w\",label_interface=\"\\\"\","
	                       "ok_Name9=\"z\"");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape),
	    cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
