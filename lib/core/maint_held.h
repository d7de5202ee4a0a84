#ifndef NP_CORE_MAINT_HELD_H
#define NP_CORE_MAINT_HELD_H
/*
 * Alerts held back by a maintenance window, remembered per link until the window ends, so a
 * link that is still in the held state then is not left unannounced (issue 9): a link that
 * went down inside a window and is still down after it gets its IFDOWN sent when the window
 * ends; one that came up inside a window after a DOWN that was sent gets its IFUP; one that
 * is back in the state the receivers last heard of (down and up again inside the window)
 * gets nothing.
 *
 * Per link, after the first held alert: the state before it (what the receivers last heard),
 * the link's state now (every transition), and the last held alert. An alert of the link
 * that is sent forgets it (the receivers are up to date). When the pipeline says the last held
 * alert is no longer held back (its windows ended, or were removed by a reload),
 * the alert is released once if the link is still in the state it announced, else dropped.
 *
 * Only IFDOWN and IFUP are released: a STALE held back goes with its source's or device's
 * alert (storms), FLAPPING/FLAPSTOP notices (no transition) are not remembered. A released
 * alert is one outbox row per link, not folded by alerts.group_window.
 *
 * In memory only: a restart forgets held alerts (they stay recorded in transitions). Checked
 * when the pipeline evaluates (every ingest and tick), so the release comes with the first
 * poll or tick after the window's end.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/linkstate.h"

struct np_maint_held;
struct np_store;
struct np_logger;

struct np_maint_held *np_maint_held_new(void);
void np_maint_held_free(struct np_maint_held *h);
size_t np_maint_held_count(const struct np_maint_held *h);

/*
 * An event of the link-state engine (wall times). window: the name of the maintenance window
 * holding its alert back, NULL if the alert is sent or there is none; message and severity:
 * the alert's, for its release.
 */
void np_maint_held_note(struct np_maint_held *h, const struct np_ls_event *ev, const char *window,
                        const char *message, int severity);

/* Where released alerts go: the pipeline's store (in its open transaction) and sinks. */
struct np_maint_held_out {
	struct np_store *st;
	const char *const *sinks;
	size_t nsinks;
	const struct np_logger *lg;
};

/*
 * Inside a transaction: for each remembered link whose last held alert, dated now_ms,
 * held() says no window holds back any more (0; > 0: still held back; < 0: it is never to be
 * sent, forget it), queues that alert in the outbox (its time
 * now_ms, its state's start as since; no transition row: the state did not change) and logs
 * it, if the link is still in the state it announced; the link is then done with, for good
 * once np_maint_held_commit is called (after a rollback the next call queues it again).
 * 0, or -1 with *cause.
 */
int np_maint_held_release(struct np_maint_held *h, int64_t now_ms,
                          int (*held)(const struct np_ls_event *ev, void *arg), void *arg,
                          const struct np_maint_held_out *out, char **cause);
/* The transaction of the last np_maint_held_release committed. */
void np_maint_held_commit(struct np_maint_held *h);

#endif
