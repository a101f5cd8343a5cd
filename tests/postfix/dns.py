"""A tiny authoritative DNS responder for tests/postfix/run.sh: it answers A and TLSA
questions from a record file and sets the AD bit on every answer, standing in for a
validating resolver so that Postfix's DANE code sees "DNSSEC-validated" records on
loopback.

    python3 dns.py ADDRESS RECORDS

Listens on UDP ADDRESS:53.  RECORDS has one record a line, `NAME TYPE DATA`:
    mx.dane.test A 127.0.0.1
    _2525._tcp.mx.dane.test TLSA 3 1 1 <hex>
Names under a record's domain that have no record of the asked type get an empty answer
(NODATA); other names get NXDOMAIN.  Every question is logged to stdout.
"""
import socket
import struct
import sys

TYPES = {"A": 1, "TLSA": 52}


def parse_name(msg, off):
    labels = []
    while True:
        n = msg[off]
        if n == 0:
            return ".".join(labels).lower(), off + 1
        if n & 0xC0:
            raise ValueError("compressed name in a question")
        labels.append(msg[off + 1:off + 1 + n].decode("ascii", "replace"))
        off += 1 + n


def encode_rdata(rtype, data):
    if rtype == "A":
        return socket.inet_aton(data[0])
    if rtype == "TLSA":
        usage, selector, mtype = (int(x) for x in data[:3])
        return struct.pack("!BBB", usage, selector, mtype) + bytes.fromhex("".join(data[3:]))
    raise ValueError(rtype)


def load(path):
    records = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if not parts or parts[0].startswith("#"):
                continue
            name, rtype = parts[0].rstrip(".").lower(), parts[1].upper()
            records.setdefault((name, TYPES[rtype]), []).append(encode_rdata(rtype, parts[2:]))
    return records


def answer(query, records):
    qid, flags, qd, _an, _ns, ar = struct.unpack("!6H", query[:12])
    qname, off = parse_name(query, 12)
    qtype, qclass = struct.unpack("!HH", query[off:off + 4])
    question = query[12:off + 4]
    rdatas = records.get((qname, qtype), [])
    known = any(n == qname or n.endswith("." + qname) for n, _t in records)
    rcode = 0 if rdatas or known else 3
    # QR, AA, RD copied, RA, AD
    rflags = 0x8000 | 0x0400 | (flags & 0x0100) | 0x0080 | 0x0020 | rcode
    body = b""
    for rd in rdatas:
        body += b"\xc0\x0c" + struct.pack("!HHIH", qtype, 1, 300, len(rd)) + rd
    opt = b""
    if ar:
        # EDNS0: advertise 1232 bytes and echo the DO bit.
        opt = b"\x00" + struct.pack("!HHIH", 41, 1232, 0x8000, 0)
    header = struct.pack("!6H", qid, rflags, 1, len(rdatas), 0, 1 if opt else 0)
    return header + question + body + opt, qname, qtype, rcode


def main():
    addr, path = sys.argv[1], sys.argv[2]
    records = load(path)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 53))
    print("dns listening on %s:53 with %d record sets" % (addr, len(records)), flush=True)
    while True:
        query, peer = s.recvfrom(4096)
        try:
            reply, qname, qtype, rcode = answer(query, records)
        except (ValueError, struct.error, IndexError) as e:
            print("bad query from %s: %s" % (peer, e), flush=True)
            continue
        print("query %s type %d -> rcode %d" % (qname, qtype, rcode), flush=True)
        s.sendto(reply, peer)


if __name__ == "__main__":
    main()
