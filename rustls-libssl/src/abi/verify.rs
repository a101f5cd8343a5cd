//! Verification helpers exported by libssl.

use std::ffi::c_int;

/// `SSL_get_ex_data_X509_STORE_CTX_idx` lives in `ex_data.rs`; this module holds the
/// store-context accessors OpenSSL exports from libssl.
///
/// `SSL_CTX_set_cert_verify_callback`: replacing the whole chain verification is not
/// supported; fails with "not supported".
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_cert_verify_callback(
    _ctx: *mut super::SSL_CTX,
    _cb: Option<
        unsafe extern "C" fn(
            *mut crate::crypto_sys::X509_STORE_CTX,
            *mut std::ffi::c_void,
        ) -> c_int,
    >,
    _arg: *mut std::ffi::c_void,
) {
    super::push_error(&crate::error::Error::NotSupported(
        "SSL_CTX_set_cert_verify_callback",
    ));
}
