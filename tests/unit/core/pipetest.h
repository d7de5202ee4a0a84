#ifndef NP_PIPETEST_H
#define NP_PIPETEST_H
/*
 * Fixture shared by the pipeline tests: a store (in memory or in a temp file), a config with
 * the usual state settings, one local source "this-host" and a pipeline on them. Each test
 * file sets what it needs differently between fx_new and fx_start.
 */
#include <sqlite3.h>
#include <stdlib.h>

#include "config/config.h"
#include "core/pipeline.h"
#include "store/store.h"
#include "testutil.h"
#include "util/xmalloc.h"

#define T0 1764576000000LL /* 2025-12-01T08:00:00Z */

struct fx {
	char *path; /* NULL: in memory */
	struct np_store *st;
	struct np_config cfg;
	struct np_source_cfg src;
	struct np_pipeline *pl;
	struct np_batch b; /* the batch the tests fill in place */
	const char *const *sinks;
	size_t nsinks;
	int64_t t_last; /* the last ingest's time (wall = monotonic here) */
};

/*
 * A fixture, not started: its database is `file` in a new temp dir (NULL: in memory); stale
 * after 3 intervals, flapping at 5 changes in 10 min; "this-host" polled every 10 s.
 */
static inline struct fx *
fx_new(const char *file, const char *const *sinks, size_t nsinks)
{
	struct fx *f = np_xcalloc(1, sizeof(*f));
	if (file != NULL) {
		char *dir = np_test_tmpdir();
		f->path = np_xasprintf("%s/%s", dir, file);
		free(dir);
	}
	f->cfg.database = f->path != NULL ? f->path : ":memory:";
	f->cfg.state.stale_after_x = 3;
	f->cfg.state.flap_transitions = 5;
	f->cfg.state.flap_window_ms = 600000;
	f->src.name = "this-host";
	f->src.type = "local";
	f->src.interval_ms = 10000;
	f->src.timeout_ms = 5000;
	f->src.max_gap_ms = 30000;
	f->src.state = f->cfg.state;
	f->sinks = sinks;
	f->nsinks = nsinks;
	np_batch_init(&f->b, "this-host", T0);
	return f;
}

/* A new pipeline on the fixture's store, started at the given clocks (a restart if not the
 * first). */
static inline void
fx_pipeline(struct fx *f, int64_t wall, int64_t mono)
{
	char *cause = NULL;
	f->pl = np_pipeline_new(f->st, &f->cfg, NULL, wall, mono, &cause);
	if (f->pl == NULL)
		fail_msg("np_pipeline_new: %s", cause);
	np_pipeline_set_sinks(f->pl, f->sinks, f->nsinks);
}

/* Opens the store and starts the pipeline on it. */
static inline void
fx_start(struct fx *f, int64_t wall, int64_t mono)
{
	char *cause = NULL;
	f->st = np_store_open(f->path != NULL ? f->path : ":memory:", 0, &cause);
	if (f->st == NULL)
		fail_msg("np_store_open: %s", cause);
	fx_pipeline(f, wall, mono);
}

/*
 * A restart without a clean stop (kill -9): the process goes with what it held in memory, a
 * new one opens the file.
 */
static inline void
fx_restart(struct fx *f, int64_t now)
{
	np_pipeline_free(f->pl);
	np_store_close(f->st);
	fx_start(f, now, now);
}

static inline int
fx_teardown(void **state)
{
	struct fx *f = *state;
	np_pipeline_free(f->pl);
	np_store_close(f->st);
	np_batch_free(&f->b);
	free(f->path);
	free(f);
	return 0;
}

/* Ingests a batch the test built; a refusal fails the test. */
static inline void
fx_ingest(struct fx *f, const struct np_source_cfg *src, struct np_batch *b, int64_t wall,
          int64_t mono)
{
	char *cause = NULL;
	if (np_pipeline_ingest(f->pl, src, b, wall, mono, &cause) == -1)
		fail_msg("ingest: %s", cause);
	f->t_last = wall;
}

/* Writes what the pipeline holds in memory (as the daemon does when it stops). */
static inline void
fx_flush(struct fx *f)
{
	char *cause = NULL;
	if (np_pipeline_flush(f->pl, f->t_last, f->t_last, &cause) == -1)
		fail_msg("flush: %s", cause);
}

/*
 * The sum of a rollup_5m column over one interface's rows (-1 if no row), after writing what
 * the pipeline holds.
 */
static inline int64_t q_int(struct fx *f, const char *sql);
static inline int64_t
rollup_sum(struct fx *f, const char *col, const char *ifn)
{
	fx_flush(f);
	char *sql = np_xasprintf("SELECT coalesce(sum(r.%s), -1) FROM rollup_5m r JOIN series x"
	                         " ON x.id = r.series WHERE x.interface = '%s'",
	                         col, ifn);
	int64_t v = q_int(f, sql);
	free(sql);
	return v;
}

/* Ingests f->b from f->src at t; wall and monotonic clocks run together here. */
static inline void
ingest(struct fx *f, int64_t t)
{
	f->b.mono_ms = t;
	fx_ingest(f, &f->src, &f->b, t, t);
}

static inline void
fx_tick(struct fx *f, int64_t wall, int64_t mono)
{
	char *cause = NULL;
	if (np_pipeline_tick(f->pl, wall, mono, &cause) == -1)
		fail_msg("tick: %s", cause);
}

/* A Flow Collector's view of one exporter at bps (0: listed with no traffic, -1: not listed). */
static inline void
add_exporter(struct np_batch *b, long bps)
{
	if (bps < 0)
		return;
	struct np_obs *o = np_batch_add(b);
	np_obs_set_names(b, o, "192.0.2.10", "");
	o->gauge = (double)bps;
	o->has_gauge = true;
	o->link = bps > 0 ? NP_LINK_UP : NP_LINK_DOWN;
	o->ever_up = NP_EVER_YES;
}

/* The integer the query returns: -1 if no row, -2 if NULL. */
static inline int64_t
q_int(struct fx *f, const char *sql)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(np_store_db(f->st), sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("prepare %s: %s", sql, sqlite3_errmsg(np_store_db(f->st)));
	int64_t v = -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_type(s, 0) == SQLITE_NULL ? -2 : sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

#endif
