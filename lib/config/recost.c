/*
 * A measure of an ERE's size once its repetitions are written out, as glibc's regcomp does:
 * every atom and every *, + or ? counts one element, a group counts its contents, and x{m,n}
 * counts x times n (x{m,} times m + 1). The measure is an estimate of regcomp's work, not a
 * parser: what it cannot read it counts as plain characters and regcomp judges the syntax.
 *
 * Size is not the whole cost: a repetition of something that already repeats (`(a*)*`,
 * `((a*){1,9}){1,10}*`, `a**`) makes glibc's epsilon closures explode — that last one, 190
 * elements written out, did not finish compiling in two minutes. Such nesting is refused
 * whatever its size; interface names never need it.
 */
#include "config/recost.h"

#include <stdbool.h>
#include <string.h>

#include "util/xmalloc.h"

/* Saturating arithmetic: past this every pattern is refused anyway. */
#define HUGE_COUNT 100000000UL

struct frame {
	unsigned long sum;  /* elements of the group so far */
	unsigned long last; /* elements of its last atom (included in sum), 0 if none */
	bool repeats;       /* the group holds a quantifier */
	bool last_repeats;  /* its last atom holds or carries one */
};

static unsigned long
sat_add(unsigned long a, unsigned long b)
{
	return a + b > HUGE_COUNT ? HUGE_COUNT : a + b;
}

static unsigned long
sat_mul(unsigned long a, unsigned long b)
{
	if (a != 0 && b > HUGE_COUNT / a)
		return HUGE_COUNT;
	return a * b > HUGE_COUNT ? HUGE_COUNT : a * b;
}

static void
atom(struct frame *f, unsigned long n)
{
	f->sum = sat_add(f->sum, n);
	f->last = n;
	f->last_repeats = false;
}

/* Replaces the last atom's count by n (a quantifier applied to it); notes nested ones. */
static void
requantify(struct frame *f, unsigned long n, bool *nested)
{
	if (f->last_repeats)
		*nested = true;
	f->sum = sat_add(f->sum - f->last, n);
	f->last = n;
	f->repeats = true;
	f->last_repeats = true;
}

/* Reads digits at *p (at most 9 of them); false if there are none. */
static bool
number(const char **p, unsigned long *v)
{
	const char *s = *p;
	*v = 0;
	while (*s >= '0' && *s <= '9') {
		if (s - *p < 9)
			*v = *v * 10 + (unsigned long)(*s - '0');
		else
			*v = HUGE_COUNT;
		s++;
	}
	if (s == *p)
		return false;
	*p = s;
	return true;
}

/*
 * Parses "{m}", "{m,}", "{m,n}", "{,n}" or "{,}" at p (pointing at '{'). Returns the end
 * (after '}') with the bounds, or NULL when this is not a bound (then '{' is an ordinary character
 * to glibc, or a syntax error for regcomp to report). *hi is 0 for "{m,}".
 */
static const char *
bound(const char *p, unsigned long *lo, unsigned long *hi, bool *open)
{
	p++;
	/* glibc reads a missing m as 0 ("{,n}" is "{0,n}", "{,}" is "*"). */
	bool has_lo = number(&p, lo);
	*open = false;
	*hi = *lo;
	if (*p == ',') {
		p++;
		if (!number(&p, hi)) {
			*open = true;
			*hi = 0;
		}
	} else if (!has_lo) {
		return NULL;
	}
	return *p == '}' ? p + 1 : NULL;
}

/* Skips a bracket expression at p ('['); returns the first character after it. */
static const char *
bracket(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++; /* a leading ] is a member */
	while (*p != '\0' && *p != ']') {
		if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
			const char *end = p + 2;
			while (*end != '\0' && !(end[0] == p[1] && end[1] == ']'))
				end++;
			p = *end != '\0' ? end + 2 : end;
		} else {
			p++;
		}
	}
	return *p == ']' ? p + 1 : p;
}

/*
 * Walks the pattern; returns the elements, in *big the largest bound seen (for the message)
 * and in *nested whether a quantifier applies to something that already repeats. Nesting
 * deeper than the frames is counted as flat, which regcomp then refuses or not; the pattern
 * length limit keeps the depth below that anyway.
 */
static unsigned long
measure(const char *pat, unsigned long *big, bool *nested)
{
	struct frame fr[NP_RE_MAX_LEN / 2 + 2];
	size_t depth = 0;
	memset(&fr[0], 0, sizeof(fr[0]));
	*big = 0;
	*nested = false;
	const char *p = pat;
	while (*p != '\0') {
		struct frame *f = &fr[depth];
		unsigned long lo, hi;
		bool open;
		const char *end;
		switch (*p) {
		case '\\':
			atom(f, 1);
			p += p[1] != '\0' ? 2 : 1;
			break;
		case '[':
			atom(f, 1);
			p = bracket(p);
			break;
		case '(':
			if (depth + 1 < sizeof(fr) / sizeof(fr[0])) {
				depth++;
				memset(&fr[depth], 0, sizeof(fr[depth]));
			}
			p++;
			break;
		case ')':
			if (depth > 0) {
				unsigned long inner = fr[depth].sum;
				bool inner_repeats = fr[depth].repeats;
				depth--;
				/* An empty group still is a node. */
				atom(&fr[depth], inner > 0 ? inner : 1);
				fr[depth].last_repeats = inner_repeats;
				fr[depth].repeats |= inner_repeats;
			} else {
				atom(f, 1);
			}
			p++;
			break;
		case '|':
			f->last = 0; /* a quantifier after | applies to nothing */
			f->last_repeats = false;
			p++;
			break;
		case '*':
		case '?':
			requantify(f, sat_add(f->last, 1), nested);
			p++;
			break;
		case '+':
			/* x+ is xx*: written out twice. */
			requantify(f, sat_add(sat_mul(f->last, 2), 1), nested);
			p++;
			break;
		case '{':
			end = bound(p, &lo, &hi, &open);
			if (end == NULL) {
				atom(f, 1);
				p++;
				break;
			}
			if (lo > *big)
				*big = lo;
			if (hi > *big)
				*big = hi;
			/* x{m,} is m copies and a star; x{m,n}, n copies, n - m of them optional.
			 */
			requantify(f,
			           open ? sat_add(sat_mul(f->last, lo + 1), 1)
			                : sat_add(sat_mul(f->last, hi), hi > lo ? 1 : 0),
			           nested);
			p = end;
			break;
		default:
			atom(f, 1);
			p++;
			break;
		}
	}
	/* Unclosed groups: regcomp reports them; count what they held. */
	unsigned long total = 0;
	for (size_t i = 0; i <= depth; i++)
		total = sat_add(total, fr[i].sum);
	return total;
}

unsigned long
np_config_re_elements(const char *pattern)
{
	unsigned long big;
	bool nested;
	if (strlen(pattern) > NP_RE_MAX_LEN)
		return HUGE_COUNT;
	return measure(pattern, &big, &nested);
}

int
np_config_re_cost(const char *pattern, char **why)
{
	size_t len = strlen(pattern);
	if (len > NP_RE_MAX_LEN) {
		*why =
		    np_xasprintf("is %zu bytes long; at most %d are allowed", len, NP_RE_MAX_LEN);
		return -1;
	}
	bool nested;
	unsigned long big, n = measure(pattern, &big, &nested);
	if (big > NP_RE_MAX_BOUND) {
		*why = np_xasprintf("repeats something %lu%s times; a repetition count may be at "
		                    "most %d",
		                    big, big >= HUGE_COUNT ? " or more" : "", NP_RE_MAX_BOUND);
		return -1;
	}
	if (n > NP_RE_MAX_ELEMENTS) {
		*why = np_xasprintf("is too costly to compile: written out, its repetitions come "
		                    "to %lu%s elements; at most %d are allowed (nest fewer or "
		                    "smaller {m,n})",
		                    n, n >= HUGE_COUNT ? " or more" : "", NP_RE_MAX_ELEMENTS);
		return -1;
	}
	if (nested) {
		*why = np_xasprintf("repeats something that already repeats (as in (a*)* or "
		                    "(a+){2,3}); such nesting can take regcomp minutes, write the "
		                    "pattern without it");
		return -1;
	}
	return 0;
}
