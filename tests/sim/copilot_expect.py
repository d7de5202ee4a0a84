#!/usr/bin/env python3
"""What the Aviatrix collector and `netpulse egress` / `netpulse top` must give for a
copilot_sim.py scenario, computed from the scenario alone (counter model and flow records; not
through the API and not through netpulse).

  copilot_expect.py --scenario F deltas  --from T --to T [--per SECONDS]
  copilot_expect.py --scenario F egress  --from T --to T [--group-by K[,K]] [--per SECONDS]
  copilot_expect.py --scenario F top     --from T --to T [--interval 3600] [--size 100]
                                          [--direction dst|src] [--top 10]

T: Unix seconds (on the 300 s grid for deltas/egress, on the interval grid for top).

deltas: per spoke gateway, interface (eth0, tun-*) and bucket [b, b+per) (default: the whole
  period), rx/tx = the sum over consecutive samples (t, t+300) with b <= t and t+300 <= b+per of
  what a counter engine counts: v2 - v1, or v2 when the counter went down (a reboot: counted
  from zero). One JSON object a line {gateway, interface, start, end, rx_bytes, tx_bytes}.
egress: per group and bucket, the formula of lib/report/egress.h per gateway (internal = Σ tun, egress =
  max(0, eth0 − Σ tun rx+tx), floored when clamped), summed over the group's gateways; prints
  {"rows": [...], "total": {...}} like `netpulse egress --format json` (without "period").
top: per interval of the period, the four FlowIQ calls (size 3 × size each: OUT and IN, spokes
  only; internal = 10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7), each side's two lists
  summed per address and cut to `size` (bytes desc, then address); then summed over the
  intervals, sorted by bytes desc then address (IPv4 before IPv6, numeric), first --top rows:
  {"direction": D, "rows": [{"ip", "bytes"}]}.
"""

import argparse
import ipaddress
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from copilot_sim import STEP, Scenario  # noqa: E402  (the counter model only)

LABELS = {"gateway": "gw_name", "account": "account_name", "vpc": "vpc_name", "vpc_id": "vpc_id",
          "region": "vpc_region", "cloud": "vendor_name", "transit": "transit_gw_name",
          "group": "group_name"}
INTERNAL = [ipaddress.ip_network(n) for n in
            ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")]


def spokes(sc):
    return [g for g in sc.gateways if g.gw_type == "spoke"]


def engine_delta(v1, v2):
    return v2 - v1 if v2 >= v1 else v2


def iface_bucket(itf, a, b):
    """(rx, tx) counted for the sample pairs inside [a, b)."""
    grid = itf.grid(a, b)
    rx = tx = 0
    for t1, t2 in zip(grid, grid[1:]):
        if t2 > b:
            break
        rx += engine_delta(itf.rx.value(t1), itf.rx.value(t2))
        tx += engine_delta(itf.tx.value(t1), itf.tx.value(t2))
    return rx, tx


def buckets(a, b, per):
    if not per:
        return [(a, b)]
    out, t = [], a - a % per
    while t < b:
        out.append((max(t, a), min(t + per, b)))
        t += per
    return out


def deltas(sc, a, b, per):
    for g in spokes(sc):
        for itf in g.ifaces:
            if itf.name != "eth0" and not itf.name.startswith("tun-"):
                continue
            for s, e in buckets(a, b, per):
                rx, tx = iface_bucket(itf, s, e)
                yield {"gateway": g.name, "interface": itf.name, "start": s, "end": e, "rx_bytes": rx, "tx_bytes": tx}


def gateway_egress(g, s, e):
    eth = [i for i in g.ifaces if i.name == "eth0"]
    e_rx, e_tx = iface_bucket(eth[0], s, e) if eth else (0, 0)
    t_rx = t_tx = 0
    for i in g.ifaces:
        if i.name.startswith("tun-"):
            rx, tx = iface_bucket(i, s, e)
            t_rx += rx
            t_tx += tx
    tun = t_rx + t_tx
    return {"internal_rx": t_rx, "internal_tx": t_tx, "egress_rx": max(0, e_rx - tun),
            "egress_tx": max(0, e_tx - tun), "egress_floored": e_rx < tun or e_tx < tun}


def egress(sc, a, b, keys, per):
    rows, tot = [], {"gateways": 0, "internal_rx": 0, "internal_tx": 0, "egress_rx": 0, "egress_tx": 0,
                     "egress_floored": False}
    for s, e in buckets(a, b, per):
        groups = {}
        for g in spokes(sc):
            if not any(i.name == "eth0" for i in g.ifaces):
                continue
            key = tuple(str(g.raw.get(LABELS[k], "") or "") for k in keys)
            r = groups.setdefault(key, {"gateways": 0, "internal_rx": 0, "internal_tx": 0, "egress_rx": 0,
                                        "egress_tx": 0, "egress_floored": False})
            x = gateway_egress(g, s, e)
            r["gateways"] += 1
            for k in ("internal_rx", "internal_tx", "egress_rx", "egress_tx"):
                r[k] += x[k]
            r["egress_floored"] = r["egress_floored"] or x["egress_floored"]
        for key in sorted(groups):
            r = groups[key]
            row = {"group": dict(zip(keys, key))}
            if per:
                row["start"], row["end"] = s, e
            row.update(r)
            row["total"] = r["internal_rx"] + r["internal_tx"] + r["egress_rx"] + r["egress_tx"]
            rows.append(row)
            for k in ("internal_rx", "internal_tx", "egress_rx", "egress_tx"):
                tot[k] += r[k]
            tot["egress_floored"] = tot["egress_floored"] or r["egress_floored"]
        tot["gateways"] = max(tot["gateways"], sum(r["gateways"] for r in groups.values()))
    tot["total"] = tot["internal_rx"] + tot["internal_tx"] + tot["egress_rx"] + tot["egress_tx"]
    return {"rows": rows, "total": tot}


def internal(ip):
    return any(ip.version == n.version and ip in n for n in INTERNAL)


def top_list(recs, pick, size):
    sums = {}
    for r in recs:
        k = pick(r)
        sums[k] = sums.get(k, 0) + r["bytes"]
    return sorted(sums.items(), key=lambda kv: (-kv[1], kv[0]))[:size]


def addr_key(ip):
    a = ipaddress.ip_address(ip)
    return (a.version, int(a))


def top(sc, a, b, interval, size, direction, n):
    names = {g.name for g in spokes(sc)}
    total = {}
    t = a
    while t < b:
        recs = [r for ts, r in sc.flows if t <= ts < t + interval and r["gw_name"] in names]
        out = [r for r in recs if internal(r["src_addr"]) and not internal(r["dst_addr"])]
        inn = [r for r in recs if not internal(r["src_addr"]) and internal(r["dst_addr"])]
        if direction == "dst":
            lists = [top_list(out, lambda r: r["dst"], 3 * size), top_list(inn, lambda r: r["src"], 3 * size)]
        else:
            lists = [top_list(out, lambda r: r["src"], 3 * size), top_list(inn, lambda r: r["dst"], 3 * size)]
        merged = {}
        for lst in lists:
            for k, v in lst:
                merged[k] = merged.get(k, 0) + v
        for k, v in sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))[:size]:
            total[k] = total.get(k, 0) + v
        t += interval
    rows = sorted(total.items(), key=lambda kv: (-kv[1], addr_key(kv[0])))[:n]
    return {"direction": direction, "rows": [{"ip": k, "bytes": v} for k, v in rows]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", required=True)
    ap.add_argument("what", choices=("deltas", "egress", "top"))
    ap.add_argument("--from", dest="a", type=int, required=True)
    ap.add_argument("--to", dest="b", type=int, required=True)
    ap.add_argument("--per", type=int, default=0)
    ap.add_argument("--now", type=int, help="the last sample time there is (default: none after --to)")
    ap.add_argument("--group-by", default="gateway")
    ap.add_argument("--interval", type=int, default=3600)
    ap.add_argument("--size", type=int, default=100)
    ap.add_argument("--direction", default="dst", choices=("dst", "src"))
    ap.add_argument("--top", type=int, default=10)
    x = ap.parse_args()
    with open(x.scenario) as f:
        sc = Scenario(json.load(f))
    if x.a % STEP or x.b % STEP:
        sys.exit("--from/--to must be on the %d s grid" % STEP)
    if x.now is not None:
        for g in sc.gateways:
            for i in g.ifaces:
                i.until = x.now if i.until is None else min(i.until, x.now)
    if x.what == "deltas":
        for r in deltas(sc, x.a, x.b, x.per):
            print(json.dumps(r))
    elif x.what == "egress":
        print(json.dumps(egress(sc, x.a, x.b, x.group_by.split(","), x.per)))
    else:
        print(json.dumps(top(sc, x.a, x.b, x.interval, x.size, x.direction, x.top)))


if __name__ == "__main__":
    main()
