#!/usr/bin/env python3
"""Aviatrix CoPilot API simulator for netpulse tests and benches (stdlib only).

Serves the CoPilot contract of tests/sim/CONTRACT.md ("The CoPilot API") over HTTPS on 127.0.0.1:
login with cookie sessions (expiry forced by time, by request count or by a control call),
four answers to an unauthenticated request, gateways, routes, the performance report with a
per-sample series computed from a scenario (rates, gateway reboots), and FlowIQ field_agg with
a parser of the Lucene-like query string. A control API under /_sim/ (no auth) sets the clock,
the faults, the modes and the scenario, and reports statistics. See tests/sim/README.md.
"""

import argparse
import bisect
import collections
import datetime
import ipaddress
import json
import math
import secrets
import sys
import threading
import time
import urllib.parse

import simhttp
from simhttp import ApiError, RawJson, num

STEP = 300  # the performance report's sample period (s), on the UTC grid
KINDS = ("login", "gateways", "routes", "performance", "field_agg", "other")
UNAUTH_MODES = ("401", "403", "302", "html")


# ---------------------------------------------------------------- counters ----

def rate_segments(spec, epoch):
    """[(from_ts, rate), ...] sorted, from a number or a list of [from_ts, rate]."""
    if isinstance(spec, (int, float)):
        return [(epoch, spec)]
    segs = sorted((float(a), b) for a, b in spec)
    if not segs or segs[0][0] > epoch:
        segs.insert(0, (epoch, 0))
    return segs


def integral(segs, a, b):
    """Bytes moved over [a, b) at the piecewise-constant rates (exact for whole numbers)."""
    if b <= a:
        return 0
    total = 0
    for i, (t0, r) in enumerate(segs):
        t1 = segs[i + 1][0] if i + 1 < len(segs) else math.inf
        lo, hi = max(a, t0), min(b, t1)
        if hi > lo:
            total += r * (hi - lo)
    return int(total) if float(total).is_integer() else total


class Counter:
    """One cumulative byte counter of an interface: base + bytes since the counter epoch,
    restarted from 0 at each reboot of its gateway."""

    __slots__ = ("segs", "base", "start", "reboots", "const")

    def __init__(self, spec, base, start, reboots):
        self.segs = rate_segments(spec, start)
        self.base = base
        self.start = start
        self.reboots = reboots
        self.const = len(self.segs) == 1 and self.segs[0][0] <= start

    def value(self, t):
        i = bisect.bisect_right(self.reboots, t)
        if i:
            r = max(self.reboots[i - 1], self.start)
            base = 0
        else:
            r = self.start
            base = self.base
        if self.const:
            return base + self.segs[0][1] * (t - r) if t > r else base
        return base + integral(self.segs, r, t)


class Interface:
    def __init__(self, name, d, epoch, reboots):
        self.name = name
        self.start = int(d.get("from", epoch))
        self.until = d.get("until")
        self.rx = Counter(d.get("rx", 0), int(d.get("base_rx", 0)), self.start, reboots)
        self.tx = Counter(d.get("tx", 0), int(d.get("base_tx", 0)), self.start, reboots)

    def grid(self, a, b):
        """Sample times on the UTC 300 s grid within [a, b] where the interface exists."""
        lo = max(a, self.start)
        if self.until is not None:
            b = min(b, self.until)
        t = -(-int(math.ceil(lo)) // STEP) * STEP
        out = []
        while t <= b:
            out.append(t)
            t += STEP
        return out


class Gateway:
    def __init__(self, d, epoch):
        self.raw = {k: v for k, v in d.items() if not k.startswith("_")}
        self.name = d.get("gw_name", "")
        self.reboots = sorted(int(r) for r in d.get("_reboots", []))
        self.ifaces = [Interface(n, v, epoch, self.reboots) for n, v in d.get("_interfaces", {}).items()]
        self.routes = d.get("_routes")  # None: missing from the routes answer
        self.perf = d.get("_perf")  # "empty": the performance answer is []
        self.gw_type = str(d.get("$gw_type", d.get("gw_type", ""))).lower()


def parse_iso_ms(s, what):
    """'YYYY-MM-DDTHH:MM:SS[.fff]Z' -> Unix ms (int)."""
    try:
        if not s.endswith("Z"):
            raise ValueError
        dt = datetime.datetime.strptime(s[:-1], "%Y-%m-%dT%H:%M:%S.%f" if "." in s else "%Y-%m-%dT%H:%M:%S")
    except (ValueError, AttributeError):
        raise ApiError(400, {"message": "invalid %s: %r" % (what, s)})
    dt = dt.replace(tzinfo=datetime.timezone.utc)
    return int(dt.timestamp()) * 1000 + dt.microsecond // 1000


# ------------------------------------------------------ FlowIQ query string ----

class QueryError(Exception):
    pass


ADDR_FIELDS = ("netflow.src_addr", "netflow.dst_addr")
STR_FIELDS = ("netflow.gw_name",)


def tokenize(q):
    """Tokens: ('(',), (')',), ('OP', 'AND'|'OR'|'NOT'), ('FIELD', name), ('STR', value),
    ('WORD', bare value)."""
    toks, i, n = [], 0, len(q)
    while i < n:
        c = q[i]
        if c.isspace():
            i += 1
        elif c in "()":
            toks.append((c,))
            i += 1
        elif c == '"':
            i += 1
            buf = []
            while True:
                if i >= n:
                    raise QueryError("unterminated quoted value")
                c = q[i]
                if c == "\\":
                    if i + 1 >= n:
                        raise QueryError("dangling escape")
                    buf.append(q[i + 1])
                    i += 2
                elif c == '"':
                    i += 1
                    break
                else:
                    buf.append(c)
                    i += 1
            toks.append(("STR", "".join(buf)))
        else:
            j = i
            while j < n and not q[j].isspace() and q[j] not in '()"':
                if q[j] == ":" :
                    break
                if q[j] == "\\" and j + 1 < n:
                    j += 2
                    continue
                j += 1
            word = q[i:j]
            if j < n and q[j] == ":":
                if not word:
                    raise QueryError("empty field name at %d" % i)
                toks.append(("FIELD", word))
                j += 1
            elif word in ("AND", "OR", "NOT"):
                toks.append(("OP", word))
            elif word in ("&&", "||"):
                toks.append(("OP", "AND" if word == "&&" else "OR"))
            else:
                if not word:
                    raise QueryError("unexpected character %r at %d" % (q[i], i))
                toks.append(("WORD", word.replace("\\", "")))
            i = j
    return toks


class Parser:
    """expr := and (OR and)* ; and := unary (AND unary)* ; unary := NOT unary | primary ;
    primary := '(' expr ')' | FIELD value ; value := STR | WORD | '(' vexpr ')' with
    vexpr := value-term ((OR|AND) value-term)*. A predicate is a function of a flow record."""

    def __init__(self, q):
        self.t = tokenize(q)
        self.i = 0

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else None

    def take(self):
        tok = self.peek()
        if tok is None:
            raise QueryError("unexpected end of query")
        self.i += 1
        return tok

    def parse(self):
        if not self.t:
            raise QueryError("empty query")
        e = self.expr()
        if self.peek() is not None:
            raise QueryError("unexpected %r" % (self.peek(),))
        return e

    def expr(self):
        terms = [self.conj()]
        while self.peek() == ("OP", "OR"):
            self.take()
            terms.append(self.conj())
        return terms[0] if len(terms) == 1 else (lambda r, ts=terms: any(f(r) for f in ts))

    def conj(self):
        terms = [self.unary()]
        while self.peek() == ("OP", "AND"):
            self.take()
            terms.append(self.unary())
        return terms[0] if len(terms) == 1 else (lambda r, ts=terms: all(f(r) for f in ts))

    def unary(self):
        if self.peek() == ("OP", "NOT"):
            self.take()
            inner = self.unary()
            return lambda r: not inner(r)
        return self.primary()

    def primary(self):
        tok = self.take()
        if tok == ("(",):
            e = self.expr()
            if self.take() != (")",):
                raise QueryError("missing )")
            return e
        if tok[0] == "FIELD":
            return self.values(tok[1])
        raise QueryError("expected a field or (, got %r" % (tok,))

    def values(self, field):
        tok = self.take()
        if tok[0] in ("STR", "WORD"):
            return matcher(field, tok[1])
        if tok == ("(",):
            terms, ops = [self.values_term(field)], []
            while self.peek() in (("OP", "OR"), ("OP", "AND")):
                ops.append(self.take()[1])
                terms.append(self.values_term(field))
            if self.take() != (")",):
                raise QueryError("missing ) after values of %s" % field)
            if "AND" in ops:
                if "OR" in ops:
                    raise QueryError("mixed AND/OR in a value list")
                return lambda r, ts=terms: all(f(r) for f in ts)
            return terms[0] if len(terms) == 1 else (lambda r, ts=terms: any(f(r) for f in ts))
        raise QueryError("expected a value for %s, got %r" % (field, tok))

    def values_term(self, field):
        if self.peek() == ("OP", "NOT"):
            self.take()
            inner = self.values_term(field)
            return lambda r: not inner(r)
        tok = self.take()
        if tok[0] not in ("STR", "WORD"):
            raise QueryError("expected a value for %s, got %r" % (field, tok))
        return matcher(field, tok[1])


def matcher(field, value):
    if field in ADDR_FIELDS:
        key = field.split(".")[1]
        try:
            if "/" in value:
                net = ipaddress.ip_network(value, strict=False)
                return lambda r: r[key] is not None and r[key].version == net.version and r[key] in net
            ip = ipaddress.ip_address(value)
        except ValueError:
            raise QueryError("invalid address %r for %s" % (value, field))
        return lambda r: r[key] == ip
    if field in STR_FIELDS:
        return lambda r: r["gw_name"] == value
    raise QueryError("unknown field %r" % field)


def parse_query(q):
    try:
        return Parser(q).parse()
    except QueryError as e:
        raise ApiError(400, {"message": "query_string: %s" % e, "query_string": q})


def load_flows(doc):
    """Flow records [ts, gw_name, src, dst, bytes] (or dicts) sorted by time."""
    out = []
    for f in doc.get("flows", []):
        if isinstance(f, dict):
            f = [f["ts"], f["gw_name"], f["src"], f["dst"], f["bytes"]]
        ts, gw, src, dst, b = f
        out.append((float(ts), {"gw_name": gw, "src_addr": ipaddress.ip_address(src),
                                "dst_addr": ipaddress.ip_address(dst), "src": src, "dst": dst,
                                "bytes": b}))
    out.sort(key=lambda x: x[0])
    return out


def field_agg(flows, pred, field, gte_ms, lte_ms, size):
    """[(key, bytes)] of the records in [gte, lte] (ms, both inclusive) matching pred, grouped
    by field (the address as written in the record), bytes descending then key, at most size."""
    key = "src" if field == "netflow.src_addr" else "dst"
    ts = [f[0] for f in flows]
    i = bisect.bisect_left(ts, gte_ms / 1000.0)
    sums = collections.OrderedDict()
    for t, r in flows[i:]:
        if t * 1000 > lte_ms:
            break
        if pred(r):
            sums[r[key]] = sums.get(r[key], 0) + r["bytes"]
    rows = sorted(sums.items(), key=lambda kv: (-kv[1], kv[0]))
    return rows[:size]


# ---------------------------------------------------------------- the sim ----

class Scenario:
    def __init__(self, doc):
        self.username = doc.get("username", "admin")
        self.password = doc.get("password", "secret")
        self.epoch = int(doc.get("epoch", 0))
        self.gateways = [Gateway(g, self.epoch) for g in doc.get("gateways", [])]
        self.by_name = {}
        for g in self.gateways:
            self.by_name.setdefault(g.name, g)
        self.flows = load_flows(doc)
        self.flow_lag = float(doc.get("flow_lag", 0))


class CopilotSim(simhttp.BaseSim):
    name = "copilot_sim"

    def __init__(self, doc, log=True):
        super().__init__(log)
        self.set_scenario(doc)
        self.reset_stats()

    def set_scenario(self, doc):
        sc = Scenario(doc)
        with self.lock:
            self.sc = sc
            self.sessions = {}
            if "now" in doc:
                self.now_override = doc["now"]
            m = doc.get("modes", {})
            self.modes = {
                "unauth": str(m.get("unauth", "401")),
                "samples": bool(m.get("samples", True)),
                "omit_min": bool(m.get("omit_min", False)),
                "reals": bool(m.get("reals", False)),
                "session_ttl": m.get("session_ttl"),
                "session_max_requests": m.get("session_max_requests"),
                "duplicate_keys": bool(m.get("duplicate_keys", False)),
            }
            self.set_faults(doc.get("faults", []))

    def reset_stats(self):
        self.stats = simhttp.new_stats(KINDS)
        self.stats.update({"logins": 0, "login_failures": 0, "unauth_answers": 0,
                           "perf_calls": [], "field_agg_calls": [], "max_parallel_perf": 0,
                           "sessions_expired": 0})
        self.in_flight = 0

    def stats_doc(self):
        with self.lock:
            s = dict(self.stats)
            s["requests"] = dict(s["requests"])
            s["by_status"] = dict(s["by_status"])
            s["faults_fired"] = [f["_fired"] for f in self.faults]
            s["now"] = self.now()
            s["modes"] = dict(self.modes)
            s["sessions"] = len(self.sessions)
            return s

    # ---- sessions ----

    def new_session(self):
        tok = secrets.token_hex(16)
        self.sessions[tok] = {"t": self.now(), "n": 0}
        return tok

    def session_ok(self, tok):
        """Is tok a live session? Counts the request against its budget. Lock held."""
        s = self.sessions.get(tok) if tok else None
        if s is None:
            return False
        ttl = self.modes["session_ttl"]
        mx = self.modes["session_max_requests"]
        if (ttl is not None and self.now() - s["t"] >= float(ttl)) or (mx is not None and s["n"] >= int(mx)):
            del self.sessions[tok]
            self.stats["sessions_expired"] += 1
            return False
        s["n"] += 1
        return True

    # ---- endpoints ----

    def gateways_json(self):
        return {"results": [g.raw for g in self.sc.gateways]}

    def routes_json(self):
        out = []
        for g in self.sc.gateways:
            if g.routes is not None:
                out.append({"gw_name": g.name, "route_table": g.routes})
        return out

    def performance(self, body):
        if not isinstance(body, list) or len(body) != 1 or not isinstance(body[0], dict):
            raise ApiError(400, {"message": "body must be an array of one report request"})
        req = body[0]
        name = req.get("gatewayName")
        if not isinstance(name, str):
            raise ApiError(400, {"message": "gatewayName missing"})
        start_ms = parse_iso_ms(req.get("start"), "start")
        end_ms = parse_iso_ms(req.get("end"), "end")
        if end_ms < start_ms:
            raise ApiError(400, {"message": "end before start"})
        metrics = req.get("interfaceMetrics") or []
        self.stats["perf_calls"].append({"gateway": name, "start": req.get("start"), "end": req.get("end"),
                                         "samples": req.get("samples"), "perInterfaceStats": req.get("perInterfaceStats")})
        g = self.sc.by_name.get(name)
        if g is None or g.perf == "empty":
            return RawJson("[]")
        reals = self.modes["reals"]
        now = self.now()
        a = start_ms / 1000.0
        b = min(end_ms / 1000.0, now)
        parts = []
        for itf in g.ifaces:
            grid = itf.grid(a, b)
            if not grid:
                continue
            ms = []
            for m in ("rx_bytes", "tx_bytes"):
                if m not in metrics:
                    continue
                c = itf.rx if m == "rx_bytes" else itf.tx
                vals = [c.value(t) for t in grid]
                fields = []
                if not self.modes["omit_min"]:
                    fields.append('"min":%s' % num(min(vals), reals))
                fields.append('"max":%s' % num(max(vals), reals))
                fields.append('"last":%s' % num(vals[-1], reals))
                if self.modes["samples"] and req.get("samples", True):
                    fields.append('"samples":[%s]' % ",".join(
                        "[%s,%s]" % (num(t * 1000, reals), num(v, reals)) for t, v in zip(grid, vals)))
                ms.append('"%s":{%s}' % (m, ",".join(fields)))
            parts.append("%s:{%s}" % (json.dumps(itf.name), ",".join(ms)))
        return RawJson('[{"gatewayName":%s,"interfaces":{%s}}]' % (json.dumps(name), ",".join(parts)))

    def field_agg(self, q):
        for k in ("field", "metric", "query_string", "date_range[gte]", "date_range[lte]"):
            if k not in q:
                raise ApiError(400, {"message": "missing parameter %s" % k})
        field = q["field"]
        if field not in ADDR_FIELDS:
            raise ApiError(400, {"message": "unsupported field %s" % field})
        if q["metric"] != "bytes":
            raise ApiError(400, {"message": "unsupported metric %s" % q["metric"]})
        try:
            size = int(q.get("size", "10"))
        except ValueError:
            raise ApiError(400, {"message": "size must be an integer"})
        if size < 1 or size > 10000:
            raise ApiError(400, {"message": "size must be 1..10000"})
        tz = q.get("date_range[time_zone]", "+00:00")
        gte = parse_iso_ms(q["date_range[gte]"], "date_range[gte]")
        lte = parse_iso_ms(q["date_range[lte]"], "date_range[lte]")
        pred = parse_query(q["query_string"])
        self.stats["field_agg_calls"].append({"field": field, "query_string": q["query_string"], "gte": q["date_range[gte]"],
                                              "lte": q["date_range[lte]"], "size": size, "time_zone": tz,
                                              "interval": q.get("interval")})
        visible = self.now() - self.sc.flow_lag
        lte = min(lte, int(visible * 1000))
        rows = field_agg(self.sc.flows, pred, field, gte, lte, size)
        reals = self.modes["reals"]
        items = []
        for k, v in rows:
            if self.modes["duplicate_keys"] and v >= 2:
                h = v // 2
                items.append('{"key":%s,"value":%s}' % (json.dumps(k), num(h, reals)))
                items.append('{"key":%s,"value":%s}' % (json.dumps(k), num(v - h, reals)))
            else:
                items.append('{"key":%s,"value":%s}' % (json.dumps(k), num(v, reals)))
        return RawJson('{"value":[%s]}' % ",".join(items[:size] if not self.modes["duplicate_keys"] else items))


def kind_of(method, path):
    if path == "/api/login":
        return "login"
    if path == "/api/gateways":
        return "gateways"
    if path == "/api/cloud-routes/routes/gateways":
        return "routes"
    if path == "/api/reports/report/performance":
        return "performance"
    if path == "/api/flowiq/field_agg":
        return "field_agg"
    return "other"


class Handler(simhttp.Handler):
    server_version = "CoPilotSim/1.0"

    def unauth(self, mode):
        sim = self.server.sim
        sim.stats["unauth_answers"] += 1
        if mode == "403":
            raise ApiError(403, {"message": "Forbidden: session invalid or expired"})
        if mode == "302":
            raise ApiError(302, "", {"Location": "/login"}, ctype="text/html")
        if mode == "html":
            raise ApiError(200, simhttp.HTML_LOGIN, ctype="text/html")
        raise ApiError(401, {"message": "Unauthorized"})

    def api(self):
        sim = self.server.sim
        split = urllib.parse.urlsplit(self.path)
        path = split.path
        kind = kind_of(self.command, path)
        raw = self.read_raw()
        with sim.lock:
            sim.stats["requests"][kind] += 1
            sim.stats["total"] += 1
            sc = sim.sc
            if kind == "login":
                if self.command != "POST":
                    raise ApiError(405, {"message": "method not allowed"})
                delay, f = sim.fault_actions(self.path)
            else:
                cookie = None
                for part in (self.headers.get("Cookie") or "").split(";"):
                    k, _, v = part.strip().partition("=")
                    if k == "copilot_session":
                        cookie = v
                if not sim.session_ok(cookie):
                    self.unauth(sim.modes["unauth"])
                delay, f = sim.fault_actions(self.path)
        if delay:
            time.sleep(delay)
        if f is not None:
            self.fault(f)
        if kind == "login":
            try:
                body = json.loads(raw or b"null")
            except ValueError:
                body = None
            with sim.lock:
                if (not isinstance(body, dict) or body.get("username") != sc.username
                        or body.get("password") != sc.password):
                    sim.stats["login_failures"] += 1
                    raise ApiError(401, {"message": "invalid credentials"})
                sim.stats["logins"] += 1
                tok = sim.new_session()
            return self.send_body(200, {"status": "ok"},
                                  {"Set-Cookie": "copilot_session=%s; Path=/; HttpOnly; Secure" % tok})
        if kind == "gateways" and self.command == "GET":
            with sim.lock:
                out = sim.gateways_json()
            return self.send_body(200, out)
        if kind == "routes" and self.command == "GET":
            with sim.lock:
                out = sim.routes_json()
            return self.send_body(200, out)
        if kind == "performance" and self.command == "POST":
            try:
                body = json.loads(raw or b"null")
            except ValueError:
                raise ApiError(400, {"message": "invalid JSON body"})
            with sim.lock:
                sim.in_flight += 1
                sim.stats["max_parallel_perf"] = max(sim.stats["max_parallel_perf"], sim.in_flight)
                pdelay = sim.modes.get("perf_delay") or 0
            try:
                if pdelay:
                    time.sleep(float(pdelay))
                with sim.lock:
                    out = sim.performance(body)
            finally:
                with sim.lock:
                    sim.in_flight -= 1
            return self.send_body(200, out)
        if kind == "field_agg" and self.command == "GET":
            q = dict(urllib.parse.parse_qsl(split.query, keep_blank_values=True))
            with sim.lock:
                out = sim.field_agg(q)
            return self.send_body(200, out)
        raise ApiError(404, {"message": "Not found"})

    def fault(self, f):
        if "unauth" in f:
            with self.server.sim.lock:
                self.unauth(str(f["unauth"]))
        if "expire" in f:  # the session dies: this request and later ones are unauthenticated
            sim = self.server.sim
            with sim.lock:
                sim.sessions.clear()
                self.unauth(sim.modes["unauth"])
        st = int(f["status"])
        hdr = {"Retry-After": str(f["retry_after"])} if "retry_after" in f else {}
        if f.get("html"):
            raise ApiError(st, simhttp.html_error(st), hdr, ctype="text/html")
        raise ApiError(st, {"message": f.get("message", "Simulated error %d" % st)}, hdr)

    def control(self, path, body):
        sim = self.server.sim
        if path == "/_sim/expire":  # every session ends now
            with sim.lock:
                n = len(sim.sessions)
                sim.sessions.clear()
                sim.stats["sessions_expired"] += n
            return {"expired": n}
        if path == "/_sim/modes":
            with sim.lock:
                for k, v in (body or {}).items():
                    if k not in sim.modes and k != "perf_delay":
                        raise ApiError(400, {"message": "unknown mode %s" % k})
                    if k == "unauth" and str(v) not in UNAUTH_MODES:
                        raise ApiError(400, {"message": "unauth must be one of %s" % (UNAUTH_MODES,)})
                    sim.modes[k] = str(v) if k == "unauth" else v
                return dict(sim.modes)
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
        sim = CopilotSim(json.load(f), log=not a.quiet)
    simhttp.serve_forever(sim, Handler, a.cert, a.key, a.port, a.port_file)


if __name__ == "__main__":
    main()
