//! Protocol versions: `SSL_CTX_set_min/max_proto_version` and the `SSL_OP_NO_TLSv1_x` bits,
//! resolved to the TLS versions rustls can do (1.2 and 1.3).

use rustls::SupportedProtocolVersion;

use crate::crypto_sys as sys;

/// `TLS1_2_VERSION`.
pub(crate) const TLS1_2: u16 = sys::TLS1_2_VERSION as u16;
/// `TLS1_3_VERSION`.
pub(crate) const TLS1_3: u16 = sys::TLS1_3_VERSION as u16;

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

    fn allows(&self, v: u16) -> bool {
        (self.min == 0 || self.min <= v)
            && (self.max == 0 || v <= self.max)
            && (self.fixed == 0 || v == self.fixed)
    }
}

/// OpenSSL's name for a protocol version (`SSL_get_version`).
pub(crate) fn name(v: u16) -> &'static str {
    match v {
        TLS1_3 => "TLSv1.3",
        TLS1_2 => "TLSv1.2",
        0x0302 => "TLSv1.1",
        0x0301 => "TLSv1",
        0x0300 => "SSLv3",
        _ => "unknown",
    }
}

/// OpenSSL's name of any protocol version number (`ssl_protocol_to_string`), "unknown"
/// for others.
pub(crate) fn protocol_name(v: u16) -> &'static str {
    match v {
        TLS1_3 => "TLSv1.3",
        TLS1_2 => "TLSv1.2",
        0x0302 => "TLSv1.1",
        0x0301 => "TLSv1",
        0x0300 => "SSLv3",
        0xfeff => "DTLSv1",
        0x0100 => "DTLSv0.9",
        0xfefd => "DTLSv1.2",
        _ => "unknown",
    }
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
}
