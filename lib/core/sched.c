#include "core/sched.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "collectors/collector.h"
#include "util/cause.h"
#include "util/clock.h"
#include "util/str.h"
#include "util/xmalloc.h"

#define BACKOFF_CAP_MS (3600 * 1000)

struct entry {
	struct np_sched *s;
	const struct np_source_cfg *cfg;
	const struct np_collector_ops *ops;
	void *inst;
	struct np_collector_ctx ctx;
	struct event *timer;
	struct event *deadline;
	int64_t due_ms;     /* the drift-free grid, monotonic */
	int64_t backoff_ms; /* 0 while healthy */
	int64_t started_ms; /* of the poll in flight */
	/* Timing of the poll in flight (see poll_now): thread CPU and monotonic ns at its start,
	 * CPU spent inside poll() when the collector answers later. */
	int64_t cpu0_ns, wall0_ns, cpu_start_ns;
	bool in_flight;
	bool in_poll_call; /* inside ops->poll(): a result now is synchronous */
	bool once_done;
	bool keep; /* mark for set_sources */
};

struct np_sched {
	struct event_base *base;
	struct np_sched_hooks hooks;
	struct np_logger lg;
	struct entry **v;
	size_t n;
	bool once, running;
	uint64_t rng;
};

static uint64_t
next_rand(struct np_sched *s)
{
	/* xorshift64*: spreading poll times needs no cryptographic quality. */
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return s->rng * 2685821657736338717ULL;
}

/* A jitter in [-interval/10, +interval/10]. */
static int64_t
jitter(struct np_sched *s, int64_t interval_ms)
{
	int64_t span = interval_ms / 10;
	if (span <= 0)
		return 0;
	return (int64_t)(next_rand(s) % (uint64_t)(2 * span + 1)) - span;
}

static void
arm(struct entry *e, int64_t at_ms)
{
	int64_t now = np_mono_ms();
	int64_t delay = at_ms > now ? at_ms - now : 0;
	struct timeval tv = {.tv_sec = delay / 1000, .tv_usec = (delay % 1000) * 1000};
	evtimer_add(e->timer, &tv);
}

static void poll_now(struct entry *e);

static int64_t
clock_ns(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	poll_now(arg);
}

static void
schedule_next(struct entry *e, bool ok, int64_t retry_after_ms)
{
	struct np_sched *s = e->s;
	if (s->once || !s->running)
		return;
	int64_t now = np_mono_ms();
	int64_t interval = e->cfg->interval_ms;
	if (!ok) {
		int64_t cap = interval * 16 < BACKOFF_CAP_MS ? interval * 16 : BACKOFF_CAP_MS;
		if (cap < interval)
			cap = interval;
		e->backoff_ms = e->backoff_ms == 0 ? interval * 2 : e->backoff_ms * 2;
		if (e->backoff_ms > cap)
			e->backoff_ms = cap;
		/* The peer's own word (HTTP 429 Retry-After) comes before our backoff. */
		int64_t wait = e->backoff_ms;
		if (retry_after_ms > wait)
			wait = retry_after_ms;
		e->due_ms = now + wait;
		arm(e, e->due_ms);
		return;
	}
	if (e->backoff_ms != 0) {
		/* Recovered: back on a grid that starts now. */
		e->backoff_ms = 0;
		e->due_ms = now;
	}
	e->due_ms += interval;
	if (e->due_ms <= now) {
		int64_t late = now - e->due_ms;
		np_logf(&s->lg, LOG_WARNING,
		        "%s: poll overran its interval by %lld ms; skipping missed polls",
		        e->cfg->name, (long long)late);
		e->due_ms = now;
	}
	int64_t at = e->due_ms + jitter(s, interval);
	arm(e, at < now ? now : at);
}

static void
finish(struct entry *e, const struct np_batch *b, int ok, const char *cause, int64_t retry_after_ms)
{
	struct np_sched *s = e->s;
	bool sync = e->in_poll_call;
	/* Asynchronous answer: CPU from here on adds to what poll() itself took. */
	int64_t cpu0 = 0;
	if (!sync && s->hooks.timed != NULL)
		cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	e->in_flight = false;
	evtimer_del(e->deadline);
	/* The next poll is armed first, so the hook sees (and may change) the new schedule. */
	schedule_next(e, ok == 0, retry_after_ms);
	if (s->hooks.result != NULL)
		s->hooks.result(s->hooks.arg, e->cfg, b, ok, cause);
	if (s->hooks.timed != NULL) {
		int64_t cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		struct np_sched_timing t = {
		    .cpu_ns = sync ? cpu - e->cpu0_ns : e->cpu_start_ns + (cpu - cpu0),
		    .wall_ns = clock_ns(CLOCK_MONOTONIC) - e->wall0_ns,
		    .nobs = b != NULL ? b->n : 0,
		    .sync = sync,
		};
		s->hooks.timed(s->hooks.arg, e->cfg, &t);
	}
	if (s->once && !e->once_done) {
		e->once_done = true;
		for (size_t i = 0; i < s->n; i++)
			if (!s->v[i]->once_done)
				return;
		if (s->hooks.once_done != NULL)
			s->hooks.once_done(s->hooks.arg);
	}
}

static void
done_cb(void *arg, struct np_batch *batch, int ok, char *cause, int64_t retry_after_ms)
{
	struct entry *e = arg;
	if (!e->in_flight) {
		/* Contract breach by a collector; never act twice on one poll. */
		free(cause);
		return;
	}
	finish(e, ok == 0 ? batch : NULL, ok == 0 ? 0 : -1, cause, ok == 0 ? 0 : retry_after_ms);
	free(cause);
}

static int64_t
amount_mark_cb(void *arg, const char *device, const char *interface)
{
	struct entry *e = arg;
	if (e->s->hooks.amount_mark == NULL)
		return 0;
	return e->s->hooks.amount_mark(e->s->hooks.arg, e->cfg, device, interface);
}

static void
push_cb(void *arg, struct np_batch *batch)
{
	struct entry *e = arg;
	if (e->s->hooks.pushed != NULL)
		e->s->hooks.pushed(e->s->hooks.arg, e->cfg, batch);
}

static void
deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct entry *e = arg;
	if (!e->in_flight)
		return;
	e->ops->cancel(e->inst);
	char *why =
	    np_xasprintf("no answer within %lld ms (timeout)", (long long)e->cfg->timeout_ms);
	finish(e, NULL, -1, why, 0);
	free(why);
}

static void
poll_now(struct entry *e)
{
	if (e->in_flight)
		return; /* never two polls of one source at once */
	e->in_flight = true;
	e->started_ms = np_mono_ms();
	struct timeval tv = {.tv_sec = e->cfg->timeout_ms / 1000,
	                     .tv_usec = (e->cfg->timeout_ms % 1000) * 1000};
	evtimer_add(e->deadline, &tv);
	/*
	 * CPU per poll, for the `timed` hook: this thread's CPU clock (ns, not the 10 ms ticks of
	 * /proc) from here to the end of the result hook (ingest and commit). A collector that
	 * answers inside poll() (local: the netlink dump is read synchronously) is measured over
	 * that one span, in which nothing else runs. One that answers later from its own I/O
	 * callbacks (ssh) is measured as poll() plus finish(); its callbacks in between are not
	 * seen here, and neither are other events the loop runs meanwhile.
	 */
	if (e->s->hooks.timed != NULL) {
		e->cpu0_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		e->wall0_ns = clock_ns(CLOCK_MONOTONIC);
	}
	char *cause = NULL;
	e->in_poll_call = true;
	int rc = e->ops->poll(e->inst, &cause);
	e->in_poll_call = false;
	if (rc == -1) {
		if (e->in_flight) {
			e->in_poll_call = true; /* failed to start: a synchronous answer */
			finish(e, NULL, -1, cause != NULL ? cause : "poll failed to start", 0);
			e->in_poll_call = false;
		}
	} else if (e->in_flight && e->s->hooks.timed != NULL) {
		e->cpu_start_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - e->cpu0_ns;
	}
	free(cause);
}

static void
entry_free(struct entry *e)
{
	if (e == NULL)
		return;
	if (e->in_flight)
		e->ops->cancel(e->inst);
	if (e->inst != NULL)
		e->ops->destroy(e->inst);
	if (e->timer != NULL)
		event_free(e->timer);
	if (e->deadline != NULL)
		event_free(e->deadline);
	free(e);
}

static struct entry *
entry_new(struct np_sched *s, const struct np_source_cfg *cfg, char **cause)
{
	const struct np_collector_ops *ops =
	    s->hooks.lookup != NULL ? s->hooks.lookup(cfg->type) : np_collector_lookup(cfg->type);
	if (ops == NULL) {
		np_cause(cause, "source %s: no collector for type '%s'", cfg->name, cfg->type);
		return NULL;
	}
	struct entry *e = np_xcalloc(1, sizeof(*e));
	e->s = s;
	e->cfg = cfg;
	e->ops = ops;
	e->ctx.base = s->base;
	e->ctx.cfg = cfg;
	e->ctx.done = done_cb;
	e->ctx.push = push_cb;
	e->ctx.amount_mark = amount_mark_cb;
	e->ctx.http = s->hooks.http;
	e->ctx.log = &s->lg;
	e->ctx.arg = e;
	e->timer = evtimer_new(s->base, timer_cb, e);
	e->deadline = evtimer_new(s->base, deadline_cb, e);
	e->inst = ops->create(&e->ctx, cause);
	if (e->inst == NULL) {
		np_cause_prefix(cause, "source %s", cfg->name);
		entry_free(e);
		return NULL;
	}
	return e;
}

void
np_sched_set_http(struct np_sched *s, struct np_http *http)
{
	s->hooks.http = http;
}

struct np_sched *
np_sched_new(struct event_base *base, const struct np_sched_hooks *hooks,
             const struct np_logger *lg)
{
	struct np_sched *s = np_xcalloc(1, sizeof(*s));
	s->base = base;
	s->hooks = *hooks;
	if (lg != NULL)
		s->lg = *lg;
	s->rng = (uint64_t)np_wall_ms() * 6364136223846793005ULL + (uint64_t)np_mono_ms();
	if (s->rng == 0)
		s->rng = 1;
	return s;
}

void
np_sched_free(struct np_sched *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++)
		entry_free(s->v[i]);
	free(s->v);
	free(s);
}

static void
start_entry(struct np_sched *s, struct entry *e)
{
	int64_t now = np_mono_ms();
	if (s->once) {
		e->due_ms = now;
		arm(e, now);
		return;
	}
	/* First poll soon, spread over the first tenth of the interval. */
	int64_t spread = e->cfg->interval_ms / 10;
	e->due_ms = now + (spread > 0 ? (int64_t)(next_rand(s) % (uint64_t)spread) : 0);
	arm(e, e->due_ms);
}

int
np_sched_set_sources(struct np_sched *s, const struct np_source_cfg *srcs, size_t n, char **cause)
{
	int rc = 0;
	struct entry **nv = n ? np_xcalloc(n, sizeof(*nv)) : NULL;
	size_t nn = 0;
	for (size_t i = 0; i < s->n; i++)
		s->v[i]->keep = false;
	for (size_t j = 0; j < n; j++) {
		struct entry *e = NULL;
		for (size_t i = 0; i < s->n; i++) {
			struct entry *old = s->v[i];
			if (!old->keep && strcmp(old->cfg->name, srcs[j].name) == 0 &&
			    np_source_cfg_equal(old->cfg, &srcs[j])) {
				old->keep = true;
				old->cfg = &srcs[j];
				old->ctx.cfg = &srcs[j];
				e = old;
				break;
			}
		}
		if (e == NULL) {
			char *why = NULL;
			e = entry_new(s, &srcs[j], &why);
			if (e == NULL) {
				if (cause != NULL) {
					char *prev = *cause;
					*cause = prev ? np_xasprintf("%s\n%s", prev, why)
					              : np_xstrdup(why);
					free(prev);
				}
				free(why);
				rc = -1;
				continue;
			}
			e->keep = true;
			if (s->running)
				start_entry(s, e);
		}
		nv[nn++] = e;
	}
	for (size_t i = 0; i < s->n; i++)
		if (!s->v[i]->keep)
			entry_free(s->v[i]);
	free(s->v);
	s->v = nv;
	s->n = nn;
	return rc;
}

void
np_sched_start(struct np_sched *s, bool once)
{
	s->once = once;
	s->running = true;
	for (size_t i = 0; i < s->n; i++)
		start_entry(s, s->v[i]);
	if (once && s->n == 0 && s->hooks.once_done != NULL)
		s->hooks.once_done(s->hooks.arg);
}

void
np_sched_stop(struct np_sched *s)
{
	s->running = false;
	for (size_t i = 0; i < s->n; i++) {
		struct entry *e = s->v[i];
		evtimer_del(e->timer);
		evtimer_del(e->deadline);
		if (e->in_flight) {
			e->ops->cancel(e->inst);
			e->in_flight = false;
		}
	}
}

bool
np_sched_healthy(const struct np_sched *s)
{
	int64_t now = np_mono_ms();
	for (size_t i = 0; i < s->n; i++) {
		const struct entry *e = s->v[i];
		/* The deadline event fires at timeout; allow a second of slack on top. */
		if (e->in_flight && now - e->started_ms > e->cfg->timeout_ms + 1000)
			return false;
	}
	return true;
}

size_t
np_sched_in_flight(const struct np_sched *s)
{
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++)
		k += s->v[i]->in_flight;
	return k;
}

int
np_sched_peek(const struct np_sched *s, const char *name, int64_t *due_ms, int64_t *backoff_ms)
{
	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->v[i]->cfg->name, name) == 0) {
			*due_ms = s->v[i]->due_ms;
			*backoff_ms = s->v[i]->backoff_ms;
			return 0;
		}
	}
	return -1;
}
