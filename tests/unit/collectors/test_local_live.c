/*
 * The local collector against this host's own interfaces (read-only, no privileges needed):
 * `lo` through netlink and through the /proc fallback. lo has no oper state (UNKNOWN) but a
 * carrier, so it must be up; both readers must agree on its ifindex (the epoch) and name, and
 * counters must never go backwards across alternating polls of the two readers.
 */
#include "local_test.h"

#include <event2/event.h>
#include <net/if.h>
#include <sys/resource.h>
#include <unistd.h>

#include "collectors/local.h"

struct fx {
	struct np_source_cfg cfg;
	struct np_local_conf lc;
	struct lt_sink sink;
	struct np_collector_ctx ctx;
	struct event_base *base;
};

static int
setup(void **state)
{
	struct fx *f = np_xcalloc(1, sizeof(*f));
	f->base = event_base_new();
	assert_non_null(f->base);
	f->cfg.name = "live";
	f->cfg.type = "local";
	f->cfg.timeout_ms = 5000;
	f->ctx.base = f->base;
	f->cfg.conf = &f->lc;
	f->ctx.cfg = &f->cfg;
	f->ctx.done = lt_done;
	f->ctx.push = lt_push;
	f->ctx.arg = &f->sink;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	lt_sink_free(&f->sink);
	event_base_free(f->base);
	free(f);
	return 0;
}

static void *
create(struct fx *f, bool netlink)
{
	f->lc.netlink = netlink;
	char *cause = NULL;
	void *inst = np_local_ops.create(&f->ctx, &cause);
	assert_null(cause);
	assert_non_null(inst);
	const char *why = NULL;
	assert_string_equal(np_local_reader(inst, &why), netlink ? "netlink" : "proc");
	assert_null(why);
	return inst;
}

/* Polls and returns a copy of lo's observation (its names are checked here: they are the
 * batch's, which the next poll reuses). */
static struct np_obs
poll_lo(struct fx *f, void *inst)
{
	int before = f->sink.ndone;
	assert_int_equal(np_local_ops.poll(inst, NULL), 0);
	assert_int_equal(f->sink.ndone, before + 1);
	assert_int_equal(f->sink.nfail, 0);
	assert_true(f->sink.last.complete);
	assert_string_equal(f->sink.last.source, "live");
	const struct np_obs *lo = lt_find(&f->sink.last, "lo");
	assert_non_null(lo);
	char host[NP_NAME_MAX] = "";
	gethostname(host, sizeof(host) - 1);
	assert_string_equal(np_obs_device(&f->sink.last, lo), host);
	assert_string_equal(np_obs_interface(&f->sink.last, lo), "lo");
	return *lo;
}

static void
check_lo(const struct np_obs *lo)
{
	assert_int_equal(lo->epoch, if_nametoindex("lo"));
	assert_int_equal(lo->link, NP_LINK_UP);
	assert_int_equal(lo->counter_mask, (1u << NP_C_MAX) - 1);
#if defined(__LP64__)
	assert_int_equal(lo->counter_bits, 64);
#endif
	assert_true(lo->has_carrier_changes);
	assert_int_equal(lo->ever_up, NP_EVER_UNKNOWN);
	assert_false(lo->truncated);
}

static void
test_lo_both_readers(void **state)
{
	struct fx *f = *state;
	void *nl = create(f, true);
	void *pr = create(f, false);
	struct np_obs seq[4];
	seq[0] = poll_lo(f, nl);
	/* Every interface netlink reports, the fallback reports too, with the same ifindex. */
	struct np_batch nlb = {.n = 0};
	lt_copy(&nlb, &f->sink.last);
	seq[1] = poll_lo(f, pr);
	for (size_t i = 0; i < nlb.n; i++) {
		const struct np_obs *o =
		    lt_find(&f->sink.last, np_obs_interface(&nlb, &nlb.obs[i]));
		assert_non_null(o);
		assert_int_equal(o->epoch, nlb.obs[i].epoch);
		assert_int_equal(o->link, nlb.obs[i].link);
	}
	assert_int_equal(f->sink.last.n, nlb.n);
	np_batch_free(&nlb);
	seq[2] = poll_lo(f, nl);
	seq[3] = poll_lo(f, pr);
	for (int i = 0; i < 4; i++)
		check_lo(&seq[i]);
	for (int i = 1; i < 4; i++)
		for (int c = 0; c < NP_C_MAX; c++)
			assert_true(seq[i].counters[c] >= seq[i - 1].counters[c]);
	assert_int_equal(seq[0].carrier_changes, seq[1].carrier_changes);
	np_local_ops.destroy(nl);
	np_local_ops.destroy(pr);
}

static void
test_exclude_lo(void **state)
{
	struct fx *f = *state;
	char *exc[] = {"^lo$"};
	f->lc.exclude = exc;
	f->lc.nexclude = 1;
	for (int netlink = 0; netlink < 2; netlink++) {
		void *inst = create(f, netlink);
		assert_int_equal(np_local_ops.poll(inst, NULL), 0);
		assert_int_equal(f->sink.nfail, 0);
		assert_null(lt_find(&f->sink.last, "lo"));
		np_local_ops.destroy(inst);
	}
}

/* Without an event base the subscription is still read, at each poll. */
static void
test_no_event_base(void **state)
{
	struct fx *f = *state;
	f->ctx.base = NULL;
	void *inst = create(f, true);
	struct np_obs lo = poll_lo(f, inst);
	check_lo(&lo);
	np_local_ops.cancel(inst); /* nothing in flight: a no-op */
	np_local_ops.destroy(inst);
}

/* netlink asked for but unavailable (here: socket() fails with EMFILE): the collector falls
 * back to /proc + sysfs, says why, and still reports lo. */
static void
test_fallback_when_netlink_fails(void **state)
{
	struct fx *f = *state;
	f->lc.netlink = true;
	struct rlimit old;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	int probe = dup(0); /* the lowest free descriptor: no socket can be opened above it */
	assert_true(probe >= 0);
	close(probe);
	struct rlimit low = {.rlim_cur = (rlim_t)probe, .rlim_max = old.rlim_max};
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	char *cause = NULL;
	void *inst = np_local_ops.create(&f->ctx, &cause);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_null(cause);
	assert_non_null(inst);
	const char *why = NULL;
	assert_string_equal(np_local_reader(inst, &why), "proc");
	assert_non_null(why);
	assert_string_equal(why, "netlink socket: Too many open files");
	struct np_obs lo = poll_lo(f, inst);
	check_lo(&lo);
	np_local_ops.destroy(inst);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_lo_both_readers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exclude_lo, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_event_base, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fallback_when_netlink_fails, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
