//! Application data slots (`SSL_set_ex_data`, `SSL_CTX_set_ex_data`, `SSL_set_app_data`).
//!
//! Indices come from libcrypto's `CRYPTO_get_ex_new_index` (nginx calls it directly; curl
//! uses index 0 without allocating one). The slots hold the application's pointers as
//! numbers: the shim never dereferences them.

use std::ffi::{c_int, c_void};
use std::sync::{Mutex, OnceLock};

use crate::crypto_sys as sys;
use crate::current::lock;

/// The slots of one object.
#[derive(Default)]
pub(crate) struct ExData(Mutex<Vec<usize>>);

impl ExData {
    /// Stores `value` at `idx`; false for a negative index.
    pub(crate) fn set(&self, idx: c_int, value: *mut c_void) -> bool {
        let Ok(idx) = usize::try_from(idx) else {
            return false;
        };
        let mut slots = lock(&self.0);
        if slots.len() <= idx {
            slots.resize(idx + 1, 0);
        }
        slots[idx] = value as usize;
        true
    }

    /// The value at `idx`, or NULL.
    pub(crate) fn get(&self, idx: c_int) -> *mut c_void {
        let Ok(idx) = usize::try_from(idx) else {
            return std::ptr::null_mut();
        };
        lock(&self.0).get(idx).copied().unwrap_or(0) as *mut c_void
    }
}

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
