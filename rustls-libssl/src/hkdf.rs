//! TLS 1.3's key schedule HKDF, from prepared HMAC keys.
//!
//! rustls's aws-lc-rs suites run every HKDF-Expand-Label as a whole aws-lc HKDF call: it
//! sets up the HMAC key (two hash blocks) each time, and after an Extract it redoes the
//! Extract too. A handshake makes dozens of these, and with SHA-384 (the suite OpenSSL
//! clients prefer) they were a fifth of a server's handshake CPU. The suites built here are
//! rustls's own with one change: HKDF is rustls's `HkdfUsingHmac` over aws-lc-rs HMAC keys
//! prepared once per secret, so an expansion costs two hash blocks.

use std::sync::OnceLock;

use aws_lc_rs::hmac;
use rustls::crypto::hash::HashAlgorithm;
use rustls::crypto::hmac::{Hmac, Key, Tag};
use rustls::crypto::tls13::{Hkdf, HkdfUsingHmac};
use rustls::{CipherSuiteCommon, SupportedCipherSuite, Tls13CipherSuite};

/// HMAC with one aws-lc-rs algorithm.
struct AwsLcHmac(&'static hmac::Algorithm);

impl Hmac for AwsLcHmac {
    fn with_key(&self, key: &[u8]) -> Box<dyn Key> {
        Box::new(PreparedKey(hmac::Key::new(*self.0, key)))
    }

    fn hash_output_len(&self) -> usize {
        self.0.digest_algorithm().output_len()
    }
}

/// An HMAC key whose inner and outer hash states are computed once.
struct PreparedKey(hmac::Key);

impl Key for PreparedKey {
    fn sign_concat(&self, first: &[u8], middle: &[&[u8]], last: &[u8]) -> Tag {
        let mut ctx = hmac::Context::with_key(&self.0);
        ctx.update(first);
        for part in middle {
            ctx.update(part);
        }
        ctx.update(last);
        Tag::new(ctx.sign().as_ref())
    }

    fn tag_len(&self) -> usize {
        self.0.algorithm().digest_algorithm().output_len()
    }
}

static HMAC_SHA256: AwsLcHmac = AwsLcHmac(&hmac::HMAC_SHA256);
static HMAC_SHA384: AwsLcHmac = AwsLcHmac(&hmac::HMAC_SHA384);
static HKDF_SHA256: HkdfUsingHmac<'static> = HkdfUsingHmac(&HMAC_SHA256);
static HKDF_SHA384: HkdfUsingHmac<'static> = HkdfUsingHmac(&HMAC_SHA384);

/// `suite` with the prepared-key HKDF (TLS 1.2 suites, which have no HKDF, unchanged). A
/// FIPS build keeps rustls's suites as they are: their HKDF runs inside aws-lc's FIPS
/// module.
pub(crate) fn with_prepared_hkdf(suite: SupportedCipherSuite) -> SupportedCipherSuite {
    static SUITES: OnceLock<Vec<SupportedCipherSuite>> = OnceLock::new();
    let SupportedCipherSuite::Tls13(original) = suite else {
        return suite;
    };
    if cfg!(feature = "fips") {
        return suite;
    }
    let suites = SUITES.get_or_init(|| {
        rustls::crypto::aws_lc_rs::ALL_CIPHER_SUITES
            .iter()
            .filter_map(|s| match s {
                SupportedCipherSuite::Tls13(s) => Some(SupportedCipherSuite::Tls13(rebuilt(s))),
                SupportedCipherSuite::Tls12(_) => None,
            })
            .collect()
    });
    suites
        .iter()
        .find(|s| s.suite() == original.common.suite)
        .copied()
        .unwrap_or(suite)
}

/// A copy of `suite` with the prepared-key HKDF, made once per suite for the process.
fn rebuilt(suite: &Tls13CipherSuite) -> &'static Tls13CipherSuite {
    let hkdf: &'static dyn Hkdf = match suite.common.hash_provider.algorithm() {
        HashAlgorithm::SHA384 => &HKDF_SHA384,
        _ => &HKDF_SHA256,
    };
    Box::leak(Box::new(Tls13CipherSuite {
        common: CipherSuiteCommon {
            suite: suite.common.suite,
            hash_provider: suite.common.hash_provider,
            confidentiality_limit: suite.common.confidentiality_limit,
        },
        hkdf_provider: hkdf,
        aead_alg: suite.aead_alg,
        quic: suite.quic,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 5869 test case 1 (SHA-256), through rustls's HKDF interface.
    #[test]
    fn rfc5869_case_1() {
        let ikm = [0x0bu8; 22];
        let salt: Vec<u8> = (0x00u8..=0x0c).collect();
        let info: Vec<u8> = (0xf0u8..=0xf9).collect();
        let expander = HKDF_SHA256.extract_from_secret(Some(&salt), &ikm);
        let mut okm = [0u8; 42];
        expander
            .expand_slice(&[&info], &mut okm)
            .expect("42 bytes is within HKDF's limit");
        let hex: String = okm.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
        );
    }

    #[test]
    fn every_tls13_suite_is_rebuilt() {
        for suite in rustls::crypto::aws_lc_rs::ALL_CIPHER_SUITES {
            let rebuilt = with_prepared_hkdf(*suite);
            assert_eq!(rebuilt.suite(), suite.suite());
            if let (SupportedCipherSuite::Tls13(a), SupportedCipherSuite::Tls13(b)) =
                (suite, rebuilt)
            {
                assert!(!std::ptr::eq(*a, b), "{:?} not rebuilt", suite.suite());
            }
        }
    }
}
