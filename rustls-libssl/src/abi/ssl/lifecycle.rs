//! An `SSL`'s life: creation from a context, references, the role it takes, a change of
//! context, `SSL_clear` for reuse and `SSL_dup`.

use std::ffi::c_int;
use std::sync::atomic::{AtomicI32, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::{SslEvents, SSL};
use crate::abi::ctx::{ctx_arc, SSL_CTX};
use crate::abi::ex_data::store_ctx_index;
use crate::abi::{c_bool, entry, try_ref};
use crate::connection::{Connection, Role};
use crate::crypto_sys::{self as sys, ExClass, ExData};
use crate::current::lock;
use crate::error::Error;
use crate::setup::Setup;

/// `SSL_new`: a connection using `ctx`'s settings; NULL on failure.
#[no_mangle]
pub unsafe extern "C" fn SSL_new(ctx: *mut SSL_CTX) -> *mut SSL {
    entry(|| {
        if ctx.is_null() {
            return Err(Error::Reason(sys::SSL_R_NULL_SSL_CTX));
        }
        // SAFETY: ctx is a live context from SSL_CTX_new.
        let ctx = unsafe { ctx_arc(ctx) };
        let events = Arc::new(SslEvents {
            ssl: AtomicUsize::new(0),
            ctx: Arc::clone(&ctx),
        });
        let setup = Setup::new(Arc::clone(&ctx.core))?;
        let callbacks = crate::abi::callbacks::ConnCallbacks::copied_from(&lock(&ctx.callbacks));
        let conn = Connection::new(setup, events.clone());
        let state = Arc::clone(&conn.state);
        let ssl = Box::new(SSL {
            conn: Mutex::new(conn),
            state,
            session_ctx: Arc::clone(&ctx),
            ctx: Mutex::new(ctx),
            rbio: Mutex::new(None),
            wbio: Mutex::new(None),
            last_error: AtomicI32::new(0),
            shown_state: AtomicU32::new(u32::MAX),
            ex_data: ExData::new(ExClass::Ssl),
            servername: Mutex::new(None),
            session_cleared: std::sync::atomic::AtomicBool::new(false),
            method: Mutex::new(None),
            rare: std::sync::OnceLock::new(),
            refs: AtomicUsize::new(1),
            callbacks: Mutex::new(callbacks),
        });
        let raw = Box::into_raw(ssl);
        events.ssl.store(raw as usize, Ordering::Relaxed);
        // SAFETY: raw was just created from a Box and is uniquely ours here.
        let ssl = unsafe { &mut *raw };
        ssl.setup().verify_ex_data = Some((store_ctx_index(), raw as usize));
        // The application's ex_data "new" callbacks see the new connection.
        ssl.ex_data.init(raw.cast());
        Ok(raw.cast_const().cast_mut())
    })
}

/// `SSL_free`: frees the connection and its BIOs; NULL is a no-op. The session of a
/// connection that did not send its close_notify leaves the context's cache, as in
/// OpenSSL.
#[no_mangle]
pub unsafe extern "C" fn SSL_free(ssl: *mut SSL) {
    entry(|| {
        // SAFETY: ssl is NULL or a live connection from SSL_new.
        let Some(r) = (unsafe { ssl.as_ref() }) else {
            return Ok(());
        };
        if r.refs.fetch_sub(1, Ordering::AcqRel) != 1 {
            return Ok(());
        }
        // SAFETY: ssl came from SSL_new and this was its last reference.
        let mut ssl = unsafe { Box::from_raw(ssl) };
        // As OpenSSL does first: the ex_data "free" callbacks see the connection whole.
        ssl.ex_data.release();
        clear_bad_session(&ssl);
        drop(ssl);
        Ok(())
    })
}

/// `SSL_up_ref`: one more reference (each is given up with `SSL_free`); 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_up_ref(ssl: *mut SSL) -> c_int {
    entry(|| {
        try_ref!(ssl).refs.fetch_add(1, Ordering::AcqRel);
        Ok(1)
    })
}

/// `SSL_get_SSL_CTX`: the context (get0).
#[no_mangle]
pub unsafe extern "C" fn SSL_get_SSL_CTX(ssl: *const SSL) -> *mut SSL_CTX {
    entry(|| Ok(Arc::as_ptr(&lock(&try_ref!(ssl).ctx)).cast_mut()))
}

/// `SSL_set_connect_state`: makes this a client.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_connect_state(ssl: *mut SSL) {
    entry(|| {
        try_ref!(ssl).setup().role = Some(Role::Client);
        Ok(())
    })
}

/// `SSL_set_accept_state`: makes this a server.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_accept_state(ssl: *mut SSL) {
    entry(|| {
        try_ref!(ssl).setup().role = Some(Role::Server);
        Ok(())
    })
}

/// `SSL_is_server`: 1 for a server; before a role is set, 1 unless the method is a
/// client-only one (OpenSSL's default from the method).
#[no_mangle]
pub unsafe extern "C" fn SSL_is_server(ssl: *const SSL) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        let role = ssl.setup().role;
        Ok(c_bool(match role {
            Some(role) => role == Role::Server,
            None => crate::abi::method::method_of(ssl).accepts(),
        }))
    })
}

/// `SSL_set_SSL_CTX`: switches to `ctx`'s certificate settings and, unless the connection
/// set its own, its cipher lists (the SNI or ClientHello callback's way of choosing a
/// virtual server); options, versions and the verify mode stay the connection's, as in
/// OpenSSL (see `Setup::switch_ctx`). NULL means the context the connection was made
/// from. Returns the new context (get0), or NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_SSL_CTX(ssl: *mut SSL, ctx: *mut SSL_CTX) -> *mut SSL_CTX {
    entry(|| {
        let ssl = try_ref!(ssl);
        let ctx = if ctx.is_null() {
            Arc::as_ptr(&ssl.session_ctx).cast_mut()
        } else {
            ctx
        };
        if std::ptr::eq(Arc::as_ptr(&lock(&ssl.ctx)), ctx) {
            return Ok(ctx); // nginx re-selects the default server's context: nothing changes
        }
        // SAFETY: ctx is a live context.
        let new = unsafe { ctx_arc(ctx) };
        ssl.setup().switch_ctx(Arc::clone(&new.core));
        *lock(&ssl.ctx) = new;
        Ok(ctx)
    })
}

/// `SSL_clear`: resets the connection for a new handshake on the same settings, BIOs and
/// role (MariaDB and the SSL BIO's reset call it); 1. The session stays to be resumed by
/// the next handshake, unless the connection ended without `SSL_shutdown`: then it is
/// removed from the context's cache and dropped, as OpenSSL does. A method set with
/// `SSL_set_ssl_method` reverts to the context's.
#[no_mangle]
pub unsafe extern "C" fn SSL_clear(ssl: *mut SSL) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        // As OpenSSL: not while a renegotiation asked for is pending.
        if ssl.status().renegotiate {
            return Err(Error::Internal);
        }
        let mut conn = ssl.conn()?;
        if clear_bad_session(ssl) {
            *lock(&ssl.state.last_session) = None;
            *lock(&ssl.state.resume) = None;
        } else {
            let session = lock(&ssl.state.last_session).clone();
            *lock(&ssl.state.resume) = session;
        }
        conn.clear();
        drop(conn);
        if lock(&ssl.method).take().is_some() {
            let fixed = ssl.ctx().core.settings().versions.fixed;
            ssl.setup().update(|s| s.versions.fixed = fixed);
        }
        ssl.last_error.store(0, Ordering::Relaxed);
        Ok(1)
    })
}

/// A connection whose handshake completed and which ends without having sent its
/// close_notify (`SSL_shutdown`, or a quiet shutdown) may have been cut short: as
/// OpenSSL's `ssl_clear_bad_session` (from `SSL_clear` and `SSL_free`), its session leaves
/// the context's cache, can no longer be resumed (on either side: a client's session is
/// no longer offered), and the application's remove callback hears of it. True if so.
fn clear_bad_session(ssl: &SSL) -> bool {
    let status = ssl.status();
    if !status.established || status.failed || status.sent_close {
        return false;
    }
    let session = lock(&ssl.state.last_session).clone();
    if let Some(session) = session {
        let id = session.meta().id.clone();
        if !id.is_empty() {
            let session_ctx = Arc::clone(&ssl.setup().session_ctx);
            session_ctx.session_cache().remove(&id);
            session.set_not_resumable();
            ssl.state.events.remove_session(&session);
        }
    }
    true
}

/// `SSL_dup`: a connection that has started its handshake is shared (one more reference,
/// the same pointer, as OpenSSL does); a fresh one is copied into a new connection of the
/// same context with its settings, role, session, callbacks and ex_data. NULL on failure.
#[no_mangle]
pub unsafe extern "C" fn SSL_dup(ssl: *mut SSL) -> *mut SSL {
    entry(|| {
        let from = try_ref!(ssl);
        if from.status().started {
            from.refs.fetch_add(1, Ordering::AcqRel);
            return Ok(ssl);
        }
        let ctx = Arc::as_ptr(&from.ctx()).cast_mut();
        // SAFETY: ctx is the live context `from` holds.
        let raw = unsafe { SSL_new(ctx) };
        // SAFETY: NULL or the connection just made, owned here.
        let Some(to) = (unsafe { raw.as_mut() }) else {
            return Err(Error::Crypto);
        };
        {
            let src = from.setup();
            let param = sys::VerifyParam::copy_of(&src.param).ok_or(Error::Crypto)?;
            let mut dst = to.setup();
            dst.settings = Arc::clone(&src.settings);
            dst.own_settings = src.own_settings;
            dst.options = src.options;
            dst.mode = src.mode;
            dst.read_ahead = src.read_ahead;
            dst.role = src.role;
            dst.param = param;
        }
        let session = lock(&from.state.last_session).clone();
        *lock(&to.state.resume) = session.clone();
        *lock(&to.state.last_session) = session;
        *lock(&to.method) = *lock(&from.method);
        *lock(&to.callbacks) = lock(&from.callbacks).clone();
        to.ex_data.dup_from(&from.ex_data);
        Ok(raw)
    })
}
