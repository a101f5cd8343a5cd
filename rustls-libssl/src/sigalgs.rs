//! Signature algorithms: OpenSSL's list syntax (`SSL_CTX_set1_sigalgs_list`,
//! `SignatureAlgorithms`: `ECDSA+SHA256:rsa_pss_rsae_sha256:...`) and NID pairs
//! (`SSL_CTX_set1_sigalgs`), as TLS signature scheme code points.

use crate::crypto_sys as sys;

/// One scheme OpenSSL knows: its name (if it has one), code point, hash and signature
/// NIDs (what `SSL_get_peer_signature_nid` and `sig+hash` names refer to).
struct Entry {
    name: Option<&'static str>,
    scheme: u16,
    hash: i32,
    sig: i32,
}

const fn entry(name: Option<&'static str>, scheme: u16, hash: i32, sig: i32) -> Entry {
    Entry {
        name,
        scheme,
        hash,
        sig,
    }
}

/// OpenSSL 3.0's table (t1_lib.c), in its order: where `sig+hash` matches two entries
/// (PSS with RSA or PSS keys) the first wins, as in OpenSSL.
static TABLE: &[Entry] = &[
    entry(
        Some("ecdsa_secp256r1_sha256"),
        0x0403,
        sys::NID_sha256,
        sys::NID_X9_62_id_ecPublicKey,
    ),
    entry(
        Some("ecdsa_secp384r1_sha384"),
        0x0503,
        sys::NID_sha384,
        sys::NID_X9_62_id_ecPublicKey,
    ),
    entry(
        Some("ecdsa_secp521r1_sha512"),
        0x0603,
        sys::NID_sha512,
        sys::NID_X9_62_id_ecPublicKey,
    ),
    entry(Some("ed25519"), 0x0807, sys::NID_undef, sys::NID_ED25519),
    entry(Some("ed448"), 0x0808, sys::NID_undef, sys::NID_ED448),
    entry(None, 0x0303, sys::NID_sha224, sys::NID_X9_62_id_ecPublicKey),
    entry(None, 0x0203, sys::NID_sha1, sys::NID_X9_62_id_ecPublicKey),
    entry(
        Some("rsa_pss_rsae_sha256"),
        0x0804,
        sys::NID_sha256,
        sys::NID_rsassaPss,
    ),
    entry(
        Some("rsa_pss_rsae_sha384"),
        0x0805,
        sys::NID_sha384,
        sys::NID_rsassaPss,
    ),
    entry(
        Some("rsa_pss_rsae_sha512"),
        0x0806,
        sys::NID_sha512,
        sys::NID_rsassaPss,
    ),
    entry(
        Some("rsa_pss_pss_sha256"),
        0x0809,
        sys::NID_sha256,
        sys::NID_rsassaPss,
    ),
    entry(
        Some("rsa_pss_pss_sha384"),
        0x080a,
        sys::NID_sha384,
        sys::NID_rsassaPss,
    ),
    entry(
        Some("rsa_pss_pss_sha512"),
        0x080b,
        sys::NID_sha512,
        sys::NID_rsassaPss,
    ),
    entry(
        Some("rsa_pkcs1_sha256"),
        0x0401,
        sys::NID_sha256,
        sys::NID_rsaEncryption,
    ),
    entry(
        Some("rsa_pkcs1_sha384"),
        0x0501,
        sys::NID_sha384,
        sys::NID_rsaEncryption,
    ),
    entry(
        Some("rsa_pkcs1_sha512"),
        0x0601,
        sys::NID_sha512,
        sys::NID_rsaEncryption,
    ),
    entry(
        Some("rsa_pkcs1_sha224"),
        0x0301,
        sys::NID_sha224,
        sys::NID_rsaEncryption,
    ),
    entry(
        Some("rsa_pkcs1_sha1"),
        0x0201,
        sys::NID_sha1,
        sys::NID_rsaEncryption,
    ),
    entry(None, 0x0402, sys::NID_sha256, sys::NID_dsa),
    entry(None, 0x0502, sys::NID_sha384, sys::NID_dsa),
    entry(None, 0x0602, sys::NID_sha512, sys::NID_dsa),
    entry(None, 0x0302, sys::NID_sha224, sys::NID_dsa),
    entry(None, 0x0202, sys::NID_sha1, sys::NID_dsa),
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
    if nids.len() % 2 != 0 {
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
}
