/*
 * Batches own their observations' names and labels (a string pool plus a label array, by
 * offset): every string reads back exactly after the arrays moved, truncation is flagged,
 * reset keeps the memory, identical strings share storage, and arguments that are the batch's
 * own strings survive the pool moving under them.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/obs.h"

static void
names_of(size_t i, char *dev, char *ifn, size_t size)
{
	snprintf(dev, size, "device-%zu.example.net", i);
	snprintf(ifn, size, "eth%zu", i);
}

/* 5,000 observations, each with its own names and two labels: every array grows many times. */
static void
test_read_back_after_growth(void **state)
{
	struct np_batch b;
	np_batch_init(&b, "src", 42);
	const size_t n = 5000;
	char dev[64], ifn[64], val[32];
	for (size_t i = 0; i < n; i++) {
		struct np_obs *o = np_batch_add(&b);
		names_of(i, dev, ifn, sizeof(dev));
		np_obs_set_names(&b, o, dev, ifn);
		snprintf(val, sizeof(val), "v%zu", i);
		assert_int_equal(np_obs_label(&b, o, "unique", val), 0);
		assert_int_equal(np_obs_label(&b, o, "parity", i % 2 ? "odd" : "even"), 0);
		np_obs_counter(o, NP_C_RX_BYTES, i);
	}
	assert_int_equal(b.n, n);
	assert_true(b.cap >= n && b.pool_cap >= b.pool_len && b.labels_cap >= b.nlabels);
	assert_int_equal(b.nlabels, 2 * n);
	for (size_t i = 0; i < n; i++) {
		const struct np_obs *o = &b.obs[i];
		names_of(i, dev, ifn, sizeof(dev));
		snprintf(val, sizeof(val), "v%zu", i);
		assert_string_equal(np_obs_device(&b, o), dev);
		assert_string_equal(np_obs_interface(&b, o), ifn);
		assert_int_equal(np_obs_nlabels(o), 2);
		assert_string_equal(np_obs_label_key(&b, o, 0), "unique");
		assert_string_equal(np_obs_label_value(&b, o, 0), val);
		assert_string_equal(np_obs_label_key(&b, o, 1), "parity");
		assert_string_equal(np_obs_label_value(&b, o, 1), i % 2 ? "odd" : "even");
		assert_int_equal(o->counters[NP_C_RX_BYTES], i);
		assert_int_equal(o->counter_mask, 1u << NP_C_RX_BYTES);
		assert_int_equal(o->time_ms, 42);
		assert_false(o->truncated);
	}
	assert_int_equal(np_batch_heap_bytes(&b), b.cap * sizeof(struct np_obs) + b.pool_cap +
	                                              b.labels_cap * sizeof(struct np_label));
	np_batch_free(&b);
	assert_null(b.obs);
	assert_null(b.pool);
	assert_null(b.labels);
}

static void
test_fresh_observation_is_unnamed(void **state)
{
	struct np_batch b;
	np_batch_init(&b, "src", 7);
	struct np_obs *o = np_batch_add(&b);
	assert_string_equal(np_obs_device(&b, o), "");
	assert_string_equal(np_obs_interface(&b, o), "");
	assert_int_equal(np_obs_nlabels(o), 0);
	assert_int_equal(o->time_ms, 7);
	assert_int_equal(o->counter_mask, 0);
	assert_false(o->truncated);
	np_obs_set_names(&b, o, "", "");
	assert_int_equal(b.pool_len, 1); /* "" is offset 0: nothing stored */
	np_batch_free(&b);
}

static void
test_truncation(void **state)
{
	struct np_batch b;
	np_batch_init(&b, "src", 0);
	char longest[NP_NAME_MAX], over[NP_NAME_MAX + 50], key[NP_LABEL_KEY_MAX + 8];
	memset(longest, 'a', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	memset(over, 'b', sizeof(over) - 1);
	over[sizeof(over) - 1] = '\0';
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';

	/* NP_NAME_MAX - 1 characters fit. */
	struct np_obs *o = np_batch_add(&b);
	np_obs_set_names(&b, o, longest, longest);
	assert_false(o->truncated);
	assert_int_equal(strlen(np_obs_device(&b, o)), NP_NAME_MAX - 1);

	o = np_batch_add(&b);
	np_obs_set_names(&b, o, "dev", over);
	assert_true(o->truncated);
	assert_string_equal(np_obs_device(&b, o), "dev");
	assert_int_equal(strlen(np_obs_interface(&b, o)), NP_NAME_MAX - 1);
	assert_int_equal(strncmp(np_obs_interface(&b, o), over, NP_NAME_MAX - 1), 0);

	o = np_batch_add(&b);
	assert_int_equal(np_obs_label(&b, o, "ok", longest), 0);
	assert_false(o->truncated);
	assert_int_equal(np_obs_label(&b, o, key, "v"), 0);
	assert_true(o->truncated);
	assert_int_equal(strlen(np_obs_label_key(&b, o, 1)), NP_LABEL_KEY_MAX - 1);
	assert_string_equal(np_obs_label_value(&b, o, 1), "v");

	o = np_batch_add(&b);
	assert_int_equal(np_obs_label(&b, o, "big", over), 0);
	assert_true(o->truncated);
	assert_int_equal(strlen(np_obs_label_value(&b, o, 0)), NP_NAME_MAX - 1);
	np_batch_free(&b);
}

static void
test_label_replace_and_limit(void **state)
{
	struct np_batch b;
	np_batch_init(&b, "src", 0);
	struct np_obs *o = np_batch_add(&b);
	char key[8];
	for (int i = 0; i < NP_LABELS_MAX; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(np_obs_label(&b, o, key, "first"), 0);
	}
	assert_int_equal(np_obs_label(&b, o, "one-more", "x"), -1);
	assert_int_equal(np_obs_nlabels(o), NP_LABELS_MAX);
	/* Replacing an existing key is not adding one. */
	assert_int_equal(np_obs_label(&b, o, "k3", "second"), 0);
	assert_int_equal(np_obs_nlabels(o), NP_LABELS_MAX);
	for (int i = 0; i < NP_LABELS_MAX; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_string_equal(np_obs_label_key(&b, o, (size_t)i), key);
		assert_string_equal(np_obs_label_value(&b, o, (size_t)i),
		                    i == 3 ? "second" : "first");
	}
	assert_int_equal(b.nlabels, NP_LABELS_MAX);
	np_batch_free(&b);
}

/* Labelling an observation again after another one was labelled keeps both intact. */
static void
test_labels_interleaved(void **state)
{
	struct np_batch b;
	np_batch_init(&b, "src", 0);
	np_batch_add(&b);
	np_batch_add(&b);
	assert_int_equal(np_obs_label(&b, &b.obs[0], "a", "1"), 0);
	assert_int_equal(np_obs_label(&b, &b.obs[1], "x", "9"), 0);
	assert_int_equal(np_obs_label(&b, &b.obs[0], "b", "2"), 0);
	assert_int_equal(np_obs_label(&b, &b.obs[1], "y", "8"), 0);
	assert_int_equal(np_obs_label(&b, &b.obs[0], "a", "3"), 0); /* replaced in place */
	const struct np_obs *o = &b.obs[0], *p = &b.obs[1];
	assert_int_equal(np_obs_nlabels(o), 2);
	assert_string_equal(np_obs_label_key(&b, o, 0), "a");
	assert_string_equal(np_obs_label_value(&b, o, 0), "3");
	assert_string_equal(np_obs_label_key(&b, o, 1), "b");
	assert_string_equal(np_obs_label_value(&b, o, 1), "2");
	assert_int_equal(np_obs_nlabels(p), 2);
	assert_string_equal(np_obs_label_key(&b, p, 0), "x");
	assert_string_equal(np_obs_label_value(&b, p, 0), "9");
	assert_string_equal(np_obs_label_key(&b, p, 1), "y");
	assert_string_equal(np_obs_label_value(&b, p, 1), "8");
	/* a, x, then each run moved to the end before growing: 1 + 1 + (1 + 1) + (1 + 1). */
	assert_int_equal(b.nlabels, 6);
	np_batch_free(&b);
}

/* Identical strings are stored once per batch: 1,000 rows of the same names and labels. */
static void
test_interning(void **state)
{
	struct np_batch b;
	np_batch_init(&b, "src", 0);
	for (int i = 0; i < 1000; i++) {
		struct np_obs *o = np_batch_add(&b);
		np_obs_set_names(&b, o, "host", "eth0");
		assert_int_equal(np_obs_label(&b, o, "fc_status", "Up"), 0);
		assert_int_equal(np_obs_label(&b, o, "netflow_version", "9"), 0);
	}
	/* "" + "host" + "eth0" + "fc_status" + "Up" + "netflow_version" + "9", with NULs. */
	assert_int_equal(b.pool_len, 1 + 5 + 5 + 10 + 3 + 16 + 2);
	assert_int_equal(b.obs[0].device, b.obs[999].device);
	assert_int_equal(b.labels[0].value, b.labels[2 * 999].value);
	assert_string_equal(np_obs_label_value(&b, &b.obs[500], 1), "9");
	np_batch_free(&b);
}

/* Reset empties the batch and keeps every buffer: refilling it the same way allocates nothing. */
static void
test_reset_keeps_capacity(void **state)
{
	struct np_batch b;
	np_batch_init(&b, "src", 0);
	char dev[64], ifn[64];
	size_t first_len = 0;
	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < 300; i++) {
			struct np_obs *o = np_batch_add(&b);
			names_of(i, dev, ifn, sizeof(dev));
			np_obs_set_names(&b, o, dev, ifn);
			np_obs_label(&b, o, "k", ifn);
		}
		const struct np_obs *obs = b.obs;
		const char *pool = b.pool;
		const struct np_label *labels = b.labels;
		size_t cap = b.cap, pool_cap = b.pool_cap, labels_cap = b.labels_cap;
		size_t pool_len = b.pool_len;
		np_batch_skip(&b, "why");
		np_batch_reset(&b, 1000 + round);
		assert_int_equal(b.n, 0);
		assert_int_equal(b.nlabels, 0);
		assert_int_equal(b.pool_len, 1);
		assert_int_equal(b.skipped, 0);
		assert_string_equal(b.skip_reason, "");
		assert_int_equal(b.time_ms, 1000 + round);
		assert_ptr_equal(b.obs, obs);
		assert_ptr_equal(b.pool, pool);
		assert_ptr_equal(b.labels, labels);
		assert_int_equal(b.cap, cap);
		assert_int_equal(b.pool_cap, pool_cap);
		assert_int_equal(b.labels_cap, labels_cap);
		if (round == 0)
			first_len = pool_len;
		assert_int_equal(pool_len, first_len); /* the same strings stored anew */
	}
	struct np_obs *o = np_batch_add(&b);
	np_obs_set_names(&b, o, "after", "reset");
	assert_string_equal(np_obs_device(&b, o), "after");
	assert_string_equal(np_obs_interface(&b, o), "reset");
	assert_int_equal(np_obs_nlabels(o), 0);
	assert_int_equal(o->time_ms, 1002);
	np_batch_free(&b);
}

/* Rewind keeps the strings: last poll's slots still read their names. */
static void
test_rewind_keeps_names(void **state)
{
	struct np_batch b;
	np_batch_init(&b, "src", 0);
	np_obs_set_names(&b, np_batch_add(&b), "h", "a0");
	np_obs_set_names(&b, np_batch_add(&b), "h", "a1");
	assert_int_equal(np_obs_label(&b, &b.obs[1], "k", "v"), 0);
	size_t pool_len = b.pool_len;
	np_batch_rewind(&b, 5);
	assert_int_equal(b.n, 0);
	assert_int_equal(b.pool_len, pool_len);
	struct np_obs *o = &b.obs[b.n++]; /* the collector's refill of slot 0 */
	assert_string_equal(np_obs_interface(&b, o), "a0");
	o = np_batch_add(&b); /* slot 1 named anew: its old strings are left behind */
	np_obs_set_names(&b, o, "h", "b1");
	assert_string_equal(np_obs_device(&b, &b.obs[0]), "h");
	assert_string_equal(np_obs_interface(&b, &b.obs[0]), "a0");
	assert_string_equal(np_obs_interface(&b, &b.obs[1]), "b1");
	assert_int_equal(np_obs_nlabels(&b.obs[1]), 0);
	np_batch_free(&b);
}

/*
 * Stores distinct strings (on a scratch observation) until fewer than `room` (>= 14) bytes are
 * left in the pool, without growing it: the next store of `room` bytes or more moves it.
 */
static void
fill_pool(struct np_batch *b, size_t room)
{
	static unsigned k;
	struct np_obs *o = np_batch_add(b);
	char s[128];
	while (b->pool_cap - b->pool_len >= room) {
		size_t left = b->pool_cap - b->pool_len;
		/* 12 or more characters after a counter: never one stored before. */
		size_t len = left - room >= 113 ? 100 : left - room > 12 ? left - room : 12;
		int n = snprintf(s, sizeof(s), "%u-", k++);
		memset(s + n, 'p', len - (size_t)n);
		s[len] = '\0';
		np_obs_set_names(b, o, s, "");
	}
	assert_true(b->pool_cap - b->pool_len < room);
}

/* Arguments that are the batch's own strings, while storing them moves the pool. */
static void
test_own_strings_as_arguments(void **state)
{
	struct np_batch b;
	np_batch_init(&b, "src", 0);
	char zs[NP_NAME_MAX];
	memset(zs, 'z', sizeof(zs) - 1);
	zs[sizeof(zs) - 1] = '\0';
	np_obs_set_names(&b, np_batch_add(&b), "the-device", "the-interface");
	np_obs_set_names(&b, np_batch_add(&b), "d", zs);

	fill_pool(&b, strlen("the-interface") + strlen(zs) + 2);
	size_t cap = b.pool_cap;
	struct np_obs *p = np_batch_add(&b);
	np_obs_set_names(&b, p, np_obs_interface(&b, &b.obs[0]), np_obs_interface(&b, &b.obs[1]));
	assert_true(b.pool_cap > cap);
	assert_string_equal(np_obs_device(&b, p), "the-interface");
	assert_string_equal(np_obs_interface(&b, p), zs);
	assert_int_equal(p->device, b.obs[0].interface); /* the very same strings */
	assert_int_equal(p->interface, b.obs[1].interface);
	assert_false(p->truncated);

	/* A label whose key is cut from a pool string (so copied) and whose value is one. */
	size_t ip = (size_t)(p - b.obs); /* fill_pool adds: b.obs may move */
	fill_pool(&b, NP_LABEL_KEY_MAX - 1 + strlen("the-device") + 2);
	cap = b.pool_cap;
	p = &b.obs[ip];
	assert_int_equal(
	    np_obs_label(&b, p, np_obs_interface(&b, &b.obs[1]), np_obs_device(&b, &b.obs[0])), 0);
	assert_true(b.pool_cap > cap);
	p = &b.obs[ip];
	assert_true(p->truncated);
	assert_int_equal(np_obs_nlabels(p), 1);
	assert_int_equal(strlen(np_obs_label_key(&b, p, 0)), NP_LABEL_KEY_MAX - 1);
	assert_int_equal(strspn(np_obs_label_key(&b, p, 0), "z"), NP_LABEL_KEY_MAX - 1);
	assert_string_equal(np_obs_label_value(&b, p, 0), "the-device");
	np_batch_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_read_back_after_growth),
	    cmocka_unit_test(test_fresh_observation_is_unnamed),
	    cmocka_unit_test(test_truncation),
	    cmocka_unit_test(test_label_replace_and_limit),
	    cmocka_unit_test(test_labels_interleaved),
	    cmocka_unit_test(test_interning),
	    cmocka_unit_test(test_reset_keeps_capacity),
	    cmocka_unit_test(test_rewind_keeps_names),
	    cmocka_unit_test(test_own_strings_as_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
