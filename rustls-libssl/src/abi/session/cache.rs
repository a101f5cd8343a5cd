//! A context's session cache: adding, removing and flushing sessions, the `LHASH` view of
//! `SSL_CTX_sessions`, and the new, remove and get callbacks.

use std::ffi::{c_int, c_long, c_ulong, c_void};
use std::sync::Arc;

use super::{session_arc, SSL_SESSION};
use crate::abi::callbacks::{GetSessionCallback, NewSessionCallback, RemoveSessionCallback};
use crate::abi::ctx::SSL_CTX;
use crate::abi::{c_bool, entry, try_ref};
use crate::crypto_sys::{self as sys};
use crate::current::lock;
use crate::error::Error;
use crate::session::Session;

/// `SSL_CTX_add_session`: adds `s` to the context's cache (the cache takes a reference);
/// 1, or 0 if a session with that id was cached already (it is replaced).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_add_session(ctx: *mut SSL_CTX, s: *mut SSL_SESSION) -> c_int {
    entry(|| {
        let ctx = try_ref!(ctx);
        try_ref!(s);
        // SAFETY: s is a live session.
        let session = unsafe { session_arc(s) };
        Ok(c_bool(ctx.core.session_cache().add(session)))
    })
}

/// `SSL_CTX_remove_session`: takes `s` out of the cache (the remove callback hears of it);
/// 1 if it was there. The session no longer resumes.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_remove_session(ctx: *mut SSL_CTX, s: *mut SSL_SESSION) -> c_int {
    entry(|| {
        let ctx = try_ref!(ctx);
        // SAFETY: s is NULL or a live session.
        let Some(session) = (unsafe { s.as_ref() }) else {
            return Ok(0);
        };
        let id = session.meta().id.clone();
        if id.is_empty() {
            return Ok(0);
        }
        let removed = ctx.core.session_cache().remove(&id).is_some();
        session.set_not_resumable();
        if let Some(cb) = ctx.callbacks().remove_session {
            // SAFETY: the application's callback; both objects are alive during the call.
            unsafe { cb((ctx as *const SSL_CTX).cast_mut(), s) };
        }
        Ok(c_bool(removed))
    })
}

/// `SSL_CTX_flush_sessions`: removes the sessions expired at time `t` (every session for
/// 0), telling the remove callback of each.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_flush_sessions(ctx: *mut SSL_CTX, t: c_long) {
    entry(|| {
        let ctx = try_ref!(ctx);
        let time = if t == 0 {
            u64::MAX
        } else {
            u64::try_from(t).unwrap_or(0)
        };
        let flushed = ctx.core.session_cache().flush(time);
        if let Some(cb) = ctx.callbacks().remove_session {
            for s in &flushed {
                // SAFETY: the application's callback; the session is alive (we hold it).
                unsafe {
                    cb(
                        (ctx as *const SSL_CTX).cast_mut(),
                        Arc::as_ptr(s).cast_mut(),
                    )
                };
            }
        }
        Ok(())
    })
}

/// `LHASH_OF(SSL_SESSION)`: a libcrypto hash table of sessions.
#[repr(C)]
pub struct lhash_st_SSL_SESSION {
    _opaque: [u8; 0],
}

/// The table `SSL_CTX_sessions` hands out, and the sessions it points at (kept alive until
/// the table is refilled).
pub(crate) struct SessionTable {
    table: sys::lhash::LHash,
    held: Vec<Arc<Session>>,
}

/// `SSL_CTX_sessions`: the context's session cache as a libcrypto hash table (get0; the
/// same table each time), refilled with the cached sessions at each call. Applications
/// read it with `lh_SSL_SESSION_*`; it reflects the cache as of the last call.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_sessions(ctx: *mut SSL_CTX) -> *mut lhash_st_SSL_SESSION {
    entry(|| {
        let ctx = try_ref!(ctx);
        let sessions = ctx.core.session_cache().sessions();
        let mut slot = lock(&ctx.sessions_table);
        if slot.is_none() {
            let table = sys::lhash::LHash::new(session_hash, session_cmp).ok_or(Error::Crypto)?;
            *slot = Some(SessionTable {
                table,
                held: Vec::new(),
            });
        }
        let Some(t) = slot.as_mut() else {
            return Err(Error::Internal);
        };
        // SAFETY: every pointer is a live session kept in `held` until the next refill.
        unsafe {
            t.table
                .refill(sessions.iter().map(|s| Arc::as_ptr(s).cast_mut().cast()));
        }
        t.held = sessions;
        Ok(t.table.as_ptr().cast())
    })
}

/// The table's hash of a session: its id, as OpenSSL hashes it (first bytes).
///
/// # Safety
/// Called by libcrypto's hash table with a live session.
unsafe extern "C" fn session_hash(item: *const c_void) -> c_ulong {
    // SAFETY: the table holds only live sessions (see SessionTable).
    let Some(s) = (unsafe { item.cast::<Session>().as_ref() }) else {
        return 0;
    };
    let meta = s.meta();
    let mut bytes = [0u8; 4];
    for (b, v) in bytes.iter_mut().zip(&meta.id) {
        *b = *v;
    }
    c_ulong::from(u32::from_le_bytes(bytes))
}

/// The table's comparison: same version and id, as OpenSSL compares sessions.
///
/// # Safety
/// Called by libcrypto's hash table with two live sessions (or NULL).
unsafe extern "C" fn session_cmp(a: *const c_void, b: *const c_void) -> c_int {
    // SAFETY: the table holds only live sessions; lookups pass sessions too.
    let (Some(a), Some(b)) =
        (unsafe { (a.cast::<Session>().as_ref(), b.cast::<Session>().as_ref()) })
    else {
        return 1;
    };
    if std::ptr::eq(a, b) {
        return 0;
    }
    let (a, b) = (a.meta().clone(), b.meta().clone());
    c_int::from(a.version != b.version || a.id != b.id)
}

/// `SSL_CTX_sess_set_new_cb`: called with each new session (the callback keeps the
/// reference it is given when it returns 1).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_sess_set_new_cb(ctx: *mut SSL_CTX, cb: NewSessionCallback) {
    entry(|| {
        crate::abi::callbacks::ctx_callbacks_mut(try_ref!(ctx)).new_session = cb;
        Ok(())
    })
}

/// `SSL_CTX_sess_get_new_cb`.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_sess_get_new_cb(ctx: *mut SSL_CTX) -> NewSessionCallback {
    entry(|| Ok(try_ref!(ctx).callbacks().new_session))
}

/// `SSL_CTX_sess_set_remove_cb`: called when a session leaves the cache.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_sess_set_remove_cb(ctx: *mut SSL_CTX, cb: RemoveSessionCallback) {
    entry(|| {
        crate::abi::callbacks::ctx_callbacks_mut(try_ref!(ctx)).remove_session = cb;
        Ok(())
    })
}

/// `SSL_CTX_sess_get_remove_cb`.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_sess_get_remove_cb(ctx: *mut SSL_CTX) -> RemoveSessionCallback {
    entry(|| Ok(try_ref!(ctx).callbacks().remove_session))
}

/// `SSL_CTX_sess_set_get_cb`: a server's external cache, asked for a session by id.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_sess_set_get_cb(ctx: *mut SSL_CTX, cb: GetSessionCallback) {
    entry(|| {
        crate::abi::callbacks::ctx_callbacks_mut(try_ref!(ctx)).get_session = cb;
        Ok(())
    })
}

/// `SSL_CTX_sess_get_get_cb`.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_sess_get_get_cb(ctx: *mut SSL_CTX) -> GetSessionCallback {
    entry(|| Ok(try_ref!(ctx).callbacks().get_session))
}
