/*
 * The daemon's log line for an alert held back by a maintenance window says so, names the
 * window, and is a notice (not the alert's own error/warning: daemon.log may feed the log
 * server people page on); outside the window the line is the alert at its severity.
 */
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "pipetest.h"
#include "util/logcb.h"

static const char *const sinks[] = {"tcp://127.0.0.1:5515"};

/* T0 is 2025-12-01T08:00:00Z: the window is its first minute. */
static struct np_maint_cfg window = {
    .name = "swap", .start = "2025-12-01T08:00", .end = "2025-12-01T08:01"};

struct logs {
	char lines[16][512];
	int prio[16];
	int n;
};

static void
log_fn(void *arg, int priority, const char *msg)
{
	struct logs *l = arg;
	if (l->n < 16) {
		snprintf(l->lines[l->n], sizeof(l->lines[0]), "%s", msg);
		l->prio[l->n++] = priority;
	}
}

/* The indexes of the lines holding needle (at most 4). */
static int
find(const struct logs *l, const char *needle, int at[4])
{
	int n = 0;
	for (int i = 0; i < l->n && n < 4; i++)
		if (strstr(l->lines[i], needle) != NULL)
			at[n++] = i;
	return n;
}

static void
set_link(struct fx *f, int64_t t, enum np_link_obs state)
{
	np_batch_reset(&f->b, t);
	struct np_obs *o = np_batch_add(&f->b);
	np_obs_set_names(&f->b, o, "sw1", "ge-0/0/1");
	o->counter_bits = 64;
	o->epoch = 1;
	o->link = state;
	np_obs_counter(o, NP_C_RX_BYTES, 1000);
	ingest(f, t);
}

static void
test_held_alert_logged(void **state)
{
	(void)state;
	struct logs logs = {0};
	struct np_logger lg = {log_fn, &logs};
	struct fx *f = fx_new(NULL, sinks, 1);
	f->cfg.maint = &window;
	f->cfg.nmaint = 1;
	char *cause = NULL;
	f->st = np_store_open(":memory:", 0, &cause);
	assert_non_null(f->st);
	f->pl = np_pipeline_new(f->st, &f->cfg, &lg, T0, T0, &cause);
	assert_non_null(f->pl);
	np_pipeline_set_sinks(f->pl, f->sinks, f->nsinks);

	set_link(f, T0, NP_LINK_UP);
	set_link(f, T0 + 10000, NP_LINK_DOWN); /* 08:00:10, inside */
	set_link(f, T0 + 20000, NP_LINK_DOWN);
	set_link(f, T0 + 70000, NP_LINK_UP);    /* 08:01:10, after it */
	set_link(f, T0 + 120000, NP_LINK_DOWN); /* 08:02:00, after it */
	fx_flush(f);
	assert_int_equal(q_int(f, "SELECT count(*) FROM transitions WHERE alert='IFDOWN'"), 2);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFDOWN'"), 1);
	assert_int_equal(q_int(f, "SELECT count(*) FROM outbox WHERE msgid='IFUP'"), 1);

	int at[4];
	assert_int_equal(find(&logs, "IFDOWN sw1/ge-0/0/1", at), 2);
	assert_non_null(strstr(logs.lines[at[0]], " (not sent: maintenance window swap)"));
	assert_int_equal(logs.prio[at[0]], LOG_NOTICE);
	assert_null(strstr(logs.lines[at[1]], "maintenance"));
	assert_int_equal(logs.prio[at[1]], LOG_ERR);
	assert_int_equal(find(&logs, "IFUP sw1/ge-0/0/1", at), 1);
	assert_null(strstr(logs.lines[at[0]], "maintenance"));
	assert_int_equal(find(&logs, "maintenance window", at), 1);
	fx_teardown((void **)&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_held_alert_logged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
