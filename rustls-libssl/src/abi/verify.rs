//! Peer verification settings and results: modes, callbacks, depth, trust stores, host
//! names (`SSL_set1_host`), `SSL_get_verify_result`.

use std::ffi::{c_char, c_int, c_long, c_uint};

use super::ctx::SSL_CTX;
use super::{c_str, entry, try_ref, SSL};
use crate::crypto_sys::{self as sys, X509Store};
use crate::error::Error;

/// `SSL_CTX_set_verify`: verification mode and optional callback.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_verify(
    ctx: *mut SSL_CTX,
    mode: c_int,
    cb: sys::X509_STORE_CTX_verify_cb,
) {
    entry(|| {
        try_ref!(ctx).core.update(|s| {
            s.verify_mode = mode;
            s.verify_callback = cb;
        });
        Ok(())
    })
}

/// `SSL_CTX_get_verify_mode`.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get_verify_mode(ctx: *const SSL_CTX) -> c_int {
    entry(|| Ok(try_ref!(ctx).core.settings().verify_mode))
}

/// `SSL_CTX_get_verify_callback`.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get_verify_callback(
    ctx: *const SSL_CTX,
) -> sys::X509_STORE_CTX_verify_cb {
    entry(|| Ok(try_ref!(ctx).core.settings().verify_callback))
}

/// `SSL_CTX_set_verify_depth`: maximum chain depth.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_verify_depth(ctx: *mut SSL_CTX, depth: c_int) {
    entry(|| {
        let ctx = try_ref!(ctx);
        // SAFETY: the context's parameter set is alive.
        unsafe { sys::X509_VERIFY_PARAM_set_depth(ctx.core.param().as_ptr(), depth) };
        Ok(())
    })
}

/// `SSL_CTX_get0_param`: the context's verification parameters (get0).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get0_param(ctx: *mut SSL_CTX) -> *mut sys::X509_VERIFY_PARAM {
    entry(|| Ok(try_ref!(ctx).core.param().as_ptr()))
}

/// `SSL_CTX_get_cert_store`: the trust store (get0; the application may add to it).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get_cert_store(ctx: *const SSL_CTX) -> *mut sys::X509_STORE {
    entry(|| Ok(try_ref!(ctx).core.store().as_ptr()))
}

/// `SSL_CTX_set_cert_store`: replaces the trust store, taking over the caller's reference
/// (set0). NULL installs an empty store.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_cert_store(ctx: *mut SSL_CTX, store: *mut sys::X509_STORE) {
    entry(|| {
        let ctx = try_ref!(ctx);
        // SAFETY: the caller hands over its reference to store (or NULL).
        let store = match unsafe { X509Store::from_raw(store) } {
            Some(s) => s,
            None => X509Store::new().ok_or(Error::Crypto)?,
        };
        ctx.core.set_store(store);
        Ok(())
    })
}

/// `SSL_CTX_set1_cert_store`: replaces the trust store, taking a new reference.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set1_cert_store(ctx: *mut SSL_CTX, store: *mut sys::X509_STORE) {
    entry(|| {
        let ctx = try_ref!(ctx);
        // SAFETY: store is a valid store the caller keeps its own reference to.
        let store = unsafe { X509Store::from_ptr_up_ref(store) }.ok_or(Error::NullArgument)?;
        ctx.core.set_store(store);
        Ok(())
    })
}

/// `SSL_CTX_load_verify_locations`: adds a CA file and/or hashed directory to the store.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_load_verify_locations(
    ctx: *mut SSL_CTX,
    file: *const c_char,
    dir: *const c_char,
) -> c_int {
    entry(|| {
        let ctx = try_ref!(ctx);
        if file.is_null() && dir.is_null() {
            return Err(Error::NullArgument);
        }
        let store = ctx.core.store();
        // SAFETY: the store is alive; file and dir are NULL or C strings.
        let ok = unsafe { sys::X509_STORE_load_locations(store.as_ptr(), file, dir) };
        if ok == 1 {
            Ok(1)
        } else {
            Err(Error::Crypto)
        }
    })
}

/// `SSL_CTX_load_verify_file`.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_load_verify_file(ctx: *mut SSL_CTX, file: *const c_char) -> c_int {
    // SAFETY: same contract.
    unsafe { SSL_CTX_load_verify_locations(ctx, file, std::ptr::null()) }
}

/// `SSL_CTX_load_verify_dir`.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_load_verify_dir(ctx: *mut SSL_CTX, dir: *const c_char) -> c_int {
    // SAFETY: same contract.
    unsafe { SSL_CTX_load_verify_locations(ctx, std::ptr::null(), dir) }
}

/// `SSL_CTX_set_default_verify_paths`: the system CA file and directory.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_default_verify_paths(ctx: *mut SSL_CTX) -> c_int {
    entry(|| {
        let store = try_ref!(ctx).core.store();
        // SAFETY: the store is alive.
        let ok = unsafe { sys::X509_STORE_set_default_paths(store.as_ptr()) };
        if ok == 1 {
            Ok(1)
        } else {
            Err(Error::Crypto)
        }
    })
}

/// `SSL_CTX_get_verify_depth`: the maximum chain depth (-1: no limit set).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get_verify_depth(ctx: *const SSL_CTX) -> c_int {
    entry(|| {
        let ctx = try_ref!(ctx);
        // SAFETY: the context's parameter set is alive.
        Ok(unsafe { sys::X509_VERIFY_PARAM_get_depth(ctx.core.param().as_ptr()) })
    })
}

/// `SSL_get_verify_result`: `X509_V_OK` or the `X509_V_ERR_*` code of peer verification.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_verify_result(ssl: *const SSL) -> c_long {
    entry(|| {
        let result = try_ref!(ssl).state.outcome().verify_result;
        Ok(c_long::try_from(result).unwrap_or(c_long::MAX))
    })
}

/// `SSL_set_verify_result`.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_verify_result(ssl: *mut SSL, v: c_long) {
    entry(|| {
        try_ref!(ssl).state.outcome().verify_result = v;
        Ok(())
    })
}

/// `SSL_set_verify`: this connection's verification mode and callback.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_verify(
    ssl: *mut SSL,
    mode: c_int,
    cb: sys::X509_STORE_CTX_verify_cb,
) {
    entry(|| {
        // Verification reads these from the connection, not the shared config, so changing
        // them does not need a config of its own.
        let mut conn = try_ref!(ssl).setup();
        // Unchanged (nginx's SNI callback repeats the context's): keep sharing its settings.
        let same_callback =
            conn.settings.verify_callback.map(|f| f as usize) == cb.map(|f| f as usize);
        if conn.settings.verify_mode == mode && same_callback {
            return Ok(());
        }
        let settings = conn.settings_mut();
        settings.verify_mode = mode;
        settings.verify_callback = cb;
        Ok(())
    })
}

/// `SSL_get_verify_mode`.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_verify_mode(ssl: *const SSL) -> c_int {
    entry(|| Ok(try_ref!(ssl).setup().settings.verify_mode))
}

/// `SSL_get_verify_callback`: this connection's verify callback.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_verify_callback(ssl: *const SSL) -> sys::X509_STORE_CTX_verify_cb {
    entry(|| Ok(try_ref!(ssl).setup().settings.verify_callback))
}

/// `SSL_get_verify_depth`: this connection's maximum chain depth.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_verify_depth(ssl: *const SSL) -> c_int {
    entry(|| {
        let param = try_ref!(ssl).setup().param.as_ptr();
        // SAFETY: the connection's parameter set is alive.
        Ok(unsafe { sys::X509_VERIFY_PARAM_get_depth(param) })
    })
}

/// `SSL_set_verify_depth`.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_verify_depth(ssl: *mut SSL, depth: c_int) {
    entry(|| {
        let conn = try_ref!(ssl).setup();
        // SAFETY: the connection's parameter set is alive.
        unsafe { sys::X509_VERIFY_PARAM_set_depth(conn.param.as_ptr(), depth) };
        Ok(())
    })
}

/// `SSL_get0_param`: this connection's verification parameters (get0).
#[no_mangle]
pub unsafe extern "C" fn SSL_get0_param(ssl: *mut SSL) -> *mut sys::X509_VERIFY_PARAM {
    entry(|| Ok(try_ref!(ssl).setup().param.as_ptr()))
}

/// `SSL_set1_host`: the name (or IP address literal) the peer certificate must match.
#[no_mangle]
pub unsafe extern "C" fn SSL_set1_host(ssl: *mut SSL, host: *const c_char) -> c_int {
    entry(|| {
        let conn = try_ref!(ssl).setup();
        // SAFETY: host is NULL or a C string.
        let host = if host.is_null() {
            None
        } else {
            // SAFETY: host is a C string per the API.
            Some(unsafe { c_str(host) }?)
        };
        if conn.param.set_host(host) {
            Ok(1)
        } else {
            Err(Error::Crypto)
        }
    })
}

/// `SSL_add1_host`: another acceptable name.
#[no_mangle]
pub unsafe extern "C" fn SSL_add1_host(ssl: *mut SSL, host: *const c_char) -> c_int {
    entry(|| {
        let conn = try_ref!(ssl).setup();
        // SAFETY: the parameter set is alive; host is a C string or NULL.
        let ok = unsafe { sys::X509_VERIFY_PARAM_add1_host(conn.param.as_ptr(), host, 0) };
        if ok == 1 {
            Ok(1)
        } else {
            Err(Error::Crypto)
        }
    })
}

/// `SSL_set_hostflags`: `X509_CHECK_FLAG_*` for the host check.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_hostflags(ssl: *mut SSL, flags: c_uint) {
    entry(|| {
        let conn = try_ref!(ssl).setup();
        // SAFETY: the parameter set is alive.
        unsafe { sys::X509_VERIFY_PARAM_set_hostflags(conn.param.as_ptr(), flags) };
        Ok(())
    })
}

/// `SSL_get0_peername`: the name that matched the peer certificate (get0), or NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_get0_peername(ssl: *mut SSL) -> *const c_char {
    entry(|| {
        let conn = try_ref!(ssl).setup();
        // SAFETY: the parameter set is alive; libcrypto returns a pointer it owns.
        Ok(unsafe { sys::X509_VERIFY_PARAM_get0_peername(conn.param.as_ptr()) }.cast_const())
    })
}
