#!/usr/bin/env python3
"""What the Cato collector must store, and what `netpulse export cato-hourly|cato-summary`
must write, for a cato_sim.py scenario: computed from its records (and generator) alone.

  cato_expect.py --scenario F --now T hours        --from T --to T
  cato_expect.py --scenario F --now T hourly-csv   --from T --to T
  cato_expect.py --scenario F --now T summary-csv  --from T --to T
  cato_expect.py --scenario F --now T count        --from T --to T

--now: the simulated clock of the last poll (the running hour holds what it had then, like the
simulator's growing hour). Hours [from, to), WAN-bound records only; a null user is "".
hours: one JSON object a line {hour, application, user, upstream, downstream} (bytes), sorted
  by (hour, application, user); tx_bytes = upstream, rx_bytes = downstream.
hourly-csv: `hour,application,user_name,measure_type,bandwidth_mb` (CRLF, RFC 4180 quoting),
  hour in UTC `YYYY-MM-DD HH:MM:SS`, MB = bytes / 1e6 with 3 decimals, rows with bytes > 0,
  sorted by (hour, application, user, measure).
summary-csv: `application,<user>_mb...,total_mb` (users sorted), per application up + down in
  MB; rows by total bytes desc, then application; only applications and users with bytes.
count: the number of (hour, application, user) amounts.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cato_sim import Data, as_of  # noqa: E402  (the data model only)


def hours(doc, now, a, b):
    growing = doc.get("modes", {}).get("growing", True)
    data = Data(doc)
    out = {}
    for pair, gen in data.pairs():
        for h, (up, down) in data.hours(pair, gen, a, b, {"WANBOUND"}).items():
            up, down = as_of(up, h, now, growing), as_of(down, h, now, growing)
            if up is None:
                continue
            app, user = pair[0], pair[1] if pair[1] is not None else ""
            k = (h, app, user)
            o = out.get(k, (0, 0))
            out[k] = (o[0] + up, o[1] + down)
    return sorted((k + v for k, v in out.items()), key=lambda r: (r[0], r[1].encode(), r[2].encode()))


def csv_cell(s):
    if any(c in s for c in ',"\r\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


def mb(n):
    return "%.3f" % (n / 1e6)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--now", type=float, required=True)
    ap.add_argument("what", choices=("hours", "hourly-csv", "summary-csv", "count"))
    ap.add_argument("--from", dest="a", type=int, required=True)
    ap.add_argument("--to", dest="b", type=int, required=True)
    x = ap.parse_args()
    with open(x.scenario) as f:
        doc = json.load(f)
    if x.what == "count":  # without holding every row (the bench's millions)
        data, n = Data(doc), 0
        for pair, gen in data.pairs():
            n += sum(1 for h in data.hours(pair, gen, x.a, x.b, {"WANBOUND"}) if h <= x.now)
        print(n)
        return
    rows = hours(doc, x.now, x.a, x.b)
    out = sys.stdout
    if x.what == "hours":
        for h, app, user, up, down in rows:
            out.write(json.dumps({"hour": h, "application": app, "user": user, "upstream": up, "downstream": down},
                                 ensure_ascii=False) + "\n")
    elif x.what == "count":
        out.write("%d\n" % len(rows))
    elif x.what == "hourly-csv":
        lines = ["hour,application,user_name,measure_type,bandwidth_mb"]
        for h, app, user, up, down in rows:
            hs = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(h))
            for m, v in (("downstream", down), ("upstream", up)):
                if v > 0:
                    lines.append(",".join((hs, csv_cell(app), csv_cell(user), m, mb(v))))
        sys.stdout.buffer.write(("\r\n".join(lines) + "\r\n").encode())
    else:
        per = {}
        users = set()
        for h, app, user, up, down in rows:
            if up + down == 0:  # like the hourly rows the original pivoted: bytes > 0 only
                continue
            d = per.setdefault(app, {})
            d[user] = d.get(user, 0) + up + down
            users.add(user)
        users = sorted(users, key=lambda u: u.encode())
        lines = [",".join(["application"] + [csv_cell(u + "_mb") for u in users] + ["total_mb"])]
        apps = sorted(per, key=lambda a: (-sum(per[a].values()), a.encode()))
        for app in apps:
            d = per[app]
            lines.append(",".join([csv_cell(app)] + [mb(d.get(u, 0)) for u in users] + [mb(sum(d.values()))]))
        sys.stdout.buffer.write(("\r\n".join(lines) + "\r\n").encode())


if __name__ == "__main__":
    main()
