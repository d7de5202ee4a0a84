/* The `local` type's own configuration keys (DESIGN §2: a type owns its option table). */
#include <stddef.h>

#include "collectors/local.h"
#include "config/config_table.h"

#define LC(f) offsetof(struct np_local_conf, f)

const struct np_config_opt np_local_options[] = {
    {.name = "include",
     .type = NP_CFG_REGEXES,
     .off = LC(include),
     .off2 = LC(ninclude),
     .def_doc = "(all)",
     .help = "interfaces to watch: POSIX extended regexes, any match"},
    {.name = "exclude",
     .type = NP_CFG_REGEXES,
     .off = LC(exclude),
     .off2 = LC(nexclude),
     .def_doc = "(none)",
     .help = "interfaces to skip, after include"},
    {.name = "alert_on_delete",
     .type = NP_CFG_REGEXES,
     .off = LC(alert_on_delete),
     .off2 = LC(nalert_on_delete),
     .def_doc = "(none)",
     .help = "watched interfaces whose deletion sends IFDOWN (\"deleted\"); others become "
             "removed quietly"},
    {.name = "netlink",
     .type = NP_CFG_BOOL,
     .off = LC(netlink),
     .def = "true",
     .help = "read netlink; false forces the /proc and /sys readers"},
    {.name = "proc_path",
     .type = NP_CFG_PATH,
     .off = LC(proc_path),
     .def = "/proc/self/net/dev",
     .help = "counters file of the fallback reader"},
    {.name = "sys_path",
     .type = NP_CFG_PATH,
     .off = LC(sys_path),
     .def = "/sys/class/net",
     .help = "oper state directory of the fallback reader"},
    {.name = NULL},
};
