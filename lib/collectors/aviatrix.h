#ifndef NP_COLLECTORS_AVIATRIX_H
#define NP_COLLECTORS_AVIATRIX_H
/*
 * The aviatrix source (`type: aviatrix`): spoke gateways of an Aviatrix CoPilot, their eth0 and
 * tun-* byte counters per sample, gateway and tunnel link state, and FlowIQ top talkers as
 * interval amounts. The CoPilot API it reads is the contract in tests/sim/CONTRACT.md ("The CoPilot
 * API").
 */
#include "collectors/collector.h"

extern const struct np_collector_ops np_aviatrix_ops;

#endif
