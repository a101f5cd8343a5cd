//! Reads what a server's callbacks need from the ClientHello (SNI name, ALPN protocols,
//! cipher suites, groups) out of the received records, before rustls sees them.
//!
//! This only gathers information: rustls parses and checks the same ClientHello itself
//! afterwards. A ClientHello this reader cannot make sense of is left to rustls, which
//! rejects it with the proper alert.

use crate::current::HelloInfo;

/// The largest handshake message rustls reads.
const MAX_HANDSHAKE: usize = 0xffff;

/// What the records received so far say.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Parsed {
    /// The ClientHello is not complete yet.
    Incomplete,
    /// Not a well-formed ClientHello: rustls will say why.
    Invalid,
    Hello(Box<HelloInfo>),
}

/// The handshake bytes in `records` (whole TLS records and perhaps the start of one),
/// read as a ClientHello.
pub(crate) fn parse(records: &[u8]) -> Parsed {
    // rustls accepts handshake messages up to 64 KiB; more than twice that, in however many
    // records, is not worth buffering for it to reject.
    if records.len() > 2 * MAX_HANDSHAKE {
        return Parsed::Invalid;
    }
    let mut handshake = Vec::new();
    let mut rest = records;
    while rest.len() >= 5 {
        // Plaintext handshake records only (legacy record version 3.x).
        if rest[0] != 22 || rest[1] != 3 {
            return Parsed::Invalid;
        }
        let len = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
        let Some(body) = rest.get(5..5 + len) else {
            break; // the rest of this record has not arrived
        };
        handshake.extend_from_slice(body);
        rest = &rest[5 + len..];
    }
    if handshake.len() < 4 {
        return Parsed::Incomplete;
    }
    if handshake[0] != 1 {
        return Parsed::Invalid;
    }
    let len = usize::from(handshake[1]) << 16
        | usize::from(handshake[2]) << 8
        | usize::from(handshake[3]);
    if len > MAX_HANDSHAKE {
        return Parsed::Invalid;
    }
    match handshake.get(4..4 + len) {
        None => Parsed::Incomplete,
        Some(body) => client_hello(body).map_or(Parsed::Invalid, |h| Parsed::Hello(Box::new(h))),
    }
}

/// The fields of a ClientHello body (RFC 8446 4.1.2).
fn client_hello(body: &[u8]) -> Option<HelloInfo> {
    let mut r = Reader(body);
    let version = r.take(2)?;
    r.take(32)?; // random
    let session_id = r.vec8()?;
    let ciphers = r.vec16()?;
    r.vec8()?; // legacy_compression_methods
    let mut info = HelloInfo {
        legacy_version: u16::from_be_bytes([version[0], version[1]]),
        session_id: session_id.into(),
        raw_ciphers: ciphers.into(),
        body: body.into(),
        ..HelloInfo::default()
    };
    if r.0.is_empty() {
        return Some(info); // no extensions
    }
    let mut extensions = Reader(r.vec16()?);
    while !extensions.0.is_empty() {
        let kind = u16::from_be_bytes(extensions.take(2)?.try_into().ok()?);
        let mut data = Reader(extensions.vec16()?);
        match kind {
            0 => {
                // server_name: the first host_name entry.
                let mut names = Reader(data.vec16()?);
                while !names.0.is_empty() {
                    let name_type = names.take(1)?[0];
                    let name = names.vec16()?;
                    if name_type == 0 {
                        info.server_name = Some(std::str::from_utf8(name).ok()?.into());
                        break;
                    }
                }
            }
            10 => {
                let groups = data.vec16()?;
                info.groups = groups
                    .chunks_exact(2)
                    .map(|g| u16::from_be_bytes([g[0], g[1]]))
                    .collect();
            }
            11 => info.ec_point_formats = Some(data.vec8()?.into()),
            35 => info.session_ticket = Some(data.0.len()),
            13 => {
                let schemes = data.vec16()?;
                info.sigalgs = Some(
                    schemes
                        .chunks_exact(2)
                        .map(|s| u16::from_be_bytes([s[0], s[1]]))
                        .collect(),
                );
            }
            47 => {
                // certificate_authorities: DistinguishedName entries (TLS 1.3).
                let mut names = Reader(data.vec16()?);
                let mut list = Vec::new();
                while !names.0.is_empty() {
                    list.push(names.vec16()?.to_vec());
                }
                info.ca_names = Some(list.into_boxed_slice());
            }
            43 => {
                let versions = data.vec8()?;
                info.versions = Some(
                    versions
                        .chunks_exact(2)
                        .map(|v| u16::from_be_bytes([v[0], v[1]]))
                        .collect(),
                );
            }
            42 => info.early_data = true,
            49 => info.post_handshake_auth = true,
            16 => {
                let mut protocols = Reader(data.vec16()?);
                let mut alpn = Vec::new();
                while !protocols.0.is_empty() {
                    alpn.push(protocols.vec8()?.to_vec());
                }
                info.alpn = alpn.into_boxed_slice();
            }
            _ => {}
        }
    }
    Some(info)
}

/// The extensions OpenSSL 3.0 knows (its built-in table), the only ones
/// `SSL_client_hello_get1_extensions_present` and `SSL_client_hello_get0_ext` report.
const KNOWN_EXTENSIONS: [u16; 26] = [
    0xff01, 0, 1, 12, 11, 10, 35, 5, 13172, 16, 14, 22, 18, 23, 50, 49, 13, 43, 45, 51, 44, 0xfde8,
    42, 47, 21, 41,
];

/// A ClientHello's fields as `SSL_client_hello_get*` report them.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Fields<'a> {
    pub legacy_version: u16,
    pub random: &'a [u8],
    pub session_id: &'a [u8],
    pub ciphers: &'a [u8],
    pub compressions: &'a [u8],
    /// The extensions OpenSSL knows, in the order received: type and data (OpenSSL
    /// would also list custom extensions the application registered; the shim refuses
    /// those).
    pub extensions: Vec<(u16, &'a [u8])>,
}

/// The fields of a ClientHello body (one [`parse`] accepted).
pub(crate) fn fields(body: &[u8]) -> Option<Fields<'_>> {
    let mut r = Reader(body);
    let version = r.take(2)?;
    let mut fields = Fields {
        legacy_version: u16::from_be_bytes([version[0], version[1]]),
        random: r.take(32)?,
        session_id: r.vec8()?,
        ciphers: r.vec16()?,
        compressions: r.vec8()?,
        extensions: Vec::new(),
    };
    if r.0.is_empty() {
        return Some(fields);
    }
    let all = all_extensions(r.vec16()?)?;
    fields.extensions = all
        .into_iter()
        .filter(|e| KNOWN_EXTENSIONS.contains(&e.0))
        .collect();
    Some(fields)
}

/// The data of a ClientHello body's extension of type `kind`, known to OpenSSL 3.0 or
/// not.
pub(crate) fn extension(body: &[u8], kind: u16) -> Option<&[u8]> {
    let mut r = Reader(body);
    r.take(2 + 32)?;
    r.vec8()?;
    r.vec16()?;
    r.vec8()?;
    let all = all_extensions(r.vec16()?)?;
    all.into_iter().find(|e| e.0 == kind).map(|e| e.1)
}

/// Every extension of an extensions block: type and data, in order.
fn all_extensions(block: &[u8]) -> Option<Vec<(u16, &[u8])>> {
    let mut extensions = Reader(block);
    let mut all = Vec::new();
    while !extensions.0.is_empty() {
        let kind = u16::from_be_bytes(extensions.take(2)?.try_into().ok()?);
        all.push((kind, extensions.vec16()?));
    }
    Some(all)
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let head = self.0.get(..n)?;
        self.0 = &self.0[n..];
        Some(head)
    }

    fn vec8(&mut self) -> Option<&'a [u8]> {
        let len = usize::from(self.take(1)?[0]);
        self.take(len)
    }

    fn vec16(&mut self) -> Option<&'a [u8]> {
        let len = usize::from(u16::from_be_bytes(self.take(2)?.try_into().ok()?));
        self.take(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ClientHello record with SNI "example.com", ALPN h2 and http/1.1, two suites and
    /// two groups, split over two records at `split` bytes of handshake data.
    fn records(split: usize) -> Vec<u8> {
        let mut ext = Vec::new();
        let sni = [&[0u8][..], &11u16.to_be_bytes(), b"example.com"].concat();
        push_ext(
            &mut ext,
            0,
            &[&(sni.len() as u16).to_be_bytes()[..], &sni].concat(),
        );
        push_ext(&mut ext, 10, &[0, 4, 0x00, 0x1d, 0x00, 0x17]);
        push_ext(&mut ext, 35, &[]);
        let alpn = [&[2u8][..], b"h2", &[8], b"http/1.1"].concat();
        push_ext(
            &mut ext,
            16,
            &[&(alpn.len() as u16).to_be_bytes()[..], &alpn].concat(),
        );
        let mut body = vec![3, 3];
        body.extend([7u8; 32]);
        body.extend([2, 9, 9, 0, 4, 0x13, 0x01, 0x13, 0x02, 1, 0]);
        body.extend((ext.len() as u16).to_be_bytes());
        body.extend(ext);
        let mut hs = vec![1, 0, 0, body.len() as u8];
        hs.extend(body);
        let mut out = Vec::new();
        for part in [&hs[..split], &hs[split..]] {
            out.extend([22, 3, 1]);
            out.extend((part.len() as u16).to_be_bytes());
            out.extend(part);
        }
        out
    }

    fn push_ext(out: &mut Vec<u8>, kind: u16, data: &[u8]) {
        out.extend(kind.to_be_bytes());
        out.extend((data.len() as u16).to_be_bytes());
        out.extend(data);
    }

    #[test]
    fn whole_and_fragmented() {
        for split in [2, 10, 60] {
            let data = records(split);
            let Parsed::Hello(info) = parse(&data) else {
                panic!("split {split}: not parsed");
            };
            assert_eq!(info.server_name.as_deref(), Some("example.com"));
            assert_eq!(&info.alpn[..], [b"h2".to_vec(), b"http/1.1".to_vec()]);
            assert_eq!(&info.raw_ciphers[..], [0x13, 0x01, 0x13, 0x02]);
            assert_eq!(&info.groups[..], [0x1d, 0x17]);
            assert_eq!(&info.session_id[..], [9, 9]);
            assert_eq!(info.session_ticket, Some(0));
            // Every prefix is incomplete, never invalid or a panic.
            for n in 0..data.len() {
                assert_eq!(
                    parse(&data[..n]),
                    Parsed::Incomplete,
                    "split {split}, {n} bytes"
                );
            }
        }
    }

    #[test]
    fn fields_in_order() {
        let data = records(60);
        let Parsed::Hello(info) = parse(&data) else {
            panic!("not parsed");
        };
        let f = fields(&info.body).expect("fields");
        assert_eq!(f.legacy_version, 0x0303);
        assert_eq!(f.random, &[7u8; 32]);
        assert_eq!(f.session_id, &[9, 9]);
        assert_eq!(f.ciphers, &[0x13, 0x01, 0x13, 0x02]);
        assert_eq!(f.compressions, &[0]);
        let kinds: Vec<u16> = f.extensions.iter().map(|e| e.0).collect();
        assert_eq!(kinds, [0, 10, 35, 16]);
    }

    #[test]
    fn not_a_client_hello() {
        assert_eq!(parse(b"GET / HTTP/1.1\r\n"), Parsed::Invalid);
        assert_eq!(parse(&[22, 3, 1, 0, 4, 2, 0, 0, 0]), Parsed::Invalid);
        // A declared length rustls would refuse.
        assert_eq!(parse(&[22, 3, 1, 0, 4, 1, 1, 0, 0]), Parsed::Invalid);
        // A length that overruns its container.
        let bad = [&[22u8, 3, 1, 0, 8, 1, 0, 0, 4][..], &[3, 3, 0xff, 0xff]].concat();
        assert_eq!(parse(&bad), Parsed::Invalid);
    }
}
