#!/usr/bin/env python3
"""Cato Networks GraphQL API simulator (appStatsTimeSeries) for netpulse tests and benches
(stdlib only).

Serves the Cato contract of tests/sim/CONTRACT.md over HTTPS on 127.0.0.1 (any path, POST):
x-api-key checked (a bad key answered as 401, 403 or 200 + errors), utc.{…--…} time frames
(and the factored and last.* forms), buckets, perSecond (divided by the granularity when true or
absent), withMissingData (-1 or 0), the traffic_direction filter, aliased key names, labels,
both rate-limit forms over an 80/min quota, gzip, a Trace_id header, and a current hour whose
value grows with the simulated clock. Control API under /_sim/ like the other simulators.
See tests/sim/README.md.
"""

import argparse
import collections
import datetime
import json
import math
import re
import secrets
import time

import simhttp
from simhttp import ApiError, num

HOUR = 3600
OPERATION = "appStatsTimeSeries"


def mix(x):
    """splitmix64 finaliser: a deterministic 64-bit hash of an integer."""
    x = (x + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return x ^ (x >> 31)


class Data:
    """Hourly (upstream, downstream) bytes per (application, user): explicit records and/or a
    deterministic generator. hours(pair, a, b) -> {hour_start: (up, down)} for [a, b)."""

    def __init__(self, doc):
        self.rec = collections.defaultdict(dict)  # (app, user) -> {hour: (up, down, direction)}
        for r in doc.get("records", []):
            app, user, h, up, down = r[:5]
            d = r[5] if len(r) > 5 else "WANBOUND"
            h = int(h)
            if h % HOUR:
                raise SystemExit("cato_sim: record hour %d is not on the hour" % h)
            old = self.rec[(app, user)].get(h)
            if old and old[2] == d:
                up, down = up + old[0], down + old[1]
            self.rec[(app, user)][h] = (up, down, d)
        self.gen = doc.get("generate")
        self.gen_pairs = []
        if self.gen:
            g = self.gen
            users, apps, k = int(g["users"]), int(g["apps"]), int(g["apps_per_user"])
            self.g_end = int(g["end"])
            self.g_start = self.g_end - int(g["days"]) * 86400
            self.g_seed = int(g.get("seed", 1))
            self.g_active = int(float(g.get("active", 0.25)) * 1000)
            self.g_users = ["user%04d" % u for u in range(users)]
            self.g_apps = ["app%03d" % a for a in range(apps)]
            for u in range(users):
                for j in range(k):
                    self.gen_pairs.append((u, (u * 7 + j * 13) % apps))

    def gen_value(self, u, a, h):
        x = mix(self.g_seed * 1000003 + u * 7919 + a * 104729 + (h // HOUR) * 15485863)
        if x % 1000 >= self.g_active:
            return None
        return ((x >> 10) % 5000000, (x >> 33) % 50000000)

    def pairs(self):
        for p in self.rec:
            yield p, None
        for u, a in self.gen_pairs:
            yield (self.g_apps[a], self.g_users[u]), (u, a)

    def hours(self, pair, gen, a, b, directions):
        if gen is None:
            return {h: v[:2] for h, v in self.rec[pair].items() if a <= h < b and (directions is None or v[2] in directions)}
        if directions is not None and "WANBOUND" not in directions:
            return {}
        out = {}
        u, ap = gen
        for h in range(max(a, self.g_start) // HOUR * HOUR, min(b, self.g_end), HOUR):
            v = self.gen_value(u, ap, h)
            if v is not None:
                out[h] = v
        return out


def as_of(full, h, now, growing):
    """The hour [h, h+1h)'s value as the API knows it at now (None: not yet)."""
    if now < h:
        return None
    if now >= h + HOUR or not growing:
        return full
    return full * int(now - h) // HOUR


TF_RE = re.compile(r"^utc\.([^{}]*)\{([^{}]*)--([^{}]*)\}$")
TS_FMT = "%Y-%m-%d/%H:%M:%S"


def parse_timeframe(tf, now):
    """(from, to) Unix seconds of a TimeFrame: utc.PREFIX{A--B} or last.PnDTnHnM."""
    m = TF_RE.match(tf or "")
    if m:
        try:
            a = datetime.datetime.strptime(m.group(1) + m.group(2), TS_FMT)
            b = datetime.datetime.strptime(m.group(1) + m.group(3), TS_FMT)
        except ValueError:
            raise ValueError("bad timeFrame %r" % tf)
        a = int(a.replace(tzinfo=datetime.timezone.utc).timestamp())
        b = int(b.replace(tzinfo=datetime.timezone.utc).timestamp())
        return a, b
    m = re.match(r"^last\.P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$", tf or "")
    if m and any(m.groups()):
        d, h, mi, s = (int(x or 0) for x in m.groups())
        span = d * 86400 + h * 3600 + mi * 60 + s
        return int(now) - span, int(now)
    raise ValueError("bad timeFrame %r" % tf)


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def gql_error(msg, data=None):
    return {"errors": [{"message": msg, "path": [OPERATION]}], "data": data}


class CatoSim(simhttp.BaseSim):
    name = "cato_sim"

    def __init__(self, doc, log=True):
        super().__init__(log)
        self.set_scenario(doc)
        self.reset_stats()

    def set_scenario(self, doc):
        data = Data(doc)
        with self.lock:
            self.data = data
            self.api_key = doc["api_key"]
            self.account_id = str(doc.get("account_id", "12345"))
            if "now" in doc:
                self.now_override = doc["now"]
            m = doc.get("modes", {})
            self.modes = {
                "bad_key": str(m.get("bad_key", "401")),        # 401 | 403 | 200
                "rate_limit": str(m.get("rate_limit", "body")),  # body | 429 (over the quota)
                "quota_per_min": m.get("quota_per_min", 80),
                "retry_after": m.get("retry_after"),  # the N of the answers (default: until a slot frees)
                "aliases": bool(m.get("aliases", False)),
                "labels_only": bool(m.get("labels_only", False)),
                "reals": bool(m.get("reals", False)),
                "granularity": m.get("granularity"),  # forced bucket size (s); None: from buckets
                "ts": str(m.get("ts", "start")),  # start | end of the bucket
                "growing": bool(m.get("growing", True)),
            }
            self.window = collections.deque()  # monotonic times of the admitted calls
            self.set_faults(doc.get("faults", []))

    def reset_stats(self):
        self.stats = simhttp.new_stats(("graphql", "other"))
        self.stats.update({"calls": [], "answered": 0, "rate_limited_body": 0, "rate_limited_429": 0,
                           "bad_key": 0, "max_calls_per_min": 0, "series_sent": 0, "points_sent": 0,
                           "graphql_errors": 0})
        self.all_calls = collections.deque()

    def stats_doc(self):
        with self.lock:
            s = dict(self.stats)
            s["requests"] = dict(s["requests"])
            s["by_status"] = dict(s["by_status"])
            s["faults_fired"] = [f["_fired"] for f in self.faults]
            s["now"] = self.now()
            s["modes"] = dict(self.modes)
            return s

    def quota_wait(self, t):
        """0 if a call at monotonic t fits the per-minute quota (and takes its slot), else the
        whole seconds until one frees. Lock held."""
        q = self.window
        while q and q[0] <= t - 60:
            q.popleft()
        quota = self.modes["quota_per_min"]
        if quota is not None and len(q) >= int(quota):
            return max(1, math.ceil(q[0] + 60 - t))
        q.append(t)
        a = self.all_calls
        a.append(t)
        while a and a[0] <= t - 60:
            a.popleft()
        self.stats["max_calls_per_min"] = max(self.stats["max_calls_per_min"], len(a))
        return 0

    def bad_key(self, form):
        self.stats["bad_key"] += 1
        if form == "200":
            raise ApiError(200, gql_error("Authentication failed: invalid API key (unauthorized)"))
        if form == "403":
            raise ApiError(403, {"errors": [{"message": "Forbidden"}]})
        raise ApiError(401, {"errors": [{"message": "Unauthorized: invalid API key"}]})

    def rate_limited(self, form, n):
        if form == "429":
            self.stats["rate_limited_429"] += 1
            raise ApiError(429, {"errors": [{"message": "Too Many Requests"}]}, {"Retry-After": str(n)})
        self.stats["rate_limited_body"] += 1
        raise ApiError(200, gql_error("rate limit for operation: %s. Try again in %d seconds" % (OPERATION, n),
                                      {OPERATION: None}))

    # ---- the query ----

    def answer(self, req):
        """The JSON text of an appStatsTimeSeries answer. Lock held."""
        if not isinstance(req, dict) or not isinstance(req.get("query"), str):
            raise ApiError(400, {"errors": [{"message": "body must be {query, variables, operationName}"}]})
        if OPERATION not in req["query"] or req.get("operationName", OPERATION) != OPERATION:
            raise ApiError(200, gql_error("unsupported operation %r" % req.get("operationName")))
        v = req.get("variables") or {}
        if str(v.get("accountID")) != self.account_id:
            raise ApiError(200, gql_error("account %s not found or access denied" % v.get("accountID"),
                                          {OPERATION: None}))
        now = self.now()
        try:
            a, b = parse_timeframe(v.get("timeFrame"), now)
        except ValueError as e:
            raise ApiError(200, gql_error(str(e)))
        buckets = v.get("buckets")
        if not isinstance(buckets, int) or buckets < 1 or b <= a:
            raise ApiError(200, gql_error("buckets must be a positive integer and the time frame not empty"))
        g = self.modes["granularity"] or (b - a) // buckets
        if g <= 0 or g % HOUR or (b - a) % g:
            raise ApiError(200, gql_error("unsupported granularity %s for %d buckets over %d s" % (g, buckets, b - a)))
        dims = [d.get("fieldName") for d in v.get("dimension") or []]
        if sorted(dims) != ["application_name", "user_name"]:
            raise ApiError(200, gql_error("dimensions must be application_name and user_name, got %r" % dims))
        measures = [(m.get("aggType"), m.get("fieldName")) for m in v.get("measure") or []]
        for agg, field in measures:
            if agg != "sum" or field not in ("upstream", "downstream", "traffic"):
                raise ApiError(200, gql_error("unsupported measure %s(%s)" % (agg, field)))
        directions = None
        for f in v.get("appStatsFilter") or []:
            if f.get("fieldName") == "traffic_direction":
                if f.get("operator") not in ("is", "in"):
                    raise ApiError(200, gql_error("unsupported operator %r" % f.get("operator")))
                directions = set(f.get("values") or [])
        per_second = v.get("perSecond", True) is not False
        missing = -1 if v.get("withMissingData") is True else 0
        self.stats["calls"].append({"timeFrame": v.get("timeFrame"), "buckets": buckets, "perSecond": v.get("perSecond"),
                                    "withMissingData": v.get("withMissingData"),
                                    "filter": sorted(directions) if directions is not None else None})
        reals = self.modes["reals"]
        growing = self.modes["growing"]
        al = self.modes["aliases"]
        kname, dname, uname = ("keyTimeseries", "dimensionsTimeseries", "unitsTimeseries") if al else ("key", "dimensions", "units")
        starts = list(range(a, b, g))
        out = []
        nser = npts = 0
        for pair, gen in self.data.pairs():
            hours = self.data.hours(pair, gen, a, b, directions)
            if not hours:
                continue
            vals = {}  # bucket start -> [up, down]
            for h, (up, down) in hours.items():
                up, down = as_of(up, h, now, growing), as_of(down, h, now, growing)
                if up is None:
                    continue
                bs = a + (h - a) // g * g
                acc = vals.setdefault(bs, [0, 0])
                acc[0] += up
                acc[1] += down
            if not vals:
                continue
            app, user = pair
            dvals = {"application_name": app, "user_name": user}
            for agg, field in measures:
                pts, total = [], 0
                for s in starts:
                    ts = s if self.modes["ts"] == "start" else s + g
                    x = vals.get(s)
                    if x is None:
                        y = missing
                    else:
                        y = x[0] if field == "upstream" else x[1] if field == "downstream" else x[0] + x[1]
                        if per_second:
                            y = y / g
                        total += y
                    pts.append("[%s,%s]" % (num(ts * 1000, reals), num(y, reals)))
                label = "%s(%s) for %s" % (agg, field, ", ".join("%s='%s'" % (d, "" if dvals[d] is None else dvals[d]) for d in dims))
                parts = ['"label":%s' % json.dumps(label, ensure_ascii=False), '"%s":"bytes"' % uname,
                         '"sum":%s' % num(total, reals), '"info":[]']
                if not self.modes["labels_only"]:
                    parts.append('"%s":{"measureFieldName":"%s","dimensions":[%s]}' % (kname, field, ",".join(
                        '{"fieldName":"%s","value":%s}' % (d, json.dumps(dvals[d], ensure_ascii=False)) for d in dims)))
                    parts.append('"%s":[%s]' % (dname, ",".join(
                        '{"label":"%s","value":%s}' % (d, json.dumps(dvals[d], ensure_ascii=False)) for d in dims)))
                parts.append('"data":[%s]' % ",".join(pts))
                out.append("{%s}" % ",".join(parts))
                nser += 1
                npts += len(pts)
        self.stats["series_sent"] += nser
        self.stats["points_sent"] += npts
        self.stats["answered"] += 1
        return '{"data":{"%s":{"from":"%s","to":"%s","granularity":%d,"id":"%s","timeseries":[%s]}}}' % (
            OPERATION, iso(a), iso(b), g, secrets.token_hex(6), ",".join(out))


class Handler(simhttp.Handler):
    server_version = "CatoSim/1.0"

    def extra_headers(self):
        return {"Trace_id": secrets.token_hex(16)}

    def api(self):
        sim = self.server.sim
        raw = self.read_raw()
        with sim.lock:
            sim.stats["total"] += 1
            if self.command != "POST":
                sim.stats["requests"]["other"] += 1
                raise ApiError(405, {"errors": [{"message": "POST only"}]})
            sim.stats["requests"]["graphql"] += 1
            key = self.headers.get("x-api-key")
            if key != sim.api_key:
                sim.bad_key(sim.modes["bad_key"])
            try:
                req = json.loads(raw or b"null")
            except ValueError:
                raise ApiError(400, {"errors": [{"message": "invalid JSON"}]})
            delay, f = sim.fault_actions(raw.decode("utf-8", "replace"))
        if delay:
            time.sleep(delay)
        with sim.lock:
            if f is not None:
                if "bad_key" in f:
                    sim.bad_key(str(f["bad_key"]))
                if "rate_limit" in f:
                    sim.rate_limited(str(f["rate_limit"]), int(f.get("retry_after", 1)))
                if "graphql_error" in f:
                    sim.stats["graphql_errors"] += 1
                    raise ApiError(200, gql_error(str(f["graphql_error"]), {OPERATION: None}))
                if "status" in f:
                    st = int(f["status"])
                    hdr = {"Retry-After": str(f["retry_after"])} if "retry_after" in f else {}
                    if f.get("html"):
                        raise ApiError(st, simhttp.html_error(st), hdr, ctype="text/html")
                    raise ApiError(st, {"errors": [{"message": f.get("message", "Simulated error %d" % st)}]}, hdr)
            wait = sim.quota_wait(time.monotonic())
            if wait:
                ra = sim.modes["retry_after"]
                sim.rate_limited(sim.modes["rate_limit"], int(ra) if ra is not None else wait)
            body = sim.answer(req)
        self.send_body(200, body)

    def control(self, path, body):
        sim = self.server.sim
        if path == "/_sim/modes":
            with sim.lock:
                for k, v in (body or {}).items():
                    if k not in sim.modes:
                        raise ApiError(400, {"message": "unknown mode %s" % k})
                    sim.modes[k] = v
                if "quota_per_min" in (body or {}):
                    sim.window.clear()
                return dict(sim.modes)
        if path == "/_sim/records":  # add records [[app, user, hour, up, down(, direction)], ...]
            with sim.lock:
                extra = Data({"records": body.get("records", [])})
                for p, hs in extra.rec.items():
                    sim.data.rec[p].update(hs)
            return {"records": len(body.get("records", []))}
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--quiet", action="store_true", help="no per-request log lines")
    a = ap.parse_args()
    with open(a.scenario) as f:
        sim = CatoSim(json.load(f), log=not a.quiet)
    simhttp.serve_forever(sim, Handler, a.cert, a.key, a.port, a.port_file)


if __name__ == "__main__":
    main()
