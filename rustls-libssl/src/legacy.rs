//! ClientHellos that OpenSSL 3.0 would answer with TLS 1.0 or 1.1, or refuse for their
//! version: rustls refuses them all, for its own reasons (no `signature_algorithms`, TLS
//! 1.2 not offered) and with its own alert. The server fails them as OpenSSL does.
//!
//! OpenSSL picks TLS 1.0 or 1.1 when the client offers nothing newer and the server's
//! bounds allow it, then fails at its security level (1 and above, Debian's default is 2):
//! those versions sign with MD5+SHA-1 or SHA-1, which the level forbids ("no suitable
//! signature algorithm", internal_error), unless no suite is shared first ("no shared
//! cipher", handshake_failure). At level 0 OpenSSL completes the handshake; the shim
//! cannot, and refuses it as an unsupported protocol (a documented difference).

use crate::ciphers::ServerMeans;
use crate::context::Settings;
use crate::crypto_sys as sys;
use crate::current::HelloInfo;
use crate::versions::TLS1_2;

/// How the server fails the handshake: the `SSL_R_*` reason and the alert it sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub reason: i32,
    pub alert: u8,
}

/// `SSL_AD_PROTOCOL_VERSION`, `SSL_AD_HANDSHAKE_FAILURE`, `SSL_AD_INTERNAL_ERROR`.
const PROTOCOL_VERSION: u8 = 70;
const HANDSHAKE_FAILURE: u8 = 40;
const INTERNAL_ERROR: u8 = 80;
/// SSL 3.0's version number.
const SSL3: u16 = 0x0300;

/// The elliptic-curve groups OpenSSL offers ECDHE with below TLS 1.3 (of those the shim
/// knows): secp256r1, secp384r1, secp521r1, X25519, X448.
const EC_GROUPS: [u16; 5] = [23, 24, 25, 29, 30];

/// How OpenSSL's server (with `settings`, `options`) fails `hello` for its version;
/// `None` when OpenSSL would negotiate TLS 1.2 or 1.3 (rustls's answer stands).
pub(crate) fn refusal(settings: &Settings, options: u64, hello: &HelloInfo) -> Option<Refusal> {
    let version = match settings.versions.openssl_choice(
        options,
        hello.legacy_version,
        hello.versions.as_deref(),
    ) {
        Ok(v) if v >= TLS1_2 => return None,
        Ok(v) => v,
        Err(reason) => {
            // OpenSSL answers with the client's version ("like ssl3_get_record") and SSL
            // 3.0 has no protocol_version alert: an SSLv3 ClientHello gets handshake_failure.
            let alert = if hello.legacy_version == SSL3 {
                HANDSHAKE_FAILURE
            } else {
                PROTOCOL_VERSION
            };
            return Some(Refusal { reason, alert });
        }
    };
    let level = settings.security_level;
    if level <= 0 {
        return Some(Refusal {
            reason: sys::SSL_R_UNSUPPORTED_PROTOCOL,
            alert: PROTOCOL_VERSION,
        });
    }
    let means = server_means(settings, hello);
    let offered = crate::ciphers::Offered::decode(&hello.raw_ciphers, false).ok()?;
    let chosen = settings.legacy_ciphers.0.iter().find(|c| {
        c.choosable(version, level, &means) && offered.suites.iter().any(|o| std::ptr::eq(*o, **c))
    });
    Some(match chosen {
        None => Refusal {
            reason: sys::SSL_R_NO_SHARED_CIPHER,
            alert: HANDSHAKE_FAILURE,
        },
        // The suite authenticates with a certificate (anonymous suites are below every
        // security level): the legacy signature it needs is refused.
        Some(_) => Refusal {
            reason: sys::SSL_R_NO_SUITABLE_SIGNATURE_ALGORITHM,
            alert: INTERNAL_ERROR,
        },
    })
}

/// What the server has for the suites below TLS 1.2: its certificates' key types, an
/// elliptic-curve group the client also offers, DH parameters.
fn server_means(settings: &Settings, hello: &HelloInfo) -> ServerMeans {
    let mut means = ServerMeans::default();
    for kind in settings.credentials.key_types() {
        match kind {
            sys::EVP_PKEY_RSA => means.rsa = true,
            sys::EVP_PKEY_EC => means.ecdsa = true,
            sys::EVP_PKEY_DSA => means.dsa = true,
            _ => {}
        }
    }
    means.ecdhe = settings.groups.iter().any(|g| {
        let id = u16::from(g.name());
        EC_GROUPS.contains(&id) && hello.groups.contains(&id)
    });
    means.dhe = settings.knobs.tmp_dh.is_some() || settings.knobs.dh_auto != 0;
    means
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::versions::TLS1_1;

    /// A TLS 1.1 ClientHello offering ECDHE-RSA-AES256-SHA (0xC014) and AES256-SHA
    /// (0x0035) with X25519.
    fn tls11_hello() -> HelloInfo {
        HelloInfo {
            legacy_version: TLS1_1,
            raw_ciphers: Box::new([0xc0, 0x14, 0x00, 0x35]),
            groups: Box::new([29]),
            ..HelloInfo::default()
        }
    }

    #[test]
    fn versions_openssl_refuses() {
        let mut s = Settings::default();
        s.versions.min = TLS1_2;
        let r = refusal(&s, 0, &tls11_hello());
        assert_eq!(
            r,
            Some(Refusal {
                reason: sys::SSL_R_UNSUPPORTED_PROTOCOL,
                alert: PROTOCOL_VERSION
            })
        );
        // A TLS 1.2 client: rustls decides.
        let tls12 = HelloInfo {
            legacy_version: TLS1_2,
            ..tls11_hello()
        };
        assert_eq!(refusal(&Settings::default(), 0, &tls12), None);
    }

    /// OpenSSL refuses an SSLv3 ClientHello with handshake_failure (its alert in SSL 3.0's
    /// terms), anything else below its bounds with protocol_version.
    #[test]
    fn ssl3_refused_with_handshake_failure() {
        let s = Settings::default();
        let ssl3 = HelloInfo {
            legacy_version: SSL3,
            ..tls11_hello()
        };
        assert_eq!(
            refusal(&s, 0, &ssl3),
            Some(Refusal {
                reason: sys::SSL_R_VERSION_TOO_LOW,
                alert: HANDSHAKE_FAILURE
            })
        );
        let older = HelloInfo {
            legacy_version: 0x0200,
            ..tls11_hello()
        };
        assert_eq!(
            refusal(&s, 0, &older).map(|r| r.alert),
            Some(PROTOCOL_VERSION)
        );
    }

    #[test]
    fn tls11_without_certificate_or_shared_suite() {
        // No certificate: no suite can be chosen.
        let s = Settings::default();
        assert_eq!(
            refusal(&s, 0, &tls11_hello()).map(|r| r.reason),
            Some(sys::SSL_R_NO_SHARED_CIPHER)
        );
        // Level 0: OpenSSL would speak TLS 1.1.
        let s0 = Settings {
            security_level: 0,
            ..Settings::default()
        };
        assert_eq!(
            refusal(&s0, 0, &tls11_hello()).map(|r| r.reason),
            Some(sys::SSL_R_UNSUPPORTED_PROTOCOL)
        );
    }
}
