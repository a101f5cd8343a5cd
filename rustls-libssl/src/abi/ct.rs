//! Certificate Transparency (RFC 6962) for clients: a validation callback (or OpenSSL's
//! permissive and strict ones) run once the server's chain is verified, the context's
//! CT log list, and the SCTs the server presented. SCTs are those of the certificate and
//! of a stapled OCSP response; rustls does not request the TLS extension that carries
//! them otherwise, so a server sending SCTs only there looks like one sending none.

use std::ffi::{c_char, c_int, c_void};

use super::ctx::SSL_CTX;
use super::{addr, c_str, entry, try_ref, SSL};
use crate::crypto_sys::{self as sys, ct_permissive, ct_strict, CtCallback, CtLogStore, SctList};
use crate::error::Error;

/// `ssl_ct_validation_cb`: the application's validation callback as the exports take it,
/// NULL for none (the nullable form of [`CtCallback`], which rustc holds it equal to).
pub type ValidationCallback = Option<
    unsafe extern "C" fn(
        *const sys::CT_POLICY_EVAL_CTX,
        *const sys::stack_st_SCT,
        *mut c_void,
    ) -> c_int,
>;

/// The callback of a validation mode (`SSL_CT_VALIDATION_*`).
fn mode_callback(mode: c_int) -> Result<CtCallback, Error> {
    match u32::try_from(mode) {
        Ok(sys::SSL_CT_VALIDATION_PERMISSIVE) => Ok(ct_permissive),
        Ok(sys::SSL_CT_VALIDATION_STRICT) => Ok(ct_strict),
        _ => Err(Error::Reason(sys::SSL_R_INVALID_CT_VALIDATION_TYPE)),
    }
}

/// `SSL_CTX_set_ct_validation_callback`: validates servers' SCTs with `callback` (NULL
/// disables CT); 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_ct_validation_callback(
    ctx: *mut SSL_CTX,
    callback: ValidationCallback,
    arg: *mut c_void,
) -> c_int {
    entry(|| {
        let ct = callback.map(|cb| (cb, addr(arg)));
        try_ref!(ctx)
            .core
            .update_settings(|s| s.knobs.ct_validation = ct);
        Ok(1)
    })
}

/// `SSL_set_ct_validation_callback`: as [`SSL_CTX_set_ct_validation_callback`] for one
/// connection; a callback also asks for OCSP stapling, which can carry SCTs. 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_ct_validation_callback(
    ssl: *mut SSL,
    callback: ValidationCallback,
    arg: *mut c_void,
) -> c_int {
    entry(|| {
        let mut setup = try_ref!(ssl).setup();
        let knobs = &mut setup.settings_mut().knobs;
        if callback.is_some() {
            knobs.status_type = i64::from(sys::TLSEXT_STATUSTYPE_ocsp);
        }
        knobs.ct_validation = callback.map(|cb| (cb, addr(arg)));
        Ok(1)
    })
}

/// `SSL_CTX_enable_ct`: OpenSSL's permissive or strict validation; 1, or 0 for another
/// mode.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_enable_ct(ctx: *mut SSL_CTX, mode: c_int) -> c_int {
    entry(|| {
        let cb = mode_callback(mode)?;
        // SAFETY: ctx is checked by the callee.
        Ok(unsafe { SSL_CTX_set_ct_validation_callback(ctx, Some(cb), std::ptr::null_mut()) })
    })
}

/// `SSL_enable_ct`: as [`SSL_CTX_enable_ct`] for one connection.
#[no_mangle]
pub unsafe extern "C" fn SSL_enable_ct(ssl: *mut SSL, mode: c_int) -> c_int {
    entry(|| {
        let cb = mode_callback(mode)?;
        // SAFETY: ssl is checked by the callee.
        Ok(unsafe { SSL_set_ct_validation_callback(ssl, Some(cb), std::ptr::null_mut()) })
    })
}

/// `SSL_CTX_ct_is_enabled`: 1 if a CT validation callback is set.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_ct_is_enabled(ctx: *const SSL_CTX) -> c_int {
    entry(|| {
        let on = try_ref!(ctx).core.settings().knobs.ct_validation.is_some();
        Ok(c_int::from(on))
    })
}

/// `SSL_ct_is_enabled`: 1 if the connection has a CT validation callback.
#[no_mangle]
pub unsafe extern "C" fn SSL_ct_is_enabled(ssl: *const SSL) -> c_int {
    entry(|| {
        let on = try_ref!(ssl).setup().settings.knobs.ct_validation.is_some();
        Ok(c_int::from(on))
    })
}

/// `SSL_get0_peer_scts`: the SCTs the server presented (get0), collected on first call
/// from the stapled OCSP response and the server's certificate; NULL if there was no
/// certificate then (also when first asked before the handshake, as with OpenSSL).
#[no_mangle]
pub unsafe extern "C" fn SSL_get0_peer_scts(ssl: *mut SSL) -> *const sys::stack_st_SCT {
    entry(|| {
        let ssl = try_ref!(ssl);
        let mut outcome = ssl.state.peer_outcome();
        if !outcome.scts_parsed {
            let leaf = outcome
                .peer_chain
                .first()
                .filter(|_| !outcome.leaf_rejected)
                .cloned();
            outcome.scts = Some(SctList::collect(leaf.as_ref(), &outcome.ocsp_response));
            outcome.scts_parsed = true;
        }
        Ok(outcome
            .scts
            .as_ref()
            .map_or(std::ptr::null(), SctList::as_ptr))
    })
}

/// `SSL_CTX_set_ctlog_list_file`: adds the CT logs of a list file to the context's
/// store; 1, or 0 with libcrypto's errors.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_ctlog_list_file(
    ctx: *mut SSL_CTX,
    path: *const c_char,
) -> c_int {
    entry(|| {
        let ctx = try_ref!(ctx);
        // SAFETY: path is a C string per the API.
        let path = sys::cstring(unsafe { c_str(path) }?).ok_or(Error::BadValue)?;
        let logs = ctx.core.ct_logs().ok_or(Error::Crypto)?;
        if logs.load_file(&path) {
            Ok(1)
        } else {
            Err(Error::Crypto)
        }
    })
}

/// `SSL_CTX_set_default_ctlog_list_file`: adds the logs of the default list
/// (`CTLOG_FILE`, else OpenSSL's `ct_log_list.cnf`); 1, or 0 with libcrypto's errors.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_default_ctlog_list_file(ctx: *mut SSL_CTX) -> c_int {
    entry(|| {
        let logs = try_ref!(ctx).core.ct_logs().ok_or(Error::Crypto)?;
        if logs.load_default_file() {
            Ok(1)
        } else {
            Err(Error::Crypto)
        }
    })
}

/// `SSL_CTX_set0_ctlog_store`: replaces the context's CT logs, taking over `logs`.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set0_ctlog_store(ctx: *mut SSL_CTX, logs: *mut sys::CTLOG_STORE) {
    entry(|| {
        let ctx = try_ref!(ctx);
        // SAFETY: the caller hands over the store (or NULL).
        ctx.core.set_ct_logs(unsafe { CtLogStore::from_raw(logs) });
        Ok(())
    })
}

/// `SSL_CTX_get0_ctlog_store`: the context's CT logs (get0).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get0_ctlog_store(ctx: *const SSL_CTX) -> *const sys::CTLOG_STORE {
    entry(|| {
        let logs = try_ref!(ctx).core.ct_logs();
        // The context keeps the store alive; the pointer stays valid until it is replaced.
        Ok(logs.map_or(std::ptr::null(), |l| l.as_ptr().cast_const()))
    })
}
