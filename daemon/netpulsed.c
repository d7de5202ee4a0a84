/*
 * netpulsed: polls the configured sources on one libevent loop, feeds the pipeline, delivers
 * alerts, and answers SIGHUP (reload), SIGTERM/SIGINT (orderly stop).
 */
#include <errno.h>
#include <event2/event.h>
#include <getopt.h>
#include <jansson.h>
#include <libssh2.h>
#include <malloc.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <yaml.h>

#include "collectors/collector.h"
#include "config/hostcheck.h"
#include "core/dispatch.h"
#include "core/pipeline.h"
#include "core/sched.h"
#include "d_log.h"
#include "d_notify.h"
#include "io/http.h"
#include "d_reports.h"
#include "web/srcstats.h"
#include "d_web.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/xmalloc.h"

#define DEFAULT_CONFIG "/etc/netpulse/netpulse.yaml"
#define DRAIN_MS 5000         /* how long a stop waits for pending alerts */
#define CHECKPOINT_PAGES 1000 /* SQLite's own default for its automatic checkpoint */
#define RETAIN_ROWS 5000      /* rows deleted per retention step */
#define RETAIN_PAUSE_MS 100   /* between two retention steps */
#define HOUSEKEEP_MS 60000    /* stale checks and run heartbeat when nothing else happens */
#define RETENTION_MS 3600000  /* retention pass */

struct daemon {
	struct event_base *base;
	struct np_config *cfg;
	struct np_store *st;
	struct np_pipeline *pl;
	struct np_dispatch *disp;
	struct np_sched *sched;
	struct np_http *http; /* started when a source polls over HTTP (start_http) */
	struct d_reports *reports;
	struct np_srcstats *srcs; /* poll figures for /metrics */
	struct d_web *web;        /* the `http:` listener (none with --once) */
	struct event *ev_term, *ev_int, *ev_hup, *tick, *housekeep, *watchdog, *drain, *retain;
	struct event *checkpoint;
	bool once, verbose, foreground, stopping, any_failed;
	bool stored;          /* the last poll's batch was stored (for its timing line) */
	bool storage_alerted; /* a STORAGE alert is out for the current failing streak */
	int64_t drain_until, last_retention;
	const char *config_path;
};

static void
usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: netpulsed [-c FILE] [-f|--foreground] [--once] [-n|--check-config]\n"
	    "                 [--help-config] [-v] [--version] [-h]\n"
	    "\n"
	    "  -c, --config FILE   configuration (default " DEFAULT_CONFIG ")\n"
	    "  -f, --foreground    stay in the foreground (as under systemd or in a container);\n"
	    "                      without it netpulsed detaches and logs to syslog if its log\n"
	    "                      target is stderr\n"
	    "      --once          poll every source once, store, deliver alerts, exit\n"
	    "                      (exit 1 if any source failed)\n"
	    "  -n, --check-config  validate the configuration and the files it names (keys,\n"
	    "                      CA files, the database directory) and exit 0 (valid) or 1\n"
	    "      --help-config   describe every configuration option and its default\n"
	    "  -v, --verbose       log debug messages\n"
	    "      --version       print versions and exit\n"
	    "\n"
	    "Signals: SIGHUP reloads the configuration (kept if the new one is invalid) and\n"
	    "reopens a log file; SIGTERM/SIGINT stop after delivering pending alerts (5 s at "
	    "most).\n");
}

static void
print_versions(FILE *out)
{
	fprintf(out, "netpulsed %s (libevent %s, libssh2 %s, sqlite %s, jansson %s, libyaml %s)\n",
	        NP_VERSION, event_get_version(), libssh2_version(0), sqlite3_libversion(),
	        jansson_version_str(), yaml_get_version_string());
}

static void
rearm_tick(struct daemon *d)
{
	int64_t due = np_pipeline_next_deadline(d->pl);
	if (due == INT64_MAX) {
		evtimer_del(d->tick);
		return;
	}
	int64_t delay = due - np_mono_ms(); /* link-state deadlines are monotonic */
	if (delay < 0)
		delay = 0;
	struct timeval tv = {.tv_sec = delay / 1000, .tv_usec = (delay % 1000) * 1000};
	evtimer_add(d->tick, &tv);
}

static void
storage_alert(struct daemon *d, int severity, const char *state, const char *previous,
              int64_t since_s, int64_t outage_s, char *msg)
{
	struct np_store_alert a = {
	    .msgid = "STORAGE",
	    .severity = severity,
	    .device = d->cfg->database,
	    .interface = "",
	    .state = state,
	    .previous = previous,
	    .source = "netpulsed",
	    .since_s = since_s,
	    .outage_seconds = outage_s,
	    .message = msg,
	};
	/* Not through the outbox: the database is what cannot be written. */
	np_dispatch_direct(d->disp, &a);
	free(msg);
}

/*
 * After every pipeline write: one log line and one STORAGE alert when writes start failing,
 * silence while they keep failing, one line and one notice when they succeed again. `why` is
 * the failed call's cause (NULL if it succeeded); a failure that is not a write is logged.
 */
static void
storage_update(struct daemon *d, const char *what, const char *why)
{
	struct np_pipeline_storage s;
	np_pipeline_storage(d->pl, &s);
	const char *db = d->cfg->database;
	if (s.failing && !d->storage_alerted) {
		d->storage_alerted = true;
		log_msg(LOG_ERR,
		        "database %s cannot be written: %s%s; %zu link-state transition(s) held in "
		        "memory, retried at every poll (logged again when writes succeed)",
		        db, what, why != NULL ? why : s.error, s.held);
		storage_alert(d, LOG_ERR, "failing", "ok", s.since_ms / 1000, -1,
		              np_xasprintf("database %s cannot be written: %s; %zu transition(s) "
		                           "held in memory",
		                           db, s.error, s.held));
	} else if (!s.failing && d->storage_alerted) {
		d->storage_alerted = false;
		int64_t secs = (s.until_ms - s.since_ms + 500) / 1000;
		log_msg(LOG_NOTICE,
		        "database %s writable again: writes failed %llu time(s) over %llds; %llu "
		        "held transition(s) stored, %llu dropped",
		        db, (unsigned long long)s.failed, (long long)secs,
		        (unsigned long long)s.stored, (unsigned long long)s.dropped);
		storage_alert(d, LOG_NOTICE, "ok", "failing", s.until_ms / 1000, secs,
		              np_xasprintf("database %s writable again; %llu held transition(s) "
		                           "stored",
		                           db, (unsigned long long)s.stored));
	} else if (why != NULL && !s.failing) {
		log_msg(LOG_ERR, "%s%s", what, why);
	}
}

/* A PASSIVE checkpoint, in a loop turn of its own (never inside a poll). */
static void
checkpoint_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	char *why = NULL;
	if (np_store_checkpoint(d->st, &why) == -1) {
		log_msg(LOG_WARNING, "%s", why);
		free(why);
	}
}

static void
after_batch(struct daemon *d)
{
	np_dispatch_kick(d->disp);
	rearm_tick(d);
	if (np_store_wal_pages(d->st) >= CHECKPOINT_PAGES &&
	    !evtimer_pending(d->checkpoint, NULL)) {
		struct timeval now = {0, 0};
		evtimer_add(d->checkpoint, &now);
	}
}

static void
on_result(void *arg, const struct np_source_cfg *src, const struct np_batch *b, int ok,
          const char *cause)
{
	struct daemon *d = arg;
	int64_t now = np_wall_ms();
	char *why = NULL;
	d->stored = false;
	if (ok == 0) {
		d->stored = np_pipeline_ingest(d->pl, src, b, now, np_mono_ms(), &why) == 0;
		storage_update(d, "", why);
		free(why);
		why = NULL;
	}
	np_srcstats_result(d->srcs, src, ok == 0);
	if (ok != 0) {
		d->any_failed = true;
		log_debug("%s: poll failed: %s", src->name, cause);
	}
	if (np_pipeline_source_status(d->pl, src, ok == 0, cause, now, &why) == -1) {
		char *what = np_xasprintf("%s: recording collector health: ", src->name);
		storage_update(d, what, why);
		free(what);
		free(why);
	}
	after_batch(d);
}

/* The bench (bench/bench_daemon.c) reads these lines: keep their form. */
static void
on_timed(void *arg, const struct np_source_cfg *src, const struct np_sched_timing *t)
{
	struct daemon *d = arg;
	np_srcstats_duration(d->srcs, src, t->wall_ns);
	/* stored=1: the batch is in the database (tests count polls by it); at = wall clock. */
	log_debug("%s: poll cpu_us=%lld wall_us=%lld obs=%zu stored=%d at=%lld%s", src->name,
	          (long long)(t->cpu_ns / 1000), (long long)(t->wall_ns / 1000), t->nobs,
	          d->stored ? 1 : 0, (long long)(np_wall_ms() / 1000), t->sync ? "" : " async");
}

static void
on_pushed(void *arg, const struct np_source_cfg *src, const struct np_batch *b)
{
	struct daemon *d = arg;
	char *why = NULL;
	np_pipeline_ingest(d->pl, src, b, np_wall_ms(), np_mono_ms(), &why);
	storage_update(d, "", why);
	free(why);
	after_batch(d);
}

static void begin_stop(struct daemon *d);

static void
on_once_done(void *arg)
{
	begin_stop(arg);
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	char *why = NULL;
	np_pipeline_tick(d->pl, np_wall_ms(), np_mono_ms(), &why);
	storage_update(d, "link-state tick: ", why);
	free(why);
	after_batch(d);
}

/*
 * Retention in small steps (one bucket of rollups, or a few thousand rows, per transaction),
 * each a separate turn of the loop, so polls and alerts go on between them.
 */
static void
retain_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	char *why = NULL;
	int r = np_store_retention_step(d->st, &d->cfg->retention, np_wall_ms() / 1000, RETAIN_ROWS,
	                                &why);
	if (r == -1) {
		log_msg(LOG_ERR, "retention: %s", why);
		free(why);
	} else if (r == 1) {
		struct timeval tv = {0, RETAIN_PAUSE_MS * 1000};
		event_add(d->retain, &tv);
	}
}

static void
housekeep_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	tick_cb(fd, what, arg);
	int64_t now = np_mono_ms();
	/* Links gone for state.forget_after (at once if they never alerted) leave memory. */
	size_t gone = np_pipeline_forget_links(d->pl, now);
	if (gone > 0)
		log_debug("forgot %zu gone link(s); their history stays in the database", gone);
	if (now - d->last_retention >= RETENTION_MS) {
		d->last_retention = now;
		retain_cb(-1, 0, d);
	}
}

static void
watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	/* Ping only while polls complete: a poll stuck past its deadline withholds it. */
	if (np_sched_healthy(d->sched))
		notify_send("WATCHDOG=1");
	else
		log_warnx("a poll is stuck past its deadline; withholding the watchdog ping");
}

static void
drain_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	int64_t pending = np_dispatch_pending(d->disp);
	if ((pending <= 0 && !np_dispatch_busy(d->disp)) || np_mono_ms() >= d->drain_until) {
		if (pending > 0)
			log_warnx("stopping with %lld alert(s) still queued; they are delivered "
			          "after the next start",
			          (long long)pending);
		event_base_loopbreak(d->base);
	}
}

static void
begin_stop(struct daemon *d)
{
	if (d->stopping)
		return;
	d->stopping = true;
	notify_send("STOPPING=1");
	d_web_close(d->web);
	np_sched_stop(d->sched);
	evtimer_del(d->tick);
	evtimer_del(d->housekeep);
	evtimer_del(d->retain);
	np_dispatch_kick(d->disp);
	d->drain_until = np_mono_ms() + DRAIN_MS;
	d->drain = event_new(d->base, -1, EV_PERSIST, drain_cb, d);
	struct timeval tv = {0, 20000};
	event_add(d->drain, &tv);
	drain_cb(-1, 0, d);
}

static void
term_cb(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;
	log_info("signal %d: stopping", (int)sig);
	begin_stop(d);
}

static void
configure_log(struct daemon *d, const struct np_config *cfg)
{
	enum np_log_target t = cfg->log_target;
	/* Detached, stderr goes nowhere: the same rule at start-up and on every reload. */
	if (!d->foreground && !d->once && t == NP_LOG_STDERR)
		t = NP_LOG_SYSLOG;
	char *why = NULL;
	if (log_configure(t, cfg->log_file, &cfg->log_sink, cfg->log_level, d->verbose, &why) ==
	    -1) {
		log_warnx("%s; logging to stderr", why);
		free(why);
	}
}

/*
 * The shared HTTP engine starts with the first source that polls over HTTP (libcurl's TLS
 * setup is not paid by a daemon that only watches its own interfaces) and lives until exit.
 */
static void
start_http(struct daemon *d, const struct np_config *cfg)
{
	if (d->http != NULL)
		return;
	bool need = cfg->nreports > 0; /* mailed reports run on the engine too */
	for (size_t i = 0; i < cfg->nsources; i++) {
		const struct np_collector_ops *ops = cfg->sources[i].type_ops;
		need |= ops != NULL && ops->http;
	}
	if (!need)
		return;
	char *why = NULL;
	d->http = np_http_new(d->base, &log_lib, &why);
	if (d->http == NULL) {
		/* The HTTP sources then fail their polls with a cause; the others run on. */
		log_msg(LOG_ERR, "cannot start the HTTP engine: %s", why);
		free(why);
		return;
	}
	np_sched_set_http(d->sched, d->http);
	if (d->reports != NULL)
		d_reports_set_http(d->reports, d->http);
}

/* ctx->amount_mark: what the store holds of a source's amounts (days already filled). */
static int64_t
amount_mark(void *arg, const struct np_source_cfg *src, const char *device, const char *interface)
{
	struct daemon *d = arg;
	return np_pipeline_amount_mark(d->pl, src->name, device, interface);
}

static void
reload(struct daemon *d)
{
	notify_send("RELOADING=1");
	log_reopen();
	char *why = NULL;
	struct np_config *nc = np_config_load(d->config_path, &why);
	if (nc != NULL && np_config_check_host(nc, NP_CONFIG_CHECK_FILES, NULL, &why) == -1) {
		np_config_free(nc);
		nc = NULL;
	}
	if (nc == NULL) {
		log_warnx("reload failed, keeping the running configuration:\n%s", why);
		free(why);
		notify_send("READY=1");
		return;
	}
	if (strcmp(nc->database, d->cfg->database) != 0)
		log_warnx("reload: daemon.database changed to %s; restart netpulsed to switch "
		          "databases (still using %s)",
		          nc->database, d->cfg->database);
	if (np_dispatch_set_config(d->disp, nc, &why) == -1) {
		log_warnx("reload failed, keeping the running configuration: %s", why);
		free(why);
		np_config_free(nc);
		notify_send("READY=1");
		return;
	}
	start_http(d, nc);
	if (np_sched_set_sources(d->sched, nc->sources, nc->nsources, &why) == -1) {
		log_msg(LOG_ERR, "reload: %s", why);
		free(why);
	}
	for (size_t i = 0; i < d->cfg->nsources; i++) {
		bool kept = false;
		for (size_t j = 0; j < nc->nsources; j++)
			kept |= strcmp(d->cfg->sources[i].name, nc->sources[j].name) == 0;
		if (!kept)
			np_pipeline_forget_source(d->pl, d->cfg->sources[i].name);
	}
	np_pipeline_set_config(d->pl, nc);
	d_reports_set_config(d->reports, nc);
	np_srcstats_retain(d->srcs, nc);
	if (d_web_apply(d->web, nc, &why) == -1) {
		log_msg(LOG_ERR, "reload: %s (the listener is as before)", why);
		free(why);
		why = NULL;
	}
	size_t nkeys;
	const char *const *keys = np_dispatch_keys(d->disp, &nkeys);
	np_pipeline_set_sinks(d->pl, keys, nkeys);
	for (size_t i = 0; i < nc->nwarnings; i++)
		log_warnx("%s", nc->warnings[i]);
	np_config_free(d->cfg);
	d->cfg = nc;
	configure_log(d, nc);
	log_info("configuration reloaded: %zu source(s), %zu alert sink(s)", nc->nsources,
	         nc->nalerts);
	notify_send("READY=1");
}

static void
hup_cb(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;
	if (!d->stopping)
		reload(d);
}

static int
run(struct daemon *d)
{
	char *why = NULL;
	d->st = np_store_open(d->cfg->database, 0, &why);
	if (d->st == NULL) {
		log_msg(LOG_ERR, "%s", why);
		free(why);
		return 1;
	}
	if (np_store_was_empty(d->st))
		log_warnx("database %s was empty (0 bytes): starting a new database",
		          d->cfg->database);
	np_store_manual_checkpoint(d->st, NULL);
	d->base = event_base_new();
	if (d->base == NULL) {
		log_msg(LOG_ERR, "cannot create the event loop");
		return 1;
	}
	log_set_base(d->base); /* a remote daemon.log is sent from the loop */
	d->disp = np_dispatch_new(d->base, d->st, d->cfg, &log_lib, &why);
	if (d->disp == NULL) {
		log_msg(LOG_ERR, "%s", why);
		free(why);
		return 1;
	}
	d->pl = np_pipeline_new(d->st, d->cfg, &log_lib, np_wall_ms(), np_mono_ms(), &why);
	if (d->pl == NULL) {
		log_msg(LOG_ERR, "%s", why);
		free(why);
		return 1;
	}
	size_t nkeys;
	const char *const *keys = np_dispatch_keys(d->disp, &nkeys);
	np_pipeline_set_sinks(d->pl, keys, nkeys);

	struct np_sched_hooks hooks = {
	    .result = on_result, .pushed = on_pushed, .once_done = on_once_done, .arg = d};
	hooks.timed = on_timed;
	hooks.amount_mark = amount_mark;
	d->sched = np_sched_new(d->base, &hooks, &log_lib);
	d->srcs = np_srcstats_new();
	np_srcstats_retain(d->srcs, d->cfg);
	if (!d->once) {
		struct d_web_ctx wc = {.pl = d->pl,
		                       .sched = d->sched,
		                       .disp = d->disp,
		                       .cfg = d->cfg,
		                       .srcs = d->srcs,
		                       .started_ms = np_wall_ms()};
		d->web = d_web_new(d->base, &wc);
		if (d_web_apply(d->web, d->cfg, &why) == -1) {
			log_msg(LOG_ERR, "%s", why);
			free(why);
			return 1;
		}
	}
	start_http(d, d->cfg);
	if (np_sched_set_sources(d->sched, d->cfg->sources, d->cfg->nsources, &why) == -1) {
		/* One broken source must not stop the others. */
		log_msg(LOG_ERR, "%s", why);
		free(why);
		d->any_failed = true;
	}

	d->ev_term = evsignal_new(d->base, SIGTERM, term_cb, d);
	d->ev_int = evsignal_new(d->base, SIGINT, term_cb, d);
	d->ev_hup = evsignal_new(d->base, SIGHUP, hup_cb, d);
	event_add(d->ev_term, NULL);
	event_add(d->ev_int, NULL);
	event_add(d->ev_hup, NULL);
	d->tick = evtimer_new(d->base, tick_cb, d);
	d->housekeep = event_new(d->base, -1, EV_PERSIST, housekeep_cb, d);
	d->retain = evtimer_new(d->base, retain_cb, d);
	d->checkpoint = evtimer_new(d->base, checkpoint_cb, d);
	struct timeval hk = {HOUSEKEEP_MS / 1000, 0};
	if (!d->once)
		event_add(d->housekeep, &hk);
	int64_t wd = notify_watchdog_usec();
	if (wd > 0 && !d->once) {
		d->watchdog = event_new(d->base, -1, EV_PERSIST, watchdog_cb, d);
		struct timeval tv = {.tv_sec = wd / 2000000, .tv_usec = (wd / 2) % 1000000};
		event_add(d->watchdog, &tv);
	}
	d->last_retention = np_mono_ms() - RETENTION_MS; /* a first pass soon after start */

	d->reports = d_reports_new(d->base, d->st, d->http);
	if (!d->once)
		d_reports_set_config(d->reports, d->cfg);
	np_sched_start(d->sched, d->once);
	rearm_tick(d);
	np_dispatch_kick(d->disp); /* alerts left from a previous run */
	log_info("started: %zu source(s), %zu alert sink(s), database %s", d->cfg->nsources,
	         d->cfg->nalerts, d->cfg->database);
	notify_send("READY=1");
	event_base_dispatch(d->base);
	struct np_pipeline_storage s;
	np_pipeline_storage(d->pl, &s);
	if (s.held > 0) {
		/* One last try; what still cannot be written is lost with the process. */
		np_pipeline_tick(d->pl, np_wall_ms(), np_mono_ms(), &why);
		free(why);
		why = NULL;
		np_pipeline_storage(d->pl, &s);
		if (s.held > 0)
			log_warnx("stopping with %zu link-state transition(s) not stored: database "
			          "%s cannot be written (%s)",
			          s.held, d->cfg->database, s.error);
	}
	/* What the series hold in memory (open 5-minute buckets), and the hourly/daily folds. */
	if (np_pipeline_flush(d->pl, np_wall_ms(), np_mono_ms(), &why) == -1) {
		log_msg(LOG_ERR, "storing what was held in memory: %s", why);
		free(why);
		why = NULL;
	}
	log_info("stopped");
	return d->once && d->any_failed ? 1 : 0;
}

static void
cleanup(struct daemon *d)
{
	d_web_free(d->web); /* its handlers read what the others hold */
	np_srcstats_free(d->srcs);
	d_reports_free(d->reports); /* its mail transfers run on the HTTP engine */
	np_sched_free(d->sched);    /* the collectors free their HTTP clients first */
	np_http_free(d->http);
	np_dispatch_free(d->disp);
	np_pipeline_free(d->pl);
	struct event *evs[] = {d->ev_term,  d->ev_int, d->ev_hup, d->tick,      d->housekeep,
	                       d->watchdog, d->drain,  d->retain, d->checkpoint};
	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
		if (evs[i] != NULL)
			event_free(evs[i]);
	log_set_base(NULL); /* a remote daemon.log's last lines, then its sink goes */
	if (d->base != NULL)
		event_base_free(d->base);
	np_store_close(d->st);
	np_config_free(d->cfg);
	log_close();
}

/*
 * What the config needs from this host (hostcheck.h), before anything starts. Root checking a
 * config (--check-config) is usually not the daemon's user (systemd runs it as its own and
 * creates its StateDirectory= at start): the database directory's findings are then warnings.
 */
/* Each line of text on stderr with its priority prefix (under journald). */
static void
print_lines(int priority, const char *text)
{
	for (const char *p = text; *p != '\0';) {
		size_t n = strcspn(p, "\n");
		fprintf(stderr, "%s%.*s\n", log_stderr_prefix(priority), (int)n, p);
		p += n + (p[n] == '\n');
	}
}

static int
check_host(const struct np_config *cfg, bool check_only)
{
	unsigned what = NP_CONFIG_CHECK_FILES | NP_CONFIG_CHECK_DATABASE;
	if (check_only && geteuid() == 0)
		what |= NP_CONFIG_CHECK_DB_WARN;
	char *warnings = NULL, *why = NULL;
	int rc = np_config_check_host(cfg, what, &warnings, &why);
	if (warnings != NULL)
		print_lines(LOG_WARNING, warnings);
	if (rc == -1)
		print_lines(LOG_ERR, why);
	free(warnings);
	free(why);
	return rc;
}

int
main(int argc, char **argv)
{
	enum { OPT_ONCE = 256, OPT_HELP_CONFIG, OPT_VERSION };
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"foreground", no_argument, NULL, 'f'},
	    {"once", no_argument, NULL, OPT_ONCE},
	    {"check-config", no_argument, NULL, 'n'},
	    {"help-config", no_argument, NULL, OPT_HELP_CONFIG},
	    {"verbose", no_argument, NULL, 'v'},
	    {"version", no_argument, NULL, OPT_VERSION},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct daemon d = {.config_path = DEFAULT_CONFIG};
	bool check = false;
	int ch;
	while ((ch = getopt_long(argc, argv, "c:fnvh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			d.config_path = optarg;
			break;
		case 'f':
			d.foreground = true;
			break;
		case OPT_ONCE:
			d.once = true;
			break;
		case 'n':
			check = true;
			break;
		case OPT_HELP_CONFIG: {
			char *help = np_config_help();
			fputs(help, stdout);
			free(help);
			return 0;
		}
		case 'v':
			d.verbose = true;
			break;
		case OPT_VERSION:
			print_versions(stdout);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "netpulsed: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}

	log_init("netpulsed");
	char *why = NULL;
	d.cfg = np_config_load(d.config_path, &why);
	if (d.cfg == NULL) {
		fprintf(stderr, "%s%s\n", log_stderr_prefix(LOG_ERR), why);
		free(why);
		return 1;
	}
	for (size_t i = 0; i < d.cfg->nwarnings; i++)
		fprintf(stderr, "%s%s\n", log_stderr_prefix(LOG_WARNING), d.cfg->warnings[i]);
	if (check_host(d.cfg, check) == -1) {
		np_config_free(d.cfg);
		return 1;
	}
	if (check) {
		printf("%s: configuration OK (%zu source(s), %zu alert sink(s))\n", d.config_path,
		       d.cfg->nsources, d.cfg->nalerts);
		np_config_free(d.cfg);
		return 0;
	}

	signal(SIGPIPE, SIG_IGN);
	/*
	 * Fixed malloc thresholds: glibc otherwise raises them after the first big free (the
	 * first poll's arrays at 10,000 links), after which big blocks come from the heap and
	 * their memory is never given back.
	 */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	mallopt(M_TRIM_THRESHOLD, 512 * 1024);
	/*
	 * libssh2 (and the crypto library under it) is initialised by the first SSH session
	 * (np_ssh_new holds a reference): a daemon with only local sources never touches it,
	 * which keeps some 5 MB of library pages out of its RSS.
	 */
	if (!d.foreground && !d.once && daemon(0, 0) == -1) {
		fprintf(stderr, "%snetpulsed: daemon: %s\n", log_stderr_prefix(LOG_ERR),
		        strerror(errno));
		return 1;
	}
	configure_log(&d, d.cfg);
	notify_init();
	log_info(
	    "netpulsed %s starting (libevent %s, libssh2 %s, sqlite %s, jansson %s, libyaml %s)",
	    NP_VERSION, event_get_version(), libssh2_version(0), sqlite3_libversion(),
	    jansson_version_str(), yaml_get_version_string());
	for (size_t i = 0; i < d.cfg->nwarnings; i++)
		log_warnx("%s", d.cfg->warnings[i]);
	int rc = run(&d);
	cleanup(&d);
	return rc;
}
