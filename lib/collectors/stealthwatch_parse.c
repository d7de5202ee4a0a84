#include "collectors/stealthwatch_parse.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "util/cause.h"
#include "util/xmalloc.h"

enum role {
	ROLE_DEVICE,  /* the exporter address: the link */
	ROLE_GAUGE,   /* bps: gauge and up (> 0) / down (0) */
	ROLE_EVER_UP, /* epoch seconds of the last export; 0 = never heard */
	ROLE_LABEL,   /* informational only */
};

struct column {
	const char *header; /* exact header text */
	enum role role;
	const char *label; /* also kept as this label; NULL = not */
	bool required;
};

/*
 * The one mapping from the FC's column names to what they mean here. A per-interface file
 * would be a second table of this shape (plus an interface role). Labels are for grouping, so
 * only stable attributes become labels: values that move every poll (Last Active, the flow
 * rate) would rewrite the series row each time.
 */
static const struct column columns[] = {
    {"Exporter Address", ROLE_DEVICE, NULL, true},
    {"Current NetFlow bps", ROLE_GAUGE, NULL, true},
    {"Last Active", ROLE_EVER_UP, NULL, false},
    {"NetFlow Version", ROLE_LABEL, "netflow_version", false},
    {"Interfaces", ROLE_LABEL, "interfaces", false},
    {"Status", ROLE_LABEL, "fc_status", false},
};
#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))
_Static_assert(NCOLUMNS - 2 <= NP_LABELS_MAX, "more labels than an observation can hold");

/* Far above any real FC file (46 columns); bounds the scratch map of a hostile header. */
#define MAX_FIELDS 4096

struct field {
	const char *p;
	size_t len;
};

/* Open-addressing set of exporters already seen in this file (8 bytes: cache-friendly). */
struct slot {
	uint32_t hash;
	uint32_t idx1; /* batch->obs index + 1; 0 = empty */
};

struct parser {
	struct np_batch *b;
	const char *end; /* of the input: bounds the 16-byte loads */
	int8_t *map;     /* field index -> columns[] index, -1 = ignored */
	size_t nfields;
	struct field vals[NCOLUMNS];
	struct slot *slots;
	size_t nslots, used;
	size_t first;    /* batch->n when this parse started */
	uint32_t *lines; /* line of each observation added, for duplicate reasons */
	size_t nlines;
	bool torn; /* the file ends inside a row: the FC is rewriting it */
};

static bool
next_line(const char **pp, const char *end, const char **ls, const char **le)
{
	const char *p = *pp;
	if (p >= end)
		return false;
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	const char *e = nl != NULL ? nl : end;
	*pp = nl != NULL ? nl + 1 : end;
	if (e > p && e[-1] == '\r')
		e--;
	*ls = p;
	*le = e;
	return true;
}

/* A printable, bounded copy of untrusted bytes for a skip reason. */
static void
snippet(char *dst, size_t size, const char *p, size_t len)
{
	size_t max = size - 4, o = 0;
	for (size_t i = 0; i < len && o < max; i++) {
		unsigned char c = (unsigned char)p[i];
		dst[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	if (o < len && o == max) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
}

static bool
parse_u64(const char *p, size_t len, uint64_t *v)
{
	if (len == 0 || len > 20)
		return false;
	uint64_t x = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned)(unsigned char)p[i] - '0';
		if (d > 9 || x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*v = x;
	return true;
}

/* Dotted-quad IPv4 (no leading zeros, so already canonical) or IPv6 (canonicalised, so
 * two FCs spelling it differently still name one link). */
static bool
parse_addr(const char *p, size_t len, char out[INET6_ADDRSTRLEN])
{
	unsigned char bin[16];
	char buf[INET6_ADDRSTRLEN];

	if (len == 0 || len >= sizeof(buf) || memchr(p, '\0', len) != NULL)
		return false;
	memcpy(buf, p, len);
	buf[len] = '\0';
	if (memchr(buf, ':', len) == NULL) {
		if (inet_pton(AF_INET, buf, bin) != 1)
			return false;
		memcpy(out, buf, len + 1);
		return true;
	}
	if (inet_pton(AF_INET6, buf, bin) != 1)
		return false;
	return inet_ntop(AF_INET6, bin, out, INET6_ADDRSTRLEN) != NULL;
}

static int
parse_header(struct parser *ps, const char *ls, const char *le, size_t line, char **cause)
{
	bool seen[NCOLUMNS] = {false};
	size_t n = 1;
	for (const char *p = ls; p < le; p++)
		n += *p == '\t';
	if (n > MAX_FIELDS) {
		np_cause(cause, "line %zu: header has %zu columns (at most %d)", line, n,
		         MAX_FIELDS);
		return -1;
	}
	ps->map = np_xmalloc(n);
	ps->nfields = n;

	const char *fs = ls;
	for (size_t idx = 0; idx < n; idx++) {
		const char *fe = memchr(fs, '\t', (size_t)(le - fs));
		if (fe == NULL)
			fe = le;
		const char *a = fs, *z = fe;
		while (a < z && *a == ' ')
			a++;
		while (z > a && z[-1] == ' ')
			z--;
		ps->map[idx] = -1;
		for (size_t c = 0; c < NCOLUMNS; c++) {
			if (strlen(columns[c].header) != (size_t)(z - a) ||
			    memcmp(columns[c].header, a, (size_t)(z - a)) != 0)
				continue;
			if (seen[c]) {
				np_cause(cause, "line %zu: header names column \"%s\" twice", line,
				         columns[c].header);
				return -1;
			}
			seen[c] = true;
			ps->map[idx] = (int8_t)c;
		}
		fs = fe + 1;
	}
	for (size_t c = 0; c < NCOLUMNS; c++) {
		if (columns[c].required && !seen[c]) {
			np_cause(cause,
			         "line %zu: not an exporter_device_stats header (no \"%s\" column)",
			         line, columns[c].header);
			return -1;
		}
	}
	return 0;
}

static uint32_t
hash_str(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void
grow_slots(struct parser *ps)
{
	size_t n = ps->nslots ? ps->nslots * 2 : 1024;
	struct slot *s = np_xcalloc(n, sizeof(*s));
	for (size_t i = 0; i < ps->nslots; i++) {
		if (ps->slots[i].idx1 == 0)
			continue;
		size_t j = ps->slots[i].hash & (n - 1);
		while (s[j].idx1 != 0)
			j = (j + 1) & (n - 1);
		s[j] = ps->slots[i];
	}
	free(ps->slots);
	ps->slots = s;
	ps->nslots = n;
}

/* Makes room for one more exporter and returns where its probe starts (prefetched). */
static size_t
probe_start(struct parser *ps, uint32_t h)
{
	if (2 * (ps->used + 1) > ps->nslots)
		grow_slots(ps);
	size_t j = h & (ps->nslots - 1);
	__builtin_prefetch(&ps->slots[j], 1);
	return j;
}

/* Finds `dev` among this file's exporters; returns its slot (idx1 != 0 if already seen). */
static struct slot *
find_slot(struct parser *ps, size_t j, const char *dev, uint32_t h)
{
	for (;;) {
		struct slot *s = &ps->slots[j];
		if (s->idx1 == 0)
			return s;
		if (s->hash == h &&
		    strcmp(np_obs_device(ps->b, &ps->b->obs[s->idx1 - 1]), dev) == 0)
			return s;
		j = (j + 1) & (ps->nslots - 1);
	}
}

static void
add_label(struct np_batch *b, struct np_obs *o, const char *key, const struct field *f)
{
	char value[NP_NAME_MAX];
	size_t len = f->len;
	if (len >= sizeof(value)) {
		len = sizeof(value) - 1;
		o->truncated = true;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)f->p[i];
		value[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	value[len] = '\0';
	np_obs_label(b, o, key, value); /* the columns' labels are distinct and fit */
}

static void
skip(struct parser *ps, size_t line, const char *what, const struct field *f)
{
	char reason[256], val[48];
	snippet(val, sizeof(val), f->p, f->len);
	snprintf(reason, sizeof(reason), "line %zu: %s \"%s\"", line, what, val);
	np_batch_skip(ps->b, reason);
}

static inline void
keep_field(struct parser *ps, size_t idx, const char *fs, const char *fe)
{
	if (idx < ps->nfields && ps->map[idx] >= 0) {
		ps->vals[ps->map[idx]].p = fs;
		ps->vals[ps->map[idx]].len = (size_t)(fe - fs);
	}
}

/*
 * Splits [ls, le) at TABs, keeping the mapped fields; returns the field count. This is the
 * hot loop (every byte of a 100k-row file), so TABs are found 16 bytes at a time where SSE2
 * exists; loads never pass the end of the input.
 */
static size_t
split_row(struct parser *ps, const char *ls, const char *le)
{
	size_t idx = 0;
	const char *fs = ls, *p = ls;
#if defined(__SSE2__)
	const __m128i tab = _mm_set1_epi8('\t');
	for (; p < le && ps->end - p >= 16; p += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, tab));
		if (le - p < 16)
			m &= (1u << (le - p)) - 1;
		for (; m != 0; m &= m - 1) {
			const char *t = p + __builtin_ctz(m);
			keep_field(ps, idx++, fs, t);
			fs = t + 1;
		}
	}
#endif
	for (; p < le; p++) {
		if (*p == '\t') {
			keep_field(ps, idx++, fs, p);
			fs = p + 1;
		}
	}
	keep_field(ps, idx++, fs, le);
	return idx;
}

/* at_end: the row runs to the end of the file without a newline. */
static void
parse_row(struct parser *ps, const char *ls, const char *le, size_t line, bool at_end)
{
	struct field *v = ps->vals;
	const size_t nf = ps->nfields;
	size_t idx = split_row(ps, ls, le);
	if (idx < nf && at_end) {
		/* Caught mid-rewrite: the exporters after this point are not "gone". */
		char reason[96];
		snprintf(reason, sizeof(reason), "line %zu: file ends mid-row (being rewritten?)",
		         line);
		np_batch_skip(ps->b, reason);
		ps->torn = true;
		return;
	}
	if (idx != nf) {
		char reason[96];
		snprintf(reason, sizeof(reason), "line %zu: %zu fields, header has %zu", line, idx,
		         nf);
		np_batch_skip(ps->b, reason);
		return;
	}

	char dev[INET6_ADDRSTRLEN];
	uint64_t bps = 0, last = 0;
	bool has_last = false;
	/* A row with the right field count sets every mapped column; vals[c].p stays NULL only
	 * for an optional column the header lacks. */
	for (size_t c = 0; c < NCOLUMNS; c++) {
		const struct field *f = &v[c];
		if (f->p == NULL)
			continue;
		switch (columns[c].role) {
		case ROLE_DEVICE:
			if (!parse_addr(f->p, f->len, dev)) {
				skip(ps, line, "bad Exporter Address", f);
				return;
			}
			break;
		case ROLE_GAUGE:
			if (!parse_u64(f->p, f->len, &bps)) {
				skip(ps, line, "Current NetFlow bps is not a number:", f);
				return;
			}
			break;
		case ROLE_EVER_UP:
			if (!parse_u64(f->p, f->len, &last)) {
				skip(ps, line, "Last Active is not a number:", f);
				return;
			}
			has_last = true;
			break;
		case ROLE_LABEL:
			break;
		}
	}

	/* The set probe is a likely cache miss on big files: prefetch it, fill the observation
	 * meanwhile, and take the observation back if the exporter was already listed. */
	uint32_t h = hash_str(dev);
	size_t j = probe_start(ps, h);

	struct np_obs *o = np_batch_add(ps->b);
	np_obs_set_names(ps->b, o, dev, "");
	o->gauge = (double)bps;
	o->has_gauge = true;
	o->link = bps > 0 ? NP_LINK_UP : NP_LINK_DOWN;
	o->ever_up = !has_last ? NP_EVER_UNKNOWN : last > 0 ? NP_EVER_YES : NP_EVER_NO;
	for (size_t c = 0; c < NCOLUMNS; c++)
		if (columns[c].label != NULL && v[c].p != NULL)
			add_label(ps->b, o, columns[c].label, &v[c]);

	struct slot *s = find_slot(ps, j, dev, h);
	if (s->idx1 != 0) {
		char reason[160];
		ps->b->n--;
		snprintf(reason, sizeof(reason), "line %zu: exporter %s already listed on line %u",
		         line, dev, ps->lines[s->idx1 - 1 - ps->first]);
		np_batch_skip(ps->b, reason);
		return;
	}
	s->hash = h;
	s->idx1 = (uint32_t)ps->b->n;
	ps->used++;
	if (ps->used > ps->nlines) {
		ps->nlines = ps->nlines ? ps->nlines * 2 : 1024;
		ps->lines = np_xreallocarray(ps->lines, ps->nlines, sizeof(*ps->lines));
	}
	ps->lines[ps->used - 1] = (uint32_t)line;
}

int
np_stealthwatch_parse(const char *data, size_t len, struct np_batch *batch, char **cause)
{
	struct parser ps = {.b = batch, .end = data + len, .first = batch->n};
	const char *p = data, *end = data + len, *ls, *le;
	size_t line = 0;
	int rc = -1;

	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	for (;;) {
		if (!next_line(&p, end, &ls, &le)) {
			np_cause(cause, "empty file (no header line)");
			return -1;
		}
		line++;
		if (ls != le)
			break;
	}
	if (parse_header(&ps, ls, le, line, cause) == -1)
		goto out;
	if (batch->n > UINT32_MAX / 2) {
		np_cause(cause, "batch too large");
		goto out;
	}
	/* Without a final newline the last line may be cut short (the FC rewrites the file in
	 * place); a cut row is detectable only by its field count. */
	const bool unterminated = data[len - 1] != '\n';
	if (p == end && unterminated) {
		/* The header itself may be cut: how many columns it really has is unknown. */
		char reason[96];
		snprintf(reason, sizeof(reason),
		         "line %zu: file ends in the header (being rewritten?)", line);
		np_batch_skip(batch, reason);
		ps.torn = true;
	}
	while (next_line(&p, end, &ls, &le)) {
		line++;
		if (ls != le)
			parse_row(&ps, ls, le, line, p == end && unterminated);
	}
	batch->complete = !ps.torn;
	rc = 0;
out:
	free(ps.map);
	free(ps.slots);
	free(ps.lines);
	return rc;
}
