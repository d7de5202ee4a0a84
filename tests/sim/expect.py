#!/usr/bin/env python3
"""Expected per-network, per-group, per-day usage of a simulator scenario, straight from its
events (independent of the API and of netpulse): what the Meraki collector must store.

  expect.py --scenario F --groups JSON [--unmatched NAME|drop] [--day-tz UTC|ZONE|network]
            --from YYYY-MM-DD --to YYYY-MM-DD [--dtype mx|mr|ms|all]

Days are local dates of the zone (the network's timeZone with `network`), each [local midnight,
next local midnight) as UTC instants (23 or 25 h on DST days). A client belongs to the first
group (config order) whose subnets hold its IPv4 address, or whose vlan_ids hold its vlan, or
whose vlan_names name a VLAN of its network with the client's vlan id; else to --unmatched.
Bytes = kB x 1000 (sums exact for whole or half kB). Output: one JSON object a line,
{"network", "network_id", "organization", "group", "day", "start", "end", "rx_bytes",
"tx_bytes"}, rx = the clients' recv, tx = their sent; every selected network x group x day,
zero rows included.
"""

import argparse
import datetime
import ipaddress
import json
import zoneinfo

DTYPES = {"mx": ("MX", "Z"), "mr": ("MR",), "ms": ("MS",), "all": ("MR", "MS", "MX", "Z")}


def group_of(client, groups, vlans, unmatched):
    ip = None
    if client.get("ip"):
        try:
            ip = ipaddress.ip_address(client["ip"])
        except ValueError:
            ip = None
    vlan = None if client.get("vlan") is None else str(client["vlan"])
    for g in groups:
        if ip is not None and ip.version == 4 and any(ip in ipaddress.ip_network(s, strict=False)
                                                      for s in g.get("subnets", [])):
            return g["name"]
        if vlan is not None and vlan in {str(v) for v in g.get("vlan_ids", [])}:
            return g["name"]
        if vlan is not None and any(str(v["id"]) == vlan and v["name"] in g.get("vlan_names", [])
                                    for v in vlans or []):
            return g["name"]
    return unmatched


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--groups", required=True, help='JSON list of {name, subnets, vlan_ids, vlan_names}')
    ap.add_argument("--unmatched", default="unmatched")
    ap.add_argument("--day-tz", default="UTC")
    ap.add_argument("--from", dest="d0", required=True)
    ap.add_argument("--to", dest="d1", required=True)
    ap.add_argument("--dtype", default="mx", choices=sorted(DTYPES))
    a = ap.parse_args()
    doc = json.load(open(a.scenario))
    groups = json.loads(a.groups)
    names = [g["name"] for g in groups] + ([] if a.unmatched == "drop" else [a.unmatched])
    d0 = datetime.date.fromisoformat(a.d0)
    d1 = datetime.date.fromisoformat(a.d1)
    for org in doc["organizations"]:
        for net in org.get("networks", []):
            if not any((d.get("model") or "").upper().startswith(DTYPES[a.dtype]) for d in net.get("devices", [])):
                continue
            tz = zoneinfo.ZoneInfo(net.get("timeZone", "Etc/UTC") if a.day_tz == "network" else a.day_tz)
            day = d0
            while day <= d1:
                nxt = day + datetime.timedelta(days=1)
                start = int(datetime.datetime.combine(day, datetime.time(), tz).timestamp())
                end = int(datetime.datetime.combine(nxt, datetime.time(), tz).timestamp())
                sums = {n: [0.0, 0.0] for n in names}
                for c in net.get("clients", []):
                    g = group_of(c, groups, net.get("vlans"), a.unmatched)
                    if g == "drop":
                        continue
                    for ts, sent, recv in c.get("events", []):
                        if start <= ts < end:
                            sums[g][0] += sent
                            sums[g][1] += recv
                for n in names:
                    print(json.dumps({"network": net["name"], "network_id": net["id"], "organization": org["name"],
                                      "group": n, "day": day.isoformat(), "start": start, "end": end,
                                      "rx_bytes": round(sums[n][1] * 1000), "tx_bytes": round(sums[n][0] * 1000)}))
                day = nxt


if __name__ == "__main__":
    main()
