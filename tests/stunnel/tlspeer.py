#!/usr/bin/python3
"""TLS (or plain) echo peer for tests/stunnel/run.sh, on the system OpenSSL (Python's ssl).

    tlspeer.py client PORT [options]   connect COUNT times, send BYTES, expect them back
    tlspeer.py server PORT [options]   TLS echo server, one line per connection on stdout
                                        (--plain: no TLS, for either side)

The client prints one line per connection:
    conn N: VERSION CIPHER reused=yes|no peer=SUBJECT-CN echo=ok
or  conn N: error: CLASS: MESSAGE
and exits 0 when every connection echoed its data intact, 1 otherwise.  Connections after
the first offer the session of the previous one (--count N, resumption).

The server prints, for each connection, the same first part (peer = the client
certificate's CN or -) once the handshake is done, or `conn N: error: ...`.
"""
import argparse
import os
import socket
import ssl
import sys
import threading

VERSIONS = {
    "1.2": ssl.TLSVersion.TLSv1_2,
    "1.3": ssl.TLSVersion.TLSv1_3,
}


def cn_of(cert):
    if not cert:
        return "-"
    for rdn in cert.get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return value
    return "?"


def describe(s):
    if not isinstance(s, ssl.SSLSocket):
        return "plain"
    return "%s %s reused=%s peer=%s" % (
        s.version(), s.cipher()[0], "yes" if s.session_reused else "no",
        cn_of(s.getpeercert()))


def context(args, server):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if server else ssl.PROTOCOL_TLS_CLIENT)
    if args.tls_min:
        ctx.minimum_version = VERSIONS[args.tls_min]
    if args.tls_max:
        ctx.maximum_version = VERSIONS[args.tls_max]
    if args.ciphers:
        ctx.set_ciphers(args.ciphers)
    if args.cert:
        ctx.load_cert_chain(args.cert, args.key)
    if server:
        if args.ca:
            ctx.load_verify_locations(args.ca)
            ctx.verify_mode = ssl.CERT_REQUIRED if args.verify == "required" else ssl.CERT_OPTIONAL
        if args.no_tickets:
            ctx.options |= ssl.OP_NO_TICKET
    else:
        if args.ca:
            ctx.load_verify_locations(args.ca)
        else:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
    return ctx


def echo_once(s, payload):
    s.sendall(payload)
    got = b""
    while len(got) < len(payload):
        chunk = s.recv(65536)
        if not chunk:
            break
        got += chunk
    return got == payload


def client(args):
    payload = os.urandom(args.bytes)
    ctx = None if args.plain else context(args, False)
    session = None
    ok = True
    for n in range(1, args.count + 1):
        try:
            raw = socket.create_connection(("127.0.0.1", args.port), timeout=args.timeout)
            if ctx is None:
                s = raw
            else:
                s = ctx.wrap_socket(raw, server_hostname=args.sni, session=session)
            good = echo_once(s, payload)
            line = "conn %d: %s echo=%s" % (n, describe(s), "ok" if good else "BAD")
            ok = ok and good
            if ctx is not None:
                session = s.session
                try:
                    s.unwrap()
                except (OSError, ssl.SSLError):
                    pass
            s.close()
        except Exception as e:  # report every failure the same way
            line = "conn %d: error: %s: %s" % (n, type(e).__name__, e)
            ok = False
        print(line, flush=True)
    return 0 if ok else 1


def serve(conn, n, ctx, lock):
    try:
        s = conn if ctx is None else ctx.wrap_socket(conn, server_side=True)
        with lock:
            print("conn %d: %s sni=%s" % (n, describe(s), getattr(s, "sni_name", "-")), flush=True)
        while True:
            data = s.recv(65536)
            if not data:
                break
            s.sendall(data)
        if ctx is not None:
            try:
                s.unwrap()
            except (OSError, ssl.SSLError):
                pass
        s.close()
    except Exception as e:
        with lock:
            print("conn %d: error: %s: %s" % (n, type(e).__name__, e), flush=True)
        conn.close()


def remember_sni(sock, name, ctx):
    sock.sni_name = name if name is not None else "-"


def server(args):
    ctx = None if args.plain else context(args, True)
    if ctx is not None:
        ctx.sni_callback = remember_sni
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", args.port))
    ls.listen(16)
    lock = threading.Lock()
    n = 0
    while True:
        conn, _ = ls.accept()
        conn.settimeout(args.timeout)
        n += 1
        threading.Thread(target=serve, args=(conn, n, ctx, lock), daemon=True).start()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=("client", "server"))
    p.add_argument("port", type=int)
    p.add_argument("--ca")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--verify", choices=("required", "optional"), default="required")
    p.add_argument("--sni", default="localhost")
    p.add_argument("--tls-min")
    p.add_argument("--tls-max")
    p.add_argument("--ciphers")
    p.add_argument("--no-tickets", action="store_true")
    p.add_argument("--plain", action="store_true")
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--bytes", type=int, default=65536)
    p.add_argument("--timeout", type=float, default=10)
    args = p.parse_args()
    if args.mode == "client":
        return client(args)
    return server(args)


if __name__ == "__main__":
    sys.exit(main())
