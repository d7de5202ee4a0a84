#ifndef NP_COLLECTORS_MERAKI_H
#define NP_COLLECTORS_MERAKI_H
/*
 * Collector `meraki`: Cisco Meraki Dashboard API v1 over the shared HTTP engine (MERAKI.md).
 * Per poll: organizations -> per organization networks, devices, device statuses -> per
 * selected network its VLANs (only when a group uses VLANs) and one clients call per missing
 * day boundary. Out: per network x group x complete day an interval amount (rx = what the
 * clients received, tx = what they sent, 1 kB = 1000 bytes), and per selected device its
 * online/offline state. Parsers: meraki_parse.c; selection and grouping: meraki_match.c; days:
 * meraki_days.c; config: meraki_conf.c.
 */
#include "collectors/collector.h"

extern const struct np_collector_ops np_meraki_ops;

#endif
