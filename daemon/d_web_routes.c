/* What the daemon's HTTP listener serves (d_web.h). */
#include "d_web.h"

const struct np_web_route d_web_routes[] = {
    {"/metrics", d_metrics_handle},    {"/", d_page_handle},
    {"/api/status", d_api_status},     {"/api/events", d_api_events},
    {"/api/downtime", d_api_downtime}, {NULL, NULL},
};
