/*
 * Scheduler: driven by a real event_base and a fake collector whose polls succeed, fail, hang
 * or complete late, as scripted. Assertions are on the schedule's state (backoff values, grid
 * steps, call counts), not on how long anything took.
 */
#include "testutil.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "collectors/collector.h"
#include "core/sched.h"
#include "util/xmalloc.h"

/* RETRY: a failure whose peer asked for 200 ms of quiet (HTTP 429 Retry-After). */
enum step { OK, FAIL, HANG, SLOW, RETRY };

struct fake {
	const struct np_collector_ctx *ctx;
	struct event *later;
	const enum step *script;
	size_t nscript, polls, cancels;
	bool in_flight;
	struct np_batch batch;
};

static struct fake *current;
static const enum step *next_script;
static size_t next_nscript;

static void
complete(evutil_socket_t fd, short what, void *arg)
{
	struct fake *f = arg;
	enum step st = f->script[(f->polls - 1) % f->nscript];
	f->in_flight = false;
	if (st == FAIL || st == RETRY) {
		f->ctx->done(f->ctx->arg, NULL, -1, np_xstrdup("scripted failure"),
		             st == RETRY ? 200 : 0);
		return;
	}
	np_batch_reset(&f->batch, 1000);
	np_batch_add(&f->batch);
	np_batch_add(&f->batch);
	f->ctx->done(f->ctx->arg, &f->batch, 0, NULL, 0);
}

static void *
fake_create(const struct np_collector_ctx *ctx, char **cause)
{
	struct fake *f = np_xcalloc(1, sizeof(*f));
	f->ctx = ctx;
	f->script = next_script;
	f->nscript = next_nscript;
	f->later = evtimer_new(ctx->base, complete, f);
	np_batch_init(&f->batch, ctx->cfg->name, 1000);
	current = f;
	return f;
}

static int
fake_poll(void *inst, char **cause)
{
	struct fake *f = inst;
	assert_false(f->in_flight); /* never two polls at once */
	f->in_flight = true;
	enum step st = f->script[f->polls++ % f->nscript];
	if (st == HANG)
		return 0;
	if (st == OK && f->polls == 1) {
		/* A synchronous completion from inside poll() must work too. */
		f->in_flight = false;
		np_batch_reset(&f->batch, 1000);
		np_batch_add(&f->batch);
		np_batch_add(&f->batch);
		f->ctx->done(f->ctx->arg, &f->batch, 0, NULL, 0);
		return 0;
	}
	struct timeval tv = {0, st == SLOW ? 250000 : 1000};
	evtimer_add(f->later, &tv);
	return 0;
}

static void
fake_cancel(void *inst)
{
	struct fake *f = inst;
	f->cancels++;
	f->in_flight = false;
	evtimer_del(f->later);
}

static void
fake_destroy(void *inst)
{
	struct fake *f = inst;
	event_free(f->later);
	np_batch_free(&f->batch);
	free(f);
	current = NULL;
}

static const struct np_collector_ops fake_ops = {
    .type = "fake",
    .create = fake_create,
    .poll = fake_poll,
    .cancel = fake_cancel,
    .destroy = fake_destroy,
};

static const struct np_collector_ops *
lookup(const char *type)
{
	return strcmp(type, "fake") == 0 ? &fake_ops : NULL;
}

struct run {
	struct event_base *base;
	struct np_sched *s;
	size_t results, stop_after;
	int oks[16];
	int64_t backoff[16], due[16];
	char cause[16][128];
	size_t warnings;
	/* the timed hook: what it got per poll, and how many results had been seen then */
	size_t timed, after_results[16], nobs[16];
	int64_t cpu_ns[16];
	bool sync[16];
};

/* CPU the result hook burns (thread CPU clock, ns), so the timed span must hold it. */
static int64_t burn_ns;
static bool want_timed;

static int64_t
thread_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
on_result(void *arg, const struct np_source_cfg *src, const struct np_batch *b, int ok,
          const char *cause)
{
	struct run *r = arg;
	for (int64_t t0 = thread_cpu_ns(); burn_ns > 0 && thread_cpu_ns() - t0 < burn_ns;)
		;
	size_t i = r->results++;
	if (i < 16) {
		r->oks[i] = ok;
		np_sched_peek(r->s, src->name, &r->due[i], &r->backoff[i]);
		snprintf(r->cause[i], sizeof(r->cause[i]), "%s", cause ? cause : "");
	}
	if (r->results == r->stop_after)
		event_base_loopbreak(r->base);
}

static void
on_timed(void *arg, const struct np_source_cfg *src, const struct np_sched_timing *t)
{
	struct run *r = arg;
	size_t i = r->timed++;
	if (i < 16) {
		r->after_results[i] = r->results;
		r->nobs[i] = t->nobs;
		r->cpu_ns[i] = t->cpu_ns;
		r->sync[i] = t->sync;
	}
}

static void
on_log(void *arg, int prio, const char *msg)
{
	struct run *r = arg;
	if (prio == LOG_WARNING)
		r->warnings++;
}

static void
run_script(struct run *r, const enum step *script, size_t n, int64_t interval, int64_t timeout,
           size_t stop_after)
{
	next_script = script;
	next_nscript = n;
	memset(r, 0, sizeof(*r));
	r->stop_after = stop_after;
	r->base = event_base_new();
	struct np_sched_hooks h = {.result = on_result, .lookup = lookup, .arg = r};
	if (want_timed)
		h.timed = on_timed;
	struct np_logger lg = {.fn = on_log, .arg = r};
	r->s = np_sched_new(r->base, &h, &lg);
	static struct np_source_cfg src;
	memset(&src, 0, sizeof(src));
	src.name = "src";
	src.type = "fake";
	src.interval_ms = interval;
	src.timeout_ms = timeout;
	assert_int_equal(np_sched_set_sources(r->s, &src, 1, NULL), 0);
	np_sched_start(r->s, false);
	event_base_dispatch(r->base);
}

static void
finish_run(struct run *r)
{
	np_sched_free(r->s);
	event_base_free(r->base);
}

static void
test_backoff_doubles_caps_and_resets(void **state)
{
	/* interval 20 ms: backoff 40, 80, 160, 320 (16 x cap), 320, then ok resets it. */
	static const enum step script[] = {FAIL, FAIL, FAIL, FAIL, FAIL, FAIL, OK, OK};
	struct run r;
	run_script(&r, script, 8, 20, 1000, 8);
	assert_int_equal(r.results, 8);
	const int64_t want[] = {40, 80, 160, 320, 320, 320, 0, 0};
	for (int i = 0; i < 8; i++) {
		assert_int_equal(r.oks[i], i < 6 ? -1 : 0);
		assert_int_equal(r.backoff[i], want[i]);
	}
	assert_string_equal(r.cause[0], "scripted failure");
	/* Healthy polls advance the grid by exactly one interval. */
	assert_int_equal(r.due[7] - r.due[6], 20);
	finish_run(&r);
}

static void
test_retry_after_comes_before_backoff(void **state)
{
	/* interval 20 ms: after FAIL the next poll is due 40 ms on; RETRY asks for 200 ms, so its
	 * successor is due at least 200 ms after the RETRY poll (which ran at or after the
	 * previous due time); the backoff itself keeps doubling. */
	static const enum step script[] = {FAIL, RETRY, OK};
	struct run r;
	run_script(&r, script, 3, 20, 1000, 3);
	assert_int_equal(r.oks[1], -1);
	assert_int_equal(r.backoff[0], 40);
	assert_int_equal(r.backoff[1], 80);
	assert_true(r.due[1] - r.due[0] >= 200);
	assert_int_equal(r.oks[2], 0);
	finish_run(&r);
}

static void
test_no_overlap_when_poll_is_slower_than_interval(void **state)
{
	/* Each poll takes 250 ms, interval 100 ms: polls never overlap (fake_poll asserts),
	 * the grid is clamped to now and the overrun is logged. */
	static const enum step script[] = {OK, SLOW};
	struct run r;
	run_script(&r, script, 2, 100, 5000, 4);
	assert_int_equal(r.results, 4);
	assert_int_equal(current->polls, 4);
	assert_true(r.warnings >= 1);
	finish_run(&r);
}

static void
test_hung_poll_hits_deadline_and_is_cancelled(void **state)
{
	static const enum step script[] = {OK, HANG, OK};
	struct run r;
	run_script(&r, script, 3, 30, 50, 3);
	assert_int_equal(r.oks[0], 0);
	assert_int_equal(r.oks[1], -1);
	assert_non_null(strstr(r.cause[1], "timeout"));
	assert_int_equal(current->cancels, 1);
	assert_int_equal(r.backoff[1], 60);
	assert_int_equal(r.oks[2], 0);
	assert_int_equal(r.backoff[2], 0);
	finish_run(&r);
}

static void
test_timed_hook_covers_the_result_hook(void **state)
{
	/* Poll 1 answers inside poll(), poll 2 from a timer, poll 3 fails from a timer. The
	 * result hook burns 2 ms of thread CPU: every timed span must include it. */
	static const enum step script[] = {OK, OK, FAIL};
	struct run r;
	want_timed = true;
	burn_ns = 2000000;
	run_script(&r, script, 3, 10, 1000, 3);
	want_timed = false;
	burn_ns = 0;
	assert_int_equal(r.results, 3);
	assert_int_equal(r.timed, 3);
	const bool sync[] = {true, false, false};
	const size_t nobs[] = {2, 2, 0};
	for (int i = 0; i < 3; i++) {
		assert_int_equal(r.after_results[i], i + 1); /* after its result, before the next */
		assert_int_equal(r.sync[i], sync[i]);
		assert_int_equal(r.nobs[i], nobs[i]);
		assert_true(r.cpu_ns[i] >= 2000000);
	}
	finish_run(&r);
}

static void
test_unknown_type_is_an_error_naming_the_source(void **state)
{
	struct event_base *base = event_base_new();
	struct np_sched_hooks h = {.lookup = lookup};
	struct np_sched *s = np_sched_new(base, &h, NULL);
	struct np_source_cfg src = {
	    .name = "x", .type = "nope", .interval_ms = 10, .timeout_ms = 10};
	char *cause = NULL;
	assert_int_equal(np_sched_set_sources(s, &src, 1, &cause), -1);
	assert_string_equal(cause, "source x: no collector for type 'nope'");
	free(cause);
	np_sched_free(s);
	event_base_free(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_backoff_doubles_caps_and_resets),
	    cmocka_unit_test(test_retry_after_comes_before_backoff),
	    cmocka_unit_test(test_no_overlap_when_poll_is_slower_than_interval),
	    cmocka_unit_test(test_hung_poll_hits_deadline_and_is_cancelled),
	    cmocka_unit_test(test_timed_hook_covers_the_result_hook),
	    cmocka_unit_test(test_unknown_type_is_an_error_naming_the_source),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
