#ifndef NP_DAEMON_D_REPORTS_H
#define NP_DAEMON_D_REPORTS_H
/*
 * Scheduled reports (`reports:` in the config): at each schedule's due time (weekly: Mondays,
 * monthly: the 1st, at `at` in daemon.timezone) the report of its period is built from the
 * database and mailed without blocking the loop: the SMTP transfer runs on the HTTP engine's
 * multi handle (np_http_add_easy). Each period is sent once, remembered in report_runs, so a
 * restart does not send it again and a due time missed while the daemon was down is sent at
 * start-up (the latest one only). A failed send is retried with backoff (1 min doubling up to
 * 1 h) until the next due time; every failure is logged with the server and its reason.
 */
#include "config/config.h"
#include "io/http.h"
#include "store/store.h"

struct event_base;
struct d_reports;

/* http: the engine the mail transfers run on; NULL until one starts (d_reports_set_http). */
struct d_reports *d_reports_new(struct event_base *base, struct np_store *st, struct np_http *http);
void d_reports_set_http(struct d_reports *r, struct np_http *http);
/*
 * (Re)arms every report of cfg, which must outlive the next call (the daemon's running
 * config). A send in flight is dropped and redone. Reports that cannot run are logged.
 */
void d_reports_set_config(struct d_reports *r, const struct np_config *cfg);
void d_reports_free(struct d_reports *r);

#endif
