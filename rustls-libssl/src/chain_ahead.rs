//! The server's certificate chain, read ahead of rustls by a client.
//!
//! OpenSSL's client verifies the server's chain as its Certificate arrives, and asks the
//! application for a client certificate (`SSL_CTX_set_client_cert_cb`, `SSL_set_cert_cb`)
//! only when it writes its own Certificate, after the server's flight: the verify callback
//! runs first, and the certificate callback sees the verified peer. rustls picks the
//! client certificate when the CertificateRequest arrives, before it verifies the server's
//! chain: in TLS 1.3 the CertificateRequest comes before the server's Certificate, and in
//! TLS 1.2 rustls verifies at the ServerHelloDone, after it. So the observer keeps the
//! server's Certificate (and a TLS 1.2 CertificateStatus), a TLS 1.3 client holds the
//! CertificateRequest back from rustls until that Certificate has been read too, and the
//! client certificate hook verifies the chain before it runs the application's callbacks;
//! rustls's verifier then takes the verdict already reached ([`Verdict`]). A chain that
//! fails verification gets no client certificate callback, as in OpenSSL, where the
//! handshake stops at the server's Certificate.

use rustls::pki_types::CertificateDer;

/// The server's Certificate message: its chain (leaf first) and the OCSP response stapled
/// to the leaf.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct ChainAhead {
    pub certs: Vec<CertificateDer<'static>>,
    pub ocsp: Vec<u8>,
}

/// The verification of a chain read ahead, for rustls's verifier to take when it gets to
/// the same leaf.
#[derive(Debug)]
pub(crate) struct Verdict {
    pub leaf: CertificateDer<'static>,
    pub result: Result<(), rustls::Error>,
}

/// The largest Certificate message a CompressedCertificate may expand to (rustls's limit).
const MAX_UNCOMPRESSED: usize = 0x1_0000;

/// The Certificate message body a CompressedCertificate body (RFC 8879 4) holds, expanded
/// with its algorithm if that is one of `offered` (the algorithm numbers of the client's
/// compress_certificate extension); `None` if not, or if it is malformed or does not expand
/// to the length it announces (rustls then reads the message itself and fails the
/// handshake).
pub(crate) fn decompress(body: &[u8], offered: &[u16]) -> Option<Vec<u8>> {
    let mut r = Reader(body);
    let algorithm = r.u16()?;
    let expanded_len = r.u24()?;
    let compressed_len = r.u24()?;
    let compressed = r.take(compressed_len)?;
    if !r.0.is_empty() || compressed.is_empty() || expanded_len > MAX_UNCOMPRESSED {
        return None;
    }
    if !offered.contains(&algorithm) {
        return None;
    }
    let decompressor = rustls::compress::default_cert_decompressors()
        .iter()
        .find(|d| u16::from(d.algorithm()) == algorithm)?;
    let mut out = vec![0; expanded_len];
    decompressor.decompress(compressed, &mut out).ok()?;
    Some(out)
}

/// The algorithms a compress_certificate extension's body lists (RFC 8879 3).
pub(crate) fn compression_algorithms(extension: &[u8]) -> Vec<u16> {
    let mut r = Reader(extension);
    let Some(list) = r.u8().and_then(|n| r.take(usize::from(n))) else {
        return Vec::new();
    };
    list.chunks_exact(2)
        .map(|a| u16::from_be_bytes([a[0], a[1]]))
        .collect()
}

/// The status_request extension of a certificate entry (RFC 8446 4.4.2.1).
const STATUS_REQUEST: u16 = 5;
/// CertificateStatusType ocsp.
const OCSP: u8 = 1;

/// Parses a Certificate message body (TLS 1.3: RFC 8446 4.4.2, with a context and
/// extensions; TLS 1.2: RFC 5246 7.4.2); `None` if it is malformed or holds no
/// certificate (rustls then fails the handshake itself).
pub(crate) fn parse(body: &[u8], tls13: bool) -> Option<ChainAhead> {
    let mut r = Reader(body);
    if tls13 {
        let context_len = usize::from(r.u8()?);
        r.take(context_len)?;
    }
    let list_len = r.u24()?;
    let mut list = Reader(r.take(list_len)?);
    if !r.0.is_empty() {
        return None;
    }
    let mut chain = ChainAhead::default();
    while !list.0.is_empty() {
        let cert_len = list.u24()?;
        let cert = list.take(cert_len)?;
        if tls13 {
            let ext_len = usize::from(list.u16()?);
            let mut extensions = Reader(list.take(ext_len)?);
            let leaf = chain.certs.is_empty();
            while !extensions.0.is_empty() {
                let typ = extensions.u16()?;
                let len = usize::from(extensions.u16()?);
                let data = extensions.take(len)?;
                if leaf && typ == STATUS_REQUEST {
                    chain.ocsp = ocsp_status(data)?;
                }
            }
        }
        chain.certs.push(CertificateDer::from(cert.to_vec()));
    }
    (!chain.certs.is_empty()).then_some(chain)
}

/// The OCSP response of a CertificateStatus (TLS 1.2's message body, TLS 1.3's
/// status_request extension of the leaf); empty for another status type.
pub(crate) fn ocsp_status(body: &[u8]) -> Option<Vec<u8>> {
    let mut r = Reader(body);
    if r.u8()? != OCSP {
        return Some(Vec::new());
    }
    let len = r.u24()?;
    Some(r.take(len)?.to_vec())
}

/// Reads big-endian fields from the front of a slice.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = (self.0.get(..n)?, self.0.get(n..)?);
        self.0 = rest;
        Some(head)
    }

    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn u16(&mut self) -> Option<u16> {
        let b = self.take(2)?;
        Some(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u24(&mut self) -> Option<usize> {
        let b = self.take(3)?;
        Some(usize::from(b[0]) << 16 | usize::from(b[1]) << 8 | usize::from(b[2]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Certificate body: context, then entries of (certificate, extensions).
    fn body(context: &[u8], entries: &[(&[u8], &[u8])]) -> Vec<u8> {
        let mut list = Vec::new();
        for (cert, ext) in entries {
            list.extend_from_slice(&u24(cert.len()));
            list.extend_from_slice(cert);
            list.extend_from_slice(&u16::try_from(ext.len()).expect("short").to_be_bytes());
            list.extend_from_slice(ext);
        }
        let mut out = vec![u8::try_from(context.len()).expect("short")];
        out.extend_from_slice(context);
        out.extend_from_slice(&u24(list.len()));
        out.extend_from_slice(&list);
        out
    }

    fn u24(n: usize) -> [u8; 3] {
        let b = u32::try_from(n).expect("short").to_be_bytes();
        [b[1], b[2], b[3]]
    }

    #[test]
    fn chain_and_stapled_ocsp() {
        // status_request on the leaf: type 5, length 7, ocsp (1), u24 length 3, response.
        let ocsp: &[u8] = &[0, 5, 0, 7, 1, 0, 0, 3, 0xaa, 0xbb, 0xcc];
        // Another extension first (signed_certificate_timestamp, 18), on the leaf too.
        let leaf_ext = [&[0u8, 18, 0, 1, 9][..], ocsp].concat();
        let b = body(&[], &[(b"leaf", &leaf_ext), (b"intermediate", ocsp)]);
        let chain = parse(&b, true).expect("a chain");
        assert_eq!(chain.certs.len(), 2);
        assert_eq!(chain.certs[0].as_ref(), b"leaf");
        assert_eq!(chain.certs[1].as_ref(), b"intermediate");
        assert_eq!(chain.ocsp, [0xaa, 0xbb, 0xcc]);
    }

    #[test]
    fn no_ocsp_and_a_context() {
        let chain = parse(&body(&[7, 7], &[(b"leaf", &[])]), true).expect("a chain");
        assert_eq!(chain.certs.len(), 1);
        assert!(chain.ocsp.is_empty());
    }

    #[test]
    fn empty_or_malformed() {
        assert_eq!(parse(&body(&[], &[]), true), None);
        let mut b = body(&[], &[(b"leaf", &[])]);
        b.push(0);
        assert_eq!(parse(&b, true), None, "trailing byte");
        let b = body(&[], &[(b"leaf", &[])]);
        assert_eq!(parse(&b[..b.len() - 1], true), None, "truncated");
        assert_eq!(parse(&[], true), None);
        // An extension whose length runs past the entry.
        assert_eq!(
            parse(&body(&[], &[(b"leaf", &[0, 5, 0, 9, 1])]), true),
            None
        );
    }

    #[test]
    fn tls12_chain_and_status() {
        // A list of two certificates, each with a three-byte length.
        let b = [
            0, 0, 13, 0, 0, 4, b'l', b'e', b'a', b'f', 0, 0, 3, b'c', b'a', b'!',
        ];
        let chain = parse(&b[..], false).expect("a chain");
        assert_eq!(chain.certs.len(), 2);
        assert_eq!(chain.certs[1].as_ref(), b"ca!");
        assert_eq!(parse(&b[..15], false), None, "truncated");
        assert_eq!(ocsp_status(&[1, 0, 0, 2, 5, 6]), Some(vec![5, 6]));
        assert_eq!(ocsp_status(&[2, 0, 0, 0]), Some(Vec::new()));
        assert_eq!(ocsp_status(&[1, 0, 0, 2, 5]), None);
    }
}

#[cfg(test)]
mod compressed {
    use super::*;
    use rustls::compress::{default_cert_compressors, CompressionLevel};

    /// A Certificate body compressed by rustls's own compressors reads back the same
    /// chain; an algorithm the client did not offer, a short expansion or trailing bytes
    /// do not.
    #[test]
    fn roundtrip() {
        // No context; one entry "abc" with no extensions.
        let body = vec![0, 0, 0, 8, 0, 0, 3, b'a', b'b', b'c', 0, 0];
        assert_eq!(parse(&body, true).map(|c| c.certs.len()), Some(1));
        for c in default_cert_compressors() {
            let alg = u16::from(c.algorithm());
            let Ok(packed) = c.compress(body.clone(), CompressionLevel::Interactive) else {
                panic!("{alg}: compression failed");
            };
            let mut msg = alg.to_be_bytes().to_vec();
            msg.extend_from_slice(&u24(body.len()));
            msg.extend_from_slice(&u24(packed.len()));
            msg.extend_from_slice(&packed);
            assert_eq!(decompress(&msg, &[1, 2]).as_deref(), Some(&body[..]));
            assert_eq!(decompress(&msg, &[3]), None);
            let mut long = msg.clone();
            long.push(0);
            assert_eq!(decompress(&long, &[1, 2]), None);
            let mut short = msg.clone();
            short[4] = 2;
            assert_eq!(decompress(&short, &[1, 2]), None);
        }
        assert_eq!(compression_algorithms(&[4, 0, 2, 0, 1]), vec![2, 1]);
        assert_eq!(compression_algorithms(&[5, 0, 2]), Vec::<u16>::new());
    }

    fn u24(n: usize) -> [u8; 3] {
        [(n >> 16) as u8, (n >> 8) as u8, n as u8]
    }
}
