#ifndef NP_UTIL_ADDR_H
#define NP_UTIL_ADDR_H
/*
 * Numeric order of address text: IPv4 before IPv6 before anything else (by bytes, then, for
 * two spellings of one address or for non-addresses, by text). A total order; pure.
 */
int np_addr_cmp(const char *a, const char *b);

#endif
