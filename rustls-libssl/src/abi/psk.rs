//! External pre-shared keys (TLS 1.2 PSK suites, TLS 1.3 external PSKs). OpenSSL uses
//! them only when a callback hands out a key and the peer agrees; until then the hints
//! are kept and the identity getters report none. rustls has no external PSK: the shim
//! never offers or accepts a PSK suite, and a TLS 1.3 client whose callbacks hand out a key
//! fails its handshake with "not supported" instead of silently leaving the key unused.

use std::ffi::{c_char, c_int, c_uint};

use super::{c_str_bytes, entry, try_ref, SSL};
use crate::crypto_sys as sys;
use crate::error::Error;

use super::ctx::SSL_CTX;

/// `PSK_MAX_IDENTITY_LEN`.
const MAX_IDENTITY: usize = 256;
/// `PSK_MAX_PSK_LEN`.
const MAX_PSK: usize = 512;

/// A hint argument: NULL clears it; longer than 256 bytes is `SSL_R_DATA_LENGTH_TOO_LONG`.
///
/// # Safety
/// `hint` is NULL or a C string.
unsafe fn hint_arg(hint: *const c_char) -> Result<Option<String>, Error> {
    if hint.is_null() {
        return Ok(None);
    }
    // SAFETY: guaranteed by the caller.
    let bytes = unsafe { c_str_bytes(hint) }?;
    if bytes.len() > MAX_IDENTITY {
        return Err(Error::Reason(sys::SSL_R_DATA_LENGTH_TOO_LONG));
    }
    Ok(Some(String::from_utf8_lossy(bytes).into_owned()))
}

/// `SSL_CTX_use_psk_identity_hint`: the hint a TLS 1.2 PSK server would send (kept; no PSK
/// suite is ever negotiated); NULL clears it. 1, or 0 for a hint over 256 bytes.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_use_psk_identity_hint(
    ctx: *mut SSL_CTX,
    hint: *const c_char,
) -> c_int {
    entry(|| {
        let ctx = try_ref!(ctx);
        // SAFETY: hint is NULL or a C string per the API.
        let hint = unsafe { hint_arg(hint) }?;
        ctx.core
            .update_settings(|s| s.knobs.psk_identity_hint = hint);
        Ok(1)
    })
}

/// `SSL_use_psk_identity_hint`: as [`SSL_CTX_use_psk_identity_hint`] for one connection.
#[no_mangle]
pub unsafe extern "C" fn SSL_use_psk_identity_hint(ssl: *mut SSL, hint: *const c_char) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        // SAFETY: hint is NULL or a C string per the API.
        let hint = unsafe { hint_arg(hint) }?;
        ssl.setup().settings_mut().knobs.psk_identity_hint = hint;
        Ok(1)
    })
}

/// `SSL_get_psk_identity_hint`: the hint the PSK server sent in the session's handshake:
/// NULL, no PSK suite is negotiated.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_psk_identity_hint(ssl: *const SSL) -> *const c_char {
    entry(|| {
        try_ref!(ssl);
        Ok(std::ptr::null())
    })
}

/// `SSL_get_psk_identity`: the PSK identity of the session: NULL, as above.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_psk_identity(ssl: *const SSL) -> *const c_char {
    entry(|| {
        try_ref!(ssl);
        Ok(std::ptr::null())
    })
}

/// A TLS 1.3 client about to send its ClientHello: runs the application's PSK callbacks
/// as OpenSSL does at this point (the session callback, then, without a session, the
/// identity callback). They decline: the handshake goes on with certificates. They hand
/// out a key: the handshake fails ("not supported"), rustls cannot offer it. A callback
/// that fails, or a session that is not TLS 1.3, is `SSL_R_BAD_PSK` as in OpenSSL.
pub(super) fn client_hello(ssl: *mut SSL) -> Result<(), Error> {
    // SAFETY: the connection is alive while its handshake runs.
    let callbacks = {
        let s = try_ref!(ssl);
        let cbs = crate::current::lock(&s.callbacks);
        (cbs.psk_use_session, cbs.psk_client)
    };
    let mut offered = false;
    if let (Some(cb), _) = callbacks {
        let mut id: *const u8 = std::ptr::null();
        let mut idlen: usize = 0;
        let mut sess: *mut super::session::SSL_SESSION = std::ptr::null_mut();
        // SAFETY: the application's callback with writable out-pointers; no lock is held.
        let ok = unsafe { cb(ssl, std::ptr::null(), &mut id, &mut idlen, &mut sess) };
        if !sess.is_null() {
            // SAFETY: the callback handed over a reference to a session it made.
            let session = unsafe { std::sync::Arc::from_raw(sess.cast_const()) };
            if session.meta().version != crate::versions::TLS1_3 {
                return Err(Error::Reason(sys::SSL_R_BAD_PSK));
            }
            offered = true;
        }
        if ok == 0 {
            return Err(Error::Reason(sys::SSL_R_BAD_PSK));
        }
    }
    if let (_, Some(cb)) = callbacks {
        if !offered {
            let mut identity: [c_char; MAX_IDENTITY + 1] = [0; MAX_IDENTITY + 1];
            let mut psk = [0u8; MAX_PSK];
            // SAFETY: the application's callback; the buffers have the sizes passed, the
            // identity one with room for its terminating NUL.
            let n = unsafe {
                cb(
                    ssl,
                    std::ptr::null(),
                    identity.as_mut_ptr(),
                    MAX_IDENTITY as c_uint,
                    psk.as_mut_ptr(),
                    MAX_PSK as c_uint,
                )
            };
            psk.fill(0);
            if n as usize > MAX_PSK {
                return Err(Error::Internal);
            }
            offered = n > 0;
        }
    }
    if offered {
        return Err(Error::NotSupported("TLS 1.3 external PSK"));
    }
    Ok(())
}
