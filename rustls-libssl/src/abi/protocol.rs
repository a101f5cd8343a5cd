//! Requests an application makes of the protocol beside reading and writing: key updates,
//! renegotiation, extra session tickets, post-handshake client authentication, stateless
//! HelloRetryRequests, and what the handshake decided about 0-RTT data and Finished
//! messages.
//!
//! rustls does not renegotiate, send tickets after the handshake, authenticate a client
//! after the handshake, or answer with a stateless HelloRetryRequest: the refusals OpenSSL
//! itself makes (a TLS 1.3 connection, `SSL_OP_NO_RENEGOTIATION`, a client, a TLS 1.2
//! connection, no extension from the client) come first and are OpenSSL's. Where OpenSSL
//! has a configuration without the feature, what remains is refused as there (renegotiation
//! as with `SSL_OP_NO_RENEGOTIATION`, post-handshake authentication as without the client's
//! extension); the rest fails with a "not supported" error naming the feature.

use std::ffi::{c_int, c_void};

use super::{entry, try_ref, SSL};
use crate::connection::Role;
use crate::crypto_sys as sys;
use crate::current::lock;
use crate::error::Error;
use crate::versions;

/// Whether the connection negotiated TLS 1.3 (OpenSSL's `SSL_IS_TLS13`: before the
/// handshake picks a version, no).
fn tls13(ssl: &SSL) -> bool {
    let status = lock(&ssl.state.status);
    status.cipher.is_some() && status.version == versions::TLS1_3
}

fn is_server(ssl: &SSL) -> bool {
    ssl.setup().role == Some(Role::Server)
}

/// `SSL_renegotiate`: OpenSSL's refusals (TLS 1.3: "wrong ssl version";
/// `SSL_OP_NO_RENEGOTIATION`: "no renegotiation"); before the handshake completes, 1 (the
/// handshake under way is the one asked for). Differs from OpenSSL: an established TLS 1.2
/// connection is refused as with `SSL_OP_NO_RENEGOTIATION` (rustls does not renegotiate).
#[no_mangle]
pub unsafe extern "C" fn SSL_renegotiate(ssl: *mut SSL) -> c_int {
    entry(|| renegotiate(try_ref!(ssl)))
}

/// `SSL_renegotiate_abbreviated`: as `SSL_renegotiate`.
#[no_mangle]
pub unsafe extern "C" fn SSL_renegotiate_abbreviated(ssl: *mut SSL) -> c_int {
    entry(|| renegotiate(try_ref!(ssl)))
}

fn renegotiate(ssl: &SSL) -> Result<c_int, Error> {
    if tls13(ssl) {
        return Err(Error::Reason(sys::SSL_R_WRONG_SSL_VERSION));
    }
    if ssl.setup().options & sys::SSL_OP_NO_RENEGOTIATION != 0 {
        return Err(Error::Reason(sys::SSL_R_NO_RENEGOTIATION));
    }
    let mut status = lock(&ssl.state.status);
    if status.established {
        return Err(Error::Reason(sys::SSL_R_NO_RENEGOTIATION));
    }
    status.renegotiate = true;
    Ok(1)
}

/// `SSL_renegotiate_pending`: 1 between `SSL_renegotiate` (before the handshake completed)
/// and the handshake's end; else 0.
#[no_mangle]
pub unsafe extern "C" fn SSL_renegotiate_pending(ssl: *const SSL) -> c_int {
    entry(|| Ok(c_int::from(lock(&try_ref!(ssl).state.status).renegotiate)))
}

/// `SSL_key_update`: asks for a TLS 1.3 key update (`SSL_KEY_UPDATE_REQUESTED` also asks
/// the peer for one), sent with the next read, write or `SSL_do_handshake`; 1, or 0 with
/// OpenSSL's error (not TLS 1.3, a bad type, a handshake not complete).
#[no_mangle]
pub unsafe extern "C" fn SSL_key_update(ssl: *mut SSL, updatetype: c_int) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        if !tls13(ssl) {
            return Err(Error::Reason(sys::SSL_R_WRONG_SSL_VERSION));
        }
        let requested = match updatetype {
            sys::SSL_KEY_UPDATE_NOT_REQUESTED => false,
            sys::SSL_KEY_UPDATE_REQUESTED => true,
            _ => return Err(Error::Reason(sys::SSL_R_INVALID_KEY_UPDATE_TYPE)),
        };
        let mut status = lock(&ssl.state.status);
        if !status.established {
            return Err(Error::Reason(sys::SSL_R_STILL_IN_INIT));
        }
        status.key_update = Some(requested);
        Ok(1)
    })
}

/// `SSL_get_key_update_type`: the type of the key update asked for and not sent yet, or
/// `SSL_KEY_UPDATE_NONE`.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_key_update_type(ssl: *const SSL) -> c_int {
    entry(|| {
        Ok(match lock(&try_ref!(ssl).state.status).key_update {
            None => sys::SSL_KEY_UPDATE_NONE,
            Some(false) => sys::SSL_KEY_UPDATE_NOT_REQUESTED,
            Some(true) => sys::SSL_KEY_UPDATE_REQUESTED,
        })
    })
}

/// `SSL_new_session_ticket`: 0 where OpenSSL refuses (a client, not TLS 1.3, the first
/// handshake not complete), quietly as OpenSSL does. Differs from OpenSSL: an established
/// TLS 1.3 server cannot send another ticket (rustls sends its tickets with the handshake
/// only): 0 with a "not supported" error.
#[no_mangle]
pub unsafe extern "C" fn SSL_new_session_ticket(ssl: *mut SSL) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        if !is_server(ssl) || !tls13(ssl) || !lock(&ssl.state.status).established {
            return Ok(0);
        }
        Err(Error::NotSupported(
            "sending a session ticket after the handshake",
        ))
    })
}

/// `SSL_get_early_data_status`: `SSL_EARLY_DATA_ACCEPTED` or `_REJECTED` once the
/// handshake has decided about 0-RTT data the client offered, else `_NOT_SENT` (this
/// library's clients send none).
#[no_mangle]
pub unsafe extern "C" fn SSL_get_early_data_status(ssl: *const SSL) -> c_int {
    entry(|| Ok(lock(&try_ref!(ssl).state.status).early_data))
}

/// `SSL_stateless`: -1 and a "not supported" error (rustls makes no stateless
/// HelloRetryRequest with a cookie of the application's).
#[no_mangle]
pub unsafe extern "C" fn SSL_stateless(ssl: *mut SSL) -> c_int {
    let r = entry(|| {
        try_ref!(ssl);
        Err::<c_int, _>(Error::NotSupported(
            "stateless HelloRetryRequests (SSL_stateless)",
        ))
    });
    if r == 0 {
        -1
    } else {
        r
    }
}

/// `SSL_set_post_handshake_auth`: accepted; rustls clients do not offer post-handshake
/// authentication, so a server never asks for it.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_post_handshake_auth(ssl: *mut SSL, _val: c_int) {
    entry(|| {
        try_ref!(ssl);
        Ok(())
    })
}

/// `SSL_verify_client_post_handshake`: OpenSSL's refusals (not TLS 1.3, a client, a
/// handshake not complete, a client that did not offer it: "extension not received").
/// rustls servers do not authenticate clients after the handshake: a server without it
/// ignores the client's post_handshake_auth extension, so a client that offered it is
/// refused as one that did not, as OpenSSL refuses it (Apache answers 403 either way);
/// RUSTLS_LIBSSL_DEBUG names the missing feature.
#[no_mangle]
pub unsafe extern "C" fn SSL_verify_client_post_handshake(ssl: *mut SSL) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        if !tls13(ssl) {
            return Err(Error::Reason(sys::SSL_R_WRONG_SSL_VERSION));
        }
        if !is_server(ssl) {
            return Err(Error::Reason(sys::SSL_R_NOT_SERVER));
        }
        if !lock(&ssl.state.status).established {
            return Err(Error::Reason(sys::SSL_R_STILL_IN_INIT));
        }
        let offered = lock(&ssl.state.hello)
            .as_ref()
            .is_some_and(|h| h.post_handshake_auth);
        if offered {
            crate::debug::log!(
                crate::debug::Level::Warn,
                "not supported: post-handshake client authentication (refused as if the \
                 client had not offered it: \"extension not received\")"
            );
        }
        Err(Error::Reason(sys::SSL_R_EXTENSION_NOT_RECEIVED))
    })
}

/// `SSL_get_finished`: copies up to `count` bytes of the verify_data of the Finished
/// message this side sent; returns its whole length (0 before it was sent).
#[no_mangle]
pub unsafe extern "C" fn SSL_get_finished(
    ssl: *const SSL,
    buf: *mut c_void,
    count: usize,
) -> usize {
    entry(|| {
        let ssl = try_ref!(ssl);
        // SAFETY: buf is writable for count bytes per the API.
        Ok(unsafe { copy_finished(ssl, buf, count, false) })
    })
}

/// `SSL_get_peer_finished`: as `SSL_get_finished`, for the peer's Finished message.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_peer_finished(
    ssl: *const SSL,
    buf: *mut c_void,
    count: usize,
) -> usize {
    entry(|| {
        let ssl = try_ref!(ssl);
        // SAFETY: as above.
        Ok(unsafe { copy_finished(ssl, buf, count, true) })
    })
}

/// # Safety
/// `buf` is writable for `count` bytes (or NULL with `count` 0).
unsafe fn copy_finished(ssl: &SSL, buf: *mut c_void, count: usize, peer: bool) -> usize {
    let data = ssl.state.finished(peer);
    let n = count.min(data.len());
    if n > 0 && !buf.is_null() {
        // SAFETY: guaranteed by the caller; n <= count.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), buf.cast::<u8>(), n) };
    }
    data.len()
}
