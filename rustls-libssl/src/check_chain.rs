//! `SSL_check_chain`: whether a certificate, key and chain suit the connection as OpenSSL
//! 3.0 judges it (`tls1_check_chain` for a caller's chain): the `CERT_PKEY_*` flags for
//! the signatures of the leaf and the chain against what the peer accepts, the leaf's
//! curve against the groups, the issuer against the CA names the peer listed, and the
//! certificate type a server asked for.

use crate::crypto_sys::{self as sys, Cert, KeyKind, PKey};
use crate::sigalgs;

/// `CERT_PKEY_*` (ssl.h).
const VALID: u32 = 0x1;
const SIGN: u32 = 0x2;
const EE_SIGNATURE: u32 = 0x10;
const CA_SIGNATURE: u32 = 0x20;
const EE_PARAM: u32 = 0x40;
const CA_PARAM: u32 = 0x80;
const EXPLICIT_SIGN: u32 = 0x100;
const ISSUER_NAME: u32 = 0x200;
const CERT_TYPE: u32 = 0x400;
/// What a chain needs to be valid, and in strict mode (`SSL_CERT_FLAG_TLS_STRICT`).
const VALID_FLAGS: u32 = EE_SIGNATURE | EE_PARAM;
const STRICT_FLAGS: u32 = VALID_FLAGS | CA_SIGNATURE | CA_PARAM | ISSUER_NAME | CERT_TYPE;

/// What the connection knows that the check depends on.
pub(crate) struct Context {
    /// OpenSSL counts the connection as a server.
    pub server: bool,
    /// `SSL_version`: the negotiated version, TLS 1.3 before the handshake.
    pub version: u16,
    /// `SSL_CERT_FLAG_TLS_STRICT` is set.
    pub strict: bool,
    /// The schemes the peer offered (a ClientHello's, a certificate request's), if any.
    pub peer_sigalgs: Option<Vec<u16>>,
    /// This side's configured schemes (`SSL_CTX_set1_sigalgs`), if any.
    pub conf_sigalgs: Option<Vec<u16>>,
    /// The shared schemes (`SSL_get_shared_sigalgs`).
    pub shared: Vec<u16>,
    /// This side's groups, and the peer's (servers).
    pub own_groups: Vec<u16>,
    pub peer_groups: Vec<u16>,
    /// The CA names the peer listed (clients: the server's request).
    pub peer_ca_names: Option<Vec<Vec<u8>>>,
    /// The certificate types a server's request allowed (clients).
    pub cert_types: Vec<u8>,
}

/// The certificate slot OpenSSL files a key under (`SSL_PKEY_*`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    Rsa,
    RsaPss,
    Dsa,
    Ecc,
    Ed25519,
    Ed448,
}

fn slot(kind: KeyKind) -> Slot {
    match kind {
        KeyKind::Rsa => Slot::Rsa,
        KeyKind::RsaPss => Slot::RsaPss,
        KeyKind::Dsa => Slot::Dsa,
        KeyKind::Ec(_) => Slot::Ecc,
        KeyKind::Ed25519 => Slot::Ed25519,
        KeyKind::Ed448 => Slot::Ed448,
    }
}

/// The slot whose key signs with a scheme (`sig_idx` of OpenSSL's table).
fn scheme_slot(code: u16) -> Option<Slot> {
    match code {
        0x0809..=0x080b => Some(Slot::RsaPss),
        0x0807 => Some(Slot::Ed25519),
        0x0808 => Some(Slot::Ed448),
        _ => match sigalgs::nids(code).0 {
            n if n == sys::NID_X9_62_id_ecPublicKey => Some(Slot::Ecc),
            n if n == sys::NID_rsaEncryption || n == sys::NID_rsassaPss => Some(Slot::Rsa),
            n if n == sys::NID_dsa => Some(Slot::Dsa),
            _ => None,
        },
    }
}

/// The TLS group of an EC curve, 0 if TLS has none.
fn curve_group(nid: i32) -> u16 {
    match nid {
        n if n == sys::NID_X9_62_prime256v1 => 23,
        n if n == sys::NID_secp384r1 => 24,
        n if n == sys::NID_secp521r1 => 25,
        _ => 0,
    }
}

/// The curve an ECDSA scheme requires (TLS 1.3), `NID_undef` for none.
fn scheme_curve(code: u16) -> i32 {
    match code {
        0x0403 => sys::NID_X9_62_prime256v1,
        0x0503 => sys::NID_secp384r1,
        0x0603 => sys::NID_secp521r1,
        _ => sys::NID_undef,
    }
}

/// `SSL_check_chain(s, x, pk, chain)`: the `CERT_PKEY_*` flags.
pub(crate) fn check_chain(cx: &Context, x: &Cert, pk: &PKey, chain: &[Cert]) -> u32 {
    let Some(kind) = pk.kind() else {
        return 0;
    };
    let slot = slot(kind);
    let check_flags = if cx.strict { STRICT_FLAGS } else { VALID_FLAGS };
    let tls13 = cx.version >= crate::versions::TLS1_3;
    let mut rv = 0;
    if cx.version >= crate::versions::TLS1_2 {
        // Without the peer's list, RFC 5246's defaults: SHA-1 signatures.
        let (default_nid, rsign) = if cx.peer_sigalgs.is_some() {
            (0, 0)
        } else {
            match slot {
                Slot::Rsa => (sys::NID_sha1WithRSAEncryption, sys::NID_rsaEncryption),
                Slot::Dsa => (sys::NID_dsaWithSHA1, sys::NID_dsa),
                Slot::Ecc => (sys::NID_ecdsa_with_SHA1, sys::NID_X9_62_id_ecPublicKey),
                _ => (-1, 0),
            }
        };
        let sha1_configured = cx.conf_sigalgs.as_ref().is_none_or(|conf| {
            conf.iter().any(|c| {
                let (sig, hash, _) = sigalgs::nids(*c);
                hash == sys::NID_sha1 && sig == rsign
            })
        });
        if default_nid <= 0 || sha1_configured {
            if tls13 {
                if find_sig_alg(cx, kind) {
                    rv |= EE_SIGNATURE;
                }
            } else if check_sig_alg(cx, x, default_nid) {
                rv |= EE_SIGNATURE;
            }
            rv |= CA_SIGNATURE;
            if chain.iter().any(|c| !check_sig_alg(cx, c, default_nid)) {
                rv &= !CA_SIGNATURE;
            }
        }
    } else {
        rv |= EE_SIGNATURE | CA_SIGNATURE;
    }
    if check_cert_param(cx, x) {
        rv |= EE_PARAM;
    }
    rv |= CA_PARAM;
    if cx.server && chain.iter().any(|c| !check_cert_param(cx, c)) {
        rv &= !CA_PARAM;
    }
    if cx.server {
        rv |= ISSUER_NAME | CERT_TYPE;
    } else {
        let wanted = match kind {
            KeyKind::Rsa => sys::TLS_CT_RSA_SIGN,
            KeyKind::Dsa => sys::TLS_CT_DSS_SIGN,
            KeyKind::Ec(_) => sys::TLS_CT_ECDSA_SIGN,
            _ => 0,
        };
        if wanted == 0 || cx.cert_types.iter().any(|t| i32::from(*t) == wanted) {
            rv |= CERT_TYPE;
        }
        let names = cx.peer_ca_names.as_deref().unwrap_or_default();
        if names.is_empty()
            || std::iter::once(x)
                .chain(chain)
                .any(|c| c.issued_by_one_of(names))
        {
            rv |= ISSUER_NAME;
        }
    }
    if rv & check_flags == check_flags {
        rv |= VALID;
    }
    // The signing flags the handshake set for this slot (`valid_flags`): a shared scheme
    // signs with it (RSA PKCS#1 not in TLS 1.3).
    let signs = cx.shared.iter().any(|c| {
        scheme_slot(*c) == Some(slot) && !(tls13 && sigalgs::nids(*c).0 == sys::NID_rsaEncryption)
    });
    if signs {
        rv |= EXPLICIT_SIGN | SIGN;
    }
    rv
}

/// `tls1_check_sig_alg`: a certificate's signature is one the peer accepts (with
/// `default_nid`, exactly that one; -1: anything).
fn check_sig_alg(cx: &Context, cert: &Cert, default_nid: i32) -> bool {
    if default_nid == -1 {
        return true;
    }
    let nid = cert.signature_nid();
    if default_nid != 0 {
        return nid == default_nid;
    }
    cx.shared.iter().any(|c| {
        let combined = sigalgs::nids(*c).2;
        combined != sys::NID_undef && combined == nid
    })
}

/// `find_sig_alg` (TLS 1.3): a shared scheme the key can sign with.
fn find_sig_alg(cx: &Context, kind: KeyKind) -> bool {
    cx.shared.iter().any(|c| {
        let (sig, hash, _) = sigalgs::nids(*c);
        if hash == sys::NID_sha1
            || hash == sys::NID_sha224
            || sig == sys::NID_dsa
            || sig == sys::NID_rsaEncryption
        {
            return false;
        }
        match (scheme_slot(*c), kind) {
            (Some(Slot::Rsa), KeyKind::Rsa) => true,
            (Some(Slot::RsaPss), KeyKind::RsaPss) => true,
            (Some(Slot::Ecc), KeyKind::Ec(curve)) => {
                let need = scheme_curve(*c);
                need == sys::NID_undef || need == curve
            }
            (Some(Slot::Ed25519), KeyKind::Ed25519) | (Some(Slot::Ed448), KeyKind::Ed448) => true,
            _ => false,
        }
    })
}

/// `tls1_check_cert_param`: an EC certificate's curve is a group both sides allow (a
/// server need not have it in its own list).
fn check_cert_param(cx: &Context, cert: &Cert) -> bool {
    let Some(KeyKind::Ec(curve)) = cert.key_kind() else {
        return true;
    };
    let group = curve_group(curve);
    if group == 0 {
        return false;
    }
    if !cx.server && !cx.own_groups.contains(&group) {
        return false;
    }
    cx.peer_groups.is_empty() || cx.peer_groups.contains(&group)
}
