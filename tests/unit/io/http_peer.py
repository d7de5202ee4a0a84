#!/usr/bin/env python3
"""HTTPS peer for tests/unit/io/test_http*.c.

Serves on 127.0.0.1 (an ephemeral port, written to DIR/port once listening) with DIR/srv.pem
and DIR/srv.key. Every request is logged as one JSON line to DIR/requests.log, flushed before
the answer, with the auth headers it carried, so a test asserts exactly what each request sent.
The TLS handshake runs in the request's thread: a client that rejects the certificate never
blocks the others.

Routes:
  /ok                 200 "hello"
  /page?n=1|2         pages; page 1 has Link rel="next" to page 2 with an opaque %-escaped token
  /r429?k=K           first hit of K: 429 + Retry-After: 1; then 200 "ok"
  /r503?k=K           first hit of K: 503 without Retry-After; then 200 "ok"
  /e500               always 500 "boom"
  /nf                 404 "not found"
  /redir?to=U[&code=C]  C (302) with Location: U
  /loop               302 to itself
  /see-other          303 Location: /echo
  /echo               200 "<method> <request body>"
  /big?n=N            N bytes of "x" (gzip when accepted)
  /gzip               a text body, gzip-encoded when accepted
  /slow?ms=M&id=I     answers after M ms; logs "end" before answering
  /hang               never answers; returns when the client goes away
  /login              200 with Set-Cookie: sess=<counter>; Path=/; HttpOnly; Secure
  /whoami             200 "<the Cookie header, or none>"
  /html               200 Content-Type: text/html; charset=utf-8, a login form
"""
import gzip
import json
import os
import select
import socket
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DIR = sys.argv[1]
LOCK = threading.Lock()
SEQ = [0]
HITS = {}
LOG = open(os.path.join(DIR, "requests.log"), "a", buffering=1)
GZ_TEXT = ("compressed hello " * 200).encode()


def log(ev, **kw):
    with LOCK:
        SEQ[0] += 1
        kw.update(seq=SEQ[0], ev=ev)
        LOG.write(json.dumps(kw, sort_keys=True) + "\n")
        LOG.flush()


def hit(key):
    with LOCK:
        HITS[key] = HITS.get(key, 0) + 1
        return HITS[key]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send(self, code, body=b"", headers=()):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def gz(self, body, headers=()):
        headers = list(headers)
        if "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body)
            headers.append(("Content-Encoding", "gzip"))
        self.send(200, body, headers)

    def handle_any(self):
        n = int(self.headers.get("Content-Length", "0") or 0)
        req_body = self.rfile.read(n).decode() if n else ""
        u = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(u.query))
        log("start", method=self.command, path=self.path, host=self.headers.get("Host"),
            auth=self.headers.get("Authorization"),
            key=self.headers.get("X-Cisco-Meraki-API-Key"),
            ae=self.headers.get("Accept-Encoding"), accept=self.headers.get("Accept"),
            cookie=self.headers.get("Cookie"))
        base = "https://%s" % self.headers.get("Host")
        p = u.path
        if p == "/ok":
            self.send(200, "hello")
        elif p == "/page":
            if q.get("n") == "1":
                link = ('<%s/page?n=2&token=a%%2Fb%%3D>; rel="next", <%s/page?n=1>; rel=first'
                        % (base, base))
                self.send(200, "page1", [("Link", link)])
            else:
                self.send(200, "page2", [("Link", "<%s/page?n=1>; rel=prev" % base)])
        elif p == "/r429":
            if hit("429" + q.get("k", "")) == 1:
                self.send(429, '{"errors":["rate"]}', [("Retry-After", "1")])
            else:
                self.send(200, "ok")
        elif p == "/r503":
            if hit("503" + q.get("k", "")) == 1:
                self.send(503, "busy")
            else:
                self.send(200, "ok")
        elif p == "/e500":
            self.send(500, "boom")
        elif p == "/nf":
            self.send(404, "not found")
        elif p == "/redir":
            self.send(int(q.get("code", "302")), "", [("Location", q["to"])])
        elif p == "/loop":
            self.send(302, "", [("Location", "/loop")])
        elif p == "/see-other":
            self.send(303, "", [("Location", "/echo")])
        elif p == "/echo":
            self.send(200, "%s %s" % (self.command, req_body))
        elif p == "/big":
            self.gz(b"x" * int(q["n"]))
        elif p == "/gzip":
            self.gz(GZ_TEXT)
        elif p == "/slow":
            time.sleep(int(q["ms"]) / 1000.0)
            log("end", path=self.path)
            self.send(200, "slow")
        elif p == "/hang":
            # Until the client closes (EOF or error) or a minute passes.
            end = time.time() + 60
            while time.time() < end:
                r, _, _ = select.select([self.connection], [], [], 0.2)
                if r:
                    try:
                        if not self.connection.recv(1):
                            break
                    except (OSError, ssl.SSLError):
                        break
            self.close_connection = True
        elif p == "/login":
            n = hit("login")
            self.send(200, '{"status": "ok"}',
                      [("Set-Cookie", "sess=s%d; Path=/; HttpOnly; Secure" % n),
                       ("Content-Type", "application/json")])
        elif p == "/whoami":
            self.send(200, self.headers.get("Cookie") or "none")
        elif p == "/html":
            self.send(200, '<html><body><form action="/login"></form></body></html>',
                      [("Content-Type", "text/html; charset=utf-8")])
        else:
            self.send(400, "unknown path")

    do_GET = do_POST = do_PUT = do_HEAD = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, ctx):
        self.ctx = ctx
        super().__init__(("127.0.0.1", 0), Handler)

    def finish_request(self, request, client_address):
        try:
            request = self.ctx.wrap_socket(request, server_side=True)
        except (OSError, ssl.SSLError):
            return
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        pass


def main():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(DIR, "srv.pem"), os.path.join(DIR, "srv.key"))
    srv = Server(ctx)
    tmp = os.path.join(DIR, "port.tmp")
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, os.path.join(DIR, "port"))
    srv.serve_forever()


if __name__ == "__main__":
    main()
