#ifndef NP_COLLECTORS_AVIATRIX_TALKERS_H
#define NP_COLLECTORS_AVIATRIX_TALKERS_H
/*
 * Top talkers of one side (external destinations, or internal sources) from the field_agg
 * answers of both traffic directions: the bytes of equal addresses summed (saturating at
 * 2^64-1), ordered by bytes (largest first) then address, the first `size` kept. Pure.
 */
#include <stddef.h>
#include <stdint.h>

#include "collectors/aviatrix_parse.h"

struct np_aviatrix_top {
	char *ip;
	uint64_t bytes;
};

/* Merges the lists into *out (malloc'd, np_aviatrix_top_free); returns how many (<= size). */
size_t np_aviatrix_top_merge(const struct np_aviatrix_talkers *const *lists, size_t nlists,
                             size_t size, struct np_aviatrix_top **out);
void np_aviatrix_top_free(struct np_aviatrix_top *v, size_t n);

#endif
