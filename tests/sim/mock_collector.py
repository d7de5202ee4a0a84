#!/usr/bin/env python3
"""A stand-in for `netpulsed --once -c CONFIG` that makes the Meraki collector's calls
(/work/wt/MERAKI.md order: organizations, per org networks, devices, statuses, then per MX
network one clients call per UTC day boundary since the last run, at most 30 days back) and
prints per-network per-group per-day totals as JSON lines on stdout. It exists to exercise the
simulator and bench/bench_meraki.sh before the real collector is there, and as an independent
reading of the day arithmetic (since(B_i) - since(B_i+1)). It reads only `database:`,
`base_url:`, `ca_file:`, `api_key_env:` and the groups' `subnets:` from the YAML (regexes, no
YAML parser in the standard library); the last stored day end is kept in DATABASE.mock.
"""

import http.client
import ipaddress
import json
import os
import re
import ssl
import sys
import time
import urllib.parse

DAY = 86400


def conf_value(text, key):
    m = re.search(r"^\s*%s:\s*(\S+)" % key, text, re.M)
    return m.group(1) if m else None


class Api:
    def __init__(self, base, ca, key):
        self.base = urllib.parse.urlsplit(base)
        self.ctx = ssl.create_default_context(cafile=ca)
        self.key = key
        self.conns = {}
        self.next_at = {}

    def pace(self, bucket):
        # 10 requests/s per bucket, evenly spaced (no burst: simplest way never to see a 429)
        now = time.monotonic()
        t = max(now, self.next_at.get(bucket, now))
        if t > now:
            time.sleep(t - now)
        self.next_at[bucket] = t + 0.1

    def get(self, url, bucket):
        out = []
        while url:
            u = urllib.parse.urlsplit(url)
            self.pace(bucket)
            c = self.conns.get(u.netloc)
            if c is None:
                c = self.conns[u.netloc] = http.client.HTTPSConnection(u.hostname, u.port, context=self.ctx)
            c.request("GET", u.path + ("?" + u.query if u.query else ""),
                      headers={"Authorization": "Bearer " + self.key, "X-Cisco-Meraki-API-Key": self.key,
                               "Accept": "application/json"})
            r = c.getresponse()
            body = r.read()
            if r.status != 200:
                raise SystemExit("GET %s: %d %s" % (url, r.status, body[:200]))
            out.extend(json.loads(body))
            url = None
            for part in (r.getheader("Link") or "").split(","):
                m = re.match(r'\s*<([^>]*)>;\s*rel=next', part)
                if m:
                    url = m.group(1)
        return out

    def url(self, path):
        return "%s://%s%s%s" % (self.base.scheme, self.base.netloc, self.base.path, path)


def main():
    args = sys.argv[1:]
    cfg = args[args.index("-c") + 1]
    text = open(cfg).read()
    db = conf_value(text, "database")
    api = Api(conf_value(text, "base_url"), conf_value(text, "ca_file"), os.environ[conf_value(text, "api_key_env")])
    groups = [(m.group(1), [ipaddress.ip_network(s.strip()) for s in m.group(2).split(",")])
              for m in re.finditer(r"\{\s*name:\s*(\w+),\s*subnets:\s*\[([^\]]*)\]", text)]
    state = {}
    if os.path.exists(db + ".mock"):
        state = json.load(open(db + ".mock"))
    today0 = int(time.time()) // DAY * DAY
    for org in api.get(api.url("/organizations"), "key"):
        b = "org:" + org["id"]
        nets = api.get(api.url("/organizations/%s/networks?perPage=1000" % org["id"]), b)
        devs = api.get(api.url("/organizations/%s/devices?perPage=1000" % org["id"]), b)
        api.get(api.url("/organizations/%s/devices/statuses?perPage=1000" % org["id"]), b)
        mx = {d["networkId"] for d in devs if (d.get("model") or "").startswith(("MX", "Z"))}
        for n in nets:
            if n["id"] not in mx:
                continue
            first = max(state.get(n["id"], 0), today0 - 30 * DAY)
            if first >= today0:
                continue
            bounds = list(range(first, today0 + 1, DAY))
            since = []
            for t0 in bounds:
                per = {}
                for c in api.get(api.url("/networks/%s/clients?t0=%d&perPage=5000" % (n["id"], t0)), b):
                    g = "unmatched"
                    ip = ipaddress.ip_address(c["ip"]) if c.get("ip") else None
                    for name, nets_ in groups:
                        if ip is not None and any(ip in s for s in nets_ if s.version == ip.version):
                            g = name
                            break
                    s, r = per.get(g, (0.0, 0.0))
                    per[g] = (s + c["usage"]["sent"], r + c["usage"]["recv"])
                since.append(per)
            for i in range(len(bounds) - 1):
                for g in [name for name, _ in groups] + ["unmatched"]:
                    a, z = since[i].get(g, (0.0, 0.0)), since[i + 1].get(g, (0.0, 0.0))
                    print(json.dumps({"network": n["name"], "group": g, "day": bounds[i],
                                      "tx_bytes": round(max(0.0, a[0] - z[0]) * 1000),
                                      "rx_bytes": round(max(0.0, a[1] - z[1]) * 1000)}))
            state[n["id"]] = today0
    json.dump(state, open(db + ".mock", "w"))


if __name__ == "__main__":
    main()
