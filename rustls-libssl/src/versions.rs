//! Protocol versions: `SSL_CTX_set_min/max_proto_version` and the `SSL_OP_NO_TLSv1_x` bits,
//! resolved to the TLS versions rustls can do (1.2 and 1.3).

use rustls::SupportedProtocolVersion;

use crate::crypto_sys as sys;

/// `TLS1_2_VERSION`.
pub(crate) const TLS1_2: u16 = sys::TLS1_2_VERSION as u16;
/// `TLS1_3_VERSION`.
pub(crate) const TLS1_3: u16 = sys::TLS1_3_VERSION as u16;
/// `TLS1_1_VERSION` and `TLS1_VERSION`, which OpenSSL can negotiate and rustls cannot.
pub(crate) const TLS1_1: u16 = sys::TLS1_1_VERSION as u16;
pub(crate) const TLS1: u16 = sys::TLS1_VERSION as u16;

/// The bounds an application set; 0 means "no bound", as in OpenSSL.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct VersionRange {
    pub min: u16,
    pub max: u16,
    /// The one version a version-specific method (`TLSv1_2_method`) allows; 0 for the
    /// flexible methods. Apart from the bounds, as OpenSSL keeps it apart.
    pub fixed: u16,
}

impl VersionRange {
    /// The rustls versions inside the bounds and not disabled by `options`.
    pub(crate) fn enabled(&self, options: u64) -> Vec<&'static SupportedProtocolVersion> {
        let mut out = Vec::with_capacity(2);
        if self.allows(TLS1_3) && options & sys::SSL_OP_NO_TLSv1_3 == 0 {
            out.push(&rustls::version::TLS13);
        }
        if self.allows(TLS1_2) && options & sys::SSL_OP_NO_TLSv1_2 == 0 {
            out.push(&rustls::version::TLS12);
        }
        out
    }

    /// The version OpenSSL 3.0's server chooses for a ClientHello with `legacy_version`
    /// and `supported_versions` (`ssl_choose_server_version`), or the `SSL_R_*` reason it
    /// refuses with. OpenSSL knows TLS 1.0 to 1.3 (SSLv3 is not built); a version-specific
    /// method takes its own version for a client that offers at least that one.
    pub(crate) fn openssl_choice(
        &self,
        options: u64,
        legacy_version: u16,
        supported: Option<&[u16]>,
    ) -> Result<u16, i32> {
        if self.fixed != 0 {
            return if legacy_version < self.fixed {
                Err(sys::SSL_R_WRONG_SSL_VERSION)
            } else {
                Ok(self.fixed)
            };
        }
        // `ssl_method_error`: inside the bounds and not disabled by an option.
        let enabled = |v: u16| {
            let off = match v {
                TLS1_3 => sys::SSL_OP_NO_TLSv1_3,
                TLS1_2 => sys::SSL_OP_NO_TLSv1_2,
                TLS1_1 => sys::SSL_OP_NO_TLSv1_1,
                _ => sys::SSL_OP_NO_TLSv1,
            };
            (self.min == 0 || self.min <= v)
                && (self.max == 0 || v <= self.max)
                && options & off == 0
        };
        let known = [TLS1_3, TLS1_2, TLS1_1, TLS1];
        if let Some(list) = supported {
            if legacy_version <= 0x0300 {
                return Err(sys::SSL_R_BAD_LEGACY_VERSION);
            }
            return list
                .iter()
                .copied()
                .filter(|v| known.contains(v) && enabled(*v))
                .max()
                .ok_or(sys::SSL_R_UNSUPPORTED_PROTOCOL);
        }
        // Without the extension a client offers at most TLS 1.2.
        let client = legacy_version.min(TLS1_2);
        let mut disabled = false;
        for v in known.into_iter().filter(|v| *v <= client) {
            if enabled(v) {
                return Ok(v);
            }
            disabled = true;
        }
        Err(if disabled {
            sys::SSL_R_UNSUPPORTED_PROTOCOL
        } else {
            sys::SSL_R_VERSION_TOO_LOW
        })
    }

    fn allows(&self, v: u16) -> bool {
        (self.min == 0 || self.min <= v)
            && (self.max == 0 || v <= self.max)
            && (self.fixed == 0 || v == self.fixed)
    }
}

/// OpenSSL's name of a protocol version number (`SSL_get_version`,
/// `ssl_protocol_to_string`), "unknown" for others.
pub(crate) fn protocol_name(v: u16) -> &'static std::ffi::CStr {
    match v {
        TLS1_3 => c"TLSv1.3",
        TLS1_2 => c"TLSv1.2",
        0x0302 => c"TLSv1.1",
        0x0301 => c"TLSv1",
        0x0300 => c"SSLv3",
        0xfeff => c"DTLSv1",
        0x0100 => c"DTLSv0.9",
        0xfefd => c"DTLSv1.2",
        _ => c"unknown",
    }
}

/// [`protocol_name`] as text.
pub(crate) fn protocol_text(v: u16) -> &'static str {
    protocol_name(v).to_str().unwrap_or("unknown")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        let all = VersionRange::default();
        assert_eq!(all.enabled(0).len(), 2);
        let only12 = VersionRange {
            max: TLS1_2,
            ..VersionRange::default()
        };
        assert_eq!(only12.enabled(0), vec![&rustls::version::TLS12]);
        // nginx's default "TLSv1 TLSv1.1 TLSv1.2" on OpenSSL 3 sets max 1.2 this way.
        assert_eq!(
            all.enabled(sys::SSL_OP_NO_TLSv1_3),
            vec![&rustls::version::TLS12]
        );
        let only13 = VersionRange {
            min: TLS1_3,
            ..VersionRange::default()
        };
        assert_eq!(only13.enabled(0), vec![&rustls::version::TLS13]);
        assert!(VersionRange {
            max: 0x0302,
            ..VersionRange::default()
        }
        .enabled(0)
        .is_empty());
        let fixed12 = VersionRange {
            fixed: TLS1_2,
            ..VersionRange::default()
        };
        assert_eq!(fixed12.enabled(0), vec![&rustls::version::TLS12]);
    }

    /// OpenSSL's choice of version for a ClientHello (`ssl_choose_server_version`).
    #[test]
    fn openssl_server_choice() {
        let all = VersionRange::default();
        let tls13 = Some(&[TLS1_3, TLS1_2][..]);
        assert_eq!(all.openssl_choice(0, TLS1_2, tls13), Ok(TLS1_3));
        assert_eq!(
            all.openssl_choice(sys::SSL_OP_NO_TLSv1_3, TLS1_2, tls13),
            Ok(TLS1_2)
        );
        // A TLS 1.1 client (no supported_versions): OpenSSL would speak TLS 1.1.
        assert_eq!(all.openssl_choice(0, TLS1_1, None), Ok(TLS1_1));
        assert_eq!(all.openssl_choice(0, 0x0304, None), Ok(TLS1_2));
        let min12 = VersionRange {
            min: TLS1_2,
            ..VersionRange::default()
        };
        assert_eq!(
            min12.openssl_choice(0, TLS1_1, None),
            Err(sys::SSL_R_UNSUPPORTED_PROTOCOL)
        );
        assert_eq!(
            all.openssl_choice(0, 0x0300, None),
            Err(sys::SSL_R_VERSION_TOO_LOW)
        );
        assert_eq!(
            all.openssl_choice(0, 0x0300, tls13),
            Err(sys::SSL_R_BAD_LEGACY_VERSION)
        );
        assert_eq!(
            min12.openssl_choice(0, TLS1_2, Some(&[TLS1_1])),
            Err(sys::SSL_R_UNSUPPORTED_PROTOCOL)
        );
        let fixed12 = VersionRange {
            fixed: TLS1_2,
            ..VersionRange::default()
        };
        assert_eq!(fixed12.openssl_choice(0, TLS1_2, tls13), Ok(TLS1_2));
        assert_eq!(
            fixed12.openssl_choice(0, TLS1_1, None),
            Err(sys::SSL_R_WRONG_SSL_VERSION)
        );
    }
}
