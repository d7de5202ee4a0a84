/* The one human sentence that goes into MSG (DESIGN §8). */
#include "alert/alert.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

/* "1d 2h 3m 4s", zero units left out ("1h 5s"), "0s" for nothing. */
static void
human_duration(int64_t secs, char *buf, size_t size)
{
	static const struct {
		int64_t len;
		char unit;
	} units[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		int64_t n = secs / units[i].len;
		secs %= units[i].len;
		if (n == 0)
			continue;
		int w = snprintf(buf + off, size - off, "%s%lld%c", off ? " " : "", (long long)n,
		                 units[i].unit);
		if (w < 0 || (size_t)w >= size - off)
			break;
		off += (size_t)w;
	}
	if (off == 0)
		snprintf(buf, size, "0s");
}

static const char *
nz(const char *s)
{
	return s != NULL ? s : "";
}

char *
np_alert_sentence(const char *msgid, const char *device, const char *interface, const char *sources,
                  int64_t outage_seconds)
{
	/* An empty interface is an exporter as a whole (a Flow Collector row). */
	bool exporter = interface == NULL || interface[0] == '\0';
	bool seen = sources != NULL && sources[0] != '\0';
	const char *id = nz(msgid);
	char *subject = exporter ? np_xasprintf("exporter %s", nz(device))
	                         : np_xasprintf("interface %s on %s", interface, nz(device));
	char *by = NULL, *text;

	if (strcmp(id, "IFDOWN") == 0) {
		if (seen)
			by = np_xasprintf(exporter ? " (no NetFlow traffic seen by %s)"
			                           : " (seen by %s)",
			                  sources);
		text = np_xasprintf("%s is DOWN%s", subject, nz(by));
	} else if (strcmp(id, "IFUP") == 0) {
		char after[64] = "";
		if (outage_seconds >= 0) {
			char d[48];
			human_duration(outage_seconds, d, sizeof(d));
			snprintf(after, sizeof(after), " after %s", d);
		}
		if (seen)
			by = np_xasprintf(
			    exporter ? " (NetFlow traffic seen by %s)" : " (seen by %s)", sources);
		text = np_xasprintf("%s is UP again%s%s", subject, after, nz(by));
	} else if (strcmp(id, "FLAPPING") == 0) {
		if (seen)
			by = np_xasprintf("; seen by %s", sources);
		text =
		    np_xasprintf("%s is FLAPPING (up/down alerts suppressed until it is stable%s)",
		                 subject, nz(by));
	} else if (strcmp(id, "FLAPSTOP") == 0) {
		if (seen)
			by = np_xasprintf(" (seen by %s)", sources);
		text = np_xasprintf("%s stopped FLAPPING%s", subject, nz(by));
	} else if (strcmp(id, "STALE") == 0) {
		if (seen)
			by = np_xasprintf(" from %s", sources);
		text = np_xasprintf("%s is STALE (no fresh observation%s)", subject, nz(by));
	} else {
		/* COLLECTOR alerts carry a caller-written message; this is only a fallback. */
		if (seen)
			by = np_xasprintf(" (seen by %s)", sources);
		text = np_xasprintf("%s: %s%s", id[0] ? id : "ALERT", subject, nz(by));
	}
	free(by);
	free(subject);
	return text;
}

char *
np_alert_sentence_deleted(const char *device, const char *interface, const char *sources)
{
	bool seen = sources != NULL && sources[0] != '\0';
	return np_xasprintf("interface %s on %s is DOWN: deleted%s%s%s", nz(interface), nz(device),
	                    seen ? " (seen by " : "", seen ? sources : "", seen ? ")" : "");
}
