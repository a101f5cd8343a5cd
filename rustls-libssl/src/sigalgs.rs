//! Signature algorithms: OpenSSL's list syntax (`SSL_CTX_set1_sigalgs_list`,
//! `SignatureAlgorithms`: `ECDSA+SHA256:rsa_pss_rsae_sha256:...`) and NID pairs
//! (`SSL_CTX_set1_sigalgs`), as TLS signature scheme code points.

use crate::crypto_sys as sys;

/// One scheme OpenSSL knows: its name (if it has one), code point, hash and signature
/// NIDs (what `SSL_get_peer_signature_nid` and `sig+hash` names refer to), and the NID of
/// the combined algorithm (`SSL_get_sigalgs`' `psignhash`, `NID_undef` for many).
struct Entry {
    name: Option<&'static str>,
    scheme: u16,
    hash: i32,
    sig: i32,
    sig_and_hash: i32,
}

const fn entry(
    name: Option<&'static str>,
    scheme: u16,
    hash: i32,
    sig: i32,
    sig_and_hash: i32,
) -> Entry {
    Entry {
        name,
        scheme,
        hash,
        sig,
        sig_and_hash,
    }
}

/// OpenSSL 3.0's table (t1_lib.c), in its order: where `sig+hash` matches two entries
/// (PSS with RSA or PSS keys) the first wins, as in OpenSSL.
#[rustfmt::skip]
static TABLE: &[Entry] = &[
    entry(Some("ecdsa_secp256r1_sha256"), 0x0403, sys::NID_sha256, sys::NID_X9_62_id_ecPublicKey, sys::NID_ecdsa_with_SHA256),
    entry(Some("ecdsa_secp384r1_sha384"), 0x0503, sys::NID_sha384, sys::NID_X9_62_id_ecPublicKey, sys::NID_ecdsa_with_SHA384),
    entry(Some("ecdsa_secp521r1_sha512"), 0x0603, sys::NID_sha512, sys::NID_X9_62_id_ecPublicKey, sys::NID_ecdsa_with_SHA512),
    entry(Some("ed25519"), 0x0807, sys::NID_undef, sys::NID_ED25519, sys::NID_undef),
    entry(Some("ed448"), 0x0808, sys::NID_undef, sys::NID_ED448, sys::NID_undef),
    entry(None, 0x0303, sys::NID_sha224, sys::NID_X9_62_id_ecPublicKey, sys::NID_ecdsa_with_SHA224),
    entry(None, 0x0203, sys::NID_sha1, sys::NID_X9_62_id_ecPublicKey, sys::NID_ecdsa_with_SHA1),
    entry(Some("rsa_pss_rsae_sha256"), 0x0804, sys::NID_sha256, sys::NID_rsassaPss, sys::NID_undef),
    entry(Some("rsa_pss_rsae_sha384"), 0x0805, sys::NID_sha384, sys::NID_rsassaPss, sys::NID_undef),
    entry(Some("rsa_pss_rsae_sha512"), 0x0806, sys::NID_sha512, sys::NID_rsassaPss, sys::NID_undef),
    entry(Some("rsa_pss_pss_sha256"), 0x0809, sys::NID_sha256, sys::NID_rsassaPss, sys::NID_undef),
    entry(Some("rsa_pss_pss_sha384"), 0x080a, sys::NID_sha384, sys::NID_rsassaPss, sys::NID_undef),
    entry(Some("rsa_pss_pss_sha512"), 0x080b, sys::NID_sha512, sys::NID_rsassaPss, sys::NID_undef),
    entry(Some("rsa_pkcs1_sha256"), 0x0401, sys::NID_sha256, sys::NID_rsaEncryption, sys::NID_sha256WithRSAEncryption),
    entry(Some("rsa_pkcs1_sha384"), 0x0501, sys::NID_sha384, sys::NID_rsaEncryption, sys::NID_sha384WithRSAEncryption),
    entry(Some("rsa_pkcs1_sha512"), 0x0601, sys::NID_sha512, sys::NID_rsaEncryption, sys::NID_sha512WithRSAEncryption),
    entry(Some("rsa_pkcs1_sha224"), 0x0301, sys::NID_sha224, sys::NID_rsaEncryption, sys::NID_sha224WithRSAEncryption),
    entry(Some("rsa_pkcs1_sha1"), 0x0201, sys::NID_sha1, sys::NID_rsaEncryption, sys::NID_sha1WithRSAEncryption),
    entry(None, 0x0402, sys::NID_sha256, sys::NID_dsa, sys::NID_dsa_with_SHA256),
    entry(None, 0x0502, sys::NID_sha384, sys::NID_dsa, sys::NID_undef),
    entry(None, 0x0602, sys::NID_sha512, sys::NID_dsa, sys::NID_undef),
    entry(None, 0x0302, sys::NID_sha224, sys::NID_dsa, sys::NID_undef),
    entry(None, 0x0202, sys::NID_sha1, sys::NID_dsa, sys::NID_dsaWithSHA1),
];

/// At most this many schemes in a list (`TLS_MAX_SIGALGCNT`).
const MAX: usize = 30;

/// Parses OpenSSL's list: `name` or `sig+hash` elements separated by `:` (blanks around
/// them ignored); `None` when OpenSSL refuses it (an unknown element, an empty list).
pub(crate) fn parse_list(s: &str) -> Option<Vec<rustls::SignatureScheme>> {
    let mut out = Vec::new();
    for elem in s.split(':') {
        let elem = elem.trim();
        if elem.is_empty() || out.len() == MAX {
            return None;
        }
        let scheme = match elem.split_once('+') {
            None => TABLE.iter().find(|e| e.name == Some(elem))?.scheme,
            Some((a, b)) => {
                let (mut sig, mut hash) = (sys::NID_undef, sys::NID_undef);
                for word in [a, b] {
                    sig_or_hash(word, &mut sig, &mut hash);
                }
                if sig == sys::NID_undef || hash == sys::NID_undef {
                    return None;
                }
                TABLE
                    .iter()
                    .find(|e| e.hash == hash && e.sig == sig)?
                    .scheme
            }
        };
        out.push(rustls::SignatureScheme::from(scheme));
    }
    (!out.is_empty()).then_some(out)
}

/// Reads one word of a `sig+hash` pair as OpenSSL does: a signature algorithm name, else
/// a digest name (by short or long name).
fn sig_or_hash(word: &str, sig: &mut i32, hash: &mut i32) {
    match word {
        "RSA" => *sig = sys::NID_rsaEncryption,
        "RSA-PSS" | "PSS" => *sig = sys::NID_rsassaPss,
        "DSA" => *sig = sys::NID_dsa,
        "ECDSA" => *sig = sys::NID_X9_62_id_ecPublicKey,
        _ => *hash = sys::nid_of_name(word),
    }
}

/// Schemes from (hash NID, signature NID) pairs (`SSL_CTX_set1_sigalgs`); `None` for an
/// odd count or a pair OpenSSL does not know.
pub(crate) fn from_nids(nids: &[i32]) -> Option<Vec<rustls::SignatureScheme>> {
    if !nids.len().is_multiple_of(2) {
        return None;
    }
    nids.chunks(2)
        .map(|p| {
            TABLE
                .iter()
                .find(|e| e.hash == p[0] && e.sig == p[1])
                .map(|e| rustls::SignatureScheme::from(e.scheme))
        })
        .collect()
}

/// The hash NID of a scheme (`SSL_get_peer_signature_nid`), `NID_undef` for ed25519 and
/// unknown schemes.
pub(crate) fn hash_nid(scheme: rustls::SignatureScheme) -> i32 {
    let code = u16::from(scheme);
    TABLE
        .iter()
        .find(|e| e.scheme == code)
        .map_or(sys::NID_undef, |e| e.hash)
}

/// The signature type NID of a scheme (`SSL_get_peer_signature_type_nid`).
pub(crate) fn sig_nid(scheme: rustls::SignatureScheme) -> i32 {
    let code = u16::from(scheme);
    match TABLE.iter().find(|e| e.scheme == code) {
        // OpenSSL reports the key type: EVP_PKEY_EC for ECDSA, RSA-PSS for PSS.
        Some(e) if e.sig == sys::NID_X9_62_id_ecPublicKey => sys::NID_X9_62_id_ecPublicKey,
        Some(e) => e.sig,
        None => sys::NID_undef,
    }
}

/// OpenSSL 3.0's default list (`tls12_sigalgs`, without the GOST schemes its default
/// provider cannot compute): what it sends and what it shares when nothing is configured.
pub(crate) static DEFAULT: &[u16] = &[
    0x0403, 0x0503, 0x0603, 0x0807, 0x0808, // ECDSA, EdDSA
    0x0809, 0x080a, 0x080b, 0x0804, 0x0805, 0x0806, // RSA-PSS (PSS keys, then RSA keys)
    0x0401, 0x0501, 0x0601, // RSA PKCS#1
    0x0303, 0x0203, 0x0301, 0x0201, // SHA-224 and SHA-1
    0x0302, 0x0202, 0x0402, 0x0502, 0x0602, // DSA
];

/// What `SSL_get_sigalgs` and `SSL_get_shared_sigalgs` report of a scheme: signature,
/// hash and combined NIDs (`NID_undef` for a scheme OpenSSL does not know).
pub(crate) fn nids(code: u16) -> (i32, i32, i32) {
    TABLE
        .iter()
        .find(|e| e.scheme == code)
        .map_or((sys::NID_undef, sys::NID_undef, sys::NID_undef), |e| {
            (e.sig, e.hash, e.sig_and_hash)
        })
}

/// Whether OpenSSL allows a scheme in a shared list (`tls12_sigalg_allowed`): a scheme it
/// knows, no DSA in TLS 1.3, and strong enough for the security level (a hash gives half
/// its bits, SHA-1 64; Ed25519 128, Ed448 224).
pub(crate) fn allowed(code: u16, tls13: bool, security_level: i32) -> bool {
    let Some(e) = TABLE.iter().find(|e| e.scheme == code) else {
        return false;
    };
    if tls13 && e.sig == sys::NID_dsa {
        return false;
    }
    if security_level <= 0 {
        return true;
    }
    let bits = match e.hash {
        h if h == sys::NID_sha1 => 64,
        h if h == sys::NID_sha224 => 112,
        h if h == sys::NID_sha256 => 128,
        h if h == sys::NID_sha384 => 192,
        h if h == sys::NID_sha512 => 256,
        _ if e.sig == sys::NID_ED25519 => 128,
        _ if e.sig == sys::NID_ED448 => 224,
        _ => 0,
    };
    let min = match security_level {
        1 => 80,
        2 => 112,
        3 => 128,
        4 => 192,
        _ => 256,
    };
    bits >= min
}

/// The shared schemes (`tls1_set_shared_sigalgs`): the peer's that this side's list
/// (`ours`) also has, in the peer's order, or in ours with server preference; schemes
/// OpenSSL would not allow are left out.
pub(crate) fn shared(
    ours: &[u16],
    peer: &[u16],
    our_order: bool,
    tls13: bool,
    security_level: i32,
) -> Vec<u16> {
    let (pref, allow) = if our_order {
        (ours, peer)
    } else {
        (peer, ours)
    };
    pref.iter()
        .copied()
        .filter(|c| allowed(*c, tls13, security_level) && allow.contains(c))
        .collect()
}

/// `schemes` in OpenSSL's default order (the schemes a client offers, as OpenSSL orders
/// them), the ones OpenSSL does not list last in their own order.
pub(crate) fn in_openssl_order(
    schemes: &[rustls::SignatureScheme],
) -> Vec<rustls::SignatureScheme> {
    let rank = |s: &rustls::SignatureScheme| {
        DEFAULT
            .iter()
            .position(|c| *c == u16::from(*s))
            .unwrap_or(DEFAULT.len())
    };
    let mut sorted = schemes.to_vec();
    sorted.sort_by_key(rank);
    sorted
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::SignatureScheme as S;

    #[test]
    fn lists() {
        assert_eq!(
            parse_list("ECDSA+SHA256:rsa_pss_rsae_sha256 : RSA+SHA512"),
            Some(vec![
                S::ECDSA_NISTP256_SHA256,
                S::RSA_PSS_SHA256,
                S::RSA_PKCS1_SHA512
            ])
        );
        assert_eq!(parse_list("RSA-PSS+SHA384"), Some(vec![S::RSA_PSS_SHA384]));
        assert_eq!(parse_list("ed25519"), Some(vec![S::ED25519]));
        assert_eq!(parse_list("bogus"), None);
        assert_eq!(parse_list(""), None);
        assert_eq!(parse_list("RSA+"), None);
        assert_eq!(
            from_nids(&[sys::NID_sha256, sys::NID_rsaEncryption]),
            Some(vec![S::RSA_PKCS1_SHA256])
        );
        assert_eq!(from_nids(&[sys::NID_sha256]), None);
        assert_eq!(hash_nid(S::ECDSA_NISTP384_SHA384), sys::NID_sha384);
    }

    #[test]
    fn shared_as_openssl() {
        // Security level 2 drops SHA-1; TLS 1.3 drops DSA; unknown schemes never count.
        assert!(!allowed(0x0201, false, 2));
        assert!(allowed(0x0201, false, 0));
        assert!(allowed(0x0402, false, 2));
        assert!(!allowed(0x0402, true, 2));
        assert!(!allowed(0x0904, false, 0));
        let peer = [0x0804, 0x0403, 0x0201, 0x0904];
        assert_eq!(
            shared(DEFAULT, &peer, false, false, 2),
            vec![0x0804, 0x0403]
        );
        assert_eq!(shared(DEFAULT, &peer, true, false, 2), vec![0x0403, 0x0804]);
        assert_eq!(
            DEFAULT.iter().filter(|c| allowed(**c, false, 2)).count(),
            20
        );
        assert_eq!(
            in_openssl_order(&[
                S::RSA_PSS_SHA512,
                S::RSA_PSS_SHA256,
                S::ECDSA_NISTP384_SHA384
            ]),
            vec![
                S::ECDSA_NISTP384_SHA384,
                S::RSA_PSS_SHA256,
                S::RSA_PSS_SHA512
            ]
        );
    }
}
