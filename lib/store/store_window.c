/* Maintenance windows: transitions.maintenance and the maintenance table (store_window.h). */
#include "store/store_window.h"

#include "store/store_int.h"

int
np_store_maint_mark(struct np_store *st, int64_t transition_id, char **cause)
{
	sqlite3_stmt *s = np_store_stmt(st, NP_S_MAINT_MARK, cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, transition_id);
	return np_store_exec_stmt(st, s, cause, "marking a transition in a maintenance window");
}

int
np_store_maint_add(struct np_store *st, const char *device, const char *interface, int64_t a,
                   int64_t b, const char *window, char **cause)
{
	sqlite3_stmt *s = np_store_stmt(st, NP_S_MAINT_EXTEND, cause);
	if (s == NULL)
		return -1;
	np_store_bind_text(s, 1, device);
	np_store_bind_text(s, 2, interface);
	sqlite3_bind_int64(s, 3, a);
	sqlite3_bind_int64(s, 4, b);
	np_store_bind_text(s, 5, window);
	if (np_store_exec_stmt(st, s, cause, "recording maintenance time") == -1)
		return -1;
	if (sqlite3_changes(np_store_db(st)) > 0)
		return 0;
	s = np_store_stmt(st, NP_S_MAINT_ADD, cause);
	if (s == NULL)
		return -1;
	np_store_bind_text(s, 1, device);
	np_store_bind_text(s, 2, interface);
	sqlite3_bind_int64(s, 3, a);
	sqlite3_bind_int64(s, 4, b);
	np_store_bind_text(s, 5, window);
	return np_store_exec_stmt(st, s, cause, "recording maintenance time");
}

int
np_store_link_has_label(struct np_store *st, const char *device, const char *interface,
                        const char *name, const char *value, char **cause)
{
	sqlite3_stmt *s = np_store_stmt(st, NP_S_MAINT_LABEL, cause);
	if (s == NULL)
		return -1;
	np_store_bind_text(s, 1, device);
	np_store_bind_text(s, 2, interface);
	np_store_bind_text(s, 3, name);
	np_store_bind_text(s, 4, value);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return np_store_fail(st, rc, s, cause, "reading a link's labels");
	int has = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	return has;
}
