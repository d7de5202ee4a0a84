#ifndef NP_CONFIG_CONFIG_TABLE_H
#define NP_CONFIG_CONFIG_TABLE_H
/*
 * The configuration grammar as data (tmux options-table.c style): every key of every section
 * with its type, range, choices, default and help. The walker (walk.c) validates and fills
 * structs from these tables, np_config_help() prints them, and nothing else lists key names.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

enum np_config_otype {
	NP_CFG_STRING,     /* char *, non-empty */
	NP_CFG_PATH,       /* char *, non-empty (shown as "path") */
	NP_CFG_TOKEN,      /* char *, printable ASCII without spaces, at most max bytes */
	NP_CFG_NAME,       /* char *, letters, digits and . _ - : @, at most max bytes */
	NP_CFG_ENVNAME,    /* char *, an environment variable name */
	NP_CFG_SECRET,     /* char *, never quoted back in a message */
	NP_CFG_DURATION,   /* int64_t ms in [min, max] */
	NP_CFG_RETENTION,  /* int64_t ms in [min, max], or "forever" = -1 */
	NP_CFG_DURATION_X, /* int64_t ms at off, or "<n>x" a multiple of the interval: double at
	                      off2 */
	NP_CFG_INT,        /* int in [min, max] */
	NP_CFG_UINT32,     /* uint32_t in [min, max] */
	NP_CFG_NUMBER,     /* double >= min */
	NP_CFG_BOOL,       /* bool */
	NP_CFG_ENUM,       /* int: the value of one of choices */
	NP_CFG_CHOICE,     /* char *: one of choices' names */
	NP_CFG_LOG,        /* enum np_log_target at off, char *file at off2 */
	NP_CFG_SERVER,     /* struct np_alert_cfg at off: server, proto, host, port */
	NP_CFG_REGEXES,    /* char ** at off, size_t count at off2: a list of POSIX EREs */
	NP_CFG_STRINGS, /* char ** at off, size_t count at off2: a list of strings (max = most) */
	NP_CFG_MAPLIST, /* a list of mappings described by sub: an array of structs of `max`
	                   bytes each at off (void *), size_t count at off2 */
	NP_CFG_SECTION, /* a mapping described by sub; its fields are at base + off */
	NP_CFG_LIST,    /* a list of mappings described by sub (walked by config.c) */
};

/* Fill from the enclosing scope (e.g. a source's `state` starts as the global one). */
#define NP_CFG_F_INHERIT 0x1
/* Only in the top-level section: refused (and not listed) where its section is inherited. */
#define NP_CFG_F_GLOBAL 0x2

/*
 * On an NP_CFG_SECRET key K: K itself is refused in clear (a secret never sits in the file);
 * K_file (read a file, e.g. a systemd credential; a world-readable one draws a warning) or
 * K_env (an environment variable) give the value, resolved into the char * at off.
 */
#define NP_CFG_F_SECRET_FORMS 0x4
/* On a string: an IANA time zone name, loaded (from the system's zoneinfo) to be accepted. */
#define NP_CFG_F_ZONE 0x8
/*
 * On a path: a file the daemon reads at run time (a key, a CA bundle). The loader records it
 * with its position in np_config.files; np_config_check_host (hostcheck.h) checks it.
 */
#define NP_CFG_F_READ 0x10
/* On a path: the database, whose directory must exist and be writable (np_config_check_host). */
#define NP_CFG_F_DATABASE 0x20

/* Entry types of lists as bits (1u << the type's index), so an option can be valid for several. */
#define NP_CFG_ALL 0xffffffffu
#define NP_CFG_ALERT_SYSLOG 0x1u
#define NP_CFG_ALERT_WEBHOOK 0x2u
#define NP_CFG_ALERT_EMAIL 0x4u
#define NP_CFG_ALERT_JOURNALD 0x8u
#define NP_CFG_ALERT_STDERR 0x10u

struct np_config_choice {
	const char *name;
	int value; /* the enum value; for entry types their index */
};

struct np_config_opt {
	const char *name; /* NULL ends a table */
	enum np_config_otype type;
	size_t off;  /* the field, from the section's base */
	size_t off2; /* second field (see the type) */
	int64_t min, max;
	const struct np_config_choice *choices; /* ENUM, CHOICE; NULL-terminated */
	const struct np_config_opt *sub;        /* SECTION, LIST */
	const char *def;                        /* default, parsed as a value; NULL = none */
	const char *def_doc;                    /* shown by help when def is NULL */
	unsigned types;                         /* entry types where the key is valid; 0 = all */
	unsigned required;                      /* entry types where it is required */
	unsigned flags;
	const char *help;
};

/*
 * Frees what a walk of opts allocated in base (strings, lists, list entries; secrets are wiped),
 * leaving the pointers NULL. Not base itself.
 */
void np_config_table_free(const struct np_config_opt *opts, void *base);
/* True when every field described by opts is equal in a and b (a reload keeps such). */
bool np_config_table_equal(const struct np_config_opt *opts, const void *a, const void *b);

/* The top-level table and the discriminators of the two lists. */
extern const struct np_config_opt np_config_top[];
extern const struct np_config_opt np_config_source_opts[];
extern const struct np_config_opt np_config_alert_opts[];
/* `http:` (config_http.c). */
extern const struct np_config_opt np_config_http_opts[];
/* `alerts:` as a mapping (its `sinks:` list is walked with np_config_alert_opts). */
extern const struct np_config_opt np_config_alerting_opts[];
/* The `maintenance` and `links` entries of np_config_top alone (to free them). */
extern const struct np_config_opt np_config_maint_top[];
extern const struct np_config_choice np_config_alert_types[];

/* A choice by name, or NULL. */
const struct np_config_choice *np_config_choice_find(const struct np_config_choice *c,
                                                     const char *name);
/* The entry types (e.g. "local, stealthwatch") as text; malloc'd. */
char *np_config_choice_list(const struct np_config_choice *c);

/*
 * The wrapper a source's common keys are parsed into: the public struct plus what is resolved
 * after the walk (a max_gap given as a multiple). The type's own keys go to s.conf.
 */
struct np_config_source_build {
	struct np_source_cfg s;
	double max_gap_x;
};

#endif
