/* JSON documents: "version" first, uniform keys in arrays of objects (json_doc.h). */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "report/json_doc.h"

static void
test_object_and_array(void **state)
{
	(void)state;
	json_t *o = json_pack("{s{ss}si}", "period", "tz", "UTC", "n", 2);
	char *s = np_json_doc(o, NULL);
	assert_string_equal(s, "{\n  \"version\": 1,\n  \"period\": {\n    \"tz\": \"UTC\"\n  },\n"
	                       "  \"n\": 2\n}\n");
	free(s);
	/* The body is not changed. */
	assert_null(json_object_get(o, "version"));
	json_decref(o);

	json_t *a = json_pack("[]");
	s = np_json_doc(a, "links");
	assert_string_equal(s, "{\n  \"version\": 1,\n  \"links\": []\n}\n");
	free(s);
	json_decref(a);
	s = np_json_doc(json_true(), "ok");
	assert_string_equal(s, "{\n  \"version\": 1,\n  \"ok\": true\n}\n");
	free(s);
}

static void
test_uniform_keys(void **state)
{
	(void)state;
	/* The second event lacks outage_seconds, the first alert; nested arrays too. */
	json_t *a = json_pack("[{si s[{sisi}{si}]} {ss s[]} {}]", "outage_seconds", 7, "rows", "a",
	                      1, "b", 2, "b", 3, "alert", "IFUP", "rows");
	char *s = np_json_doc(a, "events");
	json_t *d = json_loads(s, 0, NULL);
	assert_non_null(d);
	json_t *ev = json_object_get(d, "events");
	assert_int_equal(json_array_size(ev), 3);
	for (size_t i = 0; i < 3; i++) {
		json_t *e = json_array_get(ev, i);
		assert_int_equal(json_object_size(e), 3);
		/* Same keys, same order: outage_seconds, rows, alert (first seen). */
		void *it = json_object_iter(e);
		assert_string_equal(json_object_iter_key(it), "outage_seconds");
		it = json_object_iter_next(e, it);
		assert_string_equal(json_object_iter_key(it), "rows");
		it = json_object_iter_next(e, it);
		assert_string_equal(json_object_iter_key(it), "alert");
	}
	assert_true(json_is_null(json_object_get(json_array_get(ev, 1), "outage_seconds")));
	assert_true(json_is_null(json_object_get(json_array_get(ev, 0), "alert")));
	assert_true(json_is_null(json_object_get(json_array_get(ev, 2), "rows")));
	json_t *rows = json_object_get(json_array_get(ev, 0), "rows");
	assert_true(json_is_null(json_object_get(json_array_get(rows, 1), "a")));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rows, 1), "b")), 3);
	/* Arrays of other things are left as they are. */
	json_decref(d);
	free(s);
	json_decref(a);
	a = json_pack("[si{}]", "x", 1);
	s = np_json_doc(a, "mixed");
	assert_string_equal(s, "{\n  \"version\": 1,\n  \"mixed\": [\n    \"x\",\n    1,\n    {}\n"
	                       "  ]\n}\n");
	free(s);
	json_decref(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_object_and_array),
	    cmocka_unit_test(test_uniform_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
