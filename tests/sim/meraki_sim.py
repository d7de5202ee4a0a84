#!/usr/bin/env python3
"""Meraki Dashboard API v1 simulator for netpulse tests and benches (stdlib only).

Serves the calls the netpulse Meraki collector makes (see tests/sim/README.md) over HTTPS on
127.0.0.1, plus a second listener on 127.0.0.2 (same port) that answers the one-time redirect
URLs without auth, like a pre-signed URL on another host. A control API under /_sim/ (no auth)
sets the simulated clock, the faults and the scenario and reports statistics.
"""

import argparse
import array
import bisect
import collections
import datetime
import gc
import gzip
import json
import math
import os
import re
import secrets
import socket
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API = "/api/v1"
MAX_LOOKBACK_S = 31 * 86400
# perPage bounds and defaults of each paginated call (Meraki API v1 reference).
PAGING = {
    "organizations": (3, 9000, 9000),
    "org_networks": (3, 100000, 1000),
    "org_devices": (3, 1000, 1000),
    "org_device_statuses": (3, 1000, 1000),
    "network_clients": (3, 5000, 10),
}
LAST_SENTINEL = "zzzzzzzzzzzzzzzzzzzz"  # endingBefore of rel=last: after every id


class ApiError(Exception):
    def __init__(self, status, message, headers=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def product_type(model):
    m = (model or "").upper()
    if m.startswith("MX") or m.startswith("Z"):
        return "appliance"
    if m.startswith("MR"):
        return "wireless"
    if m.startswith("MS"):
        return "switch"
    if m.startswith("MV"):
        return "camera"
    return "sensor"


def iso(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


class RawJson(str):
    """An answer body already serialised."""


class Client:
    """One client of a network; events folded into prefix sums for O(log n) window sums."""

    __slots__ = ("id", "mac", "ip", "vlan", "extra", "ts", "sent", "recv", "json_head")

    def __init__(self, c):
        self.id = str(c["id"])
        self.mac = c.get("mac") or "02:00:00:00:00:00"
        self.ip = c.get("ip")
        self.vlan = c.get("vlan")
        self.extra = {k: v for k, v in c.items() if k not in ("id", "mac", "ip", "vlan", "events")} or None
        self.json_head = None
        self.set_events(c.get("events") or [])

    def set_events(self, events):
        events = sorted((int(e[0]), float(e[1]), float(e[2])) for e in events)
        self.ts = array.array("q", (e[0] for e in events))
        self.sent = array.array("d", [0.0])
        self.recv = array.array("d", [0.0])
        s = r = 0.0
        for e in events:
            s += e[1]
            r += e[2]
            self.sent.append(s)
            self.recv.append(r)

    def events(self):
        return [[self.ts[i], self.sent[i + 1] - self.sent[i], self.recv[i + 1] - self.recv[i]] for i in range(len(self.ts))]

    def window(self, t0, now):
        """(sent, recv, first_ts, last_ts) of the events with t0 <= ts < now, None if none."""
        i = bisect.bisect_left(self.ts, t0)
        j = bisect.bisect_left(self.ts, now)
        if i >= j:
            return None
        return (self.sent[j] - self.sent[i], self.recv[j] - self.recv[i], self.ts[i], self.ts[j - 1])


class Scenario:
    def __init__(self, doc):
        self.api_key = doc["api_key"]
        self.rate = float(doc.get("rate_limit", {}).get("rate", 10))
        self.burst = float(doc.get("rate_limit", {}).get("burst", 10))
        self.orgs = []
        self.org_by_id = {}
        self.net_by_id = {}
        self.dev_by_serial = {}
        for o in doc.get("organizations", []):
            org = {"id": str(o["id"]), "name": o["name"], "networks": [], "devices": []}
            for n in o.get("networks", []):
                net = {
                    "id": str(n["id"]),
                    "org": org,
                    "name": n["name"],
                    "timeZone": n.get("timeZone", "Etc/UTC"),
                    "tags": list(n.get("tags", [])),
                    "productTypes": n.get("productTypes"),
                    "vlans": n.get("vlans"),
                    "devices": [],
                }
                clients = [Client(c) for c in n.get("clients", [])]
                clients.sort(key=lambda c: c.id)
                net["clients"] = clients
                net["client_ids"] = [c.id for c in clients]
                net["client_by_id"] = {c.id: c for c in clients}
                for d in n.get("devices", []):
                    dev = dict(d)
                    dev["networkId"] = net["id"]
                    dev.setdefault("productType", product_type(d.get("model")))
                    net["devices"].append(dev)
                    org["devices"].append(dev)
                    self.dev_by_serial[dev["serial"]] = (dev, org)
                if net["productTypes"] is None:
                    net["productTypes"] = sorted({d["productType"] for d in net["devices"]})
                org["networks"].append(net)
                self.net_by_id[net["id"]] = net
            org["networks"].sort(key=lambda n: n["id"])
            org["devices"].sort(key=lambda d: d["serial"])
            self.orgs.append(org)
            self.org_by_id[org["id"]] = org
        self.orgs.sort(key=lambda o: o["id"])


class Bucket:
    """Token bucket: `burst` tokens at first sight, refilled at `rate` per second."""

    def __init__(self, rate, burst, now):
        self.rate, self.burst, self.tokens, self.t = rate, burst, burst, now

    def take(self, now):
        self.tokens = min(self.burst, self.tokens + (now - self.t) * self.rate)
        self.t = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0
        return max(1, math.ceil((1.0 - self.tokens) / self.rate))


class Sim:
    def __init__(self, scenario_doc, log=True):
        self.lock = threading.Lock()
        self.log = log
        self.port = 0
        self.now_override = None
        self.set_scenario(scenario_doc)
        self.reset_stats()

    def set_scenario(self, doc):
        sc = Scenario(doc)
        with self.lock:
            self.sc = sc
            self.buckets = {}
            self.tokens = {}
            if "now" in doc:
                self.now_override = doc["now"]
            self.set_faults(doc.get("faults", []))

    def set_faults(self, faults):
        compiled = []
        for f in faults:
            f = dict(f)
            f["_re"] = re.compile(f["path"])
            f["_seen"] = 0
            f["_fired"] = 0
            compiled.append(f)
        self.faults = compiled

    def reset_stats(self):
        self.stats = {
            "requests": collections.Counter(),
            "by_status": collections.Counter(),
            "total": 0,
            "status_429": 0,
            "auth_on_redirect_host": 0,
            "redirects_issued": 0,
            "redirects_followed": 0,
            "gzip_responses": 0,
            "clients_calls": [],
        }
        self.arrivals = collections.defaultdict(collections.deque)
        self.max_rps = collections.Counter()

    def now(self):
        n = self.now_override
        return float(n) if n is not None else time.time()

    def stats_doc(self):
        with self.lock:
            s = dict(self.stats)
            s["requests"] = dict(s["requests"])
            s["by_status"] = {str(k): v for k, v in s["by_status"].items()}
            s["max_rps_per_org"] = dict(self.max_rps)
            s["max_rps"] = max(self.max_rps.values(), default=0)
            s["faults_fired"] = [f["_fired"] for f in self.faults]
            s["now"] = self.now()
            return s

    # ---- API ----

    def rate_key(self, parts, key):
        """The organization a path belongs to (org-less or unknown: the API key)."""
        sc = self.sc
        if len(parts) >= 2 and parts[0] == "organizations" and parts[1] in sc.org_by_id:
            return "org:" + parts[1]
        if len(parts) >= 2 and parts[0] == "networks" and parts[1] in sc.net_by_id:
            return "org:" + sc.net_by_id[parts[1]]["org"]["id"]
        if len(parts) >= 2 and parts[0] == "devices" and parts[1] in sc.dev_by_serial:
            return "org:" + sc.dev_by_serial[parts[1]][1]["id"]
        return "key:" + key[:4]

    def note_arrival(self, rkey, now):
        q = self.arrivals[rkey]
        q.append(now)
        while q and q[0] <= now - 1.0:
            q.popleft()
        name = rkey[4:] if rkey.startswith("org:") else "(no org)"
        if len(q) > self.max_rps[name]:
            self.max_rps[name] = len(q)

    @staticmethod
    def kind(parts):
        p = parts
        if p == ["organizations"]:
            return "organizations"
        if len(p) == 3 and p[0] == "organizations" and p[2] == "networks":
            return "org_networks"
        if len(p) == 3 and p[0] == "organizations" and p[2] == "devices":
            return "org_devices"
        if len(p) == 4 and p[0] == "organizations" and p[2:] == ["devices", "statuses"]:
            return "org_device_statuses"
        if len(p) == 4 and p[0] == "networks" and p[2:] == ["appliance", "vlans"]:
            return "network_vlans"
        if len(p) == 3 and p[0] == "networks" and p[2] == "clients":
            return "network_clients"
        return "other"

    def route(self, kind, parts, q, base):
        """(status, body, headers) for an authorised, admitted API request."""
        sc = self.sc
        if kind == "organizations":
            items = [self.org_json(o, base) for o in sc.orgs]
            return self.paginate(kind, items, "id", q, base, "/organizations")
        if kind in ("org_networks", "org_devices", "org_device_statuses"):
            org = sc.org_by_id.get(parts[1])
            if org is None:
                raise ApiError(404, "Not found")
            path = "/" + "/".join(parts)
            if kind == "org_networks":
                items = [self.net_json(n) for n in org["networks"]]
                return self.paginate(kind, items, "id", q, base, path)
            if kind == "org_devices":
                items = [self.dev_json(d) for d in org["devices"]]
            else:
                items = [self.status_json(d) for d in org["devices"]]
            return self.paginate(kind, items, "serial", q, base, path)
        if kind == "network_vlans":
            net = sc.net_by_id.get(parts[1])
            if net is None:
                raise ApiError(404, "Not found")
            if not net["vlans"]:
                raise ApiError(400, "VLANs are not enabled for this network")
            out = []
            for v in net["vlans"]:
                d = {"id": str(v["id"]), "interfaceId": v.get("interfaceId", "1%012d" % int(v["id"])),
                     "name": v["name"], "subnet": v["subnet"], "applianceIp": v.get("applianceIp")}
                d["networkId"] = net["id"]
                out.append(d)
            return 200, out, {}
        if kind == "network_clients":
            net = sc.net_by_id.get(parts[1])
            if net is None:
                raise ApiError(404, "Not found")
            return self.clients(net, q, base, "/" + "/".join(parts))
        raise ApiError(404, "Not found")

    @staticmethod
    def org_json(o, base):
        return {"id": o["id"], "name": o["name"],
                "url": "https://n1.meraki.com/o/%s/manage/organization/overview" % o["id"],
                "api": {"enabled": True}, "licensing": {"model": "co-term"},
                "cloud": {"region": {"name": "North America", "host": {"name": "United States"}}},
                "management": {"details": []}}

    @staticmethod
    def net_json(n):
        return {"id": n["id"], "organizationId": n["org"]["id"], "name": n["name"],
                "productTypes": n["productTypes"], "timeZone": n["timeZone"], "tags": n["tags"],
                "enrollmentString": None, "url": "https://n1.meraki.com/%s/manage/usage/list" % n["id"],
                "notes": "", "isBoundToConfigTemplate": False}

    @staticmethod
    def dev_json(d):
        return {"name": d.get("name"), "serial": d["serial"], "mac": d.get("mac", "02:00:00:00:00:00"),
                "model": d.get("model"), "networkId": d["networkId"], "productType": d["productType"],
                "tags": d.get("tags", []), "firmware": d.get("firmware", "wired-18-2-11"),
                "lanIp": d.get("lanIp"), "lat": 0.0, "lng": 0.0, "address": "", "notes": "",
                "url": "https://n1.meraki.com/manage/nodes/new_list/%s" % d["serial"]}

    def status_json(self, d):
        return {"name": d.get("name"), "serial": d["serial"], "mac": d.get("mac", "02:00:00:00:00:00"),
                "publicIp": "198.51.100.1", "networkId": d["networkId"],
                "status": d.get("status", "online"), "lastReportedAt": iso(self.now()),
                "productType": d["productType"], "model": d.get("model"), "tags": d.get("tags", []),
                "lanIp": d.get("lanIp")}

    @staticmethod
    def per_page(kind, q):
        lo, hi, default = PAGING[kind]
        v = q.get("perPage")
        if v is None:
            return default
        try:
            n = int(v)
        except ValueError:
            raise ApiError(400, "'perPage' must be an integer")
        if n < lo or n > hi:
            raise ApiError(400, "'perPage' must be between %d and %d" % (lo, hi))
        return n

    @staticmethod
    def page_of(keys, q, per):
        """Index range [a, b) of the page the cursors in q select over sorted keys."""
        if q.get("endingBefore") is not None:
            b = bisect.bisect_left(keys, q["endingBefore"])
            return max(0, b - per), b
        a = bisect.bisect_right(keys, q["startingAfter"]) if q.get("startingAfter") is not None else 0
        return a, min(len(keys), a + per)

    @staticmethod
    def link(base, path, qpairs, cursor):
        pairs = [(k, v) for k, v in qpairs if k not in ("startingAfter", "endingBefore")]
        if cursor:
            pairs.append(cursor)
        query = urllib.parse.urlencode(pairs)
        return "<%s%s%s%s>" % (base, API, path, ("?" + query) if query else "")

    def links(self, keys, a, b, q, base, path):
        qp = q["_pairs"]
        out = [self.link(base, path, qp, None) + "; rel=first"]
        if a > 0:
            out.append(self.link(base, path, qp, ("endingBefore", keys[a])) + "; rel=prev")
        if b < len(keys):
            out.append(self.link(base, path, qp, ("startingAfter", keys[b - 1])) + "; rel=next")
        out.append(self.link(base, path, qp, ("endingBefore", LAST_SENTINEL)) + "; rel=last")
        return ", ".join(out)

    def paginate(self, kind, items, keyname, q, base, path):
        per = self.per_page(kind, q)
        keys = [it[keyname] for it in items]
        a, b = self.page_of(keys, q, per)
        return 200, items[a:b], {"Link": self.links(keys, a, b, q, base, path)}

    @staticmethod
    def parse_time(v, what):
        try:
            return float(v)
        except ValueError:
            pass
        try:
            return datetime.datetime.fromisoformat(v.replace("Z", "+00:00")).timestamp()
        except ValueError:
            raise ApiError(400, "'%s' must be a Unix timestamp or an ISO 8601 time" % what)

    def clients(self, net, q, base, path):
        now = self.now()
        if q.get("t0") is not None and q.get("timespan") is not None:
            raise ApiError(400, "'t0' and 'timespan' cannot both be given")
        if q.get("t0") is not None:
            t0 = self.parse_time(q["t0"], "t0")
            if t0 < now - MAX_LOOKBACK_S:
                raise ApiError(400, "'t0' must be within 31 days")
        else:
            span = self.parse_time(q.get("timespan", "86400"), "timespan")
            if span <= 0 or span > MAX_LOOKBACK_S:
                raise ApiError(400, "'timespan' must be between 1 second and 31 days")
            t0 = now - span
        per = self.per_page("network_clients", q)
        if q.get("startingAfter") is None and q.get("endingBefore") is None:
            self.stats["clients_calls"].append({"network": net["id"], "t0": q.get("t0"), "timespan": q.get("timespan")})
        # Clients seen in [t0, now) only, like the real call ("clients that have used this network in the timespan").
        t0i = math.ceil(t0)
        seen = []
        for c in net["clients"]:
            w = c.window(t0i, now)
            if w is not None:
                seen.append((c, w))
        keys = [c.id for c, _ in seen]
        a, b = self.page_of(keys, q, per)
        # Pre-rendered per client (a 5000-client page must not cost the simulator more than the
        # client's 1/10 s); only the window's numbers are formatted per call.
        serial = net["devices"][0]["serial"] if net["devices"] else None
        parts = []
        for c, (sent, recv, first, last) in seen[a:b]:
            if c.json_head is None:
                c.json_head = json.dumps({
                    "id": c.id, "mac": c.mac, "description": (c.extra or {}).get("description"), "ip": c.ip,
                    "ip6": None, "ip6Local": None, "user": None, "manufacturer": None, "os": None,
                    "deviceTypePrediction": None, "recentDeviceSerial": serial, "recentDeviceName": None,
                    "recentDeviceMac": None, "recentDeviceConnection": "Wired", "ssid": None, "vlan": c.vlan,
                    "namedVlan": None, "switchport": None, "status": "Online", "notes": None,
                    "groupPolicy8021x": None, "adaptivePolicyGroup": None, "smInstalled": False,
                    "pskGroup": None, "mdnsName": None, "dhcpHostname": (c.extra or {}).get("dhcpHostname")},
                    separators=(",", ":"))[:-1]
            parts.append('%s,"firstSeen":"%s","lastSeen":"%s","usage":{"sent":%r,"recv":%r,"total":%r}}' % (
                c.json_head, iso(first), iso(last), sent, recv, sent + recv))
        out = RawJson("[" + ",".join(parts) + "]")
        return 200, out, {"Link": self.links(keys, a, b, q, base, path)}

    def fault_actions(self, target):
        """(delay_s, status fault or None, redirect fault or None) for this request."""
        delay, status, redirect = 0.0, None, None
        for f in self.faults:
            if not f["_re"].search(target):
                continue
            f["_seen"] += 1
            nth = int(f.get("nth", 1))
            count = f.get("count", 1 if "status" in f else None)
            if f["_seen"] < nth or (count is not None and f["_seen"] >= nth + int(count)):
                continue
            if "delay" in f:
                delay += float(f["delay"])
                f["_fired"] += 1
            elif "status" in f and status is None:
                status = f
                f["_fired"] += 1
            elif "redirect" in f and redirect is None:
                redirect = f
                f["_fired"] += 1
        return delay, status, redirect


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "MerakiSim/1.0"
    timeout = 300  # an idle kept-alive connection frees its thread after this

    def setup(self):
        # TLS handshake here, in the connection's own thread, not in the accept loop.
        self.request.settimeout(30)
        try:
            self.request.do_handshake()
        except (ssl.SSLError, OSError):
            self.handshake_failed = True
        else:
            self.handshake_failed = False
        super().setup()

    def handle(self):
        if not self.handshake_failed:
            try:
                super().handle()
            except (ConnectionError, ssl.SSLError, socket.timeout):
                pass

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):
        if self.server.sim.log:
            sys.stderr.write("meraki_sim %s %s\n" % (self.server.role, fmt % args))

    def send_json(self, status, body, headers=None):
        data = (body if isinstance(body, RawJson) else json.dumps(body, separators=(",", ":"))).encode()
        api = not self.path.startswith("/_sim/") or self.server.role != "api"
        gz = len(data) > 1024 and "gzip" in (self.headers.get("Accept-Encoding") or "")
        if gz:
            data = gzip.compress(data, 1)
        if api:
            with self.server.sim.lock:
                self.server.sim.stats["by_status"][status] += 1
                self.server.sim.stats["gzip_responses"] += gz
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        if gz:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(n) or b"null") if n else None

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def dispatch(self):
        sim = self.server.sim
        try:
            if self.server.role == "redirect":
                return self.serve_redirected()
            if self.path.startswith("/_sim/"):
                return self.control()
            return self.api(self.path, check_auth=True)
        except ApiError as e:
            self.send_json(e.status, {"errors": [e.message]}, e.headers)
        except Exception as e:  # a simulator bug must show, not hang the client
            sys.stderr.write("meraki_sim: internal error: %r\n" % (e,))
            self.send_json(500, {"errors": ["simulator internal error: %s" % e]})

    # ---- the control API ----

    def control(self):
        sim = self.server.sim
        path = urllib.parse.urlsplit(self.path).path
        if self.command == "GET" and path == "/_sim/stats":
            return self.send_json(200, sim.stats_doc())
        if self.command == "GET" and path == "/_sim/now":
            return self.send_json(200, {"now": sim.now(), "override": sim.now_override})
        if self.command != "POST":
            raise ApiError(404, "Not found")
        body = self.read_body()
        if path == "/_sim/now":
            v = body.get("now") if isinstance(body, dict) else body
            with sim.lock:
                sim.now_override = None if v is None else float(v)
            return self.send_json(200, {"now": sim.now()})
        if path == "/_sim/faults":
            faults = body.get("faults", []) if isinstance(body, dict) else (body or [])
            with sim.lock:
                sim.set_faults(faults)
            return self.send_json(200, {"faults": len(faults)})
        if path == "/_sim/stats/reset":
            with sim.lock:
                sim.reset_stats()
            return self.send_json(200, {})
        if path == "/_sim/scenario":
            sim.set_scenario(body)
            return self.send_json(200, {})
        if path == "/_sim/events":
            with sim.lock:
                net = sim.sc.net_by_id.get(body["network"])
                c = net and net["client_by_id"].get(body["client"])
                if not c:
                    raise ApiError(404, "no such network/client")
                c.set_events(c.events() + body["events"])
            return self.send_json(200, {})
        raise ApiError(404, "Not found")

    # ---- the API ----

    def base(self):
        host = self.headers.get("Host") if self.server.role == "api" else None
        return "https://%s" % (host or "127.0.0.1:%d" % self.server.sim.port)

    def api(self, target, check_auth, rkey_override=None):
        sim = self.server.sim
        split = urllib.parse.urlsplit(target)
        path = split.path
        if not path.startswith(API + "/") and path != API:
            raise ApiError(404, "Not found")
        parts = [urllib.parse.unquote(p) for p in path[len(API):].split("/") if p]
        pairs = urllib.parse.parse_qsl(split.query, keep_blank_values=True)
        q = dict(pairs)
        q["_pairs"] = pairs
        kind = Sim.kind(parts)
        now_real = time.monotonic()
        with sim.lock:
            sc = sim.sc
            sim.stats["requests"][kind] += 1
            sim.stats["total"] += 1
            key = None
            if check_auth:
                auth = self.headers.get("Authorization")
                legacy = self.headers.get("X-Cisco-Meraki-API-Key")
                if auth is not None and auth.startswith("Bearer "):
                    key = auth[7:].strip()
                elif legacy is not None:
                    key = legacy.strip()
                if key is None:
                    raise ApiError(401, "Missing API key")
                if key != sc.api_key:
                    raise ApiError(401, "Invalid API key")
                rkey = sim.rate_key(parts, key)
                sim.note_arrival(rkey, now_real)
                b = sim.buckets.get(rkey)
                if b is None:
                    b = sim.buckets[rkey] = Bucket(sc.rate, sc.burst, now_real)
                wait = b.take(now_real)
                if wait:
                    sim.stats["status_429"] += 1
                    raise ApiError(429, "API rate limit exceeded for organization", {"Retry-After": str(wait)})
                delay, status_f, redirect_f = sim.fault_actions(target)
            else:
                delay, status_f, redirect_f = 0.0, None, None
        if delay:
            time.sleep(delay)
        if status_f is not None:
            hdr = {"Retry-After": str(status_f["retry_after"])} if "retry_after" in status_f else {}
            raise ApiError(int(status_f["status"]), status_f.get("message", "Simulated server error"), hdr)
        if redirect_f is not None:
            token = secrets.token_hex(8)
            with sim.lock:
                sim.tokens[token] = target
                sim.stats["redirects_issued"] += 1
            loc = "https://127.0.0.2:%d/_r/%s%s" % (sim.port, token, target)
            return self.send_json(int(redirect_f["redirect"]), {}, {"Location": loc})
        with sim.lock:
            status, body, headers = sim.route(kind, parts, q, self.base())
        self.send_json(status, body, headers)

    def serve_redirected(self):
        """127.0.0.2: /_r/<token>/<original target>, once, with no auth (a pre-signed URL)."""
        sim = self.server.sim
        m = re.match(r"^/_r/([0-9a-f]+)(/.*)$", self.path)
        with sim.lock:
            if self.headers.get("Authorization") is not None or self.headers.get("X-Cisco-Meraki-API-Key") is not None:
                sim.stats["auth_on_redirect_host"] += 1
            target = sim.tokens.pop(m.group(1), None) if m else None
            if target is None or target != m.group(2):
                raise ApiError(404, "Invalid or expired link")
            sim.stats["redirects_followed"] += 1
        self.api(target, check_auth=False)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def serve(sim, certfile, keyfile, port):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(certfile, keyfile)
    # Both listeners on one port: bind .1 (port 0 = any), then .2 on the same; retry if taken.
    for _ in range(20):
        api = Server(("127.0.0.1", port), Handler, bind_and_activate=True)
        chosen = api.server_address[1]
        try:
            red = Server(("127.0.0.2", chosen), Handler, bind_and_activate=True)
            break
        except OSError:
            api.server_close()
            if port:
                raise
    else:
        raise SystemExit("meraki_sim: no port free on both 127.0.0.1 and 127.0.0.2")
    sim.port = chosen
    for srv, role in ((api, "api"), (red, "redirect")):
        srv.sim = sim
        srv.role = role
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True, do_handshake_on_connect=False)
    threading.Thread(target=red.serve_forever, daemon=True).start()
    return api, red


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
        sim = Sim(json.load(f), log=not a.quiet)
    gc.collect()  # the parsed document is garbage now; a big scenario is mostly that
    api, red = serve(sim, a.cert, a.key, a.port)
    if a.port_file:
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % sim.port)
        os.rename(tmp, a.port_file)  # readers never see a half-written file
    sys.stderr.write("meraki_sim: listening on 127.0.0.1:%d and 127.0.0.2:%d\n" % (sim.port, sim.port))
    try:
        api.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
