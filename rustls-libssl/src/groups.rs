//! Key-exchange groups: OpenSSL's group-list syntax (`SSL_CTX_set1_groups_list`, curl
//! `--curves`, nginx `ssl_ecdh_curve`) mapped to rustls/aws-lc-rs groups.

use rustls::crypto::aws_lc_rs::kx_group;
use rustls::crypto::SupportedKxGroup;

use crate::crypto_sys as sys;
use crate::error::{Error, Result};

/// A group list, in preference order.
pub(crate) type Groups = Vec<&'static dyn SupportedKxGroup>;

/// The default: X25519MLKEM768 first, then X25519, P-256, P-384 (post-quantum hybrid first).
pub(crate) fn default_groups() -> Groups {
    rustls::crypto::aws_lc_rs::DEFAULT_KX_GROUPS.to_vec()
}

/// Parses `X25519MLKEM768:X25519:prime256v1`. Names OpenSSL knows that rustls lacks (P-521,
/// brainpool, ffdhe) are skipped; an unknown name, or a list leaving nothing, fails as in
/// OpenSSL.
pub(crate) fn parse(list: &str) -> Result<Groups> {
    let mut out: Groups = Vec::new();
    for name in list.split(':').filter(|n| !n.is_empty()) {
        let group = match name {
            "X25519MLKEM768" => Some(kx_group::X25519MLKEM768),
            "SecP256r1MLKEM768" => Some(kx_group::SECP256R1MLKEM768),
            "X25519" | "x25519" => Some(kx_group::X25519),
            "P-256" | "prime256v1" | "secp256r1" => Some(kx_group::SECP256R1),
            "P-384" | "secp384r1" => Some(kx_group::SECP384R1),
            "P-521" | "secp521r1" | "X448" | "x448" | "ffdhe2048" | "ffdhe3072" | "ffdhe4096"
            | "ffdhe6144" | "ffdhe8192" | "brainpoolP256r1" | "brainpoolP384r1"
            | "brainpoolP512r1" => None,
            _ => return Err(Error::Reason(sys::ERR_R_PASSED_INVALID_ARGUMENT)),
        };
        if let Some(g) = group {
            if !out.iter().any(|o| o.name() == g.name()) {
                out.push(g);
            }
        }
    }
    if out.is_empty() {
        return Err(Error::Reason(sys::ERR_R_PASSED_INVALID_ARGUMENT));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists() {
        let g = parse("X25519MLKEM768:X25519:prime256v1").unwrap_or_default();
        assert_eq!(g.len(), 3);
        assert_eq!(parse("P-521:P-256").map(|g| g.len()).ok(), Some(1));
        assert!(parse("bogus").is_err());
        assert!(parse("P-521").is_err());
        assert_eq!(
            default_groups()[0].name(),
            rustls::NamedGroup::X25519MLKEM768
        );
    }
}
