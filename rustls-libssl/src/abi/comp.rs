//! TLS compression (`SSL_COMP_*`, `SSL_get_current_compression`). Debian's OpenSSL 3.0 is
//! built without zlib: its list of compression methods is empty, adding zlib's "(undef)"
//! method is accepted and ignored, and no connection ever compresses. These functions
//! answer as it does: nothing is compressed, which is also what rustls does.

use std::ffi::{c_char, c_int};
use std::sync::atomic::{AtomicPtr, Ordering};

use super::{entry, try_ref, SSL};
use crate::crypto_sys as sys;
use crate::error::Error;

/// OpenSSL's `SSL_COMP` (opaque to applications since 1.1.0; only the accessors below
/// read it). The list this library hands out is always empty, so none exists unless an
/// application's own stack holds one.
#[repr(C)]
pub struct SSL_COMP {
    id: c_int,
    name: *const c_char,
    method: *mut sys::COMP_METHOD,
}

/// `STACK_OF(SSL_COMP)`: a libcrypto stack of [`SSL_COMP`]s.
#[repr(C)]
pub struct stack_st_SSL_COMP {
    _opaque: [u8; 0],
}

/// The process's list of compression methods, made on first use.
static METHODS: AtomicPtr<stack_st_SSL_COMP> = AtomicPtr::new(std::ptr::null_mut());

/// The current list, made empty on first use.
fn methods() -> *mut stack_st_SSL_COMP {
    let current = METHODS.load(Ordering::Acquire);
    if !current.is_null() {
        return current;
    }
    // SAFETY: creates an empty libcrypto stack; it lives for the rest of the process
    // (or until the application replaces it).
    let fresh = unsafe { sys::OPENSSL_sk_new_null() }.cast::<stack_st_SSL_COMP>();
    match METHODS.compare_exchange(
        std::ptr::null_mut(),
        fresh,
        Ordering::AcqRel,
        Ordering::Acquire,
    ) {
        Ok(_) => fresh,
        Err(winner) => {
            // SAFETY: another thread made the list first; ours was never handed out.
            unsafe { sys::OPENSSL_sk_free(fresh.cast()) };
            winner
        }
    }
}

/// `SSL_COMP_get_compression_methods`: the list of compression methods (get0): empty, as
/// in an OpenSSL built without zlib.
#[no_mangle]
pub extern "C" fn SSL_COMP_get_compression_methods() -> *mut stack_st_SSL_COMP {
    methods()
}

/// `SSL_COMP_set0_compression_methods`: replaces the list (the application keeps
/// ownership of both); returns the previous one. The list is never used to compress.
#[no_mangle]
pub unsafe extern "C" fn SSL_COMP_set0_compression_methods(
    meths: *mut stack_st_SSL_COMP,
) -> *mut stack_st_SSL_COMP {
    let old = methods();
    METHODS.store(meths, Ordering::Release);
    old
}

/// `SSL_COMP_add_compression_method`: OpenSSL's inverted convention, 0 on success. A
/// method libcrypto cannot run (NULL, or zlib's "(undef)" placeholder in a build without
/// zlib, the only kind that exists here) is accepted and ignored: 1 with nothing queued,
/// as OpenSSL answers. A working method would be refused with "not supported" (1):
/// rustls does not compress.
#[no_mangle]
pub unsafe extern "C" fn SSL_COMP_add_compression_method(
    _id: c_int,
    cm: *mut sys::COMP_METHOD,
) -> c_int {
    // SAFETY: cm is NULL or a COMP_METHOD from libcrypto (COMP_zlib()).
    if cm.is_null() || unsafe { sys::COMP_get_type(cm) } == sys::NID_undef {
        return 1;
    }
    super::push_error(&Error::NotSupported("TLS compression"));
    1
}

/// `SSL_COMP_get_name`: the method's name (static, libcrypto's), NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn SSL_COMP_get_name(comp: *const sys::COMP_METHOD) -> *const c_char {
    if comp.is_null() {
        return std::ptr::null();
    }
    // SAFETY: comp is a COMP_METHOD from libcrypto.
    unsafe { sys::COMP_get_name(comp) }
}

/// `SSL_COMP_get0_name`: the name of an entry of the compression list (get0).
#[no_mangle]
pub unsafe extern "C" fn SSL_COMP_get0_name(comp: *const SSL_COMP) -> *const c_char {
    entry(|| Ok(try_ref!(comp).name))
}

/// `SSL_COMP_get_id`: the id of an entry of the compression list (-1 for NULL).
#[no_mangle]
pub unsafe extern "C" fn SSL_COMP_get_id(comp: *const SSL_COMP) -> c_int {
    // SAFETY: comp is NULL or an entry of a compression list.
    unsafe { comp.as_ref() }.map_or(-1, |c| c.id)
}

/// `SSL_get_current_compression`: the compression method in use: NULL, nothing is
/// compressed (nothing queued, as in OpenSSL).
#[no_mangle]
pub unsafe extern "C" fn SSL_get_current_compression(ssl: *const SSL) -> *const sys::COMP_METHOD {
    entry(|| {
        try_ref!(ssl);
        Ok(std::ptr::null())
    })
}

/// `SSL_get_current_expansion`: the decompression method in use: NULL, as above.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_current_expansion(ssl: *const SSL) -> *const sys::COMP_METHOD {
    entry(|| {
        try_ref!(ssl);
        Ok(std::ptr::null())
    })
}
