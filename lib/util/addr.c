/* The order of addresses in reports (util/addr.h). */
#include "util/addr.h"

#include <arpa/inet.h>
#include <string.h>

/* 4 for IPv4, 6 for IPv6, 0 for neither; the address in a. */
static int
addr(const char *s, unsigned char a[16])
{
	if (inet_pton(AF_INET, s, a) == 1)
		return 4;
	if (inet_pton(AF_INET6, s, a) == 1)
		return 6;
	return 0;
}

int
np_addr_cmp(const char *x, const char *y)
{
	unsigned char a[16], b[16];
	int fa = addr(x, a), fb = addr(y, b);
	int ra = fa == 4 ? 0 : fa == 6 ? 1 : 2, rb = fb == 4 ? 0 : fb == 6 ? 1 : 2;
	if (ra != rb)
		return ra < rb ? -1 : 1;
	int c = ra == 2 ? strcmp(x, y) : memcmp(a, b, ra == 0 ? 4 : 16);
	/* Two spellings of one IPv6 address: keep the order total. */
	return c != 0 ? c : strcmp(x, y);
}
