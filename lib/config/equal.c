/* np_source_cfg_equal: a reload keeps a source's state only if nothing it polls with changed. */
#include <stdbool.h>
#include <string.h>

#include "collectors/collector.h"
#include "config/config.h"
#include "config/config_table.h"

static bool
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool
state_eq(const struct np_state_cfg *a, const struct np_state_cfg *b)
{
	return a->down_after_ms == b->down_after_ms && a->up_after_ms == b->up_after_ms &&
	       a->stale_after_ms == b->stale_after_ms && a->stale_after_x == b->stale_after_x &&
	       a->flap_transitions == b->flap_transitions &&
	       a->flap_window_ms == b->flap_window_ms && a->alert_never_up == b->alert_never_up;
}

/* Every field but `line`: moving an entry within the file changes nothing it does. The type's
 * own keys compare through its option table. */
bool
np_source_cfg_equal(const struct np_source_cfg *a, const struct np_source_cfg *b)
{
	if (!(str_eq(a->name, b->name) && str_eq(a->type, b->type) &&
	      a->interval_ms == b->interval_ms && a->timeout_ms == b->timeout_ms &&
	      state_eq(&a->state, &b->state) && a->max_rate == b->max_rate &&
	      a->max_gap_ms == b->max_gap_ms && str_eq(a->link_group, b->link_group) &&
	      a->type_ops == b->type_ops))
		return false;
	const struct np_collector_ops *ops = a->type_ops;
	if (ops == NULL || ops->options == NULL || a->conf == NULL || b->conf == NULL)
		return a->conf == b->conf;
	return np_config_table_equal(ops->options, a->conf, b->conf);
}
