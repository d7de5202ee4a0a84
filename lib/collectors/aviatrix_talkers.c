#include "collectors/aviatrix_talkers.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "util/hmap.h"
#include "util/addr.h"
#include "util/xmalloc.h"

static int
top_cmp(const void *pa, const void *pb)
{
	const struct np_aviatrix_top *a = pa, *b = pb;
	if (a->bytes != b->bytes)
		return a->bytes > b->bytes ? -1 : 1;
	return np_addr_cmp(a->ip, b->ip);
}

size_t
np_aviatrix_top_merge(const struct np_aviatrix_talkers *const *lists, size_t nlists, size_t size,
                      struct np_aviatrix_top **out)
{
	size_t total = 0;
	for (size_t l = 0; l < nlists; l++)
		total += lists[l]->n;
	struct np_aviatrix_top *v = np_xcalloc(total ? total : 1, sizeof(*v));
	size_t n = 0;
	struct np_hmap *at = np_hmap_new(); /* key -> index + 1 in v */
	for (size_t l = 0; l < nlists; l++)
		for (size_t i = 0; i < lists[l]->n; i++) {
			const struct np_aviatrix_talker *t = &lists[l]->v[i];
			size_t kl = strlen(t->key);
			uintptr_t k = (uintptr_t)np_hmap_get(at, t->key, kl);
			if (k != 0) {
				uint64_t *b = &v[k - 1].bytes;
				*b = *b > UINT64_MAX - t->bytes ? UINT64_MAX : *b + t->bytes;
				continue;
			}
			v[n].ip = np_xstrdup(t->key);
			v[n].bytes = t->bytes;
			n++;
			np_hmap_put(at, t->key, kl, (void *)(uintptr_t)n);
		}
	np_hmap_free(at, NULL);
	if (n > 0) /* qsort(NULL, 0, ...) is undefined */
		qsort(v, n, sizeof(*v), top_cmp);
	for (size_t i = size; i < n; i++)
		free(v[i].ip);
	*out = v;
	return n < size ? n : size;
}

void
np_aviatrix_top_free(struct np_aviatrix_top *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].ip);
	free(v);
}
