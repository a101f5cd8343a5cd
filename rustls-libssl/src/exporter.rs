//! `SSL_export_keying_material` (RFC 5705 for TLS 1.2, RFC 8446 section 7.5 for TLS 1.3).
//!
//! rustls's unbuffered connections have no exporter, so the shim keeps the one secret the
//! exporter needs, handed over by rustls's key-log hook during the handshake (the TLS 1.3
//! exporter master secret, or the TLS 1.2 master secret with both hello randoms), and
//! derives keying material from it with aws-lc-rs's HKDF and HMAC.

use aws_lc_rs::{digest, hkdf, hmac};
use rustls::crypto::hash::HashAlgorithm;

use crate::crypto_sys as sys;
use crate::error::{Error, Result};

/// The secret an exporter derives from, captured from the key-log hook.
pub(crate) struct ExportSecret {
    kind: SecretKind,
    /// The ClientHello's random (from the key-log line).
    pub client_random: [u8; 32],
    /// The ServerHello's random, set by the connection when the handshake ends.
    pub server_random: Option<[u8; 32]>,
    /// The secret: 32 or 48 bytes (the suite's hash length) in front.
    secret: [u8; 48],
    len: u8,
}

impl ExportSecret {
    /// `None` if `secret` is longer than any suite's hash.
    pub(crate) fn new(kind: SecretKind, client_random: [u8; 32], secret: &[u8]) -> Option<Self> {
        let mut out = Self {
            kind,
            client_random,
            server_random: None,
            secret: [0; 48],
            len: u8::try_from(secret.len()).ok()?,
        };
        out.secret.get_mut(..secret.len())?.copy_from_slice(secret);
        Some(out)
    }

    fn secret(&self) -> &[u8] {
        &self.secret[..usize::from(self.len)]
    }

    /// The TLS 1.2 master secret (`SSL_SESSION_get_master_key`); empty for TLS 1.3.
    pub(crate) fn master_secret(&self) -> &[u8] {
        match self.kind {
            SecretKind::Tls12Master => self.secret(),
            SecretKind::Tls13Exporter => &[],
        }
    }
}

/// Which key-log line the secret came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SecretKind {
    /// `EXPORTER_SECRET`: TLS 1.3's exporter master secret.
    Tls13Exporter,
    /// `CLIENT_RANDOM`: a TLS 1.2 master secret.
    Tls12Master,
}

impl SecretKind {
    /// The key-log label that carries this secret.
    pub(crate) fn from_label(label: &str) -> Option<Self> {
        match label {
            "EXPORTER_SECRET" => Some(Self::Tls13Exporter),
            "CLIENT_RANDOM" => Some(Self::Tls12Master),
            _ => None,
        }
    }
}

impl Drop for ExportSecret {
    fn drop(&mut self) {
        self.secret.iter_mut().for_each(|b| *b = 0);
    }
}

/// Labels RFC 5705 reserves for the TLS 1.2 PRF's own uses; OpenSSL refuses them.
const RESERVED_LABELS: [&[u8]; 4] = [
    b"client finished",
    b"server finished",
    b"master secret",
    b"key expansion",
];

/// Fills `out` with keying material for `label` and `context` (`None`: no context given).
pub(crate) fn export(
    secret: &ExportSecret,
    hash: HashAlgorithm,
    out: &mut [u8],
    label: &[u8],
    context: Option<&[u8]>,
) -> Result<()> {
    match secret.kind {
        SecretKind::Tls13Exporter => tls13(secret.secret(), hash, out, label, context),
        SecretKind::Tls12Master => {
            if RESERVED_LABELS.iter().any(|r| label.starts_with(r)) {
                return Err(Error::Reason(sys::SSL_R_TLS_ILLEGAL_EXPORTER_LABEL));
            }
            let server_random = secret.server_random.as_ref().ok_or(Error::NotSupported(
                "the exporter when the ServerHello's random was not seen whole",
            ))?;
            let mut seed = Vec::with_capacity(label.len() + 66 + context.map_or(0, <[u8]>::len));
            seed.extend_from_slice(label);
            seed.extend_from_slice(&secret.client_random);
            seed.extend_from_slice(server_random);
            if let Some(context) = context {
                let len = u16::try_from(context.len()).map_err(|_| Error::BadValue)?;
                seed.extend_from_slice(&len.to_be_bytes());
                seed.extend_from_slice(context);
            }
            tls12_prf(secret.secret(), hash, &seed, out)
        }
    }
}

/// RFC 8446 7.5: HKDF-Expand-Label(Derive-Secret(secret, label, ""), "exporter",
/// Hash(context), length), where no context is the same as an empty one.
fn tls13(
    secret: &[u8],
    hash: HashAlgorithm,
    out: &mut [u8],
    label: &[u8],
    context: Option<&[u8]>,
) -> Result<()> {
    let (hkdf_alg, digest_alg) = match hash {
        HashAlgorithm::SHA256 => (hkdf::HKDF_SHA256, &digest::SHA256),
        HashAlgorithm::SHA384 => (hkdf::HKDF_SHA384, &digest::SHA384),
        _ => return Err(Error::Internal),
    };
    let empty_hash = digest::digest(digest_alg, b"");
    let mut derived = [0u8; 48];
    let derived = &mut derived[..digest_alg.output_len()];
    expand_label(hkdf_alg, secret, label, empty_hash.as_ref(), derived)?;
    let context_hash = digest::digest(digest_alg, context.unwrap_or_default());
    let result = expand_label(hkdf_alg, derived, b"exporter", context_hash.as_ref(), out);
    derived.iter_mut().for_each(|b| *b = 0);
    result
}

/// HKDF-Expand-Label (RFC 8446 7.1).
pub(crate) fn expand_label(
    alg: hkdf::Algorithm,
    secret: &[u8],
    label: &[u8],
    context: &[u8],
    out: &mut [u8],
) -> Result<()> {
    let len = u16::try_from(out.len()).map_err(|_| Error::BadValue)?;
    let full_label_len = u8::try_from(6 + label.len()).map_err(|_| Error::BadValue)?;
    let context_len = u8::try_from(context.len()).map_err(|_| Error::BadValue)?;
    let len_bytes = len.to_be_bytes();
    let info: [&[u8]; 6] = [
        &len_bytes,
        &[full_label_len],
        b"tls13 ",
        label,
        &[context_len],
        context,
    ];
    hkdf::Prk::new_less_safe(alg, secret)
        .expand(&info, OutLen(out.len()))
        .and_then(|okm| okm.fill(out))
        .map_err(|_| Error::BadValue)
}

struct OutLen(usize);

impl hkdf::KeyType for OutLen {
    fn len(&self) -> usize {
        self.0
    }
}

/// The TLS 1.2 PRF (RFC 5246 5): P_hash(secret, seed) with `seed` = label + seed.
pub(crate) fn tls12_prf(
    secret: &[u8],
    hash: HashAlgorithm,
    seed: &[u8],
    out: &mut [u8],
) -> Result<()> {
    let alg = match hash {
        HashAlgorithm::SHA256 => hmac::HMAC_SHA256,
        HashAlgorithm::SHA384 => hmac::HMAC_SHA384,
        _ => return Err(Error::Internal),
    };
    let key = hmac::Key::new(alg, secret);
    // A(1) = HMAC(secret, seed); A(i) = HMAC(secret, A(i-1)).
    let mut a = hmac::sign(&key, seed);
    for chunk in out.chunks_mut(alg.digest_algorithm().output_len()) {
        let mut ctx = hmac::Context::with_key(&key);
        ctx.update(a.as_ref());
        ctx.update(seed);
        let block = ctx.sign();
        chunk.copy_from_slice(&block.as_ref()[..chunk.len()]);
        a = hmac::sign(&key, a.as_ref());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The widely used TLS 1.2 PRF (SHA-256) test vector; the expected bytes are those of
    /// `openssl kdf ... TLS1-PRF` for the same inputs.
    #[test]
    fn prf_sha256_vector() {
        let secret = hex("9bbe436ba940f017b17652849a71db35");
        let mut seed = b"test label".to_vec();
        seed.extend(hex("a0ba9f936cda311827a6f796ffd5198c"));
        let mut out = [0u8; 100];
        tls12_prf(&secret, HashAlgorithm::SHA256, &seed, &mut out).expect("PRF");
        assert_eq!(
            out[..16],
            hex("e3f229ba727be17b8d122620557cd453")[..],
            "first block"
        );
        assert_eq!(out[96..], hex("87347b66")[..]);
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
            .collect()
    }
}
