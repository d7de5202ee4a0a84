#include "report/json_doc.h"

#include <stdbool.h>

#include "report/table.h"

static json_t *normalize(json_t *v);

/* An array of objects: each rebuilt with the union of keys, in first-seen order. */
static json_t *
objects(json_t *a)
{
	json_t *keys = json_object(), *out = json_array(), *e, *v;
	size_t i;
	const char *k;
	json_array_foreach(a, i, e)
	{
		json_object_foreach(e, k, v)
		{
			if (json_object_get(keys, k) == NULL)
				json_object_set_new(keys, k, json_true());
		}
	}
	json_array_foreach(a, i, e)
	{
		json_t *o = json_object();
		json_object_foreach(keys, k, v)
		{
			json_t *have = json_object_get(e, k);
			json_object_set_new(o, k, have != NULL ? normalize(have) : json_null());
		}
		json_array_append_new(out, o);
	}
	json_decref(keys);
	return out;
}

/* A deep copy with every array of objects made uniform. */
static json_t *
normalize(json_t *v)
{
	size_t i;
	const char *k;
	json_t *e, *out;
	if (json_is_array(v)) {
		bool all = json_array_size(v) > 0;
		json_array_foreach(v, i, e) all = all && json_is_object(e);
		if (all)
			return objects(v);
		out = json_array();
		json_array_foreach(v, i, e) json_array_append_new(out, normalize(e));
		return out;
	}
	if (json_is_object(v)) {
		out = json_object();
		json_object_foreach(v, k, e) json_object_set_new(out, k, normalize(e));
		return out;
	}
	return json_deep_copy(v);
}

char *
np_json_doc(json_t *body, const char *key)
{
	json_t *doc = json_object(), *n = normalize(body);
	json_object_set_new(doc, "version", json_integer(NP_JSON_VERSION));
	if (key == NULL && json_is_object(n)) {
		const char *k;
		json_t *v;
		json_object_foreach(n, k, v) json_object_set(doc, k, v);
	} else {
		json_object_set(doc, key != NULL ? key : "value", n);
	}
	json_decref(n);
	char *s = np_json_dump(doc);
	json_decref(doc);
	return s;
}
