//! Cipher suites: OpenSSL 3.0's suite table, which `SSL_CIPHER *` points into ([`table`]);
//! its cipher-string language for TLS 1.2 and below (`SSL_CTX_set_cipher_list`, [`rules`]);
//! and TLS 1.3 suite lists (`SSL_CTX_set_ciphersuites`). A list keeps the suites OpenSSL
//! would choose, in OpenSSL's order, narrowed to those rustls implements.

// The algorithm bits keep OpenSSL's cipher-string spelling (`kRSA`, `aECDSA`, `eNULL`).
#![allow(non_upper_case_globals)]

use std::ffi::CStr;
use std::sync::OnceLock;

use rustls::crypto::aws_lc_rs::cipher_suite as cs;
use rustls::SupportedCipherSuite;

use crate::crypto_sys as sys;
use crate::debug::{enabled, log, Level};
use crate::error::{Error, Result};

mod rules;
mod table;
#[cfg(test)]
mod tests;

use table::alg::*;
use table::{SSL3, SUITES, TLS1, TLS12, TLS13};

/// `OSSL_default_cipher_list`: the rule `DEFAULT` stands for, and a new context's list.
pub(crate) const DEFAULT_RULE: &CStr = c"ALL:!COMPLEMENTOFDEFAULT:!eNULL";

/// `OSSL_default_ciphersuites`: the TLS 1.3 suites a new context offers.
pub(crate) const DEFAULT_SUITES: &CStr =
    c"TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256";

/// One suite of OpenSSL's table: what `SSL_CIPHER *` points at.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Cipher {
    /// The two-byte IANA id (`SSL_CIPHER_get_protocol_id`).
    id: u16,
    /// OpenSSL's name (`ECDHE-RSA-AES128-GCM-SHA256`, `TLS_AES_128_GCM_SHA256`).
    name: &'static CStr,
    /// The RFC name; empty for the few suites OpenSSL gives none.
    standard_name: &'static CStr,
    /// Algorithm bits ([`table::alg`]).
    kx: u32,
    au: u32,
    enc: u32,
    mac: u32,
    /// The versions that can negotiate it; 0 for the signalling values.
    min_version: u16,
    max_version: u16,
    /// Strength classes (`HIGH`, `FIPS`...) and `NOT_DEFAULT`.
    strength: u32,
    /// The handshake (and PRF) hash.
    handshake: Digest,
    /// Secret bits of the cipher (OpenSSL's strength and algorithm bits, equal in this build).
    bits: i32,
}

/// A suite's handshake hash, as `SSL_CIPHER_get_handshake_digest` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Digest {
    /// The signalling values, whose hash index is 0.
    Md5,
    /// TLS 1.1 and below.
    Md5Sha1,
    Sha256,
    Sha384,
    Gost94,
    Gost12,
}

impl Cipher {
    /// The suite with IANA id `id`, if OpenSSL knows it (`SSL_CIPHER_find`).
    pub(crate) fn by_id(id: u16) -> Option<&'static Self> {
        SUITES
            .binary_search_by_key(&id, |c| c.id)
            .ok()
            .map(|i| &SUITES[i])
    }

    /// The suite with this standard name, if OpenSSL knows it (`OPENSSL_cipher_name`).
    pub(crate) fn by_standard_name(name: &[u8]) -> Option<&'static Self> {
        SUITES
            .iter()
            .find(|c| !name.is_empty() && c.standard_name.to_bytes() == name)
    }

    /// The table entry of a suite rustls negotiated.
    pub(crate) fn find(suite: SupportedCipherSuite) -> Option<&'static Self> {
        Self::by_id(u16::from(suite.suite()))
    }

    /// The IANA id, e.g. 0xC02F.
    pub(crate) fn iana_id(&self) -> u16 {
        self.id
    }

    /// OpenSSL's 32-bit id (`SSL_CIPHER_get_id`): 0x0300XXXX.
    pub(crate) fn openssl_id(&self) -> u32 {
        0x0300_0000 | u32::from(self.id)
    }

    /// OpenSSL's name.
    pub(crate) fn name(&self) -> &'static CStr {
        self.name
    }

    /// The RFC name, if OpenSSL has one.
    pub(crate) fn standard_name(&self) -> Option<&'static CStr> {
        (!self.standard_name.is_empty()).then_some(self.standard_name)
    }

    /// Secret bits (`SSL_CIPHER_get_bits`, both of its values).
    pub(crate) fn bits(&self) -> i32 {
        self.bits
    }

    /// True for a TLS 1.3 suite.
    pub(crate) fn is_tls13(&self) -> bool {
        self.min_version == TLS13
    }

    /// True for a signalling value (`TLS_EMPTY_RENEGOTIATION_INFO_SCSV`, `TLS_FALLBACK_SCSV`):
    /// OpenSSL's table holds them but they are not suites.
    pub(crate) fn is_scsv(&self) -> bool {
        self.min_version == 0
    }

    /// True when the cipher authenticates itself (GCM, CCM, ChaCha20-Poly1305).
    pub(crate) fn is_aead(&self) -> bool {
        self.mac & mAEAD != 0
    }

    /// The lowest version, as `SSL_CIPHER_get_version` names it ("TLSv1.0" for TLS 1.0).
    pub(crate) fn version(&self) -> &'static CStr {
        match self.min_version {
            TLS1 => c"TLSv1.0",
            v => protocol_name(v),
        }
    }

    /// The rustls suite, for the suites this library implements.
    pub(crate) fn rustls_suite(&self) -> Option<SupportedCipherSuite> {
        Some(match self.id {
            0x1301 => cs::TLS13_AES_128_GCM_SHA256,
            0x1302 => cs::TLS13_AES_256_GCM_SHA384,
            0x1303 => cs::TLS13_CHACHA20_POLY1305_SHA256,
            0xC02B => cs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            0xC02C => cs::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            0xC02F => cs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            0xC030 => cs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            0xCCA8 => cs::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            0xCCA9 => cs::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            _ => return None,
        })
    }

    /// True when rustls can negotiate it.
    pub(crate) fn is_implemented(&self) -> bool {
        self.rustls_suite().is_some()
    }

    /// Whether a connection at security level `level` may use the suite (OpenSSL's default
    /// security callback for `SSL_SECOP_CIPHER_*`).
    pub(crate) fn allowed_at(&self, level: i32) -> bool {
        let min_bits = match level {
            i32::MIN..=0 => return true,
            1 => 80,
            2 => 112,
            3 => 128,
            4 => 192,
            _ => 256,
        };
        let forward_secret = kDHE | kECDHE | kDHEPSK | kECDHEPSK;
        self.bits >= min_bits
            && self.au & aNULL == 0
            && self.mac & mMD5 == 0
            && !(min_bits > 160 && self.mac & mSHA1 != 0)
            && !(level >= 3 && !self.is_tls13() && self.kx & forward_secret == 0)
    }

    /// Whether a connection limited to versions `min..=max` can use the suite.
    pub(crate) fn allowed_for(&self, min: u16, max: u16) -> bool {
        !self.is_scsv() && self.min_version <= max && self.max_version >= min
    }

    /// Whether OpenSSL's server could choose this suite for a connection of `version`
    /// (`ssl3_choose_cipher`): the version and the security `level` allow it, and the
    /// server has what its key exchange and authentication need. PSK, SRP and GOST suites
    /// need callbacks or keys the shim never has.
    pub(crate) fn choosable(&self, version: u16, level: i32, server: &ServerMeans) -> bool {
        let kx = match self.kx {
            kRSA => server.rsa,
            kDHE => server.dhe,
            kECDHE => server.ecdhe,
            _ => false,
        };
        let au = match self.au {
            aRSA => server.rsa,
            aECDSA => server.ecdsa,
            aDSS => server.dsa,
            aNULL => true,
            _ => false,
        };
        self.allowed_for(version, version) && self.allowed_at(level) && kx && au
    }

    /// `SSL_CIPHER_get_cipher_nid`.
    pub(crate) fn cipher_nid(&self) -> i32 {
        match self.enc {
            eDES => sys::NID_des_cbc,
            e3DES => sys::NID_des_ede3_cbc,
            eRC4 => sys::NID_rc4,
            eRC2 => sys::NID_rc2_cbc,
            eIDEA => sys::NID_idea_cbc,
            eAES128 => sys::NID_aes_128_cbc,
            eAES256 => sys::NID_aes_256_cbc,
            eCAMELLIA128 => sys::NID_camellia_128_cbc,
            eCAMELLIA256 => sys::NID_camellia_256_cbc,
            eGOST89 => sys::NID_gost89_cnt,
            eSEED => sys::NID_seed_cbc,
            eAES128GCM => sys::NID_aes_128_gcm,
            eAES256GCM => sys::NID_aes_256_gcm,
            eAES128CCM | eAES128CCM8 => sys::NID_aes_128_ccm,
            eAES256CCM | eAES256CCM8 => sys::NID_aes_256_ccm,
            eGOST89_12 => sys::NID_gost89_cnt_12,
            eCHACHA20POLY1305 => sys::NID_chacha20_poly1305,
            eARIA128GCM => sys::NID_aria_128_gcm,
            eARIA256GCM => sys::NID_aria_256_gcm,
            eMAGMA => sys::NID_magma_ctr_acpkm,
            eKUZNYECHIK => sys::NID_kuznyechik_ctr_acpkm,
            _ => sys::NID_undef,
        }
    }

    /// `SSL_CIPHER_get_digest_nid`: the MAC's hash; `NID_undef` for an AEAD.
    pub(crate) fn digest_nid(&self) -> i32 {
        match self.mac {
            mMD5 => sys::NID_md5,
            mSHA1 => sys::NID_sha1,
            mGOST94 => sys::NID_id_GostR3411_94,
            mGOST89MAC => sys::NID_id_Gost28147_89_MAC,
            mSHA256 => sys::NID_sha256,
            mSHA384 => sys::NID_sha384,
            mGOST12_256 => sys::NID_id_GostR3411_2012_256,
            mGOST89MAC12 => sys::NID_gost_mac_12,
            mGOST12_512 => sys::NID_id_GostR3411_2012_512,
            mMAGMAOMAC => sys::NID_magma_mac,
            mKUZNYECHIKOMAC => sys::NID_kuznyechik_mac,
            // OpenSSL's table maps "no MAC bit" (the signalling values) to MD5+SHA1.
            0 => sys::NID_md5_sha1,
            _ => sys::NID_undef,
        }
    }

    /// `SSL_CIPHER_get_kx_nid`.
    pub(crate) fn kx_nid(&self) -> i32 {
        match self.kx {
            kRSA => sys::NID_kx_rsa,
            kECDHE => sys::NID_kx_ecdhe,
            kDHE => sys::NID_kx_dhe,
            kECDHEPSK => sys::NID_kx_ecdhe_psk,
            kDHEPSK => sys::NID_kx_dhe_psk,
            kRSAPSK => sys::NID_kx_rsa_psk,
            kPSK => sys::NID_kx_psk,
            kSRP => sys::NID_kx_srp,
            kGOST => sys::NID_kx_gost,
            kGOST18 => sys::NID_kx_gost18,
            kANY => sys::NID_kx_any,
            _ => sys::NID_undef,
        }
    }

    /// `SSL_CIPHER_get_auth_nid`; `NID_undef` for the GOST 2012 suites, which carry two
    /// authentication bits.
    pub(crate) fn auth_nid(&self) -> i32 {
        match self.au {
            aRSA => sys::NID_auth_rsa,
            aECDSA => sys::NID_auth_ecdsa,
            aPSK => sys::NID_auth_psk,
            aDSS => sys::NID_auth_dss,
            aGOST01 => sys::NID_auth_gost01,
            aGOST12 => sys::NID_auth_gost12,
            aSRP => sys::NID_auth_srp,
            aNULL => sys::NID_auth_null,
            aANY => sys::NID_auth_any,
            _ => sys::NID_undef,
        }
    }

    /// The NID of the handshake hash (`SSL_CIPHER_get_handshake_digest`).
    pub(crate) fn handshake_digest_nid(&self) -> i32 {
        match self.handshake {
            Digest::Md5 => sys::NID_md5,
            Digest::Md5Sha1 => sys::NID_md5_sha1,
            Digest::Sha256 => sys::NID_sha256,
            Digest::Sha384 => sys::NID_sha384,
            Digest::Gost94 => sys::NID_id_GostR3411_94,
            Digest::Gost12 => sys::NID_id_GostR3411_2012_256,
        }
    }

    /// `SSL_CIPHER_description`'s line, newline included:
    /// `NAME VERSION Kx=.. Au=.. Enc=.. Mac=..` in OpenSSL's padded columns.
    pub(crate) fn description(&self) -> String {
        let kx = match self.kx {
            kRSA => "RSA",
            kDHE => "DH",
            kECDHE => "ECDH",
            kPSK => "PSK",
            kRSAPSK => "RSAPSK",
            kECDHEPSK => "ECDHEPSK",
            kDHEPSK => "DHEPSK",
            kSRP => "SRP",
            kGOST => "GOST",
            kGOST18 => "GOST18",
            kANY => "any",
            _ => "unknown",
        };
        let au = match self.au {
            aRSA => "RSA",
            aDSS => "DSS",
            aNULL => "None",
            aECDSA => "ECDSA",
            aPSK => "PSK",
            aSRP => "SRP",
            aGOST01 => "GOST01",
            aGOST => "GOST12",
            aANY => "any",
            _ => "unknown",
        };
        let enc = match self.enc {
            eDES => "DES(56)",
            e3DES => "3DES(168)",
            eRC4 => "RC4(128)",
            eRC2 => "RC2(128)",
            eIDEA => "IDEA(128)",
            eNULL => "None",
            eAES128 => "AES(128)",
            eAES256 => "AES(256)",
            eAES128GCM => "AESGCM(128)",
            eAES256GCM => "AESGCM(256)",
            eAES128CCM => "AESCCM(128)",
            eAES256CCM => "AESCCM(256)",
            eAES128CCM8 => "AESCCM8(128)",
            eAES256CCM8 => "AESCCM8(256)",
            eCAMELLIA128 => "Camellia(128)",
            eCAMELLIA256 => "Camellia(256)",
            eARIA128GCM => "ARIAGCM(128)",
            eARIA256GCM => "ARIAGCM(256)",
            eSEED => "SEED(128)",
            eGOST89 | eGOST89_12 => "GOST89(256)",
            eMAGMA => "MAGMA",
            eKUZNYECHIK => "KUZNYECHIK",
            eCHACHA20POLY1305 => "CHACHA20/POLY1305(256)",
            _ => "unknown",
        };
        let mac = match self.mac {
            mMD5 => "MD5",
            mSHA1 => "SHA1",
            mSHA256 => "SHA256",
            mSHA384 => "SHA384",
            mAEAD => "AEAD",
            mGOST89MAC | mGOST89MAC12 => "GOST89",
            mGOST94 => "GOST94",
            mGOST12_256 | mGOST12_512 => "GOST2012",
            _ => "unknown",
        };
        let name = self.name.to_str().unwrap_or_default();
        let version = protocol_name(self.min_version).to_str().unwrap_or_default();
        format!("{name:<30} {version:<7} Kx={kx:<8} Au={au:<5} Enc={enc:<22} Mac={mac:<4}\n")
    }
}

/// OpenSSL's name for a protocol version (`ssl_protocol_to_string`).
fn protocol_name(v: u16) -> &'static CStr {
    match v {
        TLS13 => c"TLSv1.3",
        TLS12 => c"TLSv1.2",
        table::TLS11 => c"TLSv1.1",
        TLS1 => c"TLSv1",
        SSL3 => c"SSLv3",
        _ => c"unknown",
    }
}

/// What a server has for the suites [`Cipher::choosable`] asks about: certificates by key
/// type, a group shared with the client for ECDHE, DH parameters for DHE.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ServerMeans {
    pub rsa: bool,
    pub ecdsa: bool,
    pub dsa: bool,
    pub ecdhe: bool,
    pub dhe: bool,
}

/// A cipher-suite list in wire form (a ClientHello's), decoded as OpenSSL's
/// `bytes_to_cipher_list` does: the suites OpenSSL knows, in order, with the signalling
/// values apart; unknown ids are dropped.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Offered {
    pub suites: Vec<&'static Cipher>,
    pub scsvs: Vec<&'static Cipher>,
}

impl Offered {
    /// Decodes two-byte ids, or SSLv2's three-byte ones (`sslv2`), of which only those with a
    /// zero first byte are TLS suites. Fails with `SSL_R_NO_CIPHERS_SPECIFIED` when empty and
    /// `SSL_R_ERROR_IN_RECEIVED_CIPHER_LIST` when the length is not a multiple of the size.
    pub(crate) fn decode(raw: &[u8], sslv2: bool) -> Result<Self> {
        let size = if sslv2 { 3 } else { 2 };
        if raw.is_empty() {
            return Err(Error::Reason(sys::SSL_R_NO_CIPHERS_SPECIFIED));
        }
        if !raw.len().is_multiple_of(size) {
            return Err(Error::Reason(sys::SSL_R_ERROR_IN_RECEIVED_CIPHER_LIST));
        }
        let mut out = Self::default();
        for entry in raw.chunks_exact(size) {
            let (first, id) = entry.split_at(size - 2);
            if first.iter().any(|&b| b != 0) {
                continue; // a true SSLv2 suite
            }
            let Some(c) = Cipher::by_id(u16::from_be_bytes([id[0], id[1]])) else {
                continue;
            };
            if c.is_scsv() {
                out.scsvs.push(c);
            } else {
                out.suites.push(c);
            }
        }
        Ok(out)
    }
}

/// An ordered selection of implemented suites: what a cipher string or suite list chose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CipherList(pub Vec<&'static Cipher>);

/// What a cipher string (`SSL_CTX_set_cipher_list`) chose.
#[derive(Debug)]
pub(crate) struct CipherString {
    /// The implemented suites of OpenSSL's list, in its order.
    pub list: CipherList,
    /// The suites of OpenSSL's list that TLS 1.0 and 1.1 can negotiate (rustls implements
    /// none of them): what OpenSSL's server would choose from for a client limited to those
    /// versions, to fail as it fails.
    pub legacy: CipherList,
    /// OpenSSL's list has a suite (implemented or not): otherwise OpenSSL still installs the
    /// empty list but fails with `SSL_R_NO_CIPHER_MATCH`.
    pub matched: bool,
    /// The level a `@SECLEVEL=n` set.
    pub security_level: Option<i32>,
}

impl CipherList {
    /// The TLS 1.2 list of a new context: `DEFAULT` (`OSSL_default_cipher_list`).
    pub(crate) fn default_tls12() -> Self {
        Self::defaults().0.clone()
    }

    /// The suites below TLS 1.2 of `DEFAULT` ([`CipherString::legacy`]).
    pub(crate) fn default_legacy() -> Self {
        Self::defaults().1.clone()
    }

    fn defaults() -> &'static (Self, Self) {
        static DEFAULT: OnceLock<(CipherList, CipherList)> = OnceLock::new();
        DEFAULT.get_or_init(|| match Self::parse_tls12(DEFAULT_RULE.to_bytes()) {
            Ok(s) => (s.list, s.legacy),
            Err(_) => (Self(Vec::new()), Self(Vec::new())),
        })
    }

    /// The TLS 1.3 list of a new context (`OSSL_default_ciphersuites`).
    pub(crate) fn default_tls13() -> Self {
        Self::parse_tls13(DEFAULT_SUITES.to_bytes()).unwrap_or(Self(Vec::new()))
    }

    /// Runs an OpenSSL cipher string, which selects suites of TLS 1.2 and below. Fails with
    /// `SSL_R_INVALID_COMMAND` on a syntax error (OpenSSL then keeps the previous list);
    /// a string that selects no suite is reported through [`CipherString::matched`].
    pub(crate) fn parse_tls12(rule: &[u8]) -> Result<CipherString> {
        let selected = rules::select(rule)?;
        if rule != DEFAULT_RULE.to_bytes() {
            cipher_string(rule, &selected.ciphers);
        }
        Ok(CipherString {
            matched: !selected.ciphers.is_empty(),
            legacy: Self(
                selected
                    .ciphers
                    .iter()
                    .filter(|c| c.allowed_for(SSL3, table::TLS11))
                    .copied()
                    .collect(),
            ),
            list: Self(
                selected
                    .ciphers
                    .into_iter()
                    .filter(|c| c.is_implemented())
                    .collect(),
            ),
            security_level: selected.security_level,
        })
    }

    /// Parses a TLS 1.3 suite list (`TLS_AES_128_GCM_SHA256:...`) as OpenSSL 3.0 does:
    /// colon-separated standard names, blanks around each ignored, unknown names and names of
    /// 80 bytes or more skipped; it fails with `SSL_R_NO_CIPHER_MATCH` when no name is known,
    /// and an empty string disables TLS 1.3 suites. OpenSSL accepts any suite's standard name
    /// here (and then offers that suite first); only TLS 1.3 suites are kept here, and of
    /// those the ones rustls implements (not the CCM suites). Repeated names stay repeated.
    pub(crate) fn parse_tls13(s: &[u8]) -> Result<Self> {
        // C's isspace: blank, \t, \n, \v, \f, \r.
        let blank = |b: &u8| *b == b' ' || (b'\t'..=b'\r').contains(b);
        let mut out = Vec::new();
        let mut known = false;
        for name in s.split(|&b| b == b':') {
            let start = name.iter().position(|b| !blank(b)).unwrap_or(name.len());
            let end = name
                .iter()
                .rposition(|b| !blank(b))
                .map_or(start, |i| i + 1);
            let name = &name[start..end.max(start)];
            if name.is_empty() || name.len() >= 80 {
                continue;
            }
            if let Some(c) = Cipher::by_standard_name(name) {
                known = true;
                if c.is_tls13() && c.is_implemented() {
                    out.push(c);
                }
            }
        }
        if !known && !s.is_empty() {
            return Err(Error::Reason(sys::SSL_R_NO_CIPHER_MATCH));
        }
        Ok(Self(out))
    }

    /// `SSL_get_shared_ciphers`' text: the names of the `client`'s suites that are also in
    /// `ours`, in the client's order, colon-separated and NUL-terminated, as many whole names
    /// as fit in `size` bytes; `None` when no name fits or none is shared.
    pub(crate) fn shared_names(
        client: &[&Cipher],
        ours: &[&Cipher],
        size: usize,
    ) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        let mut room = size;
        for c in client
            .iter()
            .filter(|c| ours.iter().any(|o| std::ptr::eq(*o, **c)))
        {
            let name = c.name.to_bytes();
            if name.len() >= room {
                break;
            }
            out.extend_from_slice(name);
            out.push(b':');
            room -= name.len() + 1;
        }
        let last = out.last_mut()?;
        *last = 0;
        Some(out)
    }

    /// The OpenSSL names, colon-separated.
    #[cfg(test)]
    pub(crate) fn names(&self) -> String {
        self.0
            .iter()
            .filter_map(|c| c.name().to_str().ok())
            .collect::<Vec<_>>()
            .join(":")
    }
}

/// The suites a cipher string selected that rustls does not implement: all of them at
/// `warn` when nothing implemented is left, else their number at `info` and their names
/// at `debug`.
fn cipher_string(rule: &[u8], selected: &[&Cipher]) {
    if !enabled(Level::Warn) || selected.is_empty() {
        return;
    }
    let missing: Vec<_> = selected
        .iter()
        .filter(|c| !c.is_implemented())
        .map(|c| c.name().to_string_lossy())
        .collect();
    if missing.is_empty() {
        return;
    }
    let rule = String::from_utf8_lossy(rule);
    if missing.len() == selected.len() {
        log!(
            Level::Warn,
            "cipher string {rule:?} selects only suites rustls lacks (no TLS 1.2 suite is left): {}",
            missing.join(":")
        );
    } else if enabled(Level::Debug) {
        log!(
            Level::Debug,
            "cipher string {rule:?}: {} suite(s) left out (rustls lacks them): {}",
            missing.len(),
            missing.join(":")
        );
    } else {
        log!(
            Level::Info,
            "cipher string {rule:?}: {} of its {} suites left out (rustls lacks them; level debug lists them)",
            missing.len(),
            selected.len()
        );
    }
}
