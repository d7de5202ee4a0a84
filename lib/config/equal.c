/* np_source_cfg_equal: a reload keeps a source's state only if nothing it polls with changed. */
#include <stdbool.h>
#include <string.h>

#include "config/config.h"

static bool
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool
list_eq(char *const *a, size_t na, char *const *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!str_eq(a[i], b[i]))
			return false;
	return true;
}

static bool
state_eq(const struct np_state_cfg *a, const struct np_state_cfg *b)
{
	return a->down_after_ms == b->down_after_ms && a->up_after_ms == b->up_after_ms &&
	       a->stale_after_ms == b->stale_after_ms && a->stale_after_x == b->stale_after_x &&
	       a->flap_transitions == b->flap_transitions &&
	       a->flap_window_ms == b->flap_window_ms && a->alert_never_up == b->alert_never_up;
}

/* Every field but `line`: moving an entry within the file changes nothing it does. */
bool
np_source_cfg_equal(const struct np_source_cfg *a, const struct np_source_cfg *b)
{
	return str_eq(a->name, b->name) && str_eq(a->type, b->type) &&
	       a->interval_ms == b->interval_ms && a->timeout_ms == b->timeout_ms &&
	       state_eq(&a->state, &b->state) && a->max_rate == b->max_rate &&
	       a->max_gap_ms == b->max_gap_ms &&
	       list_eq(a->include, a->ninclude, b->include, b->ninclude) &&
	       list_eq(a->exclude, a->nexclude, b->exclude, b->nexclude) &&
	       str_eq(a->proc_path, b->proc_path) && str_eq(a->sys_path, b->sys_path) &&
	       a->netlink == b->netlink && str_eq(a->host, b->host) && a->port == b->port &&
	       str_eq(a->user, b->user) && str_eq(a->identity_file, b->identity_file) &&
	       a->use_agent == b->use_agent && str_eq(a->known_hosts, b->known_hosts) &&
	       str_eq(a->path, b->path) && str_eq(a->password, b->password) &&
	       a->max_file_size == b->max_file_size;
}
