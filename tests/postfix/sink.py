"""An SMTP sink with STARTTLS for tests/postfix/run.sh (Debian's python3 and aiosmtpd,
so it runs on the system OpenSSL).

    python3 sink.py PORT CERT KEY OUTDIR [--no-starttls] [--ca CAFILE]

Accepts every message and writes it to OUTDIR/N.eml, preceded by an
`X-Sink-TLS: <version> <cipher>` line (or `X-Sink-TLS: none` when the session was not
encrypted) and `X-Sink-Peer-Cert: <subject CN or ->`.  With --ca it asks for a client
certificate (optional).  Logs one line per event to stdout.
"""
import argparse
import itertools
import os
import signal
import ssl
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, outdir):
        self.outdir = outdir
        self.count = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):
        sslobj = server.transport.get_extra_info("ssl_object")
        if sslobj is not None:
            tls = "%s %s" % (sslobj.version(), sslobj.cipher()[0])
            cert = sslobj.getpeercert()
            cn = "-"
            if cert:
                for rdn in cert.get("subject", ()):
                    for k, v in rdn:
                        if k == "commonName":
                            cn = v
        else:
            tls, cn = "none", "-"
        n = next(self.count)
        path = os.path.join(self.outdir, "%d.eml" % n)
        with open(path, "wb") as f:
            f.write(b"X-Sink-TLS: " + tls.encode() + b"\r\n")
            f.write(b"X-Sink-Peer-Cert: " + cn.encode() + b"\r\n")
            f.write(b"X-Sink-Helo: " + (session.host_name or "").encode() + b"\r\n")
            f.write(b"X-Sink-Rcpt: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(envelope.original_content)
        print("message %d from %s to %s, tls: %s, %d bytes" % (
            n, envelope.mail_from, ",".join(envelope.rcpt_tos), tls, len(envelope.original_content)), flush=True)
        return "250 OK sink message %d" % n


class LoggingSMTP(SMTP):
    async def smtp_STARTTLS(self, arg):
        print("STARTTLS from %s" % (self.session.peer,), flush=True)
        return await super().smtp_STARTTLS(arg)


class SinkController(Controller):
    def __init__(self, handler, tls_context, **kw):
        self.tls = tls_context
        super().__init__(handler, **kw)

    def factory(self):
        return LoggingSMTP(self.handler, tls_context=self.tls, require_starttls=False,
                           hostname="sink.example", decode_data=False)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("cert")
    ap.add_argument("key")
    ap.add_argument("outdir")
    ap.add_argument("--no-starttls", action="store_true")
    ap.add_argument("--ca")
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    ctx = None
    if not a.no_starttls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.cert, a.key)
        if a.ca:
            ctx.load_verify_locations(a.ca)
            ctx.verify_mode = ssl.CERT_OPTIONAL
    c = SinkController(Sink(a.outdir), ctx, hostname="127.0.0.1", port=a.port)
    c.start()
    print("sink listening on %d (%s, starttls %s)" % (a.port, ssl.OPENSSL_VERSION, "no" if ctx is None else "yes"),
          flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    c.stop()


if __name__ == "__main__":
    main()
