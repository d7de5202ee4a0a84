/*
 * Period / duration / time grammar (user input), plus the POSIX TZ rule and TZif readers
 * the zones come from. Input: byte 0 picks the zone, bytes 1-5 a "now" (40 bits, signed),
 * the rest is the text. Invariants: a parsed period is non-empty; a duration is within its
 * limit and ends at now, and is what the configuration's parser reads (util/duration.h);
 * the same text parses the same way twice.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/period.h"
#include "util/duration.h"
#include "util/tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const zones[] = {"UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney",
                                    "Asia/Kolkata"};
#define NZONES (sizeof(zones) / sizeof(zones[0]))

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct np_tz *tz[NZONES];
	if (tz[0] == NULL) {
		for (size_t i = 0; i < NZONES; i++) {
			tz[i] = np_tz_load(NULL, zones[i], NULL);
			if (tz[i] == NULL)
				tz[i] = np_tz_utc();
		}
	}
	if (size < 6)
		return 0;
	const struct np_tz *z = tz[data[0] % NZONES];
	uint64_t raw = 0;
	for (int i = 1; i <= 5; i++)
		raw = raw << 8 | data[i];
	int64_t now = (int64_t)raw - ((int64_t)1 << 39); /* |now| < 2^39 */
	char *text = malloc(size - 6 + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data + 6, size - 6);
	text[size - 6] = '\0';

	struct np_period p, q;
	char *cause = NULL;
	if (np_period_parse(text, now, z, &p, &cause) == 0) {
		if (p.start >= p.end)
			abort();
		if (np_period_parse(text, now, z, &q, NULL) != 0 || q.start != p.start ||
		    q.end != p.end)
			abort();
	} else if (cause == NULL) {
		abort(); /* every error says why */
	}
	int64_t secs;
	int64_t ms;
	if (np_duration_parse_s(text, &secs, NULL) == 0 &&
	    (secs < 0 || secs > NP_DURATION_MAX_S || np_duration_parse(text, &ms) != 0 ||
	     ms != secs * 1000))
		abort(); /* the CLI's seconds are the configuration's grammar, whole seconds */
	if (np_duration_parse(text, &ms) == 0) {
		char back[64];
		int64_t again;
		np_duration_format(ms, back, sizeof(back));
		if (ms < 0 || np_duration_parse(back, &again) != 0 || again != ms)
			abort(); /* formatting a parsed duration reads back the same */
	}
	int64_t t;
	(void)np_time_parse(text, z, &t, NULL);
	char iso[NP_TZ_ISO_MAX];
	np_tz_iso(z, now, iso);

	/* The same bytes as a POSIX rule and as a TZif file. */
	struct np_tz *r = np_tz_from_posix(text, NULL);
	if (r != NULL) {
		(void)np_tz_offset(r, now);
		(void)np_tz_to_utc(r, now);
		np_tz_free(r);
	}
	r = np_tz_from_tzif("fuzz", data + 6, size - 6, NULL);
	if (r != NULL) {
		(void)np_tz_offset(r, now);
		(void)np_tz_to_utc(r, now);
		np_tz_iso(r, now, iso);
		np_tz_free(r);
	}
	free(text);
	free(cause);
	return 0;
}
