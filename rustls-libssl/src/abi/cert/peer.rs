//! What the peer presented: its leaf and chain, the chain verification built, and the
//! ephemeral key-exchange shares (`SSL_get_peer_tmp_key`, `SSL_get_tmp_key`).

use std::sync::Mutex;

use crate::abi::{entry, try_ref, SSL};
use crate::connection::Role;
use crate::crypto_sys::{self as sys, Cert, PKey, X509Stack};
use crate::current::lock;
use crate::error::Error;

/// `SSL_get1_peer_certificate` (`SSL_get_peer_certificate`): the peer's leaf, a new
/// reference the caller frees; NULL if none.
#[no_mangle]
pub unsafe extern "C" fn SSL_get1_peer_certificate(ssl: *const SSL) -> *mut sys::X509 {
    entry(|| peer_leaf(try_ref!(ssl), Cert::up_ref_raw))
}

/// `SSL_get0_peer_certificate`: the peer's leaf (get0).
#[no_mangle]
pub unsafe extern "C" fn SSL_get0_peer_certificate(ssl: *const SSL) -> *mut sys::X509 {
    entry(|| peer_leaf(try_ref!(ssl), Cert::as_ptr))
}

/// The peer's leaf as `hand_out` gives it, or NULL.
fn peer_leaf(
    ssl: &SSL,
    hand_out: fn(&Cert) -> *mut sys::X509,
) -> crate::error::Result<*mut sys::X509> {
    let outcome = ssl.state.peer_outcome();
    if outcome.leaf_rejected {
        return Ok(std::ptr::null_mut());
    }
    Ok(outcome
        .peer_chain
        .first()
        .map_or(std::ptr::null_mut(), hand_out))
}

/// `SSL_get_peer_cert_chain`: the chain the peer sent (get0, owned by the SSL): leaf first
/// for a client; without the leaf for a server, as in OpenSSL. A server that asked for a
/// certificate in a full handshake and got none has an empty stack, as OpenSSL keeps the
/// client's empty Certificate message; NULL when there was no Certificate message.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_peer_cert_chain(ssl: *const SSL) -> *mut sys::stack_st_X509 {
    entry(|| {
        let ssl = try_ref!(ssl);
        let server = ssl.setup().role == Some(Role::Server);
        let status = ssl.status();
        let answered = server && status.established && !status.resumed;
        let outcome = ssl.state.peer_outcome();
        // A server's view excludes the client's own certificate (an OpenSSL quirk that
        // applications rely on); a client's includes the server's.
        let skip = usize::from(server).min(outcome.peer_chain.len());
        let all = !outcome.peer_chain.is_empty() || (answered && outcome.certificate_requested);
        cached_stack(
            &ssl.rare().peer_chain_stack,
            all.then(|| &outcome.peer_chain[skip..]),
        )
    })
}

/// `SSL_get_peer_tmp_key` (`SSL_ctrl(SSL_CTRL_GET_PEER_TMP_KEY)`, `peer`) and
/// `SSL_get_tmp_key`: an ephemeral key-exchange share as a new `EVP_PKEY` (get1) in
/// `*out`; 1, or 0 if there is none (no key exchange yet, a resumed TLS 1.2 handshake, a
/// share OpenSSL frees after the handshake, or a group OpenSSL 3.0 does not know). This
/// side's own key has its public half only: rustls keeps the private key.
pub(in crate::abi) fn tmp_key(
    ssl: &SSL,
    out: *mut *mut sys::EVP_PKEY,
    peer: bool,
) -> std::ffi::c_long {
    let share = {
        let outcome = ssl.state.outcome();
        if peer {
            outcome.peer_share.clone()
        } else {
            outcome.own_share.clone()
        }
    };
    let Some(key) = share.and_then(|s| PKey::from_key_share(u16::from(s.group), &s.key)) else {
        return 0;
    };
    // SAFETY: out is an `EVP_PKEY **` for these commands (NULL tolerated here).
    match unsafe { out.as_mut() } {
        Some(out) => {
            *out = key.into_raw();
            1
        }
        None => 0,
    }
}

/// `SSL_get0_verified_chain`: the chain verification built (get0, owned by the SSL).
#[no_mangle]
pub unsafe extern "C" fn SSL_get0_verified_chain(ssl: *const SSL) -> *mut sys::stack_st_X509 {
    entry(|| {
        let ssl = try_ref!(ssl);
        let outcome = ssl.state.outcome();
        let chain = &outcome.verified_chain;
        cached_stack(
            &ssl.rare().verified_chain_stack,
            (!chain.is_empty()).then_some(&chain[..]),
        )
    })
}

/// A `STACK_OF(X509)` of `certs` kept in `slot` and handed out as get0: made once, so a
/// pointer the application holds stays valid as long as the SSL.
fn cached_stack(
    slot: &Mutex<Option<X509Stack>>,
    certs: Option<&[Cert]>,
) -> Result<*mut sys::stack_st_X509, Error> {
    let Some(certs) = certs else {
        return Ok(std::ptr::null_mut());
    };
    let mut slot = lock(slot);
    if slot.is_none() {
        *slot = Some(X509Stack::new(certs).ok_or(Error::Crypto)?);
    }
    Ok(slot
        .as_ref()
        .map_or(std::ptr::null_mut(), |s| s.as_ptr().cast()))
}
