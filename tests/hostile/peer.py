#!/usr/bin/python3
"""A hostile TLS client for tests/hostile/run.sh: raw sockets, and Debian's python3 `ssl`
module (the system OpenSSL) where a real handshake is needed first.

usage: peer.py MODE PORT [CERT KEY]

Prints one line `outcome: ...` that depends only on what the server did (no timings, no
random bytes), so that the same MODE against nginx on OpenSSL and on the shim can be
compared line for line. Exits 0 whatever the server did; 2 on a usage or setup error.

MODEs (before the handshake, raw bytes; nginx hands a connection to the TLS library only
if its first byte is 0x16 or has the top bit set, so the cases marked * send the first 20
bytes of a ClientHello as a record of their own first, then the hostile record):
  bad-type*       a record of content type 0x63
  bad-version     a handshake record with record version 0x7f7f
  oversized-pre   a handshake record of 2^14+256+1 bytes (more than any TLS record may hold)
  heartbeat-pre*  a heartbeat request record (type 24) with a claimed 16 KiB payload
                  (Heartbleed's shape), in the middle of the ClientHello
  warn-flood-pre* ten warning alerts (user_canceled) in the middle of the ClientHello
  ext1000         a TLS 1.3 ClientHello with 1,000 extra (unknown, distinct) extensions
  tls10 / ssl3    a ClientHello offering only TLS 1.0 / SSLv3
  ssl2            an SSLv2-format ClientHello (offering up to TLS 1.0)
  slowloris       half a ClientHello, then nothing: reports whether the server closed
after a handshake by the ssl module:
  split1-13 / split1-12  the whole handshake and an HTTP request written one byte per
                  send(2) (TCP_NODELAY), TLS 1.3 / 1.2
  oversized-post  a TLS 1.3 record header announcing 2^14+256+1 bytes, and that many bytes
  ccs-post        a plaintext ChangeCipherSpec record after a TLS 1.3 handshake
  heartbeat-post  a plaintext heartbeat record after a TLS 1.3 handshake
  client-cert     an HTTP request with CERT/KEY as the client certificate
"""
import errno
import os
import select
import socket
import ssl
import struct
import sys
import time

ALERTS = {
    0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 22: "record_overflow",
    40: "handshake_failure", 42: "bad_certificate", 47: "illegal_parameter", 50: "decode_error",
    51: "decrypt_error", 70: "protocol_version", 71: "insufficient_security",
    80: "internal_error", 90: "user_canceled", 100: "no_renegotiation",
    109: "missing_extension", 110: "unsupported_extension",
}
HRR_RANDOM = bytes.fromhex("CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C")
MAX_RECORD = 2**14 + 256 + 1
TIMEOUT = 10.0


def u8(n):
    return struct.pack(">B", n)


def u16(n):
    return struct.pack(">H", n)


def u24(n):
    return struct.pack(">I", n)[1:]


def record(ctype, body, version=0x0301):
    return u8(ctype) + u16(version) + u16(len(body)) + body


def ext(etype, data=b""):
    return u16(etype) + u16(len(data)) + data


def client_hello(version=0x0303, suites=(0x1301, 0x1302, 0x1303, 0xC02F, 0xC02B), exts=None,
                 record_version=0x0301):
    """A ClientHello record; by default a TLS 1.3 one any server here accepts. The random
    and key share are fixed so the bytes are the same in every run."""
    if exts is None:
        exts = tls13_exts()
    suites_b = b"".join(u16(s) for s in suites)
    body = (u16(version) + bytes(range(32)) + u8(32) + bytes(range(32, 64))
            + u16(len(suites_b)) + suites_b + b"\x01\x00")
    ext_b = b"".join(exts)
    if ext_b:
        body += u16(len(ext_b)) + ext_b
    hs = u8(1) + u24(len(body)) + body
    return record(22, hs, record_version)


def sni():
    name = b"localhost"
    return ext(0, u16(len(name) + 3) + u8(0) + u16(len(name)) + name)


def tls13_exts():
    groups = b"".join(u16(g) for g in (0x001D, 0x0017))
    sigs = b"".join(u16(s) for s in (0x0804, 0x0403, 0x0805, 0x0503, 0x0806, 0x0401, 0x0501))
    # x25519 public key: a fixed valid point (the base point's u-coordinate is 9).
    share = u16(0x001D) + u16(32) + b"\x09" + b"\x00" * 31
    return [
        sni(),
        ext(10, u16(len(groups)) + groups),
        ext(11, b"\x01\x00"),
        ext(13, u16(len(sigs)) + sigs),
        ext(43, b"\x04\x03\x04\x03\x03"),
        ext(45, b"\x01\x01"),
        ext(51, u16(len(share)) + share),
    ]


def legacy_exts():
    groups = b"".join(u16(g) for g in (0x001D, 0x0017))
    return [sni(), ext(10, u16(len(groups)) + groups), ext(11, b"\x01\x00")]


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_all(s, limit=TIMEOUT, until_hello=False):
    """What the server sends until it closes (or `limit` seconds): (bytes, how it ended).
    With until_hello, stops at a whole first record that is a ServerHello."""
    data = b""
    end = time.monotonic() + limit
    while True:
        if until_hello and len(data) >= 6 and data[0] == 22 and data[5] == 2:
            if len(data) >= 5 + struct.unpack(">H", data[3:5])[0]:
                return data, "hello"
        left = end - time.monotonic()
        if left <= 0:
            return data, "open"
        r, _, _ = select.select([s], [], [], left)
        if not r:
            return data, "open"
        try:
            chunk = s.recv(65536)
        except ConnectionResetError:
            return data, "reset"
        if not chunk:
            return data, "closed"
        data += chunk


def describe_plain(data, how):
    """The server's plaintext answer: its first records, then how the connection ended."""
    parts = []
    at = 0
    while at + 5 <= len(data) and len(parts) < 3:
        ctype, _, length = data[at], data[at + 1:at + 3], struct.unpack(">H", data[at + 3:at + 5])[0]
        body = data[at + 5:at + 5 + length]
        if ctype == 21 and len(body) == 2:
            level = "fatal" if body[0] == 2 else "warning"
            parts.append(f"alert {level} {ALERTS.get(body[1], body[1])}")
        elif ctype == 22 and body[:1] == b"\x02":
            hrr = body[6:38] == HRR_RANDOM
            parts.append("HelloRetryRequest" if hrr else "ServerHello")
            break  # the rest is encrypted or more handshake
        else:
            parts.append(f"record type {ctype}")
        at += 5 + length
    if at < len(data) and not parts:
        parts.append(f"{len(data)} bytes of non-TLS data")
    if how != "hello":
        parts.append({"closed": "then closed", "reset": "then reset", "open": "connection left open"}[how])
    return ", ".join(parts)


def raw(port, payload, limit=TIMEOUT, until_hello=False):
    s = connect(port)
    try:
        s.sendall(payload)
    except (BrokenPipeError, ConnectionResetError):
        pass
    data, how = read_all(s, limit, until_hello)
    s.close()
    return describe_plain(data, how)


class Tls:
    """A client handshake by the ssl module over memory BIOs, so that raw bytes can be
    written between its records."""

    def __init__(self, port, version=None, split=False, cert=None, key=None):
        self.sock = connect(port)
        self.split = split
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        if version is not None:
            ctx.minimum_version = ctx.maximum_version = version
        if cert:
            ctx.load_cert_chain(cert, key)
        self.inc, self.out = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.obj = ctx.wrap_bio(self.inc, self.out, server_hostname="localhost")
        while True:
            try:
                self.obj.do_handshake()
                self.flush()
                return
            except ssl.SSLWantReadError:
                self.flush()
                self.fill()

    def flush(self):
        data = self.out.read()
        if self.split:
            for i in range(len(data)):
                self.sock.send(data[i:i + 1])
        elif data:
            self.sock.sendall(data)

    def fill(self):
        r, _, _ = select.select([self.sock], [], [], TIMEOUT)
        chunk = self.sock.recv(65536) if r else None
        if chunk is None:
            raise TimeoutError("server silent")
        if not chunk:
            self.inc.write_eof()
        else:
            self.inc.write(chunk)

    def write(self, data):
        self.obj.write(data)
        self.flush()

    def outcome(self):
        """Reads until the server's alert, close or response: what it did."""
        got = b""
        try:
            while True:
                try:
                    chunk = self.obj.read(65536)
                    if not chunk:
                        return describe_response(got, "then closed without close_notify")
                    got += chunk
                except ssl.SSLWantReadError:
                    self.fill()
        except ssl.SSLZeroReturnError:
            return describe_response(got, "then close_notify")
        except ssl.SSLEOFError:
            return describe_response(got, "then closed without close_notify")
        except ssl.SSLError as e:
            return describe_response(got, f"then TLS error {e.reason}")
        except ConnectionResetError:
            return describe_response(got, "then reset")
        except TimeoutError:
            return describe_response(got, "connection left open")

    def close(self):
        self.sock.close()


def describe_response(got, end):
    if got.startswith(b"HTTP/"):
        return got.split(b"\r\n", 1)[0].decode() + ", " + end
    return end if not got else f"{len(got)} bytes, {end}"


def hello_start():
    """The first 20 bytes of a ClientHello message, as a record of their own."""
    return record(22, client_hello()[5:25])


REQUEST = b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"


def after_handshake(port, payload):
    t = Tls(port, version=ssl.TLSVersion.TLSv1_3)
    t.sock.sendall(payload)
    r = t.outcome()
    t.close()
    return "handshake ok, " + r


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "bad-type":
        r = raw(port, hello_start() + record(0x63, b"hello", 0x0303))
    elif mode == "bad-version":
        r = raw(port, record(22, b"\x01\x00\x00\x01\x00", 0x7F7F))
    elif mode == "oversized-pre":
        r = raw(port, record(22, b"\x01" + u24(MAX_RECORD - 4) + b"\x00" * (MAX_RECORD - 4)))
    elif mode == "heartbeat-pre":
        r = raw(port, hello_start() + record(24, b"\x01\x40\x00", 0x0302))
    elif mode == "warn-flood-pre":
        r = raw(port, hello_start() + record(21, b"\x01\x5a") * 10)
    elif mode == "ext1000":
        extra = [ext(0x4000 + i) for i in range(1000)]
        r = raw(port, client_hello(exts=tls13_exts() + extra), until_hello=True)
    elif mode == "tls10":
        r = raw(port, client_hello(0x0301, (0xC013, 0xC014, 0x002F, 0x0035, 0x000A),
                                   legacy_exts()))
    elif mode == "ssl3":
        r = raw(port, client_hello(0x0300, (0x002F, 0x0035, 0x000A), [], 0x0300))
    elif mode == "ssl2":
        specs = b"".join(struct.pack(">I", c)[1:] for c in (0x00C013, 0x00002F, 0x00000A, 0x0700C0))
        challenge = bytes(range(16))
        body = b"\x01" + u16(0x0301) + u16(len(specs)) + u16(0) + u16(len(challenge)) + specs + challenge
        r = raw(port, struct.pack(">H", 0x8000 | len(body)) + body)
    elif mode == "slowloris":
        hello = client_hello()
        s = connect(port)
        s.sendall(hello[: len(hello) // 2])
        start = time.monotonic()
        data, how = read_all(s, 12)
        took = time.monotonic() - start
        s.close()
        r = describe_plain(data, how)
        if how != "open":
            r += " by the server within 12 s" if took >= 1.5 else " at once"
    elif mode in ("split1-13", "split1-12"):
        v = ssl.TLSVersion.TLSv1_3 if mode.endswith("13") else ssl.TLSVersion.TLSv1_2
        t = Tls(port, version=v, split=True)
        t.write(REQUEST)
        r = f"handshake ok ({t.obj.version()}), " + t.outcome()
        t.close()
    elif mode == "oversized-post":
        r = after_handshake(port, u8(23) + u16(0x0303) + u16(MAX_RECORD) + b"\x00" * MAX_RECORD)
    elif mode == "ccs-post":
        r = after_handshake(port, record(20, b"\x01", 0x0303))
    elif mode == "heartbeat-post":
        r = after_handshake(port, record(24, b"\x01\x40\x00", 0x0303))
    elif mode == "client-cert":
        try:
            t = Tls(port, cert=sys.argv[3], key=sys.argv[4])
        except ssl.SSLError as e:
            r = f"handshake failed: {e.reason}"
        else:
            t.write(REQUEST)
            r = f"handshake ok ({t.obj.version()}), " + t.outcome()
            t.close()
    else:
        print(f"unknown mode {mode}", file=sys.stderr)
        return 2
    print("outcome: " + r)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ssl.SSLError as e:
        print(f"outcome: TLS error {e.reason}")
        sys.exit(0)
    except OSError as e:
        print(f"outcome: socket error {errno.errorcode.get(e.errno, e.errno)}")
        sys.exit(0)
