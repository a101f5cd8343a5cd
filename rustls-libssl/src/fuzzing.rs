//! Entry points for the fuzz targets in `fuzz/`, compiled only with `--cfg fuzzing` (which
//! cargo-fuzz sets) and in unit tests, which run each target's seeds and every input that
//! once failed it (`fuzz/regressions/TARGET`): each hands the fuzzer's bytes to code that reads untrusted input in a
//! normal build. Errors are expected answers; a panic, a hang, memory that grows with the
//! input, or a broken invariant checked here is a bug.

use rustls::ContentType;

use crate::buffers::Buffers;
use crate::ciphers::{CipherList, Offered};
use crate::fixed_keys::{pair, Peer, Suite};
use crate::record::{HEADER_LEN, MAX_FRAGMENT, SEAL_OVERHEAD};
use crate::session::Session;
use crate::statem::Statem;
use crate::turn::{Event, Want};

pub use crate::abi::fuzzing::{alpn, cert_load, conf_cmd, server_bytes, ticket};

/// The most the peer's requests may add to the output buffer while the peer reads nothing:
/// one reply (a KeyUpdate or no_renegotiation warning) and one fatal alert.
const READ_GROWTH_LIMIT: usize = 2 * (HEADER_LEN + SEAL_OVERHEAD + 5);

/// An established connection (suite and role from the first byte) against a peer
/// scripted by the rest: records sealed under the peer's key (any type and content,
/// handshake messages, key updates), raw bytes, deliveries to the connection in pieces,
/// the application's reads, writes, key updates and close_notify, and the peer reading
/// what the connection sent.
///
/// Checked: everything the connection sends opens under the peer's keys (so key updates
/// stay in step), a failed connection stays failed and sends nothing more, and the
/// peer's records add at most one reply and one alert to output the peer has not read.
pub fn established(data: &[u8]) {
    let Some((&first, script)) = data.split_first() else {
        return;
    };
    let suite = Suite::ALL[usize::from(first & 3)];
    let client = first & 4 != 0;
    let (conn, peer) = pair(suite, client);
    let mut statem = Statem::new(!client, first & 8 != 0);
    statem.messages = first & 16 != 0;
    let mut run = Run {
        conn,
        peer,
        bufs: Buffers::default(),
        statem,
        wire: Vec::new(),
        read_growth: 0,
        failed: false,
        closed: false,
    };
    let mut r = Script(script);
    while let Some(op) = r.byte() {
        run.step(op, &mut r);
        run.statem.take_notes();
    }
}

/// [`crate::hello::parse`] on records of a ClientHello, and [`crate::hello::fields`] on
/// the same bytes as a ClientHello body.
pub fn client_hello(data: &[u8]) {
    let _ = crate::hello::parse(data);
    let _ = crate::hello::fields(data);
}

/// `d2i_SSL_SESSION`'s decoder; a session it accepts encodes (`i2d_SSL_SESSION`) to DER
/// that decodes to a session with the same encoding.
pub fn session_der(data: &[u8]) {
    let Ok((session, used)) = Session::decode(data) else {
        return;
    };
    assert!(used <= data.len());
    let Some(der) = session.encode() else {
        return;
    };
    let (again, used) = Session::decode(&der).unwrap_or_else(|e| {
        panic!("re-encoded session does not decode: {e:?}");
    });
    assert_eq!(used, der.len());
    assert_eq!(again.encode().as_deref(), Some(&der[..]));
}

/// The cipher-string parser (first byte even), the TLS 1.3 suite list parser (odd), and
/// the decoder of a ClientHello's suite list (both forms).
pub fn cipher_string(data: &[u8]) {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    if first & 1 == 0 {
        if let Ok(parsed) = CipherList::parse_tls12(rest) {
            assert!(parsed.list.0.iter().all(|c| c.is_implemented()));
        }
    } else if let Ok(list) = CipherList::parse_tls13(rest) {
        assert!(list.0.iter().all(|c| c.is_tls13()));
    }
    let _ = Offered::decode(rest, first & 2 != 0);
}

/// A ClientHello in handshake records, as a client offering TLS 1.3 (`tls13`; TLS 1.2
/// only otherwise) sends it to `fuzz.test`, with `alpn` as the body of its ALPN extension
/// and `ticket` as its session ticket (TLS 1.2) or PSK identity (TLS 1.3, with a binder
/// that does not verify).
pub(crate) fn hello_records(tls13: bool, alpn: Option<&[u8]>, ticket: Option<&[u8]>) -> Vec<u8> {
    let mut ext = Vec::new();
    extension(&mut ext, 0, b"\x00\x0c\x00\x00\x09fuzz.test");
    extension(&mut ext, 10, b"\x00\x04\x00\x1d\x00\x17");
    extension(&mut ext, 11, b"\x01\x00");
    extension(&mut ext, 13, b"\x00\x06\x04\x03\x08\x04\x04\x01");
    if let Some(alpn) = alpn {
        extension(&mut ext, 16, alpn);
    }
    extension(&mut ext, 23, b"");
    if tls13 {
        extension(&mut ext, 43, b"\x04\x03\x04\x03\x03");
        extension(&mut ext, 45, b"\x01\x01");
        // An X25519 share: the base point (u = 9).
        let mut share = b"\x00\x24\x00\x1d\x00\x20\x09".to_vec();
        share.resize(share.len() + 31, 0);
        extension(&mut ext, 51, &share);
        if let Some(id) = ticket {
            // pre_shared_key, last: one identity (age 0) and one SHA-256 binder.
            let mut psk = be16(id.len() + 6).to_vec();
            psk.extend_from_slice(&be16(id.len()));
            psk.extend_from_slice(id);
            psk.extend_from_slice(&[0; 4]);
            psk.extend_from_slice(&[0, 33, 32]);
            psk.resize(psk.len() + 32, 0);
            extension(&mut ext, 41, &psk);
        }
    } else if let Some(t) = ticket {
        extension(&mut ext, 35, t);
    }
    let mut body = vec![3, 3];
    body.extend_from_slice(&[0x5a; 32]);
    body.push(32);
    body.extend_from_slice(&[0x1d; 32]);
    body.extend_from_slice(b"\x00\x06\x13\x01\xc0\x2b\xc0\x2f\x01\x00");
    body.extend_from_slice(&be16(ext.len()));
    body.extend_from_slice(&ext);
    let len = u32::try_from(body.len()).unwrap_or(u32::MAX).to_be_bytes();
    let mut message = vec![1, len[1], len[2], len[3]];
    message.extend_from_slice(&body);
    let mut records = Vec::with_capacity(message.len() + 5);
    for piece in message.chunks(MAX_FRAGMENT) {
        records.extend_from_slice(&[22, 3, 1]);
        records.extend_from_slice(&be16(piece.len()));
        records.extend_from_slice(piece);
    }
    records
}

fn extension(out: &mut Vec<u8>, typ: u16, body: &[u8]) {
    out.extend_from_slice(&typ.to_be_bytes());
    out.extend_from_slice(&be16(body.len()));
    out.extend_from_slice(body);
}

/// A length as two big-endian bytes (saturated: the fuzzer's lengths are small).
fn be16(n: usize) -> [u8; 2] {
    u16::try_from(n).unwrap_or(u16::MAX).to_be_bytes()
}

/// The fuzzer's script, read a field at a time.
struct Script<'a>(&'a [u8]);

impl<'a> Script<'a> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }

    fn u16(&mut self) -> usize {
        let hi = usize::from(self.byte().unwrap_or(0));
        let lo = usize::from(self.byte().unwrap_or(0));
        hi << 8 | lo
    }

    fn bytes(&mut self, n: usize) -> &'a [u8] {
        let (head, rest) = self.0.split_at(n.min(self.0.len()));
        self.0 = rest;
        head
    }
}

struct Run {
    conn: crate::established::Established,
    peer: Peer,
    bufs: Buffers,
    statem: Statem,
    /// Bytes the peer sent that the connection has not received yet.
    wire: Vec<u8>,
    /// What the connection's reads added to its output since the peer last read it.
    read_growth: usize,
    failed: bool,
    /// The peer's close_notify arrived: the connection reads no more.
    closed: bool,
}

impl Run {
    fn step(&mut self, op: u8, r: &mut Script<'_>) {
        match op % 10 {
            // A record of any type and content, sealed by the peer.
            0 => {
                let typ = ContentType::from(r.byte().unwrap_or(23));
                let len = r.u16() % (MAX_FRAGMENT + 1);
                let record = self.peer.seal(typ, r.bytes(len));
                self.wire.extend(record);
            }
            // Raw bytes: headers, garbage, records no key sealed.
            1 => {
                let len = usize::from(r.byte().unwrap_or(0));
                self.wire.extend_from_slice(r.bytes(len));
            }
            // The peer's KeyUpdate, asking for one back or not.
            2 => {
                let requested = r.byte().unwrap_or(0) & 1 != 0;
                let record = self.peer.key_update(requested);
                self.wire.extend(record);
            }
            // A handshake message (type, body) sealed in records of a given size.
            3 => {
                let typ = r.byte().unwrap_or(0);
                let len = usize::from(r.byte().unwrap_or(0));
                let size = usize::from(r.byte().unwrap_or(0)).max(1);
                let body = r.bytes(len);
                let mut message = vec![typ, 0, 0, u8::try_from(body.len()).unwrap_or(0)];
                message.extend_from_slice(body);
                for piece in message.chunks(size) {
                    let record = self.peer.seal(ContentType::Handshake, piece);
                    self.wire.extend(record);
                }
            }
            // Delivery of some of the wire, and the application's reads.
            4 => {
                let n = r.u16().min(self.wire.len());
                let read = usize::from(r.byte().unwrap_or(0));
                self.deliver(n, read);
            }
            // The peer takes the output; the connection then drops its expanded record
            // keys, as an idle one does (they must come back in sequence at any point).
            5 => {
                self.peer_reads();
                self.conn.release_keys();
            }
            6 => {
                let len = r.u16() % (MAX_FRAGMENT + 1);
                let data = r.bytes(len).to_vec();
                let _ = self.turn(&mut Want::Write(&data), false);
            }
            7 => {
                if !self.failed {
                    let requested = r.byte().unwrap_or(0) & 1 != 0;
                    let (conn, bufs, statem) = (&mut self.conn, &mut self.bufs, &mut self.statem);
                    // The application may ask for a key update in TLS 1.3 only.
                    if suite_is_tls13(conn) {
                        let _ = conn.key_update(&mut bufs.output, requested, statem);
                    }
                }
            }
            8 => {
                let _ = self.turn(&mut Want::CloseNotify, false);
            }
            // Everything left on the wire, read with a large buffer.
            _ => self.deliver(self.wire.len(), 255),
        }
    }

    fn deliver(&mut self, n: usize, read: usize) {
        let bytes: Vec<u8> = self.wire.drain(..n).collect();
        let space = self.bufs.input.space(bytes.len());
        space[..bytes.len()].copy_from_slice(&bytes);
        self.bufs.input.filled(bytes.len());
        let mut buf = vec![0u8; read];
        // Each turn takes one record at most: the loop ends when the input does.
        while !self.closed && !self.failed {
            let event = self.turn(&mut Want::Read(&mut buf), true);
            match event {
                Some(Event::NeedInput) | None => break,
                Some(Event::PeerClosed) => self.closed = true,
                Some(_) => {}
            }
            let mut sink = [0u8; 512];
            while self.bufs.plain.take(&mut sink) > 0 {}
        }
    }

    /// One turn of the connection; `reading`: the turn counts towards the read growth.
    fn turn(&mut self, want: &mut Want<'_>, reading: bool) -> Option<Event> {
        let before = self.bufs.output.pending().len();
        let result = self.conn.turn(&mut self.bufs, want, &mut self.statem);
        let after = self.bufs.output.pending().len();
        if self.failed {
            assert!(result.is_err(), "a failed connection came back");
            assert_eq!(before, after, "a failed connection sent more");
        }
        if reading {
            self.read_growth += after - before;
            assert!(
                self.read_growth <= READ_GROWTH_LIMIT,
                "the peer's records made {} bytes of output",
                self.read_growth
            );
        }
        match result {
            Ok(event) => Some(event),
            Err(_) => {
                self.failed = true;
                None
            }
        }
    }

    /// The peer reads and opens everything the connection sent.
    fn peer_reads(&mut self) {
        let pending = self.bufs.output.pending();
        let (_, used) = self
            .peer
            .open(pending)
            .unwrap_or_else(|e| panic!("the peer cannot open what the connection sent: {e}"));
        assert_eq!(used, pending.len(), "the connection sent part of a record");
        self.bufs.output.consume(used);
        self.read_growth = 0;
    }
}

fn suite_is_tls13(conn: &crate::established::Established) -> bool {
    conn.negotiated.version == rustls::ProtocolVersion::TLSv1_3
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// A target's entry point.
    type Target = fn(&[u8]);

    /// Every target's entry point, by the target's name in `fuzz/`.
    const TARGETS: [(&str, Target); 9] = [
        ("established", super::established),
        ("client_hello", super::client_hello),
        ("session_der", super::session_der),
        ("cipher_string", super::cipher_string),
        ("server_bytes", super::server_bytes),
        ("ticket", super::ticket),
        ("alpn", super::alpn),
        ("conf_cmd", super::conf_cmd),
        ("cert_load", super::cert_load),
    ];

    /// The committed seeds and the inputs that once crashed a target (each kept as a
    /// regression test next to its fix) go through the targets' checks without a panic.
    #[test]
    fn seeds_and_regressions() {
        let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
        let mut ran = 0;
        for (name, target) in TARGETS {
            for dir in ["corpus", "regressions"] {
                let Ok(entries) = std::fs::read_dir(fuzz.join(dir).join(name)) else {
                    continue;
                };
                for entry in entries.flatten() {
                    let path = entry.path();
                    let file = path.file_name().and_then(|f| f.to_str()).unwrap_or("");
                    // Seeds only: inputs a local run added to the corpus are not committed.
                    if dir == "corpus" && !file.starts_with("seed-") {
                        continue;
                    }
                    let data = std::fs::read(&path).unwrap_or_default();
                    eprintln!("{name}: {}", path.display());
                    target(&data);
                    ran += 1;
                }
            }
        }
        assert!(ran > 0, "no seeds found under {}", fuzz.display());
    }
}
