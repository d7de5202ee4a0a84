#include "collectors/collector.h"

#include <string.h>

#include "collectors/aviatrix.h"
#include "collectors/cato.h"
#include "collectors/local.h"
#include "collectors/meraki.h"
#include "collectors/stealthwatch.h"

/* Every collector type, looked up by the config's `type:` (OpenSMTPD table.c style). */
const struct np_collector_ops *const np_collectors[] = {
    &np_local_ops, &np_stealthwatch_ops, &np_meraki_ops, &np_aviatrix_ops, &np_cato_ops, NULL,
};

const struct np_collector_ops *
np_collector_lookup(const char *type)
{
	if (type == NULL)
		return NULL;
	for (size_t i = 0; np_collectors[i] != NULL; i++)
		if (strcmp(np_collectors[i]->type, type) == 0)
			return np_collectors[i];
	return NULL;
}
