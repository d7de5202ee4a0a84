/*
 * The local collector in a private, unnamed network namespace of this test process
 * (unshare(CLONE_NEWNET | CLONE_NEWNS), with /sys remounted in the private mount namespace so
 * the sysfs fallback sees the same interfaces). Nothing outside the process is touched and the
 * namespace vanishes with it. Without the privilege to unshare, every test is skipped.
 *
 * Checks what only real kernel events can show: a link going down is pushed from the event
 * loop at once; a deleted link is pushed gone (alert_on_delete: gone with an alert), and one
 * deleted while a poll drains is said in its batch; a re-created interface gets a new epoch;
 * a notification overrun (ENOBUFS) is resynced with a complete batch; both readers agree.
 */
#include "local_test.h"

#include <errno.h>
#include <event2/event.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#include "collectors/local.h"
#include "util/clock.h"
#include "util/str.h"

#define WAIT_MS 15000

static bool in_netns;
static const char *ip_bin;

/* Every pushed observation, in order. */
struct pushlog {
	struct {
		char ifname[IFNAMSIZ];
		enum np_link_obs link;
		uint32_t mask;
		uint64_t epoch, changes;
		bool complete;
		size_t n;
	} e[64];
	size_t n;
	size_t complete_max; /* largest complete push seen */
	int ncomplete;
};

struct fx {
	struct np_source_cfg cfg;
	struct np_local_conf lc;
	struct lt_sink sink;
	struct pushlog log;
	struct np_collector_ctx ctx;
	struct event_base *base;
	void *inst;
};

static void
on_push(void *arg, struct np_batch *b)
{
	struct fx *f = arg;
	if (b->complete) {
		f->log.ncomplete++;
		if (b->n > f->log.complete_max)
			f->log.complete_max = b->n;
		return;
	}
	for (size_t i = 0; i < b->n && f->log.n < 64; i++) {
		const struct np_obs *o = &b->obs[i];
		np_strlcpy(f->log.e[f->log.n].ifname, np_obs_interface(b, o), IFNAMSIZ);
		f->log.e[f->log.n].link = o->link;
		f->log.e[f->log.n].mask = o->counter_mask;
		f->log.e[f->log.n].epoch = o->epoch;
		f->log.e[f->log.n].changes = o->carrier_changes;
		f->log.e[f->log.n].complete = b->complete;
		f->log.e[f->log.n].n = b->n;
		f->log.n++;
	}
}

static void
on_done(void *arg, struct np_batch *b, int ok, char *cause, int64_t retry_after_ms)
{
	struct fx *f = arg;
	lt_done(&f->sink, b, ok, cause, retry_after_ms);
}

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void
sh(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *args = np_xvasprintf(fmt, ap);
	va_end(ap);
	char *cmd = np_xasprintf("%s %s", ip_bin, args);
	int rc = system(cmd);
	if (rc != 0)
		fail_msg("'%s' failed: %d", cmd, rc);
	free(cmd);
	free(args);
}

static void
nap(void)
{
	struct timespec ts = {0, 10 * 1000 * 1000};
	nanosleep(&ts, NULL);
}

/* Waits until the kernel reports ifname's operstate as want. The kernel settles operstate
 * asynchronously (linkwatch, up to a second later, more under load): a collector created
 * before that would see the change arrive as a notification and push it. */
static void
wait_operstate(const char *ifname, const char *want)
{
	char path[128], got[32] = "";
	snprintf(path, sizeof(path), "/sys/class/net/%s/operstate", ifname);
	int64_t end = np_mono_ms() + WAIT_MS;
	for (;;) {
		FILE *f = fopen(path, "r");
		if (f != NULL) {
			if (fgets(got, sizeof(got), f) == NULL)
				got[0] = '\0';
			got[strcspn(got, "\n")] = '\0';
			fclose(f);
		}
		if (strcmp(got, want) == 0)
			return;
		if (np_mono_ms() > end)
			fail_msg("%s: operstate \"%s\", never \"%s\"", ifname, got, want);
		nap();
	}
}

static int
group_setup(void **state)
{
	static const char *const ips[] = {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"};
	for (size_t i = 0; i < 4 && ip_bin == NULL; i++)
		if (access(ips[i], X_OK) == 0)
			ip_bin = ips[i];
	if (ip_bin == NULL || unshare(CLONE_NEWNET | CLONE_NEWNS) == -1)
		return 0; /* not root (or no iproute2): the tests skip */
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == -1 ||
	    mount("sysfs", "/sys", "sysfs", 0, NULL) == -1) {
		fprintf(stderr, "remounting /sys in the private namespace: %s\n", strerror(errno));
		return -1;
	}
	in_netns = true;
	sh("link set lo up");
	wait_operstate("lo", "unknown");
	return 0;
}

static int
setup(void **state)
{
	/* cmocka 1.1 reports skip() from a setup as a failure: the test bodies skip instead. */
	*state = NULL;
	if (!in_netns)
		return 0;
	struct fx *f = np_xcalloc(1, sizeof(*f));
	f->base = event_base_new();
	f->cfg.name = "ns";
	f->cfg.type = "local";
	f->cfg.timeout_ms = 5000;
	f->lc.netlink = true;
	f->ctx.base = f->base;
	f->cfg.conf = &f->lc;
	f->ctx.cfg = &f->cfg;
	f->ctx.done = on_done;
	f->ctx.push = on_push;
	f->ctx.arg = f;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	if (f == NULL)
		return 0;
	if (f->inst != NULL)
		np_local_ops.destroy(f->inst);
	lt_sink_free(&f->sink);
	event_base_free(f->base);
	free(f);
	return 0;
}

static void
create(struct fx *f)
{
	char *cause = NULL;
	f->inst = np_local_ops.create(&f->ctx, &cause);
	if (cause != NULL)
		fail_msg("create: %s", cause);
	assert_non_null(f->inst);
	assert_string_equal(np_local_reader(f->inst, NULL), f->lc.netlink ? "netlink" : "proc");
}

static void
poll_once(struct fx *f)
{
	assert_int_equal(np_local_ops.poll(f->inst, NULL), 0);
	if (f->sink.nfail > 0)
		fail_msg("poll failed: %s", f->sink.cause);
}

/* Runs the loop until the link of ifname in a fresh poll is `want` (linkwatch settles oper
 * state asynchronously); fails after WAIT_MS. */
static const struct np_obs *
poll_until(struct fx *f, const char *ifname, enum np_link_obs want)
{
	int64_t end = np_mono_ms() + WAIT_MS;
	for (;;) {
		event_base_loop(f->base, EVLOOP_NONBLOCK);
		poll_once(f);
		const struct np_obs *o = lt_find(&f->sink.last, ifname);
		if (o != NULL && o->link == want)
			return o;
		if (np_mono_ms() > end)
			fail_msg("%s never became %s", ifname, want == NP_LINK_UP ? "up" : "down");
		nap();
	}
}

/* Runs the event loop (no polls) until a push of ifname with state want arrives. */
static size_t
wait_push(struct fx *f, size_t from, const char *ifname, enum np_link_obs want)
{
	int64_t end = np_mono_ms() + WAIT_MS;
	for (;;) {
		for (size_t i = from; i < f->log.n; i++)
			if (strcmp(f->log.e[i].ifname, ifname) == 0 && f->log.e[i].link == want)
				return i;
		if (np_mono_ms() > end)
			fail_msg("no push of %s %s", ifname, want == NP_LINK_UP ? "up" : "down");
		struct timeval tv = {0, 50 * 1000};
		event_base_loopexit(f->base, &tv);
		event_base_loop(f->base, EVLOOP_ONCE);
	}
}

static void
test_push_on_change(void **state)
{
	if (*state == NULL)
		skip(); /* needs root: a private network namespace */
	struct fx *f = *state;
	char *aod[] = {"^npb"};
	f->lc.alert_on_delete = aod;
	f->lc.nalert_on_delete = 1;
	sh("link add npa0 type veth peer name npb0");
	sh("link set npa0 up");
	sh("link set npb0 up");
	wait_operstate("npa0", "up");
	wait_operstate("npb0", "up");
	create(f);
	const struct np_obs *o = poll_until(f, "npa0", NP_LINK_UP);
	uint64_t epoch = o->epoch, changes = o->carrier_changes;
	assert_int_equal(epoch, if_nametoindex("npa0"));
	assert_true(o->has_carrier_changes);
	assert_int_equal(f->log.n, 0); /* states learnt inside poll() are not pushed */

	int polls = f->sink.ndone;
	sh("link set npb0 down");
	size_t i = wait_push(f, 0, "npa0", NP_LINK_DOWN);
	assert_int_equal(f->sink.ndone, polls); /* seen from the event loop, not a poll */
	assert_int_equal(f->log.e[i].mask, 0);  /* link state only, no counters */
	assert_false(f->log.e[i].complete);
	assert_int_equal(f->log.e[i].n, 1);
	assert_int_equal(f->log.e[i].epoch, epoch);
	assert_int_equal(f->log.e[i].changes, changes + 1);

	/* npb0 was closed (admin down): said down too, once its hold ended. */
	wait_push(f, 0, "npb0", NP_LINK_DOWN);

	sh("link set npb0 up");
	i = wait_push(f, i + 1, "npa0", NP_LINK_UP);
	assert_int_equal(f->log.e[i].changes, changes + 2);

	/* The next poll carries the same state and counter. */
	o = poll_until(f, "npa0", NP_LINK_UP);
	assert_int_equal(o->carrier_changes, changes + 2);

	/* Deleting a link is pushed as gone, and not said again by the next poll;
	 * alert_on_delete matches npb0 only. */
	size_t from = f->log.n;
	sh("link del npa0");
	wait_push(f, from, "npa0", NP_LINK_GONE);
	wait_push(f, from, "npb0", NP_LINK_GONE_ALERT);
	/* The kernel closes both (RTM_NEWLINK down) before deleting them: not said as a down. */
	for (size_t k = from; k < f->log.n; k++) {
		assert_int_not_equal(f->log.e[k].link, NP_LINK_DOWN);
		if (strcmp(f->log.e[k].ifname, "npa0") == 0)
			assert_int_not_equal(f->log.e[k].link, NP_LINK_GONE_ALERT);
	}
	poll_once(f);
	assert_null(lt_find(&f->sink.last, "npa0"));
	assert_null(lt_find(&f->sink.last, "npb0"));
}

static void
test_filtered_links_not_pushed(void **state)
{
	if (*state == NULL)
		skip(); /* needs root: a private network namespace */
	struct fx *f = *state;
	char *exc[] = {"^npx"};
	f->lc.exclude = exc;
	f->lc.nexclude = 1;
	sh("link add npx0 type veth peer name npy0");
	sh("link set npx0 up");
	sh("link set npy0 up");
	wait_operstate("npx0", "up");
	wait_operstate("npy0", "up");
	create(f);
	poll_until(f, "npy0", NP_LINK_UP);
	assert_null(lt_find(&f->sink.last, "npx0"));
	sh("link set npx0 down");
	/* npy0 loses its carrier (pushed); npx0 (excluded) never appears */
	wait_push(f, 0, "npy0", NP_LINK_DOWN);
	for (size_t i = 0; i < f->log.n; i++)
		assert_string_not_equal(f->log.e[i].ifname, "npx0");
	sh("link del npx0");
}

static void
test_recreated_new_epoch(void **state)
{
	if (*state == NULL)
		skip(); /* needs root: a private network namespace */
	struct fx *f = *state;
	sh("link add npr0 type ifb");
	create(f);
	poll_once(f);
	const struct np_obs *o = lt_find(&f->sink.last, "npr0");
	assert_non_null(o);
	uint64_t e1 = o->epoch;
	assert_int_equal(o->link, NP_LINK_DOWN); /* admin down */
	/* A rename keeps the ifindex: the batch must carry the new name at once (its slots
	 * are reused between polls). */
	poll_once(f);
	sh("link set npr0 name nps0");
	poll_once(f);
	assert_null(lt_find(&f->sink.last, "npr0"));
	o = lt_find(&f->sink.last, "nps0");
	assert_non_null(o);
	assert_int_equal(o->epoch, e1);
	sh("link set nps0 name npr0");
	poll_once(f);
	assert_int_equal(lt_find(&f->sink.last, "npr0")->epoch, e1);
	sh("link del npr0");
	sh("link add npr0 type ifb");
	poll_once(f);
	o = lt_find(&f->sink.last, "npr0");
	assert_non_null(o);
	assert_true(o->epoch > 0);
	assert_int_not_equal(o->epoch, e1);
	assert_int_equal(o->epoch, if_nametoindex("npr0"));
	sh("link del npr0");
}

/*
 * Every observation of the last poll is named as the kernel names its ifindex, and the
 * batch's strings stay within `most` bytes. Returns the bytes its names need (pool's "", one
 * host name, each interface name, NULs).
 */
static size_t
check_names(struct fx *f, size_t most)
{
	const struct np_batch *b = &f->sink.last;
	char name[IF_NAMESIZE];
	size_t need = 1 + (b->n > 0 ? strlen(np_obs_device(b, &b->obs[0])) + 1 : 0);
	for (size_t i = 0; i < b->n; i++) {
		const struct np_obs *o = &b->obs[i];
		if (o->link == NP_LINK_GONE) { /* deleted while the poll drained: no ifindex */
			assert_int_equal(o->epoch, 0);
			assert_null(if_indextoname(if_nametoindex(np_obs_interface(b, o)), name));
			need += strlen(np_obs_interface(b, o)) + 1;
			continue;
		}
		assert_non_null(if_indextoname((unsigned)o->epoch, name));
		assert_string_equal(np_obs_interface(b, o), name);
		assert_string_equal(np_obs_device(b, o), np_obs_device(b, &b->obs[0]));
		need += strlen(name) + 1;
	}
	if (b->pool_len > most)
		fail_msg("batch strings %zu bytes, more than %zu", b->pool_len, most);
	return need;
}

/*
 * Deleting a link shifts the later ones into other batch slots (which keep their names from
 * poll to poll): each is renamed. More links than the batch's intern table has slots, so the
 * renames store strings again: those stay bounded.
 */
static void
test_deletions_keep_names(void **state)
{
	if (*state == NULL)
		skip(); /* needs root: a private network namespace */
	struct fx *f = *state;
	enum { N = 600, DEL = 12 };
	char path[] = "/tmp/np-local-del.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *b = fdopen(fd, "w");
	for (int i = 0; i < N; i++)
		fprintf(b, "link add npd%d group 78 type ifb\n", i);
	fclose(b);
	sh("-batch %s", path);
	unlink(path);
	create(f);
	poll_once(f);
	assert_int_equal(f->sink.last.n, N + 1); /* and lo */
	size_t full = check_names(f, SIZE_MAX);
	poll_once(f);
	check_names(f, full);
	/* From the front: every deletion shifts all later links by one slot. Until a poll
	 * starts over, the pool keeps twice a full batch's names plus one poll's renames. */
	for (int i = 0; i < DEL; i++) {
		sh("link del npd%d", i);
		poll_once(f);
		check_names(f, 3 * full);
		char gone[IFNAMSIZ];
		snprintf(gone, sizeof(gone), "npd%d", i);
		const struct np_obs *g = lt_find(&f->sink.last, gone);
		assert_non_null(g); /* said once, by the poll that drained its deletion */
		assert_int_equal(g->link, NP_LINK_GONE);
		assert_int_equal(f->sink.last.n, N - i + 1);
		poll_once(f);
		check_names(f, 3 * full);
	}
	assert_int_equal(f->sink.last.n, N - DEL + 1);
	assert_non_null(lt_find(&f->sink.last, "npd599"));
	sh("link del group 78");
}

/* Both readers, same moment, same namespace: same interfaces, epochs and states. */
static void
test_readers_agree(void **state)
{
	if (*state == NULL)
		skip(); /* needs root: a private network namespace */
	struct fx *f = *state;
	sh("link add npa1 type veth peer name npb1");
	sh("link set npa1 up"); /* peer stays down: npa1 lowerlayerdown */
	sh("link add npi1 type ifb");
	sh("link set npi1 up"); /* no oper state, carrier on: up */
	/* Settled first, so both readers read the same states. */
	wait_operstate("npa1", "lowerlayerdown");
	wait_operstate("npi1", "unknown");
	create(f);
	poll_until(f, "npi1", NP_LINK_UP);
	const struct np_obs *o = poll_until(f, "npa1", NP_LINK_DOWN);
	assert_int_equal(lt_find(&f->sink.last, "npb1")->link, NP_LINK_DOWN);
	assert_int_equal(lt_find(&f->sink.last, "lo")->link, NP_LINK_UP);
	(void)o;
	struct np_batch nl = {.n = 0};
	lt_copy(&nl, &f->sink.last);

	f->lc.netlink = false;
	void *pr = np_local_ops.create(&f->ctx, NULL);
	assert_non_null(pr);
	assert_int_equal(np_local_ops.poll(pr, NULL), 0);
	assert_int_equal(f->sink.last.n, nl.n);
	for (size_t i = 0; i < nl.n; i++) {
		const struct np_obs *p = lt_find(&f->sink.last, np_obs_interface(&nl, &nl.obs[i]));
		assert_non_null(p);
		assert_int_equal(p->epoch, nl.obs[i].epoch);
		assert_int_equal(p->link, nl.obs[i].link);
		assert_int_equal(p->carrier_changes, nl.obs[i].carrier_changes);
		for (int c = 0; c < NP_C_MAX; c++)
			assert_true(p->counters[c] >= nl.obs[i].counters[c]);
	}
	np_local_ops.destroy(pr);
	np_batch_free(&nl);
	sh("link del npa1");
	sh("link del npi1");
}

/* Thousands of notifications while the loop is not running overflow the socket (ENOBUFS):
 * the collector re-dumps and pushes one complete batch of states. */
static void
test_overrun_resync(void **state)
{
	if (*state == NULL)
		skip(); /* needs root: a private network namespace */
	struct fx *f = *state;
	enum { N = 5000 };
	create(f);
	poll_once(f);
	size_t base_n = f->sink.last.n;
	char path[] = "/tmp/np-local-batch.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *b = fdopen(fd, "w");
	for (int i = 0; i < N; i++)
		fprintf(b, "link add npo%d group 77 type ifb\n", i);
	fclose(b);
	sh("-batch %s", path);
	unlink(path);
	int64_t end = np_mono_ms() + WAIT_MS;
	while (f->log.complete_max < base_n + N) {
		if (np_mono_ms() > end)
			fail_msg("no complete push after the overrun (largest %zu, %d pushes)",
			         f->log.complete_max, f->log.ncomplete);
		struct timeval tv = {0, 50 * 1000};
		event_base_loopexit(f->base, &tv);
		event_base_loop(f->base, EVLOOP_ONCE);
	}
	assert_int_equal(f->log.complete_max, base_n + N);
	poll_once(f);
	assert_int_equal(f->sink.last.n, base_n + N);
	sh("link del group 77");
	poll_once(f);
	/* Every deletion is said once, by the poll that drained (or resynced) it. */
	size_t gone = 0;
	for (size_t i = 0; i < f->sink.last.n; i++)
		gone += f->sink.last.obs[i].link == NP_LINK_GONE;
	assert_int_equal(gone, N);
	assert_int_equal(f->sink.last.n, base_n + N);
	poll_once(f);
	assert_int_equal(f->sink.last.n, base_n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_push_on_change, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_filtered_links_not_pushed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_recreated_new_epoch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_deletions_keep_names, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_readers_agree, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_overrun_resync, setup, teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
