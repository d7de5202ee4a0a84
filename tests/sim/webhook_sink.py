#!/usr/bin/python3
"""A webhook receiver for tests (stdlib only): HTTP or HTTPS on 127.0.0.1.

Every request is answered from a script of statuses (--script 500,500: the first two get
500 with a short error body, every later one 200) and recorded in OUTDIR as N.json:
{"method", "path", "headers" (names lower-cased), "body" (text), "status" (the answer)}.
N.json appears whole (written aside, then renamed). The listening port is written to
OUTDIR/port once it listens.

usage: webhook_sink.py OUTDIR [--script S,S,...] [--cert C --key K] [--port P]
"""
import argparse
import json
import os
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "WebhookSink/1.0"

    def log_message(self, fmt, *args):
        sys.stderr.write("webhook_sink: %s\n" % (fmt % args))

    def do_POST(self):
        srv = self.server
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n).decode("utf-8", "replace")
        with srv.lock:
            srv.n += 1
            k = srv.n
            status = srv.script[k - 1] if k <= len(srv.script) else 200
        rec = {"method": self.command, "path": self.path,
               "headers": {h.lower(): v for h, v in self.headers.items()},
               "body": body, "status": status}
        base = os.path.join(srv.outdir, str(k))
        with open(base + ".json.tmp", "w") as f:
            json.dump(rec, f)
        os.rename(base + ".json.tmp", base + ".json")
        out = (b'{"ok":true}' if 200 <= status < 300
               else ("sim error %d: the receiver is unwell" % status).encode())
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if status < 300 else "text/plain")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    do_PUT = do_POST


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--script", default="")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--port", type=int, default=0)
    a = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    srv.daemon_threads = True
    srv.outdir = a.outdir
    srv.script = [int(s) for s in a.script.split(",") if s.strip()]
    srv.lock = threading.Lock()
    srv.n = sum(1 for f in os.listdir(a.outdir) if f.endswith(".json"))
    if a.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.cert, a.key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    tmp = os.path.join(a.outdir, "port.tmp")
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, os.path.join(a.outdir, "port"))
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
