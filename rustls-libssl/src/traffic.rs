//! A TLS 1.3 server's key schedule after its handshake: the two application traffic
//! secrets and the key update that moves each on (RFC 8446 7.2), and the record key and IV
//! of each new secret (7.3).
//!
//! rustls's kernel connection does the same, but keeps the whole handshake's key schedule
//! with it (some 800 bytes per connection, most of an idle server connection's rustls
//! state). A server needs nothing else from it: the TLS 1.3 messages a server receives
//! after the handshake are key updates only. A client keeps rustls's kernel, which turns
//! the server's tickets into sessions.

use aws_lc_rs::hkdf::{self, KeyType as _};
use rustls::crypto::hash::HashAlgorithm;
use rustls::{Error, SupportedCipherSuite, Tls13CipherSuite};

use crate::exporter::expand_label;
use crate::record::{Aead, TrafficKey};

/// The longest hash of a TLS 1.3 suite (SHA-384).
const MAX_SECRET: usize = 48;

/// The sending and receiving application traffic secrets of one TLS 1.3 connection.
pub(crate) struct TrafficSchedule {
    /// The suite's AEAD, which also names its hash (see [`hash_of`]).
    aead: Aead,
    tx: [u8; MAX_SECRET],
    rx: [u8; MAX_SECRET],
}

/// The HKDF hash of the TLS 1.3 suite with `aead`: SHA-384 for AES-256-GCM, SHA-256 for the
/// others (RFC 8446 B.4; rustls has no CCM suites).
fn hash_of(aead: Aead) -> hkdf::Algorithm {
    match aead {
        Aead::Aes256Gcm => hkdf::HKDF_SHA384,
        Aead::Aes128Gcm | Aead::Chacha20Poly1305 => hkdf::HKDF_SHA256,
    }
}

impl TrafficSchedule {
    /// The schedule of `suite` from the current traffic secrets (this side's, the peer's);
    /// `None` if the suite or the secrets' lengths are not what TLS 1.3 has.
    pub(crate) fn new(suite: &'static Tls13CipherSuite, tx: &[u8], rx: &[u8]) -> Option<Self> {
        let aead = Aead::of(SupportedCipherSuite::Tls13(suite))?;
        let hash = match suite.common.hash_provider.algorithm() {
            HashAlgorithm::SHA256 => hkdf::HKDF_SHA256,
            HashAlgorithm::SHA384 => hkdf::HKDF_SHA384,
            _ => return None,
        };
        let len = hash.len();
        if hash != hash_of(aead) || tx.len() != len || rx.len() != len || len > MAX_SECRET {
            return None;
        }
        let mut schedule = Self {
            aead,
            tx: [0; MAX_SECRET],
            rx: [0; MAX_SECRET],
        };
        schedule.tx[..len].copy_from_slice(tx);
        schedule.rx[..len].copy_from_slice(rx);
        Some(schedule)
    }

    /// Moves the sending secret on; returns the key and IV the next records are sealed with.
    pub(crate) fn update_tx(&mut self) -> Result<TrafficKey, Error> {
        let (alg, aead) = (hash_of(self.aead), self.aead);
        let secret = &mut self.tx[..alg.len()];
        next_secret(alg, secret)?;
        traffic_key(alg, aead, secret)
    }

    /// Moves the receiving secret on (after the peer's KeyUpdate); returns the key and IV
    /// the peer's next records are opened with.
    pub(crate) fn update_rx(&mut self) -> Result<TrafficKey, Error> {
        let (alg, aead) = (hash_of(self.aead), self.aead);
        let secret = &mut self.rx[..alg.len()];
        next_secret(alg, secret)?;
        traffic_key(alg, aead, secret)
    }
}

impl Drop for TrafficSchedule {
    fn drop(&mut self) {
        self.tx
            .iter_mut()
            .chain(self.rx.iter_mut())
            .for_each(|b| *b = 0);
    }
}

fn failed(_: crate::error::Error) -> Error {
    Error::General("key update derivation failed".into())
}

/// `secret = HKDF-Expand-Label(secret, "traffic upd", "", Hash.length)`, in place.
fn next_secret(alg: hkdf::Algorithm, secret: &mut [u8]) -> Result<(), Error> {
    let mut next = [0u8; MAX_SECRET];
    let next = &mut next[..secret.len()];
    let result = expand_label(alg, secret, b"traffic upd", b"", next).map_err(failed);
    if result.is_ok() {
        secret.copy_from_slice(next);
    }
    next.iter_mut().for_each(|b| *b = 0);
    result
}

/// The record key and IV of a traffic secret.
fn traffic_key(alg: hkdf::Algorithm, aead: Aead, secret: &[u8]) -> Result<TrafficKey, Error> {
    let mut key = TrafficKey::new(aead);
    let (k, iv) = key.parts_mut();
    expand_label(alg, secret, b"key", b"", k).map_err(failed)?;
    expand_label(alg, secret, b"iv", b"", iv).map_err(failed)?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::crypto::aws_lc_rs::cipher_suite as cs;

    fn tls13(suite: SupportedCipherSuite) -> &'static Tls13CipherSuite {
        match suite {
            SupportedCipherSuite::Tls13(s) => s,
            SupportedCipherSuite::Tls12(_) => unreachable!("a TLS 1.3 suite"),
        }
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
            .collect()
    }

    /// RFC 8448 3 (simple 1-RTT handshake): the server's application traffic secret and
    /// the record key and IV derived from it.
    const SERVER_AP_SECRET: &str =
        "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643";
    const SERVER_AP_KEY: &str = "9f02283b6c9c07efc26bb9f2ac92e356";
    const SERVER_AP_IV: &str = "cf782b88dd83549aadf1e984";

    #[test]
    fn record_key_of_a_secret_is_rfc_8448s() {
        let secret = hex(SERVER_AP_SECRET);
        let key = traffic_key(hkdf::HKDF_SHA256, Aead::Aes128Gcm, &secret).expect("key");
        assert_eq!(key.key(), hex(SERVER_AP_KEY).as_slice());
        assert_eq!(key.iv(), hex(SERVER_AP_IV).as_slice());
    }

    /// The update is HKDF-Expand-Label with "traffic upd" and the hash's length, computed
    /// here with aws-lc-rs's HKDF directly from the label's encoding (RFC 8446 7.1).
    #[test]
    fn update_moves_each_secret_on_by_traffic_upd() {
        let secret = hex(SERVER_AP_SECRET);
        let mut info = vec![0, 32, 6 + 11];
        info.extend_from_slice(b"tls13 traffic upd");
        info.push(0);
        let mut expected = [0u8; 32];
        hkdf::Prk::new_less_safe(hkdf::HKDF_SHA256, &secret)
            .expand(&[&info], hkdf::HKDF_SHA256)
            .and_then(|okm| okm.fill(&mut expected))
            .expect("HKDF");
        let expected_key = traffic_key(hkdf::HKDF_SHA256, Aead::Aes128Gcm, &expected).expect("key");

        let suite = tls13(cs::TLS13_AES_128_GCM_SHA256);
        let mut s = TrafficSchedule::new(suite, &secret, &[7; 32]).expect("schedule");
        let tx = s.update_tx().expect("update");
        assert_eq!((tx.key(), tx.iv()), (expected_key.key(), expected_key.iv()));
        // The receiving secret is untouched by a sending update, and moves on alone.
        assert_eq!(&s.rx[..32], &[7; 32]);
        let rx = s.update_rx().expect("update");
        assert_ne!(rx.key(), tx.key());
        // A second update derives from the first.
        let tx2 = s.update_tx().expect("update");
        assert_ne!(tx2.key(), tx.key());
    }

    #[test]
    fn every_tls13_suite_has_a_schedule_and_wrong_lengths_none() {
        for (suite, len, key_len) in [
            (cs::TLS13_AES_128_GCM_SHA256, 32, 16),
            (cs::TLS13_AES_256_GCM_SHA384, 48, 32),
            (cs::TLS13_CHACHA20_POLY1305_SHA256, 32, 32),
        ] {
            let suite = tls13(suite);
            let mut s =
                TrafficSchedule::new(suite, &vec![1; len], &vec![2; len]).expect("schedule");
            assert_eq!(s.update_tx().expect("update").key().len(), key_len);
            assert!(TrafficSchedule::new(suite, &vec![1; len - 1], &vec![2; len]).is_none());
            assert!(TrafficSchedule::new(suite, &vec![1; len], &[]).is_none());
        }
    }
}
