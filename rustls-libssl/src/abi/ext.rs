//! TLS extensions the application would add itself: custom extensions
//! (`SSL_CTX_add_custom_ext`...) and serverinfo (extensions a server sends from a file).
//! rustls sends only the extensions it implements, so these are refused with a "not
//! supported" error, as OpenSSL refuses an extension it cannot add: a program that adds
//! one relies on the peer seeing it. `SSL_extension_supported` answers for OpenSSL's
//! built-in extensions.

use std::ffi::{c_int, c_uint, c_void};

use super::ctx::SSL_CTX;
use super::{c_bool, entry, try_ref, SSL};
use crate::crypto_sys as sys;
use crate::error::Error;

// The callbacks of the custom-extension API, as OpenSSL types them (NULL for none); never
// called.

/// `custom_ext_add_cb`.
pub type AddCallback = Option<
    unsafe extern "C" fn(
        *mut SSL,
        c_uint,
        *mut *const u8,
        *mut usize,
        *mut c_int,
        *mut c_void,
    ) -> c_int,
>;
/// `custom_ext_free_cb`.
pub type FreeCallback = Option<unsafe extern "C" fn(*mut SSL, c_uint, *const u8, *mut c_void)>;
/// `custom_ext_parse_cb`.
pub type ParseCallback = Option<
    unsafe extern "C" fn(*mut SSL, c_uint, *const u8, usize, *mut c_int, *mut c_void) -> c_int,
>;
/// `SSL_custom_ext_add_cb_ex`.
pub type AddCallbackEx = Option<
    unsafe extern "C" fn(
        *mut SSL,
        c_uint,
        c_uint,
        *mut *const u8,
        *mut usize,
        *mut sys::X509,
        usize,
        *mut c_int,
        *mut c_void,
    ) -> c_int,
>;
/// `SSL_custom_ext_free_cb_ex`.
pub type FreeCallbackEx =
    Option<unsafe extern "C" fn(*mut SSL, c_uint, c_uint, *const u8, *mut c_void)>;
/// `SSL_custom_ext_parse_cb_ex`.
pub type ParseCallbackEx = Option<
    unsafe extern "C" fn(
        *mut SSL,
        c_uint,
        c_uint,
        *const u8,
        usize,
        *mut sys::X509,
        usize,
        *mut c_int,
        *mut c_void,
    ) -> c_int,
>;

/// `SSL_CTX_add_client_custom_ext`: 0 ("not supported").
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_add_client_custom_ext(
    ctx: *mut SSL_CTX,
    _ext_type: c_uint,
    _add_cb: AddCallback,
    _free_cb: FreeCallback,
    _add_arg: *mut c_void,
    _parse_cb: ParseCallback,
    _parse_arg: *mut c_void,
) -> c_int {
    entry(|| {
        try_ref!(ctx);
        Err(Error::NotSupported("custom TLS extensions"))
    })
}

/// `SSL_CTX_add_server_custom_ext`: 0 ("not supported").
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_add_server_custom_ext(
    ctx: *mut SSL_CTX,
    _ext_type: c_uint,
    _add_cb: AddCallback,
    _free_cb: FreeCallback,
    _add_arg: *mut c_void,
    _parse_cb: ParseCallback,
    _parse_arg: *mut c_void,
) -> c_int {
    entry(|| {
        try_ref!(ctx);
        Err(Error::NotSupported("custom TLS extensions"))
    })
}

/// `SSL_CTX_add_custom_ext`: 0 ("not supported").
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_add_custom_ext(
    ctx: *mut SSL_CTX,
    _ext_type: c_uint,
    _context: c_uint,
    _add_cb: AddCallbackEx,
    _free_cb: FreeCallbackEx,
    _add_arg: *mut c_void,
    _parse_cb: ParseCallbackEx,
    _parse_arg: *mut c_void,
) -> c_int {
    entry(|| {
        try_ref!(ctx);
        Err(Error::NotSupported("custom TLS extensions"))
    })
}

/// `SSL_CTX_has_client_custom_ext`: 0 (none can be registered).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_has_client_custom_ext(
    ctx: *const SSL_CTX,
    _ext_type: c_uint,
) -> c_int {
    entry(|| {
        try_ref!(ctx);
        Ok(0)
    })
}

/// `SSL_extension_supported`: 1 for the extensions OpenSSL 3.0 handles itself.
#[no_mangle]
pub extern "C" fn SSL_extension_supported(ext_type: c_uint) -> c_int {
    c_bool(matches!(
        ext_type,
        0 | 1
            | 5
            | 10
            | 11
            | 12
            | 13
            | 14
            | 16
            | 18
            | 21
            | 22
            | 23
            | 35
            | 41
            | 42
            | 43
            | 44
            | 45
            | 47
            | 49
            | 51
            | 13172
            | 0xff01
    ))
}
