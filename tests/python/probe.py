#!/usr/bin/python3
"""Python ssl probe for tests/python/run.sh.

usage: probe.py local SCENARIO
       probe.py server SCENARIO PORT
       probe.py client SCENARIO PORT

Each scenario has a server half and a client half (or, for `local` scenarios, a single
process with no peer).  Both halves print what a user of the ssl module would look at --
protocol, cipher, ALPN, certificates, session reuse, exceptions with their library, reason
and verify code -- one observation per line, in a fixed order, with nothing random in them
(ids and times are reduced to lengths and sanity checks).  run.sh runs every scenario once
with both processes on the system OpenSSL and once with one of them on the library under
test, and compares the lines.

The server handles a fixed list of connections, one after the other, and exits; the
client makes the same connections in the same order.  The PKI comes from $PKI.
"""

import asyncio
import hashlib
import http.client
import http.server
import io
import os
import socket
import ssl
import sys
import threading
import time
import urllib.error
import urllib.request

PKI = os.environ.get("PKI", ".")
TMP = os.environ.get("T", ".")
TIMEOUT = 15
LOCALHOST = "127.0.0.1"


def p(name):
    return os.path.join(PKI, name)


def out(*args):
    print(*args, flush=True)


def exc_text(e):
    """An exception as a user sees it: class, OpenSSL library/reason, verify code."""
    parts = [type(e).__name__]
    if isinstance(e, ssl.SSLError):
        parts.append("library=%s" % getattr(e, "library", "-"))
        parts.append("reason=%s" % getattr(e, "reason", "-"))
    if isinstance(e, ssl.SSLCertVerificationError):
        parts.append("verify_code=%s" % e.verify_code)
        parts.append("verify_message=%s" % e.verify_message)
    if isinstance(e, urllib.error.URLError) and isinstance(e.reason, BaseException):
        return "URLError(%s)" % exc_text(e.reason)
    parts.append("str=%s" % e)
    return " ".join(parts)


# The suites rustls implements.  A documented difference (README: "Only the cipher suites
# rustls implements are negotiated"): the library's get_ciphers() and shared_ciphers()
# (SSL_get_ciphers) list only these, where OpenSSL lists every suite a cipher string
# selects.  So every list of suites is printed in two parts: the suites rustls implements,
# in the order the library gives them (compared with the system run like any other line),
# and the others on a line marked BEYOND, which run.sh leaves out of the comparison and
# requires to be an empty list in the library run.
RUSTLS_SUITES = frozenset([
    "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
])
BEYOND = "(beyond rustls)"


def suites(prefix, items, name=lambda x: x):
    """Prints a list of suites (names, or what name() names) as PREFIX=[the suites rustls
    implements] and PREFIX (beyond rustls)=[the others]; None as it is."""
    if items is None:
        out("%s=None" % prefix)
        return
    out("%s=%r" % (prefix, [x for x in items if name(x) in RUSTLS_SUITES]))
    out("%s %s=%r" % (prefix, BEYOND, [x for x in items if name(x) not in RUSTLS_SUITES]))


def suite_dicts(indent, ciphers):
    """get_ciphers()'s dicts one a line, those of suites rustls lacks marked BEYOND."""
    for c in ciphers:
        mark = "" if c["name"] in RUSTLS_SUITES else BEYOND + " "
        out("%s%s%s" % (indent, mark, sorted(c.items())))


def cert_summary(c):
    """The dict of getpeercert() in a stable one-line form."""
    if c is None:
        return "None"
    if not c:
        return "{}"
    items = []
    for k in sorted(c):
        items.append("%s=%r" % (k, c[k]))
    return "{" + ", ".join(items) + "}"


def der_id(der):
    if der is None:
        return "None"
    return "der:%d:%s" % (len(der), hashlib.sha256(der).hexdigest()[:16])


def subjects(chain):
    if chain is None:
        return None
    res = []
    for c in chain:
        # chain entries are _ssl.Certificate objects (3.10+)
        try:
            der = c.public_bytes(ssl._ssl.ENCODING_DER)
        except Exception:
            res.append("%s:%r" % (type(c).__name__, c))
            continue
        res.append(der_id(der))
    return res


def cn_of(cert_dict):
    if not cert_dict:
        return None
    for rdn in cert_dict.get("subject", ()):
        for k, v in rdn:
            if k == "commonName":
                return v
    return None


def conn_info(tag, s, detail=True):
    """What both ends print about an established connection."""
    out("%s version=%s" % (tag, s.version()))
    out("%s cipher=%s" % (tag, s.cipher()))
    out("%s compression=%s" % (tag, s.compression()))
    out("%s alpn=%s" % (tag, s.selected_alpn_protocol()))
    out("%s session_reused=%s" % (tag, s.session_reused))
    if detail:
        try:
            out("%s peercert=%s" % (tag, cert_summary(s.getpeercert())))
        except Exception as e:
            out("%s peercert error %s" % (tag, exc_text(e)))
        out("%s peercert_der=%s" % (tag, der_id(s.getpeercert(True))))
        obj = getattr(s, "_sslobj", s)
        if hasattr(obj, "get_verified_chain"):
            out("%s verified_chain=%s" % (tag, subjects(obj.get_verified_chain())))
            out("%s unverified_chain=%s" % (tag, subjects(obj.get_unverified_chain())))


def listener(port):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((LOCALHOST, port))
    ls.listen(16)
    ls.settimeout(TIMEOUT)
    return ls


def accept(ls, tag):
    try:
        c, _ = ls.accept()
    except socket.timeout:
        out("%s accept timed out" % tag)
        return None
    c.settimeout(TIMEOUT)
    return c


def tcp(port):
    s = socket.create_connection((LOCALHOST, port), timeout=TIMEOUT)
    s.settimeout(TIMEOUT)
    return s


def srv_ctx(cert="server-chain.pem", key="server.key", **kw):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(p(cert), p(key), **kw)
    return ctx


def cli_ctx(ca="root.pem"):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if ca:
        ctx.load_verify_locations(p(ca))
    return ctx


def recv_line(s):
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = s.recv(4096)
        if not chunk:
            break
        buf += chunk
    return buf


def recv_exact(s, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = s.recv(min(65536, n - len(buf)))
        if not chunk:
            break
        buf += chunk
    return bytes(buf)


def close(s):
    try:
        s.close()
    except Exception:
        pass


def serve_one(ls, tag, ctx, body, **wrap):
    """Accept one connection, wrap it with ctx, run body(s); print any exception."""
    c = accept(ls, tag)
    if c is None:
        return
    s = None
    try:
        s = ctx.wrap_socket(c, server_side=True, **wrap)
        body(s)
    except Exception as e:
        out("%s error %s" % (tag, exc_text(e)))
    finally:
        close(s if s is not None else c)


def connect_one(port, tag, ctx, body, hostname="localhost", **wrap):
    s = None
    c = tcp(port)
    try:
        s = ctx.wrap_socket(c, server_hostname=hostname, **wrap)
        body(s)
    except Exception as e:
        out("%s error %s" % (tag, exc_text(e)))
    finally:
        close(s if s is not None else c)


def echo_srv(tag, detail=True):
    """Server body: print the connection, answer one line, read until EOF."""
    def body(s):
        conn_info(tag, s, detail)
        line = recv_line(s)
        out("%s got %r" % (tag, line))
        s.sendall(b"echo " + line)
        rest = s.recv(100)
        out("%s then %r" % (tag, rest))
    return body


def echo_cli(tag, detail=True, msg=b"hello\n"):
    def body(s):
        conn_info(tag, s, detail)
        s.sendall(msg)
        out("%s got %r" % (tag, recv_line(s)))
    return body


def read_fail_cli(tag):
    """Client body for a handshake the server rejects after the client's Finished
    (TLS 1.3): the client reads and so sees the server's alert."""
    def body(s):
        out("%s handshake done version=%s" % (tag, s.version()))
        try:
            data = s.recv(100)
            out("%s read %r" % (tag, data))
        except Exception as e:
            out("%s read error %s" % (tag, exc_text(e)))
    return body


###########################################################################
# basic: TLS 1.3 with defaults, channel binding, 1 MiB each way, unwrap
###########################################################################

BULK = 1 << 20


def bulk_data():
    return bytes((i * 7 + 3) & 0xFF for i in range(256)) * (BULK // 256)


def basic_server(port):
    ls = listener(port)
    ctx = srv_ctx()

    def conn1(s):
        conn_info("s1", s)
        out("s1 server_side=%s server_hostname=%s" % (s.server_side, s.server_hostname))
        cb = s.get_channel_binding("tls-unique")
        line = recv_line(s)
        out("s1 tls-unique matches client's: %s (len %d)" % (line.strip() == cb.hex().encode(), len(cb)))
        s.sendall(b"ok\n")
        data = recv_exact(s, BULK)
        out("s1 received %d bytes, intact=%s" % (len(data), data == bulk_data()))
        s.sendall(data[::-1])
        out("s1 pending=%d" % s.pending())
        plain = s.unwrap()
        out("s1 unwrapped: %s" % type(plain).__name__)
        line = recv_line(plain)
        out("s1 plaintext got %r" % line)
        plain.sendall(b"plain back\n")
        plain.close()

    serve_one(ls, "s1", ctx, conn1)
    # A second connection: the client closes without close_notify's answer
    serve_one(ls, "s2", ctx, echo_srv("s2", detail=False))


def basic_client(port):
    ctx = cli_ctx()
    out("c check_hostname=%s verify_mode=%r" % (ctx.check_hostname, ctx.verify_mode))

    def conn1(s):
        conn_info("c1", s)
        out("c1 server_side=%s server_hostname=%s" % (s.server_side, s.server_hostname))
        cb = s.get_channel_binding("tls-unique")
        s.sendall(cb.hex().encode() + b"\n")
        out("c1 got %r" % recv_line(s))
        s.sendall(bulk_data())
        back = recv_exact(s, BULK)
        out("c1 got back %d bytes, intact=%s" % (len(back), back == bulk_data()[::-1]))
        plain = s.unwrap()
        out("c1 unwrapped: %s" % type(plain).__name__)
        plain.sendall(b"plain\n")
        out("c1 plaintext got %r" % recv_line(plain))
        plain.close()

    connect_one(port, "c1", ctx, conn1)
    connect_one(port, "c2", ctx, echo_cli("c2", detail=False))


###########################################################################
# https: http.server with an encrypted key (password callback) / create_default_context
# with the CA store from SSL_CERT_FILE and SSL_CERT_DIR, http.client and urllib
###########################################################################

HTTPS_REQUESTS = 8


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, body):
        s = self.connection
        info = "path=%s version=%s cipher=%s" % (self.path, s.version(), s.cipher()[0])
        body = (info + "\n").encode() + body
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        out("s request %s %s" % (self.command, info))

    def do_GET(self):
        self.reply(b"")

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        data = self.rfile.read(n)
        self.reply(("posted %d md5=%s\n" % (len(data), hashlib.md5(data).hexdigest())).encode())


class TLSServer(http.server.HTTPServer):
    def get_request(self):
        c, addr = self.socket.accept()
        c.settimeout(TIMEOUT)
        try:
            s = self.tls.wrap_socket(c, server_side=True)
        except Exception as e:
            out("s handshake error %s" % exc_text(e))
            c.close()
            raise OSError("handshake failed")
        return s, addr

    def handle_error(self, request, client_address):
        out("s handler error %s" % exc_text(sys.exc_info()[1]))


def https_server(port):
    calls = []

    def password():
        calls.append(1)
        return "secret"

    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(p("server-chain.pem"), p("server-enc.key"), password=password)
    out("s password callback calls=%d" % len(calls))
    out("s verify_mode=%r check_hostname=%s" % (ctx.verify_mode, ctx.check_hostname))
    srv = TLSServer((LOCALHOST, port), Handler)
    srv.tls = ctx
    srv.timeout = TIMEOUT
    for _ in range(HTTPS_REQUESTS):
        srv.handle_request()
    srv.server_close()


def https_client(port):
    os.environ["SSL_CERT_FILE"] = p("root.pem")
    os.environ.pop("SSL_CERT_DIR", None)
    ctx = ssl.create_default_context()
    out("c verify_mode=%r check_hostname=%s verify_flags=%r" % (ctx.verify_mode, ctx.check_hostname, ctx.verify_flags))
    out("c minimum_version=%r maximum_version=%r" % (ctx.minimum_version, ctx.maximum_version))
    out("c cert_store_stats=%s" % ctx.cert_store_stats())
    out("c ca_certs=%s" % [cert_summary(c) for c in ctx.get_ca_certs()])
    out("c ca_certs_der=%s" % [der_id(c) for c in ctx.get_ca_certs(True)])

    # http.client: two requests on one connection, then a POST
    try:
        conn = http.client.HTTPSConnection("localhost", port, context=ctx, timeout=TIMEOUT)
        for path in ("/one", "/two"):
            conn.request("GET", path)
            r = conn.getresponse()
            out("c http.client %s status=%d body=%r" % (path, r.status, r.read()))
        body = b"x" * 100000
        conn.request("POST", "/post", body=body)
        r = conn.getresponse()
        out("c http.client POST status=%d body=%r" % (r.status, r.read()))
        out("c http.client sock version=%s" % conn.sock.version())
        conn.close()
    except Exception as e:
        out("c http.client error %s" % exc_text(e))

    # urllib with its own default context (create_default_context again)
    try:
        with urllib.request.urlopen("https://localhost:%d/urllib" % port, timeout=TIMEOUT) as r:
            out("c urllib status=%d body=%r" % (r.status, r.read()))
    except Exception as e:
        out("c urllib error %s" % exc_text(e))

    # by IP address: the certificate has IP:127.0.0.1
    try:
        with urllib.request.urlopen("https://127.0.0.1:%d/ip" % port, timeout=TIMEOUT) as r:
            out("c urllib ip status=%d body=%r" % (r.status, r.read()))
    except Exception as e:
        out("c urllib ip error %s" % exc_text(e))

    # ssl.get_server_certificate
    try:
        pem = ssl.get_server_certificate(("localhost", port), ca_certs=p("root.pem"), timeout=TIMEOUT)
        out("c get_server_certificate %s" % der_id(ssl.PEM_cert_to_DER_cert(pem)))
    except Exception as e:
        out("c get_server_certificate error %s" % exc_text(e))

    # the CA store from a hashed directory (SSL_CERT_DIR)
    del os.environ["SSL_CERT_FILE"]
    os.environ["SSL_CERT_FILE"] = "/nonexistent/cert.pem"
    os.environ["SSL_CERT_DIR"] = p("hashdir")
    ctx2 = ssl.create_default_context()
    out("c dir cert_store_stats=%s" % ctx2.cert_store_stats())
    try:
        conn = http.client.HTTPSConnection("localhost", port, context=ctx2, timeout=TIMEOUT)
        conn.request("GET", "/dir")
        r = conn.getresponse()
        out("c dir status=%d body=%r" % (r.status, r.read()))
        out("c dir after: cert_store_stats=%s" % ctx2.cert_store_stats())
        conn.close()
    except Exception as e:
        out("c dir error %s" % exc_text(e))

    # neither holds our root: verification fails, urllib wraps the error
    os.environ["SSL_CERT_DIR"] = "/nonexistent"
    try:
        with urllib.request.urlopen("https://localhost:%d/untrusted" % port, timeout=TIMEOUT) as r:
            out("c untrusted status=%d" % r.status)
    except Exception as e:
        out("c untrusted error %s" % exc_text(e))

    # a name the certificate does not have
    os.environ["SSL_CERT_FILE"] = p("root.pem")
    ctx3 = ssl.create_default_context()
    connect_one(port, "c wrongname", ctx3, lambda s: out("c wrongname connected"), hostname="other.example")
    # check_hostname off: the same name is accepted
    ctx3.check_hostname = False
    try:
        conn = http.client.HTTPSConnection("localhost", port, context=ctx3, timeout=TIMEOUT)
        conn.request("GET", "/nocheck")
        r = conn.getresponse()
        out("c nocheck status=%d body=%r" % (r.status, r.read()))
        conn.close()
    except Exception as e:
        out("c nocheck error %s" % exc_text(e))


###########################################################################
# asyncio: SSLObject + MemoryBIO (asyncio's sslproto) on both ends
###########################################################################


def asyncio_server(port):
    async def main():
        ctx = srv_ctx()
        ctx.set_alpn_protocols(["h2", "http/1.1"])
        count = [0]
        done = asyncio.Event()
        lock = asyncio.Lock()

        async def handle(reader, writer):
            async with lock:
                await handle_one(reader, writer)

        async def handle_one(reader, writer):
            count[0] += 1
            tag = "s%d" % count[0]
            obj = writer.get_extra_info("ssl_object")
            out("%s ssl_object=%s" % (tag, type(obj).__name__))
            conn_info(tag, obj, detail=False)
            out("%s peercert=%s" % (tag, cert_summary(writer.get_extra_info("peercert"))))
            out("%s extra cipher=%s" % (tag, writer.get_extra_info("cipher")))
            try:
                line = await reader.readline()
                out("%s got %r" % (tag, line))
                if line.startswith(b"bulk"):
                    n = int(line.split()[1])
                    data = await reader.readexactly(n)
                    out("%s bulk received %d intact=%s" % (tag, len(data), data == bulk_data()))
                    writer.write(hashlib.sha256(data).hexdigest().encode() + b"\n")
                    writer.write(data)
                else:
                    writer.write(b"echo " + line)
                await writer.drain()
                rest = await reader.read()
                out("%s eof, then %r" % (tag, rest))
            except Exception as e:
                out("%s error %s" % (tag, exc_text(e)))
            writer.close()
            try:
                await writer.wait_closed()
            except Exception as e:
                out("%s wait_closed %s" % (tag, exc_text(e)))
            if count[0] == 4:
                done.set()

        s1 = await asyncio.start_server(handle, LOCALHOST, port, ssl=ctx)
        try:
            await asyncio.wait_for(done.wait(), TIMEOUT * 2)
        except asyncio.TimeoutError:
            out("s timed out waiting for connections (%d)" % count[0])
        s1.close()
        await s1.wait_closed()

    asyncio.run(main())


def asyncio_client(port):
    async def one(tag, ctx, payload, hostname="localhost"):
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(LOCALHOST, port, ssl=ctx, server_hostname=hostname), TIMEOUT)
        except Exception as e:
            out("%s connect error %s" % (tag, exc_text(e)))
            return
        obj = writer.get_extra_info("ssl_object")
        out("%s ssl_object=%s" % (tag, type(obj).__name__))
        conn_info(tag, obj, detail=False)
        out("%s peercert=%s" % (tag, cert_summary(writer.get_extra_info("peercert"))))
        try:
            if payload == "bulk":
                writer.write(b"bulk %d\n" % BULK)
                writer.write(bulk_data())
                await writer.drain()
                digest = await reader.readline()
                back = await reader.readexactly(BULK)
                out("%s bulk digest ok=%s back intact=%s" % (
                    tag, digest.strip() == hashlib.sha256(bulk_data()).hexdigest().encode(), back == bulk_data()))
            else:
                writer.write(payload)
                await writer.drain()
                out("%s got %r" % (tag, await reader.readline()))
        except Exception as e:
            out("%s error %s" % (tag, exc_text(e)))
        writer.close()
        try:
            await writer.wait_closed()
        except Exception as e:
            out("%s wait_closed %s" % (tag, exc_text(e)))

    async def main():
        ctx = cli_ctx()
        ctx.set_alpn_protocols(["http/1.1", "h2"])
        await one("c1", ctx, b"hello asyncio\n")
        await one("c2", ctx, "bulk")
        ctx12 = cli_ctx()
        ctx12.maximum_version = ssl.TLSVersion.TLSv1_2
        await one("c3", ctx12, b"over tls 1.2\n")
        # verification failure: the client trusts another CA (the server sees an alert)
        await one("c4", cli_ctx("selfsigned.pem"), b"never\n")
        # hostname mismatch
        await one("c5", ctx, b"never\n", hostname="other.example")
        await one("c6", ctx, b"bye\n")

    asyncio.run(main())


###########################################################################
# versions: minimum_version / maximum_version, the version-specific protocols
###########################################################################

V = ssl.TLSVersion


def versions_server(port):
    ls = listener(port)
    plan = [
        ("s1", {}),
        ("s2", {"maximum_version": V.TLSv1_2}),
        ("s3", {"minimum_version": V.TLSv1_3}),
        ("s4", {"maximum_version": V.TLSv1_2}),
        ("s5", {}),
        ("s6", {}),
        ("s7", {"minimum_version": V.TLSv1_2, "maximum_version": V.TLSv1_2}),
    ]
    for tag, opts in plan:
        ctx = srv_ctx()
        for k, v in opts.items():
            setattr(ctx, k, v)
        out("%s minimum_version=%r maximum_version=%r" % (tag, ctx.minimum_version, ctx.maximum_version))
        serve_one(ls, tag, ctx, echo_srv(tag, detail=False))


def versions_client(port):
    plan = [
        ("c1", {"maximum_version": V.TLSv1_2}),       # -> TLS 1.2
        ("c2", {}),                                   # server max 1.2 -> TLS 1.2
        ("c3", {"maximum_version": V.TLSv1_2}),       # server min 1.3 -> protocol version alert
        ("c4", {"minimum_version": V.TLSv1_3}),       # server max 1.2 -> fails
        ("c5", {"minimum_version": V.TLSv1_3}),       # TLS 1.3
        ("c6", {"maximum_version": V.TLSv1_1}),       # nothing the client may offer
        ("c7", "PROTOCOL_TLSv1_2"),                   # the deprecated TLSv1_2_method
    ]
    for tag, opts in plan:
        if opts == "PROTOCOL_TLSv1_2":
            import warnings
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLSv1_2)
                out("%s warnings=%s" % (tag, [str(x.message) for x in w]))
            ctx.load_verify_locations(p("root.pem"))
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.check_hostname = True
        else:
            ctx = cli_ctx()
            for k, v in opts.items():
                try:
                    setattr(ctx, k, v)
                except Exception as e:
                    out("%s set %s error %s" % (tag, k, exc_text(e)))
        out("%s minimum_version=%r maximum_version=%r protocol=%r" % (
            tag, ctx.minimum_version, ctx.maximum_version, ctx.protocol))
        connect_one(port, tag, ctx, echo_cli(tag, detail=False))


###########################################################################
# ciphers: set_ciphers, get_ciphers, shared_ciphers, no shared cipher, ECDSA
###########################################################################


def ciphers_server(port):
    ls = listener(port)

    def srv_body(tag):
        def body(s):
            conn_info(tag, s, detail=False)
            suites("%s shared_ciphers" % tag, s.shared_ciphers(), lambda t: t[0])
            line = recv_line(s)
            s.sendall(b"echo " + line)
        return body

    ctx = srv_ctx()
    ctx.maximum_version = V.TLSv1_2
    ctx.set_ciphers("ECDHE-RSA-CHACHA20-POLY1305")
    suites("s1 get_ciphers", [c["name"] for c in ctx.get_ciphers()])
    serve_one(ls, "s1", ctx, srv_body("s1"))
    ctx = srv_ctx()
    ctx.maximum_version = V.TLSv1_2
    serve_one(ls, "s2", ctx, srv_body("s2"))
    ctx = srv_ctx()
    ctx.maximum_version = V.TLSv1_2
    ctx.set_ciphers("ECDHE-RSA-AES256-GCM-SHA384")
    serve_one(ls, "s3", ctx, srv_body("s3"))
    ctx = srv_ctx("ec.pem", "ec.key")
    ctx.maximum_version = V.TLSv1_2
    serve_one(ls, "s4", ctx, srv_body("s4"))
    ctx = srv_ctx("ec.pem", "ec.key")
    serve_one(ls, "s5", ctx, srv_body("s5"))
    ctx = srv_ctx()
    ctx.set_ciphers("HIGH:!aNULL:!kRSA:!PSK:!SRP:!MD5:!RC4")
    serve_one(ls, "s6", ctx, srv_body("s6"))


def ciphers_client(port):
    def cli_body(tag):
        def body(s):
            conn_info(tag, s, detail=False)
            suites("%s shared_ciphers" % tag, s.shared_ciphers(), lambda t: t[0])
            s.sendall(b"x\n")
            out("%s got %r" % (tag, recv_line(s)))
        return body

    ctx = cli_ctx()
    connect_one(port, "c1", ctx, cli_body("c1"))
    ctx = cli_ctx()
    ctx.set_ciphers("ECDHE-RSA-AES128-GCM-SHA256")
    suites("c2 get_ciphers", [c["name"] for c in ctx.get_ciphers()])
    connect_one(port, "c2", ctx, cli_body("c2"))
    ctx = cli_ctx()
    ctx.set_ciphers("ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305")
    connect_one(port, "c3", ctx, cli_body("c3"))
    ctx = cli_ctx()
    connect_one(port, "c4", ctx, cli_body("c4"))
    ctx = cli_ctx()
    connect_one(port, "c5", ctx, cli_body("c5"))
    ctx = cli_ctx()
    ctx.maximum_version = V.TLSv1_2
    ctx.set_ciphers("ECDHE+AESGCM")
    connect_one(port, "c6", ctx, cli_body("c6"))


###########################################################################
# alpn
###########################################################################


def alpn_server(port):
    ls = listener(port)
    for i in range(1, 6):
        ctx = srv_ctx()
        if i != 5:
            ctx.set_alpn_protocols(["h2", "http/1.1"])
        if i == 4:
            ctx.maximum_version = V.TLSv1_2
        serve_one(ls, "s%d" % i, ctx, echo_srv("s%d" % i, detail=False))


def alpn_client(port):
    plan = [
        ("c1", ["http/1.1", "h2"]),   # server preference: h2
        ("c2", ["spdy/3", "http/1.1"]),
        ("c3", ["spdy/3"]),           # no overlap: nothing selected
        ("c4", ["http/1.1"]),         # over TLS 1.2
        ("c5", ["h2"]),               # the server has no ALPN
    ]
    for tag, protos in plan:
        ctx = cli_ctx()
        ctx.set_alpn_protocols(protos)
        connect_one(port, tag, ctx, echo_cli(tag, detail=False))


###########################################################################
# resume: sessions, session_reused, tickets, session ids, session_stats
###########################################################################


def session_info(tag, sess, now):
    if sess is None:
        out("%s session=None" % tag)
        return
    out("%s session has_ticket=%s ticket_lifetime_hint=%s timeout=%s id_len=%d time_ok=%s" % (
        tag, sess.has_ticket, sess.ticket_lifetime_hint, sess.timeout, len(sess.id),
        abs(sess.time - now) < 120))


def resume_server(port):
    ls = listener(port)
    ctx = srv_ctx()
    out("s num_tickets=%d" % ctx.num_tickets)

    def body(tag, unwrap=False):
        def b(s):
            out("%s version=%s session_reused=%s" % (tag, s.version(), s.session_reused))
            line = recv_line(s)
            s.sendall(b"echo " + line)
            if unwrap:
                sess = s.session
                s.unwrap()
                out("%s unwrapped" % tag)
            else:
                rest = s.recv(100)
                out("%s then %r" % (tag, rest))
                sess = s.session
            session_info(tag, sess, time.time())
        return b

    for i in range(1, 7):
        serve_one(ls, "s%d" % i, ctx, body("s%d" % i))
    out("s session_stats=%s" % ctx.session_stats())
    # TLS 1.2 with session ids only: OpenSSL forgets the session of a connection closed
    # without close_notify (s7, s8); after unwrap() on both ends it resumes (s10, s11)
    nt = srv_ctx()
    nt.options |= ssl.OP_NO_TICKET
    for i in (7, 8, 10, 11):
        serve_one(ls, "s%d" % i, nt, body("s%d" % i, unwrap=i >= 10))
    out("s no-ticket session_stats=%s" % nt.session_stats())


def resume_client(port):
    def conn(tag, ctx, session=None, unwrap=False):
        res = {}

        def b(s):
            out("%s version=%s session_reused=%s" % (tag, s.version(), s.session_reused))
            s.sendall(b"hi\n")
            out("%s got %r" % (tag, recv_line(s)))
            res["session"] = s.session
            if unwrap:
                s.unwrap()
                out("%s unwrapped" % tag)
            session_info(tag, res["session"], time.time())
        connect_one(port, tag, ctx, b, session=session)
        return res.get("session")

    ctx = cli_ctx()
    s1 = conn("c1", ctx)
    s2 = conn("c2", ctx, s1)
    conn("c3", ctx)
    ctx12 = cli_ctx()
    ctx12.maximum_version = V.TLSv1_2
    s4 = conn("c4", ctx12)
    s5 = conn("c5", ctx12, s4)
    if s4 is not None and s5 is not None:
        out("c5 same session id as c4: %s" % (s4.id == s5.id))
    conn("c6", ctx12, s5)
    out("c session_stats=%s" % ctx.session_stats())
    s7 = conn("c7", ctx12)
    s8 = conn("c8", ctx12, s7)
    if s7 is not None and s8 is not None:
        out("c8 same session id as c7: %s" % (s7.id == s8.id))
    s10 = conn("c10", ctx12, unwrap=True)
    s11 = conn("c11", ctx12, s10, unwrap=True)
    if s10 is not None and s11 is not None:
        out("c11 same session id as c10: %s" % (s10.id == s11.id))
    out("c12 session_stats=%s" % ctx12.session_stats())


###########################################################################
# client_cert: CERT_REQUIRED / CERT_OPTIONAL, missing or untrusted client certificates
###########################################################################


def client_cert_server(port):
    ls = listener(port)
    req = srv_ctx()
    req.verify_mode = ssl.CERT_REQUIRED
    req.load_verify_locations(p("root.pem"))
    opt = srv_ctx()
    opt.verify_mode = ssl.CERT_OPTIONAL
    opt.load_verify_locations(p("root.pem"))
    req12 = srv_ctx()
    req12.verify_mode = ssl.CERT_REQUIRED
    req12.load_verify_locations(p("root.pem"))
    req12.maximum_version = V.TLSv1_2
    for tag, ctx in (("s1", req), ("s2", req), ("s3", req), ("s4", req12), ("s5", req),
                     ("s6", req12), ("s7", opt), ("s8", opt)):
        serve_one(ls, tag, ctx, echo_srv(tag))


def client_cert_client(port):
    def ctx_with(cert=None, key=None, password=None):
        ctx = cli_ctx()
        if cert:
            ctx.load_cert_chain(p(cert), p(key), password=password)
        return ctx

    connect_one(port, "c1", ctx_with("client.pem", "client.key"), echo_cli("c1", detail=False))
    connect_one(port, "c2", ctx_with("client.pem", "client-enc.key", b"secret"), echo_cli("c2", detail=False))
    # no certificate: TLS 1.3 handshake done on the client, the alert comes on the read
    connect_one(port, "c3", ctx_with(), read_fail_cli("c3"))
    # no certificate over TLS 1.2: the handshake fails
    connect_one(port, "c4", ctx_with(), read_fail_cli("c4"))
    # a certificate of another CA
    connect_one(port, "c5", ctx_with("other-client.pem", "other-client.key"), read_fail_cli("c5"))
    connect_one(port, "c6", ctx_with("other-client.pem", "other-client.key"), read_fail_cli("c6"))
    # CERT_OPTIONAL: without, then with a certificate
    connect_one(port, "c7", ctx_with(), echo_cli("c7", detail=False))
    connect_one(port, "c8", ctx_with("client.pem", "client.key"), echo_cli("c8", detail=False))


###########################################################################
# pha: TLS 1.3 post-handshake authentication
###########################################################################


def pha_server(port):
    ls = listener(port)

    def body(tag):
        def b(s):
            while True:
                line = recv_line(s)
                if not line:
                    out("%s eof" % tag)
                    return
                cmd = line.strip()
                out("%s command %s" % (tag, cmd.decode()))
                if cmd == b"HASCERT":
                    c = s.getpeercert()
                    out("%s peer cn=%s" % (tag, cn_of(c)))
                    s.sendall(b"TRUE\n" if c else b"FALSE\n")
                elif cmd == b"PHA":
                    try:
                        s.verify_client_post_handshake()
                        s.sendall(b"OK\n")
                    except Exception as e:
                        out("%s verify_client_post_handshake error %s" % (tag, exc_text(e)))
                        s.sendall(b"ERR\n")
                else:
                    s.sendall(b"?\n")
        return b

    ctx = srv_ctx()
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.post_handshake_auth = True
    ctx.load_verify_locations(p("root.pem"))
    out("s post_handshake_auth=%s" % ctx.post_handshake_auth)
    ctx12 = srv_ctx()
    ctx12.verify_mode = ssl.CERT_REQUIRED
    ctx12.post_handshake_auth = True
    ctx12.load_verify_locations(p("root.pem"))
    ctx12.maximum_version = V.TLSv1_2
    for tag, c in (("s1", ctx), ("s2", ctx), ("s3", ctx), ("s4", ctx12)):
        serve_one(ls, tag, c, body(tag))


def pha_client(port):
    def body(tag, cmds):
        def b(s):
            out("%s version=%s" % (tag, s.version()))
            reply = None
            for cmd in cmds:
                # READ waits for the server's alert after its certificate request: a server
                # that refused to ask (ERR) sends nothing more.
                if cmd == b"READ" and reply == b"ERR\n":
                    out("%s READ skipped: the server did not ask" % tag)
                    continue
                try:
                    if cmd != b"READ":
                        s.sendall(cmd + b"\n")
                    reply = recv_line(s)
                    out("%s %s -> %r" % (tag, cmd.decode(), reply))
                except Exception as e:
                    out("%s %s error %s" % (tag, cmd.decode(), exc_text(e)))
                    return
        return b

    ctx = cli_ctx()
    ctx.load_cert_chain(p("client.pem"), p("client.key"))
    ctx.post_handshake_auth = True
    out("c post_handshake_auth=%s" % ctx.post_handshake_auth)
    connect_one(port, "c1", ctx, body("c1", [b"HASCERT", b"PHA", b"HASCERT", b"HASCERT"]))
    # the client does not offer post-handshake auth
    noext = cli_ctx()
    noext.load_cert_chain(p("client.pem"), p("client.key"))
    connect_one(port, "c2", noext, body("c2", [b"HASCERT", b"PHA", b"HASCERT"]))
    # the client offers it but has no certificate
    nocert = cli_ctx()
    nocert.post_handshake_auth = True
    # (the client only reads after PHA: it sees the server's alert, whatever the timing)
    connect_one(port, "c3", nocert, body("c3", [b"PHA", b"READ"]))
    # TLS 1.2: a certificate is requested in the handshake
    connect_one(port, "c4", ctx, body("c4", [b"HASCERT", b"PHA"]))


###########################################################################
# crl: verify_flags with CRLs (VERIFY_CRL_CHECK_LEAF / _CHAIN)
###########################################################################


def crl_server(port):
    ls = listener(port)
    plan = [("s1", "revoked"), ("s2", "ec"), ("s3", "server"), ("s4", "ec"), ("s5", "revoked"),
            ("s6", "ec"), ("s7", "ec"), ("s8", "ec")]
    for tag, which in plan:
        if which == "server":
            ctx = srv_ctx()
        else:
            ctx = srv_ctx("%s.pem" % which, "%s.key" % which)
        if tag in ("s6", "s7", "s8"):
            # the server checks client certificates against the CRL
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(p("root.pem"))
            ctx.load_verify_locations(p("root-client.crl.pem"))
            ctx.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
            out("%s cert_store_stats=%s" % (tag, ctx.cert_store_stats()))
        serve_one(ls, tag, ctx, echo_srv(tag, detail=False))


def crl_client(port):
    def ctx_crl(crl=True, flag=ssl.VERIFY_CRL_CHECK_LEAF):
        ctx = cli_ctx()
        if crl:
            ctx.load_verify_locations(p("root.crl.pem"))
        ctx.verify_flags |= flag
        return ctx

    c = ctx_crl()
    out("c verify_flags=%r cert_store_stats=%s" % (c.verify_flags, c.cert_store_stats()))
    connect_one(port, "c1", c, echo_cli("c1", detail=False))            # revoked
    connect_one(port, "c2", c, echo_cli("c2", detail=False))            # good
    connect_one(port, "c3", c, echo_cli("c3", detail=False))            # issuer's CRL missing
    connect_one(port, "c4", ctx_crl(crl=False), echo_cli("c4", detail=False))  # no CRL at all
    connect_one(port, "c5", cli_ctx(), echo_cli("c5", detail=False))    # revoked, no CRL check
    # the client certificate checked by the server
    cc = cli_ctx()
    cc.load_cert_chain(p("client.pem"), p("client.key"))
    connect_one(port, "c6", cc, echo_cli("c6", detail=False))
    rc = cli_ctx()
    rc.load_cert_chain(p("revoked-client.pem"), p("revoked-client.key"))
    connect_one(port, "c7", rc, read_fail_cli("c7"))
    rc12 = cli_ctx()
    rc12.maximum_version = V.TLSv1_2
    rc12.load_cert_chain(p("revoked-client.pem"), p("revoked-client.key"))
    connect_one(port, "c8", rc12, read_fail_cli("c8"))


###########################################################################
# keylog: keylog_filename on both ends
###########################################################################


def keylog_labels(path):
    labels = []
    try:
        with open(path) as f:
            for line in f:
                if line.startswith("#") or not line.strip():
                    labels.append("comment" if line.startswith("#") else "empty")
                    continue
                labels.append(line.split()[0])
    except OSError as e:
        return "unreadable: %s" % e.strerror
    return sorted(labels)


def keylog_server(port):
    ls = listener(port)
    path = os.path.join(TMP, "keylog.srv")
    ctx = srv_ctx()
    ctx.keylog_filename = path
    out("s keylog_filename set: %s" % (ctx.keylog_filename == path))
    serve_one(ls, "s1", ctx, echo_srv("s1", detail=False))
    out("s1 labels=%s" % keylog_labels(path))
    ctx12 = srv_ctx()
    ctx12.maximum_version = V.TLSv1_2
    path12 = os.path.join(TMP, "keylog12.srv")
    ctx12.keylog_filename = path12
    serve_one(ls, "s2", ctx12, echo_srv("s2", detail=False))
    out("s2 labels=%s" % keylog_labels(path12))


def keylog_client(port):
    path = os.path.join(TMP, "keylog.cli")
    ctx = cli_ctx()
    ctx.keylog_filename = path
    connect_one(port, "c1", ctx, echo_cli("c1", detail=False))
    out("c1 labels=%s" % keylog_labels(path))
    path12 = os.path.join(TMP, "keylog12.cli")
    ctx12 = cli_ctx()
    ctx12.keylog_filename = path12
    connect_one(port, "c2", ctx12, echo_cli("c2", detail=False))
    out("c2 labels=%s" % keylog_labels(path12))


###########################################################################
# sni: server_hostname on the client, sni_callback switching the context on the server
###########################################################################


def sni_server(port):
    ls = listener(port)
    main = srv_ctx()
    second = srv_ctx("second.pem", "second.key")
    second.set_alpn_protocols(["second"])
    seen = []

    def cb(sslobj, name, ctx):
        seen.append(name)
        out("s sni_callback name=%r ctx_is_main=%s server_side=%s" % (name, ctx is main, sslobj.server_side))
        if name == "second.test":
            sslobj.context = second
            out("s switched: context is second: %s" % (sslobj.context is second))
        elif name == "reject.test":
            return ssl.ALERT_DESCRIPTION_UNRECOGNIZED_NAME
        elif name == "raise.test":
            raise ValueError("bad name")
        return None

    main.sni_callback = cb
    for i in range(1, 8):
        tag = "s%d" % i
        serve_one(ls, tag, main, echo_srv(tag, detail=False))


def sni_client(port):
    def body(tag):
        def b(s):
            out("%s version=%s peer cn=%s alpn=%s" % (tag, s.version(), cn_of(s.getpeercert()), s.selected_alpn_protocol()))
            s.sendall(b"hi\n")
            out("%s got %r" % (tag, recv_line(s)))
        return b

    ctx = cli_ctx()
    ctx.set_alpn_protocols(["second", "http/1.1"])
    connect_one(port, "c1", ctx, body("c1"), hostname="localhost")
    connect_one(port, "c2", ctx, body("c2"), hostname="second.test")
    nocheck = cli_ctx()
    nocheck.check_hostname = False
    connect_one(port, "c3", nocheck, body("c3"), hostname=None)       # no SNI at all
    connect_one(port, "c4", ctx, body("c4"), hostname="127.0.0.1")    # an IP: no SNI
    connect_one(port, "c5", ctx, body("c5"), hostname="reject.test")
    connect_one(port, "c6", nocheck, body("c6"), hostname="raise.test")
    ctx12 = cli_ctx()
    ctx12.maximum_version = V.TLSv1_2
    connect_one(port, "c7", ctx12, body("c7"), hostname="second.test")


###########################################################################
# verify: certificate verification failures on the client, with OpenSSL's codes
###########################################################################

VERIFY_PLAN = [
    ("1", "selfsigned.pem", "selfsigned.key", "localhost", "root.pem"),
    ("2", "expired.pem", "expired.key", "localhost", "root.pem"),
    ("3", "wrong.pem", "wrong.key", "localhost", "root.pem"),
    ("4", "server.pem", "server.key", "localhost", "root.pem"),     # the intermediate missing
    ("5", "server-chain.pem", "server.key", "localhost", "selfsigned.pem"),
    ("6", "server-chain.pem", "server.key", "127.0.0.2", "root.pem"),  # IP mismatch
    ("7", "server-chain.pem", "server.key", "localhost", None),    # CERT_NONE
    ("8", "expired.pem", "expired.key", "localhost", "optional"),  # CERT_OPTIONAL
    ("9", "server-chain.pem", "server.key", "localhost", "root.pem"),
]


def verify_server(port):
    ls = listener(port)
    for n, cert, key, _, _ in VERIFY_PLAN:
        serve_one(ls, "s" + n, srv_ctx(cert, key), echo_srv("s" + n, detail=False))


def verify_client(port):
    for n, _, _, host, ca in VERIFY_PLAN:
        tag = "c" + n
        if ca is None:
            ctx = cli_ctx(None)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        elif ca == "optional":
            ctx = cli_ctx()
            ctx.verify_mode = ssl.CERT_OPTIONAL
        else:
            ctx = cli_ctx(ca)
        connect_one(port, tag, ctx, echo_cli(tag), hostname=host)


###########################################################################
# nonblocking: non-blocking sockets, SSLWantRead/WriteError, select
###########################################################################

import select  # noqa: E402


def nb_wait(s, kind, deadline):
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("non-blocking loop timed out")
    if kind == "read":
        select.select([s], [], [], left)
    else:
        select.select([], [s], [], left)


def nb_handshake(s):
    kinds = set()
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            s.do_handshake()
            return kinds
        except ssl.SSLWantReadError:
            kinds.add("want_read")
            nb_wait(s, "read", deadline)
        except ssl.SSLWantWriteError:
            kinds.add("want_write")
            nb_wait(s, "write", deadline)


def nb_send(s, data):
    view = memoryview(data)
    deadline = time.monotonic() + TIMEOUT
    while view:
        try:
            n = s.send(view)
            view = view[n:]
        except (ssl.SSLWantWriteError, BlockingIOError):
            nb_wait(s, "write", deadline)
        except ssl.SSLWantReadError:
            nb_wait(s, "read", deadline)


def nb_recv(s, n):
    buf = bytearray()
    deadline = time.monotonic() + TIMEOUT
    while len(buf) < n:
        try:
            chunk = s.recv(n - len(buf))
            if not chunk:
                break
            buf += chunk
        except ssl.SSLWantReadError:
            nb_wait(s, "read", deadline)
        except ssl.SSLWantWriteError:
            nb_wait(s, "write", deadline)
    return bytes(buf)


def nonblocking_server(port):
    ls = listener(port)
    ctx = srv_ctx()
    c = accept(ls, "s1")
    if c is None:
        return
    try:
        c.setblocking(False)
        s = ctx.wrap_socket(c, server_side=True, do_handshake_on_connect=False)
        nb_handshake(s)
        conn_info("s1", s, detail=False)
        # the client sends nothing before it reads "go"
        try:
            s.recv(10)
            out("s1 recv before data: no exception")
        except ssl.SSLWantReadError as e:
            out("s1 recv before data: %s" % exc_text(e))
        out("s1 pending=%d" % s.pending())
        nb_send(s, b"go\n")
        data = nb_recv(s, BULK)
        out("s1 received %d intact=%s" % (len(data), data == bulk_data()))
        nb_send(s, data)
        rest = nb_recv(s, 1)
        out("s1 then %r" % rest)
        s.close()
    except Exception as e:
        out("s1 error %s" % exc_text(e))


def nonblocking_client(port):
    ctx = cli_ctx()
    c = tcp(port)
    try:
        c.setblocking(False)
        s = ctx.wrap_socket(c, server_hostname="localhost", do_handshake_on_connect=False)
        try:
            s.recv(10)
        except Exception as e:
            out("c1 recv before handshake: %s" % type(e).__name__)
        kinds = nb_handshake(s)
        out("c1 handshake waited for reading: %s" % ("want_read" in kinds))
        conn_info("c1", s, detail=False)
        out("c1 got %r" % nb_recv(s, 3))
        nb_send(s, bulk_data())
        back = nb_recv(s, BULK)
        out("c1 got back %d intact=%s" % (len(back), back == bulk_data()))
        s.close()
    except Exception as e:
        out("c1 error %s" % exc_text(e))


###########################################################################
# memorybio: SSLObject over MemoryBIOs, pumped by hand over a socket
###########################################################################


def pump(sock, obj, inc, outg, fn, tag):
    """Call fn() until it stops asking for more data; returns its result."""
    while True:
        try:
            res = fn()
        except ssl.SSLWantReadError:
            data = outg.read()
            if data:
                sock.sendall(data)
            chunk = sock.recv(65536)
            if not chunk:
                inc.write_eof()
            else:
                inc.write(chunk)
            continue
        data = outg.read()
        if data:
            sock.sendall(data)
        return res


def memorybio_server(port):
    ls = listener(port)
    ctx = srv_ctx()
    ctx.set_alpn_protocols(["h2", "x"])
    c = accept(ls, "s1")
    if c is None:
        return
    inc, outg = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, outg, server_side=True)
    out("s1 before handshake: version=%s cipher=%s pending=%d" % (obj.version(), obj.cipher(), outg.pending))
    try:
        pump(c, obj, inc, outg, obj.do_handshake, "s1")
        conn_info("s1", obj, detail=False)
        data = pump(c, obj, inc, outg, lambda: obj.read(100), "s1")
        out("s1 read %r" % data)
        obj.write(b"reply\n")
        c.sendall(outg.read())
        try:
            data = pump(c, obj, inc, outg, lambda: obj.read(100), "s1")
            out("s1 read after reply %r" % data)
        except ssl.SSLZeroReturnError as e:
            out("s1 %s" % exc_text(e))
        pump(c, obj, inc, outg, obj.unwrap, "s1")
        out("s1 unwrapped")
    except Exception as e:
        out("s1 error %s" % exc_text(e))
    c.close()


def memorybio_client(port):
    ctx = cli_ctx()
    ctx.set_alpn_protocols(["x"])
    c = tcp(port)
    inc, outg = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, outg, server_hostname="localhost")
    try:
        try:
            obj.do_handshake()
        except ssl.SSLWantReadError as e:
            out("c1 first do_handshake: %s; ClientHello queued: %s" % (exc_text(e), outg.pending > 0))
        pump(c, obj, inc, outg, obj.do_handshake, "c1")
        conn_info("c1", obj)
        obj.write(b"hello bio\n")
        c.sendall(outg.read())
        out("c1 read %r" % pump(c, obj, inc, outg, lambda: obj.read(100), "c1"))
        pump(c, obj, inc, outg, obj.unwrap, "c1")
        out("c1 unwrapped; incoming eof=%s" % inc.eof)
    except Exception as e:
        out("c1 error %s" % exc_text(e))
    c.close()


###########################################################################
# local scenarios: no peer
###########################################################################


def ctx_state(tag, ctx):
    out("%s protocol=%r" % (tag, ctx.protocol))
    out("%s options=%r" % (tag, ctx.options))
    out("%s verify_mode=%r check_hostname=%s verify_flags=%r" % (tag, ctx.verify_mode, ctx.check_hostname, ctx.verify_flags))
    out("%s minimum_version=%r maximum_version=%r" % (tag, ctx.minimum_version, ctx.maximum_version))
    out("%s security_level=%r post_handshake_auth=%r hostname_checks_common_name=%r" % (
        tag, ctx.security_level, ctx.post_handshake_auth, ctx.hostname_checks_common_name))
    try:
        out("%s num_tickets=%r" % (tag, ctx.num_tickets))
    except Exception as e:
        out("%s num_tickets error %s" % (tag, exc_text(e)))
    out("%s session_stats=%s" % (tag, ctx.session_stats()))
    out("%s cert_store_stats=%s" % (tag, ctx.cert_store_stats()))
    suites("%s ciphers" % tag, [c["name"] for c in ctx.get_ciphers()])


def context_local():
    out("OPENSSL_VERSION=%s" % ssl.OPENSSL_VERSION)
    out("HAS_TLSv1_3=%s HAS_ALPN=%s HAS_SNI=%s HAS_ECDH=%s HAS_NEVER_CHECK_COMMON_NAME=%s" % (
        ssl.HAS_TLSv1_3, ssl.HAS_ALPN, ssl.HAS_SNI, ssl.HAS_ECDH, ssl.HAS_NEVER_CHECK_COMMON_NAME))
    ctx_state("client", ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT))
    ctx_state("server", ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER))
    ctx_state("default", ssl.create_default_context())
    ctx_state("default_server", ssl.create_default_context(ssl.Purpose.CLIENT_AUTH))
    import warnings
    warnings.simplefilter("ignore")
    ctx_state("tls", ssl.SSLContext(ssl.PROTOCOL_TLS))
    ctx_state("tlsv1_2", ssl.SSLContext(ssl.PROTOCOL_TLSv1_2))
    for proto in ("PROTOCOL_TLSv1", "PROTOCOL_TLSv1_1"):
        try:
            c = ssl.SSLContext(getattr(ssl, proto))
            out("%s minimum_version=%r maximum_version=%r" % (proto, c.minimum_version, c.maximum_version))
        except Exception as e:
            out("%s error %s" % (proto, exc_text(e)))
    # setters and read-back
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    for attr, value in (("minimum_version", V.TLSv1_2), ("maximum_version", V.TLSv1_3),
                        ("minimum_version", V.MINIMUM_SUPPORTED), ("maximum_version", V.MAXIMUM_SUPPORTED),
                        ("minimum_version", V.TLSv1), ("maximum_version", V.TLSv1_2),
                        ("minimum_version", V.TLSv1_3)):
        try:
            setattr(c, attr, value)
            out("set %s=%r -> min=%r max=%r" % (attr, value, c.minimum_version, c.maximum_version))
        except Exception as e:
            out("set %s=%r error %s" % (attr, value, exc_text(e)))
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    c.options |= ssl.OP_NO_TLSv1_3
    out("OP_NO_TLSv1_3: options=%r max=%r" % (c.options, c.maximum_version))
    c.options &= ~ssl.OP_NO_COMPRESSION
    out("cleared OP_NO_COMPRESSION: options=%r" % c.options)
    c.options |= ssl.OP_NO_TICKET | ssl.OP_CIPHER_SERVER_PREFERENCE | ssl.OP_ENABLE_MIDDLEBOX_COMPAT
    out("more options=%r" % c.options)
    c.check_hostname = False
    c.verify_mode = ssl.CERT_NONE
    out("verify_mode=%r check_hostname=%s" % (c.verify_mode, c.check_hostname))
    c.verify_flags = ssl.VERIFY_CRL_CHECK_CHAIN | ssl.VERIFY_X509_STRICT | ssl.VERIFY_X509_PARTIAL_CHAIN
    out("verify_flags=%r" % c.verify_flags)
    s = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    for n in (0, 1, 5):
        s.num_tickets = n
        out("num_tickets=%d -> %d" % (n, s.num_tickets))
    try:
        s.num_tickets = -1
    except Exception as e:
        out("num_tickets=-1 error %s" % exc_text(e))
    try:
        c.num_tickets = 1
    except Exception as e:
        out("client num_tickets error %s" % exc_text(e))
    for curve in ("prime256v1", "secp384r1", "X25519", "nosuchcurve"):
        try:
            s.set_ecdh_curve(curve)
            out("set_ecdh_curve(%s) ok" % curve)
        except Exception as e:
            out("set_ecdh_curve(%s) error %s" % (curve, exc_text(e)))
    try:
        s.load_dh_params(p("dh.pem"))
        out("load_dh_params ok")
    except Exception as e:
        out("load_dh_params error %s" % exc_text(e))
    s.set_alpn_protocols(["h2", "http/1.1"])
    out("set_alpn_protocols ok")
    # objects made from a context before any connection
    obj = c.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname="localhost")
    out("fresh SSLObject: version=%r cipher=%r compression=%r alpn=%r reused=%r session=%r pending=%r" % (
        obj.version(), obj.cipher(), obj.compression(), obj.selected_alpn_protocol(), obj.session_reused,
        obj.session, obj.pending()))
    suites("fresh SSLObject: shared_ciphers", obj.shared_ciphers(), lambda t: t[0])
    try:
        out("fresh SSLObject: getpeercert=%r" % obj.getpeercert())
    except Exception as e:
        out("fresh SSLObject: getpeercert error %s" % exc_text(e))
    try:
        obj.write(b"x")
    except Exception as e:
        out("write before handshake: %s" % type(e).__name__)
    try:
        obj.verify_client_post_handshake()
    except Exception as e:
        out("verify_client_post_handshake on a client: %s" % exc_text(e))
    sobj = s.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_side=True)
    try:
        sobj.verify_client_post_handshake()
    except Exception as e:
        out("verify_client_post_handshake before the handshake: %s" % exc_text(e))
    # a server fed garbage
    inc = ssl.MemoryBIO()
    sobj = s.wrap_bio(inc, ssl.MemoryBIO(), server_side=True)
    inc.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    try:
        sobj.do_handshake()
    except Exception as e:
        out("plain HTTP to a TLS server: %s" % exc_text(e))
    inc = ssl.MemoryBIO()
    sobj = s.wrap_bio(inc, ssl.MemoryBIO(), server_side=True)
    inc.write(b"\x16\x03\x01\x00\x05hello")
    try:
        sobj.do_handshake()
    except Exception as e:
        out("garbage handshake record: %s" % exc_text(e))
    inc = ssl.MemoryBIO()
    sobj = s.wrap_bio(inc, ssl.MemoryBIO(), server_side=True)
    inc.write_eof()
    try:
        sobj.do_handshake()
    except Exception as e:
        out("EOF before the ClientHello: %s" % exc_text(e))


CIPHER_STRINGS = [
    "DEFAULT", "HIGH", "HIGH:!aNULL:!MD5", "ECDHE+AESGCM", "ECDHE+AESGCM:ECDHE+CHACHA20",
    "AES256-GCM-SHA384", "ECDHE-ECDSA-AES128-SHA256", "kRSA", "aECDSA", "CHACHA20",
    "@SECLEVEL=0:ALL", "ALL:@STRENGTH", "eNULL", "RC4", "nonsense", "",
]


def cipher_strings_local():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    out("default ciphers:")
    suite_dicts("  ", ctx.get_ciphers())
    for cs in CIPHER_STRINGS:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        try:
            ctx.set_ciphers(cs)
            suites("set_ciphers(%r)" % cs, [c["name"] for c in ctx.get_ciphers()])
        except Exception as e:
            out("set_ciphers(%r) error %s" % (cs, exc_text(e)))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.set_ciphers("ALL:@SECLEVEL=0")
    out("every cipher, described:")
    suite_dicts("  ", ctx.get_ciphers())


def cert_loading_local():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    calls = []

    def cb_ok():
        calls.append("ok")
        return b"secret"

    def cb_wrong():
        calls.append("wrong")
        return "nope"

    def cb_raise():
        calls.append("raise")
        raise KeyError("no password here")

    def cb_long():
        calls.append("long")
        return "x" * 2000

    cases = [
        ("plain", ("client.pem", "client.key"), {}),
        ("cert+key in one file", ("server-combined.pem", None), {}),
        ("chain", ("server-chain.pem", "server.key"), {}),
        ("encrypted, password str", ("client.pem", "client-enc.key"), {"password": "secret"}),
        ("encrypted, password bytes", ("client.pem", "client-enc.key"), {"password": b"secret"}),
        ("encrypted, callback", ("client.pem", "client-enc.key"), {"password": cb_ok}),
        ("encrypted, wrong password", ("client.pem", "client-enc.key"), {"password": "wrong"}),
        ("encrypted, callback wrong", ("client.pem", "client-enc.key"), {"password": cb_wrong}),
        ("encrypted, callback raises", ("client.pem", "client-enc.key"), {"password": cb_raise}),
        ("encrypted, callback too long", ("client.pem", "client-enc.key"), {"password": cb_long}),
        ("key mismatch", ("client.pem", "server.key"), {}),
        ("ec", ("ec.pem", "ec.key"), {}),
        ("missing cert", ("nonexistent.pem", "client.key"), {}),
        ("missing key", ("client.pem", "nonexistent.key"), {}),
        ("key as cert", ("client.key", "client.key"), {}),
        ("cert without key", ("client.pem", None), {}),
        ("empty file", ("empty.pem", "client.key"), {}),
    ]
    for name, (cert, key), kw in cases:
        del calls[:]
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        try:
            ctx.load_cert_chain(p(cert), p(key) if key else None, **kw)
            out("load_cert_chain %s: ok calls=%s" % (name, calls))
        except Exception as e:
            out("load_cert_chain %s: calls=%s %s" % (name, calls, exc_text(e)))

    # trust anchors: files, directories, cadata (PEM text and DER bytes), CRLs
    def verify_case(name, **kw):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        try:
            ctx.load_verify_locations(**kw)
            out("load_verify_locations %s: ok stats=%s" % (name, ctx.cert_store_stats()))
            out("  get_ca_certs=%s" % [cert_summary(c) for c in ctx.get_ca_certs()])
            out("  get_ca_certs(binary)=%s" % [der_id(c) for c in ctx.get_ca_certs(True)])
        except Exception as e:
            out("load_verify_locations %s: %s" % (name, exc_text(e)))
        return ctx

    root_pem = open(p("root.pem")).read()
    inter_pem = open(p("inter.pem")).read()
    root_der = ssl.PEM_cert_to_DER_cert(root_pem)
    inter_der = ssl.PEM_cert_to_DER_cert(inter_pem)
    verify_case("cafile", cafile=p("root.pem"))
    verify_case("cafile with two", cafile=p("server-chain.pem"))
    verify_case("capath", capath=p("hashdir"))
    verify_case("cadata pem", cadata=root_pem)
    verify_case("cadata pem two", cadata=root_pem + inter_pem)
    verify_case("cadata der", cadata=root_der)
    verify_case("cadata der two", cadata=root_der + inter_der)
    verify_case("cadata garbage", cadata="-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    verify_case("cadata der garbage", cadata=b"\x30\x03\x02\x01\x01")
    verify_case("cadata empty", cadata="")
    verify_case("crl file", cafile=p("root.crl.pem"))
    verify_case("missing", cafile=p("nonexistent.pem"))
    verify_case("not a certificate", cafile=p("client.key"))
    ctx = verify_case("root twice", cafile=p("root.pem"))
    ctx.load_verify_locations(cadata=root_pem)
    out("  after loading the root again: %s" % ctx.cert_store_stats())
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    os.environ["SSL_CERT_FILE"] = p("root.pem")
    os.environ["SSL_CERT_DIR"] = "/nonexistent"
    ctx.set_default_verify_paths()
    out("set_default_verify_paths (SSL_CERT_FILE): %s" % ctx.cert_store_stats())
    ctx.load_default_certs()
    out("load_default_certs: %s" % ctx.cert_store_stats())
    os.environ["SSL_CERT_FILE"] = "/nonexistent/cert.pem"
    os.environ["SSL_CERT_DIR"] = p("hashdir")
    ctx = ssl.create_default_context()
    out("create_default_context (SSL_CERT_DIR): %s %s" % (ctx.cert_store_stats(), len(ctx.get_ca_certs())))
    out("DER_cert_to_PEM_cert round trip: %s" % (ssl.DER_cert_to_PEM_cert(root_der) == root_pem))
    out("_test_decode_cert: %s" % cert_summary(ssl._ssl._test_decode_cert(p("server.pem"))))


###########################################################################

SCENARIOS = {
    "basic": (basic_server, basic_client),
    "https": (https_server, https_client),
    "asyncio": (asyncio_server, asyncio_client),
    "versions": (versions_server, versions_client),
    "ciphers": (ciphers_server, ciphers_client),
    "alpn": (alpn_server, alpn_client),
    "resume": (resume_server, resume_client),
    "client_cert": (client_cert_server, client_cert_client),
    "pha": (pha_server, pha_client),
    "crl": (crl_server, crl_client),
    "keylog": (keylog_server, keylog_client),
    "sni": (sni_server, sni_client),
    "verify": (verify_server, verify_client),
    "nonblocking": (nonblocking_server, nonblocking_client),
    "memorybio": (memorybio_server, memorybio_client),
}

LOCAL = {
    "context": context_local,
    "cipher_strings": cipher_strings_local,
    "cert_loading": cert_loading_local,
}


def libssl_mapped():
    with open("/proc/self/maps") as f:
        libs = sorted({line.split()[-1] for line in f if "libssl.so" in line})
    return libs


def main():
    mode, name = sys.argv[1], sys.argv[2]
    # the library this process runs on, for run.sh (not compared)
    sys.stderr.write("libssl=%s\n" % ",".join(libssl_mapped()))
    sys.stderr.flush()
    if mode == "local":
        LOCAL[name]()
        return
    port = int(sys.argv[3])
    srv, cli = SCENARIOS[name]
    (srv if mode == "server" else cli)(port)
    out("done")


if __name__ == "__main__":
    main()
