#include "util/tz.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/civil.h"
#include "util/cause.h"
#include "util/xmalloc.h"

/* Footer rules are expanded up to this year; later instants keep the last offset. */
#define RULE_LAST_YEAR 2400
#define RULE_FIRST_YEAR 1800
/* Real offsets are within -12h..+14h (RFC 8536 allows up to ~25h); reject nonsense. */
#define OFF_LIMIT (26 * 3600)
#define TZIF_MAX (1 << 20)

struct np_tz {
	char *name;
	int32_t off0; /* before the first transition */
	size_t n, cap;
	int64_t *at;  /* ascending UTC instants */
	int32_t *off; /* offset in effect from at[i] */
};

/* A POSIX TZ rule (RFC 8536 §3.3, POSIX.1 TZ). */
struct prule_date {
	char kind; /* 'J' (1-365, no Feb 29), 'N' (0-365), 'M' (month.week.day) */
	int a, b, c;
	int32_t time; /* local seconds after midnight; may be negative or > 24h */
};
struct posix {
	int32_t std, dst; /* east-positive offsets */
	bool has_dst;
	struct prule_date start, end;
};

static struct np_tz *
tz_new(const char *name)
{
	struct np_tz *tz = np_xcalloc(1, sizeof(*tz));
	tz->name = np_xstrdup(name);
	return tz;
}

static void
tz_push(struct np_tz *tz, int64_t at, int32_t off)
{
	if (tz->n == tz->cap) {
		tz->cap = tz->cap ? tz->cap * 2 : 64;
		tz->at = np_xreallocarray(tz->at, tz->cap, sizeof(*tz->at));
		tz->off = np_xreallocarray(tz->off, tz->cap, sizeof(*tz->off));
	}
	tz->at[tz->n] = at;
	tz->off[tz->n] = off;
	tz->n++;
}

void
np_tz_free(struct np_tz *tz)
{
	if (tz == NULL)
		return;
	free(tz->name);
	free(tz->at);
	free(tz->off);
	free(tz);
}

struct np_tz *
np_tz_utc(void)
{
	return tz_new("UTC");
}

const char *
np_tz_name(const struct np_tz *tz)
{
	return tz->name;
}

/* ---- POSIX TZ strings ---- */

static const char *
parse_name(const char *p)
{
	const char *s = p;
	if (*p == '<') {
		for (p++; *p != '>'; p++) {
			if (*p == '\0' || !(isalnum((unsigned char)*p) || *p == '+' || *p == '-'))
				return NULL;
		}
		return p - s >= 2 ? p + 1 : NULL;
	}
	while (isalpha((unsigned char)*p))
		p++;
	return p - s >= 3 ? p : NULL;
}

/* [+-]h[h[h]][:mm[:ss]] within max_hours; stores seconds (sign as written). */
static const char *
parse_hms(const char *p, int max_hours, int32_t *out)
{
	int sign = 1, h = 0, m = 0, s = 0, nd = 0;
	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	while (isdigit((unsigned char)*p) && nd < 3) {
		h = h * 10 + (*p++ - '0');
		nd++;
	}
	if (nd == 0 || h > max_hours)
		return NULL;
	if (*p == ':') {
		p++;
		if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]))
			return NULL;
		m = (p[0] - '0') * 10 + (p[1] - '0');
		p += 2;
		if (*p == ':') {
			p++;
			if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]))
				return NULL;
			s = (p[0] - '0') * 10 + (p[1] - '0');
			p += 2;
		}
		if (m > 59 || s > 59)
			return NULL;
	}
	*out = sign * (h * 3600 + m * 60 + s);
	return p;
}

static const char *
parse_num(const char *p, int lo, int hi, int *out)
{
	int v = 0, nd = 0;
	while (isdigit((unsigned char)*p) && nd < 4) {
		v = v * 10 + (*p++ - '0');
		nd++;
	}
	if (nd == 0 || v < lo || v > hi)
		return NULL;
	*out = v;
	return p;
}

static const char *
parse_rule_date(const char *p, struct prule_date *d)
{
	if (*p == 'J') {
		d->kind = 'J';
		p = parse_num(p + 1, 1, 365, &d->a);
	} else if (*p == 'M') {
		d->kind = 'M';
		if ((p = parse_num(p + 1, 1, 12, &d->a)) == NULL || *p++ != '.')
			return NULL;
		if ((p = parse_num(p, 1, 5, &d->b)) == NULL || *p++ != '.')
			return NULL;
		p = parse_num(p, 0, 6, &d->c);
	} else {
		d->kind = 'N';
		p = parse_num(p, 0, 365, &d->a);
	}
	if (p == NULL)
		return NULL;
	d->time = 2 * 3600;
	if (*p == '/')
		p = parse_hms(p + 1, 167, &d->time);
	return p;
}

static int
parse_posix(const char *s, struct posix *px)
{
	const char *p = parse_name(s);
	int32_t v;
	memset(px, 0, sizeof(*px));
	if (p == NULL || (p = parse_hms(p, 24, &v)) == NULL)
		return -1;
	px->std = -v;
	if (*p == '\0')
		return 0;
	if ((p = parse_name(p)) == NULL)
		return -1;
	px->has_dst = true;
	px->dst = px->std + 3600;
	if (*p != ',' && *p != '\0') {
		if ((p = parse_hms(p, 24, &v)) == NULL)
			return -1;
		px->dst = -v;
	}
	if (*p == '\0') {
		/* POSIX leaves the default rule to the implementation; glibc uses the US one. */
		px->start = (struct prule_date){'M', 3, 2, 0, 7200};
		px->end = (struct prule_date){'M', 11, 1, 0, 7200};
		return 0;
	}
	if (*p++ != ',' || (p = parse_rule_date(p, &px->start)) == NULL)
		return -1;
	if (*p++ != ',' || (p = parse_rule_date(p, &px->end)) == NULL)
		return -1;
	return *p == '\0' ? 0 : -1;
}

/* Day number (since 1970-01-01) of a rule date in `year`. */
static int64_t
rule_day(const struct prule_date *d, int64_t year)
{
	int64_t jan1 = np_civil_days(year, 1, 1);
	if (d->kind == 'J')
		return jan1 + d->a - 1 + (np_civil_leap(year) && d->a >= 60);
	if (d->kind == 'N')
		return jan1 + d->a;
	int64_t first = np_civil_days(year, d->a, 1);
	int dom = 1 + (d->c - np_civil_wday(first) + 7) % 7 + 7 * (d->b - 1);
	while (dom > np_civil_mdays(year, d->a))
		dom -= 7;
	return first + dom - 1;
}

struct trans {
	int64_t at;
	int32_t off;
};

static int
trans_cmp(const void *a, const void *b)
{
	const struct trans *x = a, *y = b;
	return (x->at > y->at) - (x->at < y->at);
}

/* Appends the rule's transitions after the last explicit one (or from 1970). */
static void
expand_rule(struct np_tz *tz, const struct posix *px)
{
	int64_t y0 = 1970;
	if (tz->n > 0) {
		struct np_civil c;
		np_civil_from_secs(tz->at[tz->n - 1], &c);
		y0 = c.year;
	}
	if (y0 > RULE_LAST_YEAR)
		return;
	/* A bogus last transition far in the past must not make the expansion huge. */
	if (y0 < RULE_FIRST_YEAR)
		y0 = RULE_FIRST_YEAR;
	size_t cnt = (size_t)(RULE_LAST_YEAR - y0 + 1) * 2, k = 0;
	struct trans *t = np_xreallocarray(NULL, cnt, sizeof(*t));
	for (int64_t y = y0; y <= RULE_LAST_YEAR; y++) {
		t[k].at = rule_day(&px->start, y) * 86400 + px->start.time - px->std;
		t[k++].off = px->dst;
		t[k].at = rule_day(&px->end, y) * 86400 + px->end.time - px->dst;
		t[k++].off = px->std;
	}
	qsort(t, cnt, sizeof(*t), trans_cmp);
	bool first = tz->n == 0;
	for (k = 0; k < cnt; k++) {
		if (tz->n > 0 && t[k].at <= tz->at[tz->n - 1])
			continue;
		int32_t prev = tz->n > 0 ? tz->off[tz->n - 1] : tz->off0;
		if (first) {
			/* Before the first generated change the other offset was in effect. */
			tz->off0 = t[k].off == px->dst ? px->std : px->dst;
			prev = tz->off0;
			first = false;
		}
		if (t[k].off != prev)
			tz_push(tz, t[k].at, t[k].off);
	}
	free(t);
}

struct np_tz *
np_tz_from_posix(const char *rule, char **cause)
{
	struct posix px;
	if (parse_posix(rule, &px) == -1) {
		np_cause(cause, "invalid POSIX TZ rule \"%s\"", rule);
		return NULL;
	}
	struct np_tz *tz = tz_new(rule);
	tz->off0 = px.std;
	if (px.has_dst)
		expand_rule(tz, &px);
	return tz;
}

/* ---- TZif ---- */

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t
be64(const uint8_t *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct tzif_hdr {
	char version;
	size_t isut, isstd, leap, time, type, chars;
};

static int
read_hdr(const uint8_t *p, size_t len, struct tzif_hdr *h)
{
	if (len < 44 || memcmp(p, "TZif", 4) != 0)
		return -1;
	h->version = (char)p[4];
	h->isut = be32(p + 20);
	h->isstd = be32(p + 24);
	h->leap = be32(p + 28);
	h->time = be32(p + 32);
	h->type = be32(p + 36);
	h->chars = be32(p + 40);
	/* Keeps the size arithmetic below far from overflow. */
	if (h->isut > 256 || h->isstd > 256 || h->leap > 65536 || h->time > 1000000 ||
	    h->type == 0 || h->type > 256 || h->chars > 65536)
		return -1;
	return 0;
}

static size_t
block_len(const struct tzif_hdr *h, size_t tsize)
{
	return h->time * tsize + h->time + h->type * 6 + h->chars + h->leap * (tsize + 4) +
	       h->isstd + h->isut;
}

struct np_tz *
np_tz_from_tzif(const char *name, const void *buf, size_t len, char **cause)
{
	const uint8_t *p = buf, *end = p + len;
	struct tzif_hdr h;
	size_t tsize = 4;
	struct np_tz *tz = NULL;

	if (read_hdr(p, len, &h) == -1)
		goto bad;
	if (h.version >= '2') {
		/* Skip the 32-bit block: the 64-bit one follows with its own header. */
		size_t skip = 44 + block_len(&h, 4);
		if (skip > len || read_hdr(p + skip, len - skip, &h) == -1)
			goto bad;
		p += skip;
		tsize = 8;
	}
	p += 44;
	if (block_len(&h, tsize) > (size_t)(end - p))
		goto bad;
	const uint8_t *times = p, *idx = times + h.time * tsize, *types = idx + h.time;
	for (size_t i = 0; i < h.type; i++) {
		int32_t off = (int32_t)be32(types + i * 6);
		if (off <= -OFF_LIMIT || off >= OFF_LIMIT)
			goto bad;
	}
	tz = tz_new(name);
	tz->off0 = (int32_t)be32(types); /* type 0 applies before the first transition */
	for (size_t i = 0; i < h.time; i++) {
		int64_t at = tsize == 8 ? be64(times + i * 8) : (int32_t)be32(times + i * 4);
		if (idx[i] >= h.type || (tz->n > 0 && at <= tz->at[tz->n - 1]))
			goto bad;
		tz_push(tz, at, (int32_t)be32(types + idx[i] * 6));
	}
	p += block_len(&h, tsize);
	if (tsize == 8 && p < end && *p == '\n') {
		const uint8_t *nl = memchr(p + 1, '\n', (size_t)(end - p - 1));
		if (nl == NULL)
			goto bad;
		if (nl > p + 1) {
			char *footer = np_xstrndup((const char *)p + 1, (size_t)(nl - p - 1));
			struct posix px;
			int rc = parse_posix(footer, &px);
			free(footer);
			if (rc == -1)
				goto bad;
			if (px.has_dst)
				expand_rule(tz, &px);
			else if (tz->n == 0)
				tz->off0 = px.std;
		}
	}
	return tz;
bad:
	np_tz_free(tz);
	np_cause(cause, "time zone \"%s\": not a valid TZif file", name);
	return NULL;
}

static bool
name_ok(const char *name)
{
	size_t len = strlen(name);
	if (len == 0 || len > 255 || name[0] == '/' || name[0] == '-')
		return false;
	for (const char *c = name; *c != '\0'; c++) {
		if (!isalnum((unsigned char)*c) && strchr("/_+-.", *c) == NULL)
			return false;
	}
	/* No "." or ".." path components. */
	for (const char *c = name; c != NULL; c = strchr(c, '/')) {
		if (*c == '/')
			c++;
		if (c[0] == '.' &&
		    (c[1] == '\0' || c[1] == '/' || (c[1] == '.' && (c[2] == '\0' || c[2] == '/'))))
			return false;
		if (c[0] == '/' || c[0] == '\0')
			return false;
	}
	return true;
}

struct np_tz *
np_tz_load_file(const char *path, const char *name, char **cause)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd == -1) {
		np_cause(cause, "unknown time zone \"%s\" (%s: %s)", name, path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) || sb.st_size > TZIF_MAX) {
		np_cause(cause, "unknown time zone \"%s\" (%s is not a zone file)", name, path);
		close(fd);
		return NULL;
	}
	size_t len = (size_t)sb.st_size, got = 0;
	uint8_t *buf = np_xmalloc(len + 1);
	while (got < len) {
		ssize_t r = read(fd, buf + got, len - got);
		if (r <= 0) {
			if (r == -1 && errno == EINTR)
				continue;
			break;
		}
		got += (size_t)r;
	}
	close(fd);
	struct np_tz *tz = NULL;
	if (got != len)
		np_cause(cause, "time zone \"%s\": short read on %s", name, path);
	else
		tz = np_tz_from_tzif(name, buf, len, cause);
	free(buf);
	return tz;
}

struct np_tz *
np_tz_load(const char *dir, const char *name, char **cause)
{
	if (dir == NULL)
		dir = NP_TZ_DIR;
	if (!name_ok(name)) {
		np_cause(cause, "invalid time zone name \"%s\"", name);
		return NULL;
	}
	char *path = np_xasprintf("%s/%s", dir, name);
	struct np_tz *tz = NULL;
	if (strcmp(name, "UTC") == 0 && access(path, F_OK) == -1 && errno == ENOENT)
		tz = np_tz_utc();
	else
		tz = np_tz_load_file(path, name, cause);
	free(path);
	return tz;
}

/* ---- conversions ---- */

/* Index of the last transition at or before t, or -1. */
static ptrdiff_t
find(const struct np_tz *tz, int64_t t)
{
	size_t lo = 0, hi = tz->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (tz->at[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (ptrdiff_t)lo - 1;
}

int32_t
np_tz_offset(const struct np_tz *tz, int64_t t)
{
	ptrdiff_t i = find(tz, t);
	return i < 0 ? tz->off0 : tz->off[i];
}

int64_t
np_tz_to_local(const struct np_tz *tz, int64_t t)
{
	return t + np_tz_offset(tz, t);
}

int64_t
np_tz_to_utc(const struct np_tz *tz, int64_t local)
{
	/* Offsets are < 26h, so every offset that can apply lies within two days of `local`. */
	const int64_t span = 2 * 86400;
	ptrdiff_t i = find(tz, local - span);
	bool have = false;
	int64_t best = 0;
	for (ptrdiff_t k = i;; k++) {
		if (k >= 0 && ((size_t)k >= tz->n || tz->at[k] > local + span))
			break;
		int32_t off = k < 0 ? tz->off0 : tz->off[k];
		int64_t u = local - off;
		if (np_tz_offset(tz, u) == off && (!have || u < best)) {
			best = u;
			have = true;
		}
		if ((size_t)(k + 1) >= tz->n)
			break;
	}
	if (have)
		return best;
	/* In a gap: the jump whose skipped range holds `local`. */
	for (ptrdiff_t k = i < 0 ? 0 : i; (size_t)k < tz->n && tz->at[k] <= local + span; k++) {
		int32_t before = k == 0 ? tz->off0 : tz->off[k - 1];
		if (local >= tz->at[k] + before && local < tz->at[k] + tz->off[k])
			return tz->at[k];
	}
	return local - np_tz_offset(tz, local);
}

void
np_tz_iso(const struct np_tz *tz, int64_t t, char buf[NP_TZ_ISO_MAX])
{
	int32_t off = np_tz_offset(tz, t);
	struct np_civil c;
	np_civil_from_secs(t + off, &c);
	int32_t a = off < 0 ? -off : off;
	int n = snprintf(buf, NP_TZ_ISO_MAX, "%04lld-%02d-%02dT%02d:%02d:%02d%c%02d:%02d",
	                 (long long)c.year, c.mon, c.day, c.hour, c.min, c.sec, off < 0 ? '-' : '+',
	                 (int)(a / 3600), (int)(a / 60 % 60));
	if (a % 60 != 0 && n > 0 && n < NP_TZ_ISO_MAX - 3)
		snprintf(buf + n, (size_t)(NP_TZ_ISO_MAX - n), ":%02d", (int)(a % 60));
}

int64_t
np_tz_day(const struct np_tz *tz, int64_t t)
{
	return np_civil_fdiv(np_tz_to_local(tz, t), 86400);
}

int64_t
np_tz_midnight(const struct np_tz *tz, int64_t day)
{
	return np_tz_to_utc(tz, day * 86400);
}
