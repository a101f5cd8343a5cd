//! The ex_data index verify callbacks use to find their `SSL`. The slots themselves are
//! libcrypto's (`crypto_sys::ExData`): indices come from `CRYPTO_get_ex_new_index` (nginx
//! calls it directly; curl uses index 0 without allocating one).

use std::ffi::{c_int, c_void};
use std::sync::OnceLock;

use crate::crypto_sys as sys;

/// The `X509_STORE_CTX` ex_data index under which verify callbacks find the `SSL *`.
pub(super) fn store_ctx_index() -> c_int {
    static INDEX: OnceLock<c_int> = OnceLock::new();
    *INDEX.get_or_init(|| {
        // SAFETY: registers a new index with no callbacks; the argument string is static.
        unsafe {
            sys::CRYPTO_get_ex_new_index(
                sys::CRYPTO_EX_INDEX_X509_STORE_CTX,
                0,
                c"SSL for verify callback".as_ptr() as *mut c_void,
                None,
                None,
                None,
            )
        }
    })
}

/// `SSL_get_ex_data_X509_STORE_CTX_idx`: the index verify callbacks use to find the `SSL`.
#[no_mangle]
pub extern "C" fn SSL_get_ex_data_X509_STORE_CTX_idx() -> c_int {
    store_ctx_index()
}
