/*
 * Interval amounts through the pipeline: stored per series and interval in the batch's
 * transaction (series kind "usage", labels as for any series), never through the counter
 * engine or the rollups; a replayed batch replaces, a new interval adds a row; the amount mark
 * is the latest end per (source, device); an empty interval is left out without costing the
 * batch.
 */
#include <string.h>

#include "pipetest.h"

#define D0_MS 1790812800000LL /* 2026-10-01T00:00:00Z */
#define DAY_MS 86400000LL

static int
setup(void **state)
{
	struct fx *f = fx_new(NULL, NULL, 0);
	f->src.name = "meraki";
	f->src.type = "meraki";
	fx_start(f, T0, T0);
	np_batch_free(&f->b);
	np_batch_init(&f->b, "meraki", T0);
	*state = f;
	return 0;
}

static void
amount(struct np_batch *b, const char *net, const char *group, int64_t day_ms, uint64_t rx,
       uint64_t tx)
{
	struct np_obs *o = np_batch_add(b);
	np_obs_set_names(b, o, net, group);
	assert_int_equal(np_obs_label(b, o, "network", net), 0);
	assert_int_equal(np_obs_label(b, o, "group", group), 0);
	np_obs_counter(o, NP_C_RX_BYTES, rx);
	np_obs_counter(o, NP_C_TX_BYTES, tx);
	np_obs_amount(o, day_ms, day_ms + DAY_MS);
}

/* Every amount row, as "interface|start|end|rx|tx|rx_packets" lines in key order. */
static char *
amounts(struct fx *f)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(np_store_db(f->st),
	                                    "SELECT x.interface, a.start, a.end, a.rx_bytes,"
	                                    " a.tx_bytes, coalesce(a.rx_packets, 'NULL')"
	                                    " FROM amounts a JOIN series x ON x.id = a.series"
	                                    " ORDER BY a.start, x.interface",
	                                    -1, &s, NULL),
	                 SQLITE_OK);
	char *out = np_xstrdup("");
	while (sqlite3_step(s) == SQLITE_ROW) {
		char *n = np_xasprintf(
		    "%s%s|%lld|%lld|%lld|%lld|%s\n", out, (const char *)sqlite3_column_text(s, 0),
		    (long long)sqlite3_column_int64(s, 1), (long long)sqlite3_column_int64(s, 2),
		    (long long)sqlite3_column_int64(s, 3), (long long)sqlite3_column_int64(s, 4),
		    (const char *)sqlite3_column_text(s, 5));
		free(out);
		out = n;
	}
	sqlite3_finalize(s);
	return out;
}

static void
assert_amounts(struct fx *f, const char *want)
{
	char *got = amounts(f);
	assert_string_equal(got, want);
	free(got);
}

static void
test_stored_and_replaced(void **state)
{
	struct fx *f = *state;
	amount(&f->b, "net1", "Corporate", D0_MS, 1000, 100);
	amount(&f->b, "net1", "Guest", D0_MS, 2000, 200);
	ingest(f, T0);
	assert_amounts(f, "Corporate|1790812800|1790899200|1000|100|NULL\n"
	                  "Guest|1790812800|1790899200|2000|200|NULL\n");
	/* Series rows as for counters: labels JSON, kind "usage". */
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(np_store_db(f->st),
	                                    "SELECT source, device, interface, kind, labels"
	                                    " FROM series ORDER BY id",
	                                    -1, &s, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "meraki");
	assert_string_equal((const char *)sqlite3_column_text(s, 1), "net1");
	assert_string_equal((const char *)sqlite3_column_text(s, 2), "Corporate");
	assert_string_equal((const char *)sqlite3_column_text(s, 3), "usage");
	assert_string_equal((const char *)sqlite3_column_text(s, 4),
	                    "{\"group\":\"Corporate\",\"network\":\"net1\"}");
	sqlite3_finalize(s);

	/* The same day polled again (the API's numbers grew): replaced, not added. */
	np_batch_reset(&f->b, T0 + 3600000);
	amount(&f->b, "net1", "Corporate", D0_MS, 1500, 150);
	amount(&f->b, "net1", "Guest", D0_MS, 2000, 200);
	amount(&f->b, "net1", "Guest", D0_MS + DAY_MS, 7, 8);
	ingest(f, T0 + 3600000);
	/* And replayed exactly: still one row per series and day. */
	ingest(f, T0 + 7200000);
	assert_amounts(f, "Corporate|1790812800|1790899200|1500|150|NULL\n"
	                  "Guest|1790812800|1790899200|2000|200|NULL\n"
	                  "Guest|1790899200|1790985600|7|8|NULL\n");
	assert_int_equal(q_int(f, "SELECT count(*) FROM series"), 2);

	/* Not through the counter engine: no rollups, no baselines, no verdicts, no samples. */
	fx_flush(f);
	assert_int_equal(q_int(f, "SELECT count(*) FROM rollup_5m"), 0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM rollup_1d"), 0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM baselines"), 0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM verdicts"), 0);
	const struct np_pipeline_stats *ps = np_pipeline_stats(f->pl);
	assert_int_equal(ps->samples, 0);
	assert_int_equal(ps->observations, 2 + 3 + 3);
	for (int v = 0; v < NP_V_MAX; v++)
		assert_int_equal(ps->verdicts[v], 0);
}

static void
test_mark(void **state)
{
	struct fx *f = *state;
	assert_int_equal(np_pipeline_amount_mark(f->pl, "meraki", "net1", NULL), 0);
	amount(&f->b, "net1", "Corporate", D0_MS, 1, 1);
	amount(&f->b, "net1", "Guest", D0_MS + 2 * DAY_MS, 1, 1);
	amount(&f->b, "net2", "Guest", D0_MS + 5 * DAY_MS, 1, 1);
	ingest(f, T0);
	assert_int_equal(np_pipeline_amount_mark(f->pl, "meraki", "net1", NULL),
	                 D0_MS + 3 * DAY_MS);
	assert_int_equal(np_pipeline_amount_mark(f->pl, "meraki", "net2", NULL),
	                 D0_MS + 6 * DAY_MS);
	assert_int_equal(np_pipeline_amount_mark(f->pl, "meraki", "net3", NULL), 0);
	assert_int_equal(np_pipeline_amount_mark(f->pl, "other", "net1", NULL), 0);
	/* The whole source's, with any device. */
	assert_int_equal(np_pipeline_amount_mark(f->pl, "meraki", NULL, NULL), D0_MS + 6 * DAY_MS);
	assert_int_equal(np_pipeline_amount_mark(f->pl, "meraki", NULL, "Corporate"),
	                 D0_MS + DAY_MS);
	assert_int_equal(np_pipeline_amount_mark(f->pl, "other", NULL, NULL), 0);
}

/* Top talkers are amounts of their own kinds: stored, and never part of `usage`. */
static void
test_talker_kinds(void **state)
{
	struct fx *f = *state;
	amount(&f->b, "net1", "Corporate", D0_MS, 10, 20);
	struct np_obs *o = np_batch_add(&f->b);
	np_obs_set_names(&f->b, o, "203.0.113.7", "dst");
	np_obs_counter(o, NP_C_RX_BYTES, 99);
	np_obs_amount(o, D0_MS, D0_MS + 3600000);
	o->amount_kind = NP_AMOUNT_TALKER_DST;
	o = np_batch_add(&f->b);
	np_obs_set_names(&f->b, o, "10.0.0.1", "src");
	np_obs_counter(o, NP_C_RX_BYTES, 98);
	np_obs_amount(o, D0_MS, D0_MS + 3600000);
	o->amount_kind = NP_AMOUNT_TALKER_SRC;
	ingest(f, T0);
	assert_int_equal(q_int(f, "SELECT count(*) FROM series WHERE kind = 'usage'"), 1);
	assert_int_equal(q_int(f,
	                       "SELECT a.rx_bytes FROM amounts a JOIN series s ON s.id = a.series"
	                       " WHERE s.kind = 'talker-dst' AND s.device = '203.0.113.7'"),
	                 99);
	assert_int_equal(q_int(f,
	                       "SELECT a.rx_bytes FROM amounts a JOIN series s ON s.id = a.series"
	                       " WHERE s.kind = 'talker-src' AND s.device = '10.0.0.1'"),
	                 98);
}

/*
 * A batch mixing amounts and counters: each goes its own way. An amount over an empty
 * interval is left out; the rest of the batch is stored.
 */
static void
test_mixed_and_empty(void **state)
{
	struct fx *f = *state;
	amount(&f->b, "net1", "Corporate", D0_MS, 10, 20);
	struct np_obs *o = np_batch_add(&f->b);
	np_obs_set_names(&f->b, o, "net1", "Guest");
	np_obs_counter(o, NP_C_RX_BYTES, 5);
	np_obs_amount(o, D0_MS, D0_MS); /* empty */
	o = np_batch_add(&f->b);
	np_obs_set_names(&f->b, o, "mx1", "wan1");
	np_obs_counter(o, NP_C_RX_BYTES, 1000);
	ingest(f, T0);
	np_batch_reset(&f->b, T0 + 10000);
	o = np_batch_add(&f->b);
	np_obs_set_names(&f->b, o, "mx1", "wan1");
	np_obs_counter(o, NP_C_RX_BYTES, 1600);
	ingest(f, T0 + 10000);
	assert_amounts(f, "Corporate|1790812800|1790899200|10|20|NULL\n");
	assert_int_equal(rollup_sum(f, "rx_bytes", "wan1"), 600);
	assert_int_equal(q_int(f, "SELECT count(*) FROM baselines"), 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM series WHERE kind = 'if'"), 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM series WHERE kind = 'usage'"), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_stored_and_replaced, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_mark, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_talker_kinds, setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_mixed_and_empty, setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
