//! A connection's session: getting and setting it, copying it between connections, the
//! session id contexts, the hello randoms and the session-secret and ticket-extension hooks.

use std::ffi::{c_int, c_uint, c_void};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::fields::sid_ctx;
use super::{copy_out, session_arc, SSL_SESSION};
use crate::abi::ctx::SSL_CTX;
use crate::abi::{c_bool, c_bytes, entry, try_ref, SSL};
use crate::ciphers::Cipher;
use crate::crypto_sys::{self as sys};
use crate::current::lock;
use crate::error::Error;
use crate::session::{now, Meta, Session};

/// The connection's session: the one it made or resumed, or one describing it (a server
/// from the ClientHello on, as OpenSSL's `SSL_get0_session` answers in the SNI callback;
/// any connection once established). Kept by the connection.
fn current_session(ssl: &SSL) -> Option<Arc<Session>> {
    let status = ssl.status();
    let mut last = lock(&ssl.state.last_session);
    let cleared = ssl.session_cleared.load(Ordering::Relaxed);
    if last.is_none() && status.started && !cleared {
        let (sid_ctx, sent) = {
            let setup = ssl.setup();
            let client = setup.role == Some(crate::connection::Role::Client);
            let name = setup.server_name.clone().filter(|_| client);
            (setup.settings.session_id_context.clone(), name)
        };
        let hostname = crate::resumption::client_hostname(&ssl.state, sent);
        *last = Some(Session::describing(Meta {
            hostname: hostname.and_then(|h| std::ffi::CString::new(h).ok()),
            version: status.version,
            cipher: status.cipher.map_or(0, Cipher::iana_id),
            sid_ctx,
            time: crate::session::seconds(now()),
            timeout: crate::session::seconds(ssl.state.session_timeout.load(Ordering::Relaxed)),
            alpn: status.alpn,
            verify_result: ssl.state.outcome().verify_result,
            ..Meta::default()
        }));
    }
    last.clone()
}

/// `SSL_get_session` (`SSL_get0_session`): the connection's session (get0: valid while it
/// is the connection's session), or NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_session(ssl: *const SSL) -> *mut SSL_SESSION {
    entry(|| {
        let ssl = try_ref!(ssl);
        let Some(session) = current_session(ssl) else {
            return Ok(std::ptr::null_mut());
        };
        let ptr = Arc::as_ptr(&session).cast_mut();
        // Kept alive until the application asks again or frees the connection, even if
        // the connection moves on to another session meanwhile.
        *lock(&ssl.rare().handed_session) = Some(session);
        Ok(ptr)
    })
}

/// `SSL_get1_session`: the connection's session, a new reference; NULL if none.
#[no_mangle]
pub unsafe extern "C" fn SSL_get1_session(ssl: *mut SSL) -> *mut SSL_SESSION {
    entry(|| {
        Ok(current_session(try_ref!(ssl))
            .map_or(std::ptr::null_mut(), |s| Arc::into_raw(s).cast_mut()))
    })
}

/// `SSL_set_session`: resume `session` on the next handshake (takes its own reference; the
/// verify result becomes the session's); NULL clears it. 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_session(ssl: *mut SSL, session: *mut SSL_SESSION) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        // SAFETY: session is NULL or a live session.
        let session = (!session.is_null()).then(|| unsafe { session_arc(session) });
        if let Some(s) = &session {
            ssl.state.outcome().verify_result = s.meta().verify_result;
        }
        ssl.session_cleared
            .store(session.is_none(), Ordering::Relaxed);
        *lock(&ssl.state.last_session) = session.clone();
        *lock(&ssl.state.resume) = session;
        Ok(1)
    })
}

/// `SSL_copy_session_id`: gives `to` the session, certificates and session id context of
/// `from`; 1 or 0.
#[no_mangle]
pub unsafe extern "C" fn SSL_copy_session_id(to: *mut SSL, from: *const SSL) -> c_int {
    entry(|| {
        let (to_ssl, from_ssl) = (try_ref!(to), try_ref!(from));
        // SAFETY: both are live connections.
        let session = unsafe { SSL_get_session(from) };
        // SAFETY: as above; the session is alive while `from` holds it.
        if unsafe { SSL_set_session(to, session) } != 1 {
            return Err(Error::Crypto);
        }
        let (credentials, ctx) = {
            let f = from_ssl.setup();
            (
                f.settings.credentials.clone(),
                f.settings.session_id_context.clone(),
            )
        };
        let mut t = to_ssl.setup();
        let settings = t.settings_mut();
        settings.credentials = credentials;
        settings.session_id_context = ctx;
        Ok(1)
    })
}

/// `SSL_set_session_id_context`: at most 32 bytes; 1 or 0.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_session_id_context(
    ssl: *mut SSL,
    ctx: *const u8,
    len: c_uint,
) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        // SAFETY: ctx points at len bytes per the API.
        let value = sid_ctx(unsafe { c_bytes(ctx, len as usize) }?)?;
        ssl.setup().settings_mut().session_id_context = value;
        Ok(1)
    })
}

/// `SSL_CTX_set_session_id_context`: at most 32 bytes; 1 or 0. Sessions (and tickets)
/// resume only on connections with the same context, as in OpenSSL.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_session_id_context(
    ctx: *mut SSL_CTX,
    sid: *const u8,
    len: c_uint,
) -> c_int {
    entry(|| {
        let ctx = try_ref!(ctx);
        // SAFETY: sid points at len bytes per the API.
        let value = sid_ctx(unsafe { c_bytes(sid, len as usize) }?)?;
        // The context is read per connection at the handshake: the configs stay valid.
        ctx.core.update_settings(|s| s.session_id_context = value);
        Ok(1)
    })
}

/// `SSL_has_matching_session_id`: 1 if the context's cache holds a session with this id.
#[no_mangle]
pub unsafe extern "C" fn SSL_has_matching_session_id(
    ssl: *const SSL,
    id: *const u8,
    len: c_uint,
) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        if len > sys::SSL_MAX_SSL_SESSION_ID_LENGTH as c_uint {
            return Ok(0);
        }
        // SAFETY: id points at len bytes per the API.
        let id = unsafe { c_bytes(id, len as usize) }?;
        // OpenSSL looks the id up with the connection's version: a session of another
        // version does not match.
        let version = ssl.version();
        let found = ssl.ctx().core.session_cache().get(id);
        Ok(c_bool(found.is_some_and(|s| s.meta().version == version)))
    })
}

/// `SSL_get_client_random`: with `outlen` 0 the size (32); otherwise copies up to `outlen`
/// bytes of the ClientHello's random (zeros before the handshake) and returns how many.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_client_random(
    ssl: *const SSL,
    out: *mut u8,
    outlen: usize,
) -> usize {
    entry(|| {
        let ssl = try_ref!(ssl);
        let random = lock(&ssl.state.export)
            .as_ref()
            .map_or([0; 32], |e| e.client_random);
        // SAFETY: out is writable for outlen bytes per the API.
        Ok(unsafe { copy_out(&random, out, outlen) })
    })
}

/// `SSL_get_server_random`: as [`SSL_get_client_random`] for the ServerHello's random.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_server_random(
    ssl: *const SSL,
    out: *mut u8,
    outlen: usize,
) -> usize {
    entry(|| {
        let ssl = try_ref!(ssl);
        let random = lock(&ssl.state.export)
            .as_ref()
            .and_then(|e| e.server_random)
            .unwrap_or([0; 32]);
        // SAFETY: out is writable for outlen bytes per the API.
        Ok(unsafe { copy_out(&random, out, outlen) })
    })
}

/// `tls_session_secret_cb_fn`: `SSL_set_session_secret_cb`'s callback (NULL for none).
pub type SessionSecretCallback = Option<
    unsafe extern "C" fn(
        *mut SSL,
        *mut c_void,
        *mut c_int,
        *mut sys::stack_st_SSL_CIPHER,
        *mut *const Cipher,
        *mut c_void,
    ) -> c_int,
>;

/// `tls_session_ticket_ext_cb_fn`: `SSL_set_session_ticket_ext_cb`'s callback (NULL for
/// none).
pub type TicketExtCallback =
    Option<unsafe extern "C" fn(*mut SSL, *const u8, c_int, *mut c_void) -> c_int>;

/// `SSL_set_session_secret_cb`: EAP-FAST's hook to set the TLS 1.2 master secret from a
/// PAC. rustls derives every secret itself: stored as OpenSSL stores it when no such
/// session is offered, never called (see the README); 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_session_secret_cb(
    ssl: *mut SSL,
    cb: SessionSecretCallback,
    _arg: *mut c_void,
) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        if cb.is_some() {
            crate::abi::debug_log("SSL_set_session_secret_cb: stored, never called (EAP-FAST)");
        }
        let _ = ssl;
        Ok(1)
    })
}

/// `SSL_set_session_ticket_ext`: EAP-FAST's opaque SessionTicket extension. rustls sends
/// only tickets it received: accepted and not sent (see the README); 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_session_ticket_ext(
    ssl: *mut SSL,
    _data: *mut c_void,
    _len: c_int,
) -> c_int {
    entry(|| {
        try_ref!(ssl);
        crate::abi::debug_log("SSL_set_session_ticket_ext: accepted, not sent (EAP-FAST)");
        Ok(1)
    })
}

/// `SSL_set_session_ticket_ext_cb`: the callback that sees a server's SessionTicket
/// extension (EAP-FAST): stored, never called; 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_session_ticket_ext_cb(
    ssl: *mut SSL,
    _cb: TicketExtCallback,
    _arg: *mut c_void,
) -> c_int {
    entry(|| {
        try_ref!(ssl);
        Ok(1)
    })
}
