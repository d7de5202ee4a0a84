#!/usr/bin/env python3
"""Deterministic Meraki simulator scenario (see tests/sim/README.md for the format).

Per network: an MX (or Z3), an MR and an MS; VLANs 10 Corp 10.N.0.0/16, 20 Guest
192.168.N.0/24... (every 10th network has none: the VLAN call answers 400); clients spread
over Corp 10.N.x.y (vlan "10"), Guest 192.168.x.y (vlan "20"), IoT 172.16.x.y (vlan "30"),
other 100.64.x.y (vlan null) and IP-less (ip null, vlan null). Each client is active on about
a third of the days, one event a day at a random second, usage in whole or half kB so every
sum is exact in a double.
"""

import argparse
import json
import random
import sys
import time

DAY = 86400


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orgs", type=int, default=1)
    ap.add_argument("--networks", type=int, default=50, help="per organization")
    ap.add_argument("--clients", type=int, default=5000, help="per network")
    ap.add_argument("--days", type=int, default=31, help="days of events before --end")
    ap.add_argument("--end", type=int, default=None,
                    help="Unix time the events end at (default: the next UTC midnight)")
    ap.add_argument("--active", type=float, default=0.35, help="chance a client is active on a day")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--api-key", default="sim-key-0123456789abcdef")
    ap.add_argument("-o", "--output", default="-")
    a = ap.parse_args()
    end = a.end if a.end is not None else (int(time.time()) // DAY + 1) * DAY
    start = end - a.days * DAY
    rnd = random.Random(a.seed)
    orgs = []
    cid = 0
    for o in range(a.orgs):
        oid = str(500001 + o)
        nets = []
        for n in range(a.networks):
            nn = o * a.networks + n
            net_id = "L_%018d" % (100000000000000001 + nn)
            models = ("Z3" if nn % 7 == 6 else "MX68", "MR46", "MS120-8")
            statuses = ("online", "online", "online", "alerting", "offline", "dormant")
            devices = []
            for k, model in enumerate(models):
                serial = "Q%03X-%04X-%04X" % (o, nn, k)
                devices.append({
                    "serial": serial,
                    "name": None if (nn + k) % 11 == 5 else "net%d-%s" % (nn, model.lower()),
                    "model": model,
                    "mac": "02:00:%02x:%02x:%02x:%02x" % (o, nn >> 8, nn & 255, k),
                    "tags": ["stats"] if k == 0 and nn % 2 == 0 else [],
                    "status": statuses[(nn + k) % len(statuses)] if k else
                    ("offline" if nn % 13 == 12 else "online"),
                })
            vlans = None
            if nn % 10 != 9:
                vlans = [
                    {"id": "10", "name": "Corp", "subnet": "10.%d.0.0/16" % (nn % 256),
                     "applianceIp": "10.%d.0.1" % (nn % 256)},
                    {"id": "20", "name": "Guest", "subnet": "192.168.0.0/16", "applianceIp": "192.168.0.1"},
                    {"id": "30", "name": "IoT", "subnet": "172.16.0.0/12", "applianceIp": "172.16.0.1"},
                ]
            clients = []
            for c in range(a.clients):
                r = rnd.random()
                h = c + 2
                if r < 0.5:
                    ip, vlan = "10.%d.%d.%d" % (nn % 256, h >> 8, h & 255), "10"
                elif r < 0.75:
                    ip, vlan = "192.168.%d.%d" % (h >> 8, h & 255), "20"
                elif r < 0.9:
                    ip, vlan = "172.16.%d.%d" % (h >> 8, h & 255), "30"
                elif r < 0.95:
                    ip, vlan = "100.64.%d.%d" % (h >> 8, h & 255), None
                else:
                    ip, vlan = None, None
                events = []
                for d in range(a.days):
                    if rnd.random() < a.active:
                        events.append([start + d * DAY + rnd.randrange(DAY),
                                       rnd.randrange(0, 200000) / 2, rnd.randrange(0, 2000000) / 2])
                cid += 1
                clients.append({"id": "k%06x" % cid, "mac": "0a:%02x:%02x:%02x:%02x:%02x" % (
                    o, nn & 255, (c >> 16) & 255, (c >> 8) & 255, c & 255), "ip": ip, "vlan": vlan,
                    "events": events})
            nets.append({"id": net_id, "name": "Net %03d" % nn, "timeZone": "Etc/UTC",
                         "tags": ["branch"] if nn % 2 else ["hq", "emea"], "vlans": vlans,
                         "devices": devices, "clients": clients})
        orgs.append({"id": oid, "name": "Org %d" % (o + 1), "networks": nets})
    doc = {"api_key": a.api_key, "rate_limit": {"rate": 10, "burst": 10}, "organizations": orgs}
    out = sys.stdout if a.output == "-" else open(a.output, "w")
    json.dump(doc, out, separators=(",", ":"))
    out.write("\n")
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
