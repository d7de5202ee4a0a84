/*
 * Engine cost: N synthetic links x 100 polls through the counter engine (8 counters each) and
 * the link-state engine (observe + one evaluate per poll), then idle ticks with nothing
 * observed. Each size runs in its own child process so its peak RSS is its own.
 * Prints one machine-readable line per size; no assertions.
 *
 * Usage: bench_engine [N ...]   (default 1000 10000 100000)
 */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/counter.h"
#include "engine/linkstate.h"
#include "model/obs.h"
#include "util/xmalloc.h"

#define POLLS 100
#define SOURCES 2
#define INTERVAL_MS 60000
#define IDLE_TICKS 1000

struct blink {
	char device[24];
	char interface[16];
	struct np_counter_state c[NP_C_MAX];
	uint64_t value[NP_C_MAX];
};

static int64_t
cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* xorshift64*: deterministic and cheap, so the generator barely shows in the figures. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

static void
count_event(const struct np_ls_event *ev, void *arg)
{
	(void)ev;
	(*(size_t *)arg)++;
}

static void
count_saved(const struct np_ls_saved *s, void *arg)
{
	(void)s;
	(*(size_t *)arg)++;
}

static void
run(size_t n)
{
	static const char *const srcs[SOURCES] = {"fc-a", "fc-b"};
	struct blink *links = np_xcalloc(n, sizeof(*links));
	for (size_t i = 0; i < n; i++) {
		snprintf(links[i].device, sizeof(links[i].device), "10.%zu.%zu.%zu", i >> 16,
		         (i >> 8) & 255, i & 255);
		snprintf(links[i].interface, sizeof(links[i].interface), "eth%zu", i % 48);
	}
	struct np_ls_params lp = {.down_after_ms = 0,
	                          .up_after_ms = 0,
	                          .flap_transitions = 5,
	                          .flap_window_ms = 600000,
	                          .alert_never_up = false};
	size_t heap0 = mallinfo2().uordblks;
	struct np_ls *ls = np_ls_new(&lp);
	struct np_counter_params cp = {.bits = 64, .max_rate = 1.25e9, .max_gap_ms = 300000};
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	int64_t t0 = 1700000000000;
	size_t events = 0, saved = 0, verdicts_ok = 0;
	int64_t ns_counter = 0, ns_observe = 0, ns_eval = 0;

	int64_t start = cpu_ns();
	for (int poll = 0; poll < POLLS; poll++) {
		int64_t t = t0 + (int64_t)poll * INTERVAL_MS;
		int64_t a = cpu_ns();
		for (size_t i = 0; i < n; i++) {
			struct blink *l = &links[i];
			for (int c = 0; c < NP_C_MAX; c++) {
				l->value[c] += rnd(&seed) & 0xffffff;
				struct np_counter_result r =
				    np_counter_update(&l->c[c], &cp, l->value[c], t, 1);
				verdicts_ok += r.verdict == NP_V_OK;
			}
		}
		int64_t b = cpu_ns();
		/* Every link seen by both sources; about 1% look down to one of them each poll. */
		for (int s = 0; s < SOURCES; s++) {
			for (size_t i = 0; i < n; i++) {
				enum np_link_obs v =
				    (rnd(&seed) % 100) == 0 ? NP_LINK_DOWN : NP_LINK_UP;
				if (s == 1 && i % 10 == 0)
					v = NP_LINK_DOWN; /* a second collector that sees no traffic
					                   */
				np_ls_observe(ls, links[i].device, links[i].interface, srcs[s], v,
				              NP_EVER_YES, t, 3 * INTERVAL_MS);
			}
			np_ls_source_complete(ls, srcs[s], t);
		}
		int64_t c = cpu_ns();
		np_ls_evaluate(ls, t, count_event, &events);
		np_ls_drain_dirty(ls, count_saved, &saved);
		int64_t d = cpu_ns();
		ns_counter += b - a;
		ns_observe += c - b;
		ns_eval += d - c;
	}
	int64_t busy = cpu_ns() - start;
	size_t ls_bytes = mallinfo2().uordblks - heap0; /* the engine's heap, all links */

	/* Idle ticks: nothing observed, nothing due; this is what 100k quiet links cost. */
	int64_t tl = t0 + (int64_t)(POLLS - 1) * INTERVAL_MS;
	size_t idle_events = 0;
	int64_t a = cpu_ns();
	for (int k = 0; k < IDLE_TICKS; k++)
		np_ls_evaluate(ls, tl + 1 + k, count_event, &idle_events);
	int64_t idle = cpu_ns() - a;

	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double obs = (double)n * POLLS; /* one link poll = 8 counters + one observation/source */
	printf("bench_engine links=%zu polls=%d sources=%d link_polls=%.0f cpu_ms=%.1f "
	       "link_polls_per_s=%.0f ns_per_link_poll=%.0f counter_ns_per_update=%.1f "
	       "ls_observe_ns=%.1f ls_evaluate_ns_per_link=%.1f idle_tick_ns=%.0f "
	       "events=%zu saved=%zu idle_events=%zu counter_ok=%zu ls_bytes_per_link=%.0f "
	       "peak_rss_kb=%ld\n",
	       n, POLLS, SOURCES, obs, (double)busy / 1e6, obs / ((double)busy / 1e9),
	       (double)busy / obs, (double)ns_counter / (obs * NP_C_MAX),
	       (double)ns_observe / (obs * SOURCES), (double)ns_eval / obs,
	       (double)idle / IDLE_TICKS, events, saved, idle_events, verdicts_ok,
	       (double)ls_bytes / (double)n, ru.ru_maxrss);
	fflush(stdout);
	np_ls_free(ls);
	free(links);
}

int
main(int argc, char **argv)
{
	size_t sizes[16] = {1000, 10000, 100000};
	int nsizes = 3;
	if (argc > 1) {
		nsizes = 0;
		for (int i = 1; i < argc && nsizes < 16; i++)
			sizes[nsizes++] = (size_t)strtoull(argv[i], NULL, 10);
	}
	for (int i = 0; i < nsizes; i++) {
		pid_t pid = fork();
		if (pid == -1) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			run(sizes[i]);
			_exit(0);
		}
		int status;
		if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0) {
			fprintf(stderr, "bench_engine: size %zu failed\n", sizes[i]);
			return 1;
		}
	}
	return 0;
}
