//! `SSL_SESSION`: reference-counted sessions (an `Arc` of the core [`Session`]) and the
//! helpers their exports share. Their fields (`fields`), serialised forms (`encoding`:
//! `i2d`/`d2i`, PEM, the text of `SSL_SESSION_print`), the connection's session
//! (`connection`) and a context's session cache and callbacks (`cache`) are submodules.

use std::ffi::{c_int, c_long};
use std::sync::Arc;

use super::{c_bool, entry, try_ref};
use crate::session::Session;

mod cache;
mod connection;
mod encoding;
mod fields;

pub(crate) use cache::SessionTable;
pub use connection::SSL_copy_session_id;
/// What the fuzz targets ([`super::fuzzing`]) resume and (de)serialise sessions with.
#[cfg(any(test, fuzzing))]
pub(super) use {
    connection::{SSL_get1_session, SSL_set_session_id_context},
    encoding::{d2i_SSL_SESSION, i2d_SSL_SESSION},
};

/// `SSL_SESSION` is the core session behind an `Arc`.
///
/// cbindgen:ignore
/// (the header names OpenSSL's typedef: cbindgen must not see this one, or it would
/// emit it as a typedef of itself.)
pub(crate) type SSL_SESSION = Session;

/// A new `Arc` for a session pointer the caller holds a reference to.
///
/// # Safety
/// `s` came from `Arc::into_raw` and is alive.
pub(super) unsafe fn session_arc(s: *const SSL_SESSION) -> Arc<Session> {
    // SAFETY: guaranteed by the caller; the count goes up before the new Arc exists.
    unsafe {
        Arc::increment_strong_count(s);
        Arc::from_raw(s)
    }
}

/// `SSL_SESSION_new`: an empty session (nothing to resume); a new reference.
#[no_mangle]
pub extern "C" fn SSL_SESSION_new() -> *mut SSL_SESSION {
    Arc::into_raw(Session::empty()).cast_mut()
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

/// `SSL_SESSION_dup`: a copy with its own ex_data (copied through the dup callbacks); a
/// new reference, or NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_dup(s: *const SSL_SESSION) -> *mut SSL_SESSION {
    entry(|| Ok(Arc::into_raw(try_ref!(s).duplicate()).cast_mut()))
}

/// `SSL_SESSION_is_resumable`: 1 if the session can resume a connection.
#[no_mangle]
pub unsafe extern "C" fn SSL_SESSION_is_resumable(s: *const SSL_SESSION) -> c_int {
    entry(|| Ok(c_bool(try_ref!(s).is_resumable())))
}

/// Copies up to `outlen` bytes of `data` to `out` (the length of `data` when `outlen` is
/// 0); returns the count.
///
/// # Safety
/// `out` is writable for `outlen` bytes.
unsafe fn copy_out(data: &[u8], out: *mut u8, outlen: usize) -> usize {
    if outlen == 0 {
        return data.len();
    }
    let n = outlen.min(data.len());
    if !out.is_null() {
        // SAFETY: guaranteed by the caller; n <= outlen.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), out, n) };
    }
    n
}

/// Writes `value` through `p` unless it is NULL.
///
/// # Safety
/// `p` is NULL or writable.
pub(super) unsafe fn write_opt<T>(p: *mut T, value: T) {
    if !p.is_null() {
        // SAFETY: guaranteed by the caller.
        unsafe { *p = value };
    }
}

/// A time or duration as C's `long`, saturating.
fn long<T: Copy + Default + PartialOrd>(v: T) -> c_long
where
    c_long: TryFrom<T>,
{
    let saturated = if v < T::default() {
        c_long::MIN
    } else {
        c_long::MAX
    };
    c_long::try_from(v).unwrap_or(saturated)
}

/// C's `long` as a session's time or duration (no wider than `i64` on any target).
fn widen<T: Into<i64>>(t: T) -> i64 {
    t.into()
}
