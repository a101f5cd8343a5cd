//! Certificates peers send, parsed once.
//!
//! libcrypto's `d2i_X509` costs about as much as checking the certificate's signature (it
//! decodes the public key through the provider decoders, with their locks and lookups),
//! and a client mostly meets the same few certificates again: an nginx or haproxy backend,
//! curl's next transfer, a connection pool. So the last few certificates parsed for a peer
//! are kept by their exact encoding, and the same bytes give the same `X509` (one more
//! reference), as BoringSSL pools certificate buffers. Verification still runs in full on
//! every handshake; only the parse is shared.
//!
//! What an application can see: two connections that met the same certificate hand out the
//! same `X509` object (as OpenSSL does for connections resuming one session), so ex_data an
//! application sets on a peer certificate is seen by the next connection that meets it.

use std::collections::VecDeque;
use std::sync::Mutex;

use crate::crypto_sys::Cert;
use crate::sync::lock;

/// How many certificates are kept (most recently met first).
const ENTRIES: usize = 16;
/// Larger encodings are parsed each time and not kept.
const MAX_DER: usize = 16 * 1024;

static RECENT: Mutex<VecDeque<(Box<[u8]>, Cert)>> = Mutex::new(VecDeque::new());

/// Parses a certificate a peer sent, or returns the one parsed from the same bytes before.
pub(crate) fn parse(der: &[u8]) -> Option<Cert> {
    if der.len() > MAX_DER {
        return Cert::from_der(der);
    }
    {
        let mut recent = lock(&RECENT);
        if let Some(i) = recent.iter().position(|(d, _)| **d == *der) {
            let entry = recent.remove(i)?;
            let cert = entry.1.clone();
            recent.push_front(entry);
            return Some(cert);
        }
    }
    // Parsed outside the lock: another thread may parse the same bytes meanwhile, and
    // both results are equal.
    let cert = Cert::from_der(der)?;
    let evicted = {
        let mut recent = lock(&RECENT);
        let evicted = if recent.len() >= ENTRIES {
            recent.pop_back()
        } else {
            None
        };
        recent.push_front((der.into(), cert.clone()));
        evicted
    };
    // Freed out of the lock.
    drop(evicted);
    Some(cert)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CERT: &[u8] = include_bytes!("../../fuzz/keys/ec-cert.der");

    #[test]
    fn same_bytes_same_object_and_bounded() {
        let a = parse(CERT).expect("parses");
        let b = parse(CERT).expect("parses");
        assert_eq!(a.as_ptr(), b.as_ptr());
        let mut other = CERT.to_vec();
        let last = other.len() - 1;
        other[last] ^= 1; // another signature: another certificate
        let c = parse(&other).expect("parses");
        assert_ne!(a.as_ptr(), c.as_ptr());
        assert!(parse(b"\x30\x03\x02\x01\x00").is_none());
        assert!(lock(&RECENT).len() <= ENTRIES);
    }
}
