#!/usr/bin/python3
"""A real SMTP server for tests (aiosmtpd): STARTTLS and AUTH required unless told otherwise.

Each accepted message is written to OUTDIR as N.eml (the DATA bytes) and N.json (the
envelope: mail_from, rcpt_tos). The listening port is written to OUTDIR/port once it listens.

usage: smtp_sink.py OUTDIR --cert C --key K --user U --password P   (STARTTLS + AUTH required)
       smtp_sink.py OUTDIR --plain                                   (no TLS offered, no AUTH)
--port P listens on P (a server restarted where a client expects it) instead of a free port.
Messages are numbered on from those already in OUTDIR, so a restarted sink keeps counting.
"""
import argparse
import json
import os
import signal
import socket
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, outdir):
        self.outdir = outdir
        # A restarted sink continues the numbering of the messages already there.
        self.n = sum(1 for f in os.listdir(outdir) if f.endswith(".json"))
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.n += 1
            n = self.n
        base = os.path.join(self.outdir, str(n))
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".json.tmp", "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos}, f)
        # The .json appears last and whole: a test polls for it.
        os.rename(base + ".eml.tmp", base + ".eml")
        os.rename(base + ".json.tmp", base + ".json")
        return "250 OK"


class Auth:
    def __init__(self, user, password):
        self.user = user.encode()
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == self.user
              and auth_data.password == self.password)
        # handled=False: aiosmtpd itself then answers 535 to a failure.
        return AuthResult(success=ok, handled=False)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--user")
    ap.add_argument("--password")
    ap.add_argument("--plain", action="store_true")
    ap.add_argument("--port", type=int)
    a = ap.parse_args()
    port = a.port or free_port()
    kw = {}
    if not a.plain:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.cert, a.key)
        kw = dict(tls_context=ctx, require_starttls=True, authenticator=Auth(a.user, a.password),
                  auth_required=True, auth_require_tls=True)
    c = Controller(Sink(a.outdir), hostname="127.0.0.1", port=port, **kw)
    c.start()
    with open(os.path.join(a.outdir, "port.tmp"), "w") as f:
        f.write(str(port))
    os.replace(os.path.join(a.outdir, "port.tmp"), os.path.join(a.outdir, "port"))
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    c.stop()


if __name__ == "__main__":
    sys.exit(main())
