/*
 * The /proc + sysfs fallback reader through the collector ops, on a fake proc file and a fake
 * /sys/class/net tree (cfg->proc_path / cfg->sys_path), with the synthetic t0/t1/t2 snapshots
 * of tests/fixtures/network_monitor/synthetic (EXPECTED.md: exclude '^lo$' and '^docker').
 */
#include "local_test.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collectors/local.h"

struct fx {
	char *dir, *proc, *sys;
	struct np_source_cfg cfg;
	struct np_local_conf lc;
	struct lt_sink sink;
	struct np_collector_ctx ctx;
	void *inst;
};

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
copy_fixture(const char *rel, const char *dst)
{
	char *path = np_test_fixture(rel);
	char *text = np_test_read_file(path, NULL);
	write_file(dst, text);
	free(text);
	free(path);
}

/* One fake sysfs interface; a NULL value leaves that attribute out (like carrier of an admin
 * down link, which the kernel refuses to read). */
static void
sys_iface(struct fx *f, const char *name, const char *ifindex, const char *oper,
          const char *carrier, const char *changes, const char *speed)
{
	char *d = np_xasprintf("%s/%s", f->sys, name);
	mkdir(d, 0755);
	const char *attrs[][2] = {{"ifindex", ifindex},
	                          {"operstate", oper},
	                          {"carrier", carrier},
	                          {"carrier_changes", changes},
	                          {"speed", speed}};
	for (size_t i = 0; i < 5; i++) {
		char *p = np_xasprintf("%s/%s", d, attrs[i][0]);
		if (attrs[i][1] != NULL)
			write_file(p, attrs[i][1]);
		else
			unlink(p);
		free(p);
	}
	free(d);
}

static void
sys_remove(struct fx *f, const char *name)
{
	static const char *const attrs[] = {"ifindex", "operstate", "carrier", "carrier_changes",
	                                    "speed"};
	for (size_t i = 0; i < 5; i++) {
		char *p = np_xasprintf("%s/%s/%s", f->sys, name, attrs[i]);
		unlink(p);
		free(p);
	}
	char *d = np_xasprintf("%s/%s", f->sys, name);
	rmdir(d);
	free(d);
}

static char *exclude_default[] = {"^lo$", "^docker"};

static int
setup(void **state)
{
	struct fx *f = np_xcalloc(1, sizeof(*f));
	f->dir = np_test_tmpdir();
	f->proc = np_xasprintf("%s/net_dev", f->dir);
	f->sys = np_xasprintf("%s/class_net", f->dir);
	mkdir(f->sys, 0755);
	copy_fixture("network_monitor/synthetic/proc_net_dev_t0.txt", f->proc);
	sys_iface(f, "lo", "1\n", "unknown\n", "1\n", "0\n", NULL);
	sys_iface(f, "eth0", "2\n", "up\n", "1\n", "3\n", "1000\n");
	sys_iface(f, "docker0", "3\n", "up\n", "1\n", "0\n", NULL);
	sys_iface(f, "wlan0", "4\n", "dormant\n", "1\n", "2\n", "-1\n");
	f->cfg.name = "this-host";
	f->cfg.type = "local";
	f->cfg.timeout_ms = 2000;
	f->lc.exclude = exclude_default;
	f->lc.nexclude = 2;
	f->lc.proc_path = f->proc;
	f->lc.sys_path = f->sys;
	f->lc.netlink = false;
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
	if (f->inst != NULL)
		np_local_ops.destroy(f->inst);
	static const char *const names[] = {"lo", "eth0", "docker0", "wlan0", "veth1234"};
	for (size_t i = 0; i < 5; i++)
		sys_remove(f, names[i]);
	rmdir(f->sys);
	unlink(f->proc);
	rmdir(f->dir);
	lt_sink_free(&f->sink);
	free(f->dir);
	free(f->proc);
	free(f->sys);
	free(f);
	return 0;
}

static void
create(struct fx *f)
{
	char *cause = NULL;
	f->inst = np_local_ops.create(&f->ctx, &cause);
	assert_null(cause);
	assert_non_null(f->inst);
	const char *why = "x";
	assert_string_equal(np_local_reader(f->inst, &why), "proc");
	assert_null(why); /* asked for, not fallen back to */
}

static void
poll_once(struct fx *f)
{
	int before = f->sink.ndone;
	char *cause = NULL;
	assert_int_equal(np_local_ops.poll(f->inst, &cause), 0);
	assert_null(cause);
	/* Synchronous: done was called before poll returned. */
	assert_int_equal(f->sink.ndone, before + 1);
}

static void
expect(const struct np_obs *o, uint64_t rxb, uint64_t txb, uint64_t rxp, uint64_t txp, uint64_t rxd)
{
	assert_non_null(o);
	assert_int_equal(o->counter_mask, (1u << NP_C_MAX) - 1);
	assert_int_equal(o->counters[NP_C_RX_BYTES], rxb);
	assert_int_equal(o->counters[NP_C_TX_BYTES], txb);
	assert_int_equal(o->counters[NP_C_RX_PACKETS], rxp);
	assert_int_equal(o->counters[NP_C_TX_PACKETS], txp);
	assert_int_equal(o->counters[NP_C_RX_DROPS], rxd);
}

static void
test_t0_t1_t2(void **state)
{
	struct fx *f = *state;
	char host[NP_NAME_MAX] = "";
	assert_int_equal(gethostname(host, sizeof(host) - 1), 0);
	create(f);

	poll_once(f);
	struct np_batch *b = &f->sink.last;
	assert_int_equal(f->sink.nfail, 0);
	assert_string_equal(b->source, "this-host");
	assert_true(b->complete);
	assert_int_equal(b->skipped, 0);
	assert_int_equal(b->n, 2); /* lo and docker0 excluded */
	assert_null(lt_find(b, "lo"));
	assert_null(lt_find(b, "docker0"));
	const struct np_obs *eth0 = lt_find(b, "eth0"), *wlan0 = lt_find(b, "wlan0");
	expect(eth0, 5000000000ull, 700000000, 4000000, 900000, 2);
	assert_int_equal(eth0->counters[NP_C_RX_ERRORS], 1);
	assert_string_equal(np_obs_device(b, eth0), host);
#if defined(__LP64__)
	assert_int_equal(eth0->counter_bits, 64);
#endif
	assert_int_equal(eth0->epoch, 2);
	assert_int_equal(eth0->link, NP_LINK_UP);
	assert_int_equal(eth0->ever_up, NP_EVER_UNKNOWN);
	assert_true(eth0->has_carrier_changes);
	assert_int_equal(eth0->carrier_changes, 3);
	assert_int_equal(eth0->speed_bps, 1000000000ull);
	assert_int_equal(eth0->time_ms, b->time_ms);
	expect(wlan0, 30000, 40000, 300, 350, 0);
	assert_int_equal(wlan0->epoch, 4);
	assert_int_equal(wlan0->link, NP_LINK_DOWN); /* dormant is not up */
	assert_int_equal(wlan0->carrier_changes, 2);
	assert_int_equal(wlan0->speed_bps, 0); /* "-1": unknown */

	copy_fixture("network_monitor/synthetic/proc_net_dev_t1.txt", f->proc);
	sys_iface(f, "eth0", "2\n", "up\n", "1\n", "5\n", "1000\n"); /* flapped between polls */
	poll_once(f);
	b = &f->sink.last;
	assert_int_equal(b->n, 2);
	eth0 = lt_find(b, "eth0");
	expect(eth0, 5006000000ull, 701200000, 4004000, 901000, 3);
	assert_int_equal(eth0->carrier_changes, 5);
	expect(lt_find(b, "wlan0"), 30600, 40600, 306, 356, 0);

	/* t2: eth0 was re-created (new ifindex: a reset the engine can see), wlan0 was deleted,
	 * veth1234 is new and has no carrier file (admin down). Deleted interfaces (wlan0, and
	 * eth0's old ifindex) are said gone, just before the batch, after the live ones. */
	copy_fixture("network_monitor/synthetic/proc_net_dev_t2.txt", f->proc);
	sys_iface(f, "eth0", "7\n", "up\n", "1\n", "1\n", "1000\n");
	sys_remove(f, "wlan0");
	sys_iface(f, "veth1234", "8\n", "down\n", NULL, "0\n", NULL);
	poll_once(f);
	b = &f->sink.last;
	assert_true(b->complete);
	assert_int_equal(b->n, 4);
	const struct np_obs *wl = lt_find(b, "wlan0");
	assert_non_null(wl);
	assert_int_equal(wl->link, NP_LINK_GONE);
	assert_int_equal(wl->counter_mask, 0);
	assert_int_equal(wl->time_ms, b->time_ms - 1);
	assert_int_equal(b->obs[2].link, NP_LINK_GONE);
	assert_int_equal(b->obs[3].link, NP_LINK_GONE);
	/* The live eth0 comes first and is newer: it wins over its old ifindex's deletion. */
	eth0 = lt_find(b, "eth0");
	assert_int_equal(eth0->link, NP_LINK_UP);
	assert_int_equal(eth0->time_ms, b->time_ms);
	expect(eth0, 1500000, 300000, 1200, 400, 0);
	assert_int_equal(eth0->epoch, 7);
	const struct np_obs *veth = lt_find(b, "veth1234");
	expect(veth, 2048, 4096, 16, 32, 0);
	assert_int_equal(veth->epoch, 8);
	assert_int_equal(veth->link, NP_LINK_DOWN);
	assert_int_equal(f->sink.npush, 0); /* the fallback never pushes */
}

/*
 * A reload that keeps the source frees the config the collector was created from: the
 * collector must not point into it (valgrind / ASan see any read of the freed strings).
 */
static void
test_config_freed_after_create(void **state)
{
	struct fx *f = *state;
	struct np_source_cfg *cfg = np_xcalloc(1, sizeof(*cfg));
	*cfg = f->cfg;
	struct np_local_conf *lc = np_xcalloc(1, sizeof(*lc));
	*lc = f->lc;
	cfg->conf = lc;
	cfg->name = np_xstrdup("this-host");
	cfg->type = np_xstrdup("local");
	lc->proc_path = np_xstrdup(f->proc);
	lc->sys_path = np_xstrdup(f->sys);
	char **exc = np_xcalloc(2, sizeof(*exc));
	exc[0] = np_xstrdup("^lo$");
	exc[1] = np_xstrdup("^docker");
	lc->exclude = exc;
	struct np_collector_ctx ctx = f->ctx;
	ctx.cfg = cfg;
	char *cause = NULL;
	f->inst = np_local_ops.create(&ctx, &cause);
	assert_null(cause);
	/* Scribbled over, then freed, as np_config_free would. */
	memset(lc->proc_path, 'x', strlen(lc->proc_path));
	memset(lc->sys_path, 'x', strlen(lc->sys_path));
	memset(exc[0], 'x', strlen(exc[0]));
	free(cfg->name);
	free(cfg->type);
	free(lc->proc_path);
	free(lc->sys_path);
	free(exc[0]);
	free(exc[1]);
	free(exc);
	free(lc);
	free(cfg);
	for (int i = 0; i < 2; i++) {
		poll_once(f);
		assert_int_equal(f->sink.nfail, 0);
		assert_string_equal(f->sink.last.source, "this-host");
		assert_int_equal(f->sink.last.n, 2); /* still reads f->proc, still excludes lo */
		expect(lt_find(&f->sink.last, "eth0"), 5000000000ull, 700000000, 4000000, 900000,
		       2);
		assert_int_equal(lt_find(&f->sink.last, "eth0")->link, NP_LINK_UP); /* sysfs */
	}
}

static void
test_unknown_in_sysfs(void **state)
{
	struct fx *f = *state;
	/* wlan0 has no sysfs entry at all, eth0 an oper state word we do not know. */
	sys_remove(f, "wlan0");
	sys_iface(f, "eth0", "2\n", "sideways\n", "1\n", "3\n", NULL);
	create(f);
	poll_once(f);
	const struct np_obs *wlan0 = lt_find(&f->sink.last, "wlan0");
	assert_non_null(wlan0);
	assert_int_equal(wlan0->link, NP_LINK_NONE); /* say nothing rather than guess */
	assert_int_equal(wlan0->epoch, 0);
	assert_false(wlan0->has_carrier_changes);
	expect(wlan0, 30000, 40000, 300, 350, 0);
	const struct np_obs *eth0 = lt_find(&f->sink.last, "eth0");
	assert_int_equal(eth0->link, NP_LINK_NONE);
	assert_int_equal(eth0->epoch, 2);
}

static void
test_unknown_oper_with_carrier(void **state)
{
	struct fx *f = *state;
	/* tun/WireGuard style: oper state unknown, carrier on => up; carrier off => down */
	sys_iface(f, "eth0", "2\n", "unknown\n", "1\n", "0\n", NULL);
	sys_iface(f, "wlan0", "4\n", "unknown\n", "0\n", "0\n", NULL);
	create(f);
	poll_once(f);
	assert_int_equal(lt_find(&f->sink.last, "eth0")->link, NP_LINK_UP);
	assert_int_equal(lt_find(&f->sink.last, "wlan0")->link, NP_LINK_DOWN);
}

static void
test_include_exclude(void **state)
{
	struct fx *f = *state;
	char *inc[] = {"^eth", "^wl", "^lo"};
	char *exc[] = {"^wlan[0-9]+$"};
	f->lc.include = inc;
	f->lc.ninclude = 3;
	f->lc.exclude = exc;
	f->lc.nexclude = 1;
	create(f);
	poll_once(f);
	/* exclude wins over include; search semantics ("^lo" matches lo) */
	assert_int_equal(f->sink.last.n, 2);
	assert_non_null(lt_find(&f->sink.last, "lo"));
	assert_non_null(lt_find(&f->sink.last, "eth0"));
	np_local_ops.destroy(f->inst);

	/* empty include = all; search semantics: "0" matches every name containing a 0 */
	f->lc.include = NULL;
	f->lc.ninclude = 0;
	char *exc2[] = {"0"};
	f->lc.exclude = exc2;
	f->inst = NULL;
	create(f);
	poll_once(f);
	assert_int_equal(f->sink.last.n, 1);
	assert_non_null(lt_find(&f->sink.last, "lo"));
}

static void
test_bad_regex(void **state)
{
	struct fx *f = *state;
	char *exc[] = {"^ok$", "(unclosed"};
	f->lc.exclude = exc;
	f->lc.nexclude = 2;
	char *cause = NULL;
	assert_null(np_local_ops.create(&f->ctx, &cause));
	assert_non_null(cause);
	assert_int_equal(strncmp(cause, "exclude[1] \"(unclosed\": ", 24), 0);
	free(cause);
	/* callers may pass no cause */
	assert_null(np_local_ops.create(&f->ctx, NULL));
}

static void
test_missing_proc(void **state)
{
	struct fx *f = *state;
	create(f);
	unlink(f->proc);
	char *cause = NULL;
	assert_int_equal(np_local_ops.poll(f->inst, &cause), 0);
	assert_null(cause); /* the failure goes to done(), which owns the message */
	assert_int_equal(f->sink.ndone, 1);
	assert_int_equal(f->sink.nfail, 1);
	char *want = np_xasprintf("%s: %s", f->proc, strerror(ENOENT));
	assert_string_equal(f->sink.cause, want);
	free(want);
	/* and it recovers once the file is back */
	copy_fixture("network_monitor/synthetic/proc_net_dev_t0.txt", f->proc);
	poll_once(f);
	assert_int_equal(f->sink.last.n, 2);
}

static void
test_big_file_and_reuse(void **state)
{
	struct fx *f = *state;
	/* 3000 lines (> the 64 KiB first read buffer): all parsed; polls reuse the memory. */
	FILE *p = fopen(f->proc, "w");
	assert_non_null(p);
	fputs("Inter-|   Receive |  Transmit\n face |bytes|bytes\n", p);
	for (int i = 0; i < 3000; i++)
		fprintf(p, "ifb%d: %d 1 0 0 0 0 0 0 %d 2 0 0 0 0 0 0\n", i, i, 2 * i);
	fclose(p);
	create(f);
	poll_once(f);
	assert_int_equal(f->sink.last.n, 3000);
	assert_int_equal(f->sink.last.skipped, 0);
	const struct np_obs *o = lt_find(&f->sink.last, "ifb2999");
	assert_non_null(o);
	assert_int_equal(o->counters[NP_C_RX_BYTES], 2999);
	assert_int_equal(o->counters[NP_C_TX_BYTES], 5998);
	assert_int_equal(o->link, NP_LINK_NONE);
	poll_once(f);
	assert_int_equal(f->sink.last.n, 3000);
}

static void
test_registry(void **state)
{
	assert_ptr_equal(np_collector_lookup("local"), &np_local_ops);
	assert_null(np_collector_lookup("nope"));
	assert_null(np_collector_lookup(NULL));
	size_t n = 0;
	for (; np_collectors[n] != NULL; n++)
		assert_non_null(np_collectors[n]->type);
	assert_true(n >= 1);
	assert_string_equal(np_local_ops.type, "local");
	assert_non_null(np_local_ops.cancel);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_t0_t1_t2, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_config_freed_after_create, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_in_sysfs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_oper_with_carrier, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_include_exclude, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_regex, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_missing_proc, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_big_file_and_reuse, setup, teardown),
	    cmocka_unit_test(test_registry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
