//! The C ABI: every exported function, and only here. Each export has the same shape:
//!
//! ```ignore
//! #[no_mangle]
//! pub unsafe extern "C" fn SSL_xxx(ssl: *mut SSL, ...) -> c_int {
//!     entry(|| { let ssl = try_ref!(ssl); ...; Ok(1) })
//! }
//! ```
//!
//! [`entry`] runs the body, catches panics, and turns `Err` (or a panic) into the failure
//! value of the return type ([`Failure`]) after pushing exactly one error onto libcrypto's
//! queue. Pointer arguments become references through [`try_ref!`], which answers NULL with
//! `ERR_R_PASSED_NULL_PARAMETER`.

// Exports are `pub` so cbindgen sees them; C reaches them, which `unreachable_pub` cannot
// know. Their safety contract is OpenSSL's documentation of each function.
#![allow(
    non_camel_case_types,
    non_snake_case,
    unreachable_pub,
    clippy::missing_safety_doc,
    clippy::upper_case_acronyms
)]

use std::ffi::{c_char, c_int, c_long, c_ulong, c_void, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::crypto_sys as sys;
use crate::error::Error;

mod async_jobs;
mod bio;
mod ca_list;
mod callbacks;
mod cert;
mod cipher;
mod comp;
mod conf;
mod config;
mod ct;
mod ctrl;
mod ctx;
mod dane;
mod dh;
mod dtls;
mod err;
mod ex_data;
mod ext;
#[cfg(any(test, fuzzing))]
pub(crate) mod fuzzing;
mod groups;
mod hello;
mod io;
mod keylog_file;
mod knobs;
mod libm;
mod method;
mod protocol;
mod psk;
mod security;
mod serverinfo;
mod session;
mod sigalgs;
mod srp;
mod srtp;
mod ssl;
mod statem;
mod tickets;
mod verify;

pub(crate) use ssl::SSL;

/// The value a C function returns when it fails.
pub(crate) trait Failure {
    fn failure() -> Self;
}

impl Failure for c_int {
    fn failure() -> Self {
        0
    }
}

impl Failure for c_long {
    fn failure() -> Self {
        0
    }
}

impl Failure for c_ulong {
    fn failure() -> Self {
        0
    }
}

impl Failure for u16 {
    fn failure() -> Self {
        0
    }
}

impl Failure for u8 {
    fn failure() -> Self {
        0
    }
}

impl Failure for u32 {
    fn failure() -> Self {
        0
    }
}

impl Failure for usize {
    fn failure() -> Self {
        0
    }
}

/// Callback getters answer NULL.
impl<T> Failure for Option<T> {
    fn failure() -> Self {
        None
    }
}

impl Failure for () {
    fn failure() -> Self {}
}

impl<T> Failure for *mut T {
    fn failure() -> Self {
        std::ptr::null_mut()
    }
}

impl<T> Failure for *const T {
    fn failure() -> Self {
        std::ptr::null()
    }
}

/// Runs an export's body: panics are caught, errors pushed once, failure value returned.
pub(crate) fn entry<R: Failure>(body: impl FnOnce() -> Result<R, Error>) -> R {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => {
            push_error(&e);
            R::failure()
        }
        Err(_) => {
            push_error(&Error::Internal);
            R::failure()
        }
    }
}

/// Pushes `e` onto libcrypto's error queue as OpenSSL would.
pub(crate) fn push_error(e: &Error) {
    err::load_strings_for_error();
    let (lib, reason) = e.code();
    if let Error::NotSupported(what) = e {
        crate::debug::unsupported(what);
    }
    if lib == 0 {
        return; // libcrypto queued its own error already.
    }
    let detail = e.data().and_then(|d| std::ffi::CString::new(d).ok());
    // SAFETY: ERR_new/ERR_set_debug/ERR_set_error only write this thread's error queue; the
    // strings are NUL-terminated and outlive the calls ("%s" copies the detail).
    unsafe {
        sys::ERR_new();
        sys::ERR_set_debug(c"rustls-libssl".as_ptr(), 0, std::ptr::null());
        match &detail {
            Some(d) => sys::ERR_set_error(lib, reason, c"%s".as_ptr(), d.as_ptr()),
            None => sys::ERR_set_error(lib, reason, std::ptr::null()),
        }
    }
}

/// Converts a pointer argument to a reference, answering NULL with `NullArgument`.
macro_rules! try_ref {
    ($p:expr) => {
        // SAFETY: the C caller passes NULL or a valid object of this type that outlives the
        // call (OpenSSL's contract for every handle argument).
        match unsafe { $p.as_ref() } {
            Some(r) => r,
            None => return Err($crate::error::Error::NullArgument),
        }
    };
}
pub(crate) use try_ref;

/// A C string argument as `&str` (NULL or invalid UTF-8 is a bad argument).
///
/// # Safety
/// `p` is NULL or a NUL-terminated string that outlives `'a`.
pub(crate) unsafe fn c_str<'a>(p: *const c_char) -> Result<&'a str, Error> {
    if p.is_null() {
        return Err(Error::NullArgument);
    }
    // SAFETY: guaranteed by the caller.
    unsafe { CStr::from_ptr(p) }
        .to_str()
        .map_err(|_| Error::BadValue)
}

/// A C string argument as bytes, without the NUL (NULL is a bad argument).
///
/// # Safety
/// `p` is NULL or a NUL-terminated string that outlives `'a`.
pub(crate) unsafe fn c_str_bytes<'a>(p: *const c_char) -> Result<&'a [u8], Error> {
    if p.is_null() {
        return Err(Error::NullArgument);
    }
    // SAFETY: guaranteed by the caller.
    Ok(unsafe { CStr::from_ptr(p) }.to_bytes())
}

/// A `(pointer, length)` argument as a slice.
///
/// # Safety
/// `p` is NULL (with `len == 0`) or points at `len` readable bytes that outlive `'a`.
pub(crate) unsafe fn c_bytes<'a>(p: *const u8, len: usize) -> Result<&'a [u8], Error> {
    if len == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(Error::NullArgument);
    }
    // SAFETY: guaranteed by the caller.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// A boolean result as OpenSSL's 1/0.
pub(crate) fn c_bool(b: bool) -> c_int {
    c_int::from(b)
}

/// An opaque pointer argument kept as a number (application data the shim never reads).
pub(crate) fn addr(p: *mut c_void) -> usize {
    p as usize
}

/// Writes a diagnostic line at level `warn` of `RUSTLS_LIBSSL_DEBUG` (see [`crate::debug`]).
pub(crate) fn debug_log(msg: &str) {
    crate::debug::log!(crate::debug::Level::Warn, "{msg}");
}

/// An output buffer argument (`buf`, `num`) as a slice; empty when `num` is 0.
///
/// # Safety
/// `buf` is writable for `num` bytes (it may be NULL only when `num` is 0) and outlives `'a`.
pub unsafe fn out_slice<'a>(buf: *mut c_void, num: usize) -> &'a mut [u8] {
    if num == 0 || buf.is_null() {
        return &mut [];
    }
    // SAFETY: guaranteed by the caller.
    unsafe { std::slice::from_raw_parts_mut(buf.cast::<u8>(), num) }
}

/// An input buffer argument (`buf`, `num`) as a slice; empty when `num` is 0.
///
/// # Safety
/// `buf` is readable for `num` bytes (it may be NULL only when `num` is 0) and outlives `'a`.
pub unsafe fn in_slice<'a>(buf: *const c_void, num: usize) -> &'a [u8] {
    if num == 0 || buf.is_null() {
        return &[];
    }
    // SAFETY: guaranteed by the caller.
    unsafe { std::slice::from_raw_parts(buf.cast::<u8>(), num) }
}

#[cfg(test)]
mod tests {
    //! NULL and bad arguments get OpenSSL's failure values, never a crash.

    use std::ptr::{null, null_mut};

    use super::*;

    #[test]
    fn null_handles_fail_cleanly() {
        // SAFETY: every call passes NULL (or valid values) where the API allows the
        // implementation to detect it; nothing is dereferenced by the test.
        unsafe {
            assert!(ctx::SSL_CTX_new(null()).is_null());
            assert!(ssl::SSL_new(null_mut()).is_null());
            ctx::SSL_CTX_free(null_mut());
            ssl::SSL_free(null_mut());
            session::SSL_SESSION_free(null_mut());
            assert_eq!(io::SSL_connect(null_mut()), -1);
            assert_eq!(io::SSL_accept(null_mut()), -1);
            assert_eq!(io::SSL_do_handshake(null_mut()), -1);
            assert_eq!(io::SSL_read(null_mut(), null_mut(), 10), -1);
            assert_eq!(io::SSL_write(null_mut(), null(), 10), -1);
            assert_eq!(io::SSL_shutdown(null_mut()), -1);
            assert_eq!(io::SSL_get_error(null(), -1), sys::SSL_ERROR_SSL);
            assert_eq!(ctrl::SSL_ctrl(null_mut(), 55, 0, null_mut()), 0);
            assert_eq!(ctrl::SSL_CTX_ctrl(null_mut(), 33, 0, null_mut()), 0);
            assert_eq!(
                ctx::SSL_CTX_set_cipher_list(null_mut(), c"DEFAULT".as_ptr()),
                0
            );
            assert_eq!(ssl::SSL_set_fd(null_mut(), 0), 0);
            assert!(ssl::SSL_get_version(null()).is_null());
            assert!(cipher::SSL_get_current_cipher(null()).is_null());
            assert_eq!(cipher::SSL_CIPHER_get_bits(null(), null_mut()), 0);
            assert_eq!(verify::SSL_get_verify_result(null()), 0);
            assert!(cert::SSL_get1_peer_certificate(null()).is_null());
            assert!(cert::SSL_get_peer_cert_chain(null()).is_null());
            sys::ERR_clear_error();
        }
    }

    #[test]
    fn bad_arguments_on_a_real_context() {
        // SAFETY: ctx comes from SSL_CTX_new and is freed once; the strings are valid.
        unsafe {
            let ctx = ctx::SSL_CTX_new(method::TLS_client_method());
            assert!(!ctx.is_null());
            assert_eq!(ctx::SSL_CTX_set_cipher_list(ctx, null()), 0);
            assert_eq!(ctx::SSL_CTX_set_cipher_list(ctx, c"NOPE".as_ptr()), 0);
            assert_eq!(ctx::SSL_CTX_set_alpn_protos(ctx, b"\x05h2".as_ptr(), 3), 1);
            assert_eq!(ctx::SSL_CTX_set_alpn_protos(ctx, b"\x02h2".as_ptr(), 3), 0);
            assert_eq!(
                ctrl::SSL_CTX_ctrl(ctx, sys::SSL_CTRL_SET_MAX_PROTO_VERSION, 0x9999, null_mut()),
                0
            );
            assert_eq!(
                ctrl::SSL_CTX_ctrl(ctx, sys::SSL_CTRL_SET_GROUPS_LIST, 0, null_mut()),
                0
            );
            let ssl = ssl::SSL_new(ctx);
            assert!(!ssl.is_null());
            // No BIO: the handshake fails as a transport error, nothing queued.
            sys::ERR_clear_error();
            assert_eq!(io::SSL_connect(ssl), -1);
            assert_eq!(io::SSL_get_error(ssl, -1), sys::SSL_ERROR_SYSCALL);
            assert_eq!(io::SSL_read_ex(ssl, null_mut(), 5, null_mut()), 0);
            ssl::SSL_free(ssl);
            ctx::SSL_CTX_free(ctx);
            sys::ERR_clear_error();
        }
    }
}
