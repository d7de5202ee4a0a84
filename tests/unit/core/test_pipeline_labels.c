/*
 * Labels travel from the batch's own storage to the series row: exact JSON, rewritten when a
 * value changes, and each observation of a batch keeps its own labels and names.
 */
#include <stdio.h>
#include <string.h>

#include "pipetest.h"

static int
setup(void **state)
{
	struct fx *f = fx_new(NULL, NULL, 0);
	f->src.name = "fc";
	f->src.type = "stealthwatch";
	fx_start(f, T0, T0);
	*state = f;
	return 0;
}

/* The labels column of dev's series, in buf ("" if none). */
static const char *
labels_of(struct fx *f, const char *dev, char *buf, size_t size)
{
	sqlite3_stmt *s;
	buf[0] = '\0';
	assert_int_equal(sqlite3_prepare_v2(np_store_db(f->st),
	                                    "SELECT labels FROM series WHERE device = ?1", -1, &s,
	                                    NULL),
	                 SQLITE_OK);
	sqlite3_bind_text(s, 1, dev, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != NULL)
		snprintf(buf, size, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return buf;
}

static void
exporter(struct np_batch *b, const char *dev, const char *status, const char *version)
{
	struct np_obs *o = np_batch_add(b);
	np_obs_set_names(b, o, dev, "");
	o->gauge = 8;
	o->has_gauge = true;
	o->link = NP_LINK_UP;
	assert_int_equal(np_obs_label(b, o, "netflow_version", version), 0);
	assert_int_equal(np_obs_label(b, o, "fc_status", status), 0);
}

static void
test_labels_reach_the_series(void **state)
{
	struct fx *f = *state;
	char buf[256];
	np_batch_init(&f->b, "fc", T0);
	exporter(&f->b, "192.0.2.1", "1", "9");
	exporter(&f->b, "192.0.2.2", "2", "10");
	exporter(&f->b, "192.0.2.3", "1", "9");
	f->b.complete = true;
	fx_ingest(f, &f->src, &f->b, T0, T0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM series"), 3);
	assert_string_equal(labels_of(f, "192.0.2.1", buf, sizeof(buf)),
	                    "{\"fc_status\":\"1\",\"netflow_version\":\"9\"}");
	assert_string_equal(labels_of(f, "192.0.2.2", buf, sizeof(buf)),
	                    "{\"fc_status\":\"2\",\"netflow_version\":\"10\"}");
	assert_string_equal(labels_of(f, "192.0.2.3", buf, sizeof(buf)),
	                    "{\"fc_status\":\"1\",\"netflow_version\":\"9\"}");

	/* A changed value rewrites the row; the others keep theirs. */
	np_batch_reset(&f->b, T0 + 10000);
	exporter(&f->b, "192.0.2.1", "1", "9");
	exporter(&f->b, "192.0.2.2", "1", "10");
	exporter(&f->b, "192.0.2.3", "1", "9");
	f->b.complete = true;
	fx_ingest(f, &f->src, &f->b, T0 + 10000, T0 + 10000);
	assert_int_equal(q_int(f, "SELECT count(*) FROM series"), 3);
	assert_string_equal(labels_of(f, "192.0.2.2", buf, sizeof(buf)),
	                    "{\"fc_status\":\"1\",\"netflow_version\":\"10\"}");
	assert_string_equal(labels_of(f, "192.0.2.1", buf, sizeof(buf)),
	                    "{\"fc_status\":\"1\",\"netflow_version\":\"9\"}");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_labels_reach_the_series, setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
