"""Shared plumbing of the CoPilot and Cato simulators (stdlib only): the HTTPS listener on
127.0.0.1, the simulated clock, request faults, JSON/HTML answers with optional gzip, the
numbers-as-reals writer, and the port file. Each simulator subclasses BaseSim and Handler.
"""

import collections
import gzip
import json
import os
import re
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ApiError(Exception):
    """An answer other than the normal one: status, body (dict, or str for raw text)."""

    def __init__(self, status, body, headers=None, ctype="application/json"):
        super().__init__(str(body))
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.ctype = ctype


class RawJson(str):
    """An answer body already serialised."""


def real(v):
    """v (a number) as a JSON real in E notation with the fewest digits that give v back,
    the way some servers write counters and timestamps (1762012800000 -> 1.7620128E12)."""
    v = float(v)
    if v == 0:
        return "0.0"
    for prec in range(0, 18):
        s = "%.*E" % (prec, v)
        if float(s) == v:
            break
    mant, exp = s.split("E")
    if "." in mant:
        mant = mant.rstrip("0").rstrip(".")
    if "." not in mant:
        mant += ".0"
    return "%sE%d" % (mant, int(exp))


def num(v, reals):
    """A JSON number: an integer as is, or (reals) in E notation."""
    if reals:
        return real(v)
    if isinstance(v, float):
        return repr(int(v)) if v.is_integer() else repr(v)
    return str(int(v))


HTML_LOGIN = ("<!DOCTYPE html><html><head><title>CoPilot - Login</title></head><body>"
              "<form action=\"/login\" method=\"post\"><input name=\"username\">"
              "<input type=\"password\" name=\"password\"><button>Log in</button></form>"
              "</body></html>")


def html_error(status):
    reason = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Temporarily Unavailable",
              504: "Gateway Time-out", 429: "Too Many Requests", 401: "Unauthorized",
              403: "Forbidden"}.get(status, "Error")
    return ("<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n<center><h1>%d %s</h1></center>\r\n"
            "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n" % (status, reason, status, reason))


ACTIONS = ("status", "rate_limit", "bad_key", "graphql_error", "unauth", "expire")


class BaseSim:
    """Clock, faults and statistics common to both simulators (the subclass adds its own)."""

    name = "sim"

    def __init__(self, log=True):
        self.lock = threading.Lock()
        self.log = log
        self.port = 0
        self.now_override = None
        self.faults = []

    running_since = None  # (sim time, real time): the clock runs from sim time on

    def now(self):
        n = self.now_override
        if n is None:
            return time.time()
        if self.running_since is not None:
            return float(n) + (time.time() - self.running_since)
        return float(n)

    def set_faults(self, faults):
        compiled = []
        for f in faults or []:
            f = dict(f)
            f["_re"] = re.compile(f.get("path", f.get("match", "")))
            f["_seen"] = 0
            f["_fired"] = 0
            compiled.append(f)
        self.faults = compiled

    def fault_actions(self, target):
        """(delay_s, fault or None): the delay faults matching this request summed, and the
        first other fault that fires (status, rate_limit, ...). Call with the lock held."""
        delay, hit = 0.0, None
        for f in self.faults:
            if not f["_re"].search(target):
                continue
            f["_seen"] += 1
            nth = int(f.get("nth", 1))
            count = f.get("count", None if "delay" in f else 1)
            if f["_seen"] < nth or (count is not None and f["_seen"] >= nth + int(count)):
                continue
            f["_fired"] += 1
            delay += float(f.get("delay", 0))
            if hit is None and any(k in f for k in ACTIONS):
                hit = f
        return delay, hit


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Sim/1.0"
    timeout = 300

    def setup(self):
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
            sys.stderr.write("%s %s\n" % (self.server.sim.name, fmt % args))

    def extra_headers(self):
        return {}

    def send_body(self, status, body, headers=None, ctype="application/json", count=True):
        if isinstance(body, (bytes, bytearray)):
            data = bytes(body)
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        gz = "gzip" in (self.headers.get("Accept-Encoding") or "") and len(data) > 0
        if gz:
            data = gzip.compress(data, 1)
        sim = self.server.sim
        if count:
            with sim.lock:
                sim.stats["by_status"][str(status)] += 1
                sim.stats["gzip_responses"] += gz
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype + ("; charset=utf-8" if "charset" not in ctype else ""))
        if gz:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        hdrs = dict(self.extra_headers())
        hdrs.update(headers or {})
        for k, v in hdrs.items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def read_raw(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def dispatch(self):
        try:
            if self.path.startswith("/_sim/"):
                return self.control_common()
            return self.api()
        except ApiError as e:
            self.send_body(e.status, e.body, e.headers, e.ctype)
        except Exception as e:  # a simulator bug must show, not hang the client
            import traceback
            traceback.print_exc()
            self.send_body(500, {"message": "simulator internal error: %r" % (e,)})

    def control_common(self):
        sim = self.server.sim
        path = self.path.split("?")[0]
        if self.command == "GET" and path == "/_sim/stats":
            return self.send_body(200, sim.stats_doc(), count=False)
        if self.command == "GET" and path == "/_sim/now":
            return self.send_body(200, {"now": sim.now(), "override": sim.now_override}, count=False)
        if self.command != "POST":
            raise ApiError(404, {"message": "Not found"})
        raw = self.read_raw()
        body = json.loads(raw) if raw else None
        if path == "/_sim/now":
            v = body.get("now") if isinstance(body, dict) else body
            with sim.lock:
                sim.now_override = None if v is None else float(v)
                # "running": true: the clock advances from there in real time (a daemon under
                # libfaketime "@TIME" started at the same moment agrees with it)
                sim.running_since = time.time() if isinstance(body, dict) and body.get("running") else None
            return self.send_body(200, {"now": sim.now()}, count=False)
        if path == "/_sim/faults":
            faults = body.get("faults", []) if isinstance(body, dict) else (body or [])
            with sim.lock:
                sim.set_faults(faults)
            return self.send_body(200, {"faults": len(faults)}, count=False)
        if path == "/_sim/stats/reset":
            with sim.lock:
                sim.reset_stats()
            return self.send_body(200, {}, count=False)
        if path == "/_sim/scenario":
            sim.set_scenario(body)
            return self.send_body(200, {}, count=False)
        out = self.control(path, body)
        if out is None:
            raise ApiError(404, {"message": "Not found"})
        return self.send_body(200, out, count=False)

    def control(self, path, body):
        return None


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def serve_forever(sim, handler, certfile, keyfile, port, port_file):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(certfile, keyfile)
    srv = Server(("127.0.0.1", port), handler, bind_and_activate=True)
    sim.port = srv.server_address[1]
    srv.sim = sim
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True, do_handshake_on_connect=False)
    if port_file:
        tmp = port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % sim.port)
        os.rename(tmp, port_file)  # readers never see a half-written file
    sys.stderr.write("%s: listening on 127.0.0.1:%d\n" % (sim.name, sim.port))
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


def new_stats(kinds):
    return {"requests": collections.Counter({k: 0 for k in kinds}), "by_status": collections.Counter(),
            "total": 0, "gzip_responses": 0}
