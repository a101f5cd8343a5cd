//! Key-exchange groups: OpenSSL's names and NIDs (`SSL_CTX_set1_groups_list`, curl
//! `--curves`, nginx `ssl_ecdh_curve`, `SSL_CTX_set1_groups`) mapped to the groups
//! aws-lc can compute. Groups OpenSSL knows that aws-lc cannot compute (binary curves,
//! brainpool, X448, finite-field DH) are accepted as OpenSSL accepts them, and not offered.

use aws_lc_rs::agreement;
use rustls::crypto::aws_lc_rs::kx_group;
use rustls::crypto::{ActiveKeyExchange, SharedSecret, SupportedKxGroup};
use rustls::NamedGroup;

use crate::crypto_sys as sys;
use crate::error::{Error, Result};

/// A group list, in preference order.
pub(crate) type Groups = Vec<&'static dyn SupportedKxGroup>;

/// One group OpenSSL 3.0 knows (or rustls adds): its names, code point, NID, and the
/// implementation, if aws-lc can compute it.
struct Entry {
    names: &'static [&'static str],
    id: u16,
    nid: i32,
    kx: Option<&'static dyn SupportedKxGroup>,
}

/// `TLSEXT_nid_unknown`: marks a group id that has no NID.
const NID_UNKNOWN: i32 = 0x0100_0000;

static TABLE: &[Entry] = &[
    Entry {
        names: &["sect163k1", "K-163"],
        id: 1,
        nid: sys::NID_sect163k1,
        kx: None,
    },
    Entry {
        names: &["sect163r1"],
        id: 2,
        nid: sys::NID_sect163r1,
        kx: None,
    },
    Entry {
        names: &["sect163r2", "B-163"],
        id: 3,
        nid: sys::NID_sect163r2,
        kx: None,
    },
    Entry {
        names: &["sect193r1"],
        id: 4,
        nid: sys::NID_sect193r1,
        kx: None,
    },
    Entry {
        names: &["sect193r2"],
        id: 5,
        nid: sys::NID_sect193r2,
        kx: None,
    },
    Entry {
        names: &["sect233k1", "K-233"],
        id: 6,
        nid: sys::NID_sect233k1,
        kx: None,
    },
    Entry {
        names: &["sect233r1", "B-233"],
        id: 7,
        nid: sys::NID_sect233r1,
        kx: None,
    },
    Entry {
        names: &["sect239k1"],
        id: 8,
        nid: sys::NID_sect239k1,
        kx: None,
    },
    Entry {
        names: &["sect283k1", "K-283"],
        id: 9,
        nid: sys::NID_sect283k1,
        kx: None,
    },
    Entry {
        names: &["sect283r1", "B-283"],
        id: 10,
        nid: sys::NID_sect283r1,
        kx: None,
    },
    Entry {
        names: &["sect409k1", "K-409"],
        id: 11,
        nid: sys::NID_sect409k1,
        kx: None,
    },
    Entry {
        names: &["sect409r1", "B-409"],
        id: 12,
        nid: sys::NID_sect409r1,
        kx: None,
    },
    Entry {
        names: &["sect571k1", "K-571"],
        id: 13,
        nid: sys::NID_sect571k1,
        kx: None,
    },
    Entry {
        names: &["sect571r1", "B-571"],
        id: 14,
        nid: sys::NID_sect571r1,
        kx: None,
    },
    Entry {
        names: &["secp160k1"],
        id: 15,
        nid: sys::NID_secp160k1,
        kx: None,
    },
    Entry {
        names: &["secp160r1"],
        id: 16,
        nid: sys::NID_secp160r1,
        kx: None,
    },
    Entry {
        names: &["secp160r2"],
        id: 17,
        nid: sys::NID_secp160r2,
        kx: None,
    },
    Entry {
        names: &["secp192k1"],
        id: 18,
        nid: sys::NID_secp192k1,
        kx: None,
    },
    Entry {
        names: &["secp192r1", "P-192", "prime192v1"],
        id: 19,
        nid: sys::NID_X9_62_prime192v1,
        kx: None,
    },
    Entry {
        names: &["secp224k1"],
        id: 20,
        nid: sys::NID_secp224k1,
        kx: None,
    },
    Entry {
        names: &["secp224r1", "P-224"],
        id: 21,
        nid: sys::NID_secp224r1,
        kx: None,
    },
    Entry {
        names: &["secp256k1"],
        id: 22,
        nid: sys::NID_secp256k1,
        kx: None,
    },
    Entry {
        names: &["secp256r1", "P-256", "prime256v1"],
        id: 23,
        nid: sys::NID_X9_62_prime256v1,
        kx: Some(kx_group::SECP256R1),
    },
    Entry {
        names: &["secp384r1", "P-384"],
        id: 24,
        nid: sys::NID_secp384r1,
        kx: Some(kx_group::SECP384R1),
    },
    Entry {
        names: &["secp521r1", "P-521"],
        id: 25,
        nid: sys::NID_secp521r1,
        kx: Some(SECP521R1),
    },
    Entry {
        names: &["brainpoolP256r1"],
        id: 26,
        nid: sys::NID_brainpoolP256r1,
        kx: None,
    },
    Entry {
        names: &["brainpoolP384r1"],
        id: 27,
        nid: sys::NID_brainpoolP384r1,
        kx: None,
    },
    Entry {
        names: &["brainpoolP512r1"],
        id: 28,
        nid: sys::NID_brainpoolP512r1,
        kx: None,
    },
    Entry {
        names: &["x25519", "X25519"],
        id: 29,
        nid: sys::NID_X25519,
        kx: Some(kx_group::X25519),
    },
    Entry {
        names: &["x448", "X448"],
        id: 30,
        nid: sys::NID_X448,
        kx: None,
    },
    Entry {
        names: &["ffdhe2048"],
        id: 0x100,
        nid: sys::NID_ffdhe2048,
        kx: None,
    },
    Entry {
        names: &["ffdhe3072"],
        id: 0x101,
        nid: sys::NID_ffdhe3072,
        kx: None,
    },
    Entry {
        names: &["ffdhe4096"],
        id: 0x102,
        nid: sys::NID_ffdhe4096,
        kx: None,
    },
    Entry {
        names: &["ffdhe6144"],
        id: 0x103,
        nid: sys::NID_ffdhe6144,
        kx: None,
    },
    Entry {
        names: &["ffdhe8192"],
        id: 0x104,
        nid: sys::NID_ffdhe8192,
        kx: None,
    },
    // Post-quantum hybrids (rustls and OpenSSL 3.5's names); OpenSSL 3.0 has none.
    Entry {
        names: &["X25519MLKEM768"],
        id: 0x11ec,
        nid: NID_UNKNOWN | 0x11ec,
        kx: Some(kx_group::X25519MLKEM768),
    },
    Entry {
        names: &["SecP256r1MLKEM768"],
        id: 0x11eb,
        nid: NID_UNKNOWN | 0x11eb,
        kx: Some(kx_group::SECP256R1MLKEM768),
    },
];

/// The default: the post-quantum hybrid X25519MLKEM768 first, then OpenSSL 3.0's defaults
/// that aws-lc computes, in OpenSSL's order (X25519, P-256, P-521, P-384).
pub(crate) fn default_groups() -> Groups {
    vec![
        kx_group::X25519MLKEM768,
        kx_group::X25519,
        kx_group::SECP256R1,
        SECP521R1,
        kx_group::SECP384R1,
    ]
}

/// Parses `X25519MLKEM768:X25519:prime256v1` as OpenSSL does: each element an OpenSSL
/// group name (or NIST/object name of a curve); an unknown name or a repeated group fails
/// the whole list. Groups aws-lc cannot compute are accepted and left out.
pub(crate) fn parse(list: &str) -> Result<Groups> {
    let mut ids: Vec<u16> = Vec::new();
    for name in list.split(':').map(str::trim) {
        let entry = TABLE
            .iter()
            .find(|e| e.names.contains(&name))
            .or_else(|| by_object_name(name))
            .ok_or_else(|| {
                Error::Detailed(
                    sys::ERR_R_PASSED_INVALID_ARGUMENT,
                    format!("group '{name}' cannot be set"),
                )
            })?;
        if ids.contains(&entry.id) {
            return Err(Error::Silent);
        }
        ids.push(entry.id);
    }
    if ids.is_empty() {
        return Err(Error::Silent);
    }
    Ok(implemented(&ids))
}

/// A curve by its object short or long name (OpenSSL's `OBJ_sn2nid`/`OBJ_ln2nid` fallback).
fn by_object_name(name: &str) -> Option<&'static Entry> {
    let nid = sys::nid_of_name(name);
    TABLE.iter().find(|e| e.nid == nid && nid != sys::NID_undef)
}

/// Groups from NIDs (`SSL_CTX_set1_groups`); `None` if one is unknown or repeated.
pub(crate) fn from_nids(nids: &[i32]) -> Option<Groups> {
    let mut ids: Vec<u16> = Vec::new();
    for nid in nids {
        let e = TABLE.iter().find(|e| e.nid == *nid)?;
        if ids.contains(&e.id) {
            return None;
        }
        ids.push(e.id);
    }
    Some(implemented(&ids))
}

/// The implementations of the groups `ids` name, in order.
fn implemented(ids: &[u16]) -> Groups {
    ids.iter()
        .filter_map(|id| TABLE.iter().find(|e| e.id == *id)?.kx)
        .collect()
}

/// OpenSSL's NID of a group code point (`TLSEXT_nid_unknown | id` for unknown groups).
pub(crate) fn nid(id: u16) -> i32 {
    TABLE
        .iter()
        .find(|e| e.id == id)
        .map_or(NID_UNKNOWN | i32::from(id), |e| e.nid)
}

/// OpenSSL's name of a group (`SSL_group_to_name`): its TLS name, or `None` if unknown.
pub(crate) fn name(id: u16) -> Option<&'static str> {
    TABLE.iter().find(|e| e.id == id).map(|e| e.names[0])
}

/// NIST P-521 (secp521r1) with aws-lc's ECDH; rustls's aws-lc-rs provider has no P-521
/// group of its own.
pub(crate) static SECP521R1: &dyn SupportedKxGroup = &P521;

#[derive(Debug)]
struct P521;

impl SupportedKxGroup for P521 {
    fn start(&self) -> std::result::Result<Box<dyn ActiveKeyExchange>, rustls::Error> {
        let private = agreement::PrivateKey::generate(&agreement::ECDH_P521)
            .map_err(|_| rustls::Error::FailedToGetRandomBytes)?;
        let public = private
            .compute_public_key()
            .map_err(|_| rustls::Error::General("P-521 public key".into()))?;
        Ok(Box::new(P521Exchange {
            public: public.as_ref().to_vec(),
            private,
        }))
    }

    fn name(&self) -> NamedGroup {
        NamedGroup::secp521r1
    }
}

struct P521Exchange {
    private: agreement::PrivateKey,
    public: Vec<u8>,
}

impl ActiveKeyExchange for P521Exchange {
    fn complete(self: Box<Self>, peer: &[u8]) -> std::result::Result<SharedSecret, rustls::Error> {
        let peer = agreement::UnparsedPublicKey::new(&agreement::ECDH_P521, peer);
        agreement::agree(&self.private, peer, (), |secret| {
            Ok(SharedSecret::from(secret))
        })
        .map_err(|()| rustls::Error::from(rustls::PeerMisbehaved::InvalidKeyShare))
    }

    fn pub_key(&self) -> &[u8] {
        &self.public
    }

    fn group(&self) -> NamedGroup {
        NamedGroup::secp521r1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists() {
        let g = parse("X25519MLKEM768:X25519:prime256v1").unwrap_or_default();
        assert_eq!(g.len(), 3);
        assert_eq!(parse("P-521:P-256").map(|g| g.len()).ok(), Some(2));
        assert!(parse("bogus").is_err());
        assert_eq!(parse("X448:ffdhe2048").map(|g| g.len()).ok(), Some(0));
        assert!(parse("P-256:prime256v1").is_err(), "a repeated group fails");
        assert!(parse("").is_err());
        assert_eq!(default_groups()[0].name(), NamedGroup::X25519MLKEM768);
        assert_eq!(nid(23), sys::NID_X9_62_prime256v1);
        assert_eq!(name(29), Some("x25519"));
    }

    #[test]
    fn p521_agrees() {
        let a = SECP521R1.start().unwrap_or_else(|e| panic!("{e:?}"));
        let b = SECP521R1.start().unwrap_or_else(|e| panic!("{e:?}"));
        let b_pub = b.pub_key().to_vec();
        let sa = a.complete(&b_pub).map(|s| s.secret_bytes().to_vec());
        assert!(sa.is_ok_and(|s| s.len() == 66));
    }
}
