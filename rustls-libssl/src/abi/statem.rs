//! What an application observes of the handshake: `SSL_get_state` and its strings,
//! `SSL_want`, the record-layer state strings, and the delivery of the info and message
//! callbacks' events ([`deliver`]), which the core collects while an operation runs and
//! which are called once it returns from the protocol engine, with no lock held: the
//! callbacks may call any `SSL_` function (node writes its first request from inside
//! "handshake done"). While one runs, `SSL_get_state` answers the state of its event.

use std::ffi::{c_char, c_int, c_void, CString};
use std::sync::atomic::Ordering;

use super::{entry, try_ref, SSL};
use crate::crypto_sys as sys;
use crate::current::lock;
use crate::statem::{self, Note};

/// `SSL_get_state`: OpenSSL's handshake state (`OSSL_HANDSHAKE_STATE`).
#[no_mangle]
pub unsafe extern "C" fn SSL_get_state(ssl: *const SSL) -> sys::OSSL_HANDSHAKE_STATE {
    entry(|| Ok(state(try_ref!(ssl)).0))
}

/// `SSL_state_string_long`: the state in words ("SSL negotiation finished successfully"),
/// or "error" after a fatal error.
#[no_mangle]
pub unsafe extern "C" fn SSL_state_string_long(ssl: *const SSL) -> *const c_char {
    entry(|| {
        let (state, failed) = state(try_ref!(ssl));
        if failed {
            return Ok(c"error".as_ptr());
        }
        Ok(statem::long_name(state).as_ptr())
    })
}

/// `SSL_state_string`: the state's abbreviation ("SSLOK"), or "SSLERR" after a fatal error.
#[no_mangle]
pub unsafe extern "C" fn SSL_state_string(ssl: *const SSL) -> *const c_char {
    entry(|| {
        let (state, failed) = state(try_ref!(ssl));
        if failed {
            return Ok(c"SSLERR".as_ptr());
        }
        Ok(statem::short_name(state).as_ptr())
    })
}

/// `SSL_want`: what the last operation waits for: `SSL_READING` after WANT_READ,
/// `SSL_WRITING` after WANT_WRITE, `SSL_X509_LOOKUP` while the ClientHello callback asked
/// to be called again, else `SSL_NOTHING`.
#[no_mangle]
pub unsafe extern "C" fn SSL_want(ssl: *const SSL) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        Ok(match ssl.last_error.load(Ordering::Relaxed) {
            sys::SSL_ERROR_WANT_READ => sys::SSL_READING,
            sys::SSL_ERROR_WANT_WRITE => sys::SSL_WRITING,
            sys::SSL_ERROR_WANT_CLIENT_HELLO_CB => sys::SSL_CLIENT_HELLO_CB,
            sys::SSL_ERROR_WANT_X509_LOOKUP => sys::SSL_X509_LOOKUP,
            _ => sys::SSL_NOTHING,
        })
    })
}

/// The state `SSL_get_state` reports, and whether the connection has failed: as they
/// were at the event being delivered, if one is.
fn state(ssl: &SSL) -> (sys::OSSL_HANDSHAKE_STATE, bool) {
    match ssl.shown_state.load(Ordering::Relaxed) {
        u32::MAX => {
            let status = lock(&ssl.state.status);
            (status.hand_state, status.failed)
        }
        shown => (shown & !statem::ERROR, shown & statem::ERROR != 0),
    }
}

/// Calls the application's info and message callbacks with the events an operation
/// produced, in order.
pub(super) fn deliver(ssl: &SSL, notes: Vec<Note>) {
    if notes.is_empty() {
        return;
    }
    let ssl_ptr = (ssl as *const SSL).cast_mut();
    for note in notes {
        match note {
            Note::Keylog(line) => {
                let Some(cb) = ssl.ctx().callbacks().keylog else {
                    super::keylog_file::write(&line);
                    continue;
                };
                let Ok(line) = CString::new(line) else {
                    continue;
                };
                // SAFETY: the application's key-log callback with the live SSL and a line
                // that outlives the call.
                unsafe { cb(ssl_ptr, line.as_ptr()) };
            }
            Note::Info { kind, value, state } => {
                let Some(cb) = ssl.info_callback() else {
                    continue;
                };
                ssl.shown_state.store(state, Ordering::Relaxed);
                // SAFETY: the application's callback, with the live SSL; no lock of it is
                // held.
                unsafe { cb(ssl_ptr, kind, value) };
            }
            Note::Message {
                write,
                version,
                content_type,
                bytes,
                state,
            } => {
                let (cb, arg) = {
                    let callbacks = lock(&ssl.callbacks);
                    (callbacks.msg, callbacks.msg_arg)
                };
                let Some(cb) = cb else {
                    continue;
                };
                ssl.shown_state.store(state, Ordering::Relaxed);
                // SAFETY: as above; `bytes` outlives the call.
                unsafe {
                    cb(
                        c_int::from(write),
                        version,
                        content_type,
                        bytes.as_ptr().cast::<c_void>(),
                        bytes.len(),
                        ssl_ptr,
                        arg as *mut c_void,
                    )
                };
            }
        }
    }
    ssl.shown_state.store(u32::MAX, Ordering::Relaxed);
}

/// `SSL_trace`: a message callback (`SSL_set_msg_callback(ssl, SSL_trace)` with the BIO as
/// its argument) that prints each protocol event to the BIO `arg` as OpenSSL prints it.
#[no_mangle]
pub unsafe extern "C" fn SSL_trace(
    write_p: c_int,
    _version: c_int,
    content_type: c_int,
    buf: *const c_void,
    len: usize,
    ssl: *mut SSL,
    arg: *mut c_void,
) {
    entry(|| {
        let ssl = try_ref!(ssl);
        // SAFETY: buf points at len bytes per the message callback's contract.
        let msg = unsafe { super::c_bytes(buf.cast(), len) }?;
        let (tls13, kx) = {
            let status = lock(&ssl.state.status);
            let kx = status.cipher.map_or("UNKNOWN", |c| match c.kx_nid() {
                sys::NID_kx_rsa => "rsa",
                sys::NID_kx_dhe => "DHE",
                sys::NID_kx_ecdhe => "ECDHE",
                sys::NID_kx_psk => "PSK",
                sys::NID_kx_rsa_psk => "RSAPSK",
                sys::NID_kx_dhe_psk => "DHEPSK",
                sys::NID_kx_ecdhe_psk => "ECDHEPSK",
                sys::NID_kx_srp => "SRP",
                sys::NID_kx_gost => "GOST",
                sys::NID_kx_gost18 => "GOST18",
                _ => "UNKNOWN",
            });
            (
                status.cipher.is_some() && status.version == crate::versions::TLS1_3,
                kx,
            )
        };
        let ctx = crate::trace::Context {
            server: ssl.setup().role == Some(crate::connection::Role::Server),
            tls13,
            kx,
        };
        let text = crate::trace::trace(write_p != 0, content_type, msg, &ctx);
        if !arg.is_null() {
            let len = c_int::try_from(text.len()).unwrap_or(c_int::MAX);
            // SAFETY: arg is the application's BIO (the callback argument it set); the text
            // outlives the call.
            unsafe { sys::BIO_write(arg.cast(), text.as_ptr().cast(), len) };
        }
        Ok(())
    })
}
