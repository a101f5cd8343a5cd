//! TLS extensions the application would add itself: custom extensions
//! (`SSL_CTX_add_custom_ext`...) and serverinfo (extensions a server sends from a file).
//! rustls sends only the extensions it implements, so these are refused with a "not
//! supported" error, as OpenSSL refuses an extension it cannot add: a program that adds
//! one relies on the peer seeing it. `SSL_extension_supported` answers for OpenSSL's
//! built-in extensions.

use std::ffi::{c_char, c_int, c_uint, c_void};

use super::ctx::SSL_CTX;
use super::{c_bool, entry, try_ref};
use crate::error::Error;

/// Add/free/parse callbacks of the custom-extension API; never called.
type AnyCallback = Option<unsafe extern "C" fn()>;

/// `SSL_CTX_add_client_custom_ext`: 0 ("not supported").
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_add_client_custom_ext(
    ctx: *mut SSL_CTX,
    _ext_type: c_uint,
    _add_cb: AnyCallback,
    _free_cb: AnyCallback,
    _add_arg: *mut c_void,
    _parse_cb: AnyCallback,
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
    _add_cb: AnyCallback,
    _free_cb: AnyCallback,
    _add_arg: *mut c_void,
    _parse_cb: AnyCallback,
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
    _add_cb: AnyCallback,
    _free_cb: AnyCallback,
    _add_arg: *mut c_void,
    _parse_cb: AnyCallback,
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

/// `SSL_CTX_use_serverinfo`: 0 ("not supported").
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_use_serverinfo(
    ctx: *mut SSL_CTX,
    _data: *const u8,
    _len: usize,
) -> c_int {
    entry(|| {
        try_ref!(ctx);
        Err(Error::NotSupported("serverinfo extensions"))
    })
}

/// `SSL_CTX_use_serverinfo_ex`: 0 ("not supported").
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_use_serverinfo_ex(
    ctx: *mut SSL_CTX,
    _version: c_uint,
    _data: *const u8,
    _len: usize,
) -> c_int {
    entry(|| {
        try_ref!(ctx);
        Err(Error::NotSupported("serverinfo extensions"))
    })
}

/// `SSL_CTX_use_serverinfo_file`: 0 ("not supported").
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_use_serverinfo_file(
    ctx: *mut SSL_CTX,
    _file: *const c_char,
) -> c_int {
    entry(|| {
        try_ref!(ctx);
        Err(Error::NotSupported("serverinfo extensions"))
    })
}
