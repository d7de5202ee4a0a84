/* Scheduled reports by mail (d_reports.h). */
#include "d_reports.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "d_log.h"
#include "io/smtp.h"
#include "report/period.h"
#include "report/usage_per.h"
#include "report/schedule.h"
#include "report/usage.h"
#include "report/usage_mail.h"
#include "store/store_reports.h"
#include "util/clock.h"
#include "util/xmalloc.h"
#include "mail_cfg.h"

#define RETRY_FIRST_S 60
#define RETRY_MAX_S 3600

struct job {
	struct d_reports *r;
	const struct np_report_cfg *rc;
	struct event *timer;
	struct np_smtp_job *smtp; /* a send in flight */
	int64_t period_start;     /* of the send in flight (or the last one tried) */
	int attempts;             /* failed sends of this due time */
	int64_t wake_at;          /* wall clock (s) the timer waits for */
};

/*
 * Timers run on the monotonic clock, due times on the wall clock: a timer never waits more
 * than this at once, so a wall-clock step (or a suspend, which the monotonic clock does not
 * count) moves a due time by at most this much.
 */
#define WAKE_MAX_S 600

struct d_reports {
	struct event_base *base;
	struct np_store *st;
	struct np_http *http;
	const struct np_config *cfg;
	struct np_tz *tz;
	struct job *jobs;
	size_t njobs;
};

static enum np_schedule_kind
kind(const struct np_report_cfg *rc)
{
	return rc->schedule == NP_REPORT_MONTHLY ? NP_SCHEDULE_MONTHLY : NP_SCHEDULE_WEEKLY;
}

static void
arm_in(struct job *j, int64_t secs)
{
	if (secs < 0)
		secs = 0;
	j->wake_at = np_wall_ms() / 1000 + secs;
	struct timeval tv = {.tv_sec = (time_t)(secs < WAKE_MAX_S ? secs : WAKE_MAX_S)};
	evtimer_add(j->timer, &tv);
}

/* The period of due time `due`, or -1 (logged). */
static int
period_of(struct job *j, int64_t due, struct np_period *p)
{
	char *cause = NULL;
	if (np_period_parse(j->rc->period, due, j->r->tz, p, &cause) == -1) {
		log_msg(LOG_ERR, "report %s: period: %s", j->rc->name, cause);
		free(cause);
		return -1;
	}
	return 0;
}

/* Waits for the next due time, or sends now if the latest one's period was not sent. */
static void
schedule(struct job *j)
{
	int64_t now = np_wall_ms() / 1000;
	int64_t due = np_schedule_prev(kind(j->rc), j->rc->at_min, j->r->tz, now);
	struct np_period p;
	char *cause = NULL;
	if (period_of(j, due, &p) == 0) {
		/* A report seen for the first time starts with its next due time: the period due
		 * before it existed is settled as not sent (sent_at 0), not mailed at once. */
		int known = np_store_report_known(j->r->st, j->rc->name, &cause);
		if (known == 0 &&
		    np_store_report_mark(j->r->st, j->rc->name, p.start, 0, &cause) == -1)
			known = -1;
		int sent =
		    known == -1 ? -1 : np_store_report_sent(j->r->st, j->rc->name, p.start, &cause);
		if (sent == -1) {
			log_warnx("report %s: %s", j->rc->name, cause);
			free(cause);
		} else if (sent == 0) {
			arm_in(j, 0);
			return;
		}
	}
	j->attempts = 0;
	arm_in(j, np_schedule_next(kind(j->rc), j->rc->at_min, j->r->tz, now) - now);
}

static void
retry(struct job *j, const char *why)
{
	int64_t wait = RETRY_FIRST_S;
	for (int i = 0; i < j->attempts && wait < RETRY_MAX_S; i++)
		wait *= 2;
	if (wait > RETRY_MAX_S)
		wait = RETRY_MAX_S;
	j->attempts++;
	int64_t now = np_wall_ms() / 1000;
	int64_t next = np_schedule_next(kind(j->rc), j->rc->at_min, j->r->tz, now);
	log_warnx("report %s not sent: %s; retrying in %llds", j->rc->name, why, (long long)wait);
	/* A retry never runs past the next due time: that one reports the newer period. */
	arm_in(j, now + wait < next ? wait : next - now);
}

static void
sent_cb(void *arg, void *easy, int curl_code)
{
	struct job *j = arg;
	char *cause = NULL;
	if (np_smtp_job_result(j->smtp, curl_code, &cause) == -1) {
		np_smtp_job_free(j->smtp);
		j->smtp = NULL;
		retry(j, cause);
		free(cause);
		return;
	}
	np_smtp_job_free(j->smtp);
	j->smtp = NULL;
	int64_t now = np_wall_ms() / 1000;
	if (np_store_report_mark(j->r->st, j->rc->name, j->period_start, now, &cause) == -1) {
		/* Sent but not remembered: a restart would send it again; say so. */
		log_warnx("report %s sent, but not recorded (%s): a restart may send it again",
		          j->rc->name, cause);
		free(cause);
	} else {
		log_info("report %s mailed to %zu recipient(s) through %s", j->rc->name, j->rc->nto,
		         j->r->cfg->mail.server);
	}
	schedule(j);
}

/* The message of the period p, or NULL with *cause. */
static char *
build(struct job *j, const struct np_period *p, size_t *len, char **cause)
{
	const struct np_report_cfg *rc = j->rc;
	struct np_usage_opts o = {.source = rc->source, .tz = j->r->tz};
	if (rc->per != NULL && np_usage_per_parse(rc->per, &o.per, cause) == -1)
		return NULL;
	for (size_t i = 0; i < rc->ngroup_by && i < NP_USAGE_MAX_KEYS; i++)
		o.group_by[o.ngroup++] = rc->group_by[i];
	struct np_usage u;
	int64_t now = np_wall_ms() / 1000;
	if (np_usage_compute(np_store_db(j->r->st), p, now, &o, &u, cause) == -1)
		return NULL;
	char *msg = np_usage_mail_message(&u, j->r->tz, j->r->cfg->mail.from,
	                                  (const char *const *)rc->to, rc->nto, now, len, cause);
	np_usage_free(&u);
	return msg;
}

static void
fire_cb(evutil_socket_t fd, short what, void *arg)
{
	struct job *j = arg;
	struct d_reports *r = j->r;
	const struct np_mail_cfg *mc = &r->cfg->mail;
	int64_t now = np_wall_ms() / 1000;
	if (now < j->wake_at) {
		arm_in(j, j->wake_at - now); /* a long wait, in steps (WAKE_MAX_S) */
		return;
	}
	int64_t due = np_schedule_prev(kind(j->rc), j->rc->at_min, r->tz, now);
	struct np_period p;
	if (j->smtp != NULL || period_of(j, due, &p) == -1)
		return;
	if (p.start != j->period_start)
		j->attempts = 0; /* a new due time starts its own backoff */
	j->period_start = p.start;
	char *cause = NULL;
	size_t len;
	char *msg = build(j, &p, &len, &cause);
	if (msg == NULL) {
		retry(j, cause);
		free(cause);
		return;
	}
	struct np_smtp_cfg sc = mail_smtp_cfg(mc);
	j->smtp = np_smtp_job_new(&sc, mc->from, (const char *const *)j->rc->to, j->rc->nto, msg,
	                          len, &cause);
	free(msg);
	if (j->smtp == NULL ||
	    np_http_add_easy(r->http, np_smtp_job_easy(j->smtp), sent_cb, j, &cause) == -1) {
		np_smtp_job_free(j->smtp);
		j->smtp = NULL;
		retry(j, cause);
		free(cause);
		return;
	}
	j->period_start = p.start;
}

static void
drop_jobs(struct d_reports *r)
{
	for (size_t i = 0; i < r->njobs; i++) {
		struct job *j = &r->jobs[i];
		if (j->smtp != NULL) {
			np_http_remove_easy(r->http, np_smtp_job_easy(j->smtp));
			np_smtp_job_free(j->smtp);
		}
		if (j->timer != NULL)
			event_free(j->timer);
	}
	free(r->jobs);
	r->jobs = NULL;
	r->njobs = 0;
}

struct d_reports *
d_reports_new(struct event_base *base, struct np_store *st, struct np_http *http)
{
	struct d_reports *r = np_xcalloc(1, sizeof(*r));
	r->base = base;
	r->st = st;
	r->http = http;
	return r;
}

void
d_reports_set_config(struct d_reports *r, const struct np_config *cfg)
{
	drop_jobs(r);
	np_tz_free(r->tz);
	r->tz = NULL;
	r->cfg = cfg;
	if (cfg->nreports == 0)
		return;
	char *cause = NULL;
	const char *zone = cfg->timezone != NULL ? cfg->timezone : "UTC";
	if ((r->tz = np_tz_load(NULL, zone, &cause)) == NULL) {
		log_msg(LOG_ERR, "reports: daemon.timezone: %s; no report is sent", cause);
		free(cause);
		return;
	}
	if (r->http == NULL) {
		log_msg(LOG_ERR, "reports: no HTTP engine to send mail with; no report is sent");
		return;
	}
	r->jobs = np_xcalloc(cfg->nreports, sizeof(*r->jobs));
	for (size_t i = 0; i < cfg->nreports; i++) {
		const struct np_report_cfg *rc = &cfg->reports[i];
		struct np_period p;
		/* A bad period is the config's error, found here (lib/config cannot parse periods).
		 */
		if (np_period_parse(rc->period, np_wall_ms() / 1000, r->tz, &p, &cause) == -1) {
			log_msg(LOG_ERR, "report %s: period: %s; not scheduled", rc->name, cause);
			free(cause);
			cause = NULL;
			continue;
		}
		enum np_usage_per per;
		if (rc->per != NULL && np_usage_per_parse(rc->per, &per, &cause) == -1) {
			log_msg(LOG_ERR, "report %s: per: %s; not scheduled", rc->name, cause);
			free(cause);
			cause = NULL;
			continue;
		}
		struct job *j = &r->jobs[r->njobs++];
		j->r = r;
		j->rc = rc;
		j->timer = evtimer_new(r->base, fire_cb, j);
		schedule(j);
	}
}

void
d_reports_free(struct d_reports *r)
{
	if (r == NULL)
		return;
	drop_jobs(r);
	np_tz_free(r->tz);
	free(r);
}

void
d_reports_set_http(struct d_reports *r, struct np_http *http)
{
	r->http = http;
}
