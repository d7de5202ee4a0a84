#include "engine/maint.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cause.h"
#include "util/re.h"
#include "util/str.h"
#include "util/civil.h"
#include "util/tz.h"
#include "util/xmalloc.h"

#define DAY_S 86400

struct window {
	char *name;
	struct np_tz *tz;
	bool recurring;
	int64_t start, end;  /* one-off: UTC seconds */
	unsigned days;       /* recurring: bit 0 = Sunday ... 6 = Saturday */
	int64_t at_s;        /* recurring: seconds after local midnight */
	int64_t duration_s;  /* recurring */
	char *source;        /* NULL = any */
	regex_t device, ifn; /* valid if has_* */
	bool has_device, has_ifn;
	char **labels;  /* name, value, ... */
	size_t nlabels; /* strings */
};

struct np_maint {
	struct window *w;
	size_t n;
};

static const char *const day_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

/*
 * ISO 8601 "YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM|-HH:MM|+HHMM|-HHMM]" (a space may stand for the T).
 * Without an offset: local seconds of the window's zone (*has_off false); with one: the UTC
 * instant it names (*has_off true), whatever the zone.
 */
static int
parse_time(const char *s, int64_t *out, bool *has_off)
{
	int y, mo, d, h, mi, sec = 0, n = 0;
	if (s == NULL || sscanf(s, "%4d-%2d-%2d%*1[T ]%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5 ||
	    n != 16)
		return -1;
	const char *p = s + n;
	if (p[0] == ':') {
		if (p[1] < '0' || p[1] > '9' || p[2] < '0' || p[2] > '9')
			return -1;
		sec = (p[1] - '0') * 10 + (p[2] - '0');
		p += 3;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > np_civil_mdays(y, mo) || h < 0 || h > 23 || mi < 0 ||
	    mi > 59 || sec > 59)
		return -1;
	int64_t t = np_civil_days(y, mo, d) * DAY_S + h * 3600 + mi * 60 + sec;
	*has_off = false;
	if (*p == 'Z' && p[1] == '\0') {
		*has_off = true;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '+' ? 1 : -1, oh, om = 0;
		const char *o = p + 1;
		size_t len = strlen(o);
		for (size_t i = 0; i < len; i++)
			if (!isdigit((unsigned char)o[i]) && !(i == 2 && len == 5 && o[i] == ':'))
				return -1;
		if (len != 2 && len != 4 && !(len == 5 && o[2] == ':'))
			return -1;
		oh = (o[0] - '0') * 10 + (o[1] - '0');
		if (len > 2)
			om = (o[len - 2] - '0') * 10 + (o[len - 1] - '0');
		if (oh > 18 || om > 59)
			return -1;
		t -= sign * (oh * 3600 + om * 60);
		*has_off = true;
	} else if (*p != '\0') {
		return -1;
	}
	*out = t;
	return 0;
}

/* "HH:MM" as seconds after midnight. */
static int
parse_hhmm(const char *s, int64_t *out)
{
	int h, mi;
	char tail;
	if (s == NULL || strlen(s) != 5 || sscanf(s, "%2d:%2d%c", &h, &mi, &tail) != 2 || h < 0 ||
	    h > 23 || mi < 0 || mi > 59)
		return -1;
	*out = h * 3600 + mi * 60;
	return 0;
}

static void
window_free(struct window *w)
{
	free(w->name);
	free(w->source);
	for (size_t i = 0; i < w->nlabels; i++)
		free(w->labels[i]);
	free(w->labels);
	np_tz_free(w->tz);
	if (w->has_device)
		regfree(&w->device);
	if (w->has_ifn)
		regfree(&w->ifn);
}

/* Fills w from c; on error *key names the key at fault. */
static int
window_make(struct window *w, const struct np_maint_cfg *c, size_t i, const char *zonedir,
            const char *default_tz, const char **key, char **cause)
{
	w->name = c->name != NULL ? np_xstrdup(c->name) : np_xasprintf("window %zu", i + 1);
	const char *zone = c->timezone != NULL ? c->timezone : default_tz;
	*key = "timezone";
	w->tz = zone != NULL ? np_tz_load(zonedir, zone, cause) : np_tz_utc();
	if (w->tz == NULL)
		return -1;
	bool oneoff = c->start != NULL || c->end != NULL;
	bool rec = c->at != NULL || c->ndays > 0 || c->duration_ms > 0;
	*key = oneoff ? "start" : "at";
	if (oneoff == rec) {
		np_cause(cause, "give either start and end (one-off) or at and duration "
		                "(recurring, with days)");
		return -1;
	}
	if (oneoff) {
		bool so, eo;
		*key = "start";
		if (parse_time(c->start, &w->start, &so) == -1) {
			np_cause(cause,
			         "start: expected YYYY-MM-DDTHH:MM[:SS] with an optional UTC "
			         "offset (Z, +01:00), got \"%s\"",
			         c->start ? c->start : "");
			return -1;
		}
		*key = "end";
		if (parse_time(c->end, &w->end, &eo) == -1) {
			np_cause(cause,
			         "end: expected YYYY-MM-DDTHH:MM[:SS] with an optional UTC "
			         "offset (Z, +01:00), got \"%s\"",
			         c->end ? c->end : "");
			return -1;
		}
		if (!so)
			w->start = np_tz_to_utc(w->tz, w->start);
		if (!eo)
			w->end = np_tz_to_utc(w->tz, w->end);
		if (w->end <= w->start) {
			np_cause(cause, "end %s is not after start %s", c->end, c->start);
			return -1;
		}
	} else {
		w->recurring = true;
		*key = "at";
		if (parse_hhmm(c->at, &w->at_s) == -1) {
			np_cause(cause, "at: expected HH:MM, got \"%s\"", c->at ? c->at : "");
			return -1;
		}
		*key = "duration";
		if (c->duration_ms <= 0) {
			np_cause(cause, "a recurring window needs a duration");
			return -1;
		}
		w->duration_s = c->duration_ms / 1000;
		*key = "days";
		w->days = c->ndays == 0 ? 0x7f : 0;
		for (size_t k = 0; k < c->ndays; k++) {
			size_t d;
			for (d = 0; d < 7 && strcmp(c->days[k], day_names[d]) != 0; d++)
				;
			if (d == 7) {
				np_cause(cause,
				         "unknown day \"%s\" (mon, tue, wed, thu, fri, sat, sun)",
				         c->days[k]);
				return -1;
			}
			w->days |= 1u << d;
		}
	}
	if (c->source != NULL)
		w->source = np_xstrdup(c->source);
	*key = "labels";
	if (c->nlabels % 2 != 0) {
		np_cause(cause, "labels: a value for every name");
		return -1;
	}
	if (c->nlabels > 0) {
		w->labels = np_xcalloc(c->nlabels, sizeof(*w->labels));
		for (size_t k = 0; k < c->nlabels; k++)
			w->labels[k] = np_xstrdup(c->labels[k]);
		w->nlabels = c->nlabels;
	}
	*key = "device";
	if (np_re_compile(&w->device, &w->has_device, c->device, cause) == -1)
		return -1;
	*key = "interface";
	return np_re_compile(&w->ifn, &w->has_ifn, c->interface, cause);
}

struct np_maint *
np_maint_new(const struct np_maint_cfg *cfg, size_t n, const char *zonedir, const char *default_tz,
             size_t *bad_index, const char **bad_key, char **cause)
{
	struct np_maint *m = np_xcalloc(1, sizeof(*m));
	m->w = n ? np_xcalloc(n, sizeof(*m->w)) : NULL;
	for (size_t i = 0; i < n; i++) {
		const char *key = NULL;
		if (window_make(&m->w[i], &cfg[i], i, zonedir, default_tz, &key, cause) == -1) {
			window_free(&m->w[i]);
			m->n = i;
			np_maint_free(m);
			if (bad_index != NULL)
				*bad_index = i;
			if (bad_key != NULL)
				*bad_key = key;
			return NULL;
		}
		m->n = i + 1;
	}
	return m;
}

void
np_maint_free(struct np_maint *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n; i++)
		window_free(&m->w[i]);
	free(m->w);
	free(m);
}

size_t
np_maint_count(const struct np_maint *m)
{
	return m != NULL ? m->n : 0;
}

const char *
np_maint_name(const struct np_maint *m, int i)
{
	return m->w[i].name;
}

static bool
applies(const struct window *w, const struct np_maint_link *l)
{
	if (w->source != NULL && !np_list_has(l->sources, w->source))
		return false;
	if (l->device == NULL) /* a source-level alert */
		return !w->has_device && !w->has_ifn && w->nlabels == 0;
	if (w->has_device && regexec(&w->device, l->device, 0, NULL, 0) != 0)
		return false;
	if (w->has_ifn &&
	    regexec(&w->ifn, l->interface != NULL ? l->interface : "", 0, NULL, 0) != 0)
		return false;
	/* Labels last: the caller's lookup may cost a query. */
	for (size_t i = 0; i + 1 < w->nlabels; i += 2)
		if (l->has_label == NULL || !l->has_label(l->arg, w->labels[i], w->labels[i + 1]))
			return false;
	return true;
}

/* Calls fn for each occurrence of w overlapping [a, b), clipped. */
static void
occurrences(const struct window *w, int64_t a, int64_t b,
            void (*fn)(int64_t a, int64_t b, void *arg), void *arg)
{
	if (!w->recurring) {
		int64_t s = w->start > a ? w->start : a, e = w->end < b ? w->end : b;
		if (s < e)
			fn(s, e, arg);
		return;
	}
	/* Every local day whose occurrence could reach into [a, b). */
	int64_t first = np_tz_day(w->tz, a - w->duration_s) - 1, last = np_tz_day(w->tz, b);
	for (int64_t day = first; day <= last; day++) {
		if (!(w->days & (1u << np_civil_wday(day))))
			continue;
		int64_t s = np_tz_to_utc(w->tz, day * DAY_S + w->at_s), e = s + w->duration_s;
		if (s < a)
			s = a;
		if (e > b)
			e = b;
		if (s < e)
			fn(s, e, arg);
	}
}

struct hit {
	bool found;
};

static void
hit_cb(int64_t a, int64_t b, void *arg)
{
	(void)a;
	(void)b;
	((struct hit *)arg)->found = true;
}

int
np_maint_covers_link(const struct np_maint *m, const struct np_maint_link *l, int64_t t)
{
	for (size_t i = 0; m != NULL && i < m->n; i++) {
		/* The time first: it costs nothing, a label lookup may. */
		struct hit h = {false};
		occurrences(&m->w[i], t, t + 1, hit_cb, &h);
		if (h.found && applies(&m->w[i], l))
			return (int)i;
	}
	return -1;
}

int
np_maint_covers(const struct np_maint *m, const char *sources, const char *device,
                const char *interface, int64_t t)
{
	struct np_maint_link l = {.sources = sources, .device = device, .interface = interface};
	return np_maint_covers_link(m, &l, t);
}

void
np_maint_intervals(const struct np_maint *m, const char *sources, const char *device,
                   const char *interface, int64_t a, int64_t b,
                   void (*fn)(int64_t a, int64_t b, void *arg), void *arg)
{
	struct np_maint_link l = {.sources = sources, .device = device, .interface = interface};
	for (size_t i = 0; m != NULL && i < m->n; i++)
		if (applies(&m->w[i], &l))
			occurrences(&m->w[i], a, b, fn, arg);
}

/* The first start or end of an occurrence of w after t, or INT64_MAX. */
static int64_t
window_next(const struct window *w, int64_t t)
{
	if (!w->recurring)
		return w->start > t ? w->start : w->end > t ? w->end : INT64_MAX;
	if (w->days == 0)
		return INT64_MAX;
	/* Occurrences run in order (a start per local day), so the first boundary after t is
	 * within the days from the one whose occurrence may still run to a week after t. */
	int64_t best = INT64_MAX;
	int64_t first = np_tz_day(w->tz, t - w->duration_s) - 1, last = np_tz_day(w->tz, t) + 8;
	for (int64_t day = first; day <= last; day++) {
		if (!(w->days & (1u << np_civil_wday(day))))
			continue;
		int64_t s = np_tz_to_utc(w->tz, day * DAY_S + w->at_s), e = s + w->duration_s;
		if (s > t && s < best)
			best = s;
		if (e > t && e < best)
			best = e;
	}
	return best;
}

int64_t
np_maint_next_boundary(const struct np_maint *m, const struct np_maint_link *l, int64_t t)
{
	int64_t best = INT64_MAX;
	for (size_t i = 0; m != NULL && i < m->n; i++) {
		if (l != NULL && !applies(&m->w[i], l))
			continue;
		int64_t b = window_next(&m->w[i], t);
		if (b < best)
			best = b;
	}
	return best;
}

bool
np_maint_active(const struct np_maint *m, int64_t a, int64_t b)
{
	for (size_t i = 0; m != NULL && i < m->n; i++) {
		struct hit h = {false};
		occurrences(&m->w[i], a, b, hit_cb, &h);
		if (h.found)
			return true;
	}
	return false;
}

struct piece_ctx {
	int window;
	void (*fn)(int64_t a, int64_t b, int window, void *arg);
	void *arg;
};

static void
piece_cb(int64_t a, int64_t b, void *arg)
{
	struct piece_ctx *c = arg;
	c->fn(a, b, c->window, c->arg);
}

void
np_maint_pieces(const struct np_maint *m, const struct np_maint_link *l, int64_t a, int64_t b,
                void (*fn)(int64_t a, int64_t b, int window, void *arg), void *arg)
{
	for (size_t i = 0; m != NULL && i < m->n; i++) {
		struct hit h = {false};
		occurrences(&m->w[i], a, b, hit_cb, &h);
		if (!h.found || !applies(&m->w[i], l))
			continue;
		struct piece_ctx c = {(int)i, fn, arg};
		occurrences(&m->w[i], a, b, piece_cb, &c);
	}
}
