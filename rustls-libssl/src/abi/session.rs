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
    entry(|| Ok(c_long::try_from(*crate::current::lock(&try_ref!(s).time)).unwrap_or(c_long::MAX)))
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
        Ok(crate::ciphers::Cipher::by_id(id).map_or(std::ptr::null(), |c| c as *const _))
    })
}

/// The connection's session: the one it made or resumed, or (once established) one that
/// describes it without being resumable. Kept by the connection.
fn current_session(ssl: &SSL) -> Result<Option<Arc<Session>>, Error> {
    let conn = ssl.conn()?;
    let mut last = crate::current::lock(&conn.state.last_session);
    if last.is_none() && conn.is_established() {
        let version = conn.version().unwrap_or(0);
        let cipher = conn.cipher().map_or(0, |c| c.iana_id());
        *last = Some(Arc::new(Session::describing(version, cipher)));
    }
    Ok(last.clone())
}

/// `SSL_get_session` (`SSL_get0_session`): the connection's session (get0), or NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_session(ssl: *const SSL) -> *mut SSL_SESSION {
    entry(|| {
        // The connection keeps its own reference, so the pointer outlives this Arc.
        Ok(current_session(try_ref!(ssl))?
            .map_or(std::ptr::null_mut(), |s| Arc::as_ptr(&s).cast_mut()))
    })
}

/// `SSL_get1_session`: the connection's session, a new reference; NULL if none.
#[no_mangle]
pub unsafe extern "C" fn SSL_get1_session(ssl: *mut SSL) -> *mut SSL_SESSION {
    entry(|| {
        Ok(current_session(try_ref!(ssl))?
            .map_or(std::ptr::null_mut(), |s| Arc::into_raw(s).cast_mut()))
    })
}

/// `i2d_SSL_SESSION`: serialises a server session (length; with `pp`, writes at `*pp` and
/// advances it). Client sessions cannot be serialised (rustls keeps their state private):
/// 0 with a "not supported" error.
#[no_mangle]
pub unsafe extern "C" fn i2d_SSL_SESSION(s: *const SSL_SESSION, pp: *mut *mut u8) -> c_int {
    entry(|| {
        let der = try_ref!(s)
            .encode()
            .ok_or(Error::NotSupported("serialising a client session"))?;
        let len = c_int::try_from(der.len()).map_err(|_| Error::BadValue)?;
        // SAFETY: pp is NULL, or points at a buffer pointer with room for `len` bytes (the
        // i2d contract; callers size it with a first NULL call).
        unsafe {
            if !pp.is_null() && !(*pp).is_null() {
                std::ptr::copy_nonoverlapping(der.as_ptr(), *pp, der.len());
                *pp = (*pp).add(der.len());
            }
        }
        Ok(len)
    })
}

/// `d2i_SSL_SESSION`: parses `i2d_SSL_SESSION`'s form; advances `*pp`. Returns a new
/// session (reusing `*a` is not supported: a new one is always made and stored there).
#[no_mangle]
pub unsafe extern "C" fn d2i_SSL_SESSION(
    a: *mut *mut SSL_SESSION,
    pp: *mut *const u8,
    len: c_long,
) -> *mut SSL_SESSION {
    entry(|| {
        if pp.is_null() {
            return Err(Error::NullArgument);
        }
        let len = usize::try_from(len).map_err(|_| Error::BadValue)?;
        // SAFETY: *pp points at len readable bytes per the d2i contract.
        let data = unsafe { super::c_bytes(*pp, len) }?;
        let (session, used) =
            Session::decode(data).ok_or(Error::Reason(crate::crypto_sys::SSL_R_BAD_DATA))?;
        let raw = Arc::into_raw(Arc::new(session)).cast_mut();
        // SAFETY: pp and a (if not NULL) are writable per the API; *a, if set, is a session
        // the caller hands over to be replaced.
        unsafe {
            *pp = (*pp).add(used);
            if !a.is_null() {
                if !(*a).is_null() {
                    drop(Arc::from_raw(*a));
                }
                *a = raw;
            }
        }
        Ok(raw)
    })
}

/// `SSL_SESSION_get0_hostname`: NULL (the SNI name is not recorded in sessions).
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_get0_hostname(
    s: *const SSL_SESSION,
) -> *const std::ffi::c_char {
    entry(|| {
        try_ref!(s);
        Ok(std::ptr::null())
    })
}

/// `SSL_SESSION_set_time`: sets the creation time; returns 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_set_time(s: *mut SSL_SESSION, t: c_long) -> c_long {
    entry(|| {
        let t = u64::try_from(t).map_err(|_| Error::BadValue)?;
        *crate::current::lock(&try_ref!(s).time) = t;
        Ok(1)
    })
}
