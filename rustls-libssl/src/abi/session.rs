//! `SSL_SESSION`: reference-counted resumption state (an `Arc` of the core [`Session`]).

use std::ffi::{c_int, c_long, c_uint};
use std::sync::Arc;

use super::{entry, try_ref, SSL};
use crate::error::Error;
use crate::session::Session;

/// `SSL_SESSION` is the core session behind an `Arc`.
pub(super) type SSL_SESSION = Session;

/// A new `Arc` for a session pointer the caller holds a reference to.
///
/// # Safety
/// `s` came from `Arc::into_raw` and is alive.
unsafe fn session_arc(s: *const SSL_SESSION) -> Arc<Session> {
    // SAFETY: guaranteed by the caller; the count goes up before the new Arc exists.
    unsafe {
        Arc::increment_strong_count(s);
        Arc::from_raw(s)
    }
}

/// `SSL_SESSION_new`: an empty session (nothing to resume).
#[no_mangle]
pub extern "C" fn SSL_SESSION_new() -> *mut SSL_SESSION {
    Arc::into_raw(Arc::new(Session::empty())).cast_mut()
}

/// `SSL_SESSION_free`: drops one reference; NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_free(s: *mut SSL_SESSION) {
    if !s.is_null() {
        // SAFETY: s came from Arc::into_raw; the caller gives up one reference.
        drop(unsafe { Arc::from_raw(s) });
    }
}

/// `SSL_SESSION_up_ref`: one more reference; 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_up_ref(s: *mut SSL_SESSION) -> c_int {
    entry(|| {
        try_ref!(s);
        // SAFETY: s is a live session from Arc::into_raw.
        unsafe { Arc::increment_strong_count(s) };
        Ok(1)
    })
}

/// `SSL_set_session`: resume `session` on the next handshake (takes its own reference);
/// NULL clears it.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_session(ssl: *mut SSL, session: *mut SSL_SESSION) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        // SAFETY: session is NULL or a live session.
        let session = (!session.is_null()).then(|| unsafe { session_arc(session) });
        ssl.conn()?.set_session(session);
        Ok(1)
    })
}

/// `SSL_SESSION_is_resumable`.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_is_resumable(s: *const SSL_SESSION) -> c_int {
    entry(|| Ok(super::c_bool(try_ref!(s).is_resumable())))
}

/// `SSL_SESSION_get_id`: the session id (pointer into the session) and its length.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get_id(s: *const SSL_SESSION, len: *mut c_uint) -> *const u8 {
    entry(|| {
        let s = try_ref!(s);
        if !len.is_null() {
            // SAFETY: len is writable per the API.
            unsafe { *len = s.id.len() as c_uint };
        }
        Ok(s.id.as_ptr())
    })
}

/// `SSL_SESSION_get_time`: creation time (seconds since the epoch).
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get_time(s: *const SSL_SESSION) -> c_long {
    entry(|| Ok(c_long::try_from(try_ref!(s).time).unwrap_or(c_long::MAX)))
}

/// `SSL_SESSION_get_timeout`: lifetime in seconds.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get_timeout(s: *const SSL_SESSION) -> c_long {
    entry(|| {
        Ok(c_long::try_from(*crate::current::lock(&try_ref!(s).timeout)).unwrap_or(c_long::MAX))
    })
}

/// `SSL_SESSION_set_timeout`: sets the lifetime; 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_set_timeout(s: *mut SSL_SESSION, t: c_long) -> c_long {
    entry(|| {
        let t = u64::try_from(t).map_err(|_| Error::BadValue)?;
        *crate::current::lock(&try_ref!(s).timeout) = t;
        Ok(1)
    })
}

/// `SSL_SESSION_get_protocol_version`.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get_protocol_version(s: *const SSL_SESSION) -> c_int {
    entry(|| Ok(c_int::from(try_ref!(s).version)))
}

/// `SSL_SESSION_get0_cipher`: the session's cipher suite (static), or NULL if unknown.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get0_cipher(
    s: *const SSL_SESSION,
) -> *const crate::ciphers::Cipher {
    entry(|| {
        let id = try_ref!(s).cipher;
        Ok(crate::ciphers::ALL
            .iter()
            .find(|c| c.iana_id() == id)
            .map_or(std::ptr::null(), |c| c as *const _))
    })
}
