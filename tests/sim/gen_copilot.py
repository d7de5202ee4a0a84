#!/usr/bin/env python3
"""A CoPilot simulator scenario for the bench: N spoke gateways x M tunnels (plus eth0), constant
byte rates per interface, counters since a day before --end, one gateway in ten rebooted at noon.
  gen_copilot.py --gateways 200 --tunnels 20 --end UNIX [-o FILE]
"""
import argparse
import json

ap = argparse.ArgumentParser()
ap.add_argument("--gateways", type=int, default=200)
ap.add_argument("--tunnels", type=int, default=20)
ap.add_argument("--end", type=int, required=True)
ap.add_argument("-o", default="-")
a = ap.parse_args()
start = a.end - 86400 - 3600
gws = []
for g in range(a.gateways):
    ifs = {"eth0": {"rx": 100000 + g, "tx": 80000 + g, "base_rx": 10 ** 12 + g, "base_tx": 10 ** 11}}
    for t in range(a.tunnels):
        ifs["tun-%02d" % t] = {"rx": 1000 + t, "tx": 900 + t}
    gw = {"gw_name": "spoke-%03d" % g, "$gw_type": "spoke", "account_name": "acct-%d" % (g % 5),
          "vpc_id": "vpc-%05d~~vpc%d" % (g, g), "vpc_name": "vpc%d" % g, "vpc_region": "region-%d" % (g % 4),
          "vendor_name": "AWS", "transit_gw_name": "transit-%d" % (g % 2), "group_name": "", "state": "up",
          "_interfaces": ifs,
          "_routes": [{"dev": "tun-%02d" % t, "dest": "10.%d.%d.0/24" % (g % 250, t), "status": "up"} for t in range(a.tunnels)]}
    if g % 10 == 0:
        gw["_reboots"] = [a.end - 43200 + 17]
    gws.append(gw)
doc = {"username": "admin", "password": "bench", "now": a.end, "epoch": start, "gateways": gws}
out = open(a.o, "w") if a.o != "-" else __import__("sys").stdout
json.dump(doc, out)
