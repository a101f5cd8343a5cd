//! Cipher suites: the table behind `SSL_CIPHER`, and OpenSSL's cipher-string language
//! (`SSL_CTX_set_cipher_list`) and TLS 1.3 suite lists (`SSL_CTX_set_ciphersuites`).

use rustls::crypto::aws_lc_rs::cipher_suite as cs;
use rustls::SupportedCipherSuite;

use crate::crypto_sys as sys;
use crate::error::{Error, Result};

/// One cipher suite this library can negotiate: what `SSL_CIPHER *` points at.
#[derive(Debug)]
pub(crate) struct Cipher {
    /// OpenSSL's name (`ECDHE-RSA-AES128-GCM-SHA256`, `TLS_AES_128_GCM_SHA256`).
    pub name: &'static str,
    /// The RFC name (`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`).
    pub standard_name: &'static str,
    /// The rustls suite.
    pub suite: &'static SupportedCipherSuite,
    /// Symmetric key strength in bits.
    pub bits: i32,
    /// Attribute words the cipher-string language matches (`kECDHE`, `aRSA`, `AESGCM`...).
    attrs: &'static [&'static str],
}

impl PartialEq for Cipher {
    fn eq(&self, other: &Self) -> bool {
        self.suite.suite() == other.suite.suite()
    }
}

impl Eq for Cipher {}

impl Cipher {
    /// The IANA id, e.g. 0xC02F.
    pub(crate) fn iana_id(&self) -> u16 {
        u16::from(self.suite.suite())
    }

    /// True for a TLS 1.3 suite.
    pub(crate) fn is_tls13(&self) -> bool {
        matches!(self.suite, SupportedCipherSuite::Tls13(_))
    }

    /// The lowest protocol version using it, as OpenSSL names it.
    pub(crate) fn version(&self) -> &'static str {
        if self.is_tls13() {
            "TLSv1.3"
        } else {
            "TLSv1.2"
        }
    }

    /// The table entry for a negotiated rustls suite.
    pub(crate) fn find(suite: SupportedCipherSuite) -> Option<&'static Self> {
        ALL.iter().find(|c| c.suite.suite() == suite.suite())
    }

    fn matches_word(&self, word: &str) -> bool {
        word == self.name
            || word == self.standard_name
            || matches!(word, "ALL" | "HIGH" | "AEAD" | "TLSv1.2")
            || self.attrs.contains(&word)
    }
}

const TLS12_ATTRS_ECDSA: &[&str] = &[
    "kECDHE", "kEECDH", "ECDHE", "EECDH", "ECDH", "aECDSA", "ECDSA",
];
const TLS12_ATTRS_RSA: &[&str] = &["kECDHE", "kEECDH", "ECDHE", "EECDH", "ECDH", "aRSA"];

macro_rules! cipher {
    ($name:literal, $std:literal, $suite:path, $bits:literal, $($attr:literal),*) => {
        Cipher { name: $name, standard_name: $std, suite: &$suite, bits: $bits, attrs: &[$($attr),*] }
    };
}

/// Every suite, in OpenSSL's default preference order (TLS 1.3 first).
pub(crate) static ALL: &[Cipher] = &[
    cipher!(
        "TLS_AES_256_GCM_SHA384",
        "TLS_AES_256_GCM_SHA384",
        cs::TLS13_AES_256_GCM_SHA384,
        256,
    ),
    cipher!(
        "TLS_CHACHA20_POLY1305_SHA256",
        "TLS_CHACHA20_POLY1305_SHA256",
        cs::TLS13_CHACHA20_POLY1305_SHA256,
        256,
    ),
    cipher!(
        "TLS_AES_128_GCM_SHA256",
        "TLS_AES_128_GCM_SHA256",
        cs::TLS13_AES_128_GCM_SHA256,
        128,
    ),
    cipher!(
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        cs::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        256,
        "AESGCM",
        "AES",
        "AES256",
        "SHA384"
    ),
    cipher!(
        "ECDHE-RSA-AES256-GCM-SHA384",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        cs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        256,
        "AESGCM",
        "AES",
        "AES256",
        "SHA384"
    ),
    cipher!(
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        cs::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        256,
        "CHACHA20",
        "SHA256"
    ),
    cipher!(
        "ECDHE-RSA-CHACHA20-POLY1305",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        cs::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        256,
        "CHACHA20",
        "SHA256"
    ),
    cipher!(
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        cs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        128,
        "AESGCM",
        "AES",
        "AES128",
        "SHA256"
    ),
    cipher!(
        "ECDHE-RSA-AES128-GCM-SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        cs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        128,
        "AESGCM",
        "AES",
        "AES128",
        "SHA256"
    ),
];

fn tls12_attrs(c: &Cipher) -> &'static [&'static str] {
    if c.name.contains("ECDSA") {
        TLS12_ATTRS_ECDSA
    } else {
        TLS12_ATTRS_RSA
    }
}

/// An ordered selection of suites: what a cipher string or suite list chose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CipherList(pub Vec<&'static Cipher>);

impl CipherList {
    /// OpenSSL's default TLS 1.2 list (`DEFAULT`).
    pub(crate) fn default_tls12() -> Self {
        Self(ALL.iter().filter(|c| !c.is_tls13()).collect())
    }

    /// OpenSSL's default TLS 1.3 list.
    pub(crate) fn default_tls13() -> Self {
        Self(ALL.iter().filter(|c| c.is_tls13()).collect())
    }

    /// Parses an OpenSSL cipher string, which selects TLS 1.2 suites only. Names OpenSSL
    /// knows but rustls lacks (CBC, DHE, RSA key exchange...) select nothing, as unknown
    /// words do in OpenSSL; a string selecting no suite at all fails with `NO_CIPHER_MATCH`.
    pub(crate) fn parse_tls12(s: &str) -> Result<Self> {
        let candidates: Vec<&'static Cipher> = ALL.iter().filter(|c| !c.is_tls13()).collect();
        let mut active: Vec<&'static Cipher> = Vec::new();
        let mut killed: Vec<&'static Cipher> = Vec::new();
        let expanded = s.replace("DEFAULT", "ALL:!COMPLEMENTOFDEFAULT:!eNULL");
        for token in expanded
            .split([':', ',', ' ', ';'])
            .filter(|t| !t.is_empty())
        {
            if token == "@STRENGTH" {
                active.sort_by_key(|c| std::cmp::Reverse(c.bits));
                continue;
            }
            if token.starts_with('@') {
                continue; // @SECLEVEL=n: rustls has no weak suites to exclude.
            }
            let (op, words) = match token.as_bytes()[0] {
                b'!' | b'-' | b'+' => (token.as_bytes()[0], &token[1..]),
                _ => (b' ', token),
            };
            let selected = |c: &&'static Cipher| {
                words
                    .split('+')
                    .all(|w| c.matches_word(w) || tls12_attrs(c).contains(&w))
            };
            let hits: Vec<&'static Cipher> = candidates.iter().copied().filter(selected).collect();
            match op {
                b'!' => {
                    active.retain(|c| !hits.contains(c));
                    killed.extend(hits);
                }
                b'-' => active.retain(|c| !hits.contains(c)),
                b'+' => {
                    let (moved, kept): (Vec<_>, Vec<_>) =
                        active.iter().partition(|c| hits.contains(c));
                    active = kept;
                    active.extend(moved);
                }
                _ => {
                    for c in hits {
                        if !active.contains(&c) && !killed.contains(&c) {
                            active.push(c);
                        }
                    }
                }
            }
        }
        if active.is_empty() {
            return Err(Error::Reason(sys::SSL_R_NO_CIPHER_MATCH));
        }
        Ok(Self(active))
    }

    /// Parses a TLS 1.3 suite list (`TLS_AES_128_GCM_SHA256:...`). As in OpenSSL, unknown
    /// names are skipped and the call fails only if no name is a TLS 1.3 suite; OpenSSL's
    /// CCM suites are accepted and never negotiated (rustls lacks them). An empty string
    /// disables TLS 1.3 suites.
    pub(crate) fn parse_tls13(s: &str) -> Result<Self> {
        let mut out = Vec::new();
        let mut known = false;
        for name in s.split(':').filter(|t| !t.is_empty()) {
            if let Some(c) = ALL.iter().find(|c| c.is_tls13() && c.name == name) {
                known = true;
                if !out.contains(&c) {
                    out.push(c);
                }
            } else if matches!(name, "TLS_AES_128_CCM_SHA256" | "TLS_AES_128_CCM_8_SHA256") {
                known = true; // an OpenSSL suite rustls lacks: accepted, never negotiated
            }
        }
        if !known && !s.is_empty() {
            return Err(Error::Reason(sys::SSL_R_NO_CIPHER_MATCH));
        }
        Ok(Self(out))
    }

    /// The OpenSSL names, colon-separated.
    #[cfg(test)]
    pub(crate) fn names(&self) -> String {
        self.0.iter().map(|c| c.name).collect::<Vec<_>>().join(":")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &str) -> String {
        CipherList::parse_tls12(s)
            .map(|l| l.names())
            .unwrap_or_else(|e| format!("{e:?}"))
    }

    #[test]
    fn openssl_strings() {
        let all = CipherList::default_tls12().names();
        assert_eq!(names("DEFAULT"), all);
        assert_eq!(names("HIGH:!aNULL:!MD5"), all);
        assert_eq!(
            names("ECDHE+AESGCM"),
            "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:\
             ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"
        );
        assert_eq!(
            names("ECDHE-RSA-AES128-GCM-SHA256"),
            "ECDHE-RSA-AES128-GCM-SHA256"
        );
        assert_eq!(
            names("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:AES128-SHA"),
            "ECDHE-RSA-AES128-GCM-SHA256"
        );
        assert_eq!(
            names("DEFAULT:!kRSA:!aECDSA:-CHACHA20").split(':').count(),
            2
        );
        assert_eq!(
            names("CHACHA20:+aECDSA"),
            "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-CHACHA20-POLY1305"
        );
        assert_eq!(
            names("AES128:AES256:@STRENGTH").split(':').next(),
            Some("ECDHE-ECDSA-AES256-GCM-SHA384")
        );
        assert_eq!(names("!ECDHE:ECDHE"), "Reason(185)");
        assert_eq!(names("NOPE-CIPHER"), "Reason(185)");
        assert_eq!(names("RC4:DES-CBC3-SHA"), "Reason(185)");
    }

    #[test]
    fn tls13_lists() {
        let l = CipherList::parse_tls13("TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_CCM_SHA256")
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(l.names(), "TLS_CHACHA20_POLY1305_SHA256");
        assert!(CipherList::parse_tls13("TLS_BOGUS").is_err());
        assert_eq!(
            CipherList::parse_tls13("TLS_AES_128_GCM_SHA256:TLS_BOGUS")
                .map(|l| l.names())
                .ok(),
            Some("TLS_AES_128_GCM_SHA256".to_owned())
        );
        assert!(CipherList::parse_tls13("")
            .map(|l| l.0.is_empty())
            .unwrap_or(false));
    }
}
