#!/usr/bin/python3
"""HTTPS backend for tests/haproxy/run.sh, on the system OpenSSL (Python's ssl).

    tlsbackend.py PORT --cert F --key F [--ca F] [--tls-max 1.2] [--no-tickets]

Answers every GET with one line describing the TLS connection it came over:
    backend VERSION CIPHER reused=yes|no sni=NAME alpn=PROTO peer=CLIENT-CN
and prints the same line (or `error: ...` for a failed handshake) on stdout.  With --ca
a client certificate is required.  HTTP/1.0: one request per connection.
"""
import argparse
import http.server
import socketserver
import ssl
import sys
import threading

LOCK = threading.Lock()


def cn_of(cert):
    for rdn in (cert or {}).get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return value
    return "-"


def remember_sni(sock, name, ctx):
    sock.sni_name = name if name is not None else "-"


def say(line):
    with LOCK:
        print(line, flush=True)


class Handler(http.server.BaseHTTPRequestHandler):
    ctx = None

    def setup(self):
        self.request.settimeout(10)
        try:
            self.request = self.ctx.wrap_socket(self.request, server_side=True)
        except Exception as e:  # a refused handshake: report it, serve nothing
            say("error: %s: %s" % (type(e).__name__, e))
            self.request.close()
            self.failed = True
            return
        self.failed = False
        s = self.request
        self.described = "backend %s %s reused=%s sni=%s alpn=%s peer=%s" % (
            s.version(), s.cipher()[0], "yes" if s.session_reused else "no",
            getattr(s, "sni_name", "-"), s.selected_alpn_protocol() or "-",
            cn_of(s.getpeercert()))
        say(self.described)
        super().setup()

    def handle(self):
        if not self.failed:
            super().handle()

    def finish(self):
        if not self.failed:
            super().finish()

    def do_GET(self):
        body = (self.described + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("port", type=int)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--ca")
    p.add_argument("--tls-max")
    p.add_argument("--no-tickets", action="store_true")
    p.add_argument("--alpn")
    args = p.parse_args()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    if args.ca:
        ctx.load_verify_locations(args.ca)
        ctx.verify_mode = ssl.CERT_REQUIRED
    if args.tls_max == "1.2":
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    if args.no_tickets:
        ctx.options |= ssl.OP_NO_TICKET
    if args.alpn:
        ctx.set_alpn_protocols(args.alpn.split(","))
    ctx.sni_callback = remember_sni
    Handler.ctx = ctx
    with Server(("127.0.0.1", args.port), Handler) as srv:
        srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
