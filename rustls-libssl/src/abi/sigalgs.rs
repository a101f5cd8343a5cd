//! Signature algorithms of a connection: what the peer offered (`SSL_get_sigalgs`), what
//! both sides share (`SSL_get_shared_sigalgs`), and which signature type each side used
//! (`SSL_get_signature_type_nid`, `SSL_get_peer_signature_type_nid`), with OpenSSL's
//! NIDs. The peer's list is a server's ClientHello `signature_algorithms`, or what a
//! client's certificate request asked for (as rustls passes it on: the schemes rustls can
//! sign with).

use std::ffi::c_int;

use super::{entry, try_ref, SSL};
use crate::crypto_sys as sys;
use crate::current::lock;
use crate::setup::Role;
use crate::sigalgs;

/// `SSL_get_sigalgs`: the number of schemes the peer offered (0 if none), and with
/// `idx` >= 0 that scheme's signature, hash and combined NIDs and its two code bytes in
/// the outputs that are not NULL (0 for an `idx` past the end).
#[no_mangle]
pub unsafe extern "C" fn SSL_get_sigalgs(
    ssl: *mut SSL,
    idx: c_int,
    psign: *mut c_int,
    phash: *mut c_int,
    psignhash: *mut c_int,
    rsig: *mut u8,
    rhash: *mut u8,
) -> c_int {
    entry(|| {
        let Some(list) = peer_sigalgs(try_ref!(ssl)) else {
            return Ok(0);
        };
        let n = c_int::try_from(list.len()).unwrap_or(0);
        if let Ok(i) = usize::try_from(idx) {
            let Some(code) = list.get(i) else {
                return Ok(0);
            };
            // SAFETY: the outputs are NULL or writable per the API.
            unsafe { write_scheme(*code, psign, phash, psignhash, rsig, rhash) };
        }
        Ok(n)
    })
}

/// `SSL_get_shared_sigalgs`: the number of schemes both sides allow, and scheme `idx`'s
/// NIDs and code bytes as [`SSL_get_sigalgs`]; 0 when there is no such scheme (or no
/// shared list yet).
#[no_mangle]
pub unsafe extern "C" fn SSL_get_shared_sigalgs(
    ssl: *mut SSL,
    idx: c_int,
    psign: *mut c_int,
    phash: *mut c_int,
    psignhash: *mut c_int,
    rsig: *mut u8,
    rhash: *mut u8,
) -> c_int {
    entry(|| {
        let shared = shared_sigalgs(try_ref!(ssl));
        let Some(code) = usize::try_from(idx).ok().and_then(|i| shared.get(i)) else {
            return Ok(0);
        };
        // SAFETY: the outputs are NULL or writable per the API.
        unsafe { write_scheme(*code, psign, phash, psignhash, rsig, rhash) };
        Ok(c_int::try_from(shared.len()).unwrap_or(0))
    })
}

/// `SSL_get_peer_signature_type_nid`: the signature type (`EVP_PKEY_*` NID) of the
/// peer's handshake signature in `*pnid`; 1, or 0 if the peer has not signed.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_peer_signature_type_nid(
    ssl: *const SSL,
    pnid: *mut c_int,
) -> c_int {
    entry(|| {
        let scheme = try_ref!(ssl).status().peer_scheme;
        // SAFETY: pnid is writable per the API.
        Ok(unsafe { write_type(scheme, pnid) })
    })
}

/// `SSL_get_signature_type_nid`: as [`SSL_get_peer_signature_type_nid`] for this side's
/// own handshake signature.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_signature_type_nid(ssl: *const SSL, pnid: *mut c_int) -> c_int {
    entry(|| {
        let scheme = try_ref!(ssl).status().own_scheme;
        // SAFETY: pnid is writable per the API.
        Ok(unsafe { write_type(scheme, pnid) })
    })
}

/// The schemes both sides allow (none before the peer's list arrived).
pub(super) fn shared_sigalgs(ssl: &SSL) -> Vec<u16> {
    let Some(peer) = peer_sigalgs(ssl) else {
        return Vec::new();
    };
    let tls13 = ssl.status().version == crate::versions::TLS1_3;
    let setup = ssl.setup();
    let s = &setup.settings;
    let client_list = s
        .knobs
        .client_sigalgs
        .as_ref()
        .filter(|_| setup.role != Some(Role::Server));
    let ours: Vec<u16> = match client_list.or(s.sigalgs.as_ref()) {
        Some(list) => list.iter().map(|x| u16::from(*x)).collect(),
        None => sigalgs::DEFAULT.to_vec(),
    };
    let server_pref = setup.options & sys::SSL_OP_CIPHER_SERVER_PREFERENCE != 0;
    sigalgs::shared(&ours, &peer, server_pref, tls13, s.security_level)
}

/// The schemes the peer offered, if it sent a list.
pub(super) fn peer_sigalgs(ssl: &SSL) -> Option<Vec<u16>> {
    if ssl.setup().role == Some(Role::Server) {
        lock(&ssl.state.hello)
            .as_ref()?
            .sigalgs
            .as_deref()
            .map(<[u16]>::to_vec)
    } else {
        ssl.state
            .outcome()
            .peer_sigalgs
            .as_deref()
            .map(<[u16]>::to_vec)
    }
}

/// Writes a scheme's NIDs and code bytes to the outputs that are not NULL.
///
/// # Safety
/// Each pointer is NULL or writable.
unsafe fn write_scheme(
    code: u16,
    psign: *mut c_int,
    phash: *mut c_int,
    psignhash: *mut c_int,
    rsig: *mut u8,
    rhash: *mut u8,
) {
    let (sign, hash, both) = sigalgs::nids(code);
    let [hi, lo] = code.to_be_bytes();
    // SAFETY: guaranteed by the caller.
    unsafe {
        if let Some(p) = rhash.as_mut() {
            *p = hi;
        }
        if let Some(p) = rsig.as_mut() {
            *p = lo;
        }
        if let Some(p) = psign.as_mut() {
            *p = sign;
        }
        if let Some(p) = phash.as_mut() {
            *p = hash;
        }
        if let Some(p) = psignhash.as_mut() {
            *p = both;
        }
    }
}

/// Writes a scheme's signature type to `pnid`; 1, or 0 without a scheme.
///
/// # Safety
/// `pnid` is NULL or writable.
unsafe fn write_type(scheme: Option<rustls::SignatureScheme>, pnid: *mut c_int) -> c_int {
    let Some(scheme) = scheme else {
        return 0;
    };
    // SAFETY: guaranteed by the caller.
    if let Some(p) = unsafe { pnid.as_mut() } {
        *p = sigalgs::sig_nid(scheme);
    }
    1
}
