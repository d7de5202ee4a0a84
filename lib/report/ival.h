#ifndef NP_REPORT_IVAL_H
#define NP_REPORT_IVAL_H
/*
 * Sets of half-open time intervals [a, b) in seconds, for downtime arithmetic: outages,
 * unobserved (stale) time and daemon runs are unioned, clipped and intersected so that an
 * overlap is never counted twice.
 */
#include <stddef.h>
#include <stdint.h>

struct np_ival {
	int64_t a, b;
};

struct np_ivset {
	struct np_ival *v;
	size_t n, cap;
};

/* Adds [a, b) (ignored when empty); the set stays unnormalized until np_ivset_norm. */
void np_ivset_add(struct np_ivset *s, int64_t a, int64_t b);
/* Sorts and merges overlapping or touching intervals. */
void np_ivset_norm(struct np_ivset *s);
/* Keeps only the parts inside [a, b). Normalized in, normalized out. */
void np_ivset_clip(struct np_ivset *s, int64_t a, int64_t b);
/* Sum of lengths (normalized set). */
int64_t np_ivset_total(const struct np_ivset *s);
/* Length of the intersection of two normalized sets. */
int64_t np_ivset_overlap(const struct np_ivset *x, const struct np_ivset *y);
/* out = [a, b) minus the normalized set s (out is reset first; result normalized). */
void np_ivset_complement(const struct np_ivset *s, int64_t a, int64_t b, struct np_ivset *out);
/* out = x union y (normalized). */
void np_ivset_union(const struct np_ivset *x, const struct np_ivset *y, struct np_ivset *out);
void np_ivset_free(struct np_ivset *s);

#endif
