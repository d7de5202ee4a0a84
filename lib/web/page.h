#ifndef NP_WEB_PAGE_H
#define NP_WEB_PAGE_H
/*
 * The status page (GET /): one self-contained HTML document, no script, no external resource
 * (the listener sends it with a Content-Security-Policy that allows neither). Every link with
 * its state and since, down links first; its downtime and availability over the chosen period;
 * its traffic over the last two hours as a small inline SVG chart; the last events. Every name
 * from the network (devices, interfaces, sources) is HTML-escaped.
 *
 * Read from the database through a read-only handle, with the reports the CLI prints (status,
 * downtime, events), so the page and `netpulse status` agree.
 */
#include <sqlite3.h>
#include <stdint.h>

#include "util/tz.h"

/* The periods the page offers; the first is the default. */
extern const char *const np_page_periods[];

struct np_page_in {
	sqlite3 *db;
	const struct np_tz *tz;
	int64_t now;        /* UTC seconds */
	const char *period; /* one of np_page_periods (anything else: the default) */
	const char *host;   /* shown in the title */
};

/* The document (malloc'd), or NULL with *cause. */
char *np_page_render(const struct np_page_in *in, char **cause);

#endif
