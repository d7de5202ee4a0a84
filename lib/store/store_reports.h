#ifndef NP_STORE_STORE_REPORTS_H
#define NP_STORE_STORE_REPORTS_H
/* Scheduled reports already mailed (table report_runs): each period is sent once. */
#include <stdint.h>

struct np_store;

/* 1 when report `name` was sent for the period starting at period_start, 0 when not, -1. */
int np_store_report_sent(struct np_store *st, const char *name, int64_t period_start, char **cause);
/* Records a sent period (again: keeps the first sent_at). 0 or -1 with *cause. */
/* 1 when report `name` has any row (it ran before), 0 when none, -1 on error. */
int np_store_report_known(struct np_store *st, const char *name, char **cause);
int np_store_report_mark(struct np_store *st, const char *name, int64_t period_start,
                         int64_t sent_at, char **cause);

#endif
